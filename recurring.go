package iamport

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Recurring billing on iamport is a chain of scheduled payments: schedule a
// cycle, receive the webhook when iamport charges it, verify the payment,
// record it, schedule the next cycle (or a retry, if the charge failed). A
// Plan describes the chain; ScheduleCycle and ScheduleFollowUp add its links
// so that a notification handled twice, or a follow-up scheduled twice,
// never charges the customer twice.

const (
	// MaxPlanCycle is the highest cycle a Plan can bill.
	MaxPlanCycle = 9999
	// MaxPlanRetries is the most retries a Plan's retry policy can hold.
	MaxPlanRetries = 99

	maxPlanEvery   = 1200 // months (100 years)
	uidPrefixLen   = 30   // length of a hashed merchant_uid prefix; a raw one is shorter
	uidReadableLen = 13   // characters of the customer_uid kept readable in a hashed prefix
	followUpLead   = time.Minute
)

// DefaultRetryDelays is the retry policy of a Plan whose Retry is nil: a
// failed cycle is charged again 1, 3 and 7 days after its billing time.
var DefaultRetryDelays = []time.Duration{24 * time.Hour, 3 * 24 * time.Hour, 7 * 24 * time.Hour}

var (
	// ErrRetriesExhausted is returned by ScheduleFollowUp for a failed
	// payment that was the plan's last attempt at its cycle: nothing more is
	// scheduled. Suspend the subscription, or ask the customer for a new card.
	ErrRetriesExhausted = errors.New("iamport: retries exhausted")
	// ErrNotPlanMerchantUID is returned for a merchant_uid that the Plan did
	// not make: another customer's, another plan's, or an order outside the
	// plan.
	ErrNotPlanMerchantUID = errors.New("iamport: merchant_uid does not belong to the plan")
	// ErrNoFollowUp is returned by ScheduleFollowUp when nothing follows the
	// payment: its status is neither paid nor failed (ready, cancelled), or
	// it paid the plan's last cycle.
	ErrNoFollowUp = errors.New("iamport: no follow-up for this payment status")
)

// seoulLocation is Asia/Seoul, or, where the time zone database is missing, a
// fixed UTC+9 zone, which is the same: Korea has not observed daylight saving
// time since 1988.
var seoulLocation = sync.OnceValue(func() *time.Location {
	if l, err := time.LoadLocation("Asia/Seoul"); err == nil {
		return l
	}
	return time.FixedZone("KST", 9*60*60)
})

// Plan is one customer's subscription: an amount charged every Every months
// on the billing key CustomerUID, starting at Anchor.
//
// Cycles are numbered from 1. Cycle n bills at BillingTime(n) under the
// merchant_uid MerchantUID(n, 0); a failed charge is retried under
// MerchantUID(n, 1), MerchantUID(n, 2), ... at the times the Retry policy
// gives. These merchant_uids are deterministic, so scheduling the same cycle
// or retry twice is refused by iamport instead of charging twice, and
// ParseMerchantUID recovers the cycle and attempt from any of them.
//
// Keep a Plan's CustomerUID, ID and Anchor fixed for the life of the
// subscription: they determine the merchant_uids and billing times. Amount,
// Name and the other fields apply to what is scheduled next.
//
// To charge the first cycle at sign-up rather than schedule it, call
// Client.Again with MerchantUID(1, 0) and pass the Payment it returns to
// ScheduleFollowUp. To end a subscription, stop calling ScheduleFollowUp for
// it (check your own records in the webhook callback) and revoke what is
// pending with Client.Unschedule.
type Plan struct {
	// CustomerUID is the billing key to charge (required).
	CustomerUID string
	// ID tells apart several plans on the same billing key (for example
	// "basic" and "storage"). Leave it empty for a customer's only plan.
	ID string

	Amount   Amount // charged each cycle (required, > 0)
	Currency string // default KRW
	Name     string // order name of each schedule; iamport documents 40 characters, sent as given

	// Every is the number of months between two cycles: 1 (or 0) monthly, 3
	// quarterly, 12 yearly.
	Every int
	// Anchor is the first billing time (required). Every cycle bills on its
	// day of the month and at its clock time in Location: a plan anchored on
	// the 31st bills on the last day of shorter months and on the 31st again
	// when there is one; 10:00 stays 10:00 across daylight-saving changes.
	Anchor time.Time
	// Location is the time zone of the billing dates; nil means Asia/Seoul.
	Location *time.Location
	// Cycles is the number of cycles to bill (12 for a one-year contract
	// billed monthly); 0 means until you stop scheduling, up to MaxPlanCycle.
	Cycles int

	// Retry is the retry policy of a failed cycle: attempt k (from 1) of
	// cycle n is charged Retry[k-1] after BillingTime(n). Whole days are
	// calendar days in Location, so the clock time is kept. The delays must
	// increase and stay below 27 days times Every, so that every retry
	// happens before the next cycle. Nil means DefaultRetryDelays; an empty,
	// non-nil slice means no retries.
	Retry []time.Duration

	// NoticeURL, if set, is where iamport posts the webhook of each
	// scheduled payment; empty means the console's webhook URL.
	NoticeURL string

	BuyerName  string `redact:"true"`
	BuyerEmail string `redact:"true"`
	BuyerTel   string `redact:"true"`
	CustomData string // copied to each Payment's CustomData
}

type planFields Plan // same fields, no methods

// MarshalJSON encodes p with the buyer's personal data redacted.
func (p Plan) MarshalJSON() ([]byte, error) { return redactedJSON(planFields(p)) }

// Format prints p with the buyer's personal data redacted, for every verb.
func (p Plan) Format(f fmt.State, verb rune) { formatRedacted[Plan](f, verb, planFields(p)) }

// LogValue logs p with the buyer's personal data redacted.
func (p Plan) LogValue() slog.Value { return logValueRedacted(planFields(p)) }

func (p *Plan) location() *time.Location {
	if p.Location != nil {
		return p.Location
	}
	return seoulLocation()
}

func (p *Plan) every() int {
	if p.Every == 0 {
		return 1
	}
	return p.Every
}

func (p *Plan) lastCycle() int {
	if p.Cycles == 0 {
		return MaxPlanCycle
	}
	return p.Cycles
}

func (p *Plan) retry() []time.Duration {
	if p.Retry == nil {
		return DefaultRetryDelays
	}
	return p.Retry
}

// Validate checks the plan. Each problem is a *ValidationError whose Field
// is the plan's field ("plan.anchor", "plan.retry[1]", ...).
func (p *Plan) Validate() error {
	if p == nil {
		return invalid("plan", "is required")
	}
	if err := checkID("plan.customer_uid", p.CustomerUID); err != nil {
		return err
	}
	if err := checkAmount("plan.amount", p.Amount); err != nil {
		return err
	}
	if p.Every < 0 || p.Every > maxPlanEvery {
		return invalid("plan.every", "must be between 1 and %d months (0 means 1)", maxPlanEvery)
	}
	if p.Anchor.IsZero() {
		return invalid("plan.anchor", "is required")
	}
	if p.Cycles < 0 || p.Cycles > MaxPlanCycle {
		return invalid("plan.cycles", "must be between 0 (no limit) and %d", MaxPlanCycle)
	}
	r := p.retry()
	if len(r) > MaxPlanRetries {
		return invalid("plan.retry", "must hold at most %d delays", MaxPlanRetries)
	}
	limit := time.Duration(27*p.every()) * 24 * time.Hour
	for i, d := range r {
		f := "plan.retry[" + strconv.Itoa(i) + "]"
		switch {
		case d <= 0:
			return invalid(f, "must be positive")
		case i > 0 && d <= r[i-1]:
			return invalid(f, "must be longer than plan.retry[%d]: delays count from the billing time", i-1)
		case d >= limit:
			return invalid(f, "must be shorter than %d days, so that the retry happens before the next cycle", 27*p.every())
		}
	}
	return nil
}

// BillingTime returns when cycle (from 1) bills: Anchor moved by
// (cycle-1)*Every months in Location, on Anchor's day of the month or the
// month's last day if it is shorter, at Anchor's clock time. A clock time
// that does not exist that day (skipped when daylight saving time starts) is
// moved forward by the change: 02:30 becomes 03:30. BillingTime returns the
// zero Time for a cycle outside 1..MaxPlanCycle, a zero Anchor or a negative
// Every.
func (p *Plan) BillingTime(cycle int) time.Time {
	if p == nil || cycle < 1 || cycle > MaxPlanCycle || p.Anchor.IsZero() || p.Every < 0 || p.Every > maxPlanEvery {
		return time.Time{}
	}
	y, m, d := p.Anchor.In(p.location()).Date()
	months := int(m) - 1 + (cycle-1)*p.every()
	ty, tm := y+months/12, time.Month(months%12+1)
	return p.onDay(ty, tm, min(d, daysIn(ty, tm)))
}

// onDay returns the anchor's clock time on the given day in the plan's
// location. A clock time that the day skips (the hour lost when daylight
// saving time starts) is moved forward by the change: 02:30 on a day that
// jumps from 02:00 to 03:00 is 03:30. (time.Date leaves the direction
// unspecified.)
func (p *Plan) onDay(y int, m time.Month, d int) time.Time {
	loc := p.location()
	a := p.Anchor.In(loc)
	hh, mm, ss := a.Clock()
	t := time.Date(y, m, d, hh, mm, ss, a.Nanosecond(), loc)
	if th, tm, ts := t.Clock(); th == hh && tm == mm && ts == ss {
		return t
	}
	// In a gap: read the clock time with the offset in force before it.
	_, before := t.Add(-12 * time.Hour).Zone()
	naive := time.Date(y, m, d, hh, mm, ss, a.Nanosecond(), time.UTC)
	return naive.Add(-time.Duration(before) * time.Second).In(loc)
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// retryTime returns when attempt (from 1) of cycle is charged.
func (p *Plan) retryTime(cycle, attempt int) time.Time {
	base := p.BillingTime(cycle)
	d := p.retry()[attempt-1]
	if d%(24*time.Hour) == 0 {
		y, m, day := base.Date()
		return p.onDay(y, m, day+int(d/(24*time.Hour)))
	}
	return base.Add(d)
}

// MerchantUID returns the merchant_uid of attempt (0 for the scheduled
// charge, 1.. for retries) of cycle (1..MaxPlanCycle): at most 40
// characters of [A-Za-z0-9_-], such as "gildong_0001_1234-c3" or
// "gildong_0001_1234-c3-r1". The part before "-c" is the CustomerUID when it
// is at most 29 such characters and the plan has no ID; otherwise it is 30
// characters: up to 13 characters of the CustomerUID and a hash of
// CustomerUID and ID. Distinct customers, plans, cycles and attempts get
// distinct merchant_uids. It returns "" when cycle or attempt is out of
// range or CustomerUID is empty or longer than 80 characters.
func (p *Plan) MerchantUID(cycle, attempt int) string {
	if p == nil || cycle < 1 || cycle > MaxPlanCycle || attempt < 0 || attempt > MaxPlanRetries {
		return ""
	}
	prefix := p.uidPrefix()
	if prefix == "" {
		return ""
	}
	s := prefix + "-c" + strconv.Itoa(cycle)
	if attempt > 0 {
		s += "-r" + strconv.Itoa(attempt)
	}
	return s
}

// uidPrefix is the plan's part of its merchant_uids. A raw prefix is at most
// uidPrefixLen-1 characters and a hashed one exactly uidPrefixLen, so the two
// kinds never collide; the suffix grammar "-c<n>" or "-c<n>-r<n>" ends with
// digits preceded by "c" or "r", so a merchant_uid determines its prefix.
func (p *Plan) uidPrefix() string {
	cu := p.CustomerUID
	if cu == "" {
		return ""
	}
	if p.ID == "" && len(cu) < uidPrefixLen && uidSafe(cu) {
		return cu
	}
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(cu)))
	h.Write(n[:])
	h.Write([]byte(cu))
	h.Write([]byte(p.ID))
	sum := hex.EncodeToString(h.Sum(nil))

	var b strings.Builder
	for i := 0; i < len(cu) && b.Len() < uidReadableLen; i++ {
		if uidSafeByte(cu[i]) {
			b.WriteByte(cu[i])
		}
	}
	b.WriteByte('_')
	b.WriteString(sum[:uidPrefixLen-b.Len()])
	return b.String()
}

func uidSafeByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func uidSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if !uidSafeByte(s[i]) {
			return false
		}
	}
	return true
}

// ParseMerchantUID returns the cycle and attempt of a merchant_uid the plan
// made with MerchantUID. Any other merchant_uid gives an error matching
// ErrNotPlanMerchantUID.
func (p *Plan) ParseMerchantUID(mid string) (cycle, attempt int, err error) {
	if p == nil {
		return 0, 0, invalid("plan", "is required")
	}
	prefix := p.uidPrefix()
	if prefix == "" {
		return 0, 0, invalid("plan.customer_uid", "is required")
	}
	notOurs := func() (int, int, error) {
		return 0, 0, fmt.Errorf("%w: %q is not an order of customer_uid %q", ErrNotPlanMerchantUID, mid, p.CustomerUID)
	}
	rest, ok := strings.CutPrefix(mid, prefix+"-c")
	if !ok {
		return notOurs()
	}
	cs, as, retry := strings.Cut(rest, "-r")
	if cycle, ok = canonicalInt(cs, 1, MaxPlanCycle); !ok {
		return notOurs()
	}
	if retry {
		if attempt, ok = canonicalInt(as, 1, MaxPlanRetries); !ok {
			return notOurs()
		}
	}
	return cycle, attempt, nil
}

// canonicalInt parses a decimal without sign or leading zeros in [lo, hi],
// so that every merchant_uid has one spelling.
func canonicalInt(s string, lo, hi int) (int, bool) {
	if s == "" || len(s) > 4 || s[0] == '0' || !digitsOnly(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, false
	}
	return n, true
}

// ScheduleCycle schedules cycle (from 1) of plan at plan.BillingTime(cycle),
// under plan.MerchantUID(cycle, 0), and returns the schedule (POST
// /subscribe/payments/schedule). The billing time must be in the future.
//
// Scheduling a cycle twice is harmless: iamport refuses the second request
// because the merchant_uid is taken, and ScheduleCycle then looks the schedule
// up (GET /subscribe/payments/schedule/{merchant_uid}) and returns it, in
// whatever status it has by now (scheduled, executed or revoked), if it is
// on the plan's billing key. Otherwise it returns iamport's refusal.
func (c *Client) ScheduleCycle(ctx context.Context, plan *Plan, cycle int) (*Schedule, error) {
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	if cycle < 1 || cycle > plan.lastCycle() {
		return nil, invalid("cycle", "must be between 1 and %d", plan.lastCycle())
	}
	return c.scheduleAttempt(ctx, plan, cycle, 0, plan.BillingTime(cycle))
}

// ScheduleFollowUp schedules what comes after verified, a payment of plan
// (fetched from the API, as VerifyWebhook does), and returns the schedule:
//
//   - paid: the next cycle, at its billing time; after the plan's last
//     cycle, nothing, and an error matching ErrNoFollowUp. Every other
//     attempt of the paid cycle still scheduled (a retry booked before the
//     cycle was paid late) is revoked first, so the cycle is charged once:
//     they are unscheduled by name, and if that answer is lost and leaves
//     an attempt's fate unknown, nothing is booked and the error (an
//     *UnscheduleError wrapping an *OutcomeUnknownError) is returned;
//     calling again with the same payment finishes the job;
//   - failed: the next retry of the same cycle, by plan.Retry; after the last
//     one, nothing, and an error matching ErrRetriesExhausted. First the
//     cycle's attempts are listed (GET /payments/findAll/{merchant_uid} of
//     each): if one is paid since (a charge by hand under the same
//     merchant_uid, say), nothing is booked and the error matches
//     ErrNoFollowUp;
//   - any other status: nothing, and an error matching ErrNoFollowUp.
//
// The cycle and attempt come from verified.MerchantUID (see
// Plan.ParseMerchantUID): a payment that is not the plan's gives an error
// matching ErrNotPlanMerchantUID. A follow-up whose time has already passed
// (a notification handled late) is scheduled a minute from now, so no cycle is
// skipped. Like ScheduleCycle, it is safe to call twice for the same payment:
// the second call returns the schedule the first one made.
func (c *Client) ScheduleFollowUp(ctx context.Context, plan *Plan, verified *Payment) (*Schedule, error) {
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	if verified == nil {
		return nil, invalid("payment", "is required")
	}
	cycle, attempt, err := plan.ParseMerchantUID(verified.MerchantUID)
	if err != nil {
		return nil, err
	}
	if verified.CustomerUID != "" && verified.CustomerUID != plan.CustomerUID {
		return nil, fmt.Errorf("%w: payment %s was charged to customer_uid %q, not %q",
			ErrNotPlanMerchantUID, verified.ImpUID, verified.CustomerUID, plan.CustomerUID)
	}
	var at time.Time
	switch verified.Status {
	case PaymentStatusPaid:
		// A cycle paid late (a payment first recorded as failed and paid
		// since, or a manual retry) may still have other attempts pending:
		// revoke every one, or it would charge the cycle a second time.
		if err := c.revokeCycle(ctx, plan, cycle, attempt); err != nil {
			return nil, err
		}
		if cycle >= plan.lastCycle() {
			return nil, fmt.Errorf("%w: cycle %d is the last of the plan of customer_uid %q", ErrNoFollowUp, cycle, plan.CustomerUID)
		}
		cycle, attempt = cycle+1, 0
		at = plan.BillingTime(cycle)
	case PaymentStatusFailed:
		// The cycle may have been paid since this attempt failed (charged
		// by hand under the same merchant_uid, or another attempt paid):
		// then a retry would charge it twice, and "exhausted" would be false.
		paid, err := c.cyclePaid(ctx, plan, cycle)
		if err != nil {
			return nil, fmt.Errorf("iamport: checking whether cycle %d of customer_uid %q is paid: %w", cycle, plan.CustomerUID, err)
		}
		if paid != nil {
			return nil, fmt.Errorf("%w: cycle %d of customer_uid %q is paid (%s, %s)", ErrNoFollowUp, cycle, plan.CustomerUID, paid.MerchantUID, paid.ImpUID)
		}
		if attempt >= len(plan.retry()) {
			return nil, fmt.Errorf("%w: cycle %d of customer_uid %q failed %d times (last: %s)",
				ErrRetriesExhausted, cycle, plan.CustomerUID, attempt+1, verified.FailReason)
		}
		attempt++
		at = plan.retryTime(cycle, attempt)
	default:
		return nil, fmt.Errorf("%w: payment %s is %q", ErrNoFollowUp, verified.MerchantUID, verified.Status)
	}
	if earliest := c.serverNow().Add(followUpLead); at.Before(earliest) {
		at = earliest.Truncate(time.Second)
	}
	return c.scheduleAttempt(ctx, plan, cycle, attempt, at)
}

// cyclePaid returns a paid payment of any attempt of cycle on the plan's
// billing key, or nil. It lists each attempt's payments
// (GET /payments/findAll/{merchant_uid}), so a cycle paid under the
// merchant_uid of an attempt that failed first is found too.
func (c *Client) cyclePaid(ctx context.Context, plan *Plan, cycle int) (*Payment, error) {
	for attempt := 0; attempt <= len(plan.retry()); attempt++ {
		ps, err := c.attempts(ctx, plan.MerchantUID(cycle, attempt))
		if err != nil {
			return nil, err
		}
		for i := range ps {
			if ps[i].Status == PaymentStatusPaid && (ps[i].CustomerUID == "" || ps[i].CustomerUID == plan.CustomerUID) {
				return &ps[i], nil
			}
		}
	}
	return nil, nil
}

// revokeCycle revokes every attempt of cycle other than paid that is still
// scheduled on the plan's billing key. A lookup that does not find an
// attempt proves nothing (lookups lag behind a schedule booked a moment
// ago), so every other attempt is unscheduled by name: iamport revokes the
// pending ones and refuses with "nothing to revoke" when there is none. An
// answer of that unschedule that was lost, or that leaves an attempt's fate
// unknown, is an error: the cycle is not proven to be charged only once.
func (c *Client) revokeCycle(ctx context.Context, plan *Plan, cycle, paid int) error {
	var mids []string
	for attempt := 0; attempt <= len(plan.retry()); attempt++ {
		if attempt != paid {
			mids = append(mids, plan.MerchantUID(cycle, attempt))
		}
	}
	if len(mids) == 0 {
		return nil
	}
	_, err := c.Unschedule(ctx, &UnscheduleRequest{CustomerUID: plan.CustomerUID, MerchantUIDs: mids})
	var ue *UnscheduleError
	switch {
	case err == nil, nothingToRevoke(err):
		return nil
	case errors.As(err, &ue) && !ue.All && len(ue.Unknown) == 0:
		// Every attempt not revoked is provably not pending: it ran,
		// failed, is another billing key's, or iamport's answer did not
		// revoke it because it had nothing pending under that name.
		return nil
	}
	return fmt.Errorf("iamport: revoking the other attempts of cycle %d of customer_uid %q: %w", cycle, plan.CustomerUID, err)
}

// scheduleAttempt schedules one attempt and treats iamport's refusal of a
// merchant_uid it already has as "already scheduled".
func (c *Client) scheduleAttempt(ctx context.Context, plan *Plan, cycle, attempt int, at time.Time) (*Schedule, error) {
	mid := plan.MerchantUID(cycle, attempt)
	out, err := c.Schedule(ctx, &ScheduleRequest{
		CustomerUID: plan.CustomerUID,
		Schedules: []ScheduleEntry{{
			MerchantUID: mid,
			ScheduleAt:  at,
			Amount:      plan.Amount,
			Currency:    plan.Currency,
			Name:        plan.Name,
			NoticeURL:   plan.NoticeURL,
			BuyerName:   plan.BuyerName,
			BuyerEmail:  plan.BuyerEmail,
			BuyerTel:    plan.BuyerTel,
			CustomData:  plan.CustomData,
		}},
	})
	if err == nil {
		for i := range out {
			if out[i].MerchantUID == mid {
				return &out[i], nil
			}
		}
		return c.GetSchedule(ctx, mid) // an answer that does not list it: ask
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 200 || apiErr.Code == 0 {
		return nil, err
	}
	// Refused. If it is because the merchant_uid is already scheduled for
	// this billing key, that is the schedule the caller wants.
	s, gerr := c.GetSchedule(ctx, mid)
	switch {
	case gerr == nil && s.CustomerUID == plan.CustomerUID:
		return s, nil
	case gerr == nil:
		return nil, fmt.Errorf("iamport: merchant_uid %s is scheduled on another billing key: %w", mid, err)
	case errors.Is(gerr, ErrNotFound):
		return nil, err
	}
	return nil, fmt.Errorf("%w (looking up the existing schedule: %v)", err, gerr)
}
