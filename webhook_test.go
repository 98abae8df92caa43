package iamport_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

const (
	whBase   = "https://api.iamport.kr"
	whToken  = "tok_0123456789abcdef_secret"
	whSecret = "api_secret_do_not_print"
)

// whAPI is an httpmock stand-in for the iamport API: a token endpoint and
// GET /payments/{imp_uid} answered from a map.
type whAPI struct {
	mt *httpmock.MockTransport

	mu       sync.Mutex
	payments map[string]iamport.Payment
	queries  []string // raw queries of payment lookups
	gets     int      // payment lookups
	down     bool     // answer payment lookups with an HTML 500
}

func newWHAPI(t *testing.T, opts ...iamport.Option) (*iamport.Client, *whAPI) {
	t.Helper()
	api := &whAPI{mt: httpmock.NewMockTransport(), payments: map[string]iamport.Payment{}}
	api.mt.RegisterResponder("POST", whBase+"/users/getToken",
		httpmock.NewStringResponder(200, fmt.Sprintf(`{"code":0,"message":null,"response":{"access_token":%q,"now":1735657200,"expired_at":1735659000}}`, whToken)))
	api.mt.RegisterRegexpResponder("GET", regexp.MustCompile(`^https://api\.iamport\.kr/payments/[^/]+$`), func(req *http.Request) (*http.Response, error) {
		api.mu.Lock()
		defer api.mu.Unlock()
		api.queries = append(api.queries, req.URL.RawQuery)
		api.gets++
		if api.down {
			return httpmock.NewStringResponse(500, "<html>Internal Server Error</html>"), nil
		}
		id := strings.TrimPrefix(req.URL.Path, "/payments/")
		p, ok := api.payments[id]
		if !ok {
			return httpmock.NewStringResponse(404, `{"code":1,"message":"존재하지 않는 결제정보입니다.","response":null}`), nil
		}
		b, _ := json.Marshal(map[string]any{"code": 0, "message": nil, "response": p})
		return httpmock.NewBytesResponse(200, b), nil
	})
	opts = append([]iamport.Option{iamport.WithHTTPClient(&http.Client{Transport: api.mt}), iamport.WithMaxRetries(0)}, opts...)
	c, err := iamport.New("imp_key", whSecret, opts...)
	require.NoError(t, err)
	return c, api
}

func (a *whAPI) add(p iamport.Payment) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.payments[p.ImpUID] = p
}

func (a *whAPI) lookups() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.gets
}

func whPaid(impUID, merchantUID string, amount iamport.Amount) iamport.Payment {
	return iamport.Payment{ImpUID: impUID, MerchantUID: merchantUID, Amount: amount, Currency: "KRW",
		Status: iamport.PaymentStatusPaid, PaidAt: iamport.Unix(1735657000), CustomerUID: "gildong_0001_1234"}
}

func whFailed(impUID, merchantUID string, amount iamport.Amount) iamport.Payment {
	return iamport.Payment{ImpUID: impUID, MerchantUID: merchantUID, Amount: amount, Currency: "KRW",
		Status: iamport.PaymentStatusFailed, FailedAt: iamport.Unix(1735657000), FailReason: "한도초과"}
}

func whRequest(method, contentType, body string) *http.Request {
	r := httptest.NewRequest(method, "/iamport-callback/schedule", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	r.RemoteAddr = "52.78.100.19:41234"
	return r
}

func TestParseWebhookAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ct   string
		body string
		want iamport.WebhookEvent
	}{
		{"json", "application/json", `{"imp_uid":"imp_123","merchant_uid":"order_1","status":"paid"}`,
			iamport.WebhookEvent{ImpUID: "imp_123", MerchantUID: "order_1", Status: "paid"}},
		{"json with charset", "application/json; charset=utf-8", `{"imp_uid":"imp_123","merchant_uid":"order_1","status":"failed"}`,
			iamport.WebhookEvent{ImpUID: "imp_123", MerchantUID: "order_1", Status: "failed"}},
		{"form", "application/x-www-form-urlencoded", "imp_uid=imp_123&merchant_uid=order_1&status=paid",
			iamport.WebhookEvent{ImpUID: "imp_123", MerchantUID: "order_1", Status: "paid"}},
		{"form with escapes", "application/x-www-form-urlencoded; charset=UTF-8", "imp_uid=imp_123&merchant_uid=%EC%A3%BC%EB%AC%B8+1&status=ready",
			iamport.WebhookEvent{ImpUID: "imp_123", MerchantUID: "주문 1", Status: "ready"}},
		{"no content type, json", "", ` {"imp_uid":"imp_1","merchant_uid":"m"} `,
			iamport.WebhookEvent{ImpUID: "imp_1", MerchantUID: "m"}},
		{"no content type, form", "", "merchant_uid=m&imp_uid=imp_1",
			iamport.WebhookEvent{ImpUID: "imp_1", MerchantUID: "m"}},
		{"text/plain json", "text/plain", `{"imp_uid":"imp_1","merchant_uid":"m","status":"paid"}`,
			iamport.WebhookEvent{ImpUID: "imp_1", MerchantUID: "m", Status: "paid"}},
		{"form label, json body", "application/x-www-form-urlencoded", `{"imp_uid":"imp_1","merchant_uid":"m"}`,
			iamport.WebhookEvent{ImpUID: "imp_1", MerchantUID: "m"}},
		{"garbage content type", "&&&;;", "imp_uid=imp_1&merchant_uid=m",
			iamport.WebhookEvent{ImpUID: "imp_1", MerchantUID: "m"}},
		{"cancellation", "application/json", `{"imp_uid":"imp_1","merchant_uid":"m","status":"cancelled","cancellation_id":"cx_9"}`,
			iamport.WebhookEvent{ImpUID: "imp_1", MerchantUID: "m", Status: "cancelled", CancellationID: "cx_9"}},
		{"json extras kept", "application/json",
			`{"imp_uid":"imp_1","merchant_uid":"m","status":"paid","customer_uid":"c1","paid_amount":8900,"ok":true,"none":null,"obj":{"a": [1, 2]},"status_x":"y"}`,
			iamport.WebhookEvent{ImpUID: "imp_1", MerchantUID: "m", Status: "paid", Extra: map[string]string{
				"customer_uid": "c1", "paid_amount": "8900", "ok": "true", "none": "null", "obj": `{"a":[1,2]}`, "status_x": "y"}}},
		{"form extras keep first value", "application/x-www-form-urlencoded", "imp_uid=imp_1&merchant_uid=m&x=1&x=2&imp_uid=imp_1",
			iamport.WebhookEvent{ImpUID: "imp_1", MerchantUID: "m", Extra: map[string]string{"x": "1"}}},
		{"null known field", "application/json", `{"imp_uid":"imp_1","merchant_uid":"m","status":null}`,
			iamport.WebhookEvent{ImpUID: "imp_1", MerchantUID: "m"}},
		{"unknown status kept", "application/json", `{"imp_uid":"imp_1","merchant_uid":"m","status":"partial_refunded"}`,
			iamport.WebhookEvent{ImpUID: "imp_1", MerchantUID: "m", Status: "partial_refunded"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := iamport.ParseWebhook(whRequest("POST", tt.ct, tt.body))
			require.NoError(t, err)
			require.Equal(t, tt.want, *ev)
		})
	}
}

func TestParseWebhookRejects(t *testing.T) {
	t.Parallel()
	big := `{"imp_uid":"imp_1","merchant_uid":"m","pad":"` + strings.Repeat("x", 64<<10) + `"}`
	tests := []struct {
		name   string
		method string
		ct     string
		body   string
		status int
	}{
		{"GET", "GET", "", "", 405},
		{"PUT", "PUT", "application/json", `{"imp_uid":"imp_1","merchant_uid":"m"}`, 405},
		{"too large", "POST", "application/json", big, 413},
		{"empty", "POST", "application/json", "", 400},
		{"blank", "POST", "", "  \n ", 400},
		{"no imp_uid json", "POST", "application/json", `{"merchant_uid":"m","status":"paid"}`, 400},
		{"no merchant_uid json", "POST", "application/json", `{"imp_uid":"imp_1","status":"paid"}`, 400},
		{"no imp_uid form", "POST", "application/x-www-form-urlencoded", "merchant_uid=m&status=paid", 400},
		{"empty imp_uid", "POST", "application/json", `{"imp_uid":"","merchant_uid":"m"}`, 400},
		{"json array", "POST", "application/json", `[{"imp_uid":"imp_1","merchant_uid":"m"}]`, 400},
		{"json null", "POST", "application/json", `null`, 400},
		{"truncated json", "POST", "application/json", `{"imp_uid":"imp_1","merchant_uid":"m"`, 400},
		{"trailing garbage", "POST", "application/json", `{"imp_uid":"imp_1","merchant_uid":"m"} x`, 400},
		{"json label, form body", "POST", "application/json", "imp_uid=imp_1&merchant_uid=m", 400},
		{"numeric imp_uid", "POST", "application/json", `{"imp_uid":123,"merchant_uid":"m"}`, 400},
		{"object status", "POST", "application/json", `{"imp_uid":"imp_1","merchant_uid":"m","status":{"x":1}}`, 400},
		{"bad form escape", "POST", "application/x-www-form-urlencoded", "imp_uid=%zz&merchant_uid=m", 400},
		{"two imp_uids", "POST", "application/x-www-form-urlencoded", "imp_uid=imp_1&imp_uid=imp_2&merchant_uid=m", 400},
		{"two imp_uids json", "POST", "application/json", `{"imp_uid":"imp_1","imp_uid":"imp_2","merchant_uid":"m"}`, 400},
		{"two merchant_uids json, by case", "POST", "application/json", `{"imp_uid":"imp_1","merchant_uid":"m","Merchant_UID":"n"}`, 400},
		{"path tricks", "POST", "application/json", `{"imp_uid":"..","merchant_uid":"m"}`, 400},
		{"control characters", "POST", "application/json", `{"imp_uid":"imp_1\n","merchant_uid":"m"}`, 400},
		{"binary", "POST", "application/octet-stream", "\x00\x01\x02imp_uid", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := iamport.ParseWebhook(whRequest(tt.method, tt.ct, tt.body))
			require.Nil(t, ev)
			var we *iamport.WebhookError
			require.ErrorAs(t, err, &we)
			require.Equal(t, tt.status, we.StatusCode)
			require.NotContains(t, err.Error(), "xxxxxxxx", "the error must not quote the body")
		})
	}
}

func TestParseWebhookSizeLimitIsInclusive(t *testing.T) {
	t.Parallel()
	prefix := `{"imp_uid":"imp_1","merchant_uid":"m","pad":"`
	body := prefix + strings.Repeat("x", 64<<10-len(prefix)-2) + `"}`
	require.Len(t, body, 64<<10)
	ev, err := iamport.ParseWebhook(whRequest("POST", "application/json", body))
	require.NoError(t, err)
	require.Equal(t, "imp_1", ev.ImpUID)
	require.Len(t, ev.Extra["pad"], 64<<10-len(prefix)-2)
}

func TestParseWebhookNilRequest(t *testing.T) {
	t.Parallel()
	_, err := iamport.ParseWebhook(nil)
	var we *iamport.WebhookError
	require.ErrorAs(t, err, &we)
	require.Equal(t, 400, we.StatusCode)
}

func TestVerifyWebhook(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, api := newWHAPI(t)
	api.add(whPaid("imp_100000000001", "order_1", 8900))
	api.add(whFailed("imp_100000000002", "order_2", 8900))

	t.Run("paid", func(t *testing.T) {
		p, err := c.VerifyWebhook(ctx, &iamport.WebhookEvent{ImpUID: "imp_100000000001", MerchantUID: "order_1", Status: "paid"})
		require.NoError(t, err)
		require.Equal(t, "imp_100000000001", p.ImpUID)
		require.True(t, p.Paid())
		require.Equal(t, iamport.Amount(8900), p.Amount)
	})
	t.Run("claims paid but failed", func(t *testing.T) {
		p, err := c.VerifyWebhook(ctx, &iamport.WebhookEvent{ImpUID: "imp_100000000002", MerchantUID: "order_2", Status: "paid"})
		require.NoError(t, err)
		require.Equal(t, iamport.PaymentStatusFailed, p.Status, "the API's status wins over the body's")
		require.False(t, p.Paid())
	})
	t.Run("unknown imp_uid", func(t *testing.T) {
		p, err := c.VerifyWebhook(ctx, &iamport.WebhookEvent{ImpUID: "imp_999999999999", MerchantUID: "order_1", Status: "paid"})
		require.Nil(t, p)
		require.ErrorIs(t, err, iamport.ErrNotFound)
	})
	t.Run("merchant_uid mismatch", func(t *testing.T) {
		p, err := c.VerifyWebhook(ctx, &iamport.WebhookEvent{ImpUID: "imp_100000000001", MerchantUID: "order_other", Status: "paid"})
		require.Nil(t, p)
		require.ErrorIs(t, err, iamport.ErrWebhookMismatch)
		require.Contains(t, err.Error(), "order_other")
	})
	t.Run("nil event", func(t *testing.T) {
		_, err := c.VerifyWebhook(ctx, nil)
		var ve *iamport.ValidationError
		require.ErrorAs(t, err, &ve)
	})
	t.Run("bad ids are not sent", func(t *testing.T) {
		before := api.lookups()
		_, err := c.VerifyWebhook(ctx, &iamport.WebhookEvent{ImpUID: "imp_1", MerchantUID: ""})
		var ve *iamport.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Equal(t, "merchant_uid", ve.Field)
		require.Equal(t, before, api.lookups())
	})
}

func TestVerifyWebhookAnswerForOtherImpUID(t *testing.T) {
	t.Parallel()
	c, api := newWHAPI(t)
	api.mu.Lock()
	api.payments["imp_100000000001"] = whPaid("imp_100000000009", "order_1", 8900)
	api.mu.Unlock()
	got, err := c.VerifyWebhook(context.Background(), &iamport.WebhookEvent{ImpUID: "imp_100000000001", MerchantUID: "order_1"})
	require.Nil(t, got)
	require.ErrorIs(t, err, iamport.ErrWebhookMismatch)
}

// whRecorder is an idempotent webhook callback: it keeps one record per
// (imp_uid, status), as WebhookHandler's documentation recommends.
type whRecorder struct {
	mu      sync.Mutex
	records map[string]iamport.Payment
	calls   int
	fail    error
	// expected order amounts by merchant_uid
	expected   map[string]iamport.Amount
	mismatched []string
}

func newWHRecorder() *whRecorder {
	return &whRecorder{records: map[string]iamport.Payment{}, expected: map[string]iamport.Amount{}}
}

func (r *whRecorder) fn(_ context.Context, p *iamport.Payment, _ *iamport.WebhookEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.fail != nil {
		return r.fail
	}
	if want, ok := r.expected[p.MerchantUID]; ok && !p.Amount.Equal(want) {
		// Verified, but not what the order costs: never fulfil it.
		r.mismatched = append(r.mismatched, p.ImpUID)
		return nil
	}
	key := p.ImpUID + "/" + string(p.Status)
	if _, dup := r.records[key]; dup {
		return nil
	}
	r.records[key] = *p
	return nil
}

func (r *whRecorder) paid() []iamport.Payment {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []iamport.Payment
	for _, p := range r.records {
		if p.Paid() {
			out = append(out, p)
		}
	}
	return out
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestWebhookHandler(t *testing.T) {
	t.Parallel()
	c, api := newWHAPI(t)
	api.add(whPaid("imp_100000000001", "order_1", 8900))
	api.add(whFailed("imp_100000000002", "order_2", 8900))
	api.add(whPaid("imp_100000000003", "order_3", 100))
	rec := newWHRecorder()
	rec.expected["order_3"] = 8900
	h := iamport.WebhookHandler(c, rec.fn)

	json := func(imp, mid, status string) *http.Request {
		return whRequest("POST", "application/json", fmt.Sprintf(`{"imp_uid":%q,"merchant_uid":%q,"status":%q}`, imp, mid, status))
	}

	// A genuine notification, delivered twice: one record.
	w := serve(h, json("imp_100000000001", "order_1", "paid"))
	require.Equal(t, 200, w.Code)
	w = serve(h, whRequest("POST", "application/x-www-form-urlencoded", "imp_uid=imp_100000000001&merchant_uid=order_1&status=paid"))
	require.Equal(t, 200, w.Code)
	require.Len(t, rec.paid(), 1)
	require.Equal(t, 2, rec.calls)

	// Forged: an imp_uid iamport does not know. fn is not called.
	w = serve(h, json("imp_999999999999", "order_1", "paid"))
	require.Equal(t, 503, w.Code, "unknown imp_uid: 503, so that a genuine notification the API does not show yet is re-delivered")
	// Forged: a real imp_uid with another order's merchant_uid.
	w = serve(h, json("imp_100000000001", "order_2", "paid"))
	require.Equal(t, 409, w.Code)
	require.Equal(t, 2, rec.calls, "fn must not see forged notifications")

	// Forged: claims paid for a payment that failed. fn gets the failed payment.
	w = serve(h, json("imp_100000000002", "order_2", "paid"))
	require.Equal(t, 200, w.Code)
	require.Equal(t, 3, rec.calls)
	require.Equal(t, iamport.PaymentStatusFailed, rec.records["imp_100000000002/failed"].Status)
	_, claimed := rec.records["imp_100000000002/paid"]
	require.False(t, claimed)

	// Verified, but the amount is not what order_3 costs: fn sees and refuses it.
	w = serve(h, json("imp_100000000003", "order_3", "paid"))
	require.Equal(t, 200, w.Code)
	require.Equal(t, []string{"imp_100000000003"}, rec.mismatched)

	// Still only one paid payment recorded, and it is order_1's.
	paid := rec.paid()
	require.Len(t, paid, 1)
	require.Equal(t, "order_1", paid[0].MerchantUID)

	// Malformed bodies and methods never reach the API.
	before := api.lookups()
	w = serve(h, whRequest("POST", "application/json", `{"merchant_uid":"order_1"}`))
	require.Equal(t, 400, w.Code)
	w = serve(h, whRequest("GET", "", ""))
	require.Equal(t, 405, w.Code)
	require.Equal(t, "POST", w.Header().Get("Allow"))
	w = serve(h, whRequest("POST", "application/json", `{"imp_uid":"imp_1","merchant_uid":"m","pad":"`+strings.Repeat("x", 70000)+`"}`))
	require.Equal(t, 413, w.Code)
	require.Equal(t, before, api.lookups())
	require.NotContains(t, w.Body.String(), "imp_")
}

func TestWebhookHandlerFailures(t *testing.T) {
	t.Parallel()
	c, api := newWHAPI(t)
	api.add(whPaid("imp_100000000001", "order_1", 8900))
	rec := newWHRecorder()
	h := iamport.WebhookHandler(c, rec.fn)
	body := `{"imp_uid":"imp_100000000001","merchant_uid":"order_1","status":"paid"}`

	// fn fails: 500, so a re-delivery tries again.
	rec.fail = errors.New("database is down")
	w := serve(h, whRequest("POST", "application/json", body))
	require.Equal(t, 500, w.Code)
	require.NotContains(t, w.Body.String(), "database", "details stay in the log")
	rec.fail = nil

	// The API cannot be reached: 503, fn not called.
	api.mu.Lock()
	api.down = true
	api.mu.Unlock()
	calls := rec.calls
	w = serve(h, whRequest("POST", "application/json", body))
	require.Equal(t, 503, w.Code)
	require.Equal(t, calls, rec.calls)
	api.mu.Lock()
	api.down = false
	api.mu.Unlock()

	// Recovered: the re-delivery is recorded once.
	w = serve(h, whRequest("POST", "application/json", body))
	require.Equal(t, 200, w.Code)
	require.Len(t, rec.paid(), 1)
}

func TestWebhookHandlerTransportError(t *testing.T) {
	t.Parallel()
	c, api := newWHAPI(t)
	api.mt.RegisterRegexpResponder("GET", regexp.MustCompile(`^https://api\.iamport\.kr/payments/[^/]+$`), httpmock.NewErrorResponder(errors.New("connection reset by peer")))
	called := false
	h := iamport.WebhookHandler(c, func(context.Context, *iamport.Payment, *iamport.WebhookEvent) error {
		called = true
		return nil
	})
	w := serve(h, whRequest("POST", "application/json", `{"imp_uid":"imp_100000000001","merchant_uid":"order_1","status":"paid"}`))
	require.Equal(t, 503, w.Code)
	require.False(t, called)
}

func TestWebhookHandlerKeepsWorkingAfterHangUp(t *testing.T) {
	t.Parallel()
	c, api := newWHAPI(t)
	api.add(whPaid("imp_100000000001", "order_1", 8900))
	var ctxErr error
	var hasDeadline bool
	h := iamport.WebhookHandler(c, func(ctx context.Context, _ *iamport.Payment, _ *iamport.WebhookEvent) error {
		ctxErr = ctx.Err()
		_, hasDeadline = ctx.Deadline()
		return nil
	})
	r := whRequest("POST", "application/json", `{"imp_uid":"imp_100000000001","merchant_uid":"order_1","status":"paid"}`)
	ctx, cancel := context.WithCancel(r.Context())
	cancel() // iamport hung up before we started
	w := serve(h, r.WithContext(ctx))
	require.Equal(t, 200, w.Code)
	require.NoError(t, ctxErr)
	require.True(t, hasDeadline, "the work is bounded by WithWebhookTimeout")
}

func TestWebhookHandlerSandbox(t *testing.T) {
	t.Parallel()
	c, api := newWHAPI(t)
	p := whPaid("imp_100000000001", "order_1", 8900)
	p.Sandbox = true
	api.add(p)
	var got *iamport.Payment
	h := iamport.WebhookHandler(c, func(_ context.Context, p *iamport.Payment, _ *iamport.WebhookEvent) error {
		got = p
		return nil
	}, iamport.WithSandboxPayments())
	w := serve(h, whRequest("POST", "application/json", `{"imp_uid":"imp_100000000001","merchant_uid":"order_1","status":"paid"}`))
	require.Equal(t, 200, w.Code)
	require.True(t, got.Sandbox)
	api.mu.Lock()
	defer api.mu.Unlock()
	require.Equal(t, []string{"include_sandbox=true"}, api.queries)
}

func TestWebhookHandlerSources(t *testing.T) {
	t.Parallel()
	c, api := newWHAPI(t)
	api.add(whPaid("imp_100000000001", "order_1", 8900))
	body := `{"imp_uid":"imp_100000000001","merchant_uid":"order_1","status":"paid"}`
	fn := func(context.Context, *iamport.Payment, *iamport.WebhookEvent) error { return nil }
	direct := iamport.WebhookHandler(c, fn, iamport.WithAllowedSources(iamport.WebhookSourceIPs...))
	proxied := iamport.WebhookHandler(c, fn, iamport.WithAllowedSources(iamport.WebhookSourceIPs...),
		iamport.WithTrustedProxies("10.0.0.0/8", "192.168.1.7"))

	tests := []struct {
		name   string
		h      http.Handler
		remote string
		xff    []string
		want   int
	}{
		{"iamport direct", direct, "52.78.100.19:5000", nil, 200},
		{"iamport second address", direct, "52.78.48.223:5000", nil, 200},
		{"iamport third address", direct, "52.78.5.241:5000", nil, 200},
		{"ipv4-mapped ipv6", direct, "[::ffff:52.78.5.241]:5000", nil, 200},
		{"stranger", direct, "203.0.113.9:5000", nil, 403},
		{"spoofed XFF without trusted proxy", direct, "203.0.113.9:5000", []string{"52.78.100.19"}, 403},
		{"XFF ignored from untrusted peer", direct, "52.78.100.19:5000", []string{"203.0.113.9"}, 200},
		{"through proxy", proxied, "10.1.2.3:443", []string{"52.78.100.19"}, 200},
		{"through two proxies", proxied, "10.1.2.3:443", []string{"52.78.100.19, 192.168.1.7"}, 200},
		{"through proxy, split headers", proxied, "10.1.2.3:443", []string{"203.0.113.1", "52.78.100.19"}, 200},
		{"spoofed left-most entry", proxied, "10.1.2.3:443", []string{"52.78.100.19, 203.0.113.9"}, 403},
		{"proxy without XFF", proxied, "10.1.2.3:443", nil, 403},
		{"unreadable XFF", proxied, "10.1.2.3:443", []string{"not-an-ip"}, 403},
		{"unreadable hop right of an allowed one", proxied, "10.1.2.3:443", []string{"52.78.100.19, not-an-ip"}, 403},
		{"untrusted peer with XFF", proxied, "203.0.113.9:5000", []string{"52.78.100.19"}, 403},
		{"bad remote addr", direct, "garbage", nil, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := whRequest("POST", "application/json", body)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			w := serve(tt.h, r)
			require.Equal(t, tt.want, w.Code)
		})
	}
}

func TestWebhookHandlerForbiddenNeverLooksUp(t *testing.T) {
	t.Parallel()
	c, api := newWHAPI(t)
	h := iamport.WebhookHandler(c, func(context.Context, *iamport.Payment, *iamport.WebhookEvent) error { return nil },
		iamport.WithAllowedSources("52.78.100.19"))
	r := whRequest("POST", "application/json", `{"imp_uid":"imp_1","merchant_uid":"m"}`)
	r.RemoteAddr = "198.51.100.1:1"
	require.Equal(t, 403, serve(h, r).Code)
	require.Zero(t, api.lookups())
	require.Zero(t, api.mt.GetTotalCallCount())
}

func TestWebhookHandlerLogs(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, api := newWHAPI(t, iamport.WithLogger(logger))
	api.add(whPaid("imp_100000000001", "order_1", 8900))
	var fail atomic.Bool
	h := iamport.WebhookHandler(c, func(context.Context, *iamport.Payment, *iamport.WebhookEvent) error {
		if fail.Load() {
			return errors.New("ledger unavailable")
		}
		return nil
	})
	body := `{"imp_uid":"imp_100000000001","merchant_uid":"order_1","status":"paid"}`
	require.Equal(t, 200, serve(h, whRequest("POST", "application/json", body)).Code)
	fail.Store(true)
	require.Equal(t, 500, serve(h, whRequest("POST", "application/json", body)).Code)
	require.Equal(t, 409, serve(h, whRequest("POST", "application/json", `{"imp_uid":"imp_100000000001","merchant_uid":"x"}`)).Code)

	mu.Lock()
	out := buf.String()
	mu.Unlock()
	require.Contains(t, out, `"msg":"iamport webhook"`)
	require.Contains(t, out, "ledger unavailable")
	require.Contains(t, out, `"status":409`)
	require.Contains(t, out, `"claimed_status":"paid"`)
	require.NotContains(t, out, whToken)
	require.NotContains(t, out, whSecret)

	// WithWebhookLogger(nil) silences the handler, not the client.
	buf.Reset()
	quiet := iamport.WebhookHandler(c, func(context.Context, *iamport.Payment, *iamport.WebhookEvent) error { return nil },
		iamport.WithWebhookLogger(nil))
	require.Equal(t, 400, serve(quiet, whRequest("POST", "application/json", `{}`)).Code)
	mu.Lock()
	require.NotContains(t, buf.String(), "iamport webhook")
	mu.Unlock()
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestWebhookHandlerPanicsOnBadConfig(t *testing.T) {
	t.Parallel()
	c, _ := newWHAPI(t)
	fn := func(context.Context, *iamport.Payment, *iamport.WebhookEvent) error { return nil }
	require.Panics(t, func() { iamport.WebhookHandler(nil, fn) })
	require.Panics(t, func() { iamport.WebhookHandler(c, nil) })
	require.Panics(t, func() { iamport.WithAllowedSources("52.78.100.300") })
	require.Panics(t, func() { iamport.WithTrustedProxies("10.0.0.0/33") })
	require.Panics(t, func() { iamport.WithWebhookTimeout(0) })
	require.NotPanics(t, func() {
		iamport.WebhookHandler(c, fn, iamport.WithAllowedSources("52.78.100.19", "2001:db8::/32", " 10.0.0.1 "), nil)
	})
}

// A webhook endpoint for scheduled payments. The handler has already checked
// the notification against the API; the callback checks the verified payment
// against the order, and records it once per (imp_uid, status).
func ExampleWebhookHandler() {
	client, err := iamport.New("imp_apikey", "imp_secret")
	if err != nil {
		panic(err)
	}
	type order struct{ amount iamport.Amount }
	orders := map[string]order{"order_monthly_0001": {amount: 8900}} // your database
	recorded := map[string]bool{}                                    // unique (imp_uid, status)
	var mu sync.Mutex

	h := iamport.WebhookHandler(client, func(ctx context.Context, p *iamport.Payment, ev *iamport.WebhookEvent) error {
		mu.Lock()
		defer mu.Unlock()
		key := p.ImpUID + "/" + string(p.Status) // p.Status, never ev.Status
		if recorded[key] {
			return nil // a duplicate delivery: already handled
		}
		o, ok := orders[p.MerchantUID]
		switch {
		case !ok:
			return nil // not an order of ours: nothing to do
		case p.Paid() && !p.Amount.Equal(o.amount):
			// Paid, but not what the order costs: do not fulfil; refund or investigate.
			fmt.Printf("amount mismatch on %s: paid %s, order costs %s\n", p.MerchantUID, p.Amount, o.amount)
		case p.Paid():
			fmt.Println("fulfil", p.MerchantUID)
		default:
			fmt.Println("not paid:", p.MerchantUID, p.Status, p.FailReason)
		}
		recorded[key] = true
		return nil
	}, iamport.WithAllowedSources(iamport.WebhookSourceIPs...))

	http.Handle("/iamport-callback/schedule", h)
}

// A sender that trickles its body, or stops half-way, is answered 408 once
// the read timeout runs out, on a real server (a connection read deadline)
// and behind a ResponseWriter without deadlines (a background read); fn is
// never called. A notification that arrives in time is still handled.
func TestWebhookHandlerBoundsBodyReadInTime(t *testing.T) {
	t.Parallel()
	c, api := newWHAPI(t)
	api.add(whPaid("imp_100000000001", "order_1", 8900))
	var called atomic.Int32
	fn := func(context.Context, *iamport.Payment, *iamport.WebhookEvent) error {
		called.Add(1)
		return nil
	}
	h := iamport.WebhookHandler(c, fn, iamport.WithWebhookReadTimeout(300*time.Millisecond))

	t.Run("trickling sender on a real server", func(t *testing.T) {
		srv := httptest.NewServer(h)
		defer srv.Close()
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		require.NoError(t, err)
		defer conn.Close()
		require.NoError(t, conn.SetDeadline(time.Now().Add(time.Minute))) // the test's own bound, generous
		_, err = io.WriteString(conn, "POST /cb HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{")
		require.NoError(t, err)
		stop := make(chan struct{})
		trickled := make(chan struct{})
		go func() { // one byte at a time, never the whole body
			defer close(trickled)
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					if _, err := io.WriteString(conn, " "); err != nil {
						return
					}
				}
			}
		}()
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		close(stop)
		<-trickled
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusRequestTimeout, res.StatusCode)
	})

	t.Run("stalled body behind a ResponseWriter without deadlines", func(t *testing.T) {
		pr, pw := io.Pipe()
		defer pw.Close()
		r := httptest.NewRequest("POST", "/cb", pr)
		r.Header.Set("Content-Type", "application/json")
		go func() { _, _ = io.WriteString(pw, `{"imp_uid":`) }() // then nothing
		w := serve(h, r)
		require.Equal(t, http.StatusRequestTimeout, w.Code)
	})

	t.Run("a notification in time", func(t *testing.T) {
		srv := httptest.NewServer(h)
		defer srv.Close()
		res, err := http.Post(srv.URL, "application/json",
			strings.NewReader(`{"imp_uid":"imp_100000000001","merchant_uid":"order_1","status":"paid"}`))
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
	})
	require.Equal(t, int32(1), called.Load())
	require.Panics(t, func() { iamport.WithWebhookReadTimeout(0) })
}
