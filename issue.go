package iamport

import (
	"context"
	"errors"
	"fmt"
)

// sendIssue sends r, a call that issues something, once, and returns its
// answer; a lost answer is settled by look (see settleLookup).
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
	return settleLookup(c, ctx, id, hint, err, look)
}

// settleLookup finds out what a call that issues something (a virtual
// account, a cash receipt, an escrow registration) did when its answer was
// lost. It never sends the call again: it looks the result up until look
// decides, and returns what look found. When the lookups find no trace of
// the call for the settle time, the call was not processed and the original
// failure is returned, saying so; a call that timed out may still be running,
// so for it finding nothing proves nothing and the lookups go on until the
// reconcile budget runs out, ending in an *OutcomeUnknownError with hint.
func settleLookup[T any](c *Client, ctx context.Context, id, hint string, cause error,
	look func(context.Context) (*T, verdict, error)) (*T, error) {
	rctx, cancel := c.reconcileContext(ctx, id, cause)
	defer cancel()
	inFlight := mayStillRun(cause)
	var found *T
	v, err := c.poll(rctx, func(ctx context.Context) (verdict, error) {
		t, v, err := look(ctx)
		if v == absent && inFlight {
			return pending, nil
		}
		found = t
		return v, err
	})
	if err != nil {
		return nil, unknown(id, hint, cause, err)
	}
	if v == decided {
		return found, nil
	}
	var amb *ambiguousError
	if errors.As(cause, &amb) {
		cause = amb.err
	}
	return nil, fmt.Errorf("iamport: %s was not processed (lookups found no trace of it for %s): %w", id, c.settleTime(), cause)
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
