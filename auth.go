package iamport

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"github.com/iamport-go/iamport/internal/rules"
)

// tokenMargin is how long before its expiry a cached token is replaced. The
// server extends a token asked for in its last minute by five minutes, so a
// refresh inside the margin is cheap and never invalidates tokens other
// processes hold.
const tokenMargin = 60 * time.Second

// defaultTokenLifetime is the lifetime iamport documents for a token.
const defaultTokenLifetime = 30 * time.Minute

// tokenCache holds the access token shared by every call of one Client.
type tokenCache struct {
	mu       sync.Mutex
	token    string
	expires  time.Time     // local time, derived from the server's expired_at - now
	offset   time.Duration // server clock minus local clock, from the last token answer
	inflight *tokenFetch   // the one refresh under way, if any
	warned   bool          // an already expired token answer was logged
}

type tokenFetch struct {
	done  chan struct{}
	token string
	err   error
}

// authResponse is AuthAnnotation, the answer of POST /users/getToken.
type authResponse struct {
	AccessToken string      `json:"access_token"`
	ExpiredAt   unixSeconds `json:"expired_at"`
	Now         unixSeconds `json:"now"`
}

// unixSeconds is a timestamp of the token answer: integer or fractional
// seconds, a numeric string, or null (0). Some servers send milliseconds;
// a value too large to be seconds (after the year 5138) is read as such.
type unixSeconds float64

// UnmarshalJSON decodes the number leniently.
func (u *unixSeconds) UnmarshalJSON(b []byte) error {
	f, err := parseLenientFloat(b, "a Unix timestamp", reflect.TypeOf(*u))
	if err != nil {
		return err
	}
	*u = unixSeconds(f)
	return nil
}

// seconds returns u in seconds, converting milliseconds.
func (u unixSeconds) seconds() float64 {
	if f := float64(u); f > 1e11 || f < -1e11 {
		return f / 1000
	}
	return float64(u)
}

// time returns u as a time; 0 or less is the zero time.
func (u unixSeconds) time() time.Time {
	if u <= 0 {
		return time.Time{}
	}
	return unixFloat(u.seconds()).Time
}

type tokenRequest struct {
	ImpKey    string `json:"imp_key"`
	ImpSecret string `json:"imp_secret"`
}

// token returns a valid access token, fetching one if the cache holds none
// that is good for at least tokenMargin. However many goroutines ask at
// once, at most one fetch is in flight; each waiter still gives up when its
// own ctx ends.
func (c *Client) token(ctx context.Context) (string, error) { return c.tokenFetch(ctx, false) }

// cachedToken returns the cached token if it is good for tokenMargin, or "".
func (c *Client) cachedToken() string {
	t := &c.tokens
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" && c.now().Add(tokenMargin).Before(t.expires) {
		return t.token
	}
	return ""
}

// fetchedToken asks the server for a token, or joins the request already
// under way, and waits for its answer, which also refreshes the estimate of
// the server's clock (serverNow). The server answers the token it already
// issued while that one is valid.
func (c *Client) fetchedToken(ctx context.Context) (string, error) { return c.tokenFetch(ctx, true) }

// tokenFetch returns the cached token unless fresh is set or it is not good
// for tokenMargin, and otherwise joins or starts the one fetch in flight. The
// cache is checked and the fetch joined under one lock, so that a caller
// that finds no token cannot start a second fetch just after the first one
// filled the cache.
func (c *Client) tokenFetch(ctx context.Context, fresh bool) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("iamport: waiting for access token: %w", err)
	}
	t := &c.tokens
	t.mu.Lock()
	if !fresh && t.token != "" && c.now().Add(tokenMargin).Before(t.expires) {
		tok := t.token
		t.mu.Unlock()
		return tok, nil
	}
	f := t.inflight
	if f == nil {
		f = &tokenFetch{done: make(chan struct{})}
		t.inflight = f
		// The fetch serves every waiter, so no single caller's context may
		// cancel it; it is bounded by the Client's own timeouts instead.
		go c.fetchToken(context.WithoutCancel(ctx), f)
	}
	t.mu.Unlock()
	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
		return "", fmt.Errorf("iamport: waiting for access token: %w", ctx.Err())
	}
}

func (c *Client) fetchToken(ctx context.Context, f *tokenFetch) {
	// Retries included, one fetch may take a few request timeouts.
	ctx, cancel := context.WithTimeout(ctx, c.timeout*time.Duration(c.retry.MaxRetries+1)+c.retry.MaxBackoff)
	defer cancel()
	sent := c.now()
	var ar authResponse
	err := c.call(ctx, &request{
		method: "POST",
		path:   "/users/getToken",
		body:   &tokenRequest{ImpKey: c.apiKey, ImpSecret: c.apiSecret},
		noAuth: true,
	}, &ar)
	if err == nil && ar.AccessToken == "" {
		err = &APIError{StatusCode: 200, Message: "response has no access_token", Method: "POST", Path: "/users/getToken", invalid: true}
	}
	if err == nil && hasControl(ar.AccessToken) {
		// It could not be sent in a header; say so now rather than on
		// every call.
		err = &APIError{StatusCode: 200, Message: "response.access_token contains control characters", Method: "POST", Path: "/users/getToken", invalid: true}
	}
	t := &c.tokens
	t.mu.Lock()
	if err == nil {
		// Lifetime in the server's own clock, so a skewed local clock does
		// not matter; counted from when the request was sent, to be safe.
		life := tokenLifetime(ar, sent)
		t.token = ar.AccessToken
		t.expires = sent.Add(life)
		if now := ar.Now.time(); !now.IsZero() {
			t.offset = now.Sub(sent).Truncate(time.Second)
		}
		f.token = ar.AccessToken
		if life <= 0 && !t.warned {
			// The token still serves the call it was fetched for; the next
			// call fetches another. Said once: it repeats on every call.
			t.warned = true
			c.warnExpiredToken(ctx, ar)
		}
	} else {
		f.err = err
	}
	t.inflight = nil
	t.mu.Unlock()
	close(f.done)
}

// tokenLifetime is how long a fresh token stays valid, in the server's clock
// (expired_at - now). An answer without now is measured against the local
// clock; one without expired_at is given the documented 30 minutes.
func tokenLifetime(ar authResponse, sent time.Time) time.Duration {
	switch {
	case ar.ExpiredAt <= 0:
		return defaultTokenLifetime
	case ar.Now <= 0:
		return ar.ExpiredAt.time().Sub(sent)
	}
	return ar.ExpiredAt.time().Sub(ar.Now.time())
}

// warnExpiredToken logs a token answer whose expired_at is not after now.
func (c *Client) warnExpiredToken(ctx context.Context, ar authResponse) {
	if c.logger == nil {
		return
	}
	c.logger.LogAttrs(ctx, slog.LevelWarn, "iamport token answer is already expired: each call fetches its own token",
		slog.Float64("now", ar.Now.seconds()), slog.Float64("expired_at", ar.ExpiredAt.seconds()))
}

// hasControl reports whether s contains an ASCII control character.
func hasControl(s string) bool { return rules.HasControl(s) }

// serverNow estimates the iamport server's clock from the offset seen in the
// last token answer; before any token was fetched it is the local clock.
func (c *Client) serverNow() time.Time {
	c.tokens.mu.Lock()
	off := c.tokens.offset
	c.tokens.mu.Unlock()
	return c.now().Add(off)
}

// invalidate drops tok from the cache if it is still the cached token, so
// that a 401 answered to many calls at once causes one refresh, not many.
func (t *tokenCache) invalidate(tok string) {
	t.mu.Lock()
	if t.token == tok {
		t.token = ""
		t.expires = time.Time{}
	}
	t.mu.Unlock()
}

// callTokenKey is the context key of a *callToken.
type callTokenKey struct{}

// callToken is the access token one SDK call (a charge and the lookups that
// reconcile it, a cancel and the lookup before it) shares, so that the call
// fetches at most one token even when the token answer gives it no time to
// live.
type callToken struct {
	mu  sync.Mutex
	tok string
}

// withCallToken returns ctx carrying a call token, empty until the call's
// first request fetches it.
func withCallToken(ctx context.Context) context.Context {
	if _, ok := ctx.Value(callTokenKey{}).(*callToken); ok {
		return ctx
	}
	return &callTokenCtx{Context: ctx}
}

// callTokenCtx is a context carrying a call token: what context.WithValue
// with a new *callToken would make, in one allocation instead of two.
type callTokenCtx struct {
	context.Context
	ct callToken
}

// Value returns the call token for callTokenKey, and asks the parent
// otherwise.
func (c *callTokenCtx) Value(key any) any {
	if _, ok := key.(callTokenKey); ok {
		return &c.ct
	}
	return c.Context.Value(key)
}

// callToken returns the call's token if ctx carries one, and otherwise the
// Client's cached or freshly fetched token.
func (c *Client) callToken(ctx context.Context) (string, error) {
	ct, _ := ctx.Value(callTokenKey{}).(*callToken)
	if ct == nil {
		return c.token(ctx)
	}
	ct.mu.Lock()
	defer ct.mu.Unlock()
	if ct.tok != "" {
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("iamport: waiting for access token: %w", err)
		}
		// A token the Client has cached since is newer: the call's own is
		// kept only for when the cache holds none (an answer whose
		// expired_at was not after now), so the call never fetches two.
		if tok := c.cachedToken(); tok != "" {
			ct.tok = tok
		}
		return ct.tok, nil
	}
	tok, err := c.token(ctx)
	if err == nil {
		ct.tok = tok
	}
	return tok, err
}

// dropCallToken forgets the call's token tok after the server refused it.
func dropCallToken(ctx context.Context, tok string) {
	if ct, ok := ctx.Value(callTokenKey{}).(*callToken); ok {
		ct.mu.Lock()
		if ct.tok == tok {
			ct.tok = ""
		}
		ct.mu.Unlock()
	}
}

// serverClock fetches the call's token first, so that the server's clock is
// known before a rule that depends on it (an expiry month, a schedule time)
// is checked. It returns ctx carrying the token, which the call's requests
// then share, and the server's now.
func (c *Client) serverClock(ctx context.Context) (context.Context, time.Time, error) {
	ctx = withCallToken(ctx)
	if _, err := c.callToken(ctx); err != nil {
		return ctx, time.Time{}, err
	}
	return ctx, c.serverNow(), nil
}
