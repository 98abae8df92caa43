package iamport_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// sweepShop is a merchant's side of a sweep: its plans by billing key and the
// payments it recorded, once per (imp_uid, status).
type sweepShop struct {
	plans map[string][]*iamport.Plan

	mu        sync.Mutex
	lookups   int
	calls     int // OnPayment calls
	records   map[string]iamport.Payment
	exhausted map[string]bool // merchant_uid
	fail      error           // OnPayment's answer, when set
}

func newSweepShop(plans ...*iamport.Plan) *sweepShop {
	s := &sweepShop{plans: map[string][]*iamport.Plan{}, records: map[string]iamport.Payment{}, exhausted: map[string]bool{}}
	for _, p := range plans {
		s.plans[p.CustomerUID] = append(s.plans[p.CustomerUID], p)
	}
	return s
}

func (s *sweepShop) lookup(_ context.Context, uids []string) (map[string][]*iamport.Plan, error) {
	s.mu.Lock()
	s.lookups++
	s.mu.Unlock()
	out := map[string][]*iamport.Plan{}
	for _, u := range uids {
		if ps, ok := s.plans[u]; ok {
			out[u] = ps
		}
	}
	return out, nil
}

func (s *sweepShop) onPayment(_ context.Context, _ *iamport.Plan, p *iamport.Payment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		return s.fail
	}
	key := p.ImpUID + "/" + string(p.Status)
	if _, dup := s.records[key]; !dup {
		s.records[key] = *p
	}
	return nil
}

func (s *sweepShop) onExhausted(_ context.Context, _ *iamport.Plan, p *iamport.Payment) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exhausted[p.MerchantUID] = true
	return nil
}

func (s *sweepShop) sweeper(c *iamport.Client) *iamport.Sweeper {
	return &iamport.Sweeper{Client: c, Plans: s.lookup, OnPayment: s.onPayment, OnExhausted: s.onExhausted}
}

var sweepStart = time.Date(2030, 1, 1, 9, 0, 0, 0, time.FixedZone("KST", 9*60*60))

// sweepPlan is a monthly plan of 3 cycles on customerUID, first billed a day
// after sweepStart.
func sweepPlan(customerUID string) *iamport.Plan {
	return &iamport.Plan{CustomerUID: customerUID, Amount: 8900, Name: "Monthly subscription",
		Anchor: sweepStart.Add(24 * time.Hour), Cycles: 3}
}

// sweepFake starts a fake without any webhook URL, so every webhook is
// lost, saves a billing key for each plan and schedules its first cycle.
func sweepFake(t *testing.T, plans ...*iamport.Plan) (*iamporttest.Server, *iamport.Client) {
	t.Helper()
	srv := iamporttest.NewInProcess(iamporttest.WithStartTime(sweepStart))
	t.Cleanup(srv.Close)
	c := srv.Client()
	ctx := context.Background()
	for _, p := range plans {
		_, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: p.CustomerUID,
			CardNumber: iamporttest.CardApproved, Expiry: "2035-12", Birth: "900101", Pwd2Digit: "00"})
		require.NoError(t, err)
		_, err = c.ScheduleCycle(ctx, p, 1)
		require.NoError(t, err)
	}
	return srv, c
}

func collect(t *testing.T, seq func(func(*iamport.SweepResult, error) bool)) []*iamport.SweepResult {
	t.Helper()
	var out []*iamport.SweepResult
	for r, err := range seq {
		require.NotNil(t, r, "sweep stopped: %v", err)
		out = append(out, r)
	}
	return out
}

func TestSweepRecoversALostWebhook(t *testing.T) {
	t.Parallel()
	plan := sweepPlan("sweep_cust_1")
	srv, c := sweepFake(t, plan)
	shop := newSweepShop(plan)
	sw := shop.sweeper(c)
	ctx := context.Background()

	srv.Advance(25 * time.Hour) // cycle 1 is paid; its webhook goes nowhere
	require.Len(t, srv.Payments(), 1)

	rs := collect(t, sw.Sweep(ctx))
	require.Len(t, rs, 1)
	r := rs[0]
	require.NoError(t, r.Err)
	require.Equal(t, iamport.SweepFollowedUp, r.Outcome)
	require.Same(t, plan, r.Plan)
	require.Equal(t, plan.MerchantUID(1, 0), r.Schedule.MerchantUID)
	require.Equal(t, srv.Payments()[0].ImpUID, r.Payment.ImpUID)
	require.True(t, r.Payment.Paid())
	require.Equal(t, plan.MerchantUID(2, 0), r.Next.MerchantUID)
	require.True(t, r.Next.ScheduleAt.Equal(plan.BillingTime(2)))
	require.Len(t, shop.records, 1)

	// Again, and again at once on two replicas: nothing more is scheduled.
	schedules := len(srv.Schedules())
	var wg sync.WaitGroup
	reports := make([]*iamport.SweepReport, 2)
	for i := range reports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := shop.sweeper(srv.Client()).Run(ctx)
			require.NoError(t, err)
			reports[i] = rep
		}()
	}
	wg.Wait()
	for _, rep := range reports {
		require.Equal(t, 1, rep.Outcomes[iamport.SweepFollowedUp], rep.String())
	}
	require.Len(t, srv.Schedules(), schedules)
	require.Len(t, shop.records, 1, "the payment is recorded once")
	require.Equal(t, 3, shop.calls, "OnPayment is called on every sweep: it must be idempotent")

	// The recovered chain goes on.
	srv.Advance(plan.BillingTime(2).Sub(srv.Now()) + time.Hour)
	require.Len(t, srv.Payments(), 2)
	require.Equal(t, plan.MerchantUID(2, 0), srv.Payments()[1].MerchantUID)
}

func TestSweepRetriesAFailedCycleThenGivesUp(t *testing.T) {
	t.Parallel()
	plan := sweepPlan("sweep_cust_2")
	plan.Retry = []time.Duration{24 * time.Hour}
	srv, c := sweepFake(t, plan)
	shop := newSweepShop(plan)
	sw := shop.sweeper(c)
	ctx := context.Background()

	srv.DeclineCharges(plan.CustomerUID, 2, "카드한도초과")
	srv.Advance(25 * time.Hour)
	rep, err := sw.Run(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Outcomes[iamport.SweepFollowedUp], rep.String())
	retry, err := c.GetSchedule(ctx, plan.MerchantUID(1, 1))
	require.NoError(t, err, "the retry is scheduled")
	require.Equal(t, iamport.ScheduleStatusScheduled, retry.ScheduleStatus)

	srv.Advance(24 * time.Hour) // the retry fails too
	rs := collect(t, sw.Sweep(ctx))
	require.Len(t, rs, 2, "both attempts are in the 48-hour window")
	require.Equal(t, iamport.SweepFollowedUp, rs[0].Outcome, "the first attempt's retry exists")
	require.Equal(t, plan.MerchantUID(1, 1), rs[0].Next.MerchantUID)
	require.Equal(t, iamport.SweepExhausted, rs[1].Outcome)
	require.NoError(t, rs[1].Err)
	require.True(t, shop.exhausted[plan.MerchantUID(1, 1)])
	require.Equal(t, iamport.PaymentStatusFailed, rs[1].Payment.Status)
	require.Equal(t, "카드한도초과", rs[1].Payment.FailReason)
	for _, s := range srv.Schedules() {
		require.NotEqual(t, iamport.ScheduleStatusScheduled, s.ScheduleStatus, "nothing pending after the last retry: %s", s.MerchantUID)
	}
}

func TestSweepLeavesOtherSchedulesAlone(t *testing.T) {
	t.Parallel()
	plan := sweepPlan("sweep_cust_3")
	other := sweepPlan("not_a_plan_of_ours")
	srv, c := sweepFake(t, plan, other)
	shop := newSweepShop(plan) // knows only plan
	// A hand-made schedule on plan's own billing key, outside the plan.
	_, err := c.Schedule(context.Background(), &iamport.ScheduleRequest{CustomerUID: plan.CustomerUID,
		Schedules: []iamport.ScheduleEntry{{MerchantUID: "manual-order-1", ScheduleAt: sweepStart.Add(2 * time.Hour), Amount: 500}}})
	require.NoError(t, err)
	srv.Advance(25 * time.Hour)

	rep, err := shop.sweeper(c).Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, 3, rep.Schedules)
	require.Equal(t, 2, rep.Outcomes[iamport.SweepNotOurs], rep.String())
	require.Equal(t, 1, rep.Outcomes[iamport.SweepFollowedUp], rep.String())
	require.Equal(t, 1, shop.calls, "OnPayment sees only the plan's payment")
	_, err = c.GetSchedule(context.Background(), other.MerchantUID(2, 0))
	require.ErrorIs(t, err, iamport.ErrNotFound, "another system's chain is not extended")
}

func TestSweepOnPaymentDecidesTheFollowUp(t *testing.T) {
	t.Parallel()
	plan := sweepPlan("sweep_cust_4")
	srv, c := sweepFake(t, plan)
	shop := newSweepShop(plan)
	srv.Advance(25 * time.Hour)
	ctx := context.Background()

	shop.fail = errors.New("database is down")
	rep, err := shop.sweeper(c).Run(ctx)
	require.ErrorContains(t, err, "database is down")
	require.ErrorContains(t, err, "1 of 1 schedules failed")
	require.Equal(t, 1, rep.Outcomes[iamport.SweepFailed])
	require.Len(t, rep.Failures, 1)
	require.Contains(t, rep.String(), "1 failed")
	_, err = c.GetSchedule(ctx, plan.MerchantUID(2, 0))
	require.ErrorIs(t, err, iamport.ErrNotFound, "nothing follows a payment the merchant could not record")

	shop.fail = fmt.Errorf("subscription cancelled: %w", iamport.ErrSkipFollowUp)
	rep, err = shop.sweeper(c).Run(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Outcomes[iamport.SweepSkipped])
	_, err = c.GetSchedule(ctx, plan.MerchantUID(2, 0))
	require.ErrorIs(t, err, iamport.ErrNotFound)

	shop.fail = nil
	rep, err = shop.sweeper(c).Run(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Outcomes[iamport.SweepFollowedUp], "a later sweep finishes the job")
}

func TestSweepBatchesItsRequests(t *testing.T) {
	t.Parallel()
	const n = 1050
	plans := make([]*iamport.Plan, n)
	for i := range plans {
		plans[i] = sweepPlan(fmt.Sprintf("batch_cust_%04d", i))
	}
	srv, c := sweepFake(t, plans...)
	shop := newSweepShop(plans...)
	srv.Advance(25 * time.Hour)
	before := func(route, method string) int { return srv.Calls(method, route) }
	list0, multi0, one0 := before("/subscribe/payments/schedule", "GET"), before("/payments", "GET"), before("/payments/{imp_uid}", "GET")

	rep, err := shop.sweeper(c).Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, n, rep.Outcomes[iamport.SweepFollowedUp], rep.String())
	require.Equal(t, 2, srv.Calls("GET", "/subscribe/payments/schedule")-list0, "pages of 1000")
	require.Equal(t, 11, srv.Calls("GET", "/payments")-multi0, "payments fetched 100 at a time")
	require.Zero(t, srv.Calls("GET", "/payments/{imp_uid}")-one0, "never one payment at a time")
	require.Equal(t, 11, shop.lookups, "plans looked up 100 at a time")
	for _, p := range plans {
		s, err := c.GetSchedule(context.Background(), p.MerchantUID(2, 0))
		require.NoError(t, err)
		require.Equal(t, iamport.ScheduleStatusScheduled, s.ScheduleStatus)
	}
}

func TestSweepStopsWhenItCannotGoOn(t *testing.T) {
	t.Parallel()
	plan := sweepPlan("sweep_cust_5")
	srv, c := sweepFake(t, plan)
	srv.Advance(25 * time.Hour)
	ctx := context.Background()
	shop := newSweepShop(plan)

	sw := shop.sweeper(c)
	sw.Plans = func(context.Context, []string) (map[string][]*iamport.Plan, error) {
		return nil, errors.New("plans table is locked")
	}
	rep, err := sw.Run(ctx)
	require.ErrorContains(t, err, "plans table is locked")
	require.Equal(t, err, rep.Err)
	require.Contains(t, rep.String(), "stopped")

	srv.InjectFault("GET", "/subscribe/payments/schedule", 1, iamporttest.Fault{Kind: iamporttest.FaultStatusBeforeProcessing, Status: 400})
	_, err = shop.sweeper(c).Run(ctx)
	require.ErrorContains(t, err, "listing schedules")

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = shop.sweeper(c).Run(cctx)
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, shop.calls)

	for _, bad := range []*iamport.Sweeper{nil, {}, {Client: c}, {Client: c, Plans: shop.lookup},
		{Client: c, Plans: shop.lookup, OnPayment: shop.onPayment, Window: -time.Hour},
		{Client: c, Plans: shop.lookup, OnPayment: shop.onPayment, Workers: -1}} {
		_, err := bad.Run(ctx)
		var ve *iamport.ValidationError
		require.ErrorAs(t, err, &ve)
		require.True(t, strings.HasPrefix(ve.Field, "sweeper."), ve.Field)
	}
	require.Panics(t, func() { (&iamport.Sweeper{}).WebhookHandler() })
}

func TestSweepBreakStopsEarly(t *testing.T) {
	t.Parallel()
	plans := make([]*iamport.Plan, 150)
	for i := range plans {
		plans[i] = sweepPlan(fmt.Sprintf("break_cust_%03d", i))
	}
	srv, c := sweepFake(t, plans...)
	srv.Advance(25 * time.Hour)
	shop := newSweepShop(plans...)
	seen := 0
	for r, err := range shop.sweeper(c).Sweep(context.Background()) {
		require.NoError(t, err)
		require.NotNil(t, r)
		seen++
		break
	}
	require.Equal(t, 1, seen)
	require.Equal(t, 100, shop.calls, "the batch under way is finished, the next one never started")
}

func TestSweeperWebhookHandlerIsTheSamePath(t *testing.T) {
	t.Parallel()
	plan := sweepPlan("sweep_cust_6")
	shop := newSweepShop(plan)
	mux := http.NewServeMux()
	hs := httptest.NewServer(mux)
	defer hs.Close()
	srv := iamporttest.NewServer(iamporttest.WithStartTime(sweepStart), iamporttest.WithWebhookURL(hs.URL+"/hook"))
	defer srv.Close()
	c := srv.Client()
	sw := shop.sweeper(c)
	mux.Handle("/hook", sw.WebhookHandler())
	ctx := context.Background()
	_, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: plan.CustomerUID,
		CardNumber: iamporttest.CardApproved, Expiry: "2035-12", Birth: "900101", Pwd2Digit: "00"})
	require.NoError(t, err)
	_, err = c.ScheduleCycle(ctx, plan, 1)
	require.NoError(t, err)

	srv.Advance(25 * time.Hour)
	ds := srv.Webhooks()
	require.Len(t, ds, 1)
	require.Equal(t, http.StatusOK, ds[0].StatusCode)
	next, err := c.GetSchedule(ctx, plan.MerchantUID(2, 0))
	require.NoError(t, err, "the webhook scheduled the next cycle")

	rs := collect(t, sw.Sweep(ctx))
	require.Len(t, rs, 1)
	require.Equal(t, iamport.SweepFollowedUp, rs[0].Outcome)
	require.Equal(t, next.MerchantUID, rs[0].Next.MerchantUID)
	require.Equal(t, 2, shop.calls)
	require.Len(t, shop.records, 1)

	// A payment no plan made is answered 200 without reaching OnPayment.
	r := sw.HandlePayment(ctx, &iamport.Payment{ImpUID: "imp_1", MerchantUID: "other-order", CustomerUID: "nobody", Status: iamport.PaymentStatusPaid})
	require.Equal(t, iamport.SweepNotOurs, r.Outcome)
	require.NoError(t, r.Err)
	require.Equal(t, iamport.SweepFailed, sw.HandlePayment(ctx, nil).Outcome)
	require.Equal(t, 2, shop.calls)
}

func TestClientCatchUp(t *testing.T) {
	t.Parallel()
	plan := sweepPlan("sweep_cust_7")
	plan.Cycles = 1
	srv, c := sweepFake(t, plan)
	shop := newSweepShop(plan)
	srv.Advance(27 * time.Hour)
	rep, err := c.CatchUp(context.Background(), time.Hour, shop.lookup, shop.onPayment)
	require.NoError(t, err)
	require.Equal(t, 0, rep.Schedules, "the payment ran 3 hours ago, outside a 1-hour window")

	rep, err = c.CatchUp(context.Background(), 0, shop.lookup, shop.onPayment)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Outcomes[iamport.SweepFinished], "the plan's last cycle: nothing follows")
	require.Equal(t, "1 schedules: 1 finished", rep.String())
	require.True(t, slices.ContainsFunc(srv.Payments(), func(p iamport.Payment) bool { return p.MerchantUID == plan.MerchantUID(1, 0) }))
}

func TestSweepSurvivesAPanickingCallback(t *testing.T) {
	t.Parallel()
	plan := sweepPlan("sweep_cust_8")
	srv, c := sweepFake(t, plan)
	shop := newSweepShop(plan)
	srv.Advance(25 * time.Hour)
	sw := shop.sweeper(c)
	sw.OnPayment = func(context.Context, *iamport.Plan, *iamport.Payment) error { panic("nil map") }
	rep, err := sw.Run(context.Background())
	require.ErrorContains(t, err, "OnPayment: panic: nil map")
	require.Equal(t, 1, rep.Outcomes[iamport.SweepFailed])
	_, err = c.GetSchedule(context.Background(), plan.MerchantUID(2, 0))
	require.ErrorIs(t, err, iamport.ErrNotFound, "no follow-up after a failed callback")
}
