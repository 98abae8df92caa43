package iamport_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// Lookups that lag behind writes prove nothing by what they do not show
// yet. These tests run against a fake whose lookups show its state as it
// was an hour ago (schedules and refunds made since are not seen), or a
// moment ago.

func lagKey(t *testing.T, cl *iamport.Client, uid string) {
	t.Helper()
	_, err := cl.SaveBillingKey(context.Background(), &iamport.SaveBillingKeyRequest{CustomerUID: uid,
		CardNumber: iamporttest.CardApproved, Expiry: "2030-12", Birth: "900101", Pwd2Digit: "00"})
	require.NoError(t, err)
}

// A paid cycle revokes a retry booked a moment ago, which a lagging lookup
// does not find yet: otherwise the retry would charge the cycle again.
func TestLagPaidCycleRevokesARetryLookupsDoNotShow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewServer(iamporttest.WithLookupLag(time.Hour))
	defer srv.Close()
	cl := srv.Client()
	lagKey(t, cl, "k")
	plan := &iamport.Plan{CustomerUID: "k", Amount: 9900, Name: "plan", Anchor: srv.Now().Add(time.Hour).Truncate(time.Second),
		Cycles: 3, Retry: []time.Duration{24 * time.Hour, 48 * time.Hour}}
	s, err := cl.ScheduleCycle(ctx, plan, 1)
	require.NoError(t, err)
	srv.DeclineCharges("k", 1, "잔액부족")
	srv.SetTime(s.ScheduleAt.Add(time.Second))
	failed := srv.PaymentsOf(plan.MerchantUID(1, 0))
	require.Len(t, failed, 1)
	require.Equal(t, iamport.PaymentStatusFailed, failed[0].Status)
	retry, err := cl.ScheduleFollowUp(ctx, plan, &failed[0])
	require.NoError(t, err)
	require.Equal(t, plan.MerchantUID(1, 1), retry.MerchantUID)

	paid, err := cl.RetrySchedule(ctx, plan.MerchantUID(1, 0))
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatusPaid, paid.Status)
	next, err := cl.ScheduleFollowUp(ctx, plan, paid)
	require.NoError(t, err)
	require.Equal(t, plan.MerchantUID(2, 0), next.MerchantUID)
	got, ok := srv.ScheduleOf(plan.MerchantUID(1, 1))
	require.True(t, ok)
	require.Equal(t, iamport.ScheduleStatusRevoked, got.ScheduleStatus, "the retry of the paid cycle is revoked")
}

// A paid cycle whose revocation answer is lost is not followed up: nothing
// proves its other attempts are revoked.
func TestLagPaidCycleLostRevocationIsAnError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewServer(iamporttest.WithLookupLag(time.Hour))
	defer srv.Close()
	cl := srv.Client(iamport.WithReconcileTimeout(300 * time.Millisecond))
	lagKey(t, cl, "k")
	plan := &iamport.Plan{CustomerUID: "k", Amount: 9900, Name: "plan", Anchor: srv.Now().Add(time.Hour).Truncate(time.Second),
		Cycles: 3, Retry: []time.Duration{24 * time.Hour}}
	_, err := cl.ScheduleCycle(ctx, plan, 1)
	require.NoError(t, err)
	paid, err := cl.Again(ctx, &iamport.AgainRequest{CustomerUID: "k", MerchantUID: plan.MerchantUID(1, 1), Amount: 9900, Name: "plan"})
	require.NoError(t, err)
	srv.InjectFault("POST", "/subscribe/payments/unschedule", 1, iamporttest.Fault{Kind: iamporttest.FaultDropAfterProcessing})
	_, err = cl.ScheduleFollowUp(ctx, plan, paid)
	var ou *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &ou, "a lost revocation is not reported as done")
	_, ok := srv.ScheduleOf(plan.MerchantUID(2, 0))
	require.False(t, ok, "the next cycle is not booked")

	// Delivered again, the follow-up revokes (nothing is left) and books.
	next, err := cl.ScheduleFollowUp(ctx, plan, paid)
	require.NoError(t, err)
	require.Equal(t, plan.MerchantUID(2, 0), next.MerchantUID)
	got, _ := srv.ScheduleOf(plan.MerchantUID(1, 0))
	require.Equal(t, iamport.ScheduleStatusRevoked, got.ScheduleStatus)
}

// An Unschedule whose answer is lost does not report as not revoked a
// schedule that a lagging lookup does not find: it may be one booked a
// moment ago, and revoked.
func TestLagLostUnscheduleNotFoundIsUnknown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewServer(iamporttest.WithLookupLag(time.Hour))
	defer srv.Close()
	cl := srv.Client(iamport.WithReconcileTimeout(300 * time.Millisecond))
	lagKey(t, cl, "k")
	_, err := cl.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "k", Schedules: []iamport.ScheduleEntry{
		{MerchantUID: "s-1", ScheduleAt: srv.Now().Add(time.Hour).Truncate(time.Second), Amount: 1000, Name: "x"}}})
	require.NoError(t, err)
	srv.InjectFault("POST", "/subscribe/payments/unschedule", 1, iamporttest.Fault{Kind: iamporttest.FaultDropAfterProcessing})
	_, err = cl.Unschedule(ctx, &iamport.UnscheduleRequest{CustomerUID: "k", MerchantUIDs: []string{"s-1"}})
	var ue *iamport.UnscheduleError
	require.ErrorAs(t, err, &ue)
	require.Empty(t, ue.NotRevoked, "not found by a lagging lookup is not proof")
	require.Equal(t, []string{"s-1"}, ue.Unknown)
	var ou *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	got, _ := srv.ScheduleOf("s-1")
	require.Equal(t, iamport.ScheduleStatusRevoked, got.ScheduleStatus)
}

// lagPayment charges a payment on a fake whose lookups lag by its lag, and
// waits until lookups show it.
func lagPayment(t *testing.T, cl *iamport.Client, mid string, amount iamport.Amount) *iamport.Payment {
	t.Helper()
	ctx := context.Background()
	lagKey(t, cl, "k-"+mid)
	p, err := cl.Again(ctx, &iamport.AgainRequest{CustomerUID: "k-" + mid, MerchantUID: mid, Amount: amount, Name: "x"})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		q, err := cl.GetPayment(ctx, p.ImpUID, iamport.GetPaymentParams{})
		return err == nil && q.ImpUID == p.ImpUID
	}, time.Minute, 50*time.Millisecond)
	return p
}

func refunded(srv *iamporttest.Server, mid string) iamport.Amount {
	ps := srv.PaymentsOf(mid)
	if len(ps) != 1 {
		return -1
	}
	return ps[0].CancelAmount
}

// lagRefunded starts a fake whose lookups lag 5 s, pays mid 50,000 through
// a Client of it, and refunds 1,000 of it.
func lagRefunded(t *testing.T, mid string) (*iamporttest.Server, *iamport.Client, *iamport.Payment) {
	t.Helper()
	srv := iamporttest.NewServer(iamporttest.WithLookupLag(5 * time.Second))
	t.Cleanup(srv.Close)
	cl := srv.Client(iamport.WithReconcileTimeout(300 * time.Millisecond))
	p := lagPayment(t, cl, mid, 50000)
	_, err := cl.CancelPayment(context.Background(), &iamport.CancelRequest{ImpUID: p.ImpUID, Amount: 1000})
	require.NoError(t, err)
	return srv, cl, p
}

// A cancel whose answer is lost and which refunded is not reported as not
// applied because a lagging lookup shows the balance from before an earlier
// refund.
func TestLagLostCancelAfterAnEarlierRefundIsNotNotApplied(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, _, p := lagRefunded(t, "o-1")
	// Lookups show the payment before that refund for a while. Another
	// Client (another process) cancels with the true balance.
	other := srv.Client(iamport.WithReconcileTimeout(300 * time.Millisecond))
	sum := iamport.Amount(49000)
	srv.InjectFault("POST", "/payments/cancel", 1, iamporttest.Fault{Kind: iamporttest.FaultDropAfterProcessing})
	_, err := other.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, Amount: 2000, Checksum: &sum})
	require.Equal(t, iamport.Amount(3000), refunded(srv, "o-1"), "the lost cancel refunded")
	var ou *iamport.OutcomeUnknownError
	// Done, if the lookups caught up in time; else unknown, never "not applied".
	require.True(t, err == nil || errors.As(err, &ou), "a lookup older than the refund proves nothing: %v", err)
}

// A Client does not start a cancel from a lookup older than a refund it has
// made: it waits for the lookups to catch up, or does not send it.
func TestLagCancelWaitsForLookupsToShowItsEarlierRefund(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, cl, p := lagRefunded(t, "o-2")
	_, err := cl.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, Amount: 1000})
	require.Error(t, err)
	var ou *iamport.OutcomeUnknownError
	require.False(t, errors.As(err, &ou), "nothing was sent: %v", err)
	require.ErrorContains(t, err, "not sent")
	require.Equal(t, iamport.Amount(1000), refunded(srv, "o-2"))

	// Once lookups show the first refund, the second one is sent.
	srv.SetLookupLag(0)
	_, err = cl.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, Amount: 1000})
	require.NoError(t, err)
	require.Equal(t, iamport.Amount(2000), refunded(srv, "o-2"))
}

// Two equal partial refunds of one payment on one Client, the second's
// answer lost: the first refund, visible late, is not taken as the second's.
func TestLagTwoEqualRefundsLostSecondIsNotTheFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewServer(iamporttest.WithLookupLag(200 * time.Millisecond))
	defer srv.Close()
	cl := srv.Client(iamport.WithReconcileTimeout(2 * time.Second))
	p := lagPayment(t, cl, "o-3", 20000)
	_, err := cl.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, Amount: 1000})
	require.NoError(t, err)
	// The second is refused by iamport (its checksum would be stale if it
	// came from a lookup without the first refund) or refunds; its answer
	// is lost either way.
	srv.InjectFault("POST", "/payments/cancel", 1, iamporttest.Fault{Kind: iamporttest.FaultStatusBeforeProcessing, Status: 503})
	_, err = cl.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, Amount: 1000})
	require.Error(t, err, "the second refund was never made, so it is not reported done")
	require.Equal(t, iamport.Amount(1000), refunded(srv, "o-3"))
}
