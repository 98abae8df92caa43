package iamport_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// A lost charge whose lookup shows a payment in a status the SDK does not
// know is not proof that nothing was charged: it must not be re-sent.
func TestChargeLostAnswerUnknownStatusIsNotResent(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, againPath, seq(fail(lostAnswer), ok(payment("order-s1"))))
	m.on(http.MethodGet, findAllPrefix+"order-s1", appears(payment("order-s1", "status", "pending", "paid_at", 0, "customer_uid", "cust-1")))
	_, err := m.client(iamport.WithReconcileTimeout(300*time.Millisecond)).Again(bg,
		&iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-s1", Amount: 8900})
	var ou *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	require.Equal(t, 1, m.count(http.MethodPost, againPath), "a payment in an unknown status exists: never re-send")
}

// A charge answered with code 0 and a payment that is neither paid nor
// failed (here: no status at all) is not a decline: the SDK looks it up.
func TestChargeAnswerWithoutStatusIsReconciled(t *testing.T) {
	t.Parallel()
	for _, st := range []any{nil, "", "pending"} {
		m := newMock(t)
		m.on(http.MethodPost, againPath, ok(map[string]any{"merchant_uid": "order-s2", "status": st}))
		m.on(http.MethodGet, findAllPrefix+"order-s2", appears(payment("order-s2", "customer_uid", "cust-1")))
		p, err := m.client().Again(bg, &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-s2", Amount: 8900})
		var de *iamport.DeclinedError
		require.False(t, errors.As(err, &de), "status %v: a payment that is not failed is no decline", st)
		require.NoError(t, err, "status %v", st)
		require.True(t, p.Paid())
		require.Equal(t, 1, m.count(http.MethodPost, againPath))
	}
}

// A refunded payment found while reconciling was charged: it is never a
// DeclinedError ("no money moved"), nor a nil error (which means paid): one
// charged by this call comes back with a *ChargeCancelledError. An older
// order's refund, there before the call, says nothing about this call.
func TestChargeLostAnswerFindsRefundedPayment(t *testing.T) {
	t.Parallel()
	now := time.Now().Unix()
	refunded := payment("order-s3", "status", "cancelled", "paid_at", now, "cancelled_at", now,
		"cancel_amount", 8900, "customer_uid", "cust-1")
	t.Run("charged by this call", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, againPath, fail(lostAnswer))
		m.on(http.MethodGet, findAllPrefix+"order-s3", appears(refunded))
		p, err := m.client().Again(bg, &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-s3", Amount: 8900})
		var ce *iamport.ChargeCancelledError
		require.ErrorAs(t, err, &ce, "the card was charged, and refunded since")
		require.Same(t, p, ce.Payment)
		require.Equal(t, iamport.PaymentStatusCancelled, p.Status)
		var de *iamport.DeclinedError
		require.False(t, errors.As(err, &de))
		require.Equal(t, 1, m.count(http.MethodPost, againPath))
	})
	t.Run("an older order", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, againPath, seq(fail(lostAnswer), ok(payment("order-s3"))))
		m.on(http.MethodGet, findAllPrefix+"order-s3", attempts(refunded))
		_, err := m.client(iamport.WithReconcileTimeout(300*time.Millisecond)).Again(bg,
			&iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-s3", Amount: 8900})
		var de *iamport.DeclinedError
		require.False(t, errors.As(err, &de), "an older refunded payment is no decline of this call")
		var ou *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &ou)
		require.Equal(t, 1, m.count(http.MethodPost, againPath))
	})
}

// A schedule found under the merchant_uid after a lost Schedule answer is
// this call's only if it is what was asked for: iamport refuses a reused
// merchant_uid, so an older schedule (another amount or time, or revoked)
// means this request was not stored.
func TestScheduleLostAnswerFindsOtherSchedule(t *testing.T) {
	t.Parallel()
	at := futureSecond(time.Hour)
	req := func() *iamport.ScheduleRequest {
		return &iamport.ScheduleRequest{CustomerUID: "cust-1", Schedules: []iamport.ScheduleEntry{
			{MerchantUID: "sub-s1", ScheduleAt: at, Amount: 9900},
		}}
	}
	for name, found := range map[string]map[string]any{
		"another amount": schedule("cust-1", "sub-s1", at.Unix(), "amount", 8900),
		"another time":   schedule("cust-1", "sub-s1", at.Add(24*time.Hour).Unix(), "amount", 9900),
		"revoked":        schedule("cust-1", "sub-s1", at.Unix(), "amount", 9900, "schedule_status", "revoked", "revoked_at", time.Now().Add(-time.Hour).Unix()),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(http.MethodPost, schedulePath, fail(lostAnswer))
			m.on(http.MethodGet, getSchedule+"sub-s1", ok(found))
			_, err := m.client().Schedule(bg, req())
			require.Error(t, err, "the schedule found is not the one asked for")
			require.ErrorContains(t, err, "sub-s1")
			require.Equal(t, 1, m.count(http.MethodPost, schedulePath))
		})
	}
	t.Run("the one asked for", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, schedulePath, fail(lostAnswer))
		m.on(http.MethodGet, getSchedule+"sub-s1", ok(schedule("cust-1", "sub-s1", at.Unix(), "amount", 9900)))
		out, err := m.client().Schedule(bg, req())
		require.NoError(t, err)
		require.Len(t, out, 1)
	})
}
