package iamport_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// endpoint is one Client method with the request it sends and a valid
// answer for it.
type endpoint struct {
	name   string
	method string
	path   string
	body   bool // sends a JSON body
	resp   any  // the envelope's response on success
	call   func(ctx context.Context, c *iamport.Client) error
}

// endpoints lists every endpoint method of the Client. The money-moving ones
// carry card data where the API takes it, so leak tests see it.
func endpoints() []endpoint {
	at := futureSecond(time.Hour)
	return []endpoint{
		{"Onetime", http.MethodPost, onetimePath, true, payment("order-1"), func(ctx context.Context, c *iamport.Client) error {
			_, err := c.Onetime(ctx, onetimeReq("order-1"))
			return err
		}},
		{"Again", http.MethodPost, againPath, true, payment("order-2"), func(ctx context.Context, c *iamport.Client) error {
			_, err := c.Again(ctx, &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-2", Amount: 8900, Name: "이용권"})
			return err
		}},
		{"SaveBillingKey", http.MethodPost, "/subscribe/customers/cust-1", true, billingKey("cust-1"), func(ctx context.Context, c *iamport.Client) error {
			_, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "cust-1", CardNumber: cardDashed,
				Expiry: expiryWire, Birth: birthValue, Pwd2Digit: pwdValue, CVC: cvcValue})
			return err
		}},
		{"GetBillingKey", http.MethodGet, "/subscribe/customers/cust-1", false, billingKey("cust-1"), func(ctx context.Context, c *iamport.Client) error {
			_, err := c.GetBillingKey(ctx, "cust-1")
			return err
		}},
		{"DeleteBillingKey", http.MethodDelete, "/subscribe/customers/cust-1", false, billingKey("cust-1"), func(ctx context.Context, c *iamport.Client) error {
			_, err := c.DeleteBillingKey(ctx, "cust-1")
			return err
		}},
		{"DeleteBillingKeyWith", http.MethodDelete, "/subscribe/customers/cust-1", false, billingKey("cust-1"), func(ctx context.Context, c *iamport.Client) error {
			_, err := c.DeleteBillingKeyWith(ctx, &iamport.DeleteBillingKeyRequest{CustomerUID: "cust-1", Reason: "해지", Requester: "admin"})
			return err
		}},
		{"Schedule", http.MethodPost, schedulePath, true, []any{schedule("cust-1", "sub-1", at.Unix())}, func(ctx context.Context, c *iamport.Client) error {
			_, err := c.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "cust-1", CardNumber: cardDashed, Expiry: expiryWire,
				Birth: birthValue, Pwd2Digit: pwdValue,
				Schedules: []iamport.ScheduleEntry{{MerchantUID: "sub-1", ScheduleAt: at, Amount: 8900}}})
			return err
		}},
		{"Unschedule", http.MethodPost, unschedulePath, true, []any{schedule("cust-1", "sub-1", at.Unix(), "schedule_status", "revoked")}, func(ctx context.Context, c *iamport.Client) error {
			_, err := c.Unschedule(ctx, &iamport.UnscheduleRequest{CustomerUID: "cust-1", MerchantUIDs: []string{"sub-1"}})
			return err
		}},
		{"GetSchedule", http.MethodGet, getSchedule + "sub-1", false, schedule("cust-1", "sub-1", at.Unix()), func(ctx context.Context, c *iamport.Client) error {
			_, err := c.GetSchedule(ctx, "sub-1")
			return err
		}},
		{"GetPayment", http.MethodGet, "/payments/imp_1", false, payment("order-1", "imp_uid", "imp_1"), func(ctx context.Context, c *iamport.Client) error {
			_, err := c.GetPayment(ctx, "imp_1")
			return err
		}},
		{"FindPayment", http.MethodGet, findPrefix + "order-1", false, payment("order-1"), func(ctx context.Context, c *iamport.Client) error {
			_, err := c.FindPayment(ctx, "order-1")
			return err
		}},
		{"CancelPayment", http.MethodPost, cancelPath, true, payment("order-1", "imp_uid", "imp_1", "status", "cancelled"), func(ctx context.Context, c *iamport.Client) error {
			_, err := c.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: "imp_1", FullRefund: true, Checksum: iamport.Ptr(iamport.Amount(8900)),
				RefundAccount: "110123456789"})
			return err
		}},
	}
}

func TestEveryMethodSendsHeaders(t *testing.T) {
	t.Parallel()
	clients := []struct {
		name string
		opts []iamport.Option
		auth string
		tier string
	}{
		{"bare token by default", nil, testToken, ""},
		{"bearer", []iamport.Option{iamport.WithBearerAuth()}, "Bearer " + testToken, ""},
		{"tier", []iamport.Option{iamport.WithTier("T0001")}, testToken, "T0001"},
	}
	for _, cl := range clients {
		for _, ep := range endpoints() {
			t.Run(cl.name+"/"+ep.name, func(t *testing.T) {
				t.Parallel()
				m := newMock(t)
				m.on(http.MethodGet, "/payments/imp_1", ok(payment("order-1", "imp_uid", "imp_1"))) // a cancel's look before
				m.on(ep.method, ep.path, ok(ep.resp))
				require.NoError(t, ep.call(bg, m.client(cl.opts...)))

				r := m.only(ep.method, ep.path)
				require.Equal(t, cl.auth, r.Header.Get("Authorization"))
				require.Equal(t, cl.tier, r.Header.Get("Tier"))
				require.Equal(t, "iamport-go/"+iamport.Version, r.Header.Get("User-Agent"))
				require.Equal(t, "application/json", r.Header.Get("Accept"))
				if ep.body {
					require.Equal(t, "application/json", r.Header.Get("Content-Type"))
					require.True(t, strings.HasPrefix(r.Body, "{"), "JSON body: %s", r.Body)
				} else {
					require.Empty(t, r.Header.Get("Content-Type"))
					require.Empty(t, r.Body)
				}

				tok := m.only(http.MethodPost, "/users/getToken")
				require.Empty(t, tok.Header.Get("Authorization"), "getToken is sent without a token")
				require.Equal(t, "application/json", tok.Header.Get("Content-Type"))
				require.JSONEq(t, `{"imp_key":"`+testKey+`","imp_secret":"`+testSecret+`"}`, tok.Body)
			})
		}
	}
}

// Every failure shape of an answer becomes a typed error.
func TestFailureShapes(t *testing.T) {
	t.Parallel()
	const path = "/payments/imp_1"
	tests := []struct {
		name      string
		resp      httpmock.Responder
		status    int
		code      int
		msg       string // exact Message, or a part of it with contains
		contains  bool
		notFound  bool
		invalid   bool
		unauth    bool
		attempts  int
		wantCause bool // Unwrap gives the decoding error
	}{
		{name: "200 with code 1", resp: reply(200, failure(1, "지원되지 않는 상태값입니다.")), status: 200, code: 1,
			msg: "지원되지 않는 상태값입니다.", attempts: 1},
		{name: "200 with code -1 as a string", resp: reply(200, `{"code":"-1","message":"실패","response":null}`), status: 200,
			code: -1, msg: "실패", attempts: 1},
		{name: "200 with code and an odd response", resp: reply(200, `{"code":1,"message":"x","response":"odd"}`), status: 200,
			code: 1, msg: "x", attempts: 1},
		{name: "401", resp: reply(401, failure(-1, "Unauthorized")), status: 401, code: -1, msg: "Unauthorized",
			unauth: true, attempts: 2},
		{name: "404", resp: reply(404, failure(-1, "존재하지 않는 결제정보입니다.")), status: 404, code: -1,
			msg: "존재하지 않는 결제정보입니다.", notFound: true, attempts: 1},
		{name: "400", resp: reply(400, failure(-1, "잘못된 요청입니다.")), status: 400, code: -1, msg: "잘못된 요청입니다.", attempts: 1},
		{name: "400 without message", resp: reply(400, `{"code":-1,"response":null}`), status: 400, code: -1, msg: "Bad Request", attempts: 1},
		{name: "500 HTML", resp: raw(500, "text/html; charset=utf-8", "<html><body><h1>500 Internal Server Error</h1></body></html>"),
			status: 500, msg: "Internal Server Error (non-JSON body: text/html, 60 bytes)", invalid: true, attempts: 1},
		{name: "502 HTML", resp: raw(502, "text/html", "<html>Bad Gateway</html>"), status: 502,
			msg: "non-JSON body: text/html", contains: true, invalid: true, attempts: 3},
		{name: "503 HTML", resp: raw(503, "text/html", "<html>Service Unavailable</html>"), status: 503,
			msg: "non-JSON body", contains: true, invalid: true, attempts: 3},
		{name: "403 plain text", resp: raw(403, "", "forbidden"), status: 403, msg: "Forbidden (non-JSON body, 9 bytes)",
			invalid: true, attempts: 1},
		{name: "599 empty", resp: raw(599, "", ""), status: 599, msg: "HTTP 599 (empty body)", invalid: true, attempts: 1},
		{name: "truncated JSON", resp: reply(200, `{"code":0,"message":null,"response":{"imp_uid":"imp_1","amou`), status: 200,
			msg: "truncated or malformed JSON body", contains: true, invalid: true, attempts: 1, wantCause: true},
		{name: "empty body", resp: raw(200, "application/json", ""), status: 200, msg: "OK (empty body)", invalid: true,
			attempts: 1, wantCause: true},
		{name: "non-JSON 200", resp: raw(200, "text/plain", "OK"), status: 200, msg: "OK (non-JSON body: text/plain, 2 bytes)",
			invalid: true, attempts: 1, wantCause: true},
		{name: "response null", resp: reply(200, `{"code":0,"message":null,"response":null}`), status: 200,
			msg: "response is null", invalid: true, attempts: 1},
		{name: "response missing", resp: reply(200, `{"code":0}`), status: 200, msg: "response is null", invalid: true, attempts: 1},
		{name: "response of the wrong type", resp: reply(200, `{"code":0,"message":null,"response":[1,2]}`), status: 200,
			msg: "OK (cannot decode response: got array, want iamport.Payment)", contains: true, invalid: true, attempts: 1, wantCause: true},
		{name: "response with a bad timestamp", resp: reply(200, `{"code":0,"response":{"paid_at":"yesterday"}}`), status: 200,
			invalid: true, attempts: 1, wantCause: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(http.MethodGet, path, tt.resp)
			p, err := m.client().GetPayment(bg, "imp_1")
			require.Nil(t, p)
			var ae *iamport.APIError
			require.ErrorAs(t, err, &ae)
			require.Equal(t, tt.status, ae.StatusCode)
			require.Equal(t, tt.code, ae.Code)
			require.Equal(t, http.MethodGet, ae.Method)
			require.Equal(t, path, ae.Path)
			if tt.contains {
				require.Contains(t, ae.Message, tt.msg)
			} else if tt.msg != "" {
				require.Equal(t, tt.msg, ae.Message)
			}
			require.Equal(t, tt.notFound, errors.Is(err, iamport.ErrNotFound), "ErrNotFound")
			require.Equal(t, tt.invalid, errors.Is(err, iamport.ErrInvalidResponse), "ErrInvalidResponse")
			require.Equal(t, tt.unauth, errors.Is(err, iamport.ErrUnauthorized), "ErrUnauthorized")
			require.Equal(t, tt.wantCause, errors.Unwrap(err) != nil, "Unwrap")
			require.Contains(t, err.Error(), "iamport: GET /payments/imp_1: HTTP ")
			require.Equal(t, tt.attempts, m.count(http.MethodGet, path))
		})
	}
}

// Unknown fields, new enum values, floats for integers and strings for
// timestamps all decode.
func TestLenientDecoding(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodGet, "/payments/imp_1", reply(200, `{"code":0,"message":"","response":{
		"imp_uid":"imp_1","merchant_uid":"order-1","status":"partial_refunded","amount":10.5,"cancel_amount":0.25,
		"card_quota":3.0,"card_type":null,"paid_at":1767225601.0,"started_at":"1767225600","failed_at":"",
		"cancelled_at":null,"vbank_date":0,"customer_uid_usage":"payment.scheduled","brand_new_field":{"x":[1,2]},
		"cancel_history":null,"pay_method":"tosspay_new","escrow":false},"extra_envelope_field":true}`))
	p, err := m.client().GetPayment(bg, "imp_1")
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatus("partial_refunded"), p.Status)
	require.False(t, p.Paid())
	require.Equal(t, iamport.Amount(10.5), p.Amount)
	require.Equal(t, iamport.Amount(10.25), p.Balance())
	require.Equal(t, iamport.LenientInt(3), p.CardQuota)
	require.Equal(t, iamport.CardTypeUnknown, p.CardType)
	require.Equal(t, int64(1767225601), p.PaidAt.Unix())
	require.Equal(t, int64(1767225600), p.StartedAt.Unix())
	require.True(t, p.FailedAt.IsZero())
	require.True(t, p.CancelledAt.IsZero())
	require.True(t, p.VbankDate.IsZero())
	require.Equal(t, "payment.scheduled", p.CustomerUIDUsage)
	require.Nil(t, p.CancelHistory)
}

func TestRetriesIdempotentCalls(t *testing.T) {
	t.Parallel()
	for _, status := range []int{429, 502, 503, 504} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(http.MethodGet, "/payments/imp_1", seq(raw(status, "text/html", "<html>busy</html>"), ok(payment("order-1"))))
			p, err := m.client().GetPayment(bg, "imp_1")
			require.NoError(t, err)
			require.Equal(t, "order-1", p.MerchantUID)
			require.Equal(t, 2, m.count(http.MethodGet, "/payments/imp_1"))
			w := m.waits()
			require.Len(t, w, 1)
			// Default policy: 200ms with equal jitter.
			require.GreaterOrEqual(t, w[0], 100*time.Millisecond)
			require.LessOrEqual(t, w[0], 200*time.Millisecond)
		})
	}
	t.Run("500 is not retried", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", reply(500, failure(-1, "error")))
		_, err := m.client().GetPayment(bg, "imp_1")
		require.Error(t, err)
		require.Equal(t, 1, m.count(http.MethodGet, "/payments/imp_1"))
	})
	t.Run("connection error", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", seq(fail(lostAnswer), ok(payment("order-1"))))
		_, err := m.client().GetPayment(bg, "imp_1")
		require.NoError(t, err)
		require.Equal(t, 2, m.count(http.MethodGet, "/payments/imp_1"))
	})
	t.Run("token request", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, "/users/getToken", seq(raw(503, "text/html", "<html/>"), fail(lostAnswer), tokenResponder(testToken, 0, 1800)))
		m.on(http.MethodGet, "/payments/imp_1", ok(payment("order-1")))
		_, err := m.client().GetPayment(bg, "imp_1")
		require.NoError(t, err)
		require.Equal(t, 3, m.tokenCalls())
	})
	t.Run("DELETE is not retried after it was sent", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodDelete, "/subscribe/customers/cust-1", raw(503, "text/html", "<html/>"))
		_, err := m.client().DeleteBillingKey(bg, "cust-1")
		require.ErrorIs(t, err, iamport.ErrInvalidResponse)
		require.Equal(t, 1, m.count(http.MethodDelete, "/subscribe/customers/cust-1"))
	})
}

func TestRetryBackoff(t *testing.T) {
	t.Parallel()
	t.Run("stops at MaxRetries with doubling backoff", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", raw(503, "text/html", "<html/>"))
		c := m.client(iamport.WithRetry(iamport.RetryPolicy{MaxRetries: 4, MinBackoff: time.Second, MaxBackoff: 3 * time.Second}))
		_, err := c.GetPayment(bg, "imp_1")
		var ae *iamport.APIError
		require.ErrorAs(t, err, &ae)
		require.Equal(t, 503, ae.StatusCode)
		require.Equal(t, 5, m.count(http.MethodGet, "/payments/imp_1"))
		w := m.waits()
		require.Len(t, w, 4)
		for i, lo := range []time.Duration{500 * time.Millisecond, time.Second, 1500 * time.Millisecond, 1500 * time.Millisecond} {
			require.GreaterOrEqual(t, w[i], lo, "wait %d", i)
			require.LessOrEqual(t, w[i], 2*lo, "wait %d", i)
		}
	})
	t.Run("Retry-After seconds", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		busy := func(*http.Request) (*http.Response, error) {
			r := httpmock.NewStringResponse(429, failure(-1, "Too Many Requests"))
			r.Header.Set("Retry-After", "7")
			return r, nil
		}
		m.on(http.MethodGet, "/payments/imp_1", seq(busy, busy, ok(payment("order-1"))))
		_, err := m.client().GetPayment(bg, "imp_1")
		require.NoError(t, err)
		require.Equal(t, []time.Duration{7 * time.Second, 7 * time.Second}, m.waits())
	})
	t.Run("Retry-After over a minute ends the retries", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", func(*http.Request) (*http.Response, error) {
			r := httpmock.NewStringResponse(503, failure(-1, "maintenance"))
			r.Header.Set("Retry-After", "3600")
			return r, nil
		})
		_, err := m.client().GetPayment(bg, "imp_1")
		var apiErr *iamport.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, 503, apiErr.StatusCode)
		require.Equal(t, 1, m.count(http.MethodGet, "/payments/imp_1"), "no retry after a Retry-After of an hour")
		require.Empty(t, m.waits())
	})
	t.Run("Retry-After date", func(t *testing.T) {
		t.Parallel()
		now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", seq(func(*http.Request) (*http.Response, error) {
			r := httpmock.NewStringResponse(503, "")
			r.Header.Set("Retry-After", now.Add(12*time.Second).Format(http.TimeFormat))
			return r, nil
		}, func(*http.Request) (*http.Response, error) {
			r := httpmock.NewStringResponse(503, "")
			r.Header.Set("Retry-After", now.Add(-time.Minute).Format(http.TimeFormat))
			return r, nil
		}, ok(payment("order-1"))))
		_, err := m.client(iamport.WithClock(func() time.Time { return now })).GetPayment(bg, "imp_1")
		require.NoError(t, err)
		require.Equal(t, []time.Duration{12 * time.Second, 0}, m.waits())
	})
	t.Run("a wait past the deadline is not started", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", func(*http.Request) (*http.Response, error) {
			r := httpmock.NewStringResponse(503, "")
			r.Header.Set("Retry-After", "3600")
			return r, nil
		})
		ctx, cancel := context.WithTimeout(bg, time.Minute)
		defer cancel()
		_, err := m.client().GetPayment(ctx, "imp_1")
		require.ErrorIs(t, err, iamport.ErrInvalidResponse)
		require.Equal(t, 1, m.count(http.MethodGet, "/payments/imp_1"))
		require.Empty(t, m.waits())
	})
	t.Run("no retries", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", raw(503, "", ""))
		_, err := m.client(iamport.WithMaxRetries(0)).GetPayment(bg, "imp_1")
		require.Error(t, err)
		require.Equal(t, 1, m.count(http.MethodGet, "/payments/imp_1"))
	})
	t.Run("real sleep", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", seq(raw(502, "", ""), func(*http.Request) (*http.Response, error) {
			r := httpmock.NewStringResponse(503, "")
			r.Header.Set("Retry-After", "0")
			return r, nil
		}, ok(payment("order-1"))))
		c, err := iamport.New(testKey, testSecret, iamport.WithHTTPClient(&http.Client{Transport: m.mt}),
			iamport.WithRetry(iamport.RetryPolicy{MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
		require.NoError(t, err)
		_, err = c.GetPayment(bg, "imp_1")
		require.NoError(t, err)
		require.Equal(t, 3, m.count(http.MethodGet, "/payments/imp_1"))
	})
	t.Run("cancelled during the wait", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", raw(503, "", ""))
		ctx, cancel := context.WithCancel(bg)
		c := m.client(iamport.WithSleep(func(ctx context.Context, _ time.Duration) error {
			cancel()
			<-ctx.Done()
			return ctx.Err()
		}))
		_, err := c.GetPayment(ctx, "imp_1")
		require.Error(t, err)
		require.Equal(t, 1, m.count(http.MethodGet, "/payments/imp_1"))
	})
}

// blockUntilDone answers only when the request's context ends, and reports
// each request on started.
func blockUntilDone(started chan<- struct{}) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		if started != nil {
			started <- struct{}{}
		}
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
}

func TestContextErrorsAreWrapped(t *testing.T) {
	t.Parallel()
	t.Run("deadline", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", blockUntilDone(nil))
		m.on(http.MethodGet, "/payments/imp_0", httpmock.NewStringResponder(200, `{"code":0,"response":{"imp_uid":"imp_0"}}`))
		c := m.client()
		_, err := c.GetPayment(bg, "imp_0") // fetch the token first: the deadline must end the GET, not the token wait
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(bg, 150*time.Millisecond)
		defer cancel()
		_, err = c.GetPayment(ctx, "imp_1")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Contains(t, err.Error(), "iamport: GET /payments/imp_1")
	})
	t.Run("canceled", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		started := make(chan struct{}, 1)
		m.on(http.MethodGet, "/payments/imp_1", blockUntilDone(started))
		ctx, cancel := context.WithCancel(bg)
		go func() {
			<-started
			cancel()
		}()
		_, err := m.client().GetPayment(ctx, "imp_1")
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("cancelled before the call sends nothing", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		ctx, cancel := context.WithCancel(bg)
		cancel()
		for _, ep := range endpoints() {
			require.ErrorIs(t, ep.call(ctx, m.client()), context.Canceled, ep.name)
		}
		require.Zero(t, m.total())
	})
}

func TestWithTimeoutAppliesPerRequest(t *testing.T) {
	t.Parallel()
	t.Run("a request that outlives it fails", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", blockUntilDone(nil))
		_, err := m.client(iamport.WithTimeout(150*time.Millisecond), iamport.WithMaxRetries(0)).GetPayment(bg, "imp_1")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Equal(t, 1, m.count(http.MethodGet, "/payments/imp_1"))
	})
	t.Run("each attempt gets its own", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", seq(blockUntilDone(nil), ok(payment("order-1"))))
		_, err := m.client(iamport.WithTimeout(150*time.Millisecond), iamport.WithMaxRetries(1)).GetPayment(bg, "imp_1")
		require.NoError(t, err)
		require.Equal(t, 2, m.count(http.MethodGet, "/payments/imp_1"))
	})
}

func TestWithBaseURL(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	var hits atomic.Int32
	m.mt.RegisterResponder(http.MethodPost, "https://iamport.example.com/v1/users/getToken", func(req *http.Request) (*http.Response, error) {
		hits.Add(1)
		return tokenResponder(testToken, 0, 1800)(req)
	})
	m.mt.RegisterResponder(http.MethodGet, "https://iamport.example.com/v1/payments/imp_1", func(req *http.Request) (*http.Response, error) {
		hits.Add(1)
		return jsonResponse(200, envelope(payment("order-1"))), nil
	})
	_, err := m.client(iamport.WithBaseURL("https://iamport.example.com/v1/")).GetPayment(bg, "imp_1")
	require.NoError(t, err)
	require.Equal(t, int32(2), hits.Load())
	require.Contains(t, m.client(iamport.WithBaseURL("http://localhost:8080//")).String(), "baseURL: http://localhost:8080,")
}

func TestWithHTTPClientCopies(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodGet, "/payments/imp_1", ok(payment("order-1")))
	hc := &http.Client{Transport: m.mt, Timeout: time.Minute}
	c, err := iamport.New(testKey, testSecret, iamport.WithHTTPClient(hc), iamport.WithTimeout(time.Second))
	require.NoError(t, err)
	_, err = c.GetPayment(bg, "imp_1")
	require.NoError(t, err)
	require.Equal(t, 1, m.count(http.MethodGet, "/payments/imp_1"), "requests go through the given transport")
	require.Equal(t, &http.Client{Transport: m.mt, Timeout: time.Minute}, hc, "the caller's client is not changed")

	bare := &http.Client{}
	_, err = iamport.New(testKey, testSecret, iamport.WithHTTPClient(bare))
	require.NoError(t, err)
	require.Equal(t, &http.Client{}, bare)
}

// A redirect is reported, never followed: following it would re-send the
// request, card data included, to wherever it points.
func TestRedirectIsNotFollowed(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, onetimePath, func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(http.StatusTemporaryRedirect, "")
		r.Header.Set("Location", "https://elsewhere.example.com/collect")
		return r, nil
	})
	_, err := m.client().Onetime(bg, onetimeReq("order-1"))
	var ae *iamport.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, http.StatusTemporaryRedirect, ae.StatusCode)
	require.Equal(t, 1, m.total()-m.tokenCalls()-m.count(http.MethodGet, findAllPrefix+"order-1"), "nothing was sent to the redirect target")
}

func TestDefaultClient(t *testing.T) {
	t.Parallel()
	c, err := iamport.New(testKey, testSecret, nil)
	require.NoError(t, err)
	require.Equal(t, "iamport.Client{baseURL: https://api.iamport.kr, apiKey: imp_****, apiSecret: [REDACTED]}", c.String())
	require.Equal(t, c.String(), c.GoString())
	require.Equal(t, c.String(), fmt.Sprintf("%#v", c))
	var nilClient *iamport.Client
	require.Equal(t, "iamport.Client(nil)", nilClient.String())
	c, err = iamport.New("abc", testSecret)
	require.NoError(t, err)
	require.Contains(t, c.String(), "apiKey: ****,")
}

// errBody is a response body cut off in transit.
type errBody struct{ sent bool }

func (b *errBody) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		return copy(p, `{"code":0,"response":{"imp_uid":`), nil
	}
	return 0, io.ErrUnexpectedEOF
}
func (*errBody) Close() error { return nil }

func cutOff(status int) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(status, "")
		r.Body = &errBody{}
		r.ContentLength = -1
		return r, nil
	}
}

func TestBodyCutOff(t *testing.T) {
	t.Parallel()
	t.Run("a read is retried", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", seq(cutOff(200), ok(payment("order-1"))))
		p, err := m.client().GetPayment(bg, "imp_1")
		require.NoError(t, err)
		require.Equal(t, "order-1", p.MerchantUID)
		require.Equal(t, 2, m.count(http.MethodGet, "/payments/imp_1"))
	})
	t.Run("a read that keeps failing", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", cutOff(200))
		_, err := m.client(iamport.WithMaxRetries(0)).GetPayment(bg, "imp_1")
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		require.Contains(t, err.Error(), "reading response body")
	})
	t.Run("a charge is reconciled, not re-sent", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, onetimePath, cutOff(200))
		m.on(http.MethodGet, findAllPrefix+"order-1", appears(payment("order-1")))
		p, err := m.client().Onetime(bg, onetimeReq("order-1"))
		require.NoError(t, err)
		require.True(t, p.Paid())
		require.Equal(t, 1, m.count(http.MethodPost, onetimePath))
	})
	t.Run("a body over 16 MiB", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", raw(200, "application/json", `{"code":0,"response":{"name":"`+strings.Repeat("x", 16<<20)+`"}}`))
		_, err := m.client(iamport.WithMaxRetries(0)).GetPayment(bg, "imp_1")
		require.ErrorContains(t, err, "larger than 16777216 bytes")
		require.Equal(t, 1, m.count(http.MethodGet, "/payments/imp_1"))
	})
}

func TestWithRetryDefaults(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodGet, "/payments/imp_1", seq(raw(503, "", ""), raw(503, "", ""), ok(payment("order-1"))))
	// MaxBackoff below MinBackoff is raised to it; zero fields take the defaults.
	c := m.client(iamport.WithRetry(iamport.RetryPolicy{MaxRetries: 1, MinBackoff: 2 * time.Second, MaxBackoff: time.Second}),
		iamport.WithMaxRetries(2))
	_, err := c.GetPayment(bg, "imp_1")
	require.NoError(t, err)
	w := m.waits()
	require.Len(t, w, 2)
	for _, d := range w {
		require.GreaterOrEqual(t, d, time.Second)
		require.LessOrEqual(t, d, 2*time.Second)
	}

	m = newMock(t)
	m.on(http.MethodGet, "/payments/imp_1", seq(raw(503, "", ""), ok(payment("order-1"))))
	_, err = m.client(iamport.WithRetry(iamport.RetryPolicy{MaxRetries: 1})).GetPayment(bg, "imp_1")
	require.NoError(t, err)
	require.Len(t, m.waits(), 1)
	require.GreaterOrEqual(t, m.waits()[0], iamport.DefaultRetryPolicy.MinBackoff/2)
	require.LessOrEqual(t, m.waits()[0], iamport.DefaultRetryPolicy.MinBackoff)
}

// With a logger, each request is logged with its method, path, HTTP status,
// iamport code, duration and attempt: a refusal on HTTP 200 shows its code.
func TestLoggerRecordsIamportCode(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodGet, "/payments/imp_404", reply(http.StatusOK, failure(-1, "존재하지 않는 결제정보입니다.")))
	m.on(http.MethodGet, "/payments/imp_ok", ok(payment("order-1")))
	m.on(http.MethodGet, "/payments/imp_html", raw(http.StatusBadGateway, "text/html", "<html>502</html>"))
	m.on(http.MethodGet, "/payments/imp_late", raw(http.StatusOK, "application/json",
		`{"response":{"list":[{"code":7}]},"message":"x","code":"3"}`)) // code last, and in a string
	var logs strings.Builder
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client := m.client(iamport.WithLogger(logger), iamport.WithMaxRetries(0))

	_, err := client.GetPayment(context.Background(), "imp_404")
	require.Error(t, err)
	_, err = client.GetPayment(context.Background(), "imp_ok")
	require.NoError(t, err)
	_, err = client.GetPayment(context.Background(), "imp_html")
	require.Error(t, err)
	_, err = client.GetPayment(context.Background(), "imp_late")
	require.Error(t, err)

	lines := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec))
		if rec["msg"] == "iamport request" {
			lines[rec["path"].(string)] = rec
		}
	}
	refused := lines["/payments/imp_404"]
	require.NotNil(t, refused)
	require.Equal(t, "GET", refused["method"])
	require.EqualValues(t, 200, refused["status"])
	require.EqualValues(t, -1, refused["code"])
	require.EqualValues(t, 1, refused["attempt"])
	require.Contains(t, refused, "duration")
	require.EqualValues(t, 0, lines["/payments/imp_ok"]["code"])
	require.NotContains(t, lines["/payments/imp_html"], "code", "an HTML answer has no iamport code")
	require.EqualValues(t, 502, lines["/payments/imp_html"]["status"])
	require.EqualValues(t, 3, lines["/payments/imp_late"]["code"], "the top-level code, not a nested one")
}
