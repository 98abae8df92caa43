package iamport

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"sync"
	"time"
)

// iamport V1 sends a webhook once, unless re-delivery is enabled for the
// account: a notification that arrives during a deploy, a network blip or a
// 5xx from the merchant's handler is gone, and with it the follow-up of a
// recurring plan, which is scheduled from the webhook. A Sweeper catches up:
// it lists the schedules that ran in a recent window and handles each as its
// webhook would have been handled.

// DefaultSweepWindow is how far back a Sweeper looks when its Window is 0.
const DefaultSweepWindow = 48 * time.Hour

const (
	// sweepBatch is how many schedules are handled together: one plan
	// lookup and one GET /payments (which takes at most 100 identifiers).
	sweepBatch = maxGetPayments
	// sweepPageLimit is the page size the sweep lists schedules with.
	sweepPageLimit = maxPageLimit
	// defaultSweepWorkers is how many billing keys a sweep handles at once.
	defaultSweepWorkers = 8
	// sweepSlack extends the window past the server's clock, so that a
	// schedule run in the last second is listed.
	sweepSlack = time.Minute
	// maxReportErrors is how many failures a SweepReport keeps.
	maxReportErrors = 20
)

// ErrSkipFollowUp is returned by a Sweeper's OnPayment to say that the
// payment was handled but nothing must follow it: the customer cancelled the
// subscription, for instance. The sweep then schedules nothing for it and
// reports SweepSkipped, not a failure.
var ErrSkipFollowUp = errors.New("iamport: skip the follow-up")

// PlanLookup finds the plans billed on a batch of billing keys: it returns,
// for each customer_uid it knows, the plans charged on it (several when a
// customer has several subscriptions, told apart by Plan.ID). A customer_uid
// missing from the map is not a subscription of yours, and its schedules are
// left alone. It is called once for up to 100 schedules, with each
// customer_uid once, so that one query (WHERE customer_uid IN (...)) answers
// a whole batch. An error stops the sweep.
type PlanLookup func(ctx context.Context, customerUIDs []string) (map[string][]*Plan, error)

// SweepOutcome says what a sweep did with one schedule.
type SweepOutcome string

// The outcomes of a sweep.
const (
	// SweepFollowedUp: the follow-up (next cycle or retry) is scheduled,
	// by this sweep or before it. Result.Next is that schedule.
	SweepFollowedUp SweepOutcome = "followed_up"
	// SweepFinished: nothing follows: the plan's last cycle was paid, or
	// the payment is neither paid nor failed (refunded since, for example).
	SweepFinished SweepOutcome = "finished"
	// SweepExhausted: the cycle failed on its last retry; OnExhausted was
	// called.
	SweepExhausted SweepOutcome = "retries_exhausted"
	// SweepSkipped: OnPayment returned ErrSkipFollowUp.
	SweepSkipped SweepOutcome = "skipped"
	// SweepNotOurs: no plan of PlanLookup made this schedule's merchant_uid.
	SweepNotOurs SweepOutcome = "not_ours"
	// SweepNoPayment: the schedule ran without making a payment (iamport
	// found its merchant_uid already paid by another payment), so there is
	// nothing to verify. A schedule listed as paid without an imp_uid is
	// SweepFailed instead: its payment could not be verified yet.
	SweepNoPayment SweepOutcome = "no_payment"
	// SweepFailed: something failed; Result.Err says what. A later sweep
	// whose window still holds the schedule tries again.
	SweepFailed SweepOutcome = "failed"
)

// SweepResult is what a sweep found and did for one schedule.
type SweepResult struct {
	Schedule Schedule // as listed
	Plan     *Plan    // the plan that made it; nil for SweepNotOurs
	Payment  *Payment // the payment fetched from the API; nil if none
	Outcome  SweepOutcome
	Next     *Schedule // the follow-up, for SweepFollowedUp
	Err      error     // for SweepFailed
}

// Sweeper catches up on lost webhooks of recurring plans. Each run lists the
// schedules that ran in the last Window (GET /subscribe/payments/schedule,
// status executed, 1000 to a page), finds each one's plan with Plans, fetches
// the payments (GET /payments, 100 at a time), checks that each belongs to its
// schedule, calls OnPayment with it, and schedules what follows
// (Client.ScheduleFollowUp): the next cycle, a retry, or nothing.
//
// That is the path a webhook takes, and WebhookHandler serves webhooks
// through the very same code, so a payment is handled the same way whether
// its webhook arrived or the sweep found it. A sweep is safe at any time, as
// often as wanted, on any number of replicas at once: follow-up merchant_uids
// are deterministic, and iamport refuses to schedule one twice (the refusal
// is answered with the schedule that exists). The one requirement is on
// OnPayment: it is called again for every payment in the window on every
// sweep, and also when the webhook did arrive, possibly at the same time, so
// it must be idempotent. Record each payment under a unique key on (imp_uid,
// status), with INSERT ... ON CONFLICT DO NOTHING or the like.
//
// Memory stays flat in the number of schedules: a sweep holds one page of
// the listing and one batch of 100 schedules at a time.
//
// Run it every few minutes, from a ticker or a cron job:
//
//	sw := &iamport.Sweeper{Client: client, Plans: db.PlansByCustomer, OnPayment: db.RecordPayment}
//	for range time.Tick(5 * time.Minute) {
//		if report, err := sw.Run(ctx); err != nil {
//			log.Printf("sweep: %v (%s)", err, report)
//		}
//	}
type Sweeper struct {
	// Client makes the calls (required).
	Client *Client
	// Plans finds the plans of the schedules' billing keys (required).
	Plans PlanLookup
	// OnPayment is called with each verified payment of a plan before its
	// follow-up is scheduled (required). It must be idempotent (see above).
	// An error keeps the follow-up from being scheduled and is reported as
	// SweepFailed, so a later sweep (or webhook) tries again; ErrSkipFollowUp
	// schedules nothing and is reported as SweepSkipped.
	OnPayment func(ctx context.Context, plan *Plan, p *Payment) error
	// OnExhausted, if set, is called when a cycle failed on its last retry:
	// suspend the subscription or ask for a new card. It is called again on
	// every sweep whose window holds that payment, so it must be idempotent
	// too.
	OnExhausted func(ctx context.Context, plan *Plan, p *Payment) error
	// Window is how far back, from the server's clock, a sweep looks: at
	// least twice the time between two sweeps. 0 means DefaultSweepWindow.
	Window time.Duration
	// Workers is how many billing keys a sweep handles at once; 0 means 8.
	Workers int
}

func (s *Sweeper) check() error {
	switch {
	case s == nil || s.Client == nil:
		return invalid("sweeper.client", "is required")
	case s.Plans == nil:
		return invalid("sweeper.plans", "is required")
	case s.OnPayment == nil:
		return invalid("sweeper.on_payment", "is required")
	case s.Window < 0:
		return invalid("sweeper.window", "must not be negative")
	case s.Workers < 0:
		return invalid("sweeper.workers", "must not be negative")
	}
	return nil
}

// Sweep lists the schedules that ran in the last Window and handles each,
// yielding one result per schedule in the order of the listing (oldest
// first), with the result's Err as the error. A nil result with an error
// means the sweep stopped: the listing, a plan lookup or a payment lookup
// failed, or ctx ended. Breaking out of the loop stops the sweep after the
// batch under way.
//
// The window ends at the server's clock, read from a token answer (POST
// /users/getToken) at the start of each sweep.
func (s *Sweeper) Sweep(ctx context.Context) iter.Seq2[*SweepResult, error] {
	if err := s.check(); err != nil {
		return func(yield func(*SweepResult, error) bool) { yield(nil, err) }
	}
	return func(yield func(*SweepResult, error) bool) {
		c := s.Client
		if _, err := c.fetchedToken(ctx); err != nil {
			yield(nil, fmt.Errorf("iamport: sweep: reading the server's clock: %w", err))
			return
		}
		now := c.serverNow()
		window := s.Window
		if window == 0 {
			window = DefaultSweepWindow
		}
		req := &ListSchedulesRequest{From: now.Add(-window), To: now.Add(sweepSlack),
			Status: ScheduleStatusExecuted, Limit: sweepPageLimit, Sorting: ScheduleSortOldestFirst}
		batch := make([]Schedule, 0, sweepBatch)
		flush := func() bool {
			results, err := s.handleBatch(ctx, batch)
			batch = batch[:0]
			if err != nil {
				yield(nil, err)
				return false
			}
			for _, r := range results {
				if !yield(r, r.Err) {
					return false
				}
			}
			return true
		}
		for sc, err := range c.ListSchedules(ctx, req) {
			if err != nil {
				yield(nil, fmt.Errorf("iamport: sweep: listing schedules: %w", err))
				return
			}
			batch = append(batch, *sc)
			if len(batch) == sweepBatch && !flush() {
				return
			}
		}
		if len(batch) > 0 {
			flush()
		}
	}
}

// handleBatch handles up to sweepBatch schedules: one plan lookup, one
// payments lookup, then each billing key's schedules in listing order, up
// to Workers billing keys at once.
func (s *Sweeper) handleBatch(ctx context.Context, batch []Schedule) ([]*SweepResult, error) {
	results := make([]*SweepResult, len(batch))
	var uids []string
	byCustomer := map[string][]int{}
	for i := range batch {
		results[i] = &SweepResult{Schedule: batch[i]}
		u := batch[i].CustomerUID
		if _, ok := byCustomer[u]; !ok {
			uids = append(uids, u)
		}
		byCustomer[u] = append(byCustomer[u], i)
	}
	plans, err := s.Plans(ctx, uids)
	if err != nil {
		return nil, fmt.Errorf("iamport: sweep: looking plans up: %w", err)
	}
	var imps []string
	for _, r := range results {
		r.Plan = planOf(plans[r.Schedule.CustomerUID], r.Schedule.MerchantUID)
		switch {
		case r.Plan == nil:
			r.Outcome = SweepNotOurs
		case r.Schedule.ImpUID == "" && r.Schedule.PaymentStatus == PaymentStatusPaid:
			// Paid, but the listing does not say by which payment yet: there
			// is nothing to verify, and the follow-up must not be dropped.
			r.fail(fmt.Errorf("iamport: sweep: schedule %s is listed as paid without its imp_uid: %w",
				r.Schedule.MerchantUID, ErrNotFound))
		case r.Schedule.ImpUID == "":
			r.Outcome = SweepNoPayment
		default:
			imps = append(imps, r.Schedule.ImpUID)
		}
	}
	if len(imps) > 0 {
		found, err := s.Client.GetPayments(ctx, &GetPaymentsRequest{ImpUIDs: imps})
		if err != nil {
			return nil, fmt.Errorf("iamport: sweep: fetching payments: %w", err)
		}
		byImp := make(map[string]*Payment, len(found.Payments))
		for i := range found.Payments {
			byImp[found.Payments[i].ImpUID] = &found.Payments[i]
		}
		for _, r := range results {
			if r.Plan != nil && r.Outcome == "" {
				r.Payment = byImp[r.Schedule.ImpUID]
			}
		}
	}

	work := make(chan []int)
	var wg sync.WaitGroup
	for range min(s.workers(), len(uids)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for idx := range work {
				for _, i := range idx {
					if r := results[i]; r.Outcome == "" {
						s.sweepOne(ctx, r)
					}
				}
			}
		}()
	}
	for _, u := range uids {
		work <- byCustomer[u]
	}
	close(work)
	wg.Wait()
	return results, nil
}

func (s *Sweeper) workers() int {
	if s.Workers == 0 {
		return defaultSweepWorkers
	}
	return s.Workers
}

// planOf returns the plan among plans whose merchant_uids include mid.
func planOf(plans []*Plan, mid string) *Plan {
	for _, p := range plans {
		if _, _, err := p.ParseMerchantUID(mid); err == nil {
			return p
		}
	}
	return nil
}

// sweepOne checks that r.Payment is the payment of r.Schedule (its
// merchant_uid and billing key), then handles it.
func (s *Sweeper) sweepOne(ctx context.Context, r *SweepResult) {
	p, sc := r.Payment, &r.Schedule
	switch {
	case p == nil:
		r.fail(fmt.Errorf("iamport: sweep: payment %s of schedule %s: %w", sc.ImpUID, sc.MerchantUID, ErrNotFound))
		return
	case p.MerchantUID != sc.MerchantUID:
		r.fail(fmt.Errorf("%w: payment %s belongs to merchant_uid %q, not schedule %q",
			ErrWebhookMismatch, p.ImpUID, p.MerchantUID, sc.MerchantUID))
		return
	case p.CustomerUID != "" && p.CustomerUID != sc.CustomerUID:
		// The schedule charges its own billing key: a payment of another
		// one is not this schedule's, whatever its merchant_uid says.
		r.fail(fmt.Errorf("%w: payment %s was charged to customer_uid %q, not schedule %q's %q",
			ErrWebhookMismatch, p.ImpUID, p.CustomerUID, sc.MerchantUID, sc.CustomerUID))
		return
	}
	s.handle(ctx, r)
}

func (r *SweepResult) fail(err error) {
	r.Outcome, r.Err = SweepFailed, err
}

// handle is the path every verified payment of r.Plan takes, from a webhook
// or a sweep: OnPayment, then the follow-up.
func (s *Sweeper) handle(ctx context.Context, r *SweepResult) {
	if err := callback(s.OnPayment, ctx, r.Plan, r.Payment); err != nil {
		if errors.Is(err, ErrSkipFollowUp) {
			r.Outcome = SweepSkipped
			return
		}
		r.fail(fmt.Errorf("iamport: payment %s (%s): OnPayment: %w", r.Payment.ImpUID, r.Payment.MerchantUID, err))
		return
	}
	next, err := s.Client.ScheduleFollowUp(ctx, r.Plan, r.Payment)
	switch {
	case err == nil:
		r.Outcome, r.Next = SweepFollowedUp, next
	case errors.Is(err, ErrNoFollowUp):
		r.Outcome = SweepFinished
	case errors.Is(err, ErrRetriesExhausted):
		r.Outcome = SweepExhausted
		if s.OnExhausted != nil {
			if err := callback(s.OnExhausted, ctx, r.Plan, r.Payment); err != nil {
				r.fail(fmt.Errorf("iamport: payment %s (%s): OnExhausted: %w", r.Payment.ImpUID, r.Payment.MerchantUID, err))
			}
		}
	default:
		r.fail(fmt.Errorf("iamport: payment %s (%s): scheduling the follow-up: %w", r.Payment.ImpUID, r.Payment.MerchantUID, err))
	}
}

// callback calls fn, turning a panic into an error: a sweep runs the
// callbacks on its own goroutines, where a panic could not be recovered by
// the caller.
func callback(fn func(context.Context, *Plan, *Payment) error, ctx context.Context, plan *Plan, p *Payment) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return fn(ctx, plan, p)
}

// HandlePayment handles p, a payment verified against the API (as
// VerifyWebhook returns it), the way a sweep does: it finds p's plan with
// Plans (by p.CustomerUID), calls OnPayment, and schedules the follow-up. A
// payment no plan made is reported SweepNotOurs, without calling OnPayment.
// The result's Err is nil unless the outcome is SweepFailed.
func (s *Sweeper) HandlePayment(ctx context.Context, p *Payment) *SweepResult {
	r := &SweepResult{Payment: p}
	if err := s.check(); err != nil {
		r.fail(err)
		return r
	}
	if p == nil {
		r.fail(invalid("payment", "is required"))
		return r
	}
	r.Schedule = Schedule{CustomerUID: p.CustomerUID, MerchantUID: p.MerchantUID, ImpUID: p.ImpUID,
		ScheduleStatus: ScheduleStatusExecuted, PaymentStatus: p.Status, Amount: p.Amount, Currency: p.Currency,
		Name: p.Name, FailReason: p.FailReason, CustomData: p.CustomData}
	if p.CustomerUID == "" {
		r.Outcome = SweepNotOurs
		return r
	}
	plans, err := s.Plans(ctx, []string{p.CustomerUID})
	if err != nil {
		r.fail(fmt.Errorf("iamport: looking the plan of %s up: %w", p.MerchantUID, err))
		return r
	}
	if r.Plan = planOf(plans[p.CustomerUID], p.MerchantUID); r.Plan == nil {
		r.Outcome = SweepNotOurs
		return r
	}
	s.handle(ctx, r)
	return r
}

// WebhookHandler returns an http.Handler for iamport's webhooks (see the
// package-level WebhookHandler, whose options it takes) that hands each
// verified payment to HandlePayment: the same path a sweep takes. It answers
// 200 when the payment was handled or is not a plan's, and 500 when
// HandlePayment failed. It panics if the Sweeper lacks Client, Plans or
// OnPayment.
func (s *Sweeper) WebhookHandler(opts ...WebhookOption) http.Handler {
	if err := s.check(); err != nil {
		panic("iamport: Sweeper.WebhookHandler: " + err.Error())
	}
	return WebhookHandler(s.Client, func(ctx context.Context, p *Payment, _ *WebhookEvent) error {
		return s.HandlePayment(ctx, p).Err
	}, opts...)
}

// SweepReport sums up one sweep.
type SweepReport struct {
	Schedules int                  // schedules listed in the window
	Outcomes  map[SweepOutcome]int // how many had each outcome
	// Failures holds the first 20 failed results; Outcomes[SweepFailed]
	// counts them all.
	Failures []*SweepResult
	// Err is why the sweep stopped early, if it did.
	Err error
}

// String gives the counts, such as "120 schedules: 117 followed_up, 3 finished".
func (r *SweepReport) String() string {
	if r == nil {
		return "no sweep"
	}
	s := fmt.Sprintf("%d schedules", r.Schedules)
	sep := ": "
	for _, o := range []SweepOutcome{SweepFollowedUp, SweepFinished, SweepExhausted, SweepSkipped, SweepNotOurs, SweepNoPayment, SweepFailed} {
		if n := r.Outcomes[o]; n > 0 {
			s += fmt.Sprintf("%s%d %s", sep, n, o)
			sep = ", "
		}
	}
	if r.Err != nil {
		s += "; stopped: " + r.Err.Error()
	}
	return s
}

// Run sweeps once (see Sweep) and sums up what it did. The error is non-nil
// when the sweep stopped early (the report's Err) or some schedules failed
// (the report's Failures); the report is never nil.
func (s *Sweeper) Run(ctx context.Context) (*SweepReport, error) {
	rep := &SweepReport{Outcomes: map[SweepOutcome]int{}}
	for r, err := range s.Sweep(ctx) {
		if r == nil {
			rep.Err = err
			break
		}
		rep.Schedules++
		rep.Outcomes[r.Outcome]++
		if r.Outcome == SweepFailed && len(rep.Failures) < maxReportErrors {
			rep.Failures = append(rep.Failures, r)
		}
	}
	switch n := rep.Outcomes[SweepFailed]; {
	case rep.Err != nil:
		return rep, rep.Err
	case n > 0:
		return rep, fmt.Errorf("iamport: sweep: %d of %d schedules failed; first: %w", n, rep.Schedules, rep.Failures[0].Err)
	}
	return rep, nil
}

// CatchUp runs one sweep over the schedules that ran in the last window (0
// for DefaultSweepWindow), with plans finding their plans and onPayment
// called for each verified payment before its follow-up is scheduled. It is
// a Sweeper in one call; see Sweeper for what it does and what onPayment
// must guarantee.
func (c *Client) CatchUp(ctx context.Context, window time.Duration, plans PlanLookup,
	onPayment func(ctx context.Context, plan *Plan, p *Payment) error) (*SweepReport, error) {
	return (&Sweeper{Client: c, Window: window, Plans: plans, OnPayment: onPayment}).Run(ctx)
}
