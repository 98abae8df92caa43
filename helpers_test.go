package iamport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// Credentials and card data the tests send. Each is distinctive enough that
// finding it in a log line or an error message can only mean a leak.
const (
	testKey    = "imp_key_7301"
	testSecret = "sEcReT-91f0c2d4e6a8b0c2e4f6a8b0d2f4a6c8e0-sEcReT"
	testToken  = "tok1-4e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d"
	testToken2 = "tok2-a1b2c3d4e5f60718293a4b5c6d7e8f9010203040"

	cardDashed = "5365-1023-4567-8901"
	cardDigits = "5365102345678901"
	expiryWire = "2031-11"
	expiryBare = "203111"
	birthValue = "880214"
	pwdValue   = "37"
	cvcValue   = "419"
)

// rec is one request the mock transport received.
type rec struct {
	Method   string
	Path     string // escaped, as sent on the wire
	RawQuery string
	Header   http.Header
	Body     string
}

// mock is a fake iamport server on an httpmock transport of its own, so that
// tests using it run in parallel. It answers POST /users/getToken with
// testToken unless a test registers another token responder, records every
// request, and fails the test on a request nobody registered.
type mock struct {
	t  testing.TB
	mt *httpmock.MockTransport

	mu     sync.Mutex
	reqs   []rec
	sleeps []time.Duration
}

func newMock(t testing.TB) *mock {
	m := &mock{t: t, mt: httpmock.NewMockTransport()}
	m.mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		m.record(req)
		t.Errorf("unexpected request %s %s", req.Method, req.URL.EscapedPath())
		return httpmock.NewStringResponse(http.StatusTeapot, ""), nil
	})
	m.on(http.MethodPost, "/users/getToken", tokenResponder(testToken, 0, 1800))
	// A charge first lists its order's earlier attempts: by default there
	// are none. A test that registers the exact path overrides this.
	m.mt.RegisterRegexpResponder(http.MethodGet, regexp.MustCompile(`^`+regexp.QuoteMeta(iamport.DefaultBaseURL)+`/payments/findAll/`),
		func(req *http.Request) (*http.Response, error) {
			m.record(req)
			return jsonResponse(http.StatusNotFound, failure(1, "존재하지 않는 결제정보입니다.")), nil
		})
	return m
}

// attempts answers GET /payments/findAll/{merchant_uid} with one page
// holding ps, or 404 when there are none.
func attempts(ps ...map[string]any) httpmock.Responder {
	if len(ps) == 0 {
		return reply(http.StatusNotFound, failure(1, "존재하지 않는 결제정보입니다."))
	}
	list := make([]any, len(ps))
	for i, p := range ps {
		list[i] = p
	}
	return ok(map[string]any{"total": len(ps), "previous": 0, "next": 0, "list": list})
}

// findAllPrefix is the path of GET /payments/findAll/{merchant_uid}.
const findAllPrefix = "/payments/findAll/"

// on registers r for method and the escaped path (relative to the base URL).
func (m *mock) on(method, path string, r httpmock.Responder) {
	m.mt.RegisterResponder(method, iamport.DefaultBaseURL+path, func(req *http.Request) (*http.Response, error) {
		m.record(req)
		return r(req)
	})
}

func (m *mock) record(req *http.Request) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	m.mu.Lock()
	m.reqs = append(m.reqs, rec{
		Method: req.Method, Path: req.URL.EscapedPath(), RawQuery: req.URL.RawQuery,
		Header: req.Header.Clone(), Body: string(body),
	})
	m.mu.Unlock()
}

// calls returns the recorded requests for method and escaped path.
func (m *mock) calls(method, path string) []rec {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []rec
	for _, r := range m.reqs {
		if r.Method == method && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (m *mock) count(method, path string) int { return len(m.calls(method, path)) }

func (m *mock) tokenCalls() int { return m.count(http.MethodPost, "/users/getToken") }

// only returns the single request made to method and path.
func (m *mock) only(method, path string) rec {
	m.t.Helper()
	cs := m.calls(method, path)
	require.Len(m.t, cs, 1, "requests to %s %s", method, path)
	return cs[0]
}

// total is how many requests reached the transport, matched or not.
func (m *mock) total() int { return m.mt.GetTotalCallCount() }

// waits returns the durations the client asked its sleep hook for.
func (m *mock) waits() []time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]time.Duration(nil), m.sleeps...)
}

// sleep is the client's wait hook: it records d and waits a millisecond, so
// retries are instant and reconciliation polls do not spin.
func (m *mock) sleep(ctx context.Context, d time.Duration) error {
	m.mu.Lock()
	m.sleeps = append(m.sleeps, d)
	m.mu.Unlock()
	t := time.NewTimer(time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// client builds a Client on the mock transport with instant backoff and a
// short reconciliation window; opts come last and may override them.
func (m *mock) client(opts ...iamport.Option) *iamport.Client {
	m.t.Helper()
	base := []iamport.Option{
		iamport.WithHTTPClient(&http.Client{Transport: m.mt}),
		iamport.WithSleep(m.sleep),
		iamport.WithReconcileTimeout(2 * time.Second),
	}
	c, err := iamport.New(testKey, testSecret, append(base, opts...)...)
	require.NoError(m.t, err)
	return c
}

// tokenResponder answers getToken with tok, the server clock skewed by
// offset from the real one, and a lifetime of ttl seconds.
func tokenResponder(tok string, offset time.Duration, ttl int64) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		now := time.Now().Add(offset).Unix()
		return jsonResponse(http.StatusOK, envelope(map[string]any{
			"access_token": tok, "now": now, "expired_at": now + ttl,
		})), nil
	}
}

// envelope wraps response in a successful iamport envelope.
func envelope(response any) string {
	b, err := json.Marshal(map[string]any{"code": 0, "message": nil, "response": response})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// failure is an iamport envelope with a non-zero code.
func failure(code int, msg string) string {
	b, _ := json.Marshal(map[string]any{"code": code, "message": msg, "response": nil})
	return string(b)
}

func jsonResponse(status int, body string) *http.Response {
	r := httpmock.NewStringResponse(status, body)
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	return r
}

// reply answers every request with status and body, as JSON.
func reply(status int, body string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) { return jsonResponse(status, body), nil }
}

// ok answers with a successful envelope around response.
func ok(response any) httpmock.Responder { return reply(http.StatusOK, envelope(response)) }

// raw answers with a body of the given content type.
func raw(status int, contentType, body string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(status, body)
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		return r, nil
	}
}

// fail answers with a transport error.
func fail(err error) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) { return nil, err }
}

// seq answers with rs in turn; the last one answers every later request.
func seq(rs ...httpmock.Responder) httpmock.Responder {
	var mu sync.Mutex
	n := 0
	return func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		r := rs[min(n, len(rs)-1)]
		n++
		mu.Unlock()
		return r(req)
	}
}

// payment is a paid card payment as iamport returns it; kv overrides fields.
func payment(merchantUID string, kv ...any) map[string]any {
	p := map[string]any{
		"imp_uid": "imp_100000000001", "merchant_uid": merchantUID, "pay_method": "card",
		"channel": "api", "pg_provider": "nice", "pg_tid": "nictest04m0101", "pg_id": "nictest04m",
		"sandbox": false, "escrow": false, "apply_num": "30012345", "card_code": "361",
		"card_name": "BC카드", "card_quota": 0, "card_number": "536510******8901", "card_type": 0,
		"name": "월간 이용권", "amount": 8900, "cancel_amount": 0, "currency": "KRW",
		"buyer_name": "홍길동", "status": "paid", "started_at": 1767225600, "paid_at": 1767225601,
		"failed_at": 0, "cancelled_at": 0, "fail_reason": nil, "cancel_reason": nil,
		"receipt_url": "https://example.com/r", "cancel_history": []any{}, "cancel_receipt_urls": []any{},
		"cash_receipt_issued": false, "customer_uid": nil, "customer_uid_usage": nil,
	}
	return with(p, kv...)
}

// billingKey is a stored card as iamport returns it.
func billingKey(customerUID string, kv ...any) map[string]any {
	bk := map[string]any{
		"customer_uid": customerUID, "pg_provider": "nice", "pg_id": "nictest04m", "sandbox": false,
		"customer_id": nil, "card_name": "BC카드", "card_code": "361", "card_number": "536510******8901",
		"card_type": 1, "customer_name": "홍길동", "customer_tel": "010-1234-5678",
		"customer_email": "hong@example.com", "customer_addr": nil, "customer_postcode": nil,
		"inserted": 1767225600, "updated": 0,
	}
	return with(bk, kv...)
}

// schedule is a stored schedule as iamport returns it.
func schedule(customerUID, merchantUID string, at int64, kv ...any) map[string]any {
	s := map[string]any{
		"customer_uid": customerUID, "merchant_uid": merchantUID, "imp_uid": nil,
		"schedule_at": at, "executed_at": 0, "revoked_at": 0, "amount": 8900, "currency": "KRW",
		"name": "월간 이용권", "buyer_name": "홍길동", "schedule_status": "scheduled", "payment_status": nil,
		"fail_reason": nil, "custom_data": "",
	}
	return with(s, kv...)
}

func with(m map[string]any, kv ...any) map[string]any {
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// secretsIn lists the secret values found in s: the API secret, the access
// tokens, the card number (as typed and as sent), the expiry, the birth date
// and the card PIN digits.
func secretsIn(s string) []string {
	var found []string
	for _, v := range []string{
		testSecret, testToken, testToken2, cardDashed, cardDigits, expiryWire, expiryBare, birthValue,
	} {
		if strings.Contains(s, v) {
			found = append(found, v)
		}
	}
	// Two digits are everywhere; look for them next to their field name.
	for _, p := range []string{
		`"pwd_2digit":"` + pwdValue, "Pwd2Digit:" + pwdValue, `Pwd2Digit:"` + pwdValue,
		"pwd_2digit=" + pwdValue, `"cvc":"` + cvcValue, "CVC:" + cvcValue, `CVC:"` + cvcValue,
	} {
		if strings.Contains(s, p) {
			found = append(found, p)
		}
	}
	return found
}

// requireNoSecrets fails if s holds any secret value.
func requireNoSecrets(t testing.TB, s string, what string) {
	t.Helper()
	require.Empty(t, secretsIn(s), "%s leaks a secret: %s", what, s)
}

// onetimeReq is a valid key-in payment request.
func onetimeReq(merchantUID string) *iamport.OnetimeRequest {
	return &iamport.OnetimeRequest{
		MerchantUID: merchantUID, Amount: 8900, CardNumber: cardDashed, Expiry: expiryWire,
		Birth: birthValue, Pwd2Digit: pwdValue, Name: "월간 이용권",
	}
}

var bg = context.Background()

// appears answers the first findAll (the charge's look at the order's
// earlier attempts) with none, and every later one with ps: the attempts
// the charge under test made.
func appears(ps ...map[string]any) httpmock.Responder { return seq(attempts(), attempts(ps...)) }
