package iamport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// syncBuffer is a log sink several goroutines may write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func debugLogger(w *syncBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Running every method, successes, failures, retries and reconciliations
// included, logs no secret.
func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	var errs []string
	run := func(m *mock, opts ...iamport.Option) {
		c := m.client(append([]iamport.Option{iamport.WithLogger(debugLogger(&logs))}, opts...)...)
		for _, ep := range endpoints() {
			if err := ep.call(bg, c); err != nil {
				errs = append(errs, fmt.Sprintf("%v | %+v | %s", err, err, err.Error()))
			}
		}
		// The Client itself, logged after it holds a token.
		slog.New(slog.NewJSONHandler(&logs, nil)).Info("client", "client", c)
	}

	// Success.
	m := newMock(t)
	for _, ep := range endpoints() {
		m.on(ep.method, ep.path, ok(ep.resp))
	}
	run(m)

	// Refusals with a code, and a rejected token.
	m = newMock(t)
	for _, ep := range endpoints() {
		m.on(ep.method, ep.path, reply(200, failure(-1, "카드정보 인증에 실패하였습니다.")))
	}
	run(m)
	m = newMock(t)
	m.on(http.MethodPost, "/users/getToken", reply(401, failure(-1, "Unauthorized")))
	run(m)

	// Proxies failing: GETs are retried, lost answers reconciled until the
	// lookups give up, connections refused retried.
	m = newMock(t)
	for _, ep := range endpoints() {
		m.on(ep.method, ep.path, raw(503, "text/html", "<html>Service Unavailable</html>"))
	}
	m.on(http.MethodGet, findPrefix+"order-2", raw(503, "text/html", "<html>Service Unavailable</html>"))
	run(m, iamport.WithReconcileTimeout(30*time.Millisecond))
	m = newMock(t)
	for _, ep := range endpoints() {
		m.on(ep.method, ep.path, fail(refused))
	}
	m.on(http.MethodGet, findPrefix+"order-2", fail(refused))
	run(m, iamport.WithReconcileTimeout(30*time.Millisecond))

	out := logs.String()
	for _, want := range []string{`"msg":"iamport request"`, `"msg":"iamport retry"`, `"msg":"iamport reconciling`,
		`"status":503`, `"path":"/users/getToken"`, `"path":"/subscribe/payments/onetime"`, `"attempt":3`} {
		require.Contains(t, out, want, "the log records the calls")
	}
	requireNoSecrets(t, out, "log output")
	require.NotEmpty(t, errs)
	for _, e := range errs {
		requireNoSecrets(t, e, "error")
	}
}

func TestLoggingOffByDefault(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	m := newMock(t)
	m.on(http.MethodGet, "/payments/imp_1", ok(payment("order-1")))
	_, err := m.client(iamport.WithLogger(nil)).GetPayment(bg, "imp_1")
	require.NoError(t, err)
	require.Empty(t, logs.String())

	// Info level: requests are debug, so nothing is written.
	info := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	_, err = m.client(iamport.WithLogger(info)).GetPayment(bg, "imp_1")
	require.NoError(t, err)
	require.Empty(t, logs.String())
}

var verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%30v", "%-v"}

// formats prints v with every verb, as a value, behind a pointer and nested.
func formats(v any) string {
	var b strings.Builder
	for _, verb := range verbs {
		fmt.Fprintf(&b, verb+"\n", v)
		fmt.Fprintf(&b, verb+"\n", []any{v})
		fmt.Fprintf(&b, verb+"\n", struct{ Field any }{v})
	}
	b.WriteString(fmt.Sprint(v))
	b.WriteString(fmt.Sprintln(v))
	return b.String()
}

func TestClientFormatsRedacted(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodGet, "/payments/imp_1", ok(payment("order-1")))
	c := m.client()
	_, err := c.GetPayment(bg, "imp_1") // now it holds a token
	require.NoError(t, err)

	out := formats(c)
	requireNoSecrets(t, out, "fmt of the Client")
	require.Contains(t, out, "apiSecret: [REDACTED]")

	var logs syncBuffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("client", "c", c)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("client", slog.Any("c", c))
	requireNoSecrets(t, logs.String(), "slog of the Client")
	require.Contains(t, logs.String(), "REDACTED")
}

func TestRequestTypesFormatRedacted(t *testing.T) {
	t.Parallel()
	onetime := iamport.OnetimeRequest{MerchantUID: "order-1", Amount: 8900, CardNumber: cardDashed, Expiry: expiryWire,
		Birth: birthValue, Pwd2Digit: pwdValue, CVC: cvcValue, Secure3DToken: "3ds-token-secret"}
	save := iamport.SaveBillingKeyRequest{CustomerUID: "cust-1", CardNumber: cardDigits, Expiry: expiryBare,
		Birth: birthValue, Pwd2Digit: pwdValue, CVC: cvcValue}
	sched := iamport.ScheduleRequest{CustomerUID: "cust-1", CardNumber: cardDashed, Expiry: expiryWire, Birth: birthValue,
		Pwd2Digit: pwdValue, CVC: cvcValue, Schedules: []iamport.ScheduleEntry{{MerchantUID: "sub-1", Amount: 8900}}}
	cancel := iamport.CancelRequest{ImpUID: "imp_1", FullRefund: true, RefundHolder: "홍길동", RefundAccount: "110123456789"}

	for _, tt := range []struct {
		name  string
		value any
		ptr   any
		keep  string // a non-secret field that stays readable
	}{
		{"OnetimeRequest", onetime, &onetime, "order-1"},
		{"SaveBillingKeyRequest", save, &save, "cust-1"},
		{"ScheduleRequest", sched, &sched, "sub-1"},
		{"CancelRequest", cancel, &cancel, "imp_1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, v := range []any{tt.value, tt.ptr} {
				out := formats(v)
				requireNoSecrets(t, out, "fmt")
				require.NotContains(t, out, "3ds-token-secret")
				require.NotContains(t, out, "110123456789")
				require.Contains(t, fmt.Sprintf("%+v", v), tt.keep)
				require.Contains(t, fmt.Sprintf("%+v", v), "[REDACTED]")

				var logs syncBuffer
				slog.New(slog.NewJSONHandler(&logs, nil)).Info("req", "req", v)
				slog.New(slog.NewTextHandler(&logs, nil)).Info("req", slog.Any("req", v))
				requireNoSecrets(t, logs.String(), "slog")
				require.NotContains(t, logs.String(), "110123456789")
				require.Contains(t, logs.String(), tt.keep)
				require.Contains(t, logs.String(), "[REDACTED]")
			}
		})
	}
	// A nil request formats without panicking.
	var nilReq *iamport.OnetimeRequest
	require.Equal(t, "<nil>", fmt.Sprintf("%v", nilReq))
	// Redaction leaves the caller's values alone.
	require.Equal(t, cardDashed, onetime.CardNumber)
	require.Equal(t, "110123456789", cancel.RefundAccount)
}

// A failure answer that echoes the request back is never quoted in the
// error: a body may hold a token or card data.
func TestErrorsDoNotQuoteBodies(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	echo := func(status int) func(req *http.Request) (*http.Response, error) {
		return func(req *http.Request) (*http.Response, error) {
			body := new(bytes.Buffer)
			if req.Body != nil {
				_, _ = body.ReadFrom(req.Body)
			}
			return raw(status, "text/html", "<html>"+body.String()+req.Header.Get("Authorization")+"</html>")(req)
		}
	}
	m.on(http.MethodPost, "/subscribe/customers/cust-1", echo(400))
	m.on(http.MethodGet, "/payments/imp_1", echo(500))
	c := m.client()
	_, err := c.SaveBillingKey(bg, &iamport.SaveBillingKeyRequest{CustomerUID: "cust-1", CardNumber: cardDashed,
		Expiry: expiryWire, Birth: birthValue, Pwd2Digit: pwdValue})
	require.ErrorIs(t, err, iamport.ErrInvalidResponse)
	requireNoSecrets(t, fmt.Sprintf("%v %+v", err, err), "error")
	_, err = c.GetPayment(context.Background(), "imp_1")
	require.ErrorIs(t, err, iamport.ErrInvalidResponse)
	requireNoSecrets(t, fmt.Sprintf("%v %+v", err, err), "error")
}

// The leak detector itself finds each secret, so the tests above cannot pass
// vacuously.
func TestSecretsInFindsEverySecret(t *testing.T) {
	t.Parallel()
	leaky := onetimeReq("order-1")
	type plain iamport.OnetimeRequest // no Format method
	out := fmt.Sprintf("%+v %s %s %s", plain(*leaky), testSecret, testToken, cardDigits)
	found := secretsIn(out)
	for _, s := range []string{testSecret, testToken, cardDashed, cardDigits, expiryWire, birthValue, "Pwd2Digit:" + pwdValue} {
		require.Contains(t, found, s)
	}
	require.Empty(t, secretsIn("iamport: GET /payments/imp_1: HTTP 503 attempt 37"))
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A base URL with a user and password (a proxy that authenticates) prints
// masked, and errors of calls through it do not quote the password.
func TestClientMasksBaseURLUserinfo(t *testing.T) {
	t.Parallel()
	const password = "pr0xyPassw0rdZ"
	var sentAuth string
	refuse := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sentAuth = r.URL.User.String()
		return nil, errors.New("connection reset by peer")
	})
	c, err := iamport.New(testKey, testSecret, iamport.WithBaseURL("https://merchant:"+password+"@proxy.example/iamport"),
		iamport.WithHTTPClient(&http.Client{Transport: refuse}), iamport.WithMaxRetries(0))
	require.NoError(t, err)

	out := formats(c) + c.String()
	var logs syncBuffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("client", "c", c)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("client", "c", c, "nested", []any{c})
	out += logs.String()
	require.NotContains(t, out, password)
	require.NotContains(t, out, "merchant:")
	require.Contains(t, c.String(), "https://[REDACTED]@proxy.example/iamport")

	_, err = c.GetPayment(bg, "imp_1")
	require.Error(t, err)
	require.Contains(t, sentAuth, password, "the userinfo still reaches the server")
	require.NotContains(t, fmt.Sprintf("%v %+v", err, err), password)
}

// The SDK sends the real values of every redacted field, while the same
// request encoded by encoding/json, as a program would store or log it, is
// redacted.
func TestWireCopyCarriesRealValues(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, "/subscribe/payments/schedule", ok([]any{schedule("cust-1", "sub-1", 1893456000)}))
	m.on(http.MethodPost, "/payments/cancel", ok(payment("order-1", "status", "cancelled", "cancel_amount", 8900)))
	m.on(http.MethodGet, findPrefix+"order-1/paid", ok(payment("order-1")))
	m.on(http.MethodGet, "/payments/imp_100000000001", ok(payment("order-1")))
	c := m.client()
	req := &iamport.ScheduleRequest{CustomerUID: "cust-1", CardNumber: cardDashed, Expiry: expiryWire, Birth: birthValue,
		Pwd2Digit: pwdValue, Schedules: []iamport.ScheduleEntry{{MerchantUID: "sub-1", ScheduleAt: time.Unix(1893456000, 0),
			Amount: 8900, BuyerName: "홍길동", BuyerTel: "010-1234-5678", BuyerEmail: "hong@example.com"}}}
	_, err := c.Schedule(bg, req)
	require.NoError(t, err)
	sent := m.only(http.MethodPost, "/subscribe/payments/schedule").Body
	for _, v := range []string{cardDashed, expiryWire, birthValue, `"pwd_2digit":"` + pwdValue, "홍길동", "010-1234-5678", "hong@example.com", `"schedule_at":1893456000`} {
		require.Contains(t, sent, v)
	}
	stored, err := json.Marshal(req)
	require.NoError(t, err)
	requireNoSecrets(t, string(stored), "encoding/json of the request")
	require.NotContains(t, string(stored), "010-1234-5678")
	require.Contains(t, string(stored), `"schedule_at":1893456000`)

	_, err = c.CancelPayment(bg, &iamport.CancelRequest{MerchantUID: "order-1", FullRefund: true, Checksum: iamport.Ptr(iamport.Amount(8900)),
		RefundHolder: "홍길동", RefundBank: "88", RefundAccount: "110123456789", RefundTel: "01012345678"})
	require.NoError(t, err)
	sent = m.only(http.MethodPost, "/payments/cancel").Body
	for _, v := range []string{"홍길동", "110123456789", "01012345678"} {
		require.Contains(t, sent, v)
	}
}

// A request decoded from its redacted JSON is refused before it is sent,
// naming the field, rather than sending the placeholder to iamport.
func TestRedactedCopyIsNotSent(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	c := m.client()
	orig := iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-1", Amount: 8900, BuyerName: "홍길동"}
	b, err := json.Marshal(orig)
	require.NoError(t, err)
	var back iamport.AgainRequest
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, "[REDACTED]", back.BuyerName)
	_, err = c.Again(bg, &back)
	var ve *iamport.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "buyer_name", ve.Field)

	sched := &iamport.ScheduleRequest{CustomerUID: "cust-1", Schedules: []iamport.ScheduleEntry{
		{MerchantUID: "sub-1", ScheduleAt: time.Now().Add(time.Hour), Amount: 8900},
		{MerchantUID: "sub-2", ScheduleAt: time.Now().Add(2 * time.Hour), Amount: 8900, BuyerTel: "[REDACTED]"}}}
	_, err = c.Schedule(bg, sched)
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "schedules[1].buyer_tel", ve.Field)
	for _, r := range m.reqs {
		require.True(t, r.Method == http.MethodGet || r.Path == "/users/getToken", "nothing but reads and the token request was sent: %s %s", r.Method, r.Path)
	}
}

// What redact.go documents fmt cannot do: it calls no method on a value
// reached through an unexported field, so such a value prints field by
// field (and a pointer there too, under a verb other than %v). If Go ever
// changes this, the documentation must change with it.
func TestFmtCallsNoMethodThroughUnexportedFields(t *testing.T) {
	t.Parallel()
	req := iamport.OnetimeRequest{MerchantUID: "order-1", CardNumber: cardDashed}
	type holder struct{ req iamport.OnetimeRequest }
	type ptrHolder struct{ req *iamport.OnetimeRequest }
	require.Contains(t, fmt.Sprintf("%v", holder{req}), cardDashed)
	require.Contains(t, fmt.Sprintf("%s", ptrHolder{&req}), cardDashed)
	require.NotContains(t, fmt.Sprintf("%v %+v %#v", ptrHolder{&req}, ptrHolder{&req}, ptrHolder{&req}), cardDashed)
	require.NotContains(t, fmt.Sprintf("%v %s", req, &req), cardDashed)
}
