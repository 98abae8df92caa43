package iamport_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// handlerTransport serves every request with h in process: the fake's
// webhooks reach a WebhookHandler without a socket.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	req.RemoteAddr = "52.78.100.19:443" // one of iamport's published webhook sources
	t.h.ServeHTTP(w, req)
	return w.Result(), nil
}

// sentRequest is one request the SDK sent, as the server received it.
type sentRequest struct {
	Method, Path string
	Body         []byte
}

// peekBody reads req's body and puts it back for the next reader.
func peekBody(req *http.Request) []byte {
	if req.Body == nil {
		return nil
	}
	body, _ := io.ReadAll(req.Body)
	req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(body))
	return body
}

// recordingTransport records the requests that pass through it.
type recordingTransport struct {
	base http.RoundTripper
	mu   sync.Mutex
	reqs []sentRequest
}

func (t *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	body := peekBody(req)
	t.mu.Lock()
	t.reqs = append(t.reqs, sentRequest{req.Method, req.URL.EscapedPath(), body})
	t.mu.Unlock()
	return t.base.RoundTrip(req)
}

// sent returns the bodies sent to method and path.
func (t *recordingTransport) sent(method, path string) [][]byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out [][]byte
	for _, r := range t.reqs {
		if r.Method == method && r.Path == path {
			out = append(out, r.Body)
		}
	}
	return out
}

// hookedFake is an in-process fake whose webhooks go to a WebhookHandler
// built on the returned client, and whose requests are recorded.
type hookedFake struct {
	srv  *iamporttest.Server
	c    *iamport.Client
	rec  *recordingTransport
	hook *hookMux
}

// hookMux lets a test install the webhook callback after the client exists.
type hookMux struct {
	mu sync.Mutex
	h  http.Handler
}

func (m *hookMux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	h := m.h
	m.mu.Unlock()
	if h == nil {
		http.Error(w, "no handler", http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}

func (m *hookMux) set(h http.Handler) {
	m.mu.Lock()
	m.h = h
	m.mu.Unlock()
}

func newHookedFake(t *testing.T, opts ...iamporttest.Option) *hookedFake {
	t.Helper()
	hook := &hookMux{}
	all := append([]iamporttest.Option{
		iamporttest.WithWebhookURL("https://merchant.example/iamport-callback/schedule"),
		iamporttest.WithWebhookClient(&http.Client{Transport: handlerTransport{hook}}),
	}, opts...)
	srv := iamporttest.NewInProcess(all...)
	t.Cleanup(srv.Close)
	rec := &recordingTransport{base: srv.Transport()}
	c := srv.Client(iamport.WithHTTPClient(&http.Client{Transport: rec}), iamport.WithReconcileTimeout(5*time.Second))
	return &hookedFake{srv: srv, c: c, rec: rec, hook: hook}
}

// A merchant_uid of 20 Hangul characters (60 bytes) is charged, and then
// its webhook, lookups and refund all accept it: lengths are counted in
// characters everywhere.
func TestHangulMerchantUIDEverywhere(t *testing.T) {
	t.Parallel()
	f := newHookedFake(t)
	ctx := context.Background()
	var seen []string
	var mu sync.Mutex
	f.hook.set(iamport.WebhookHandler(f.c, func(_ context.Context, p *iamport.Payment, _ *iamport.WebhookEvent) error {
		mu.Lock()
		seen = append(seen, p.MerchantUID)
		mu.Unlock()
		return nil
	}))
	mid := strings.Repeat("주", 20)
	require.Len(t, mid, 60)
	_, err := f.c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "고객-1", CardNumber: iamporttest.CardApproved, Expiry: "2035-12"})
	require.NoError(t, err)
	p, err := f.c.Again(ctx, &iamport.AgainRequest{CustomerUID: "고객-1", MerchantUID: mid, Amount: 8900, Name: "월간 이용권"})
	require.NoError(t, err)
	require.Equal(t, mid, p.MerchantUID)

	ds := f.srv.Webhooks()
	require.Len(t, ds, 1)
	require.Equal(t, http.StatusOK, ds[0].StatusCode, ds[0].Err)
	require.Equal(t, []string{mid}, seen)

	found, err := f.c.FindPayment(ctx, mid)
	require.NoError(t, err)
	require.Equal(t, p.ImpUID, found.ImpUID)
	cancelled, err := f.c.CancelPayment(ctx, &iamport.CancelRequest{MerchantUID: mid, FullRefund: true})
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatusCancelled, cancelled.Status)

	_, err = f.c.Again(ctx, &iamport.AgainRequest{CustomerUID: "고객-1", MerchantUID: strings.Repeat("주", 41), Amount: 8900})
	var ve *iamport.ValidationError
	require.ErrorAs(t, err, &ve, "41 characters is over the limit, however few bytes")
}

// The refusals merchants meet every day match a sentinel, recognised from
// the fake's answers, which are iamport's.
func TestSentinelsFromIamportAnswers(t *testing.T) {
	t.Parallel()
	f := newHookedFake(t)
	ctx := context.Background()
	c := f.c
	_, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "cust-s", CardNumber: iamporttest.CardApproved, Expiry: "2035-12"})
	require.NoError(t, err)

	_, err = c.Again(ctx, &iamport.AgainRequest{CustomerUID: "cust-s", MerchantUID: "order-s1", Amount: 8900})
	require.NoError(t, err)
	_, err = c.Again(ctx, &iamport.AgainRequest{CustomerUID: "cust-s", MerchantUID: "order-s1", Amount: 8900})
	require.ErrorIs(t, err, iamport.ErrAlreadyPaid)
	require.NotErrorIs(t, err, iamport.ErrCardRejected)
	require.Contains(t, err.Error(), "이미 결제완료된 주문번호(merchant_uid)입니다.")
	require.Contains(t, err.Error(), "already paid")

	_, err = c.Again(ctx, &iamport.AgainRequest{CustomerUID: "nobody", MerchantUID: "order-s2", Amount: 8900})
	require.ErrorIs(t, err, iamport.ErrNotFound)
	require.Contains(t, err.Error(), "등록되지 않은 구매자입니다.")

	_, err = c.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "nobody", Schedules: []iamport.ScheduleEntry{
		{MerchantUID: "order-s3", ScheduleAt: f.srv.Now().Add(time.Hour), Amount: 8900}}})
	require.ErrorIs(t, err, iamport.ErrNotFound)
	require.Contains(t, err.Error(), "등록된 고객정보가 없습니다.")

	for name, call := range map[string]func() error{
		"onetime": func() error {
			_, err := c.Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: "order-s4", Amount: 8900, CardNumber: iamporttest.CardRejected, Expiry: "2035-12"})
			return err
		},
		"billing key": func() error {
			_, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "cust-r", CardNumber: iamporttest.CardRejected, Expiry: "2035-12"})
			return err
		},
	} {
		err := call()
		require.ErrorIs(t, err, iamport.ErrCardRejected, name)
		var de *iamport.DeclinedError
		require.False(t, errors.As(err, &de), "%s: no payment exists, so it is no decline", name)
		require.Contains(t, err.Error(), "카드정보 인증 및 빌키 발급에 실패하였습니다.", name)
		require.Contains(t, err.Error(), "no payment was made", name)
	}

	_, err = c.Unschedule(ctx, &iamport.UnscheduleRequest{CustomerUID: "cust-s", All: true})
	require.ErrorIs(t, err, iamport.ErrNothingToRevoke)
	require.Contains(t, err.Error(), "no pending schedule left to revoke")
	require.Len(t, f.srv.Payments(), 1, "nothing but the first charge was made")
}

// WebhookHandler's refusals say why in one line, and are logged at warn
// level.
func TestWebhookRefusalReasons(t *testing.T) {
	t.Parallel()
	f := newHookedFake(t)
	ctx := context.Background()
	_, err := f.c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "cust-w", CardNumber: iamporttest.CardApproved, Expiry: "2035-12"})
	require.NoError(t, err)
	p, err := f.c.Again(ctx, &iamport.AgainRequest{CustomerUID: "cust-w", MerchantUID: "order-w", Amount: 8900})
	require.NoError(t, err)

	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := iamport.WebhookHandler(f.c, func(context.Context, *iamport.Payment, *iamport.WebhookEvent) error { return nil },
		iamport.WithWebhookLogger(logger), iamport.WithAllowedSources("10.0.0.0/8"))
	post := func(from, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.RemoteAddr = from + ":1234"
		return serve(h, r)
	}
	for _, tt := range []struct {
		from, body, want string
		status           int
	}{
		{"192.0.2.1", `{"imp_uid":"` + p.ImpUID + `","merchant_uid":"order-w"}`, "Forbidden: sender is not an allowed source", 403},
		{"10.0.0.1", `{"merchant_uid":"order-w"}`, "Bad Request: imp_uid is required", 400},
		{"10.0.0.1", `{"imp_uid":"` + p.ImpUID + `","merchant_uid":"order-other"}`, "Conflict: the notification does not match the payment", 409},
		{"10.0.0.1", `{"imp_uid":"imp_999999999999","merchant_uid":"order-w"}`, "Service Unavailable: the payment is not found (yet): deliver again later", 503},
	} {
		w := post(tt.from, tt.body)
		require.Equal(t, tt.status, w.Code, tt.body)
		require.Equal(t, tt.want+"\n", w.Body.String())
	}
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	require.Equal(t, 4, strings.Count(out, `"level":"WARN"`), out)
	require.NotContains(t, out, `"level":"ERROR"`)
}
