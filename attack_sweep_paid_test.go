package iamport_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// The same with the cycle paid by hand with Again under the cycle's own
// merchant_uid, as the Plan documentation suggests for a manual charge.
func TestAttackSweepAgainThenSweepChargesOnce(t *testing.T) {
	ctx := context.Background()
	w := newSweepWorld(t, 1, 3)
	plan := w.plans["cust000"]
	w.srv.DeclineCharges("cust000", 1, "")
	w.srv.Advance(2 * time.Hour)

	p, err := w.c.Again(ctx, &iamport.AgainRequest{CustomerUID: "cust000", MerchantUID: plan.MerchantUID(1, 0), Amount: plan.Amount, Name: plan.Name})
	require.NoError(t, err)
	_, err = w.c.ScheduleFollowUp(ctx, plan, p)
	require.NoError(t, err)

	_, err = w.sweeper(w.c).Run(ctx)
	require.NoError(t, err)
	w.srv.Advance(10 * 24 * time.Hour)

	require.Equal(t, 1, w.paidPerCycle(t)["cust000#1"], "cycle 1 charged more than once")
}

// A cycle paid late while its retry is pending revokes the retry, even
// when the schedule lookup lags and answers 404 for a schedule that exists.
func TestAttackSweepLaggingScheduleLookupRevokesRetry(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2027, 1, 10, 1, 0, 0, 0, time.UTC)
	srv := iamporttest.NewInProcess(iamporttest.WithStartTime(start))
	defer srv.Close()
	srv.LoseWebhooks(iamporttest.WebhookLoss{})
	plan := &iamport.Plan{CustomerUID: "bob", Amount: 8900, Name: "monthly", Anchor: start.Add(time.Hour), Cycles: 3}
	var lag atomic.Bool
	h := srv.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "GET" && r.URL.Path == "/subscribe/payments/schedule/"+plan.MerchantUID(1, 1) && lag.Load() {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"code":1,"message":"결제예약건이 존재하지 않습니다.","response":null}`))
			return
		}
		h.ServeHTTP(w, r)
	}))
	defer ts.Close()
	c, err := iamport.New(srv.APIKey, srv.APISecret, iamport.WithBaseURL(ts.URL))
	require.NoError(t, err)
	attackSaveKey(t, c, "bob")
	_, err = c.ScheduleCycle(ctx, plan, 1)
	require.NoError(t, err)
	srv.DeclineCharges("bob", 1, "")
	srv.Advance(2 * time.Hour)
	failed, err := c.FindPayment(ctx, plan.MerchantUID(1, 0))
	require.NoError(t, err)
	_, err = c.ScheduleFollowUp(ctx, plan, failed) // books retry 1
	require.NoError(t, err)

	paid, err := c.RetrySchedule(ctx, plan.MerchantUID(1, 0))
	require.NoError(t, err)
	lag.Store(true)
	_, err = c.ScheduleFollowUp(ctx, plan, paid)
	lag.Store(false)
	if err == nil {
		srv.Advance(3 * 24 * time.Hour)
		n := 0
		for _, p := range srv.Payments() {
			if c1, _, _ := plan.ParseMerchantUID(p.MerchantUID); c1 == 1 && p.Status == iamport.PaymentStatusPaid {
				n++
			}
		}
		require.Equal(t, 1, n, "cycle 1 charged twice: the pending retry was not revoked")
	}
}
