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

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// The fault matrix: every money-moving method against every fault the fake
// can inject. For each it asserts the money-safety guarantees of the README's
// Reliability section: the fake holds at most one payment and one refund per
// order, the SDK's answer matches the fake's truth, and the call returns
// within its context deadline.

type matrixFault struct {
	name  string
	fault iamporttest.Fault
	// unmade marks a fault after which iamport did nothing, though the
	// request may have been written: no lookup can prove that it will not
	// still run, so the SDK reports an unknown outcome and never re-sends.
	unmade bool
}

var matrixFaults = []matrixFault{
	{"refused before send", iamporttest.Fault{Kind: iamporttest.FaultRefuseConnection}, false},
	{"dropped before processing", iamporttest.Fault{Kind: iamporttest.FaultDropBeforeProcessing}, true},
	{"processed then dropped", iamporttest.Fault{Kind: iamporttest.FaultDropAfterProcessing}, false},
	{"processed then slow past the timeout", iamporttest.Fault{Kind: iamporttest.FaultDelayAfterProcessing, Delay: 2500 * time.Millisecond}, false},
	{"500 HTML after processing", iamporttest.Fault{Kind: iamporttest.FaultStatusAfterProcessing, Status: 500}, false},
	{"502 before processing", iamporttest.Fault{Kind: iamporttest.FaultStatusBeforeProcessing, Status: 502}, true},
	{"truncated JSON after processing", iamporttest.Fault{Kind: iamporttest.FaultTruncateAfterProcessing}, false},
	{"401 once", iamporttest.Fault{Kind: iamporttest.FaultUnauthorized}, false},
}

// matrixClientOptions keep the matrix fast: a request timeout well under the
// slow fault's delay, a short reconciliation budget, quick backoff.
func matrixClientOptions() []iamport.Option {
	return []iamport.Option{
		iamport.WithTimeout(time.Second),
		iamport.WithReconcileTimeout(3 * time.Second),
		iamport.WithRetry(iamport.RetryPolicy{MaxRetries: 2, MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}),
	}
}

const (
	matrixCustomer = "cust_matrix"
	matrixCard     = iamporttest.CardApproved
)

type matrixMethod struct {
	name  string
	route string // the endpoint the fault is injected on
	// setup prepares the fake (without faults); run makes the call under
	// test; check asserts the fake's truth against the SDK's answer;
	// unmade asserts that the fake did nothing, after an unmade fault.
	setup  func(t *testing.T, ctx context.Context, c *iamport.Client)
	run    func(ctx context.Context, c *iamport.Client) (any, error)
	check  func(t *testing.T, srv *iamporttest.Server, res any, err error)
	unmade func(t *testing.T, srv *iamporttest.Server)
}

func saveKey(t *testing.T, ctx context.Context, c *iamport.Client) {
	t.Helper()
	_, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: matrixCustomer, CardNumber: matrixCard, Expiry: "2030-12", Birth: "900101", Pwd2Digit: "00"})
	require.NoError(t, err)
}

// paymentsOf returns the fake's payments of merchantUID.
func paymentsOf(srv *iamporttest.Server, merchantUID string) []iamport.Payment {
	var out []iamport.Payment
	for _, p := range srv.Payments() {
		if p.MerchantUID == merchantUID {
			out = append(out, p)
		}
	}
	return out
}

// requireOneCharge asserts that the fake charged merchantUID exactly once and
// that the SDK reported exactly that payment as a success.
func requireOneCharge(t *testing.T, srv *iamporttest.Server, merchantUID string, res any, err error) {
	t.Helper()
	ps := paymentsOf(srv, merchantUID)
	require.Len(t, ps, 1, "the fake must hold exactly one payment for %s", merchantUID)
	require.Equal(t, iamport.PaymentStatusPaid, ps[0].Status)
	require.NoError(t, err, "the card was charged, so the SDK must report success")
	p := res.(*iamport.Payment)
	require.Equal(t, ps[0].ImpUID, p.ImpUID)
	require.True(t, p.Paid())
}

var matrixMethods = []matrixMethod{
	{
		name:  "Onetime",
		route: "/subscribe/payments/onetime",
		setup: func(*testing.T, context.Context, *iamport.Client) {},
		run: func(ctx context.Context, c *iamport.Client) (any, error) {
			return c.Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: "order_onetime", Amount: 8900, Name: "monthly", CardNumber: matrixCard, Expiry: "2030-12", Birth: "900101", Pwd2Digit: "00"})
		},
		check: func(t *testing.T, srv *iamporttest.Server, res any, err error) {
			requireOneCharge(t, srv, "order_onetime", res, err)
		},
		unmade: func(t *testing.T, srv *iamporttest.Server) { require.Empty(t, paymentsOf(srv, "order_onetime")) },
	},
	{
		name:  "Again",
		route: "/subscribe/payments/again",
		setup: saveKey,
		run: func(ctx context.Context, c *iamport.Client) (any, error) {
			return c.Again(ctx, &iamport.AgainRequest{CustomerUID: matrixCustomer, MerchantUID: "order_again", Amount: 8900, Name: "monthly"})
		},
		check: func(t *testing.T, srv *iamporttest.Server, res any, err error) {
			requireOneCharge(t, srv, "order_again", res, err)
		},
		unmade: func(t *testing.T, srv *iamporttest.Server) { require.Empty(t, paymentsOf(srv, "order_again")) },
	},
	{
		name:  "SaveBillingKey",
		route: "/subscribe/customers/{customer_uid}",
		setup: func(*testing.T, context.Context, *iamport.Client) {},
		run: func(ctx context.Context, c *iamport.Client) (any, error) {
			return c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: matrixCustomer, CardNumber: matrixCard, Expiry: "2030-12", Birth: "900101", Pwd2Digit: "00"})
		},
		check: func(t *testing.T, srv *iamporttest.Server, res any, err error) {
			require.NoError(t, err)
			require.Len(t, srv.BillingKeys(), 1)
			require.Equal(t, matrixCustomer, res.(*iamport.BillingKey).CustomerUID)
		},
		unmade: func(t *testing.T, srv *iamporttest.Server) { require.Empty(t, srv.BillingKeys()) },
	},
	{
		name:  "Schedule",
		route: "/subscribe/payments/schedule",
		setup: saveKey,
		run: func(ctx context.Context, c *iamport.Client) (any, error) {
			at := time.Now().Add(48 * time.Hour)
			return c.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: matrixCustomer, Schedules: []iamport.ScheduleEntry{
				{MerchantUID: "order_s1", ScheduleAt: at, Amount: 8900, Name: "m1"},
				{MerchantUID: "order_s2", ScheduleAt: at.AddDate(0, 1, 0), Amount: 8900, Name: "m2"},
			}})
		},
		check: func(t *testing.T, srv *iamporttest.Server, res any, err error) {
			require.NoError(t, err)
			got := res.([]iamport.Schedule)
			require.Len(t, got, 2)
			require.Equal(t, "order_s1", got[0].MerchantUID)
			require.Equal(t, "order_s2", got[1].MerchantUID)
			count := map[string]int{}
			for _, s := range srv.Schedules() {
				count[s.MerchantUID]++
				require.Equal(t, iamport.ScheduleStatusScheduled, s.ScheduleStatus)
			}
			require.Equal(t, map[string]int{"order_s1": 1, "order_s2": 1}, count)
		},
		unmade: func(t *testing.T, srv *iamporttest.Server) { require.Empty(t, srv.Schedules()) },
	},
	{
		name:  "Unschedule",
		route: "/subscribe/payments/unschedule",
		setup: func(t *testing.T, ctx context.Context, c *iamport.Client) {
			saveKey(t, ctx, c)
			at := time.Now().Add(48 * time.Hour)
			_, err := c.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: matrixCustomer, Schedules: []iamport.ScheduleEntry{
				{MerchantUID: "order_u1", ScheduleAt: at, Amount: 8900, Name: "m1"},
				{MerchantUID: "order_u2", ScheduleAt: at.AddDate(0, 1, 0), Amount: 8900, Name: "m2"},
			}})
			require.NoError(t, err)
		},
		run: func(ctx context.Context, c *iamport.Client) (any, error) {
			return c.Unschedule(ctx, &iamport.UnscheduleRequest{CustomerUID: matrixCustomer, MerchantUIDs: []string{"order_u1", "order_u2"}})
		},
		check: func(t *testing.T, srv *iamporttest.Server, res any, err error) {
			require.NoError(t, err)
			require.Len(t, res.([]iamport.Schedule), 2)
			for _, s := range srv.Schedules() {
				require.Equal(t, iamport.ScheduleStatusRevoked, s.ScheduleStatus, s.MerchantUID)
			}
		},
		unmade: func(t *testing.T, srv *iamporttest.Server) {
			for _, s := range srv.Schedules() {
				require.Equal(t, iamport.ScheduleStatusScheduled, s.ScheduleStatus, s.MerchantUID)
			}
		},
	},
	{
		name:  "CancelPayment",
		route: "/payments/cancel",
		setup: func(t *testing.T, ctx context.Context, c *iamport.Client) {
			_, err := c.Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: "order_cancel", Amount: 10000, Name: "refund me", CardNumber: matrixCard, Expiry: "2030-12", Birth: "900101", Pwd2Digit: "00"})
			require.NoError(t, err)
		},
		run: func(ctx context.Context, c *iamport.Client) (any, error) {
			return c.CancelPayment(ctx, &iamport.CancelRequest{MerchantUID: "order_cancel", Amount: 3000, Reason: "partial refund"})
		},
		check: func(t *testing.T, srv *iamporttest.Server, res any, err error) {
			ps := paymentsOf(srv, "order_cancel")
			require.Len(t, ps, 1)
			require.Len(t, ps[0].CancelHistory, 1, "exactly one refund")
			require.Equal(t, int64(300000), ps[0].CancelAmount.Cents())
			require.NoError(t, err, "the refund was made, so the SDK must report success")
			p := res.(*iamport.Payment)
			require.Equal(t, int64(700000), p.Balance().Cents())
		},
		unmade: func(t *testing.T, srv *iamporttest.Server) {
			ps := paymentsOf(srv, "order_cancel")
			require.Len(t, ps, 1)
			require.Empty(t, ps[0].CancelHistory, "no refund")
		},
	},
}

func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	for _, m := range matrixMethods {
		for _, f := range matrixFaults {
			m, f := m, f
			t.Run(m.name+"/"+f.name, func(t *testing.T) {
				t.Parallel()
				srv := iamporttest.NewServer()
				defer srv.Close()
				c := srv.Client(matrixClientOptions()...)
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				m.setup(t, ctx, c)

				method := "POST"
				before := srv.Calls(method, m.route)
				callsBefore := func(f matrixFault) int {
					if f.fault.Kind == iamporttest.FaultRefuseConnection || f.fault.Kind == iamporttest.FaultUnauthorized {
						return before + 1 // refused before it was written, or by the token check: sent again
					}
					return before
				}
				srv.InjectFault(method, m.route, 1, f.fault)
				res, err := m.run(ctx, c)
				require.NoError(t, ctx.Err(), "the call must return within its context deadline")
				require.Equal(t, 1, srv.Calls(method, m.route)-callsBefore(f), "a request that may have been written is never re-sent")
				var unknown *iamport.OutcomeUnknownError
				if f.unmade {
					require.ErrorAs(t, err, &unknown, "nothing shows, and the request may still run: unknown")
					m.unmade(t, srv)
					return
				}
				require.False(t, errors.As(err, &unknown), "lookups work, so the outcome is knowable: %v", err)
				m.check(t, srv, res, err)
			})
		}
	}
}

// When the answer is lost and the lookups fail too, the SDK cannot know, and
// says so with an *OutcomeUnknownError instead of a plain error that invites
// a re-send.
func TestOutcomeUnknownWhenLookupsFail(t *testing.T) {
	t.Parallel()
	srv := iamporttest.NewServer()
	defer srv.Close()
	// The order's attempts are listed once before the charge; every later
	// lookup fails.
	lookups := &failAfter{rt: srv.Transport(), prefix: "/payments/findAll/", pass: 1}
	c := srv.Client(iamport.WithHTTPClient(&http.Client{Transport: lookups}),
		iamport.WithTimeout(2*time.Second), iamport.WithReconcileTimeout(2*time.Second),
		iamport.WithRetry(iamport.RetryPolicy{MaxRetries: 1, MinBackoff: 5 * time.Millisecond, MaxBackoff: 10 * time.Millisecond}))
	ctx := context.Background()
	saveKey(t, ctx, c)
	srv.InjectFault("POST", "/subscribe/payments/again", 1, iamporttest.Fault{Kind: iamporttest.FaultDropAfterProcessing})

	p, err := c.Again(ctx, &iamport.AgainRequest{CustomerUID: matrixCustomer, MerchantUID: "order_unknown", Amount: 8900, Name: "monthly"})
	require.Nil(t, p)
	var unknown *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown)
	require.Equal(t, "order_unknown", unknown.MerchantUID)
	require.Contains(t, err.Error(), "charge or refund twice")
	// The truth the SDK could not see: the card was charged once.
	require.Len(t, paymentsOf(srv, "order_unknown"), 1)
	require.Equal(t, 1, srv.Calls("POST", "/subscribe/payments/again"), "an unknown outcome is never re-sent")
}

// A declined card whose answer was lost is reported as declined, not as an
// error to retry and not as paid.
func TestLostDeclineIsReportedAsDeclined(t *testing.T) {
	t.Parallel()
	srv := iamporttest.NewServer()
	defer srv.Close()
	c := srv.Client(matrixClientOptions()...)
	ctx := context.Background()
	_, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: matrixCustomer, CardNumber: iamporttest.CardDeclinedFunds, Expiry: "2030-12", Birth: "900101"})
	require.NoError(t, err)
	srv.InjectFault("POST", "/subscribe/payments/again", 1, iamporttest.Fault{Kind: iamporttest.FaultTruncateAfterProcessing})
	p, err := c.Again(ctx, &iamport.AgainRequest{CustomerUID: matrixCustomer, MerchantUID: "order_declined", Amount: 8900, Name: "monthly"})
	var declined *iamport.DeclinedError
	require.ErrorAs(t, err, &declined)
	require.Equal(t, iamport.PaymentStatusFailed, p.Status)
	ps := paymentsOf(srv, "order_declined")
	require.Len(t, ps, 1)
	require.Equal(t, iamport.PaymentStatusFailed, ps[0].Status)
}

// A context that ends while the answer is outstanding leaves the outcome
// unknown; the error says so and still matches context.DeadlineExceeded.
func TestDeadlineDuringChargeIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	srv := iamporttest.NewServer()
	defer srv.Close()
	c := srv.Client(matrixClientOptions()...)
	saveKey(t, context.Background(), c)
	srv.InjectFault("POST", "/subscribe/payments/again", 1, iamporttest.Fault{Kind: iamporttest.FaultDelayAfterProcessing, Delay: 4 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := c.Again(ctx, &iamport.AgainRequest{CustomerUID: matrixCustomer, MerchantUID: "order_deadline", Amount: 8900, Name: "monthly"})
	var unknown *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Equal(t, 1, srv.Calls("POST", "/subscribe/payments/again"))
}

// 1,000 concurrent calls across a token expiry cause exactly one token
// request per expiry.
func TestConcurrentCallsAcrossTokenExpiry(t *testing.T) {
	t.Parallel()
	srv := iamporttest.NewServer()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()
	_, err := c.Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: "order_tok", Amount: 1000, Name: "t", CardNumber: matrixCard, Expiry: "2030-12", Birth: "900101"})
	require.NoError(t, err)
	imp := srv.Payments()[0].ImpUID
	require.Equal(t, 1, srv.Calls("POST", "/users/getToken"))

	burst := func() {
		var wg sync.WaitGroup
		errs := make(chan error, 1000)
		for i := 0; i < 1000; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.GetPayment(ctx, imp)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
	}
	burst()
	require.Equal(t, 1, srv.Calls("POST", "/users/getToken"))
	srv.Advance(31 * time.Minute) // the fake's token expires
	burst()
	require.Equal(t, 2, srv.Calls("POST", "/users/getToken"), "one token request per expiry")
	srv.Advance(31 * time.Minute)
	burst()
	require.Equal(t, 3, srv.Calls("POST", "/users/getToken"))
}

// The redaction audit: every method, failures and reconciliation included,
// with debug logging into a buffer; every error and request formatted with
// every verb; no secret anywhere.
func TestRedactionAudit(t *testing.T) {
	t.Parallel()
	srv := iamporttest.NewServer()
	defer srv.Close()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := srv.Client(append(matrixClientOptions(), iamport.WithLogger(logger))...)
	ctx := context.Background()

	const (
		cardNumber = "4242-4242-4242-4242"
		expiry     = "2031-07"
		birth      = "880514"
		pwd        = "47"
	)
	var seen []string
	record := func(vals ...any) {
		for _, v := range vals {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
				seen = append(seen, fmt.Sprintf(verb, v))
			}
			logger.Info("value", "v", v)
		}
	}
	onetime := &iamport.OnetimeRequest{MerchantUID: "order_r1", Amount: 1000, Name: "r", CardNumber: cardNumber, Expiry: expiry, Birth: birth, Pwd2Digit: pwd, CustomerUID: "cust_r"}
	save := &iamport.SaveBillingKeyRequest{CustomerUID: "cust_r2", CardNumber: cardNumber, Expiry: expiry, Birth: birth, Pwd2Digit: pwd}
	sched := &iamport.ScheduleRequest{CustomerUID: "cust_r3", CardNumber: cardNumber, Expiry: expiry, Birth: birth, Pwd2Digit: pwd,
		Schedules: []iamport.ScheduleEntry{{MerchantUID: "order_r3", ScheduleAt: time.Now().Add(time.Hour), Amount: 1000, Name: "r"}}}
	again := &iamport.AgainRequest{CustomerUID: "cust_r", MerchantUID: "order_r2", Amount: 1000, Name: "r"}
	cancelReq := &iamport.CancelRequest{MerchantUID: "order_r1", Amount: 100, RefundAccount: "110-222-333333"}
	record(c, *onetime, onetime, *save, save, *sched, sched, *again, again, *cancelReq, cancelReq)

	// Faults so that retries and reconciliation log too.
	srv.InjectFault("POST", "/subscribe/payments/onetime", 1, iamporttest.Fault{Kind: iamporttest.FaultDropAfterProcessing})
	_, err := c.Onetime(ctx, onetime)
	record(err)
	srv.InjectFault("POST", "/subscribe/customers/{customer_uid}", 1, iamporttest.Fault{Kind: iamporttest.FaultStatusAfterProcessing, Status: 500})
	_, err = c.SaveBillingKey(ctx, save)
	record(err)
	_, err = c.Schedule(ctx, sched)
	record(err)
	_, err = c.Again(ctx, again)
	record(err)
	_, err = c.CancelPayment(ctx, cancelReq)
	record(err)
	_, err = c.Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: "order_r4", Amount: 1000, CardNumber: iamporttest.CardRejected, Expiry: expiry, Birth: birth, Pwd2Digit: pwd})
	require.Error(t, err)
	record(err)
	_, err = c.Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: "order_r5", Amount: 1000, CardNumber: iamporttest.CardDeclinedLimit, Expiry: expiry, Birth: birth, Pwd2Digit: pwd})
	require.Error(t, err)
	record(err)
	_, err = c.Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: "order_r6", Amount: 1000, CardNumber: cardNumber + "9999", Expiry: expiry, Birth: birth, Pwd2Digit: pwd})
	require.Error(t, err)
	record(err)
	bad, err := iamport.New(srv.APIKey, "wrong-secret-value", iamport.WithBaseURL(srv.URL), iamport.WithLogger(logger))
	require.NoError(t, err)
	_, err = bad.GetPayment(ctx, "imp_000000000000")
	require.ErrorIs(t, err, iamport.ErrUnauthorized)
	record(err, bad)

	all := logs.String() + strings.Join(seen, "\n")
	secrets := map[string]string{
		"API secret": srv.APISecret, "wrong secret": "wrong-secret-value",
		"card number": cardNumber, "card digits": "4242424242424242", "expiry": expiry, "birth": birth,
		"refund account": "110-222-333333",
	}
	for name, s := range secrets {
		require.NotContains(t, all, s, "%s leaked", name)
	}
	require.NotContains(t, all, `"47"`, "pwd_2digit leaked")
	require.NotContains(t, all, "Pwd2Digit:47", "pwd_2digit leaked")
	// The fake hands out the same token while it is valid: ask for it.
	resp, err := http.Post(srv.URL+"/users/getToken", "application/json",
		strings.NewReader(`{"imp_key":"`+srv.APIKey+`","imp_secret":"`+srv.APISecret+`"}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	var tok struct {
		Response struct {
			AccessToken string `json:"access_token"`
		} `json:"response"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	require.NotEmpty(t, tok.Response.AccessToken)
	require.NotContains(t, all, tok.Response.AccessToken, "access token leaked")
	require.Contains(t, logs.String(), "iamport request", "debug logging was on")
}

// A request that timed out may still be running at iamport: lookups that
// find nothing prove nothing, so the SDK never re-sends it, and reports an
// unknown outcome when its time runs out.
func TestTimedOutChargeIsNeverResent(t *testing.T) {
	t.Parallel()
	srv := iamporttest.NewServer()
	defer srv.Close()
	c := srv.Client(iamport.WithTimeout(time.Second), iamport.WithReconcileTimeout(2*time.Second),
		iamport.WithRetry(iamport.RetryPolicy{MaxRetries: 2, MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}))
	ctx := context.Background()
	saveKey(t, ctx, c)
	// The fake is still "working" when the client gives up, and then drops it.
	srv.InjectFault("POST", "/subscribe/payments/again", 1, iamporttest.Fault{Kind: iamporttest.FaultDelayBeforeProcessing, Delay: 4 * time.Second})

	p, err := c.Again(ctx, &iamport.AgainRequest{CustomerUID: matrixCustomer, MerchantUID: "order_timeout", Amount: 8900, Name: "monthly"})
	require.Nil(t, p)
	var unknown *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Equal(t, "order_timeout", unknown.MerchantUID)
	require.Equal(t, 1, srv.Calls("POST", "/subscribe/payments/again"), "a timed-out charge is never re-sent")
	require.Greater(t, srv.Calls("GET", "/payments/findAll/{merchant_uid}"), 2, "the outcome was looked up")
}

// A success answer about another order says nothing about this one: the SDK
// looks its own order up instead of reporting the other one.
func TestChargeAnswerForAnotherOrderIsNotTrusted(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", "https://api.iamport.kr/users/getToken",
		httpmock.NewStringResponder(200, fmt.Sprintf(`{"code":0,"response":{"access_token":"t","now":%d,"expired_at":%d}}`, time.Now().Unix(), time.Now().Unix()+1800)))
	mt.RegisterResponder("POST", "https://api.iamport.kr/subscribe/payments/again",
		httpmock.NewStringResponder(200, `{"code":0,"response":{"imp_uid":"imp_000000000009","merchant_uid":"someone_else","amount":8900,"status":"paid"}}`))
	mt.RegisterResponder("GET", "=~^https://api.iamport.kr/payments/findAll/order_mine",
		httpmock.ResponderFromMultipleResponses([]*http.Response{
			httpmock.NewStringResponse(404, `{"code":1,"message":"존재하지 않는 결제정보입니다.","response":null}`),
			httpmock.NewStringResponse(200, fmt.Sprintf(`{"code":0,"response":{"total":1,"list":[{"imp_uid":"imp_000000000001","merchant_uid":"order_mine","amount":8900,"currency":"KRW","customer_uid":%q,"status":"paid","paid_at":%d}]}}`, matrixCustomer, time.Now().Unix())),
		}))
	c, err := iamport.New("key", "secret", iamport.WithHTTPClient(&http.Client{Transport: mt}), iamport.WithReconcileTimeout(2*time.Second))
	require.NoError(t, err)

	p, err := c.Again(context.Background(), &iamport.AgainRequest{CustomerUID: matrixCustomer, MerchantUID: "order_mine", Amount: 8900, Name: "m"})
	require.NoError(t, err)
	require.Equal(t, "order_mine", p.MerchantUID)
	require.Equal(t, "imp_000000000001", p.ImpUID)
	require.Equal(t, 1, mt.GetCallCountInfo()["POST https://api.iamport.kr/subscribe/payments/again"])
}
