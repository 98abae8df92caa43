package iamport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// iamport V1 has no idempotency key. When a call that moves money fails
// after its request may have reached the server (a timeout, a reset
// connection, a 5xx, an unreadable body), re-sending it blindly could charge
// or refund twice, and reporting a plain error invites the caller to re-send
// it. The functions here find out what happened instead: they look the
// outcome up, re-send at most once and only when the lookups show that
// nothing was done, and otherwise report *OutcomeUnknownError.

// clockSlack absorbs the second granularity of iamport's timestamps and the
// error of the server-clock estimate when deciding whether a record was made
// by this call.
const clockSlack = 3 * time.Second

// nothingToRevoke reports whether err is iamport's refusal of an unschedule
// that had nothing left to revoke (HTTP 200, code != 0).
func nothingToRevoke(err error) bool { return errors.Is(err, ErrNothingToRevoke) }

// verdict is what one reconciliation lookup found.
type verdict int

const (
	pending      verdict = iota // the request is still being processed
	absent                      // the server shows no trace of the request
	decided                     // the outcome is known
	lookupFailed                // the lookup itself failed
)

// settleTime is how long lookups must keep finding nothing before the SDK
// concludes that the request was not processed.
func (c *Client) settleTime() time.Duration {
	return c.reconcileTimeout / 4 // 5 s by default; WithReconcileTimeout widens it
}

// poll runs look, with backoff, until it decides, or has found nothing for
// settleTime, or rctx ends. It returns decided or absent, or an error that
// joins the last lookup failure with the context's.
func (c *Client) poll(rctx context.Context, look func(context.Context) (verdict, error)) (verdict, error) {
	start := time.Now()
	delay := 100 * time.Millisecond
	var last error
	for {
		v, err := look(rctx)
		switch v {
		case decided:
			return decided, nil
		case absent:
			if time.Since(start) >= c.settleTime() {
				return absent, nil
			}
		case lookupFailed:
			last = err
		}
		if err := c.sleep(rctx, delay); err != nil {
			if last != nil {
				return pending, fmt.Errorf("%w (last lookup: %v)", err, last)
			}
			return pending, err
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
	if why != nil {
		cause = fmt.Errorf("%w; reconciliation: %v", cause, why)
	}
	return &OutcomeUnknownError{MerchantUID: id, Err: cause, check: check}
}

// How to find out the outcome of each kind of call, for OutcomeUnknownError.
// A charge has none: the default advice names FindPayment and the order.
const (
	hintCancel     = "look the payment up and compare its CancelAmount and CancelHistory (a cancel re-sent with the same Checksum can never refund twice)"
	hintSchedules  = "look each schedule up with GetSchedule"
	hintScheduleAt = "look the schedule up with GetSchedule and compare its ScheduleAt and ScheduleStatus"
	hintBillingKey = "look the billing key up with GetBillingKey"
)

// sendTime estimates the server's clock just before a money-moving call is
// sent; reconciliation compares iamport's timestamps with it. The estimate
// comes from the token answer, so the token is fetched first: on a Client's
// first call a skewed local clock would otherwise make an older attempt look
// like this call's, or this call's like an older one.
// ctx must carry a call token (withCallToken), which the call's requests
// then share.
func (c *Client) sendTime(ctx context.Context) (time.Time, error) {
	if _, err := c.callToken(ctx); err != nil { // refuses a done ctx before fetching
		return time.Time{}, err
	}
	return c.serverNow(), nil
}

// mayStillRun reports whether the request behind err may still be being
// processed: it timed out waiting for the answer, rather than failing.
func mayStillRun(err error) bool {
	return errors.Is(err, context.DeadlineExceeded)
}

// lookupVerdict classifies a lookup error: not found is absent, anything
// else a failed lookup.
func lookupVerdict(err error) verdict {
	if errors.Is(err, ErrNotFound) {
		return absent
	}
	return lookupFailed
}

// charge sends a call that charges a card and settles its outcome: paid is
// success, anything else a *DeclinedError, a lost answer is reconciled.
func (c *Client) charge(ctx context.Context, merchantUID string, r *request) (*Payment, error) {
	ctx = withCallToken(ctx)
	sentAt, err := c.sendTime(ctx)
	if err != nil {
		return nil, err
	}
	p, err := c.sendCharge(ctx, r, merchantUID)
	if err == nil {
		return chargeResult(p)
	}
	if !isAmbiguous(err) {
		return nil, err
	}
	return c.reconcileCharge(ctx, merchantUID, r, sentAt, err)
}

// sendCharge sends r once and returns the Payment it answered, or an error
// that is ambiguous when the answer says nothing sure (see unsettled).
func (c *Client) sendCharge(ctx context.Context, r *request, merchantUID string) (*Payment, error) {
	var p Payment
	if err := c.call(ctx, r, &p); err != nil {
		return nil, err
	}
	if err := unsettled(r, &p, merchantUID); err != nil {
		return nil, err
	}
	return &p, nil
}

// unsettled reports a charge answered with code 0 but a payment that is
// neither paid nor failed (no status, ready, or one this SDK does not know)
// as an answer that says nothing sure, to be reconciled: it is no decline.
func unsettled(r *request, p *Payment, merchantUID string) error {
	if p.MerchantUID != "" && p.MerchantUID != merchantUID {
		// An answer about another order says nothing about this one.
		return &ambiguousError{&APIError{StatusCode: http.StatusOK, Method: r.method, Path: r.path, invalid: true,
			Message: fmt.Sprintf("the answer is for merchant_uid %q, not %q", p.MerchantUID, merchantUID)}}
	}
	if p.Status == PaymentStatusPaid || p.Status == PaymentStatusFailed {
		return nil
	}
	return &ambiguousError{&APIError{StatusCode: http.StatusOK, Method: r.method, Path: r.path, invalid: true,
		Message: fmt.Sprintf("payment status %q is neither paid nor failed", p.Status)}}
}

func chargeResult(p *Payment) (*Payment, error) {
	if p.Status == PaymentStatusPaid {
		return p, nil
	}
	return p, &DeclinedError{Payment: p}
}

// reconcileCharge finds out whether a charge whose answer was lost was made:
// it looks the newest payment of merchantUID up until it is paid, declined
// by this call, or absent for the settle time; absent, it re-sends once.
func (c *Client) reconcileCharge(ctx context.Context, merchantUID string, r *request, sentAt time.Time, cause error) (*Payment, error) {
	rctx, cancel := c.reconcileContext(ctx, merchantUID, cause)
	defer cancel()
	for resent := false; ; resent = true {
		// A request that timed out may still be running at iamport or the
		// card company: finding nothing yet proves nothing, so it is never
		// re-sent; the lookups go on until they find it or time runs out.
		inFlight := mayStillRun(cause)
		var found *Payment
		v, err := c.poll(rctx, func(ctx context.Context) (verdict, error) {
			p, err := c.FindPayment(ctx, merchantUID)
			if err != nil {
				if v := lookupVerdict(err); v != absent || !inFlight {
					return v, err
				}
				return pending, nil
			}
			switch {
			case p.Status == PaymentStatusPaid:
				// Paid: the order is charged, by this call or, if the
				// caller reused the merchant_uid, by an earlier one that
				// iamport would not charge again.
				found = p
				return decided, nil
			case p.Status == PaymentStatusCancelled && !p.PaidAt.IsZero() && !p.PaidAt.Before(sentAt.Add(-clockSlack)):
				// Charged by this call, and refunded since. An older
				// order's refund says nothing about this call: pending.
				found = p
				return decided, nil
			case p.Status == PaymentStatusFailed && !p.FailedAt.Before(sentAt.Add(-clockSlack)):
				found = p
				return decided, nil
			case p.Status == PaymentStatusFailed && inFlight:
				return pending, nil
			case p.Status == PaymentStatusFailed:
				return absent, nil // only older, failed attempts
			}
			// Ready, or a status this SDK does not know: a payment exists
			// and may yet be charged, so it is no proof that nothing was.
			return pending, nil
		})
		if err != nil {
			return nil, unknown(merchantUID, "", cause, err)
		}
		if v == decided {
			if found.Status == PaymentStatusCancelled {
				return found, nil // charged: never a decline, which says no money moved
			}
			return chargeResult(found)
		}
		if resent {
			// Nothing was charged by either attempt, as far as iamport's
			// records show; report the failure.
			return nil, cause
		}
		// Nothing was made: sending once more cannot charge twice, and a
		// duplicate merchant_uid that did get paid in the meantime is
		// refused by iamport.
		p, err := c.sendCharge(rctx, r, merchantUID)
		if err == nil {
			return chargeResult(p)
		}
		if !isAmbiguous(err) {
			if again, lerr := c.FindPayment(rctx, merchantUID, FindPaymentParams{Status: PaymentStatusPaid}); lerr == nil {
				return again, nil
			}
			return nil, err
		}
		cause = err
	}
}

// cancel sends a cancel with a checksum, so iamport refuses one that would
// refund twice, and reconciles a lost answer against the cancel history.
func (c *Client) cancel(ctx context.Context, w *CancelRequest) (*Payment, error) {
	ctx = withCallToken(ctx)
	if w.Checksum == nil {
		before, err := c.lookupPayment(ctx, w.ImpUID, w.MerchantUID)
		if err != nil {
			return nil, err
		}
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
	sentAt, err := c.sendTime(ctx)
	if err != nil {
		return nil, err
	}
	r := &request{method: "POST", path: "/payments/cancel", body: w, money: true}
	var p Payment
	err = c.call(ctx, r, &p)
	if err == nil {
		return &p, nil
	}
	if !isAmbiguous(err) {
		return nil, err
	}
	id := w.MerchantUID
	if w.ImpUID != "" {
		id = w.ImpUID
	}
	rctx, cancel := c.reconcileContext(ctx, id, err)
	defer cancel()
	cause := err
	for resent := false; ; resent = true {
		var after *Payment
		v, perr := c.poll(rctx, func(ctx context.Context) (verdict, error) {
			var p *Payment
			var err error
			if w.ImpUID != "" {
				p, err = c.GetPayment(ctx, w.ImpUID, GetPaymentParams{IncludeSandbox: true})
			} else {
				p, err = c.FindPayment(ctx, w.MerchantUID, FindPaymentParams{Sorting: SortPaidDesc})
			}
			if err != nil {
				return lookupFailed, err
			}
			if cancelApplied(p, checksum, refund, sentAt) {
				after = p
				return decided, nil
			}
			if p.Balance().Cents() == checksum.Cents() {
				return absent, nil
			}
			// The balance moved, but not by this cancel: the checksum
			// makes iamport refuse it now, so it can never apply.
			after = p
			return decided, nil
		})
		if perr != nil {
			return nil, unknown(id, hintCancel, cause, perr)
		}
		if v == decided {
			if cancelApplied(after, checksum, refund, sentAt) {
				return after, nil
			}
			return nil, fmt.Errorf("iamport: cancel of %s not applied: the payment's balance changed to %s by another cancel: %w",
				id, after.Balance(), cause)
		}
		if resent {
			return nil, cause
		}
		// Not applied: the same checksum makes a re-send safe.
		var p Payment
		err = c.call(rctx, r, &p)
		if err == nil {
			return &p, nil
		}
		if !isAmbiguous(err) {
			return nil, err
		}
		cause = err
	}
}

// cancelApplied reports whether p shows the cancel of refund from a balance
// of checksum: the balance dropped by refund, or the history has a matching
// cancel made since the call.
func cancelApplied(p *Payment, checksum, refund Amount, sentAt time.Time) bool {
	if p.Balance().Cents() == checksum.Cents()-refund.Cents() {
		return true
	}
	for _, h := range p.CancelHistory {
		if h.Amount.Cents() == refund.Cents() && !h.CancelledAt.Before(sentAt.Add(-clockSlack)) {
			return true
		}
	}
	return false
}

// reconcileSchedule looks each schedule of a lost Schedule answer up, and
// re-sends only the ones that were not stored.
func (c *Client) reconcileSchedule(ctx context.Context, w *ScheduleRequest, cause error) ([]Schedule, error) {
	rctx, cancel := c.reconcileContext(ctx, w.Schedules[0].MerchantUID, cause)
	defer cancel()
	stored := make(map[string]Schedule, len(w.Schedules))
	pendingEntries := w.Schedules
	for resent := false; ; resent = true {
		var missing []ScheduleEntry
		conflict, why := "", ""
		_, perr := c.poll(rctx, func(ctx context.Context) (verdict, error) {
			missing = missing[:0]
			for _, e := range pendingEntries {
				if _, ok := stored[e.MerchantUID]; ok {
					continue
				}
				s, err := c.GetSchedule(ctx, e.MerchantUID)
				switch {
				case err == nil && s.CustomerUID == w.CustomerUID && s.ScheduleStatus != ScheduleStatusRevoked &&
					s.ScheduleAt.Unix() == e.ScheduleAt.Unix() && s.Amount.Cents() == e.Amount.Cents():
					stored[e.MerchantUID] = *s
				case err == nil:
					// iamport refuses a merchant_uid it already has, so a
					// schedule that is not the one asked for is an older
					// one, and this entry was not stored: report below.
					conflict, why = e.MerchantUID, "is scheduled on another billing key"
					if s.CustomerUID == w.CustomerUID {
						why = fmt.Sprintf("already names another schedule (%s, %s at %d)", s.ScheduleStatus, s.Amount, s.ScheduleAt.Unix())
					}
					return decided, nil
				case errors.Is(err, ErrNotFound):
					missing = append(missing, e)
				default:
					return lookupFailed, err
				}
			}
			if len(missing) == 0 {
				return decided, nil
			}
			return absent, nil
		})
		if perr != nil {
			return collectSchedules(w, stored), unknown(scheduleIDs(w, stored), hintSchedules, cause, perr)
		}
		if conflict != "" {
			// The batch cannot be stored as asked; the later entries were
			// not even looked up. Report instead of re-sending part of it.
			return collectSchedules(w, stored), fmt.Errorf("iamport: schedules %s were not stored: %s %s: %w",
				scheduleIDs(w, stored), conflict, why, cause)
		}
		if len(missing) == 0 && len(stored) == len(w.Schedules) {
			return collectSchedules(w, stored), nil
		}
		if resent || len(missing) == 0 {
			return collectSchedules(w, stored), fmt.Errorf("iamport: schedules %s were not stored: %w", scheduleIDs(w, stored), cause)
		}
		again := *w
		again.Schedules = append([]ScheduleEntry(nil), missing...)
		var out []Schedule
		err := c.call(rctx, &request{method: "POST", path: "/subscribe/payments/schedule", body: &again, money: true}, &out)
		if err == nil {
			for _, s := range out {
				stored[s.MerchantUID] = s
			}
			if len(stored) < len(w.Schedules) {
				return collectSchedules(w, stored), fmt.Errorf("iamport: schedules %s were not stored: %w", scheduleIDs(w, stored), cause)
			}
			return collectSchedules(w, stored), nil
		}
		if !isAmbiguous(err) {
			return collectSchedules(w, stored), err
		}
		cause = err
		pendingEntries = again.Schedules
	}
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

// reconcileUnschedule looks each named schedule of a lost Unschedule answer
// up and re-sends for the ones still pending. For All it re-sends once:
// revoking is idempotent, and "nothing left to revoke" then means done.
func (c *Client) reconcileUnschedule(ctx context.Context, w *UnscheduleRequest, cause error) ([]Schedule, error) {
	id := w.CustomerUID
	if len(w.MerchantUIDs) > 0 {
		id = strings.Join(w.MerchantUIDs, ",")
	}
	rctx, cancel := c.reconcileContext(ctx, id, cause)
	defer cancel()
	if w.All {
		var out []Schedule
		err := c.call(rctx, &request{method: "POST", path: "/subscribe/payments/unschedule", body: w, money: true}, &out)
		switch {
		case err == nil:
			return out, nil
		case nothingToRevoke(err):
			// Nothing left to revoke: the first attempt revoked them.
			return []Schedule{}, nil
		case isAmbiguous(err):
			return nil, unknown(id, hintSchedules, cause, err)
		}
		return nil, err
	}
	revoked := make(map[string]Schedule, len(w.MerchantUIDs))
	names := w.MerchantUIDs
	for resent := false; ; resent = true {
		var still []string
		var stuck error
		_, perr := c.poll(rctx, func(ctx context.Context) (verdict, error) {
			still = still[:0]
			for _, m := range names {
				if _, ok := revoked[m]; ok {
					continue
				}
				s, err := c.GetSchedule(ctx, m)
				if err != nil {
					return lookupFailed, err
				}
				switch s.ScheduleStatus {
				case ScheduleStatusRevoked:
					revoked[m] = *s
				case ScheduleStatusScheduled:
					still = append(still, m)
				default:
					stuck = fmt.Errorf("iamport: schedule %s is %s and cannot be revoked", m, s.ScheduleStatus)
					return decided, nil
				}
			}
			if len(still) == 0 {
				return decided, nil
			}
			return absent, nil
		})
		result := make([]Schedule, 0, len(revoked))
		for _, m := range w.MerchantUIDs {
			if s, ok := revoked[m]; ok {
				result = append(result, s)
			}
		}
		switch {
		case perr != nil:
			return result, unknown(id, hintSchedules, cause, perr)
		case stuck != nil:
			return result, stuck
		case len(still) == 0:
			return result, nil
		case resent:
			return result, fmt.Errorf("iamport: schedules %s were not revoked: %w", strings.Join(still, ","), cause)
		}
		again := *w
		again.MerchantUIDs = append([]string(nil), still...)
		var out []Schedule
		err := c.call(rctx, &request{method: "POST", path: "/subscribe/payments/unschedule", body: &again, money: true}, &out)
		if err == nil {
			for _, s := range out {
				revoked[s.MerchantUID] = s
			}
			names = nil
			continue
		}
		if !isAmbiguous(err) {
			return result, err
		}
		cause = err
		names = again.MerchantUIDs
	}
}

// reconcileBillingKey finds out whether a billing key save whose answer was
// lost was stored, by its insert or update time.
func (c *Client) reconcileBillingKey(ctx context.Context, r *request, customerUID string, sentAt time.Time, cause error) (*BillingKey, error) {
	rctx, cancel := c.reconcileContext(ctx, customerUID, cause)
	defer cancel()
	return settleOrResend(c, rctx, customerUID, hintBillingKey, r, cause, func(ctx context.Context) (*BillingKey, verdict, error) {
		bk, err := c.GetBillingKey(ctx, customerUID)
		if err != nil {
			return nil, lookupVerdict(err), err
		}
		since := sentAt.Add(-clockSlack)
		if !bk.Updated.Before(since) || !bk.Inserted.Before(since) {
			return bk, decided, nil
		}
		return nil, absent, nil // an older key: this save did not replace it
	})
}

// settleOrResend is the loop of the reconciliations whose answer is what a
// lookup shows: look until it decides (its find is the answer), or finds
// nothing for the settle time (then r is sent once more, and a lost answer
// to that is reconciled the same way, without another re-send), or time runs
// out (an *OutcomeUnknownError with hint).
func settleOrResend[T any](c *Client, rctx context.Context, id, hint string, r *request, cause error,
	look func(context.Context) (*T, verdict, error)) (*T, error) {
	for resent := false; ; resent = true {
		var found *T
		v, perr := c.poll(rctx, func(ctx context.Context) (verdict, error) {
			t, v, err := look(ctx)
			found = t
			return v, err
		})
		if perr != nil {
			return nil, unknown(id, hint, cause, perr)
		}
		if v == decided {
			return found, nil
		}
		if resent {
			return nil, cause
		}
		var out T
		err := c.call(rctx, r, &out)
		if err == nil {
			return &out, nil
		}
		if !isAmbiguous(err) {
			return nil, err
		}
		cause = err
	}
}
