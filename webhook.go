package iamport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

// iamport V1 webhooks ("notifications") are not signed: anyone who knows the
// URL can POST one. The body only says which payment to look at; the truth
// about that payment is what GET /payments/{imp_uid} answers. ParseWebhook
// reads the body, VerifyWebhook fetches the payment it names, and
// WebhookHandler does both before it hands the verified Payment to your code.

// maxWebhookBody is the largest webhook body ParseWebhook reads. iamport's
// notifications are a few hundred bytes.
const maxWebhookBody = 64 << 10

// WebhookSourceIPs are the addresses iamport publishes as the sources of its
// webhooks. Pass them to WithAllowedSources to refuse notifications from
// anywhere else:
//
//	iamport.WebhookHandler(client, fn, iamport.WithAllowedSources(iamport.WebhookSourceIPs...))
var WebhookSourceIPs = []string{"52.78.100.19", "52.78.48.223", "52.78.5.241"}

// ErrWebhookMismatch matches the error VerifyWebhook returns when the payment
// iamport has under the notification's imp_uid belongs to another
// merchant_uid: the notification was forged or tampered with.
var ErrWebhookMismatch = errors.New("iamport: webhook does not match the payment")

// WebhookEvent is the body of an iamport webhook. Only ImpUID says anything
// that can be checked: Status and the other fields are what the sender
// claims, and a forged notification can claim anything. Act on the Payment
// that VerifyWebhook returns, never on Status.
type WebhookEvent struct {
	ImpUID      string // iamport's payment ID; always set
	MerchantUID string // the merchant's order ID; always set
	// Status is the status the sender claims: "paid", "ready", "failed" or
	// "cancelled". Use the verified Payment's Status instead.
	Status PaymentStatus
	// CancellationID names the cancel a "cancelled" notification reports.
	CancellationID string
	// Extra holds the body's other fields: strings as they are, other JSON
	// values as their compact JSON text, and for a form body the first value
	// of each field. Nil when there are none.
	Extra map[string]string
}

// WebhookError is the error ParseWebhook returns for a request that is not a
// well-formed iamport webhook. StatusCode is the HTTP status to answer it
// with: 405 for a method other than POST, 413 for a body larger than 64 KiB,
// 408 for a body that did not arrive in time, 400 otherwise. Reason never
// quotes the body.
type WebhookError struct {
	StatusCode int
	Reason     string
}

// Error describes the problem without quoting the body.
func (e *WebhookError) Error() string {
	return fmt.Sprintf("iamport: bad webhook (HTTP %d): %s", e.StatusCode, e.Reason)
}

func badWebhook(format string, args ...any) *WebhookError {
	return &WebhookError{StatusCode: http.StatusBadRequest, Reason: fmt.Sprintf(format, args...)}
}

// ParseWebhook reads the iamport webhook in r: a POST whose body is JSON or
// application/x-www-form-urlencoded (the console offers both). A missing or
// unexpected Content-Type is tolerated: a body that starts with "{" is read as
// JSON, anything else as a form. The body is read up to 64 KiB; imp_uid and
// merchant_uid are required. Any failure is a *WebhookError; a body read
// that times out is one with StatusCode 408.
//
// ParseWebhook reads for as long as r.Body lets it: bound the time with
// http.Server's ReadTimeout, or use WebhookHandler, which bounds it with
// WithWebhookReadTimeout.
//
// The event is unverified: pass it to Client.VerifyWebhook, or use
// WebhookHandler, which does both.
func ParseWebhook(r *http.Request) (*WebhookEvent, error) {
	if r == nil {
		return nil, badWebhook("no request")
	}
	if r.Method != http.MethodPost {
		return nil, &WebhookError{StatusCode: http.StatusMethodNotAllowed, Reason: "method " + r.Method + " is not POST"}
	}
	if r.Body == nil {
		return nil, badWebhook("empty body")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1))
	if err != nil {
		return nil, webhookReadError(err)
	}
	if len(body) > maxWebhookBody {
		return nil, &WebhookError{StatusCode: http.StatusRequestEntityTooLarge,
			Reason: fmt.Sprintf("body larger than %d bytes", maxWebhookBody)}
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, badWebhook("empty body")
	}
	var fields map[string]string
	if isJSONType(r.Header.Get("Content-Type")) || trimmed[0] == '{' {
		fields, err = webhookJSON(trimmed)
	} else {
		fields, err = webhookForm(string(trimmed))
	}
	if err != nil {
		return nil, err
	}
	ev := &WebhookEvent{
		ImpUID:         fields["imp_uid"],
		MerchantUID:    fields["merchant_uid"],
		Status:         PaymentStatus(fields["status"]),
		CancellationID: fields["cancellation_id"],
	}
	for _, k := range webhookKnownFields {
		delete(fields, k)
	}
	if len(fields) > 0 {
		ev.Extra = fields
	}
	for _, f := range []struct{ name, v string }{{"imp_uid", ev.ImpUID}, {"merchant_uid", ev.MerchantUID}} {
		if err := checkID(f.name, f.v); err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				return nil, badWebhook("%s %s", ve.Field, ve.Reason)
			}
			return nil, badWebhook("%s is invalid", f.name)
		}
	}
	return ev, nil
}

var webhookKnownFields = []string{"imp_uid", "merchant_uid", "status", "cancellation_id"}

func isJSONType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
}

// webhookJSON reads a JSON object. The known fields must be strings (or
// null); other values are kept as their compact JSON text.
func webhookJSON(body []byte) (map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return nil, badWebhook("body is not a JSON object")
	}
	if k := ambiguousKey(body); k != "" {
		// As for a form: which of the two would be meant?
		return nil, badWebhook("field %s is given twice", k)
	}
	fields := make(map[string]string, len(raw))
	for k, v := range raw {
		known := slices.Contains(webhookKnownFields, k)
		switch {
		case len(v) > 0 && v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, badWebhook("field %q is not a valid JSON string", k)
			}
			fields[k] = s
		case known && string(v) == "null":
			// absent
		case known:
			return nil, badWebhook("field %s must be a string", k)
		default:
			var b bytes.Buffer
			if err := json.Compact(&b, v); err != nil {
				return nil, badWebhook("field %q is not valid JSON", k)
			}
			fields[k] = b.String()
		}
	}
	return fields, nil
}

// webhookForm reads an application/x-www-form-urlencoded body. A known field
// given twice with different values is refused: which one would be meant?
func webhookForm(body string) (map[string]string, error) {
	vals, err := url.ParseQuery(body)
	if err != nil {
		return nil, badWebhook("body is neither JSON nor a valid form")
	}
	fields := make(map[string]string, len(vals))
	for k, vs := range vals {
		if len(vs) == 0 {
			continue
		}
		if slices.Contains(webhookKnownFields, k) && slices.ContainsFunc(vs[1:], func(v string) bool { return v != vs[0] }) {
			return nil, badWebhook("field %s is given more than once with different values", k)
		}
		fields[k] = vs[0]
	}
	return fields, nil
}

// VerifyWebhook finds out what the notification ev is about, since iamport V1
// webhooks are unsigned: it fetches the payment by ev.ImpUID (GET
// /payments/{imp_uid}), checks that it belongs to ev.MerchantUID, and returns
// it. The returned Payment, not ev.Status, says what happened: a notification
// claiming "paid" for a declined payment returns the failed Payment.
//
// Errors: an unknown imp_uid gives an error matching ErrNotFound (a forged
// notification, or a payment on a test channel, which the API hides: see
// WithSandboxPayments); a payment of another merchant_uid gives an error
// matching ErrWebhookMismatch; a failure to reach the API gives the usual
// typed errors. On any error the Payment is nil.
func (c *Client) VerifyWebhook(ctx context.Context, ev *WebhookEvent) (*Payment, error) {
	return c.verifyWebhook(ctx, ev, false)
}

func (c *Client) verifyWebhook(ctx context.Context, ev *WebhookEvent, sandbox bool) (*Payment, error) {
	if ev == nil {
		return nil, invalid("webhook", "is required")
	}
	if err := checkID("imp_uid", ev.ImpUID); err != nil {
		return nil, err
	}
	if err := checkID("merchant_uid", ev.MerchantUID); err != nil {
		return nil, err
	}
	var params []GetPaymentParams
	if sandbox {
		params = append(params, GetPaymentParams{IncludeSandbox: true})
	}
	p, err := c.GetPayment(ctx, ev.ImpUID, params...)
	if err != nil {
		return nil, err
	}
	if p.ImpUID != ev.ImpUID {
		return nil, fmt.Errorf("%w: the API answered payment %q for imp_uid %q", ErrWebhookMismatch, p.ImpUID, ev.ImpUID)
	}
	if p.MerchantUID != ev.MerchantUID {
		return nil, fmt.Errorf("%w: payment %s belongs to merchant_uid %q, not %q",
			ErrWebhookMismatch, p.ImpUID, p.MerchantUID, ev.MerchantUID)
	}
	return p, nil
}

// WebhookOption configures WebhookHandler.
type WebhookOption func(*webhookConfig)

type webhookConfig struct {
	allowed   []netip.Prefix // nil: any source
	proxies   []netip.Prefix
	sandbox   bool
	logger    *slog.Logger
	loggerSet bool
	timeout   time.Duration
	// readTimeout bounds the wait for the body.
	readTimeout time.Duration
}

// defaultWebhookTimeout bounds verification and the callback together.
const defaultWebhookTimeout = 30 * time.Second

// defaultWebhookReadTimeout bounds the wait for a notification's body, a few
// hundred bytes.
const defaultWebhookReadTimeout = 10 * time.Second

// WithWebhookReadTimeout bounds how long WebhookHandler waits for the body of
// a notification (default 10s), counted from when the handler starts. A
// sender that trickles its body, or stops half-way, is answered 408 Request
// Timeout when it runs out, instead of holding the handler. It panics if d
// is not positive.
func WithWebhookReadTimeout(d time.Duration) WebhookOption {
	if d <= 0 {
		panic("iamport: WithWebhookReadTimeout: the timeout must be positive")
	}
	return func(c *webhookConfig) { c.readTimeout = d }
}

// readWebhookBody reads r's body, up to one byte more than ParseWebhook
// accepts, within d. It sets a read deadline on the connection where the
// ResponseWriter allows it (net/http's does), and lifts it once the body is
// read; after a failed read it stays, so that net/http, which reads what is
// left of a body before it answers, does not wait for the sender. Behind a ResponseWriter that does not, it reads in the background
// and stops waiting at d; the read then ends when the sender or the server
// (its ReadTimeout) gives up.
func readWebhookBody(w http.ResponseWriter, r *http.Request, d time.Duration) ([]byte, error) {
	read := func() ([]byte, error) { return io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1)) }
	rc := http.NewResponseController(w)
	if rc.SetReadDeadline(time.Now().Add(d)) == nil {
		b, err := read()
		if err == nil {
			_ = rc.SetReadDeadline(time.Time{})
		}
		return b, err
	}
	type result struct {
		body []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		b, err := read()
		done <- result{b, err}
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case res := <-done:
		return res.body, res.err
	case <-t.C:
		return nil, os.ErrDeadlineExceeded
	}
}

// webhookReadError is the *WebhookError of a failed body read: 408 when it
// timed out.
func webhookReadError(err error) *WebhookError {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return &WebhookError{StatusCode: http.StatusRequestTimeout, Reason: "the body did not arrive in time"}
	}
	return badWebhook("reading the body: %v", err)
}

// WithAllowedSources makes WebhookHandler answer 403 Forbidden, without
// looking at the body, to requests from any address but addrs: IP addresses
// or CIDR prefixes. Pass WebhookSourceIPs for iamport's published addresses.
// Behind a reverse proxy, also use WithTrustedProxies. It panics if an entry
// is not an address or prefix: a configuration error shows at start-up.
func WithAllowedSources(addrs ...string) WebhookOption {
	prefixes := mustPrefixes("WithAllowedSources", addrs)
	return func(c *webhookConfig) { c.allowed = append(c.allowed, prefixes...) }
}

// WithTrustedProxies makes WebhookHandler take the sender's address from the
// X-Forwarded-For header, but only when the request comes from one of addrs
// (IP addresses or CIDR prefixes: your load balancer or reverse proxy). The
// header is read from the right, skipping these proxies; the first other
// address is the sender. Without this option X-Forwarded-For is ignored, since
// anyone can send it. It panics if an entry is not an address or prefix.
func WithTrustedProxies(addrs ...string) WebhookOption {
	prefixes := mustPrefixes("WithTrustedProxies", addrs)
	return func(c *webhookConfig) { c.proxies = append(c.proxies, prefixes...) }
}

// WithSandboxPayments makes WebhookHandler verify notifications with
// GetPaymentParams{IncludeSandbox: true}, so that payments made on a test
// channel, which the API otherwise hides, reach your callback. Check
// Payment.Sandbox before you deliver anything.
func WithSandboxPayments() WebhookOption {
	return func(c *webhookConfig) { c.sandbox = true }
}

// WithWebhookLogger makes WebhookHandler log each notification it refuses or
// fails on (warn and error level) and each one it handles (debug level), with
// its imp_uid, merchant_uid, claimed status, answer and error. The default is
// the Client's logger (WithLogger); nil turns logging off.
func WithWebhookLogger(l *slog.Logger) WebhookOption {
	return func(c *webhookConfig) { c.logger, c.loggerSet = l, true }
}

// WithWebhookTimeout bounds the verification and your callback together
// (default 30s). They run to completion, or to this timeout, even if iamport
// hangs up first: a notification is delivered once unless retries are
// enabled for your account, so abandoning it half-way would lose it. It
// panics if d is not positive.
func WithWebhookTimeout(d time.Duration) WebhookOption {
	if d <= 0 {
		panic("iamport: WithWebhookTimeout: the timeout must be positive")
	}
	return func(c *webhookConfig) { c.timeout = d }
}

func mustPrefixes(opt string, addrs []string) []netip.Prefix {
	out := make([]netip.Prefix, 0, len(addrs))
	for _, a := range addrs {
		p, ok := parsePrefix(strings.TrimSpace(a))
		if !ok {
			panic(fmt.Sprintf("iamport: %s: %q is not an IP address or CIDR prefix", opt, a))
		}
		out = append(out, p)
	}
	return out
}

func parsePrefix(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen()), true
}

// parseHostAddr reads an address with or without a port.
func parseHostAddr(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return a.Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

func containsAddr(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// source returns the sender's address: the peer, or, when the peer is a
// trusted proxy, the right-most X-Forwarded-For entry that is not one.
func (cfg *webhookConfig) source(r *http.Request) (netip.Addr, bool) {
	peer, ok := parseHostAddr(r.RemoteAddr)
	if !ok || len(cfg.proxies) == 0 || !containsAddr(cfg.proxies, peer) {
		return peer, ok
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	addr := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHostAddr(hops[i])
		if !ok {
			return netip.Addr{}, false // a hop we cannot read: refuse rather than guess
		}
		addr = a
		if !containsAddr(cfg.proxies, a) {
			break
		}
	}
	return addr, true
}

// WebhookHandler returns an http.Handler for iamport's webhooks. For each
// notification it:
//
//  1. with WithAllowedSources, answers 403 to a sender not on the list;
//  2. parses the body (ParseWebhook), answering 400 if it is malformed, 405
//     for a method other than POST, 413 for an oversized body and 408 for
//     one that does not arrive within WithWebhookReadTimeout;
//  3. verifies it (Client.VerifyWebhook): a notification whose merchant_uid
//     does not match the payment is answered 409 (forged); one for an
//     imp_uid the API does not show (forged, or a genuine one the API does
//     not show yet or hides, such as a test-channel payment without
//     WithSandboxPayments) and a failure to reach the API are answered 503,
//     so that iamport's re-delivery (if enabled for your account) tries
//     again and a genuine notification is not lost. fn is called for none
//     of these;
//  4. calls fn with the verified Payment and the event, and answers 200 if fn
//     returns nil, 500 otherwise.
//
// A refusal's body is one line of plain text, the status and why
// ("Bad Request: imp_uid is required"), which never quotes the body or the
// API's answer; with a logger (WithWebhookLogger, or the Client's),
// refusals are logged at warn level and a failing fn at error level.
//
// The Payment fn receives is the truth; the event's Status is only what the
// sender claimed. fn must check the payment against the order: its Status,
// and that its Amount is what the order costs.
//
// fn must be idempotent. iamport may deliver the same notification twice
// (re-deliveries, a manual resend from the console), possibly at the same
// time, and the same imp_uid comes back with another status when the payment
// is later cancelled. Key what you record on the pair (p.ImpUID, p.Status),
// with a unique index so that concurrent duplicates insert once, and make
// every later step safe to repeat, so that a re-delivery after a failure
// half-way finishes the job instead of skipping it:
//
//	func(ctx context.Context, p *iamport.Payment, ev *iamport.WebhookEvent) error {
//		// INSERT ... ON CONFLICT (imp_uid, status) DO NOTHING
//		if err := db.RecordOnce(ctx, p.ImpUID, p.Status, p); err != nil {
//			return err // answered 500: a re-delivery tries again
//		}
//		_, err := client.ScheduleFollowUp(ctx, plan, p) // safe to repeat
//		return err
//	}
//
// Verification and fn together are bounded by WithWebhookTimeout, and are not
// cancelled when iamport hangs up. WebhookHandler panics if c or fn is nil.
func WebhookHandler(c *Client, fn func(ctx context.Context, p *Payment, ev *WebhookEvent) error, opts ...WebhookOption) http.Handler {
	if c == nil {
		panic("iamport: WebhookHandler: nil Client")
	}
	if fn == nil {
		panic("iamport: WebhookHandler: nil callback")
	}
	cfg := &webhookConfig{timeout: defaultWebhookTimeout, readTimeout: defaultWebhookReadTimeout}
	for _, o := range opts {
		if o != nil {
			o(cfg)
		}
	}
	if !cfg.loggerSet {
		cfg.logger = c.logger
	}
	return &webhookHandler{c: c, fn: fn, cfg: cfg}
}

type webhookHandler struct {
	c   *Client
	fn  func(ctx context.Context, p *Payment, ev *WebhookEvent) error
	cfg *webhookConfig
}

func (h *webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	src, srcOK := h.cfg.source(r)
	if h.cfg.allowed != nil && (!srcOK || !containsAddr(h.cfg.allowed, src)) {
		h.answer(w, r, http.StatusForbidden, nil, src, errors.New("sender is not an allowed source"), "sender is not an allowed source")
		return
	}
	ev, err := h.parse(w, r)
	if err != nil {
		status, reason := http.StatusBadRequest, "malformed notification"
		var we *WebhookError
		if errors.As(err, &we) {
			status, reason = we.StatusCode, we.Reason
		}
		if status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodPost)
		}
		h.answer(w, r, status, nil, src, err, reason)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), h.cfg.timeout)
	defer cancel()
	p, err := h.c.verifyWebhook(ctx, ev, h.cfg.sandbox)
	var ve *ValidationError
	switch {
	case err == nil:
	case errors.Is(err, ErrNotFound):
		// Forged, or genuine and not visible yet: a 5xx keeps a genuine
		// one from being lost, and a forged one gains nothing from it.
		h.answer(w, r, http.StatusServiceUnavailable, ev, src, err, "the payment is not found (yet): deliver again later")
		return
	case errors.Is(err, ErrWebhookMismatch):
		h.answer(w, r, http.StatusConflict, ev, src, err, "the notification does not match the payment")
		return
	case errors.As(err, &ve):
		h.answer(w, r, http.StatusBadRequest, ev, src, err, ve.Field+" "+ve.Reason)
		return
	default:
		h.answer(w, r, http.StatusServiceUnavailable, ev, src, fmt.Errorf("verifying: %w", err), "the payment could not be verified now: deliver again later")
		return
	}
	if err := h.fn(ctx, p, ev); err != nil {
		h.answer(w, r, http.StatusInternalServerError, ev, src, fmt.Errorf("callback: %w", err), "")
		return
	}
	h.answer(w, r, http.StatusOK, ev, src, nil, "")
}

// parse reads the body within the read timeout, then parses it.
func (h *webhookHandler) parse(w http.ResponseWriter, r *http.Request) (*WebhookEvent, error) {
	if r.Method != http.MethodPost || r.Body == nil {
		return ParseWebhook(r) // refused without reading
	}
	body, err := readWebhookBody(w, r, h.cfg.readTimeout)
	if err != nil {
		// The rest of the body may never come: answer without reading it.
		w.Header().Set("Connection", "close")
		return nil, webhookReadError(err)
	}
	read := r.WithContext(r.Context())
	read.Body = io.NopCloser(bytes.NewReader(body))
	return ParseWebhook(read)
}

// answer writes a short plain-text answer: the status and, for a refusal,
// a one-line reason that names what was wrong without quoting the body or
// the API's answer (the sender may be anyone). The details go to the log:
// refusals at warn level, a failing callback at error level.
func (h *webhookHandler) answer(w http.ResponseWriter, r *http.Request, status int, ev *WebhookEvent, src netip.Addr, err error, reason string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	line := http.StatusText(status)
	if reason != "" {
		line += ": " + strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return ' '
			}
			return r
		}, reason)
	}
	_, _ = io.WriteString(w, line+"\n")

	l := h.cfg.logger
	if l == nil {
		return
	}
	level := slog.LevelDebug
	switch {
	case status == http.StatusInternalServerError:
		level = slog.LevelError
	case status >= 400:
		level = slog.LevelWarn
	}
	ctx := r.Context()
	if !l.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{slog.Int("status", status)}
	if src.IsValid() {
		attrs = append(attrs, slog.String("source", src.String()))
	}
	if ev != nil {
		attrs = append(attrs, slog.String("imp_uid", ev.ImpUID), slog.String("merchant_uid", ev.MerchantUID),
			slog.String("claimed_status", string(ev.Status)))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	l.LogAttrs(ctx, level, "iamport webhook", attrs...)
}
