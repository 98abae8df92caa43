package iamporttest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// The slow world: latency, lookup lag, faults that lose the answer while
// the request is still processing, and racing requests. Latencies are kept
// short and every wait for processing goes through Await, never a sleep.

// awaitCtx bounds a wait for background processing generously.
func awaitCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// send sends one raw JSON request through hc under ctx and returns the HTTP
// status, or the transport error.
func send(ctx context.Context, hc *http.Client, s *iamporttest.Server, method, path, token string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", token)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func againBody(customerUID, merchantUID string, amount int) map[string]any {
	return map[string]any{"customer_uid": customerUID, "merchant_uid": merchantUID, "amount": amount, "name": "slow"}
}

// findStatus is the HTTP status of GET /payments/find/{merchant_uid}, and
// the payment's status when found.
func findStatus(t *testing.T, s *iamporttest.Server, tok, merchantUID string) (int, string) {
	t.Helper()
	r := do(t, s, "GET", "/payments/find/"+merchantUID, tok, nil)
	if r.status != 200 {
		return r.status, ""
	}
	st, _ := r.obj(t)["status"].(string)
	return r.status, st
}

func TestLatencyChargeCompletesAfterTheClientGaveUp(t *testing.T) {
	for _, visible := range []bool{false, true} {
		t.Run(map[bool]string{false: "invisible while processing", true: "ready while processing"}[visible], func(t *testing.T) {
			opts := []iamporttest.Option{}
			if visible {
				opts = append(opts, iamporttest.WithPendingVisible())
			}
			s := newFake(t, opts...)
			saveKey(t, s.Client(), "cust_slow", iamporttest.CardApproved)
			tok := getToken(t, s)
			s.SetLatency(time.Hour, time.Hour) // processing that outlasts the client
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			_, _, err := send(ctx, s.HTTPClient(), s, "POST", "/subscribe/payments/again", tok, againBody("cust_slow", "order_slow", 1000))
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.Equal(t, 1, s.Processing(), "the charge keeps running after the client gave up")

			ps := s.Payments()
			require.Len(t, ps, 1)
			require.Equal(t, iamport.PaymentStatusReady, ps[0].Status, "Payments shows the charge in processing")
			st, status := findStatus(t, s, tok, "order_slow")
			if visible {
				require.Equal(t, 200, st)
				require.Equal(t, "ready", status)
			} else {
				require.Equal(t, 404, st, "a charge in processing is invisible to lookups")
			}
			// The close ends the wait: processing completes at once.
			s.Close()
			require.NoError(t, s.Await(awaitCtx(t), "order_slow"))
			require.Equal(t, iamport.PaymentStatusPaid, s.Payments()[0].Status)
		})
	}
}

func TestLatencyAnswerArrivesAfterProcessing(t *testing.T) {
	s := newFake(t, iamporttest.WithLatency(20*time.Millisecond, 40*time.Millisecond), iamporttest.WithRandSeed(7))
	cl := s.Client()
	saveKey(t, cl, "cust_slow", iamporttest.CardApproved)
	p, err := cl.Again(context.Background(), &iamport.AgainRequest{CustomerUID: "cust_slow", MerchantUID: "order_1", Amount: 1000, Name: "slow"})
	require.NoError(t, err)
	require.True(t, p.Paid())
	require.Zero(t, s.Processing())
	got, err := cl.FindPayment(context.Background(), "order_1")
	require.NoError(t, err)
	require.Equal(t, p.ImpUID, got.ImpUID)
}

func TestRacingChargesOfOneOrderBothProcess(t *testing.T) {
	s := newFake(t)
	saveKey(t, s.Client(), "cust_race", iamporttest.CardApproved)
	tok := getToken(t, s)
	// Both arrive while neither is paid: both pass the check, both charge,
	// as iamport does for two requests that race.
	s.SetLatency(200*time.Millisecond, 200*time.Millisecond)
	var wg sync.WaitGroup
	codes := []int{-1, -1} // -1: no envelope came back
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, b, err := send(context.Background(), s.HTTPClient(), s, "POST", "/subscribe/payments/again", tok, againBody("cust_race", "order_race", 1000))
			var env envelope
			if err == nil && st == 200 && json.Unmarshal(b, &env) == nil {
				codes[i] = env.Code
			}
		}()
		// The second arrives while the first is processing.
		require.Eventually(t, func() bool { return s.Processing() > i }, 10*time.Second, time.Millisecond)
	}
	wg.Wait()
	require.Equal(t, []int{0, 0}, codes, "both answered code 0")
	paid := 0
	for _, p := range s.Payments() {
		if p.Paid() {
			paid++
		}
	}
	require.Equal(t, 2, paid)

	// Once one is paid, the next is refused on arrival.
	r := do(t, s, "POST", "/subscribe/payments/again", tok, againBody("cust_race", "order_race", 1000))
	require.Equal(t, 1, r.env.Code)
	require.Zero(t, s.Processing(), "a refused charge is not processed")
}

func TestRacingCancelsWithOneChecksumBothRefund(t *testing.T) {
	s := newFake(t)
	saveKey(t, s.Client(), "cust_cancel", iamporttest.CardApproved)
	tok := getToken(t, s)
	pay := do(t, s, "POST", "/subscribe/payments/again", tok, againBody("cust_cancel", "order_cancel", 10000)).obj(t)
	s.SetLatency(200*time.Millisecond, 200*time.Millisecond)
	body := map[string]any{"imp_uid": pay["imp_uid"], "amount": 3000, "checksum": 10000}
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, _ = send(context.Background(), s.HTTPClient(), s, "POST", "/payments/cancel", tok, body)
		}()
		require.Eventually(t, func() bool { return s.Processing() > i }, 10*time.Second, time.Millisecond)
	}
	wg.Wait()
	p := s.Payments()[0]
	require.Len(t, p.CancelHistory, 2, "the checksum is checked on arrival: both refund")
	require.Equal(t, iamport.Amount(6000), p.CancelAmount)

	// A full cancel racing a partial one: the one completing second finds
	// less left than it asked for and is refused.
	s.InjectFault("POST", "/payments/cancel", 1, iamporttest.Fault{Latency: 100 * time.Millisecond})
	s.InjectFault("POST", "/payments/cancel", 1, iamporttest.Fault{Latency: 400 * time.Millisecond})
	var st [2]int
	var bodies [2][]byte
	for i, b := range []map[string]any{{"imp_uid": pay["imp_uid"], "checksum": 4000}, {"imp_uid": pay["imp_uid"], "amount": 1000, "checksum": 4000}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st[i], bodies[i], _ = send(context.Background(), s.HTTPClient(), s, "POST", "/payments/cancel", tok, b)
		}()
		require.Eventually(t, func() bool { return s.Processing() > i }, 10*time.Second, time.Millisecond)
	}
	wg.Wait()
	p = s.Payments()[0]
	require.Equal(t, iamport.Amount(10000), p.CancelAmount, "never more than the payment")
	require.Len(t, p.CancelHistory, 3)
	var refused envelope
	require.NoError(t, json.Unmarshal(bodies[1], &refused))
	require.Equal(t, 1, refused.Code, string(bodies[1]))
}

func TestLookupLag(t *testing.T) {
	s := newFake(t, iamporttest.WithLookupLag(time.Hour))
	cl := s.Client()
	saveKey(t, cl, "cust_lag", iamporttest.CardApproved)
	tok := getToken(t, s)
	pay := do(t, s, "POST", "/subscribe/payments/again", tok, againBody("cust_lag", "order_lag", 10000)).obj(t)
	imp := pay["imp_uid"].(string)
	require.Equal(t, "paid", pay["status"], "the write's own answer is current")

	for _, path := range []string{"/payments/find/order_lag", "/payments/" + imp, "/payments/findAll/order_lag", "/payments?imp_uid[]=" + imp} {
		require.Equal(t, 404, do(t, s, "GET", path, tok, nil).status, path)
	}
	require.Len(t, s.Payments(), 1, "inspection shows the current state")

	// A cancel is checked against the real balance, not the lagging view.
	r := do(t, s, "POST", "/payments/cancel", tok, map[string]any{"imp_uid": imp, "amount": 1000, "checksum": 10000})
	require.Equal(t, 0, r.env.Code, r.msg())

	// Schedules lag too.
	at := start.Add(48 * time.Hour).Unix()
	r = do(t, s, "POST", "/subscribe/payments/schedule", tok, map[string]any{"customer_uid": "cust_lag",
		"schedules": []any{map[string]any{"merchant_uid": "sched_lag", "schedule_at": at, "amount": 1000, "name": "lag"}}})
	require.Equal(t, 0, r.env.Code, r.msg())
	require.Equal(t, 404, do(t, s, "GET", "/subscribe/payments/schedule/sched_lag", tok, nil).status)
	q := "?schedule_from=" + strconv.FormatInt(at-10, 10) + "&schedule_to=" + strconv.FormatInt(at+10, 10)
	require.Empty(t, do(t, s, "GET", "/subscribe/payments/schedule"+q, tok, nil).obj(t)["list"])

	// Without lag, lookups show everything at once.
	s.SetLookupLag(0)
	found := do(t, s, "GET", "/payments/find/order_lag", tok, nil).obj(t)
	require.Equal(t, iamport.Amount(1000).String(), iamport.Amount(found["cancel_amount"].(float64)).String())
	require.Equal(t, 200, do(t, s, "GET", "/subscribe/payments/schedule/sched_lag", tok, nil).status)
	require.Len(t, do(t, s, "GET", "/subscribe/payments/schedule"+q, tok, nil).obj(t)["list"], 1)
}

func TestFaultWhileProcessing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault iamporttest.Fault
		check func(t *testing.T, status int, err error)
	}{
		{"gateway 504", iamporttest.Fault{Kind: iamporttest.FaultStatusWhileProcessing, Latency: time.Hour}, func(t *testing.T, status int, err error) {
			require.NoError(t, err)
			require.Equal(t, http.StatusGatewayTimeout, status)
		}},
		{"gateway 408", iamporttest.Fault{Kind: iamporttest.FaultStatusWhileProcessing, Status: 408, Latency: time.Hour}, func(t *testing.T, status int, err error) {
			require.NoError(t, err)
			require.Equal(t, http.StatusRequestTimeout, status)
		}},
		{"reset", iamporttest.Fault{Kind: iamporttest.FaultDropWhileProcessing, Latency: time.Hour}, func(t *testing.T, status int, err error) {
			var op *net.OpError
			require.ErrorAs(t, err, &op)
			require.Equal(t, "read", op.Op)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFake(t)
			saveKey(t, s.Client(), "cust_gw", iamporttest.CardApproved)
			tok := getToken(t, s)
			s.InjectFault("POST", "/subscribe/payments/again", 1, tc.fault)
			st, _, err := send(context.Background(), s.HTTPClient(), s, "POST", "/subscribe/payments/again", tok, againBody("cust_gw", "order_gw", 1000))
			tc.check(t, st, err)
			require.Equal(t, 1, s.Processing(), "the charge goes on after the answer was lost")
			require.Equal(t, iamport.PaymentStatusReady, s.Payments()[0].Status)
			s.Close()
			require.NoError(t, s.Await(awaitCtx(t)))
			require.True(t, s.Payments()[0].Paid())
		})
	}
}

func TestDelayedGatewayFaults(t *testing.T) {
	s := newSocketFake(t)
	saveKey(t, s.Client(), "cust_gw", iamporttest.CardApproved)
	tok := getToken(t, s)
	hc := &http.Client{}
	// 504 after a wait, before processing: nothing is charged.
	s.InjectFault("POST", "/subscribe/payments/again", 1, iamporttest.Fault{Kind: iamporttest.FaultStatusBeforeProcessing, Status: 504, Delay: 20 * time.Millisecond})
	st, _, err := send(context.Background(), hc, s, "POST", "/subscribe/payments/again", tok, againBody("cust_gw", "order_a", 1000))
	require.NoError(t, err)
	require.Equal(t, 504, st)
	require.Empty(t, s.Payments())
	// A reset after a wait, after processing: charged.
	s.InjectFault("POST", "/subscribe/payments/again", 1, iamporttest.Fault{Kind: iamporttest.FaultDropAfterProcessing, Delay: 20 * time.Millisecond})
	_, _, err = send(context.Background(), hc, s, "POST", "/subscribe/payments/again", tok, againBody("cust_gw", "order_b", 1000))
	require.Error(t, err)
	require.Len(t, s.Payments(), 1)
	require.True(t, s.Payments()[0].Paid())
	// A 408 after processing, over the socket.
	s.InjectFault("POST", "/subscribe/payments/again", 1, iamporttest.Fault{Kind: iamporttest.FaultStatusAfterProcessing, Status: 408, Delay: 20 * time.Millisecond})
	st, _, err = send(context.Background(), hc, s, "POST", "/subscribe/payments/again", tok, againBody("cust_gw", "order_c", 1000))
	require.NoError(t, err)
	require.Equal(t, 408, st)
	require.Len(t, s.Payments(), 2)
}

func TestFaultFunc(t *testing.T) {
	for _, socket := range []bool{false, true} {
		t.Run(map[bool]string{false: "in process", true: "socket"}[socket], func(t *testing.T) {
			s := newFake(t)
			if socket {
				s = newSocketFake(t)
			}
			cl := s.Client(iamport.WithMaxRetries(0))
			saveKey(t, cl, "cust_ff", iamporttest.CardApproved)
			var mu sync.Mutex
			var seen []iamporttest.FaultRequest
			s.SetFaultFunc(func(r iamporttest.FaultRequest) (iamporttest.Fault, bool) {
				mu.Lock()
				defer mu.Unlock()
				seen = append(seen, r)
				if r.Method == "POST" && slices.Contains(r.IDs, "order_refused") {
					return iamporttest.Fault{Kind: iamporttest.FaultRefuseConnection}, true
				}
				return iamporttest.Fault{}, false
			})
			_, err := cl.Again(context.Background(), &iamport.AgainRequest{CustomerUID: "cust_ff", MerchantUID: "order_refused", Amount: 1000, Name: "ff"})
			var op *net.OpError
			require.ErrorAs(t, err, &op)
			require.Equal(t, "dial", op.Op, "refused before anything was sent")
			require.Empty(t, s.Payments())

			_, err = cl.Again(context.Background(), &iamport.AgainRequest{CustomerUID: "cust_ff", MerchantUID: "order_ok", Amount: 1000, Name: "ff"})
			require.NoError(t, err)
			mu.Lock()
			defer mu.Unlock()
			var last iamporttest.FaultRequest
			for _, r := range seen {
				if r.Route == "/subscribe/payments/again" {
					last = r
				}
			}
			require.Equal(t, "POST", last.Method)
			require.ElementsMatch(t, []string{"order_ok", "cust_ff"}, last.IDs)
			require.Equal(t, 2, s.Calls("POST", "/subscribe/payments/again"), "each request counted once")
		})
	}
}

func TestAwaitEndsWithTheContext(t *testing.T) {
	s := newFake(t, iamporttest.WithLatency(time.Hour, time.Hour))
	tok := getToken(t, s)
	go func() {
		_, _, _ = send(context.Background(), s.HTTPClient(), s, "POST", "/subscribe/customers/cust_wait", tok,
			map[string]any{"card_number": iamporttest.CardApproved, "expiry": "2030-12", "birth": "900101", "pwd_2digit": "00"})
	}()
	require.Eventually(t, func() bool { return s.Processing() == 1 }, 10*time.Second, time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.True(t, errors.Is(s.Await(ctx, "cust_wait"), context.Canceled))
	require.NoError(t, s.Await(ctx, "someone_else"), "nothing of that id is processing")
	require.Empty(t, s.BillingKeys(), "the save runs whole after the latency")
	s.Close()
	require.NoError(t, s.Await(awaitCtx(t)))
	require.Len(t, s.BillingKeys(), 1)
}
