package iamport

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/go-resty/resty/v2"

	"github.com/iamport-go/iamport/internal/wire"
)

// Version is the SDK's version, sent in the User-Agent header.
const Version = "0.1.0"

// DefaultBaseURL is the iamport API's address.
const DefaultBaseURL = "https://api.iamport.kr"

const (
	defaultTimeout          = 30 * time.Second
	defaultReconcileTimeout = 20 * time.Second
	maxResponseBytes        = 16 << 20
	maxRetryAfter           = time.Minute // longest Retry-After the Client waits for
	userAgent               = "iamport-go/" + Version
)

// Client calls the iamport REST API. Build one with New and share it: it is
// safe for concurrent use, and every call through it shares one cached
// access token.
type Client struct {
	apiKey    string
	apiSecret string

	baseURL          string
	rc               *resty.Client
	timeout          time.Duration
	reconcileTimeout time.Duration
	logger           *slog.Logger
	tier             string
	bearer           bool
	retry            RetryPolicy
	userAgent        string // userAgent, then what WithUserAgent appends

	hc     *http.Client                                     // set by WithHTTPClient
	now    func() time.Time                                 // the local clock
	sleep  func(ctx context.Context, d time.Duration) error // waits between retries
	tokens tokenCache

	charging   inFlight                    // merchant_uids being charged
	cancelling cancelLocks                 // payments being cancelled
	blank      *resty.Request              // rc.R(), copied by newRequest
	headers    atomic.Pointer[sendHeaders] // the headers for the last token
	deadlines  deadlines                   // shared per-attempt deadlines
}

// Option configures a Client in New.
type Option func(*Client) error

// RetryPolicy says how often and how patiently the Client re-sends a request
// that failed in a way that is safe to retry. Reads (GET) and token requests
// are retried on connection errors and on HTTP 429, 502, 503 and 504; calls
// that move money are re-sent only when the failure provably happened before
// the request was written (connection refused, DNS, TLS handshake).
//
// A Retry-After header on a retryable answer replaces the computed backoff; one
// longer than a minute ends the retries, and the answer is returned.
type RetryPolicy struct {
	MaxRetries int           // retries after the first attempt; 0 disables retries
	MinBackoff time.Duration // delay before the first retry; doubles each time (default 200ms)
	MaxBackoff time.Duration // longest delay between two attempts (default 5s)
}

// DefaultRetryPolicy is the policy a Client starts with: 2 retries, backoff
// from 200ms to 5s with jitter, Retry-After honoured.
var DefaultRetryPolicy = RetryPolicy{MaxRetries: 2, MinBackoff: 200 * time.Millisecond, MaxBackoff: 5 * time.Second}

// New returns a Client that authenticates with the REST API key and secret
// from the iamport console (결제 연동 › 식별코드・API Keys › V1 API).
func New(apiKey, apiSecret string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(apiKey) == "" {
		return nil, invalid("imp_key", "the API key is required")
	}
	if strings.TrimSpace(apiSecret) == "" {
		return nil, invalid("imp_secret", "the API secret is required")
	}
	c := &Client{
		apiKey:           apiKey,
		apiSecret:        apiSecret,
		baseURL:          DefaultBaseURL,
		timeout:          defaultTimeout,
		reconcileTimeout: defaultReconcileTimeout,
		retry:            DefaultRetryPolicy,
		userAgent:        userAgent,
		now:              time.Now,
		sleep:            sleepCtx,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	hc := c.hc
	if hc == nil {
		hc = &http.Client{
			Transport:     defaultTransport(),
			CheckRedirect: noRedirect,
		}
	}
	c.rc = resty.NewWithClient(hc).
		SetLogger(discardLogger{}).
		SetDebug(false).
		SetRetryCount(0).
		SetDoNotParseResponse(true)
	c.blank = c.rc.R()
	return c, nil
}

// noRedirect reports a redirect instead of following it: a redirect is never
// part of the API, and following one would re-send a payment, card data
// included, to wherever it points.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func defaultTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
	}
}

// WithBaseURL points the Client at another server, such as an iamporttest
// fake. The default is DefaultBaseURL.
func WithBaseURL(u string) Option {
	return func(c *Client) error {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return invalid("base_url", "must be an absolute http or https URL")
		}
		if p.RawQuery != "" || p.Fragment != "" {
			return invalid("base_url", "must not have a query or fragment")
		}
		c.baseURL = strings.TrimRight(u, "/")
		return nil
	}
}

// WithHTTPClient makes the Client send its requests through hc: a client
// with a mock transport (httpmock) in tests, or one with the proxy, TLS or
// instrumentation your service needs. The Client copies *hc and does not
// change it. Its Timeout, if set, applies on top of WithTimeout. Unless hc
// has a CheckRedirect of its own, redirects are reported, not followed.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return invalid("http_client", "must not be nil")
		}
		cp := *hc
		if cp.Transport == nil {
			cp.Transport = http.DefaultTransport
		}
		if cp.CheckRedirect == nil {
			cp.CheckRedirect = noRedirect
		}
		c.hc = &cp
		return nil
	}
}

// WithTimeout limits each HTTP request the Client sends (default 30s). The
// context passed to a call limits the whole call, retries included. Under a
// context that is never cancelled, such as context.Background, requests
// that start within 2ms of each other share one deadline, so that a request
// may run up to 2ms longer than d.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return invalid("timeout", "must be positive")
		}
		c.timeout = d
		return nil
	}
}

// WithLogger makes the Client log each request (method, path, HTTP status,
// iamport code, duration, attempt) at debug level, and retries and
// reconciliations at warn level. Bodies, headers and credentials are never
// logged. Logging is off by default; nil turns it off.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		c.logger = l
		return nil
	}
}

// WithTier makes the Client act for a sub-merchant: it sends the "Tier"
// header with code on every call, authenticating with the agency's key.
func WithTier(code string) Option {
	return func(c *Client) error {
		if strings.TrimSpace(code) == "" || strings.ContainsAny(code, "\r\n") {
			return invalid("tier", "must be a non-empty tier code")
		}
		c.tier = code
		return nil
	}
}

// WithBearerAuth sends the access token as "Authorization: Bearer <token>"
// instead of the bare "Authorization: <token>" the official clients send. The
// API accepts both.
func WithBearerAuth() Option {
	return func(c *Client) error {
		c.bearer = true
		return nil
	}
}

// WithRetry replaces the retry policy (see RetryPolicy). Zero backoff fields
// take the defaults.
func WithRetry(p RetryPolicy) Option {
	return func(c *Client) error {
		if p.MaxRetries < 0 || p.MaxRetries > 10 {
			return invalid("max_retries", "must be between 0 and 10")
		}
		if p.MinBackoff < 0 || p.MaxBackoff < 0 {
			return invalid("backoff", "must not be negative")
		}
		if p.MinBackoff == 0 {
			p.MinBackoff = DefaultRetryPolicy.MinBackoff
		}
		if p.MaxBackoff == 0 {
			p.MaxBackoff = DefaultRetryPolicy.MaxBackoff
		}
		if p.MaxBackoff < p.MinBackoff {
			p.MaxBackoff = p.MinBackoff
		}
		c.retry = p
		return nil
	}
}

// WithMaxRetries sets how many times a retryable failure is retried
// (default 2; 0 disables retries), keeping the default backoff.
func WithMaxRetries(n int) Option {
	return func(c *Client) error {
		p := c.retry
		p.MaxRetries = n
		return WithRetry(p)(c)
	}
}

// WithReconcileTimeout bounds how long a money-moving call whose answer was
// lost keeps looking the outcome up before it gives up with an
// *OutcomeUnknownError (default 20s). The request is never sent again
// meanwhile, and lookups that find nothing prove nothing, so a call may
// spend all of it. The call's context bounds it too.
func WithReconcileTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return invalid("reconcile_timeout", "must be positive")
		}
		c.reconcileTimeout = d
		return nil
	}
}

// String redacts the Client: it holds the API secret and the access token.
func (c *Client) String() string {
	if c == nil {
		return "iamport.Client(nil)"
	}
	return fmt.Sprintf("iamport.Client{baseURL: %s, apiKey: %s, apiSecret: [REDACTED]}", redactURL(c.baseURL), maskKey(c.apiKey))
}

// GoString redacts the Client for %#v.
func (c *Client) GoString() string { return c.String() }

// Format redacts the Client for every fmt verb.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue redacts the Client for log/slog.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// maskKey shows the first characters of the API key, which is an identifier
// rather than a secret, so that logs can tell clients apart.
func maskKey(k string) string {
	if len(k) <= 4 {
		return "****"
	}
	return k[:4] + "****"
}

// request describes one API call. The pipeline in Client.call sends it.
type request struct {
	method string
	path   string // already escaped
	query  url.Values
	body   any // encoded as JSON
	noAuth bool
	// money marks a call that moves money: it is re-sent only when the
	// failure provably happened before the request was written, and a
	// failure after that is reported as ambiguous.
	money bool
	// notFoundOn200 marks calls whose HTTP 200 non-zero-code answer means
	// "not found" (billing keys).
	notFoundOn200 bool
}

// unfit is the error of a code-0 answer to r that does not show this call's
// outcome (another order's payment, an earlier one, no status that
// settles it): why says what is wrong with it. Callers settle it as a lost
// answer, by lookups.
func (r *request) unfit(why string) *APIError {
	return &APIError{StatusCode: http.StatusOK, Method: r.method, Path: r.path, invalid: true, Message: why}
}

// idempotent reports whether r may be sent again after it may have been
// processed: reads and token requests.
func (r *request) idempotent() bool { return r.method == http.MethodGet || r.noAuth }

// envelope is the wrapper around every iamport answer.
type envelope struct {
	Code     LenientInt `json:"code"`
	Message  string     `json:"message"`
	Response any        `json:"response"`
}

// ambiguousError marks a failure of a money-moving call after which the
// request may have been processed. Endpoint methods never return it: they
// reconcile, or report *OutcomeUnknownError.
type ambiguousError struct{ err error }

func (e *ambiguousError) Error() string { return e.err.Error() }
func (e *ambiguousError) Unwrap() error { return e.err }

func isAmbiguous(err error) bool {
	var a *ambiguousError
	return errors.As(err, &a)
}

// attemptResult is what one HTTP exchange produced.
type attemptResult struct {
	status int
	header http.Header
	body   []byte // in buf: valid until the call that sent it returns
	buf    *bodyBuffer
	sent   bool // the request may have been written
}

// call sends r through the one pipeline: token, send, retry what is safe to
// retry, replay once after a 401, cap and decode the body, and type every
// failure. out, if not nil, receives the envelope's response.
func (c *Client) call(ctx context.Context, r *request, out any) error {
	var body []byte
	if r.body != nil {
		wb, err := wireBody(r.body)
		if err != nil {
			return err
		}
		if body, err = json.Marshal(wb); err != nil {
			return fmt.Errorf("iamport: encode %s %s: %w", r.method, r.path, err)
		}
	}
	replayed := false
	// The answer being handled. Its buffer goes back once it is decoded, or
	// when the next attempt starts: nothing decoded keeps res.body. (One
	// defer outside the loop: a defer inside it would be allocated.)
	var res attemptResult
	defer func() { res.buf.release() }()
	for attempt := 0; ; attempt++ {
		res.buf.release()
		res.buf = nil
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("iamport: %s %s: %w", r.method, r.path, err)
		}
		token := ""
		if !r.noAuth {
			var err error
			if token, err = c.callToken(ctx); err != nil {
				return err
			}
		}
		start := time.Now()
		var err error
		res, err = c.send(ctx, r, body, token)
		c.logAttempt(ctx, r, res, err, attempt, time.Since(start))
		if err != nil {
			werr := fmt.Errorf("iamport: %s %s: %w", r.method, r.path, err)
			// Only reads and token requests are idempotent; anything else is
			// re-sent only when it provably never left this process.
			retryable := !res.sent || r.idempotent()
			if retryable && ctx.Err() == nil && attempt < c.retry.MaxRetries {
				if c.backoff(ctx, r, attempt, nil, werr) == nil {
					continue
				}
			}
			if r.money && res.sent {
				return &ambiguousError{werr}
			}
			return werr
		}
		if res.status == http.StatusUnauthorized && !r.noAuth && !replayed {
			// The server refused the token before doing anything: drop it,
			// fetch a new one and replay the call once.
			c.tokens.invalidate(token)
			dropCallToken(ctx, token)
			replayed = true
			attempt--
			continue
		}
		if r.idempotent() && isRetryableStatus(res.status) && attempt < c.retry.MaxRetries {
			apiErr := c.decode(r, res, nil)
			if c.backoff(ctx, r, attempt, res.header, apiErr) == nil {
				continue
			}
		}
		err = c.decode(r, res, out)
		if err != nil && r.money && ambiguousStatus(res.status, err) {
			return &ambiguousError{err}
		}
		return err
	}
}

func isRetryableStatus(s int) bool {
	return s == http.StatusTooManyRequests || s == http.StatusBadGateway ||
		s == http.StatusServiceUnavailable || s == http.StatusGatewayTimeout
}

// ambiguousStatus reports whether a money-moving call that got this answer
// may have been processed: any 5xx (a 504 from a gateway is a timeout: the
// request may still be running behind it) but 501, a 408, and a 2xx whose
// body could not be read. A 501 says the server does not do what was asked
// (iamport answers it for a PG without cash receipts), so nothing was done.
func ambiguousStatus(status int, err error) bool {
	if (status >= 500 && status != http.StatusNotImplemented) || status == http.StatusRequestTimeout {
		return true
	}
	return status >= 200 && status < 300 && errors.Is(err, ErrInvalidResponse)
}

// send makes one HTTP exchange, bounded by the per-request timeout, and reads
// the body through a size cap.
func (c *Client) send(ctx context.Context, r *request, body []byte, token string) (attemptResult, error) {
	a := c.startAttempt(ctx)
	defer c.endAttempt(a)
	actx := a.ctx
	var wrote *atomic.Bool // whether the headers were written, for money calls
	if r.money {
		t := new(writeTrace)
		t.trace.WroteHeaders = func() { t.wrote.Store(true) }
		wrote = &t.wrote
		actx = httptrace.WithClientTrace(actx, &t.trace)
	}
	req := c.newRequest()
	req.SetContext(actx)
	req.Header = c.headersFor(token, body != nil)
	if body != nil {
		req.Body = bytes.NewReader(body)
	}
	if len(r.query) > 0 {
		req.QueryParam = r.query
	}
	resp, err := req.Execute(r.method, c.baseURL+r.path)
	putRequest(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			// The query may hold an account number or a PG key: name the
			// path only, and the base URL without its userinfo.
			ue.URL = redactURL(c.baseURL) + r.path
		}
		if resp != nil && resp.RawResponse != nil {
			resp.RawResponse.Body.Close()
		}
		return attemptResult{sent: (wrote != nil && wrote.Load()) || !provablyUnsent(err)}, err
	}
	raw := resp.RawResponse
	defer raw.Body.Close()
	res := attemptResult{status: raw.StatusCode, header: raw.Header, sent: true, buf: bodyBufferFor(ctx)}
	res.body, err = res.buf.read(raw.Body, raw.ContentLength)
	if err != nil {
		// The server answered, so it received the request: a body cut off
		// in transit is a failure after sending, like a truncated body.
		return res, fmt.Errorf("reading response body: %w", err)
	}
	return res, nil
}

// writeTrace is the trace of a money call's attempt and what it records:
// whether the request's headers were written. One allocation for both.
type writeTrace struct {
	wrote atomic.Bool
	trace httptrace.ClientTrace
}

// provablyUnsent reports whether err happened before any byte of the request
// could reach the server: the connection was never made.
func provablyUnsent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var rh tls.RecordHeaderError
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	return errors.As(err, &rh) || errors.As(err, &cv) || errors.As(err, &ua) ||
		errors.As(err, &hn) || errors.As(err, &ci)
}

// decode turns an HTTP answer into out, which is zero, or a typed error.
// The success of a charge or a payment look-up is read in one pass when it
// can be (fastPaymentAnswer); every other answer, and any that pass cannot
// read exactly as the general one would, goes through decodeGeneral.
func (c *Client) decode(r *request, res attemptResult, out any) error {
	if p, ok := out.(*Payment); ok && res.status >= 200 && res.status <= 299 {
		if fastPaymentAnswer(res.body, p) {
			return nil
		}
		*p = Payment{} // decoded from scratch
	}
	return c.decodeGeneral(r, res, out)
}

// decodeGeneral is decode for every answer.
func (c *Client) decodeGeneral(r *request, res attemptResult, out any) error {
	apiErr := func(code int, msg string) *APIError {
		return &APIError{StatusCode: res.status, Code: code, Message: msg, Method: r.method, Path: r.path}
	}
	if res.status < 200 || res.status > 299 {
		eb, ok := readErrorBody(res.body)
		if !ok {
			e := apiErr(0, bodyProblem(res))
			e.invalid = true
			return e
		}
		msg := eb.message
		if msg == "" {
			msg = http.StatusText(res.status)
		}
		e := apiErr(eb.code, msg)
		e.Field, e.Detail = eb.field, eb.detail
		// A JSON 404 without iamport's code may be an iamport-compatible
		// server's "not found" ({"message", "error", "statusCode"}), or a
		// gateway's or web framework's answer for a route it does not know
		// ({"message": "no Route matched with those values"}): it matches
		// ErrNotFound, but nothing that must prove an absence trusts it
		// (see earlierAttempts).
		e.bare = res.status == http.StatusNotFound && !eb.coded
		return e
	}
	if msg := duplicateKeyProblem(res); msg != "" {
		e := apiErr(0, msg)
		e.invalid = true
		return e
	}
	env := envelope{Response: out}
	if err := json.Unmarshal(res.body, &env); err != nil {
		// A body that does not fit out may still be a readable failure.
		if eb, ok := readErrorBody(res.body); ok && eb.code != 0 {
			e := apiErr(eb.code, eb.message)
			e.Field, e.Detail = eb.field, eb.detail
			e.notFound = r.notFoundOn200
			return markPaidFailure(r, res, e)
		}
		e := apiErr(0, bodyProblem(res))
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			// An envelope with a field of an unexpected shape: name it.
			e.Message = fmt.Sprintf("%s (cannot decode %s: got %s, want %s)", statusText(res.status), te.Field, te.Value, te.Type)
		}
		e.invalid, e.cause = true, err
		return e
	}
	if env.Code != 0 {
		e := apiErr(int(env.Code), env.Message)
		if eb, ok := readErrorBody(res.body); ok {
			// What the envelope carries beside its message: a PG's own
			// code and message (KCP's "error"), a field the server named.
			e.Field, e.Detail = eb.field, eb.detail
		}
		e.notFound = r.notFoundOn200
		return markPaidFailure(r, res, e)
	}
	if out != nil && (env.Response == nil || !responsePresent(res.body, out)) {
		e := apiErr(0, "response is null")
		e.invalid = true
		return e
	}
	return nil
}

// errorBody is what an error answer says, read from an iamport envelope
// ({code, message}) or from the other JSON shapes gateways and
// iamport-compatible servers send: {"message", "error", "statusCode"}, or a
// validation answer {"path": "$input.customer_uid", "reason", "message"}.
type errorBody struct {
	code    int
	coded   bool // the body has a code, as iamport's answers do
	message string
	field   string
	detail  string
}

// readErrorBody reads an error answer's JSON object; ok is false for a body
// that is not one. It reads the body once: each field is read as text as it
// is decoded (looseField).
func readErrorBody(body []byte) (eb errorBody, ok bool) {
	var raw struct {
		Code    looseCode  `json:"code"`
		Message looseField `json:"message"`
		Path    looseField `json:"path"`
		Field   looseField `json:"field"`
		Reason  looseField `json:"reason"`
		Error   looseField `json:"error"`
		Detail  looseField `json:"detail"`
	}
	trimmed := bytes.TrimSpace(body)
	if !bytes.HasPrefix(trimmed, []byte("{")) || json.Unmarshal(trimmed, &raw) != nil {
		return eb, false
	}
	eb.code, eb.coded = raw.Code.v, raw.Code.set
	eb.message = string(raw.Message)
	eb.field = string(raw.Path)
	if eb.field == "" {
		eb.field = string(raw.Field)
	}
	eb.field = strings.TrimPrefix(eb.field, "$input.")
	var details []string
	for _, t := range [...]looseField{raw.Reason, raw.Detail, raw.Error} {
		if t := string(t); t != "" && t != eb.message && !slices.Contains(details, t) {
			details = append(details, t)
		}
	}
	eb.detail = strings.Join(details, "; ")
	return eb, true
}

// looseCode is the code of an error answer, read as LenientInt reads it; a
// code it cannot read is 0, not an error. set says the body had one.
type looseCode struct {
	v   int
	set bool
}

// UnmarshalJSON never fails.
func (c *looseCode) UnmarshalJSON(b []byte) error {
	v, err := parseLenientInt(b)
	if err != nil {
		v = 0
	}
	*c = looseCode{int(v), true}
	return nil
}

// looseField is a field of an error answer read as text, as looseText
// reads it.
type looseField string

// UnmarshalJSON never fails. A plain string (no escapes) is read without
// decoding it again.
func (f *looseField) UnmarshalJSON(b []byte) error {
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' && plainJSONString(b[1:n-1]) {
		*f = looseField(b[1 : n-1])
		return nil
	}
	*f = looseField(looseText(b))
	return nil
}

// plainJSONString reports whether s, the inside of a JSON string, reads as
// itself: no escape, no control character, valid UTF-8 (encoding/json
// replaces invalid bytes).
func plainJSONString(s []byte) bool {
	for _, c := range s {
		if c == '\\' || c == '"' || c < 0x20 {
			return false
		}
	}
	return utf8.Valid(s)
}

// looseText reads a JSON string, a list of strings (joined with "; "), a
// number, or an object with a code and a message (a PG's own error, "C210:
// ...") as text; anything else is "".
func looseText(v json.RawMessage) string {
	if len(v) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var obj struct {
		Code    json.RawMessage `json:"code"`
		Message json.RawMessage `json:"message"`
	}
	if bytes.HasPrefix(bytes.TrimSpace(v), []byte("{")) && json.Unmarshal(v, &obj) == nil {
		code, msg := looseText(obj.Code), looseText(obj.Message)
		if code != "" && msg != "" {
			return code + ": " + msg
		}
		return code + msg
	}
	var list []string
	if json.Unmarshal(v, &list) == nil {
		return strings.Join(list, "; ")
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		return n.String()
	}
	return ""
}

// responsePresent reports whether body, an envelope already decoded into
// out (which the caller passed zero), has a response: a null one was seen
// by the decoding; an absent one leaves out zero. Only then is the body
// decoded once more to tell it from a present response that is zero
// ({} or an object of defaults), so a usual answer is decoded in one pass.
func responsePresent(body []byte, out any) bool {
	zero := reflect.ValueOf(out).Elem().IsZero()
	if z, ok := out.(interface{ decodedZero() bool }); ok {
		zero = z.decodedZero() // out was given room to decode into
	}
	if !zero {
		return true
	}
	var present struct {
		Response json.RawMessage `json:"response"`
	}
	_ = json.Unmarshal(body, &present) // the body was decoded before
	return present.Response != nil
}

// bodyProblem describes a body that is not a JSON envelope, without quoting
// it: a body may carry a token.
func bodyProblem(res attemptResult) string {
	ct := res.header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	trimmed := bytes.TrimSpace(res.body)
	valid := json.Valid(trimmed)
	switch {
	case len(trimmed) == 0:
		return fmt.Sprintf("%s (empty body)", statusText(res.status))
	case !valid && trimmed[0] == '{':
		return fmt.Sprintf("%s (truncated or malformed JSON body, %d bytes)", statusText(res.status), len(res.body))
	case valid:
		return fmt.Sprintf("%s (JSON body that is not an iamport envelope of the expected shape, %d bytes)", statusText(res.status), len(res.body))
	case ct != "":
		return fmt.Sprintf("%s (non-JSON body: %s, %d bytes)", statusText(res.status), ct, len(res.body))
	default:
		return fmt.Sprintf("%s (non-JSON body, %d bytes)", statusText(res.status), len(res.body))
	}
}

func statusText(s int) string {
	if t := http.StatusText(s); t != "" {
		return t
	}
	return "HTTP " + strconv.Itoa(s)
}

// backoff waits before retry number attempt+1, honouring Retry-After. It
// returns an error, without waiting, when the wait would outlast ctx.
func (c *Client) backoff(ctx context.Context, r *request, attempt int, h http.Header, cause error) error {
	d := c.retry.MinBackoff << attempt
	if d > c.retry.MaxBackoff || d <= 0 {
		d = c.retry.MaxBackoff
	}
	d = d/2 + rand.N(d/2+1) // equal jitter
	if ra, ok := retryAfter(h, c.now()); ok {
		if ra > maxRetryAfter {
			// The server asks for a longer pause than a call should
			// block for: report its answer instead of waiting.
			return fmt.Errorf("Retry-After %s is longer than %s", ra, maxRetryAfter)
		}
		d = ra
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return context.DeadlineExceeded
	}
	if c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "iamport retry",
			slog.String("method", r.method), slog.String("path", r.path),
			slog.Int("attempt", attempt+1), slog.Duration("wait", d), slog.String("error", cause.Error()))
	}
	return c.sleep(ctx, d)
}

// retryAfter reads a Retry-After header given in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d, true
		}
		return 0, true
	}
	return 0, false
}

// envelopeCode reads the top-level code of an answer for the request log,
// or reports false. It reads the object's members in order and stops at
// code, which iamport writes first, so that a large response after it is
// not decoded a second time (the call decodes it once, after the log).
func envelopeCode(body []byte) (int, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return 0, false
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return 0, false
		}
		if k, _ := key.(string); k == "code" {
			var code LenientInt
			if dec.Decode(&code) != nil {
				return 0, false
			}
			return int(code), true
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return 0, false
		}
	}
	return 0, false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	return wire.Sleep(ctx, d, nil)
}

func (c *Client) logAttempt(ctx context.Context, r *request, res attemptResult, err error, attempt int, d time.Duration) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.method), slog.String("path", r.path),
		slog.Int("attempt", attempt+1), slog.Duration("duration", d),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	} else {
		attrs = append(attrs, slog.Int("status", res.status))
		if code, ok := envelopeCode(res.body); ok {
			attrs = append(attrs, slog.Int("code", code))
		}
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "iamport request", attrs...)
}

// escape makes id one escaped path segment. "." and ".." are refused by the
// validators before they get here.
func escape(id string) string { return url.PathEscape(id) }

type discardLogger struct{}

func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Debugf(string, ...any) {}
