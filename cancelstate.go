package iamport

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Lookups lag: GET /payments/{imp_uid} may show a payment as it was before
// a refund made a moment ago. A cancel's snapshot of the cancel history, and
// the lookups that settle a lost answer, are only worth what they prove, so
// the Client remembers, per payment, the newest cancel history it has seen or
// caused, and the cancels whose outcome it could not establish. The cancel
// lock serialises one Client's cancels of a payment, so each one reads and
// updates this state after the one before it has finished.
//
// The memory is bounded. Lookups lag by seconds, so what a Client saw of a
// payment an hour ago proves no more than a lookup does now: once more than
// memoryKeep payments are remembered, those untouched for memoryAge with no
// cancel left unsettled, and none in progress, are forgotten (a cancel of
// one later reads it afresh, as another process would). A cancel whose
// outcome is unknown is remembered until a lookup settles it. The Client's
// memory of what its charges were answered (inFlight) is bounded the same
// way.
const (
	memoryKeep = 4096
	memoryAge  = time.Hour
)

// forgetOld drops from m the entries idle says may go, once m holds
// max(*next, memoryKeep) of them; the next pass comes once what is left has
// doubled, so that the passes cost O(1) per entry added.
func forgetOld[V any](m map[string]V, next *int, idle func(key string, v V) bool) {
	if len(m) < max(*next, memoryKeep) {
		return
	}
	for k, v := range m {
		if idle(k, v) {
			delete(m, k)
		}
	}
	*next = 2 * len(m)
}

// cancelSeen is what a Client knows of one payment's cancels.
type cancelSeen struct {
	count     int         // cancel records in the newest history seen
	cancelled int64       // cancelled total, in cents, of the newest history seen
	unsettled []cancelTry // cancels sent whose outcome is unknown
	touched   time.Time   // when this state last changed
}

// cancelTry is a cancel sent from a balance (its checksum) for an amount.
type cancelTry struct{ checksum, refund int64 }

// seenState returns a copy of what is known of impUID's cancels.
func (l *cancelLocks) seenState(impUID string) cancelSeen {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.seen[impUID]
	if s == nil {
		return cancelSeen{}
	}
	cp := *s
	cp.unsettled = append([]cancelTry(nil), s.unsettled...)
	return cp
}

// update applies f to the state of impUID, creating it when needed, and
// drops a state that holds nothing.
func (l *cancelLocks) update(impUID string, f func(s *cancelSeen)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil {
		l.seen = make(map[string]*cancelSeen)
	}
	s := l.seen[impUID]
	if s == nil {
		s = &cancelSeen{}
	}
	f(s)
	if s.count == 0 && s.cancelled == 0 && len(s.unsettled) == 0 {
		delete(l.seen, impUID)
		return
	}
	s.touched = l.clock()
	l.seen[impUID] = s
	forgetOld(l.seen, &l.nextForget, func(id string, old *cancelSeen) bool {
		_, busy := l.held[id]
		return !busy && len(old.unsettled) == 0 && s.touched.Sub(old.touched) >= memoryAge
	})
}

// clock is the time the memory is kept by.
func (l *cancelLocks) clock() time.Time {
	if l.now != nil {
		return l.now()
	}
	return time.Now()
}

// saw records p, a view of the payment, as seen: the newest history grows
// to it. A cancel left unsettled whose checksum is above p's balance is
// settled by p (its refund, if it was made, is in p's history, as every
// refund made before p's balance fell below that checksum), so it is
// forgotten.
func (l *cancelLocks) saw(p *Payment) {
	l.update(p.ImpUID, func(s *cancelSeen) {
		s.count = max(s.count, len(p.CancelHistory))
		s.cancelled = max(s.cancelled, p.CancelAmount.Cents())
		bal := p.Balance().Cents()
		kept := s.unsettled[:0]
		for _, u := range s.unsettled {
			if u.checksum <= bal {
				kept = append(kept, u)
			}
		}
		s.unsettled = kept
	})
}

// made records a refund of refund that iamport answered as done, from the
// snapshot before: its answer p is seen, and the cancelled total is at
// least before's and refund more, also when the answer leaves it out.
func (l *cancelLocks) made(before, p *Payment, refund Amount) {
	if p.ImpUID == before.ImpUID {
		l.saw(p)
	}
	l.update(before.ImpUID, func(s *cancelSeen) {
		s.cancelled = max(s.cancelled, before.CancelAmount.Cents()+refund.Cents())
	})
}

// lost records a cancel whose outcome could not be established.
func (l *cancelLocks) lost(impUID string, t cancelTry) {
	l.update(impUID, func(s *cancelSeen) { s.unsettled = append(s.unsettled, t) })
}

// olderThan reports whether p shows fewer cancels than s: a lagging lookup,
// from before a refund this Client has seen or made.
func (s *cancelSeen) olderThan(p *Payment) bool {
	return len(p.CancelHistory) < s.count || p.CancelAmount.Cents() < s.cancelled
}

// cancelBase reads the payment a cancel starts from: a lookup at least as
// new as every cancel history this Client has seen of it. A lookup older
// than that is read again until it catches up, within the reconcile
// timeout; if it does not, the cancel is not sent.
func (c *Client) cancelBase(ctx context.Context, impUID string) (*Payment, error) {
	known := c.cancelling.seenState(impUID)
	p, err := c.lookupPayment(ctx, impUID, "")
	if err != nil {
		return nil, err
	}
	if p.ImpUID != impUID {
		return nil, &APIError{StatusCode: http.StatusOK, Method: "GET", Path: "/payments/" + escape(impUID), invalid: true,
			Message: fmt.Sprintf("the answer is for imp_uid %q: the cancel is not sent", p.ImpUID)}
	}
	if known.olderThan(p) {
		rctx, cancel := context.WithTimeout(ctx, c.reconcileTimeout)
		defer cancel()
		perr := c.poll(rctx, func(ctx context.Context) (verdict, error) {
			q, err := c.GetPayment(ctx, impUID, GetPaymentParams{IncludeSandbox: true})
			switch {
			case err != nil:
				return lookupFailed, err
			case q.ImpUID == impUID && !known.olderThan(q):
				p = q
				return decided, nil
			}
			return pending, nil
		})
		if perr != nil {
			return nil, fmt.Errorf("iamport: cancel of %s not sent: lookups still show %d cancels (%s cancelled), "+
				"older than the %d (%s cancelled) this Client has seen: %w",
				impUID, len(p.CancelHistory), p.CancelAmount, known.count, AmountFromCents(known.cancelled), perr)
		}
	}
	c.cancelling.saw(p)
	return p, nil
}

// refundedFrom reports whether p's cancel history holds a refund of refund
// made from a balance of checksum, after the snapshot before: a record
// beyond before's history whose balance before it equals the checksum.
// iamport applies a cancel only when its checksum is the balance, and each
// refund lowers the balance, so at most one record starts from a given
// balance, and a record starting from a balance no higher than before's was
// made after before. A payment whose history iamport does not fill in is
// judged by its totals: the last refund of refund left it at checksum less
// refund, and before had not yet seen it.
func refundedFrom(before, p *Payment, checksum, refund int64) bool {
	if checksum > before.Balance().Cents() {
		return false
	}
	if len(p.CancelHistory) == 0 {
		return len(before.CancelHistory) == 0 &&
			p.Balance().Cents()+refund == checksum && p.CancelAmount.Cents()-refund >= before.CancelAmount.Cents()
	}
	bal := p.Amount.Cents()
	for i, h := range p.CancelHistory {
		if i >= len(before.CancelHistory) && bal == checksum && h.Amount.Cents() == refund {
			return true
		}
		bal -= h.Amount.Cents()
	}
	return false
}
