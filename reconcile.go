package iamport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// iamport V1 has no idempotency key. When a call that moves money fails
// after its request may have been written (a timeout of any kind, a reset
// connection, a 5xx or 408, an unreadable body), the request may still be
// running at iamport or the card company, for seconds after its answer was
// lost, and lookups may not show it yet. Re-sending it could charge or
// refund twice, and reporting a plain error invites the caller to re-send
// it. So the functions here never send it again: they look the outcome up
// until a lookup proves it, or until the reconcile deadline, and then report
// *OutcomeUnknownError. The only re-send is the pipeline's own, for a request
// that provably never left the process (Client.call).

// clockSlack absorbs the second granularity of iamport's timestamps and the
// error of the server-clock estimate when deciding whether a billing key was
// saved by this call.
const clockSlack = 3 * time.Second

// maxAttempts bounds how many attempts of one order a snapshot or a
// reconciliation lookup reads; an order with more is not charged (its
// snapshot would be partial).
const maxAttempts = 1000

// nothingToRevoke reports whether err is iamport's refusal of an unschedule
// that had nothing left to revoke (HTTP 200, code != 0).
func nothingToRevoke(err error) bool { return errors.Is(err, ErrNothingToRevoke) }

// ErrChargeInFlight is returned by Onetime, Again, RetrySchedule,
// PayKcpQuickAutopay and PayBenepia when the same Client is already charging
// the same merchant_uid: the second call is refused before anything is sent,
// so that two concurrent charges of one order can never both go through.
// Across processes or Clients, iamport alone decides (it refuses a
// merchant_uid only once it is paid).
var ErrChargeInFlight = errors.New("iamport: a charge of this merchant_uid is already in flight on this Client")

// ChargeCancelledError is returned, together with the Payment, by a charge
// (Onetime, Again, RetrySchedule, PayKcpQuickAutopay, PayKcpQuickMoney,
// PayBenepia) whose answer was lost and whose payment, when looked up, had
// been paid and then cancelled: the card was charged by this call and
// refunded since (a net cancellation by the PG, or a cancel made
// meanwhile). It is never a decline: money moved, and moved back.
type ChargeCancelledError struct {
	Payment *Payment
}

// Error names the order, its imp_uid and the amounts charged and cancelled.
func (e *ChargeCancelledError) Error() string {
	if e.Payment == nil {
		return "iamport: payment paid and then cancelled"
	}
	p := e.Payment
	return fmt.Sprintf("iamport: payment %s (imp_uid %s) was paid and then cancelled: %s charged, %s cancelled",
		p.MerchantUID, p.ImpUID, p.Amount, p.CancelAmount)
}

// UnscheduleError is returned by Unschedule, with the schedules it revoked,
// when not every schedule asked for was revoked by the call or its outcome is
// unknown for some. Revoked lists the schedules now revoked; NotRevoked the
// ones this call cannot revoke (executed, failed, of another billing key, or
// not revoked by an answer and not found: such a one has only its MerchantUID
// set); Unknown the merchant_uids whose revocation could not be established
// (still scheduled or not found when the reconciliation of a lost answer ran
// out of time, or lookups failed). For an
// Unschedule of every pending schedule (All) whose answer was lost, the set
// of revoked schedules is not known, All is set, and the three lists are
// empty. Err is the cause: an *OutcomeUnknownError when anything is unknown.
type UnscheduleError struct {
	Revoked    []Schedule
	NotRevoked []Schedule
	Unknown    []string
	All        bool
	Err        error
}

// Error lists what was revoked, what was not, and what is unknown.
func (e *UnscheduleError) Error() string {
	var b strings.Builder
	b.WriteString("iamport: unschedule")
	if e.All {
		b.WriteString(" of every pending schedule: which were revoked is unknown")
	}
	list := func(what string, ids []string) {
		if len(ids) > 0 {
			fmt.Fprintf(&b, "; %s: %s", what, strings.Join(ids, ","))
		}
	}
	list("revoked", scheduleUIDs(e.Revoked))
	var not []string
	for _, s := range e.NotRevoked {
		st := string(s.ScheduleStatus)
		if st == "" {
			st = "not found"
		}
		not = append(not, s.MerchantUID+" ("+st+")")
	}
	list("not revoked", not)
	list("unknown", e.Unknown)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause, so errors.As finds an *OutcomeUnknownError in it.
func (e *UnscheduleError) Unwrap() error { return e.Err }

func scheduleUIDs(ss []Schedule) []string {
	ids := make([]string, len(ss))
	for i := range ss {
		ids[i] = ss[i].MerchantUID
	}
	return ids
}

// verdict is what one reconciliation lookup found.
type verdict int

const (
	pending      verdict = iota // nothing proves the outcome yet
	decided                     // the outcome is proven
	lookupFailed                // the lookup itself failed
	unprovable                  // no lookup can prove the outcome: stop looking
)

// poll runs look, with backoff, until it decides, finds the outcome
// unprovable, or rctx ends. It returns nil once look decided, look's error
// when unprovable, or an error that joins the context's with the last
// lookup failure. Finding nothing is never taken as proof that nothing was
// done: a request may keep running after its answer is lost, and lookups lag.
func (c *Client) poll(rctx context.Context, look func(context.Context) (verdict, error)) error {
	delay := 100 * time.Millisecond
	var last error
	for {
		v, err := look(rctx)
		switch v {
		case decided:
			return nil
		case unprovable:
			return err
		case lookupFailed:
			last = err
		}
		if err := c.sleep(rctx, delay); err != nil {
			if last != nil {
				return fmt.Errorf("%w (last lookup: %v)", err, last)
			}
			return err
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// reconcileContext bounds a reconciliation by the reconcile timeout and by
// the caller's context.
func (c *Client) reconcileContext(ctx context.Context, what string, cause error) (context.Context, context.CancelFunc) {
	if c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "iamport reconciling: the answer was lost, looking the outcome up",
			slog.String("id", what), slog.String("error", cause.Error()))
	}
	return context.WithTimeout(ctx, c.reconcileTimeout)
}

func unknown(id, check string, cause error, why error) error {
	cause = plain(cause)
	if why != nil {
		cause = fmt.Errorf("%w; reconciliation: %v", cause, why)
	}
	return &OutcomeUnknownError{MerchantUID: id, Err: cause, check: check}
}

// plain returns the failure an ambiguousError marks, so that no call
// returns the internal type.
func plain(err error) error {
	if a, ok := err.(*ambiguousError); ok {
		return a.err
	}
	return err
}

// How to settle each kind of call, for OutcomeUnknownError. A charge's
// advice, naming its merchant_uid, is the default.
const (
	hintCancel = "look the payment up (GetPayment) and compare its CancelAmount and CancelHistory with what they were before " +
		"the cancel; a cancel sent again with the same Checksum can never refund twice, one with a new Checksum can"
	hintSchedules  = "look each schedule up with GetSchedule"
	hintScheduleAt = "look the schedule up with GetSchedule and compare its ScheduleAt and ScheduleStatus"
	hintBillingKey = "look the billing key up with GetBillingKey"
	hintUnschedAll = "list the billing key's schedules (ListCustomerSchedules) to see which are still scheduled, " +
		"and unschedule those by merchant_uid"
)

// sendTime estimates the server's clock just before a request is sent; the
// billing-key reconciliation compares iamport's timestamps with it. The
// estimate comes from the token answer, so the token is fetched first.
// ctx must carry a call token (withCallToken), which the call's requests
// then share.
func (c *Client) sendTime(ctx context.Context) (time.Time, error) {
	if _, err := c.callToken(ctx); err != nil { // refuses a done ctx before fetching
		return time.Time{}, err
	}
	return c.serverNow(), nil
}

// chargeOrder is what a charge asked for, and what its order looked like
// before: a payment found while reconciling is this call's only if it
// matches it.
type chargeOrder struct {
	merchantUID string
	amount      *Amount // nil when the request does not say (RetrySchedule)
	currency    string  // as requested; "" means KRW; checked with amount
	customerUID string  // the billing key charged; "" when none is named
	// before holds the imp_uids of the order's attempts before this call;
	// paidBefore says whether one of them was paid.
	before     map[string]bool
	paidBefore bool
	// blind says the snapshot's lookup got a 404 that is not an iamport
	// answer: no attempt found later proves this call's outcome.
	blind bool
}

// inFlight is the set of merchant_uids a Client is charging, and what its
// charges and issues of each order were answered.
type inFlight struct {
	mu   sync.Mutex
	uids map[string]bool
	// answered holds, per merchant_uid, the payments this Client's charges
	// and issues of the order were answered with (or found by a lookup):
	// findAll lags, so the snapshot of a later call may not show a payment
	// made a moment ago, which a lookup after a lost answer then shows as
	// new. A snapshot counts these as earlier too. Bounded as the cancel
	// memory is (cancelstate.go): past memoryKeep orders, those not being
	// charged and untouched for memoryAge, when no lookup lags any more, go.
	answered   map[string]*orderAnswers
	nextForget int
}

// orderAnswers is what a Client's calls of one order were answered with.
type orderAnswers struct {
	impUIDs []string
	paid    bool // one of them was paid
	touched time.Time
}

// remember records p, the payment a charge or issue of merchantUID was
// answered with or settled by.
func (f *inFlight) remember(merchantUID string, p *Payment) {
	if p == nil || p.ImpUID == "" {
		return
	}
	now := time.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.answered == nil {
		f.answered = make(map[string]*orderAnswers)
	}
	a := f.answered[merchantUID]
	if a == nil {
		a = &orderAnswers{}
		f.answered[merchantUID] = a
	}
	if !slices.Contains(a.impUIDs, p.ImpUID) {
		a.impUIDs = append(a.impUIDs, p.ImpUID)
	}
	a.paid = a.paid || p.Status == PaymentStatusPaid
	a.touched = now
	forgetOld(f.answered, &f.nextForget, func(m string, o *orderAnswers) bool {
		return !f.uids[m] && now.Sub(o.touched) >= memoryAge
	})
}

// known adds to *before (made when nil) the payments this Client's calls of
// merchantUID were answered with, and reports whether one was paid.
func (f *inFlight) known(merchantUID string, before *map[string]bool) (paid bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.answered[merchantUID]
	if a == nil {
		return false
	}
	if *before == nil {
		*before = make(map[string]bool, len(a.impUIDs))
	}
	for _, id := range a.impUIDs {
		(*before)[id] = true
	}
	return a.paid
}

// claim marks merchantUID as being charged, or refuses with
// ErrChargeInFlight if it already is; release undoes it.
func (f *inFlight) claim(merchantUID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.uids[merchantUID] {
		return fmt.Errorf("%w: merchant_uid %q", ErrChargeInFlight, merchantUID)
	}
	if f.uids == nil {
		f.uids = make(map[string]bool)
	}
	f.uids[merchantUID] = true
	return nil
}

// release ends the charge of merchantUID that claim allowed.
func (f *inFlight) release(merchantUID string) {
	f.mu.Lock()
	delete(f.uids, merchantUID)
	f.mu.Unlock()
}

// attempts lists every payment iamport holds under merchantUID (GET
// /payments/findAll/{merchant_uid}), only those whose merchant_uid is
// exactly it: a server that reads "a/paid" as a path must not pass off
// another order's payments. None is an empty list.
//
// Every charge makes this lookup before it sends, so it walks the pages
// itself rather than through FindPayments, whose iterator costs a few
// allocations more per call; the pages are checked as FindPayments checks
// them (nextPage).
func (c *Client) attempts(ctx context.Context, merchantUID string) ([]Payment, error) {
	ps, _, err := c.attemptsOf(ctx, merchantUID)
	return ps, err
}

// attemptsOf is attempts, and says whether the lookup ended on a 404 whose
// JSON carries no iamport code (APIError.bare), which may be a compatible
// server's "none" or a gateway's unknown route: it proves no absence.
func (c *Client) attemptsOf(ctx context.Context, merchantUID string) (_ []Payment, bare bool, _ error) {
	req := FindPaymentsRequest{MerchantUID: merchantUID, Limit: attemptsPageLimit}
	if err := req.check(); err != nil {
		return nil, false, err
	}
	path := req.path()
	var out []Payment
	for page := 1; page != 0; {
		query := attemptsFirstPage
		if page > 1 {
			query = url.Values{"limit": attemptsFirstPage["limit"], "page": {strconv.Itoa(page)}}
		}
		p, err := c.paymentPage(ctx, path, query)
		if errors.Is(err, ErrNotFound) {
			var e *APIError
			return out, errors.As(err, &e) && e.bare, nil
		}
		if err != nil {
			return nil, false, err
		}
		for i := range p.List {
			if p.List[i].MerchantUID == merchantUID {
				out = append(out, p.List[i])
			}
			if len(out) > maxAttempts {
				// A partial list would pass older attempts beyond it off as
				// new ones after a lost answer.
				return nil, false, &APIError{StatusCode: http.StatusOK, Method: "GET", Path: path, invalid: true,
					Message: fmt.Sprintf("the order has more than %d payments: too many to tell a new one from", maxAttempts)}
			}
		}
		if page, err = nextPage(path, page, p.Next, len(p.List)); err != nil {
			return nil, false, err
		}
	}
	return out, false, nil
}

// attemptsPageLimit is the page size of the attempts lookup.
const attemptsPageLimit = 100

// attemptsFirstPage is the query of the first page of an attempts lookup:
// shared by every lookup, and only ever read (see send.go).
var attemptsFirstPage = url.Values{"limit": {strconv.Itoa(attemptsPageLimit)}}

// snapshot records the order's attempts before the charge is sent. If it
// fails, nothing is sent: without it a lost answer could not be told from
// an older attempt.
func (c *Client) snapshot(ctx context.Context, o *chargeOrder) error {
	var err error
	if o.before, o.paidBefore, o.blind, err = c.earlierAttempts(ctx, o.merchantUID); err != nil {
		return fmt.Errorf("iamport: charge of %s not sent: looking its earlier attempts up: %w", o.merchantUID, err)
	}
	return nil
}

// earlierAttempts returns the imp_uids of the payments iamport holds under
// merchantUID (nil, which reads as empty, for a new order), and whether one
// of them is paid. What this Client's earlier calls of the order were
// answered with or settled by is earlier too, whether this lookup shows it
// yet or not (lookups lag).
//
// blind says the lookup got a 404 that is not an iamport answer (no code):
// the order may have earlier attempts it did not show, so after a lost
// answer no attempt found proves what this call did.
func (c *Client) earlierAttempts(ctx context.Context, merchantUID string) (before map[string]bool, paid, blind bool, err error) {
	ps, blind, err := c.attemptsOf(ctx, merchantUID)
	if err != nil {
		return nil, false, false, err
	}
	if len(ps) > 0 {
		before = make(map[string]bool, len(ps))
	}
	for i := range ps {
		before[ps[i].ImpUID] = true
		paid = paid || ps[i].Status == PaymentStatusPaid
	}
	paid = c.charging.known(merchantUID, &before) || paid
	return before, paid, blind, nil
}

// mismatch says how p, found by a lookup, differs from what the charge
// asked for, or "" if it does not. An empty currency is not held against it.
func (o *chargeOrder) mismatch(p *Payment) string {
	switch {
	case p.MerchantUID != o.merchantUID:
		return fmt.Sprintf("merchant_uid %q, not %q", p.MerchantUID, o.merchantUID)
	case o.amount != nil && p.Amount.Cents() != o.amount.Cents():
		return fmt.Sprintf("amount %s, not %s", p.Amount, *o.amount)
	case o.amount != nil && p.Currency != "" && !strings.EqualFold(p.Currency, o.wantCurrency()):
		return fmt.Sprintf("currency %s, not %s", p.Currency, o.wantCurrency())
	case o.customerUID != "" && p.CustomerUID != o.customerUID:
		return fmt.Sprintf("customer_uid %q, not %q", p.CustomerUID, o.customerUID)
	}
	return ""
}

func (o *chargeOrder) wantCurrency() string {
	if o.currency == "" {
		return "KRW"
	}
	return o.currency
}

// charge sends a call that charges a card and settles its outcome: paid is
// success, failed a *DeclinedError, a lost answer is reconciled. One charge
// of a merchant_uid is in flight per Client.
func (c *Client) charge(ctx context.Context, o *chargeOrder, r *request) (*Payment, error) {
	ctx, err := c.beginOrder(ctx, r, o.merchantUID)
	if err != nil {
		return nil, err
	}
	defer c.charging.release(o.merchantUID)
	if err := c.snapshot(ctx, o); err != nil {
		return nil, err
	}
	var p Payment
	err = c.call(ctx, r, &p)
	if err == nil {
		err = unsettled(r, &p, o)
	}
	if err == nil {
		c.charging.remember(o.merchantUID, &p)
		return chargeResult(&p)
	}
	if !isAmbiguous(err) {
		return nil, err
	}
	found, err := c.reconcileCharge(ctx, o, err)
	c.charging.remember(o.merchantUID, found)
	return found, err
}

// beginOrder starts a charge or a virtual-account issue of merchantUID, r:
// it makes and checks r's wire copy before anything is sent (a redacted
// copy is refused; call then sends the copy as it is, without making and
// checking it again), gives the call one token for all its requests, and
// claims merchantUID on this Client (ErrChargeInFlight when taken). The
// caller gives the claim back with c.charging.release once it is done.
func (c *Client) beginOrder(ctx context.Context, r *request, merchantUID string) (context.Context, error) {
	wb, err := wireBody(r.body)
	if err != nil {
		return nil, err
	}
	r.body = wb
	if err := c.charging.claim(merchantUID); err != nil {
		return nil, err
	}
	return withCallToken(ctx), nil
}

// unsettled reports a charge answered with code 0 that says nothing sure
// as ambiguous, to be reconciled: a payment of another order, one the order
// had before the call, one of another billing key than the one charged, or
// one that is neither paid nor failed (no status, ready, cancelled, or one
// this SDK does not know). It is no decline. The answer to this very request is
// otherwise taken as it is: the amount iamport reports (after a promotion,
// say) is the one charged.
func unsettled(r *request, p *Payment, o *chargeOrder) error {
	why := otherAnswer(p, o.merchantUID, o.before)
	switch {
	case why != "":
	case o.customerUID != "" && p.CustomerUID != "" && p.CustomerUID != o.customerUID:
		why = fmt.Sprintf("the answer is for customer_uid %q, not %q", p.CustomerUID, o.customerUID)
	case p.Status != PaymentStatusPaid && p.Status != PaymentStatusFailed:
		why = fmt.Sprintf("payment status %q is neither paid nor failed", p.Status)
	}
	if why == "" {
		return nil
	}
	return &ambiguousError{r.unfit(why)}
}

// otherAnswer says why p, the code-0 answer of a charge or an issue of
// merchantUID, is not this call's payment, or returns "": it is of another
// order, or one the order had before the call was sent (before), which is
// neither this call's success nor its decline.
func otherAnswer(p *Payment, merchantUID string, before map[string]bool) string {
	switch {
	case p.MerchantUID != "" && p.MerchantUID != merchantUID:
		return fmt.Sprintf("the answer is for merchant_uid %q, not %q", p.MerchantUID, merchantUID)
	case p.ImpUID != "" && before[p.ImpUID]:
		return fmt.Sprintf("the answer is payment %s, which the order had before this call", p.ImpUID)
	}
	return ""
}

func chargeResult(p *Payment) (*Payment, error) {
	switch p.Status {
	case PaymentStatusPaid:
		return p, nil
	case PaymentStatusCancelled:
		return p, &ChargeCancelledError{Payment: p}
	}
	return p, &DeclinedError{Payment: p}
}

// reconcileCharge finds out what a charge whose answer was lost did. It
// lists the order's attempts until one that was not there before the call
// and matches the request proves the outcome: paid, paid and cancelled
// since, or failed while no attempt of the order is paid or still running.
// Until then, or if time runs out, nothing is proven: the request may still
// be running, so it is never sent again, and the call reports
// *OutcomeUnknownError.
func (c *Client) reconcileCharge(ctx context.Context, o *chargeOrder, cause error) (*Payment, error) {
	if o.blind {
		return nil, unknown(o.merchantUID, "", cause, errBlindSnapshot)
	}
	rctx, cancel := c.reconcileContext(ctx, o.merchantUID, cause)
	defer cancel()
	var found *Payment
	err := c.poll(rctx, func(ctx context.Context) (verdict, error) {
		ps, err := c.attempts(ctx, o.merchantUID)
		if err != nil {
			return lookupFailed, err
		}
		if found = o.outcome(ps); found != nil {
			return decided, nil
		}
		return pending, nil
	})
	if err != nil {
		why := err
		if o.paidBefore {
			why = fmt.Errorf("%w; the order was already paid before this call", err)
		}
		return nil, unknown(o.merchantUID, "", cause, why)
	}
	return chargeResult(found)
}

// errBlindSnapshot is why a lost answer is not looked up when the look at
// the order's earlier attempts before the call got a 404 that is not an
// iamport answer.
var errBlindSnapshot = errors.New("the order's earlier attempts could not be listed before the call " +
	"(HTTP 404 without an iamport code): no payment found now proves what this call did")

// outcome returns the attempt among ps that proves what this call did, or
// nil.
func (o *chargeOrder) outcome(ps []Payment) *Payment {
	var paid, cancelled, failed *Payment
	anyPaid, running := o.paidBefore, false
	for i := range ps {
		p := &ps[i]
		if p.Status == PaymentStatusPaid {
			anyPaid = true
		}
		if o.before[p.ImpUID] || o.mismatch(p) != "" {
			continue // older, or another call's
		}
		switch {
		case p.Status == PaymentStatusPaid:
			paid = p
		case p.Status == PaymentStatusCancelled && !p.PaidAt.IsZero():
			cancelled = p
		case p.Status == PaymentStatusFailed:
			failed = p
		default:
			running = true // ready, or a status this SDK does not know
		}
	}
	switch {
	case paid != nil:
		return paid
	case cancelled != nil:
		return cancelled
	case failed != nil && !anyPaid && !running:
		return failed
	}
	return nil
}

// cancelLocks serialises the cancels of one payment on one Client, so that
// each one's snapshot of the cancel history is taken after the one before
// it has finished.
type cancelLocks struct {
	mu         sync.Mutex
	held       map[string]chan struct{}
	seen       map[string]*cancelSeen // see cancelstate.go
	nextForget int                    // the size of seen at which old states are next dropped
	now        func() time.Time       // the clock seen is kept by; nil: time.Now (tests set it)
}

// lock waits until impUID is free, or ctx ends.
func (l *cancelLocks) lock(ctx context.Context, impUID string) (unlock func(), err error) {
	for {
		l.mu.Lock()
		ch, busy := l.held[impUID]
		if !busy {
			if l.held == nil {
				l.held = make(map[string]chan struct{})
			}
			mine := make(chan struct{})
			l.held[impUID] = mine
			l.mu.Unlock()
			return func() {
				l.mu.Lock()
				delete(l.held, impUID)
				l.mu.Unlock()
				close(mine)
			}, nil
		}
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("iamport: waiting for another cancel of %s: %w", impUID, ctx.Err())
		}
	}
}

// cancel sends a cancel with a checksum, so iamport refuses one that would
// refund twice, and reconciles a lost answer against the cancel history
// read just before sending (see cancelBase: never older than what this
// Client has seen).
func (c *Client) cancel(ctx context.Context, w *CancelRequest) (*Payment, error) {
	if err := checkSendable(w); err != nil {
		return nil, err
	}
	ctx = withCallToken(ctx)
	impUID := w.ImpUID
	if impUID == "" {
		p, err := c.lookupPayment(ctx, "", w.MerchantUID)
		if err != nil {
			return nil, err
		}
		impUID = p.ImpUID
	}
	unlock, err := c.cancelling.lock(ctx, impUID)
	if err != nil {
		return nil, err
	}
	defer unlock()
	before, err := c.cancelBase(ctx, impUID)
	if err != nil {
		return nil, err
	}
	if w.Checksum == nil {
		bal := before.Balance()
		if before.Currency != "" {
			if err := checkWhole("amount", w.Amount, before.Currency); err != nil {
				return nil, err // iamport: "취소금액은 정수여야 합니다."
			}
		}
		if w.Amount.Cents() > bal.Cents() {
			return nil, invalid("amount", "exceeds the cancellable balance %s of payment %s", bal, before.ImpUID)
		}
		w.Checksum = &bal
		w.ImpUID = before.ImpUID // cancel exactly the payment that was checked
	}
	checksum := *w.Checksum
	refund := w.Amount
	if refund == 0 {
		refund = checksum
	}
	r := &request{method: "POST", path: "/payments/cancel", body: w, money: true}
	var p Payment
	err = c.call(ctx, r, &p)
	if err == nil && (p.ImpUID == "" || p.ImpUID == before.ImpUID) {
		c.cancelling.made(before, &p, refund)
		return &p, nil
	}
	if err == nil {
		err = &ambiguousError{r.unfit(fmt.Sprintf("the answer is for imp_uid %q, not %q", p.ImpUID, before.ImpUID))}
	}
	if !isAmbiguous(err) {
		return nil, err
	}
	if checksum.Cents() > before.Balance().Cents() {
		// A balance only ever goes down, and any lookup, however late,
		// shows one at least as high as it is now: the checksum is above
		// the balance, so iamport refuses this cancel whenever it runs.
		// (A checksum below a lookup's balance proves nothing: the lookup
		// may predate a refund.)
		return nil, fmt.Errorf("iamport: cancel of %s not applied: its checksum %s is above the balance %s: %w",
			before.ImpUID, checksum, before.Balance(), plain(err))
	}
	return c.reconcileCancel(ctx, before, checksum, refund, err)
}

// reconcileCancel looks the payment up until its cancel history shows a
// refund of refund, made from a balance of checksum, that was not there
// before, or time runs out (*OutcomeUnknownError). Serialised by
// cancelLocks, no other cancel of this Client can have made it, unless an
// earlier one of the same checksum and refund whose outcome is unknown: then
// the outcome stays unknown.
func (c *Client) reconcileCancel(ctx context.Context, before *Payment, checksum, refund Amount, cause error) (*Payment, error) {
	rctx, cancel := c.reconcileContext(ctx, before.ImpUID, cause)
	defer cancel()
	try := cancelTry{checksum: checksum.Cents(), refund: refund.Cents()}
	twin := false
	for _, u := range c.cancelling.seenState(before.ImpUID).unsettled {
		twin = twin || u == try
	}
	if twin {
		// A refund found could be either one's: no lookup can tell.
		return nil, unknown(before.ImpUID, hintCancel, cause, fmt.Errorf(
			"an earlier cancel of %s from the balance %s on this Client has an unknown outcome too", refund, checksum))
	}
	var after *Payment
	err := c.poll(rctx, func(ctx context.Context) (verdict, error) {
		p, err := c.GetPayment(ctx, before.ImpUID, GetPaymentParams{IncludeSandbox: true})
		if err != nil {
			return lookupFailed, err
		}
		if p.ImpUID != before.ImpUID {
			return pending, nil
		}
		if refundedFrom(before, p, try.checksum, try.refund) {
			after = p
			return decided, nil
		}
		return pending, nil
	})
	if err != nil {
		c.cancelling.lost(before.ImpUID, try)
		return nil, unknown(before.ImpUID, hintCancel, cause, err)
	}
	c.cancelling.saw(after)
	return after, nil
}

// checkSchedules compares a Schedule answer with the request, entry by
// entry: it returns the stored schedules in request order and the entries
// the answer does not show as asked.
func checkSchedules(w *ScheduleRequest, out []Schedule) (map[string]Schedule, []ScheduleEntry) {
	byUID := make(map[string]Schedule, len(out))
	for _, s := range out {
		byUID[s.MerchantUID] = s
	}
	stored := make(map[string]Schedule, len(w.Schedules))
	var missing []ScheduleEntry
	for _, e := range w.Schedules {
		if s, ok := byUID[e.MerchantUID]; ok && scheduleIs(&s, w.CustomerUID, &e, true) {
			stored[e.MerchantUID] = s
		} else {
			missing = append(missing, e)
		}
	}
	return stored, missing
}

// scheduleIs reports whether s is the schedule e asked for on customerUID.
// An answer may leave the customer_uid out (lenient); a lookup may not.
func scheduleIs(s *Schedule, customerUID string, e *ScheduleEntry, lenient bool) bool {
	keyOK := s.CustomerUID == customerUID || (lenient && s.CustomerUID == "")
	return keyOK && s.ScheduleStatus != ScheduleStatusRevoked &&
		s.ScheduleAt.Unix() == e.ScheduleAt.Unix() && s.Amount.Cents() == e.Amount.Cents()
}

// reconcileSchedule looks up each schedule that a Schedule answer, lost or
// incomplete, does not show, until every one is found as asked, one is found
// holding another schedule (then the batch was not stored as asked), or time
// runs out (*OutcomeUnknownError). Nothing is sent again.
func (c *Client) reconcileSchedule(ctx context.Context, w *ScheduleRequest, stored map[string]Schedule, todo []ScheduleEntry, cause error) ([]Schedule, error) {
	rctx, cancel := c.reconcileContext(ctx, todo[0].MerchantUID, cause)
	defer cancel()
	conflict, why := "", ""
	perr := c.poll(rctx, func(ctx context.Context) (verdict, error) {
		v := decided
		for _, e := range todo {
			if _, ok := stored[e.MerchantUID]; ok {
				continue
			}
			s, err := c.GetSchedule(ctx, e.MerchantUID)
			switch {
			case err == nil && scheduleIs(s, w.CustomerUID, &e, false):
				stored[e.MerchantUID] = *s
			case err == nil:
				// iamport refuses a merchant_uid it already has, so a
				// schedule that is not the one asked for is an older one,
				// and this entry was not stored.
				conflict, why = e.MerchantUID, "is scheduled on another billing key"
				if s.CustomerUID == w.CustomerUID {
					why = fmt.Sprintf("already names another schedule (%s, %s at %d)", s.ScheduleStatus, s.Amount, s.ScheduleAt.Unix())
				}
				return decided, nil
			case errors.Is(err, ErrNotFound):
				v = pending // not stored yet, or a lagging lookup
			default:
				return lookupFailed, err
			}
		}
		return v, nil
	})
	switch {
	case perr != nil:
		return collectSchedules(w, stored), unknown(scheduleIDs(w, stored), hintSchedules, cause, perr)
	case conflict != "":
		return collectSchedules(w, stored), fmt.Errorf("iamport: schedules %s were not stored: %s %s: %w",
			scheduleIDs(w, stored), conflict, why, cause)
	}
	return collectSchedules(w, stored), nil
}

// collectSchedules lists the stored schedules in the request's order.
func collectSchedules(w *ScheduleRequest, stored map[string]Schedule) []Schedule {
	out := make([]Schedule, 0, len(stored))
	for _, e := range w.Schedules {
		if s, ok := stored[e.MerchantUID]; ok {
			out = append(out, s)
		}
	}
	return out
}

// scheduleIDs names the schedules of w that are not in stored.
func scheduleIDs(w *ScheduleRequest, stored map[string]Schedule) string {
	var ids []string
	for _, e := range w.Schedules {
		if _, ok := stored[e.MerchantUID]; !ok {
			ids = append(ids, e.MerchantUID)
		}
	}
	return strings.Join(ids, ",")
}

// settleUnschedule establishes what an Unschedule of named schedules did:
// answered lists what the answer showed revoked (nil when it was lost).
// The schedules the answer does not show are looked up (until the reconcile
// deadline, when the answer was lost: the request may still be running).
// After a lost answer, a schedule no lookup finds stays unknown: lookups lag,
// and "not found" may be a schedule booked a moment ago that was revoked.
// It returns the revoked schedules, and an *UnscheduleError unless every one
// was revoked.
func (c *Client) settleUnschedule(ctx context.Context, w *UnscheduleRequest, answered []Schedule, cause error) ([]Schedule, error) {
	cause = plain(cause)
	revoked, not := map[string]Schedule{}, map[string]Schedule{}
	for _, s := range answered {
		if s.ScheduleStatus == "" || s.ScheduleStatus == ScheduleStatusRevoked {
			revoked[s.MerchantUID] = s
		}
	}
	lost := answered == nil
	look := func(ctx context.Context) (verdict, error) {
		v := decided
		for _, m := range w.MerchantUIDs {
			if _, ok := revoked[m]; ok {
				continue
			}
			if _, ok := not[m]; ok {
				continue
			}
			s, err := c.GetSchedule(ctx, m)
			switch {
			case errors.Is(err, ErrNotFound) && lost:
				// Not proof: a lookup lags behind a schedule booked a
				// moment ago, which the lost request may have revoked.
				v = pending
			case errors.Is(err, ErrNotFound):
				not[m] = Schedule{MerchantUID: m} // the answer did not revoke it
			case err != nil:
				return lookupFailed, err
			case w.CustomerUID != "" && s.CustomerUID != w.CustomerUID:
				not[m] = *s // another billing key's: iamport leaves it alone
			case s.ScheduleStatus == ScheduleStatusRevoked:
				revoked[m] = *s
			case s.ScheduleStatus == ScheduleStatusScheduled:
				v = pending // not revoked yet, or a lagging lookup
			default:
				not[m] = *s
			}
		}
		return v, nil
	}
	var perr error
	if lost {
		rctx, cancel := c.reconcileContext(ctx, strings.Join(w.MerchantUIDs, ","), cause)
		perr = c.poll(rctx, look)
		cancel()
	} else if v, err := look(ctx); v != decided {
		perr = err
		if perr == nil {
			perr = errors.New("still scheduled after an answer that did not list it")
		}
	}
	ue := &UnscheduleError{Err: cause}
	for _, m := range w.MerchantUIDs {
		if s, ok := revoked[m]; ok {
			ue.Revoked = append(ue.Revoked, s)
		} else if s, ok := not[m]; ok {
			ue.NotRevoked = append(ue.NotRevoked, s)
		} else {
			ue.Unknown = append(ue.Unknown, m)
		}
	}
	if len(ue.Unknown) > 0 {
		if cause == nil {
			cause = &APIError{StatusCode: http.StatusOK, Method: "POST", Path: "/subscribe/payments/unschedule", invalid: true,
				Message: "the answer does not list every schedule named"}
		}
		ue.Err = unknown(strings.Join(ue.Unknown, ","), hintSchedules, cause, perr)
	}
	if len(ue.Unknown) == 0 && len(ue.NotRevoked) == 0 {
		return ue.Revoked, nil
	}
	if ue.Err == nil {
		ue.Err = errors.New("some schedules could not be revoked")
	}
	return ue.Revoked, ue
}

// reconcileBillingKey finds out whether a billing key save whose answer was
// lost was stored, by its insert or update time, looking until it shows or
// time runs out. It is never sent again.
func (c *Client) reconcileBillingKey(ctx context.Context, customerUID string, sentAt time.Time, cause error) (*BillingKey, error) {
	return settle(c, ctx, customerUID, hintBillingKey, cause, func(ctx context.Context) (*BillingKey, verdict, error) {
		bk, err := c.GetBillingKey(ctx, customerUID)
		if errors.Is(err, ErrNotFound) {
			return nil, pending, nil
		}
		if err != nil {
			return nil, lookupFailed, err
		}
		since := sentAt.Add(-clockSlack)
		if !bk.Updated.Before(since) || !bk.Inserted.Before(since) {
			return bk, decided, nil
		}
		return nil, pending, nil // an older key: not replaced, or not yet
	})
}

// settle is the loop of the reconciliations whose answer is what a lookup
// shows: look until it decides (its find is the answer) or time runs out
// (an *OutcomeUnknownError with hint).
func settle[T any](c *Client, ctx context.Context, id, hint string, cause error,
	look func(context.Context) (*T, verdict, error)) (*T, error) {
	rctx, cancel := c.reconcileContext(ctx, id, cause)
	defer cancel()
	var found *T
	perr := c.poll(rctx, func(ctx context.Context) (verdict, error) {
		t, v, err := look(ctx)
		found = t
		return v, err
	})
	if perr != nil {
		return nil, unknown(id, hint, cause, perr)
	}
	return found, nil
}
