package iamport_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// rewritingFake serves the fake through rewrite, which may change the
// answer body of a request (method, path) after the fake processed it.
func rewritingFake(t *testing.T, srv *iamporttest.Server, rewrite func(r *http.Request, body []byte) []byte, opts ...iamport.Option) *iamport.Client {
	t.Helper()
	h := srv.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := rewrite(r, rec.Body.Bytes())
		for k, v := range rec.Header() {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	}))
	t.Cleanup(ts.Close)
	c, err := iamport.New(srv.APIKey, srv.APISecret, append([]iamport.Option{iamport.WithBaseURL(ts.URL),
		iamport.WithReconcileTimeout(2 * time.Second)}, opts...)...)
	require.NoError(t, err)
	return c
}

// mustReplace replaces old by new once in body, failing the test when
// body does not hold old (the rewrite would then test nothing).
func mustReplace(t *testing.T, body []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(body, []byte(old)) {
		t.Errorf("answer %s does not hold %s", body, old)
	}
	return bytes.Replace(body, []byte(old), []byte(new), 1)
}

// setJSON sets response[key] (or each list entry's) to v.
func setJSON(t *testing.T, body []byte, key string, v any) []byte {
	t.Helper()
	var env map[string]any
	require.NoError(t, json.Unmarshal(body, &env))
	switch r := env["response"].(type) {
	case map[string]any:
		r[key] = v
	case []any:
		for _, e := range r {
			e.(map[string]any)[key] = v
		}
	}
	out, err := json.Marshal(env)
	require.NoError(t, err)
	return out
}

func holesFake(t *testing.T) *iamporttest.Server {
	t.Helper()
	srv := iamporttest.NewInProcess(iamporttest.WithStartTime(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)))
	t.Cleanup(srv.Close)
	return srv
}

func attackSaveKey(t *testing.T, c *iamport.Client, cu string) {
	t.Helper()
	_, err := c.SaveBillingKey(context.Background(), &iamport.SaveBillingKeyRequest{CustomerUID: cu, CardNumber: iamporttest.CardApproved, Expiry: "2035-12"})
	require.NoError(t, err)
}

// A payment answer naming its status twice, in two cases, is not read as
// either status.
func TestAttackHolesDuplicateStatusLookup(t *testing.T) {
	ctx := context.Background()
	srv := holesFake(t)
	c := rewritingFake(t, srv, func(r *http.Request, body []byte) []byte {
		if r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/payments/imp_") {
			return mustReplace(t, body, `"status":"failed"`, `"status":"failed","STATUS":"paid"`)
		}
		return body
	})
	attackSaveKey(t, c, "bob")
	srv.DeclineCharges("bob", 1, "")
	p, err := c.Again(ctx, &iamport.AgainRequest{CustomerUID: "bob", MerchantUID: "dup-1", Amount: 1000, Name: "x"})
	var de *iamport.DeclinedError
	require.ErrorAs(t, err, &de)
	got, err := c.GetPayment(ctx, p.ImpUID)
	require.ErrorIs(t, err, iamport.ErrInvalidResponse, "read as %v", got)
}

// A charge answered as declined in one spelling and paid in another is
// neither a success nor a decline.
func TestAttackHolesDuplicateStatusCharge(t *testing.T) {
	for i, key := range []string{`"Status"`, `"\u017ftatus"`, `"st\u0061tus"`, "\"\u017ftatus\""} {
		t.Run(key, func(t *testing.T) { attackDuplicateStatusCharge(t, key, i) })
	}
}

func attackDuplicateStatusCharge(t *testing.T, key string, i int) {
	ctx := context.Background()
	srv := holesFake(t)
	c := rewritingFake(t, srv, func(r *http.Request, body []byte) []byte {
		if r.URL.Path == "/subscribe/payments/again" {
			return mustReplace(t, body, `"status":"failed"`, `"status":"failed",`+key+`:"paid"`)
		}
		return body
	})
	attackSaveKey(t, c, "bob")
	srv.DeclineCharges("bob", 1, "")
	p, err := c.Again(ctx, &iamport.AgainRequest{CustomerUID: "bob", MerchantUID: fmt.Sprintf("dup-2-%d", i), Amount: 1000, Name: "x"})
	require.Error(t, err, "a contradictory answer read as a success: %v", p)
	// The lookups are not rewritten: they show the decline, which is then
	// the call's proven outcome, or it stays unknown; never a paid payment.
	var de *iamport.DeclinedError
	var ue *iamport.OutcomeUnknownError
	require.True(t, errors.As(err, &de) || errors.As(err, &ue), "%T %v", err, err)
	require.Equal(t, 1, srv.Calls("POST", "/subscribe/payments/again"))
}

// code -1 with a paid payment in the response: the card was charged; the
// SDK must not answer a plain refusal.
func TestAttackHolesRefusalCarryingPaidPayment(t *testing.T) {
	ctx := context.Background()
	srv := holesFake(t)
	c := rewritingFake(t, srv, func(r *http.Request, body []byte) []byte {
		if r.URL.Path == "/subscribe/payments/again" {
			return mustReplace(t, body, `"code":0`, `"code":-1`)
		}
		return body
	})
	attackSaveKey(t, c, "bob")
	p, err := c.Again(ctx, &iamport.AgainRequest{CustomerUID: "bob", MerchantUID: "dup-3", Amount: 1000, Name: "x"})
	var ue *iamport.OutcomeUnknownError
	if err != nil {
		require.ErrorAs(t, err, &ue, "a charge that was made reported as %T %v", err, err)
	} else {
		require.Equal(t, iamport.PaymentStatusPaid, p.Status)
	}
	require.Equal(t, 1, srv.Calls("POST", "/subscribe/payments/again"))
	require.Len(t, srv.Payments(), 1)
}

// rewriteToken changes the token answer's fields.
func rewriteToken(t *testing.T, fn func(resp map[string]any)) func(r *http.Request, body []byte) []byte {
	return func(r *http.Request, body []byte) []byte {
		if r.URL.Path != "/users/getToken" {
			return body
		}
		var env map[string]any
		require.NoError(t, json.Unmarshal(body, &env))
		fn(env["response"].(map[string]any))
		out, err := json.Marshal(env)
		require.NoError(t, err)
		return out
	}
}

// A token with a control character is refused at its first answer, once,
// not retried or sent in a header.
func TestAttackHolesTokenWithControlCharacter(t *testing.T) {
	srv := holesFake(t)
	c := rewritingFake(t, srv, rewriteToken(t, func(r map[string]any) { r["access_token"] = r["access_token"].(string) + "\r\nX-Evil: 1" }))
	_, err := c.GetBillingKey(context.Background(), "bob")
	require.ErrorIs(t, err, iamport.ErrInvalidResponse)
	require.Equal(t, 1, srv.Calls("POST", "/users/getToken"))
	require.Zero(t, srv.Calls("GET", "/subscribe/customers/{customer_uid}"))
}

// Token answers in milliseconds keep the server clock right (a schedule an
// hour ahead of the fake's clock is accepted) and cost one token request.
func TestAttackHolesTokenInMilliseconds(t *testing.T) {
	ctx := context.Background()
	srv := holesFake(t)
	c := rewritingFake(t, srv, rewriteToken(t, func(r map[string]any) {
		r["now"] = r["now"].(float64) * 1000
		r["expired_at"] = r["expired_at"].(float64) * 1000
	}))
	attackSaveKey(t, c, "bob")
	for i := range 3 {
		_, err := c.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "bob", Schedules: []iamport.ScheduleEntry{{
			MerchantUID: "ms-" + string(rune('a'+i)), ScheduleAt: srv.Now().Add(time.Hour), Amount: 1000, Name: "x"}}})
		require.NoError(t, err)
	}
	require.Equal(t, 1, srv.Calls("POST", "/users/getToken"))
}

// A token answer already expired serves the call it was fetched for: each
// call fetches at most one token, and every call succeeds.
func TestAttackHolesTokenAlreadyExpired(t *testing.T) {
	ctx := context.Background()
	srv := holesFake(t)
	c := rewritingFake(t, srv, rewriteToken(t, func(r map[string]any) { r["expired_at"] = r["now"].(float64) - 10 }))
	attackSaveKey(t, c, "bob")
	const calls = 4
	for range calls {
		_, err := c.GetBillingKey(ctx, "bob")
		require.NoError(t, err)
	}
	_, err := c.Again(ctx, &iamport.AgainRequest{CustomerUID: "bob", MerchantUID: "exp-1", Amount: 1000, Name: "x"})
	require.NoError(t, err)
	require.LessOrEqual(t, srv.Calls("POST", "/users/getToken"), calls+2)
}

// An empty page that claims a next one ends the walk with an error, instead
// of walking on (or forever).
func TestAttackHolesEmptyPageClaimsNext(t *testing.T) {
	srv := holesFake(t)
	var pages atomic.Int32
	c := rewritingFake(t, srv, func(r *http.Request, body []byte) []byte {
		if r.URL.Path == "/subscribe/payments/schedule" && r.Method == "GET" {
			pages.Add(1)
			return []byte(`{"code":0,"message":null,"response":{"total":5,"previous":0,"next":2,"list":[]}}`)
		}
		return body
	})
	now := srv.Now()
	var n int
	var last error
	for s, err := range c.ListSchedules(context.Background(), &iamport.ListSchedulesRequest{From: now.Add(-time.Hour), To: now}) {
		if err != nil {
			last = err
			break
		}
		_ = s
		n++
	}
	require.Zero(t, n)
	require.ErrorIs(t, last, iamport.ErrInvalidResponse)
	require.Equal(t, int32(1), pages.Load())
}

// Amounts iamport cannot carry are refused before anything is sent.
func TestAttackHolesAmountLimits(t *testing.T) {
	ctx := context.Background()
	srv := holesFake(t)
	c := srv.Client()
	attackSaveKey(t, c, "bob")
	for i, a := range []iamport.Amount{iamport.Amount(math.NaN()), iamport.Amount(math.Inf(1)), 1e20, -1000, 0.5, 1e-300} {
		_, err := c.Again(ctx, &iamport.AgainRequest{CustomerUID: "bob", MerchantUID: "lim-" + string(rune('a'+i)), Amount: a, Name: "x"})
		var ve *iamport.ValidationError
		require.ErrorAs(t, err, &ve, "amount %v", float64(a))
	}
	_, err := c.Again(ctx, &iamport.AgainRequest{CustomerUID: "bob", MerchantUID: "lim-usd", Amount: 10.005, Currency: "USD", Name: "x"})
	var ve *iamport.ValidationError
	require.ErrorAs(t, err, &ve, "three decimals of USD")
	require.Zero(t, srv.Calls("POST", "/subscribe/payments/again"))
	require.Empty(t, srv.Payments())

	for _, pair := range [][2]iamport.Amount{{0.001, 0}, {0.005, 0.01}, {10.004999, 10}, {1e20, 1.0000000000000002e20},
		{iamport.Amount(math.NaN()), iamport.Amount(math.NaN())}, {iamport.Amount(math.Inf(1)), 1e308}} {
		require.False(t, pair[0].Equal(pair[1]), "%v Equal %v", float64(pair[0]), float64(pair[1]))
	}
	require.True(t, iamport.Amount(0.1).Add(0.2).Equal(0.3), "Add is exact to two decimals")
}

// A webhook sender that trickles its body is cut off at the read timeout
// with 408, and the callback is not called.
func TestAttackHolesWebhookSlowloris(t *testing.T) {
	t.Run("direct", func(t *testing.T) { attackSlowloris(t, func(h http.Handler) http.Handler { return h }) })
	// Behind a middleware whose ResponseWriter cannot set a read deadline.
	t.Run("wrapped", func(t *testing.T) {
		attackSlowloris(t, func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(struct{ http.ResponseWriter }{w}, r) })
		})
	})
}

func attackSlowloris(t *testing.T, wrap func(http.Handler) http.Handler) {
	srv := holesFake(t)
	var called atomic.Int32
	h := iamport.WebhookHandler(srv.Client(), func(context.Context, *iamport.Payment, *iamport.WebhookEvent) error {
		called.Add(1)
		return nil
	}, iamport.WithWebhookReadTimeout(300*time.Millisecond))
	ts := httptest.NewServer(wrap(h))
	defer ts.Close()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	body := `{"imp_uid":"imp_000000000001","merchant_uid":"order-1","status":"paid"}`
	_, err = fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
	require.NoError(t, err)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := 0; i < len(body); i++ {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
			if _, err := conn.Write([]byte{body[i]}); err != nil {
				return
			}
		}
	}()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(time.Minute)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "no answer before the sender finished")
	defer resp.Body.Close()
	require.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
	require.Zero(t, called.Load())
}

// setPageJSON sets key to v in every entry of response.list.
func setPageJSON(t *testing.T, body []byte, key string, v any) []byte {
	t.Helper()
	var env map[string]any
	require.NoError(t, json.Unmarshal(body, &env))
	if r, ok := env["response"].(map[string]any); ok {
		list, _ := r["list"].([]any)
		for _, e := range list {
			e.(map[string]any)[key] = v
		}
	}
	out, err := json.Marshal(env)
	require.NoError(t, err)
	return out
}

// A 404 that is not an iamport answer (a proxy's page, a wrong route)
// proves nothing: the look at an order's earlier attempts that comes
// before every charge fails, and the charge is not sent; GetPayment's
// error matches ErrInvalidResponse, not ErrNotFound, so that no caller
// reads it as "there is no such payment".
func TestAttackHolesProxyNotFoundProvesNothing(t *testing.T) {
	ctx := context.Background()
	srv := holesFake(t)
	proxy404 := func(r *http.Request) bool {
		return strings.HasPrefix(r.URL.Path, "/payments/findAll/") || r.URL.Path == "/payments/imp_proxy"
	}
	h := srv.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if proxy404(r) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("<html><body><h1>404 Not Found</h1>nginx</body></html>"))
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	c, err := iamport.New(srv.APIKey, srv.APISecret, iamport.WithBaseURL(ts.URL), iamport.WithReconcileTimeout(time.Second))
	require.NoError(t, err)
	attackSaveKey(t, c, "bob")

	p, err := c.Again(ctx, &iamport.AgainRequest{CustomerUID: "bob", MerchantUID: "proxy-1", Amount: 1000, Name: "x"})
	require.Error(t, err, "charged with no proof of the order's earlier attempts: %+v", p)
	require.Nil(t, p)
	require.ErrorIs(t, err, iamport.ErrInvalidResponse)
	require.NotErrorIs(t, err, iamport.ErrNotFound)
	require.Contains(t, err.Error(), "not sent")
	require.Zero(t, srv.Calls("POST", "/subscribe/payments/again"), "the charge was sent")

	_, err = c.GetPayment(ctx, "imp_proxy")
	require.ErrorIs(t, err, iamport.ErrInvalidResponse)
	require.NotErrorIs(t, err, iamport.ErrNotFound)
	var ae *iamport.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, http.StatusNotFound, ae.StatusCode)

	// iamport's own 404 still means there is none.
	_, err = c.GetPayment(ctx, "imp_nosuch")
	require.ErrorIs(t, err, iamport.ErrNotFound)
	require.NotErrorIs(t, err, iamport.ErrInvalidResponse)
}
