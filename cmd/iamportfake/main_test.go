package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// start runs the command on a free loopback port and returns its URL and
// what it printed; the server stops when the test ends.
func start(t *testing.T, args ...string) (string, []string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), pw)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var lines []string
	for len(lines) < 5 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	require.Len(t, lines, 5, "the banner")
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(30 * time.Second):
			t.Error("iamportfake did not stop")
		}
	})
	url, ok := strings.CutPrefix(lines[0], "iamportfake listening on ")
	require.True(t, ok, lines[0])
	require.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), url)
	return url, lines
}

func adminCall(t *testing.T, method, url, body string, wantStatus int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, wantStatus, resp.StatusCode, "%s %s: %s", method, url, b)
	if out != nil {
		require.NoError(t, json.Unmarshal(b, out), string(b))
	}
}

// The standalone fake, driven over HTTP: the SDK pays against it, and the
// admin API deposits into a virtual account, moves the clock, injects a
// fault and reports what it recorded.
func TestStandaloneFakeOverHTTP(t *testing.T) {
	t.Parallel()
	url, banner := start(t, "-key", "k_cmd", "-secret", "s_cmd", "-start", "2026-03-01T09:00:00Z")
	require.Contains(t, banner[1], "k_cmd")
	require.Contains(t, banner[2], "s_cmd")
	require.Contains(t, banner[3], iamporttest.TestOTP)
	require.Contains(t, banner[4], url+"/__admin/")

	ctx := context.Background()
	c, err := iamport.New("k_cmd", "s_cmd", iamport.WithBaseURL(url))
	require.NoError(t, err)
	p, err := c.Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: "cmd-order-1", Amount: 8900, Name: "n",
		CardNumber: iamporttest.CardApproved, Expiry: "2030-12"})
	require.NoError(t, err)
	require.True(t, p.Paid())

	// Wrong credentials are refused, as by the real API.
	bad, err := iamport.New("k_cmd", "wrong", iamport.WithBaseURL(url))
	require.NoError(t, err)
	_, err = bad.GetPayment(ctx, p.ImpUID)
	require.ErrorIs(t, err, iamport.ErrUnauthorized)

	var index struct{ Endpoints []string }
	adminCall(t, "GET", url+"/__admin/", "", 200, &index)
	require.NotEmpty(t, index.Endpoints)

	// The clock, which the fake started at -start.
	var clock struct {
		Now  int64
		Time string
	}
	adminCall(t, "GET", url+"/__admin/clock", "", 200, &clock)
	require.Equal(t, "2026-03-01T09:00:00Z", clock.Time)
	adminCall(t, "POST", url+"/__admin/clock", `{"advance":"2h"}`, 200, &clock)
	require.Equal(t, "2026-03-01T11:00:00Z", clock.Time)
	adminCall(t, "POST", url+"/__admin/clock", `{"set":"2026-03-02T00:00:00Z"}`, 200, &clock)
	require.Equal(t, "2026-03-02T00:00:00Z", clock.Time)
	adminCall(t, "POST", url+"/__admin/clock", `{"advance":"soon"}`, 400, nil)

	// A virtual account, paid through the admin API.
	vb, err := c.IssueVbank(ctx, &iamport.VbankRequest{ChannelKey: "ck", MerchantUID: "cmd-vbank", Amount: 12000, VbankCode: "004",
		VbankDue: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatusReady, vb.Status)
	adminCall(t, "POST", url+"/__admin/vbanks/"+vb.ImpUID+"/deposit", "", 200, nil)
	adminCall(t, "POST", url+"/__admin/vbanks/"+vb.ImpUID+"/deposit", "", 409, nil)
	got, err := c.GetPayment(ctx, vb.ImpUID)
	require.NoError(t, err)
	require.True(t, got.Paid())

	var payments []iamport.Payment
	adminCall(t, "GET", url+"/__admin/payments", "", 200, &payments)
	require.Len(t, payments, 2)
	require.Equal(t, "cmd-order-1", payments[0].MerchantUID)
	require.Equal(t, "cmd-vbank", payments[1].MerchantUID)

	// A fault: the next lookup gets a proxy's 500 page.
	adminCall(t, "POST", url+"/__admin/faults", `{"method":"GET","route":"/payments/{imp_uid}","kind":"StatusBeforeProcessing","status":500}`, 200, nil)
	_, err = c.GetPayment(ctx, p.ImpUID)
	require.ErrorIs(t, err, iamport.ErrInvalidResponse)
	_, err = c.GetPayment(ctx, p.ImpUID)
	require.NoError(t, err, "the fault was used up")
	adminCall(t, "POST", url+"/__admin/faults", `{"kind":"Explode"}`, 400, nil)

	var calls struct{ Calls int }
	adminCall(t, "GET", url+"/__admin/calls?method=GET&route=/payments/{imp_uid}", "", 200, &calls)
	require.Equal(t, 3, calls.Calls)

	// Tiers and bank accounts for the lookups that need them.
	adminCall(t, "POST", url+"/__admin/tiers", `{"code":"T01","name":"강남점"}`, 200, nil)
	tier, err := c.GetTier(ctx, "T01")
	require.NoError(t, err)
	require.Equal(t, "강남점", tier.TierName)
	adminCall(t, "POST", url+"/__admin/tiers", `{"code":"bad"}`, 400, nil)
	adminCall(t, "POST", url+"/__admin/bank-accounts", `{"bank_code":"004","number":"123-456","holder":"홍길동"}`, 200, nil)
	h, err := c.GetVbankHolder(ctx, &iamport.VbankHolderRequest{BankCode: "004", BankNum: "123456"})
	require.NoError(t, err)
	require.Equal(t, "홍길동", h.BankHolder)
	adminCall(t, "POST", url+"/__admin/declines", `{"customer_uid":"cust-1","n":1,"typo":true}`, 400, nil)

	var hooks []map[string]any
	adminCall(t, "GET", url+"/__admin/webhooks", "", 200, &hooks)
	require.Empty(t, hooks, "no webhook URL was configured")
}

// A webhook URL given on the command line receives the deposit's webhook.
func TestStandaloneFakeWebhook(t *testing.T) {
	t.Parallel()
	got := make(chan string, 4)
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
	})}
	ln := listen(t)
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()

	url, _ := start(t, "-webhook", "http://"+ln.Addr().String()+"/hook")
	c, err := iamport.New(iamporttest.DefaultAPIKey, iamporttest.DefaultAPISecret, iamport.WithBaseURL(url))
	require.NoError(t, err)
	vb, err := c.IssueVbank(context.Background(), &iamport.VbankRequest{ChannelKey: "ck", MerchantUID: "cmd-hook", Amount: 5000,
		VbankCode: "088", VbankDue: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	adminCall(t, "POST", url+"/__admin/vbanks/"+vb.ImpUID+"/deposit", "", 200, nil)
	select {
	case body := <-got:
		require.JSONEq(t, `{"imp_uid":"`+vb.ImpUID+`","merchant_uid":"cmd-hook","status":"paid"}`, body)
	case <-time.After(30 * time.Second):
		t.Fatal("no webhook")
	}
	var hooks []struct {
		Status     string
		StatusCode int `json:"status_code"`
	}
	adminCall(t, "GET", url+"/__admin/webhooks", "", 200, &hooks)
	require.Len(t, hooks, 1)
	require.Equal(t, "paid", hooks[0].Status)
	require.Equal(t, 200, hooks[0].StatusCode)
}

// The fake binds loopback only, unless told otherwise.
func TestStandaloneFakeRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0"} {
		err := run(context.Background(), []string{"-addr", addr}, io.Discard)
		require.ErrorContains(t, err, "not a loopback address", addr)
	}
	require.NoError(t, checkLoopback("localhost:8080", false))
	require.NoError(t, checkLoopback("[::1]:8080", false))
	require.NoError(t, checkLoopback("0.0.0.0:8080", true))
	require.Error(t, run(context.Background(), []string{"-addr", "127.0.0.1:0", "-start", "yesterday"}, io.Discard))
	require.Error(t, run(context.Background(), []string{"extra"}, io.Discard))
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return ln
}
