package iamport_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// The randomized campaign: several goroutines run seeded random operations
// (charges, refunds, billing-key saves, schedules, unschedules, recurring
// cycles) through one Client against a fake that behaves like a real PG
// (processing latency, lookup lag, gateway timeouts, resets, racing
// requests), with random faults on every request. After each operation it
// checks the money-safety invariants against the fake's own records:
//
//   - a nil error means the money moved exactly once, as reported;
//   - never two paid payments for one merchant_uid;
//   - never a refund reported that was not made, or made twice;
//   - a *DeclinedError only when nothing was charged;
//   - any other error (except *OutcomeUnknownError) only when nothing moved;
//   - every call returns within its deadline.
//
// *OutcomeUnknownError is allowed; the campaign counts and prints its rate.
//
// CI runs the fixed seeds of campaignCISeeds. To reproduce or explore:
//
//	go test -run TestCampaign -campaign.seed=7 -campaign.ops=2000 .
//	CAMPAIGN_SEED=7 CAMPAIGN_OPS=2000 go test -run TestCampaign .
//
// An operation mostly waits (latencies, timeouts, reconciliation), so the
// run takes wall time more than CPU: about 7 operations a second with the
// CI's 6 workers, about 23 with 32 (measured on two shared cores, without
// -race). The long run, 20 seeds of 10,000 operations each, takes about 25
// minutes a seed with 6 workers, about 7 with 32:
//
//	go test -run TestCampaign -timeout 4h -campaign.seed=1 -campaign.seeds=20 -campaign.ops=10000 -campaign.workers=32 .
//
// A failure prints the seed, the operation (its index, worker, kind, IDs,
// the faults and latencies it was given) and what went wrong. With the same
// seed and workers, worker i%workers runs operation i, and draws it and its
// faults the same way as long as the worker's earlier operations came out
// the same; the interleaving of the workers, and so the timing, differs
// from run to run.

var (
	campaignSeedFlag  = flag.Uint64("campaign.seed", 0, "first seed of the randomized campaign (0: the CI seed set)")
	campaignSeedsFlag = flag.Int("campaign.seeds", 1, "number of consecutive seeds to run from -campaign.seed")
	campaignOpsFlag   = flag.Int("campaign.ops", 0, "operations per seed (0: the CI default)")
	campaignWorkFlag  = flag.Int("campaign.workers", 0, "goroutines running operations (0: the CI default)")
)

// campaignCISeeds are the seeds CI runs, each with campaignCIOps operations.
var campaignCISeeds = []uint64{1, 2, 3}

const (
	campaignCIOps     = 120
	campaignCIWorkers = 6
	campaignTimeout   = 400 * time.Millisecond // WithTimeout
	campaignReconcile = 3 * time.Second        // WithReconcileTimeout
	// campaignBound is the longest an operation may take: a lookup before a
	// cancel with its retries, the send, and the reconciliation, with slack
	// for a loaded machine. It is an invariant, not a performance goal.
	campaignBound = campaignReconcile + 6*campaignTimeout + 4*time.Second
)

func campaignEnv(name string) (uint64, bool) {
	v, err := strconv.ParseUint(os.Getenv(name), 10, 64)
	return v, err == nil
}

func TestCampaign(t *testing.T) {
	seeds := campaignCISeeds
	ops := campaignCIOps
	first, n := *campaignSeedFlag, *campaignSeedsFlag
	if v, ok := campaignEnv("CAMPAIGN_SEED"); ok {
		first = v
	}
	if v, ok := campaignEnv("CAMPAIGN_SEEDS"); ok {
		n = int(v)
	}
	if first != 0 {
		seeds = nil
		for i := range max(n, 1) {
			seeds = append(seeds, first+uint64(i))
		}
	}
	if *campaignOpsFlag > 0 {
		ops = *campaignOpsFlag
	}
	if v, ok := campaignEnv("CAMPAIGN_OPS"); ok && v > 0 {
		ops = int(v)
	}
	workers := campaignCIWorkers
	if *campaignWorkFlag > 0 {
		workers = *campaignWorkFlag
	}
	if v, ok := campaignEnv("CAMPAIGN_WORKERS"); ok && v > 0 {
		workers = int(v)
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			runCampaign(t, seed, ops, workers)
		})
	}
}

// opPlan is what the campaign does to one operation's requests: the faults
// and latencies of its writes, in order, and how often its lookups fail.
type opPlan struct {
	mu         sync.Mutex
	rng        *rand.Rand
	writes     []iamporttest.Fault // one per write request, in order; none after
	lookupRate float64             // chance that a lookup of the operation fails
	desc       []string            // what was applied, for the report
}

// next returns the fault for the operation's next request.
func (p *opPlan) next(r iamporttest.FaultRequest) (iamporttest.Fault, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Method != "GET" {
		if len(p.writes) == 0 {
			return iamporttest.Fault{}, false
		}
		f := p.writes[0]
		p.writes = p.writes[1:]
		p.desc = append(p.desc, fmt.Sprintf("%s %s: %s", r.Method, r.Route, describeFault(f)))
		return f, true
	}
	if p.rng.Float64() >= p.lookupRate {
		return iamporttest.Fault{}, false
	}
	f := lookupFault(p.rng)
	p.desc = append(p.desc, fmt.Sprintf("GET %s: %s", r.Route, describeFault(f)))
	return f, true
}

func describeFault(f iamporttest.Fault) string {
	s := "no fault"
	if f.Kind != 0 {
		s = f.Kind.String()
	}
	if f.Status != 0 {
		s += fmt.Sprintf(" %d", f.Status)
	}
	if f.Delay > 0 {
		s += " after " + f.Delay.String()
	}
	if f.Latency > 0 {
		s += ", latency " + f.Latency.String()
	}
	return s
}

func between(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	return lo + time.Duration(rng.Int64N(int64(hi-lo)+1))
}

// writeLatency draws a processing time: mostly quick, sometimes past the
// request timeout (the charge completes while the SDK reconciles), rarely
// past the reconciliation budget (the outcome must be unknown).
func writeLatency(rng *rand.Rand) time.Duration {
	switch x := rng.Float64(); {
	case x < 0.55:
		return 0
	case x < 0.85:
		return between(rng, 10*time.Millisecond, campaignTimeout/2)
	case x < 0.97:
		return between(rng, campaignTimeout+50*time.Millisecond, 4*campaignTimeout)
	default:
		return between(rng, campaignReconcile+500*time.Millisecond, campaignReconcile+2*time.Second)
	}
}

// writeFault draws the fault of one write request.
func writeFault(rng *rand.Rand) iamporttest.Fault {
	f := iamporttest.Fault{Latency: writeLatency(rng)}
	delay := func() time.Duration {
		if rng.IntN(2) == 0 {
			return 0
		}
		return between(rng, 10*time.Millisecond, campaignTimeout*3/4)
	}
	statuses := []int{500, 502, 503, 504, 408}
	switch x := rng.Float64(); {
	case x < 0.50:
	case x < 0.55:
		f.Kind = iamporttest.FaultRefuseConnection
	case x < 0.60:
		f.Kind, f.Delay = iamporttest.FaultDropBeforeProcessing, delay()
	case x < 0.66:
		f.Kind, f.Status, f.Delay = iamporttest.FaultStatusBeforeProcessing, statuses[rng.IntN(len(statuses))], delay()
	case x < 0.73:
		f.Kind, f.Status, f.Delay = iamporttest.FaultStatusAfterProcessing, statuses[rng.IntN(len(statuses))], delay()
	case x < 0.78:
		f.Kind, f.Delay = iamporttest.FaultDropAfterProcessing, delay()
	case x < 0.81:
		f.Kind = iamporttest.FaultTruncateAfterProcessing
	case x < 0.88:
		f.Kind, f.Status, f.Delay = iamporttest.FaultStatusWhileProcessing, []int{504, 408}[rng.IntN(2)], between(rng, 5*time.Millisecond, campaignTimeout/2)
		f.Latency = max(f.Latency, f.Delay+between(rng, 50*time.Millisecond, 3*campaignTimeout))
	case x < 0.93:
		f.Kind, f.Delay = iamporttest.FaultDropWhileProcessing, between(rng, 5*time.Millisecond, campaignTimeout/2)
		f.Latency = max(f.Latency, f.Delay+between(rng, 50*time.Millisecond, 3*campaignTimeout))
	case x < 0.97:
		f.Kind, f.Delay = iamporttest.FaultDelayAfterProcessing, between(rng, campaignTimeout+50*time.Millisecond, 2*campaignTimeout)
	default:
		f.Kind = iamporttest.FaultUnauthorized
	}
	return f
}

// lookupFault draws the fault of a failing lookup.
func lookupFault(rng *rand.Rand) iamporttest.Fault {
	switch rng.IntN(5) {
	case 0:
		return iamporttest.Fault{Kind: iamporttest.FaultStatusBeforeProcessing, Status: 502}
	case 1:
		return iamporttest.Fault{Kind: iamporttest.FaultStatusBeforeProcessing, Status: 504, Delay: between(rng, 0, campaignTimeout/2)}
	case 2:
		return iamporttest.Fault{Kind: iamporttest.FaultDropBeforeProcessing}
	case 3:
		return iamporttest.Fault{Kind: iamporttest.FaultDelayBeforeProcessing, Delay: campaignTimeout + 100*time.Millisecond}
	}
	return iamporttest.Fault{Kind: iamporttest.FaultStatusAfterProcessing, Status: 500}
}

// campaign is one seed's run.
type campaign struct {
	t    *testing.T
	seed uint64
	srv  *iamporttest.Server // charges, refunds, schedules
	cl   *iamport.Client
	// recOpts make the fake of each recurring operation, whose clock it
	// moves by months: a fake of its own, so that no card expires and
	// nothing else runs when the clock moves.
	recOpts []iamporttest.Option

	mu    sync.Mutex
	plans map[string]*opPlan // by the IDs an operation's requests name

	nOps, nUnknown, nDeclined, nErr, nNil atomic.Int64
	recurringManual                       atomic.Int64 // cycles charged by hand after a failure
	nUnrevoked                            atomic.Int64 // paid cycles whose follow-up failed at every delivery
	vmu                                   sync.Mutex
	violations                            []string
	seen                                  map[string]bool
	kinds                                 map[string]int
}

func campaignClient(s *iamporttest.Server) *iamport.Client {
	return s.Client(
		iamport.WithTimeout(campaignTimeout),
		iamport.WithReconcileTimeout(campaignReconcile),
		iamport.WithRetry(iamport.RetryPolicy{MaxRetries: 2, MinBackoff: 5 * time.Millisecond, MaxBackoff: 40 * time.Millisecond}),
	)
}

func runCampaign(t *testing.T, seed uint64, ops, workers int) {
	rng := rand.New(rand.NewPCG(seed, 0xca3a1))
	var opts []iamporttest.Option
	if rng.IntN(2) == 0 {
		opts = append(opts, iamporttest.WithPendingVisible())
	}
	lags := []time.Duration{0, 50 * time.Millisecond, 200 * time.Millisecond, 600 * time.Millisecond}
	c := &campaign{t: t, seed: seed, plans: map[string]*opPlan{}, kinds: map[string]int{}, seen: map[string]bool{}}
	mainLag, recLag := lags[rng.IntN(len(lags))], lags[rng.IntN(len(lags))]
	t.Logf("campaign seed=%d: lookup lag %s (recurring fake: %s), charges in processing visible as ready: %v",
		seed, mainLag, recLag, len(opts) > 0)
	c.srv = iamporttest.NewServer(append(opts, iamporttest.WithLookupLag(mainLag))...)
	defer c.srv.Close()
	c.recOpts = append(opts, iamporttest.WithLookupLag(recLag))
	c.srv.SetFaultFunc(c.fault)
	c.cl = campaignClient(c.srv)

	started := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := &worker{c: c, id: w, rng: rand.New(rand.NewPCG(seed, uint64(w)+1))}
			wk.setup()
			for i := w; i < ops; i += workers { // op i is always worker i%workers's
				wk.run(i)
			}
		}()
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.srv.Await(ctx); err != nil {
		c.violate("final", "processing did not finish: %v", err)
	}
	c.finalChecks()

	n := c.nOps.Load()
	calls := c.nNil.Load() + c.nUnknown.Load() + c.nDeclined.Load() + c.nErr.Load()
	t.Logf("campaign seed=%d: %d operations (%d checked calls) in %s: %d nil, %d *OutcomeUnknownError (%.1f%% of calls), %d declined, %d other errors; operations by kind: %v; recurring cycles charged by hand: %d; paid cycles whose follow-up failed at every delivery: %d",
		seed, n, calls, time.Since(started).Round(time.Millisecond), c.nNil.Load(), c.nUnknown.Load(),
		100*float64(c.nUnknown.Load())/float64(max(calls, 1)), c.nDeclined.Load(), c.nErr.Load(), c.kinds, c.recurringManual.Load(), c.nUnrevoked.Load())
	c.vmu.Lock()
	defer c.vmu.Unlock()
	for i, v := range c.violations {
		if i == 25 {
			t.Errorf("... and %d more violations", len(c.violations)-25)
			break
		}
		t.Error(v)
	}
	if len(c.violations) > 0 {
		t.Errorf("violations by kind: %s", violationKinds(c.violations))
		t.Errorf("campaign failed: seed=%d ops=%d workers=%d; re-run with: go test -run 'TestCampaign' -campaign.seed=%d -campaign.ops=%d -campaign.workers=%d -v .",
			seed, ops, workers, seed, ops, workers)
	}
}

// violationKinds counts violations by operation kind and message, with
// IDs and numbers left out, for a long run's summary.
func violationKinds(vs []string) string {
	digits := regexp.MustCompile(`[0-9]+`)
	counts := map[string]int{}
	for _, v := range vs {
		_, rest, _ := strings.Cut(v, ") ") // after "seed N: op N (worker N"
		kind, msg, _ := strings.Cut(rest, " [")
		if _, m, ok := strings.Cut(msg, "]: "); ok {
			msg = m
		}
		msg, _, _ = strings.Cut(msg, " [faults:")
		if f := strings.Fields(msg); len(f) > 8 {
			msg = strings.Join(f[:8], " ")
		}
		counts[kind+": "+digits.ReplaceAllString(msg, "N")]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %4d  %s", counts[k], k)
	}
	return b.String()
}

// fault is the fake's fault function: the plan of the operation a request
// names decides.
func (c *campaign) fault(r iamporttest.FaultRequest) (iamporttest.Fault, bool) {
	c.mu.Lock()
	var p *opPlan
	for _, id := range r.IDs {
		if p = c.plans[id]; p != nil {
			break
		}
	}
	c.mu.Unlock()
	if p == nil {
		return iamporttest.Fault{}, false
	}
	return p.next(r)
}

func (c *campaign) violate(op string, format string, args ...any) {
	c.report(op, fmt.Sprintf(format, args...), "")
}

// report records a violation once per operation and message (a state
// checked again is reported once), with what was done to its requests.
func (c *campaign) report(op, msg, faults string) {
	key := op + ": " + msg
	c.vmu.Lock()
	defer c.vmu.Unlock()
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	v := fmt.Sprintf("seed %d: %s", c.seed, key)
	if faults != "" {
		v += " [faults: " + faults + "]"
	}
	c.violations = append(c.violations, v)
}

// finalChecks looks at every order once everything is processed: never two
// paid payments for one merchant_uid.
func (c *campaign) finalChecks() { c.checkServer(c.srv, "final") }

// checkServer checks every order of srv: never two paid payments for one
// merchant_uid, never more refunded than paid.
func (c *campaign) checkServer(srv *iamporttest.Server, op string) {
	{
		paid := map[string][]string{}
		for _, p := range srv.Payments() {
			if !p.PaidAt.IsZero() {
				paid[p.MerchantUID] = append(paid[p.MerchantUID], p.ImpUID)
			}
			if p.CancelAmount.Cents() > p.Amount.Cents() {
				c.violate(op, "payment %s of %s refunded %s of %s", p.ImpUID, p.MerchantUID, p.CancelAmount, p.Amount)
			}
		}
		for mid, imps := range paid {
			if len(imps) > 1 {
				c.violate(op, "merchant_uid %s was paid %d times: %v", mid, len(imps), imps)
			}
		}
	}
}

// worker runs operations one after the other, on IDs of its own.
type worker struct {
	c   *campaign
	id  int
	rng *rand.Rand

	op        string // the current operation, for reports
	plan      *opPlan
	rec       *iamporttest.Server // the current recurring operation's fake
	rcl       *iamport.Client
	unrevoked map[int]bool // cycles whose paid follow-up failed at every delivery
	keys      []string     // billing keys on the main fake
	paid      []paidOrder  // payments that may still be refunded
	pending   []string     // merchant_uids of this worker's pending schedules
	schedKey  string       // the billing key this worker schedules on
}

type paidOrder struct {
	impUID, merchantUID string
}

func (w *worker) uid(kind string, i int) string {
	return fmt.Sprintf("c%d_%s%d_w%d", w.c.seed, kind, i, w.id)
}

// setup stores the worker's billing keys, without faults.
func (w *worker) setup() {
	ctx := context.Background()
	for k := range 2 {
		uid := fmt.Sprintf("c%d_key%d_w%d", w.c.seed, k, w.id)
		if _, err := w.c.cl.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: uid, CardNumber: iamporttest.CardApproved, Expiry: "2030-12", Birth: "900101", Pwd2Digit: "00"}); err != nil {
			w.c.violate("setup", "save billing key %s: %v", uid, err)
		}
		w.keys = append(w.keys, uid)
	}
	w.schedKey = w.keys[1]
}

// begin registers a fresh plan for the operation's IDs.
func (w *worker) begin(i int, kind string, ids ...string) {
	prng := rand.New(rand.NewPCG(w.rng.Uint64(), uint64(i)))
	p := &opPlan{rng: prng, lookupRate: []float64{0, 0.05, 0.15, 0.3}[prng.IntN(4)]}
	p.writes = []iamporttest.Fault{writeFault(prng)}
	if prng.IntN(4) == 0 {
		p.writes = append(p.writes, writeFault(prng)) // a re-send, if any, suffers too
	}
	w.plan = p
	w.op = fmt.Sprintf("op %d (worker %d) %s %v", i, w.id, kind, ids)
	w.c.mu.Lock()
	for _, id := range ids {
		w.c.plans[id] = p
	}
	w.c.mu.Unlock()
	w.c.vmu.Lock()
	w.c.kinds[kind]++
	w.c.vmu.Unlock()
}

// end unregisters the operation's plan and waits for its processing.
func (w *worker) end(srv *iamporttest.Server, ids ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := srv.Await(ctx, ids...); err != nil {
		w.violate("processing of %v did not finish: %v", ids, err)
	}
	w.c.mu.Lock()
	for _, id := range ids {
		delete(w.c.plans, id)
	}
	w.c.mu.Unlock()
}

func (w *worker) violate(format string, args ...any) {
	w.plan.mu.Lock()
	faults := strings.Join(w.plan.desc, "; ")
	w.plan.mu.Unlock()
	w.c.report(w.op, fmt.Sprintf(format, args...), faults)
}

// call runs f with the operation's deadline and checks that it returned in
// time. bound is how long it may take.
func (w *worker) call(bound time.Duration, f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), bound+campaignBound)
	defer cancel()
	start := time.Now()
	err := f(ctx)
	if d := time.Since(start); d > bound {
		w.violate("returned after %s, longer than its bound %s (error: %v)", d.Round(time.Millisecond), bound, err)
	}
	return err
}

// count classifies err for the statistics and returns its class.
func (w *worker) count(err error) string {
	var unknown *iamport.OutcomeUnknownError
	var declined *iamport.DeclinedError
	var cancelled *iamport.ChargeCancelledError
	switch {
	case err == nil:
		w.c.nNil.Add(1)
		return "nil"
	case errors.As(err, &cancelled):
		w.c.nErr.Add(1)
		return "cancelled"
	case errors.As(err, &unknown):
		w.c.nUnknown.Add(1)
		return "unknown"
	case errors.As(err, &declined):
		w.c.nDeclined.Add(1)
		return "declined"
	}
	w.c.nErr.Add(1)
	return "error"
}

func (w *worker) run(i int) {
	w.c.nOps.Add(1)
	x := w.rng.Float64()
	if w.id == 0 && x < 0.25 {
		x = 1 // one worker owns the recurring fake and its clock
	}
	switch {
	case x < 0.17:
		w.onetime(i)
	case x < 0.40:
		w.again(i)
	case x < 0.45:
		w.againRace(i)
	case x < 0.52:
		w.saveKey(i)
	case x < 0.65:
		w.cancel(i)
	case x < 0.69:
		w.cancelRace(i)
	case x < 0.80:
		w.schedule(i)
	case x < 0.88:
		w.unschedule(i)
	default:
		if w.id == 0 {
			w.recurring(i)
		} else {
			w.again(i)
		}
	}
}

func (w *worker) amount() iamport.Amount { return iamport.Amount(1000 * (1 + w.rng.IntN(50))) }

// checkCharge checks one charge of merchantUID for amount against the fake,
// once its processing is over.
func (w *worker) checkCharge(srv *iamporttest.Server, merchantUID, customerUID string, amount iamport.Amount, p *iamport.Payment, err error) {
	w.checkCharges(srv, merchantUID, customerUID, amount, []*iamport.Payment{p}, []error{err})
}

// checkCharges checks calls that charged merchantUID at the same time (one,
// or a race): at most one charge; every nil error reports it; a charge is
// reported by at least one call as done or unknown; a decline or another
// error only when nothing was charged, or another call reports the charge.
func (w *worker) checkCharges(srv *iamporttest.Server, merchantUID, customerUID string, amount iamport.Amount, ps []*iamport.Payment, errs []error) {
	var paid []iamport.Payment
	for _, q := range srv.PaymentsOf(merchantUID) {
		if !q.PaidAt.IsZero() {
			paid = append(paid, q)
		}
	}
	var answers []string
	for j := range ps {
		answers = append(answers, errOrPayment(ps[j], errs[j]))
	}
	if len(paid) > 1 {
		w.violate("charged %d times (imp_uids %s), SDK answered %v", len(paid), impUIDs(paid), answers)
	}
	reported := false
	for j, p := range ps {
		err := errs[j]
		switch w.count(err) {
		case "nil":
			reported = true
			switch {
			case p == nil || p.Status != iamport.PaymentStatusPaid:
				w.violate("nil error with payment %s, not paid", statusOf(p))
			case len(paid) == 0:
				w.violate("nil error with payment %s, but nothing was charged", p.ImpUID)
			case paid[0].ImpUID != p.ImpUID:
				w.violate("nil error with payment %s, but the charge is %s", p.ImpUID, paid[0].ImpUID)
			case paid[0].Status != iamport.PaymentStatusPaid:
				w.violate("nil error, but payment %s is %s", p.ImpUID, paid[0].Status)
			case !p.Amount.Equal(amount) || !paid[0].Amount.Equal(amount):
				w.violate("nil error for an amount of %s, but payment %s is of %s (fake: %s)", amount, p.ImpUID, p.Amount, paid[0].Amount)
			case p.MerchantUID != merchantUID:
				w.violate("nil error with a payment of merchant_uid %s", p.MerchantUID)
			case customerUID != "" && paid[0].CustomerUID != customerUID:
				w.violate("nil error, but payment %s charged billing key %s, not %s", p.ImpUID, paid[0].CustomerUID, customerUID)
			}
		case "unknown":
			reported = true
		case "cancelled":
			// Paid by this call and refunded since: the payment must show
			// exactly that.
			reported = true
			var ce *iamport.ChargeCancelledError
			errors.As(err, &ce)
			if ce.Payment == nil || len(paid) == 0 || paid[0].ImpUID != ce.Payment.ImpUID || paid[0].Status != iamport.PaymentStatusCancelled {
				w.violate("*ChargeCancelledError (%v), but the order's charge is %v", err, impUIDs(paid))
			}
		case "declined":
			if len(paid) > 0 {
				w.violate("*DeclinedError (%v) while payment %s was charged", err, paid[0].ImpUID)
			}
		}
	}
	if len(paid) > 0 && !reported {
		w.violate("payment %s was charged, but every call failed: %v: the outcome was lost", paid[0].ImpUID, answers)
	}
}

func impUIDs(ps []iamport.Payment) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.ImpUID)
	}
	return strings.Join(s, ",")
}

func statusOf(p *iamport.Payment) string {
	if p == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%s %s %s", p.ImpUID, p.MerchantUID, p.Status)
}

func errOrPayment(p *iamport.Payment, err error) string {
	if err != nil {
		return err.Error()
	}
	return "nil error, payment " + statusOf(p)
}

func (w *worker) remember(p *iamport.Payment, err error) {
	if err == nil && p != nil && p.Paid() {
		w.paid = append(w.paid, paidOrder{impUID: p.ImpUID, merchantUID: p.MerchantUID})
	}
}

func (w *worker) onetime(i int) {
	mid := w.uid("onetime", i)
	card := iamporttest.CardApproved
	switch x := w.rng.Float64(); {
	case x < 0.15:
		card = iamporttest.CardDeclinedLimit
	case x < 0.20:
		card = iamporttest.CardRejected
	}
	w.begin(i, "Onetime", mid)
	amt := w.amount()
	var p *iamport.Payment
	err := w.call(campaignBound, func(ctx context.Context) error {
		var err error
		p, err = w.c.cl.Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: mid, Amount: amt, Name: "campaign", CardNumber: card, Expiry: "2030-12", Birth: "900101", Pwd2Digit: "00"})
		return err
	})
	w.end(w.c.srv, mid)
	w.checkCharge(w.c.srv, mid, "", amt, p, err)
	w.remember(p, err)
}

func (w *worker) again(i int) {
	mid := w.uid("again", i)
	key := w.keys[w.rng.IntN(len(w.keys))]
	w.begin(i, "Again", mid)
	if w.rng.IntN(6) == 0 {
		w.c.srv.DeclineCharges(key, 1, "한도초과")
	}
	amt := w.amount()
	var p *iamport.Payment
	err := w.call(campaignBound, func(ctx context.Context) error {
		var err error
		p, err = w.c.cl.Again(ctx, &iamport.AgainRequest{CustomerUID: key, MerchantUID: mid, Amount: amt, Name: "campaign"})
		return err
	})
	w.end(w.c.srv, mid)
	w.c.srv.DeclineCharges(key, 0, "") // a decline the charge did not use is dropped
	w.checkCharge(w.c.srv, mid, key, amt, p, err)
	w.remember(p, err)
}

// race runs f from two goroutines at once. Each may take twice the bound:
// the second may wait for the first.
func (w *worker) race(f func(ctx context.Context) (*iamport.Payment, error)) ([]*iamport.Payment, []error) {
	var wg sync.WaitGroup
	ps := make([]*iamport.Payment, 2)
	errs := make([]error, 2)
	for j := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[j] = w.call(2*campaignBound, func(ctx context.Context) error {
				var err error
				ps[j], err = f(ctx)
				return err
			})
		}()
	}
	wg.Wait()
	return ps, errs
}

// againRace charges one merchant_uid from two goroutines at once on the
// same Client: at most one charge, and every nil error reports it.
func (w *worker) againRace(i int) {
	mid := w.uid("race", i)
	key := w.keys[0]
	w.begin(i, "AgainRace", mid)
	amt := w.amount()
	ps, errs := w.race(func(ctx context.Context) (*iamport.Payment, error) {
		return w.c.cl.Again(ctx, &iamport.AgainRequest{CustomerUID: key, MerchantUID: mid, Amount: amt, Name: "campaign"})
	})
	w.end(w.c.srv, mid)
	w.checkCharges(w.c.srv, mid, key, amt, ps, errs)
	w.remember(ps[0], errs[0])
	if errs[0] != nil || ps[0] == nil {
		w.remember(ps[1], errs[1])
	}
}

func (w *worker) saveKey(i int) {
	uid := w.uid("key", i)
	w.begin(i, "SaveBillingKey", uid)
	var bk *iamport.BillingKey
	err := w.call(campaignBound, func(ctx context.Context) error {
		var err error
		bk, err = w.c.cl.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: uid, CardNumber: iamporttest.CardApproved, Expiry: "2030-12", Birth: "900101", Pwd2Digit: "00"})
		return err
	})
	w.end(w.c.srv, uid)
	stored, ok := w.c.srv.BillingKeyOf(uid)
	switch w.count(err) {
	case "nil":
		if !ok || bk == nil || bk.CustomerUID != uid || stored.CardNumber != bk.CardNumber {
			w.violate("nil error, but the key is stored=%v (reported %+v)", ok, bk != nil)
		}
	case "error", "declined":
		if ok {
			w.violate("error %q while the key was stored", err)
		}
	}
}

// refunds is what was refunded of an order's payments: in total, in how
// many cancels, and per payment. A cancel named by merchant_uid refunds
// whichever payment of the order iamport picks, so the checks look at all.
type refunds struct {
	total int64
	n     int
	byImp map[string]int64
	bal   int64 // what is left to refund of the payment asked about
}

func refundState(srv *iamporttest.Server, merchantUID, impUID string) refunds {
	r := refunds{byImp: map[string]int64{}}
	for _, p := range srv.PaymentsOf(merchantUID) {
		r.total += p.CancelAmount.Cents()
		r.n += len(p.CancelHistory)
		r.byImp[p.ImpUID] = p.CancelAmount.Cents()
		if p.ImpUID == impUID {
			r.bal = p.Balance().Cents()
		}
	}
	return r
}

// pickPaid returns a payment of this worker that has something left to
// refund, or false.
func (w *worker) pickPaid() (paidOrder, int64, bool) {
	for len(w.paid) > 0 {
		j := w.rng.IntN(len(w.paid))
		po := w.paid[j]
		if bal := refundState(w.c.srv, po.merchantUID, po.impUID).bal; bal > 0 {
			return po, bal, true
		}
		w.paid = slices.Delete(w.paid, j, j+1)
	}
	return paidOrder{}, 0, false
}

func (w *worker) cancelRequest(po paidOrder, bal int64) (*iamport.CancelRequest, int64) {
	req := &iamport.CancelRequest{ImpUID: po.impUID, Reason: "campaign"}
	if w.rng.IntN(3) == 0 {
		req.ImpUID, req.MerchantUID = "", po.merchantUID
	}
	refund := bal
	switch {
	case w.rng.IntN(2) == 0 && bal >= 200000:
		refund = 100000 * (1 + w.rng.Int64N(bal/100000-1)) // partial, whole won
		req.Amount = iamport.AmountFromCents(refund)
	case w.rng.IntN(2) == 0:
		req.Amount = iamport.AmountFromCents(bal) // the whole balance, named
	default:
		req.FullRefund = true
	}
	if w.rng.IntN(2) == 0 {
		cs := iamport.AmountFromCents(bal)
		req.Checksum = &cs
	}
	return req, refund
}

func (w *worker) cancel(i int) {
	po, bal, ok := w.pickPaid()
	if !ok {
		w.again(i)
		return
	}
	w.begin(i, "CancelPayment", po.impUID, po.merchantUID)
	req, refund := w.cancelRequest(po, bal)
	before := refundState(w.c.srv, po.merchantUID, po.impUID)
	var p *iamport.Payment
	err := w.call(campaignBound, func(ctx context.Context) error {
		var err error
		p, err = w.c.cl.CancelPayment(ctx, req)
		return err
	})
	w.end(w.c.srv, po.impUID, po.merchantUID)
	w.checkRefunds(1, refund, before, refundState(w.c.srv, po.merchantUID, po.impUID), []*iamport.Payment{p}, []error{err})
}

// cancelRace refunds the same part of one payment from two goroutines with
// the same checksum.
func (w *worker) cancelRace(i int) {
	po, bal, ok := w.pickPaid()
	if !ok || bal < 200000 {
		w.cancel(i)
		return
	}
	w.begin(i, "CancelRace", po.impUID, po.merchantUID)
	cs := iamport.AmountFromCents(bal)
	refund := int64(100000)
	before := refundState(w.c.srv, po.merchantUID, po.impUID)
	ps, errs := w.race(func(ctx context.Context) (*iamport.Payment, error) {
		return w.c.cl.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: po.impUID, Amount: iamport.AmountFromCents(refund), Checksum: &cs, Reason: "race"})
	})
	w.end(w.c.srv, po.impUID, po.merchantUID)
	w.checkRefunds(2, refund, before, refundState(w.c.srv, po.merchantUID, po.impUID), ps, errs)
}

// checkRefunds checks n cancels of refund each: the refunds made lie
// between the ones reported done and those plus the unknown ones, and each
// reported one shows in its answer.
func (w *worker) checkRefunds(n int, refund int64, before, after refunds, ps []*iamport.Payment, errs []error) {
	made := after.n - before.n
	done, unknown := 0, 0
	for j := range n {
		switch w.count(errs[j]) {
		case "nil":
			done++
			if ps[j] == nil || ps[j].CancelAmount.Cents() < before.byImp[ps[j].ImpUID]+refund {
				w.violate("nil error, but its answer shows %s refunded, not %s more than before: it does not show this refund",
					cancelAmountOf(ps[j]), iamport.AmountFromCents(refund))
			}
		case "unknown":
			unknown++
		}
	}
	got := after.total - before.total
	switch {
	case got != int64(made)*refund:
		w.violate("%d refunds made of %s in total; each should be %s", made, iamport.AmountFromCents(got), iamport.AmountFromCents(refund))
	case made < done:
		w.violate("%d cancels reported done, but %d refunds made (errors %v)", done, made, errs)
	case made > done+unknown:
		w.violate("%d refunds made, but only %d reported done and %d unknown (errors %v)", made, done, unknown, errs)
	}
}

func cancelAmountOf(p *iamport.Payment) string {
	if p == nil {
		return "<nil>"
	}
	return p.CancelAmount.String()
}

// schedule books 1 to 3 payments far in the future of the main fake, whose
// clock never moves, so they stay pending.
func (w *worker) schedule(i int) {
	n := 1 + w.rng.IntN(3)
	var mids []string
	var entries []iamport.ScheduleEntry
	base := w.c.srv.Now().Add(30 * 24 * time.Hour)
	for j := range n {
		mid := w.uid(fmt.Sprintf("sched%d_", j), i)
		mids = append(mids, mid)
		entries = append(entries, iamport.ScheduleEntry{MerchantUID: mid, ScheduleAt: base.Add(time.Duration(w.rng.IntN(30*24)) * time.Hour).Truncate(time.Second),
			Amount: w.amount(), Name: "campaign"})
	}
	w.begin(i, "Schedule", mids...)
	var out []iamport.Schedule
	err := w.call(campaignBound, func(ctx context.Context) error {
		var err error
		out, err = w.c.cl.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: w.schedKey, Schedules: entries})
		return err
	})
	w.end(w.c.srv, mids...)
	reported := map[string]bool{}
	for _, s := range out {
		reported[s.MerchantUID] = true
	}
	class := w.count(err)
	for _, e := range entries {
		s, stored := w.c.srv.ScheduleOf(e.MerchantUID)
		ok := stored && s.CustomerUID == w.schedKey && s.ScheduleStatus == iamport.ScheduleStatusScheduled &&
			s.ScheduleAt.Unix() == e.ScheduleAt.Unix() && s.Amount.Equal(e.Amount)
		if stored && !ok {
			w.violate("schedule %s stored as %+v, not as asked", e.MerchantUID, s)
		}
		switch {
		case class == "nil" && (!stored || !reported[e.MerchantUID]):
			w.violate("nil error, but schedule %s stored=%v reported=%v", e.MerchantUID, stored, reported[e.MerchantUID])
		case class == "unknown":
		case stored != reported[e.MerchantUID]:
			w.violate("error %v: schedule %s stored=%v but reported=%v", err, e.MerchantUID, stored, reported[e.MerchantUID])
		}
		if stored {
			w.pending = append(w.pending, e.MerchantUID)
		}
	}
}

// unschedule revokes some of this worker's pending schedules by name, or
// all of its schedule key's with All.
func (w *worker) unschedule(i int) {
	if len(w.pending) == 0 {
		w.schedule(i)
		return
	}
	req := &iamport.UnscheduleRequest{CustomerUID: w.schedKey}
	var targets []string
	if w.rng.IntN(4) == 0 {
		req.All = true
		targets = append(targets, w.pending...)
	} else {
		w.rng.Shuffle(len(w.pending), func(a, b int) { w.pending[a], w.pending[b] = w.pending[b], w.pending[a] })
		targets = append(targets, w.pending[:min(len(w.pending), 1+w.rng.IntN(2))]...)
		req.MerchantUIDs = targets
	}
	ids := append([]string{w.schedKey}, targets...)
	w.begin(i, "Unschedule", ids...)
	var out []iamport.Schedule
	err := w.call(campaignBound, func(ctx context.Context) error {
		var err error
		out, err = w.c.cl.Unschedule(ctx, req)
		return err
	})
	w.end(w.c.srv, ids...)
	reported := map[string]bool{}
	for _, s := range out {
		reported[s.MerchantUID] = true
	}
	class := w.count(err)
	// A partial result says exactly which were revoked, which not, and
	// which are unknown; only the unknown ones may be either.
	var ue *iamport.UnscheduleError
	partial := errors.As(err, &ue) && !ue.All
	unknownIDs := map[string]bool{}
	if partial {
		for _, s := range ue.Revoked {
			reported[s.MerchantUID] = true
		}
		for _, m := range ue.Unknown {
			unknownIDs[m] = true
		}
	}
	var still []string
	for _, m := range targets {
		s, _ := w.c.srv.ScheduleOf(m)
		revoked := s.ScheduleStatus == iamport.ScheduleStatusRevoked
		switch {
		case class == "nil" && (!revoked || !reported[m]):
			w.violate("nil error, but schedule %s is %s (reported revoked: %v)", m, s.ScheduleStatus, reported[m])
		case partial && unknownIDs[m]:
		case class == "unknown" && !partial:
		case revoked != reported[m]:
			w.violate("error %v: schedule %s is %s but reported revoked: %v", err, m, s.ScheduleStatus, reported[m])
		}
		if !revoked {
			still = append(still, m)
		}
	}
	for m := range reported {
		if !slices.Contains(targets, m) {
			w.violate("reported %s revoked, which was not asked for", m)
		}
	}
	keep := w.pending[:0]
	for _, m := range w.pending {
		if !slices.Contains(targets, m) || slices.Contains(still, m) {
			keep = append(keep, m)
		}
	}
	w.pending = keep
}

// recurring runs one subscription on the recurring fake, whose clock it
// moves: cycles scheduled, charged by iamport or declined, followed up with
// ScheduleFollowUp, and now and then charged by hand after a failure. After
// each step no cycle may be paid twice, and a paid cycle may have no
// attempt left pending once its follow-up returned nil.
func (w *worker) recurring(i int) {
	c := w.c
	ctx := context.Background()
	key := w.uid("sub", i)
	w.unrevoked = map[int]bool{}
	w.rec = iamporttest.NewServer(c.recOpts...)
	defer w.rec.Close()
	w.rec.SetFaultFunc(c.fault)
	w.rcl = campaignClient(w.rec)
	if _, err := w.rcl.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: key, CardNumber: iamporttest.CardApproved, Expiry: "2030-12", Birth: "900101", Pwd2Digit: "00"}); err != nil {
		c.violate(fmt.Sprintf("op %d recurring", i), "save billing key: %v", err)
		return
	}
	plan := &iamport.Plan{CustomerUID: key, Amount: 9900, Name: "campaign", Anchor: w.rec.Now().Add(time.Hour).Truncate(time.Second),
		Cycles: 3, Retry: []time.Duration{24 * time.Hour, 48 * time.Hour, 72 * time.Hour}}
	w.begin(i, "Recurring", key)
	defer w.c.checkServer(w.rec, w.op)
	defer w.end(w.rec, key)
	addIDs := func(ids ...string) {
		c.mu.Lock()
		for _, id := range ids {
			c.plans[id] = w.plan
		}
		c.mu.Unlock()
	}
	for cycle := 1; cycle <= plan.Cycles; cycle++ {
		for a := 0; a <= len(plan.Retry); a++ {
			addIDs(plan.MerchantUID(cycle, a))
		}
	}
	var s *iamport.Schedule
	err := w.call(2*campaignBound, func(ctx context.Context) error {
		var err error
		s, err = w.rcl.ScheduleCycle(ctx, plan, 1)
		return err
	})
	if w.count(err) != "nil" {
		return // an unknown or failed first schedule ends the subscription
	}
	for step := 0; step < 12 && s != nil; step++ {
		if w.rng.IntN(2) == 0 {
			w.rec.DeclineCharges(key, 1, "잔액부족")
		}
		if at := s.ScheduleAt.Add(time.Second); at.After(w.rec.Now()) {
			w.rec.SetTime(at)
		}
		w.rec.DeclineCharges(key, 0, "")
		pay := latestPayment(w.rec, s.MerchantUID)
		if pay == nil {
			w.violate("schedule %s did not run", s.MerchantUID)
			return
		}
		cycle, _, _ := plan.ParseMerchantUID(pay.MerchantUID)
		w.checkCycles(plan)
		var class string
		s, class = w.followUp(plan, cycle, pay)
		if pay.Status == iamport.PaymentStatusFailed && w.rng.IntN(2) == 0 {
			// The failure was followed up (its retry is booked); now the
			// cycle is charged by hand: by retrying a failed attempt's
			// schedule now, or by Again under its merchant_uid. Its
			// follow-up must revoke every attempt of the cycle still
			// pending, or one of them charges the cycle again.
			c.recurringManual.Add(1)
			if manual := w.chargeByHand(plan, cycle); manual != nil {
				s, class = w.followUp(plan, cycle, manual)
			}
		}
		if class != "nil" {
			s = nil
		}
	}
	// Let everything still pending run: no cycle is charged twice.
	w.rec.Advance(30 * 24 * time.Hour * time.Duration(plan.Cycles+1))
	w.checkCycles(plan)
}

// followUp calls ScheduleFollowUp for pay, a payment of cycle, as a webhook
// handler does: when it fails (other than with the plan's own answers,
// ErrNoFollowUp and ErrRetriesExhausted), the handler answers 500 and
// iamport delivers the webhook again, up to three times here. Once a
// follow-up of a paid payment has returned nil (or ErrNoFollowUp after the
// last cycle), no attempt of the cycle may be left pending. If every
// delivery failed, the merchant was told each time, and the cycle is not
// held to being charged once.
func (w *worker) followUp(plan *iamport.Plan, cycle int, pay *iamport.Payment) (*iamport.Schedule, string) {
	for delivery := 1; ; delivery++ {
		var s *iamport.Schedule
		// A follow-up may revoke a retry and then schedule: two calls, each
		// of which may reconcile.
		err := w.call(2*campaignBound, func(ctx context.Context) error {
			var err error
			s, err = w.rcl.ScheduleFollowUp(ctx, plan, pay)
			return err
		})
		class := w.count(err)
		if err := w.rec.Await(context.Background(), plan.CustomerUID); err != nil {
			w.violate("await: %v", err)
		}
		planAnswer := errors.Is(err, iamport.ErrNoFollowUp) || errors.Is(err, iamport.ErrRetriesExhausted)
		if class != "nil" && !planAnswer && delivery < 3 {
			continue
		}
		if pay.Paid() && (class == "nil" || planAnswer) {
			for a := 0; a <= len(plan.Retry); a++ {
				if sc, ok := w.rec.ScheduleOf(plan.MerchantUID(cycle, a)); ok && sc.ScheduleStatus == iamport.ScheduleStatusScheduled {
					w.violate("cycle %d was paid by %s (%s) and followed up (%v), but attempt %d is still pending", cycle, pay.ImpUID, pay.MerchantUID, errOrNil(err), a)
				}
			}
		}
		if pay.Paid() && class != "nil" && !planAnswer {
			w.unrevoked[cycle] = true
			w.c.nUnrevoked.Add(1)
		}
		return s, class
	}
}

func errOrNil(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// chargeByHand charges a failed cycle outside the schedule and returns the
// payment if it was paid.
func (w *worker) chargeByHand(plan *iamport.Plan, cycle int) *iamport.Payment {
	var failed []string
	for a := 0; a <= len(plan.Retry); a++ {
		mid := plan.MerchantUID(cycle, a)
		if p := latestPayment(w.rec, mid); p != nil && p.Status == iamport.PaymentStatusFailed {
			failed = append(failed, mid)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	mid := failed[w.rng.IntN(len(failed))]
	var p *iamport.Payment
	err := w.call(campaignBound, func(ctx context.Context) error {
		var err error
		if w.rng.IntN(2) == 0 {
			p, err = w.rcl.RetrySchedule(ctx, mid)
		} else {
			p, err = w.rcl.Again(ctx, &iamport.AgainRequest{CustomerUID: plan.CustomerUID, MerchantUID: mid, Amount: plan.Amount, Name: plan.Name})
		}
		return err
	})
	if err := w.rec.Await(context.Background(), mid); err != nil {
		w.violate("await: %v", err)
	}
	w.checkCharge(w.rec, mid, plan.CustomerUID, plan.Amount, p, err)
	if err == nil && p.Paid() {
		return p
	}
	return nil
}

// checkCycles checks that no cycle of plan was paid more than once.
func (w *worker) checkCycles(plan *iamport.Plan) {
	for cycle := 1; cycle <= plan.Cycles; cycle++ {
		var paid []string
		for a := 0; a <= len(plan.Retry); a++ {
			for _, p := range w.rec.PaymentsOf(plan.MerchantUID(cycle, a)) {
				if !p.PaidAt.IsZero() {
					paid = append(paid, p.MerchantUID+"="+p.ImpUID)
				}
			}
		}
		sort.Strings(paid)
		if len(paid) > 1 && !w.unrevoked[cycle] {
			w.violate("cycle %d was charged %d times: %v", cycle, len(paid), paid)
		}
	}
}

func latestPayment(srv *iamporttest.Server, merchantUID string) *iamport.Payment {
	ps := srv.PaymentsOf(merchantUID)
	if len(ps) == 0 {
		return nil
	}
	p := ps[len(ps)-1]
	return &p
}
