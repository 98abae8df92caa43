package iamport

import (
	"context"
	"errors"
)

// sendIssue sends r, a call that issues something (a virtual account, a
// cash receipt, an escrow registration), once, and returns its answer. A
// lost answer is settled by look: the call is never sent again, since it
// may still be running, and finding nothing proves nothing; the lookups go
// on until look decides or the reconcile timeout ends, then the outcome is
// an *OutcomeUnknownError with hint.
func sendIssue[T any](c *Client, ctx context.Context, r *request, id, hint string,
	look func(context.Context) (*T, verdict, error)) (*T, error) {
	var out T
	err := c.call(ctx, r, &out)
	if err == nil {
		return &out, nil
	}
	if !isAmbiguous(err) {
		return nil, err
	}
	return settle(c, ctx, id, hint, err, look)
}

// lookupVerdict is what a failed lookup proves: a not-found answer only
// that nothing shows yet, anything else that the lookup failed.
func lookupVerdict(err error) verdict {
	if errors.Is(err, ErrNotFound) {
		return pending
	}
	return lookupFailed
}

// checkWholeAmount requires a positive amount of whole won: virtual accounts
// and cash receipts are in KRW, which has no minor unit.
func checkWholeAmount(field string, a Amount) error {
	if err := checkAmount(field, a); err != nil {
		return err
	}
	if a.Cents()%100 != 0 {
		return invalid(field, "must be whole won: it is in KRW")
	}
	return nil
}
