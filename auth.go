package iamport

import (
	"context"
	"fmt"
	"sync"
	"time"
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
}

type tokenFetch struct {
	done  chan struct{}
	token string
	err   error
}

// authResponse is AuthAnnotation, the answer of POST /users/getToken.
type authResponse struct {
	AccessToken string `json:"access_token"`
	ExpiredAt   Int    `json:"expired_at"`
	Now         Int    `json:"now"`
}

type tokenRequest struct {
	ImpKey    string `json:"imp_key"`
	ImpSecret string `json:"imp_secret"`
}

// token returns a valid access token, fetching one if the cache holds none
// that is good for at least tokenMargin. However many goroutines ask at
// once, at most one fetch is in flight; each waiter still gives up when its
// own ctx ends.
func (c *Client) token(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("iamport: waiting for access token: %w", err)
	}
	t := &c.tokens
	t.mu.Lock()
	if t.token != "" && c.now().Add(tokenMargin).Before(t.expires) {
		tok := t.token
		t.mu.Unlock()
		return tok, nil
	}
	t.mu.Unlock()
	return c.fetchedToken(ctx)
}

// fetchedToken asks the server for a token, or joins the request already
// under way, and waits for its answer, which also refreshes the estimate of
// the server's clock (serverNow). The server answers the token it already
// issued while that one is valid.
func (c *Client) fetchedToken(ctx context.Context) (string, error) {
	t := &c.tokens
	t.mu.Lock()
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
	t := &c.tokens
	t.mu.Lock()
	if err == nil {
		// Lifetime in the server's own clock, so a skewed local clock does
		// not matter; counted from when the request was sent, to be safe.
		t.token = ar.AccessToken
		t.expires = sent.Add(tokenLifetime(ar, sent))
		if ar.Now > 0 {
			t.offset = time.Unix(int64(ar.Now), 0).Sub(sent).Truncate(time.Second)
		}
		f.token = ar.AccessToken
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
		return time.Unix(int64(ar.ExpiredAt), 0).Sub(sent)
	}
	return time.Duration(ar.ExpiredAt-ar.Now) * time.Second
}

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
