package iamporttest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

var (
	kst   = time.FixedZone("KST", 9*60*60)
	start = time.Date(2025, 3, 1, 9, 0, 0, 0, kst)
)

// newFake starts an in-process fake at a fixed time and closes it with the
// test.
func newFake(t *testing.T, opts ...iamporttest.Option) *iamporttest.Server {
	t.Helper()
	s := iamporttest.NewInProcess(append([]iamporttest.Option{iamporttest.WithStartTime(start)}, opts...)...)
	t.Cleanup(s.Close)
	return s
}

// newSocketFake is newFake on a loopback port.
func newSocketFake(t *testing.T, opts ...iamporttest.Option) *iamporttest.Server {
	t.Helper()
	s := iamporttest.NewServer(append([]iamporttest.Option{iamporttest.WithStartTime(start)}, opts...)...)
	t.Cleanup(s.Close)
	return s
}

// fastClient is s.Client with short reconciliation, for fault tests.
func fastClient(s *iamporttest.Server, opts ...iamport.Option) *iamport.Client {
	return s.Client(append([]iamport.Option{
		iamport.WithReconcileTimeout(400 * time.Millisecond),
		iamport.WithRetry(iamport.RetryPolicy{MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}),
	}, opts...)...)
}

// envelope is the API's answer, with the response kept raw.
type envelope struct {
	Code     int             `json:"code"`
	Message  *string         `json:"message"`
	Response json.RawMessage `json:"response"`
}

// rawResult is one raw HTTP exchange.
type rawResult struct {
	status int
	ctype  string
	body   []byte
	env    envelope
}

// obj decodes the envelope's response as an object.
func (r rawResult) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.env.Response, &m), string(r.body))
	return m
}

// list decodes the envelope's response as a list of objects.
func (r rawResult) list(t *testing.T) []map[string]any {
	t.Helper()
	var l []map[string]any
	require.NoError(t, json.Unmarshal(r.env.Response, &l), string(r.body))
	return l
}

func (r rawResult) msg() string {
	if r.env.Message == nil {
		return ""
	}
	return *r.env.Message
}

// getToken fetches an access token with raw HTTP.
func getToken(t *testing.T, s *iamporttest.Server) string {
	t.Helper()
	r := do(t, s, "POST", "/users/getToken", "", map[string]string{"imp_key": s.APIKey, "imp_secret": s.APISecret})
	require.Equal(t, 200, r.status, string(r.body))
	return r.obj(t)["access_token"].(string)
}

// do sends one raw request through s.HTTPClient. body is encoded as JSON
// unless it is a string (sent as is, form-encoded) or url.Values.
func do(t *testing.T, s *iamporttest.Server, method, path, token string, body any) rawResult {
	t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ctype = strings.NewReader(b), "application/x-www-form-urlencoded"
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case []byte:
		rd, ctype = bytes.NewReader(b), "application/json"
	default:
		j, err := json.Marshal(b)
		require.NoError(t, err)
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequestWithContext(context.Background(), method, s.URL+path, rd)
	require.NoError(t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := s.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out := rawResult{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type")}
	out.body, err = io.ReadAll(resp.Body)
	require.NoError(t, err)
	if strings.HasPrefix(out.ctype, "application/json") {
		require.NoError(t, json.Unmarshal(out.body, &out.env), string(out.body))
	}
	return out
}

// card returns a onetime request for a test card.
func onetime(merchantUID, cardNumber string, amount iamport.Amount) *iamport.OnetimeRequest {
	return &iamport.OnetimeRequest{MerchantUID: merchantUID, Amount: amount, CardNumber: cardNumber, Expiry: "2030-12",
		Birth: "900101", Pwd2Digit: "12", Name: "주문"}
}

// saveKey issues a billing key from a test card.
func saveKey(t *testing.T, cl *iamport.Client, customerUID, cardNumber string) *iamport.BillingKey {
	t.Helper()
	bk, err := cl.SaveBillingKey(context.Background(), &iamport.SaveBillingKeyRequest{
		CustomerUID: customerUID, CardNumber: cardNumber, Expiry: "2030-12", Birth: "900101", Pwd2Digit: "12",
		CustomerName: "홍길동", CustomerEmail: "hong@example.com",
	})
	require.NoError(t, err)
	return bk
}

// receiver records webhooks; its handler may call back into the fake.
type receiver struct {
	mu     sync.Mutex
	bodies []string
	ctypes []string
	status int
	onHook func(body []byte)
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.bodies = append(rc.bodies, string(b))
	rc.ctypes = append(rc.ctypes, r.Header.Get("Content-Type"))
	st, fn := rc.status, rc.onHook
	rc.mu.Unlock()
	if fn != nil {
		fn(b)
	}
	if st == 0 {
		st = http.StatusOK
	}
	w.WriteHeader(st)
}

// apiErr asserts err is an *iamport.APIError and returns it.
func apiErr(t *testing.T, err error) *iamport.APIError {
	t.Helper()
	var ae *iamport.APIError
	require.ErrorAs(t, err, &ae)
	return ae
}
