package iamport_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// sweepWorld is a fake with every webhook lost, one billing key per
// customer, and a plan per customer billed monthly from an hour after start.
type sweepWorld struct {
	srv   *iamporttest.Server
	c     *iamport.Client
	plans map[string]*iamport.Plan
	start time.Time

	mu   sync.Mutex
	seen map[string]int // imp_uid+status -> OnPayment calls
}

func newSweepWorld(t *testing.T, customers int, cycles int) *sweepWorld {
	t.Helper()
	start := time.Date(2027, 1, 10, 1, 0, 0, 0, time.UTC)
	srv := iamporttest.NewInProcess(iamporttest.WithStartTime(start))
	t.Cleanup(srv.Close)
	srv.LoseWebhooks(iamporttest.WebhookLoss{})
	w := &sweepWorld{srv: srv, c: srv.Client(), plans: map[string]*iamport.Plan{}, start: start, seen: map[string]int{}}
	ctx := context.Background()
	for i := range customers {
		cu := fmt.Sprintf("cust%03d", i)
		_, err := w.c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: cu, CardNumber: iamporttest.CardApproved, Expiry: "2035-12"})
		require.NoError(t, err)
		p := &iamport.Plan{CustomerUID: cu, Amount: 8900, Name: "monthly", Anchor: start.Add(time.Hour), Cycles: cycles}
		_, err = w.c.ScheduleCycle(ctx, p, 1)
		require.NoError(t, err)
		w.plans[cu] = p
	}
	return w
}

func (w *sweepWorld) lookup(_ context.Context, uids []string) (map[string][]*iamport.Plan, error) {
	out := map[string][]*iamport.Plan{}
	for _, u := range uids {
		if p, ok := w.plans[u]; ok {
			out[u] = []*iamport.Plan{p}
		}
	}
	return out, nil
}

func (w *sweepWorld) onPayment(_ context.Context, _ *iamport.Plan, p *iamport.Payment) error {
	w.mu.Lock()
	w.seen[p.ImpUID+"/"+string(p.Status)]++
	w.mu.Unlock()
	return nil
}

func (w *sweepWorld) sweeper(c *iamport.Client) *iamport.Sweeper {
	return &iamport.Sweeper{Client: c, Plans: w.lookup, OnPayment: w.onPayment}
}

// paidPerOrder counts paid payments per cycle of each plan.
func (w *sweepWorld) paidPerCycle(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, p := range w.srv.Payments() {
		if p.Status != iamport.PaymentStatusPaid {
			continue
		}
		plan := w.plans[p.CustomerUID]
		require.NotNil(t, plan, "payment %s of an unknown billing key", p.ImpUID)
		cycle, _, err := plan.ParseMerchantUID(p.MerchantUID)
		require.NoError(t, err)
		out[fmt.Sprintf("%s#%d", p.CustomerUID, cycle)]++
	}
	return out
}

// A cycle whose scheduled charge failed and whose webhook was lost, then
// charged by hand with RetrySchedule and followed up, must not be charged a
// second time by the retry a later sweep books for the failed attempt.
func TestAttackSweepRetryScheduleThenSweepChargesOnce(t *testing.T) {
	ctx := context.Background()
	w := newSweepWorld(t, 1, 3)
	plan := w.plans["cust000"]
	w.srv.DeclineCharges("cust000", 1, "")
	w.srv.Advance(2 * time.Hour) // cycle 1 runs and fails; its webhook is lost

	p, err := w.c.RetrySchedule(ctx, plan.MerchantUID(1, 0))
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatusPaid, p.Status)
	_, err = w.c.ScheduleFollowUp(ctx, plan, p)
	require.NoError(t, err)

	_, err = w.sweeper(w.c).Run(ctx)
	require.NoError(t, err)
	w.srv.Advance(10 * 24 * time.Hour) // every retry of cycle 1 would have run

	require.Equal(t, 1, w.paidPerCycle(t)["cust000#1"], "cycle 1 charged more than once")
}

// Two replicas sweep every six hours of fake time, one of them while the
// clock moves, with a quarter of the webhooks lost, declines on some
// cycles (up to every attempt), a callback that fails or panics now and
// then, and faults on the listing, the payment lookups and the schedule
// writes. Every cycle must be paid exactly once or have exhausted its
// retries, no chain may end early, and the callback only ever sees
// verified payments of its own plan.
func TestAttackSweepReplicasUnderFaults(t *testing.T) {
	const customers, cycles = 12, 5
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel() // mostly waits out reconciliations
			attackSweepCampaign(t, seed, customers, cycles)
		})
	}
}

func attackSweepCampaign(t *testing.T, seed uint64, customers, cycles int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 7))
	start := time.Date(2027, 1, 10, 1, 0, 0, 0, time.UTC)

	var mu sync.Mutex
	plans := map[string]*iamport.Plan{}
	seen := map[string]bool{}
	exhausted := map[string]int{}
	var bad []string
	var hook http.Handler
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hook.ServeHTTP(w, r) }))
	defer recv.Close()
	srv := iamporttest.NewServer(iamporttest.WithStartTime(start), iamporttest.WithWebhookURL(recv.URL),
		iamporttest.WithWebhookLossRate(0.25, seed))
	defer srv.Close()

	lookup := func(_ context.Context, uids []string) (map[string][]*iamport.Plan, error) {
		mu.Lock()
		defer mu.Unlock()
		out := map[string][]*iamport.Plan{}
		for _, u := range uids {
			if p, ok := plans[u]; ok {
				out[u] = []*iamport.Plan{p}
			}
		}
		return out, nil
	}
	var flaky sync.Mutex
	frng := rand.New(rand.NewPCG(seed, 11))
	roll := func() float64 { flaky.Lock(); defer flaky.Unlock(); return frng.Float64() }
	onPayment := func(_ context.Context, plan *iamport.Plan, p *iamport.Payment) error {
		if _, _, err := plan.ParseMerchantUID(p.MerchantUID); err != nil || p.CustomerUID != plan.CustomerUID {
			mu.Lock()
			bad = append(bad, fmt.Sprintf("foreign payment %s %s for plan %s", p.ImpUID, p.MerchantUID, plan.CustomerUID))
			mu.Unlock()
		}
		switch x := roll(); {
		case x < 0.05:
			panic("callback blew up")
		case x < 0.12:
			return errors.New("database unavailable")
		}
		mu.Lock()
		seen[p.ImpUID+"/"+string(p.Status)] = true
		mu.Unlock()
		return nil
	}
	onExhausted := func(_ context.Context, plan *iamport.Plan, p *iamport.Payment) error {
		cycle, _, _ := plan.ParseMerchantUID(p.MerchantUID)
		mu.Lock()
		exhausted[plan.CustomerUID] = cycle
		mu.Unlock()
		return nil
	}
	newSweeper := func() *iamport.Sweeper {
		c := srv.Client(iamport.WithReconcileTimeout(2*time.Second),
			iamport.WithRetry(iamport.RetryPolicy{MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}))
		return &iamport.Sweeper{Client: c, Plans: lookup, OnPayment: onPayment, OnExhausted: onExhausted}
	}
	hook = newSweeper().WebhookHandler(iamport.WithLoopbackSources())
	replicas := []*iamport.Sweeper{newSweeper(), newSweeper()}

	setup := srv.Client()
	type decline struct {
		cu        string
		at        time.Time
		n         int
		triggered bool
	}
	var declines []*decline
	for i := range customers {
		cu := fmt.Sprintf("sub%02d", i)
		_, err := setup.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: cu, CardNumber: iamporttest.CardApproved, Expiry: "2035-12"})
		require.NoError(t, err)
		p := &iamport.Plan{CustomerUID: cu, Amount: 8900, Name: "monthly", Anchor: start.Add(time.Duration(i+1) * 37 * time.Minute), Cycles: cycles}
		mu.Lock()
		plans[cu] = p
		mu.Unlock()
		_, err = setup.ScheduleCycle(ctx, p, 1)
		require.NoError(t, err)
		if rng.Float64() < 0.5 {
			c := 1 + rng.IntN(cycles)
			declines = append(declines, &decline{cu: cu, at: p.BillingTime(c).Add(-time.Hour), n: 1 + rng.IntN(4)})
		}
	}
	// A subscription of another system on the same account: not ours.
	_, err := setup.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "other", CardNumber: iamporttest.CardApproved, Expiry: "2035-12"})
	require.NoError(t, err)
	_, err = setup.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "other", Schedules: []iamport.ScheduleEntry{{
		MerchantUID: "other-c1", ScheduleAt: start.Add(2 * time.Hour), Amount: 1000, Name: "x"}}})
	require.NoError(t, err)

	faults := []iamporttest.Fault{
		{Kind: iamporttest.FaultStatusBeforeProcessing, Status: 502},
		{Kind: iamporttest.FaultTruncateAfterProcessing},
		{Kind: iamporttest.FaultDropBeforeProcessing},
		{Kind: iamporttest.FaultStatusAfterProcessing, Status: 504},
	}
	routes := [][2]string{
		{"GET", "/subscribe/payments/schedule"},
		{"GET", "/payments"},
		{"POST", "/subscribe/payments/schedule"},
		{"GET", "/subscribe/payments/schedule/{merchant_uid}"},
		{"POST", "/users/getToken"},
	}
	end := start.AddDate(0, cycles, 15)
	step := 6 * time.Hour
	for now := start; now.Before(end); now = now.Add(step) {
		for _, d := range declines {
			if !d.triggered && !now.Add(step).Before(d.at) {
				d.triggered = true
				srv.DeclineCharges(d.cu, d.n, "")
			}
		}
		if rng.Float64() < 0.15 {
			r := routes[rng.IntN(len(routes))]
			srv.InjectFault(r[0], r[1], 1, faults[rng.IntN(len(faults))])
		}
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); srv.Advance(step) }()
		go func() { defer wg.Done(); _, _ = replicas[0].Run(ctx) }()
		wg.Wait()
		_, _ = replicas[1].Run(ctx)
	}
	// Settle: sweeps with no faults left.
	for range 3 {
		srv.Advance(time.Minute)
		_, _ = replicas[0].Run(ctx)
	}

	require.Empty(t, bad)
	paid := map[string]map[int]int{}
	for _, p := range srv.Payments() {
		plan := plans[p.CustomerUID]
		if plan == nil || p.Status != iamport.PaymentStatusPaid {
			continue
		}
		c, _, err := plan.ParseMerchantUID(p.MerchantUID)
		require.NoError(t, err)
		if paid[p.CustomerUID] == nil {
			paid[p.CustomerUID] = map[int]int{}
		}
		paid[p.CustomerUID][c]++
		require.True(t, seen[p.ImpUID+"/paid"], "paid payment %s (%s) never reached OnPayment", p.ImpUID, p.MerchantUID)
	}
	for cu := range plans {
		last := cycles
		if c, ok := exhausted[cu]; ok {
			last = c - 1
		}
		for c := 1; c <= cycles; c++ {
			want := 0
			if c <= last {
				want = 1
			}
			require.Equal(t, want, paid[cu][c], "seed %d: %s cycle %d (exhausted at %d)", seed, cu, c, exhausted[cu])
		}
	}
	for _, d := range declines {
		if d.n == 4 {
			_, ok := exhausted[d.cu]
			require.True(t, ok, "seed %d: %s declined on every attempt but never reported exhausted", seed, d.cu)
		}
	}
}

// A sweep hands OnPayment only a payment of the schedule's own billing key:
// a payment answered for the schedule's imp_uid and merchant_uid but charged
// to another customer_uid is a failure, not a payment of the plan.
func TestAttackSweepPaymentOfAnotherBillingKeyNeverReachesCallback(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2027, 1, 10, 1, 0, 0, 0, time.UTC)
	srv := iamporttest.NewInProcess(iamporttest.WithStartTime(start))
	defer srv.Close()
	srv.LoseWebhooks(iamporttest.WebhookLoss{})
	c := rewritingFake(t, srv, func(r *http.Request, body []byte) []byte {
		if r.Method == "GET" && r.URL.Path == "/payments" {
			return setJSON(t, body, "customer_uid", "mallory")
		}
		return body
	})
	_, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "bob", CardNumber: iamporttest.CardApproved, Expiry: "2035-12"})
	require.NoError(t, err)
	plan := &iamport.Plan{CustomerUID: "bob", Amount: 8900, Name: "monthly", Anchor: start.Add(time.Hour), Cycles: 3}
	_, err = c.ScheduleCycle(ctx, plan, 1)
	require.NoError(t, err)
	srv.Advance(2 * time.Hour)

	var called atomic.Int32
	sw := &iamport.Sweeper{Client: c,
		Plans: func(context.Context, []string) (map[string][]*iamport.Plan, error) {
			return map[string][]*iamport.Plan{"bob": {plan}}, nil
		},
		OnPayment: func(context.Context, *iamport.Plan, *iamport.Payment) error { called.Add(1); return nil },
	}
	rep, err := sw.Run(ctx)
	require.Error(t, err)
	require.Equal(t, 1, rep.Outcomes[iamport.SweepFailed])
	require.Zero(t, called.Load(), "OnPayment got a payment of another billing key")
}

// A schedule that ran exactly at the window's start is still in the sweep.
func TestAttackSweepScheduleAtWindowStart(t *testing.T) {
	ctx := context.Background()
	w := newSweepWorld(t, 1, 3)
	plan := w.plans["cust000"]
	w.srv.SetTime(plan.BillingTime(1).Add(6 * time.Hour)) // cycle 1 runs; webhook lost
	w.srv.SetTime(plan.BillingTime(1).Add(iamport.DefaultSweepWindow))
	rep, err := w.sweeper(w.c).Run(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Outcomes[iamport.SweepFollowedUp], "%s", rep)
	_, err = w.c.GetSchedule(ctx, plan.MerchantUID(2, 0))
	require.NoError(t, err)
}

// An executed schedule listed as paid but without its imp_uid (a listing
// that lags the payment) is not "no payment": the sweep cannot verify it,
// so it must not report the schedule as done.
func TestAttackSweepPaidScheduleWithoutImpUID(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2027, 1, 10, 1, 0, 0, 0, time.UTC)
	srv := iamporttest.NewInProcess(iamporttest.WithStartTime(start))
	defer srv.Close()
	srv.LoseWebhooks(iamporttest.WebhookLoss{})
	c := rewritingFake(t, srv, func(r *http.Request, body []byte) []byte {
		if r.Method == "GET" && r.URL.Path == "/subscribe/payments/schedule" {
			return setPageJSON(t, body, "imp_uid", nil)
		}
		return body
	})
	attackSaveKey(t, c, "bob")
	plan := &iamport.Plan{CustomerUID: "bob", Amount: 8900, Name: "monthly", Anchor: start.Add(time.Hour), Cycles: 3}
	_, err := c.ScheduleCycle(ctx, plan, 1)
	require.NoError(t, err)
	srv.Advance(2 * time.Hour)
	sw := &iamport.Sweeper{Client: c,
		Plans: func(context.Context, []string) (map[string][]*iamport.Plan, error) {
			return map[string][]*iamport.Plan{"bob": {plan}}, nil
		},
		OnPayment: func(context.Context, *iamport.Plan, *iamport.Payment) error { return nil },
	}
	rep, err := sw.Run(ctx)
	require.Error(t, err, "a paid schedule that was not followed up reported as done: %s", rep)
	require.Equal(t, 1, rep.Outcomes[iamport.SweepFailed], "%s", rep)
}

// Many subscribers billed at the same second span several pages of the
// listing: every one of them is swept once.
func TestAttackSweepManySchedulesAtOneTime(t *testing.T) {
	ctx := context.Background()
	w := newSweepWorld(t, 1500, 2)
	w.srv.Advance(2 * time.Hour) // every cycle 1 runs at the same second
	rep, err := w.sweeper(w.c).Run(ctx)
	require.NoError(t, err)
	require.Equal(t, 1500, rep.Schedules, "%s", rep)
	require.Equal(t, 1500, rep.Outcomes[iamport.SweepFollowedUp], "%s", rep)
	require.Len(t, w.seen, 1500)
}

// A panicking callback fails its schedule without a follow-up and without
// taking the process down; a failing plan lookup stops the sweep with an
// error. Once both work again, the next sweep follows up.
func TestAttackSweepPanicAndLookupError(t *testing.T) {
	ctx := context.Background()
	w := newSweepWorld(t, 3, 2)
	w.srv.Advance(2 * time.Hour)
	sw := w.sweeper(w.c)
	sw.OnPayment = func(context.Context, *iamport.Plan, *iamport.Payment) error { panic("boom") }
	rep, err := sw.Run(ctx)
	require.Error(t, err)
	require.Equal(t, 3, rep.Outcomes[iamport.SweepFailed], "%s", rep)

	sw = w.sweeper(w.c)
	sw.Plans = func(context.Context, []string) (map[string][]*iamport.Plan, error) {
		return nil, errors.New("database down")
	}
	rep, err = sw.Run(ctx)
	require.ErrorContains(t, err, "database down")
	require.Error(t, rep.Err)
	for _, p := range w.plans {
		_, err := w.c.GetSchedule(ctx, p.MerchantUID(2, 0))
		require.ErrorIs(t, err, iamport.ErrNotFound, "a follow-up scheduled although the sweep failed")
	}

	rep, err = w.sweeper(w.c).Run(ctx)
	require.NoError(t, err)
	require.Equal(t, 3, rep.Outcomes[iamport.SweepFollowedUp], "%s", rep)
}

// Two plans on one billing key, billed at the same second: each payment is
// handed to its own plan and each chain goes on.
func TestAttackSweepTwoPlansOnOneKey(t *testing.T) {
	ctx := context.Background()
	w := newSweepWorld(t, 1, 3)
	base := w.plans["cust000"]
	a, b := *base, *base
	a.ID, b.ID, b.Amount = "basic", "storage", 1200
	_, err := w.c.Unschedule(ctx, &iamport.UnscheduleRequest{CustomerUID: "cust000", MerchantUIDs: []string{base.MerchantUID(1, 0)}})
	require.NoError(t, err)
	for _, p := range []*iamport.Plan{&a, &b} {
		_, err := w.c.ScheduleCycle(ctx, p, 1)
		require.NoError(t, err)
	}
	var mu sync.Mutex
	got := map[string]iamport.Amount{}
	sw := &iamport.Sweeper{Client: w.c,
		Plans: func(context.Context, []string) (map[string][]*iamport.Plan, error) {
			return map[string][]*iamport.Plan{"cust000": {&a, &b}}, nil
		},
		OnPayment: func(_ context.Context, plan *iamport.Plan, p *iamport.Payment) error {
			mu.Lock()
			got[plan.ID] = p.Amount
			mu.Unlock()
			return nil
		},
	}
	w.srv.Advance(2 * time.Hour)
	rep, err := sw.Run(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, rep.Outcomes[iamport.SweepFollowedUp], "%s", rep)
	require.Equal(t, map[string]iamport.Amount{"basic": 8900, "storage": 1200}, got)
	for _, p := range []*iamport.Plan{&a, &b} {
		s, err := w.c.GetSchedule(ctx, p.MerchantUID(2, 0))
		require.NoError(t, err)
		require.True(t, s.Amount.Equal(p.Amount))
	}
}
