package iamport_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// End-to-end tests of the list, multi-get, prepare and schedule-management
// endpoints against the iamporttest fake.

func e2eOnetime(t *testing.T, c *iamport.Client, merchantUID, card string, amount iamport.Amount) *iamport.Payment {
	t.Helper()
	p, err := c.Onetime(context.Background(), &iamport.OnetimeRequest{
		MerchantUID: merchantUID, Amount: amount, CardNumber: card, Expiry: "2030-12", Name: "e2e",
	})
	if card == iamporttest.CardApproved {
		require.NoError(t, err)
	}
	require.NotNil(t, p)
	return p
}

func TestE2EGetPaymentsAndFindPayments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	c := srv.Client()

	p1 := e2eOnetime(t, c, "order-1", iamporttest.CardApproved, 1000)
	p2 := e2eOnetime(t, c, "order-2", iamporttest.CardApproved, 2000)
	failed := e2eOnetime(t, c, "order-3", iamporttest.CardDeclinedLimit, 3000)
	require.Equal(t, iamport.PaymentStatusFailed, failed.Status)
	paid3 := e2eOnetime(t, c, "order-3", iamporttest.CardApproved, 3000) // the retry of a declined order

	// 207: the found payments and the missing identifiers.
	res, err := c.GetPayments(ctx, &iamport.GetPaymentsRequest{
		ImpUIDs: []string{p1.ImpUID, "imp_000000000000"}, MerchantUIDs: []string{"order-2", "order-404"},
	})
	require.NoError(t, err)
	require.Len(t, res.Payments, 2)
	require.ElementsMatch(t, []string{p1.ImpUID, p2.ImpUID}, []string{res.Payments[0].ImpUID, res.Payments[1].ImpUID})
	require.Equal(t, []string{"imp_000000000000"}, res.MissingImpUIDs)
	require.Equal(t, []string{"order-404"}, res.MissingMerchantUIDs)

	// 404: nothing found is still a result.
	res, err = c.GetPayments(ctx, &iamport.GetPaymentsRequest{MerchantUIDs: []string{"nope-1", "nope-2"}})
	require.NoError(t, err)
	require.Empty(t, res.Payments)
	require.Equal(t, []string{"nope-1", "nope-2"}, res.MissingMerchantUIDs)

	// Both attempts of order-3, one page at a time.
	var ids []string
	for p, err := range c.FindPayments(ctx, &iamport.FindPaymentsRequest{MerchantUID: "order-3", Limit: 1, Sorting: iamport.SortStartedAsc}) {
		require.NoError(t, err)
		ids = append(ids, p.ImpUID)
	}
	require.Equal(t, []string{failed.ImpUID, paid3.ImpUID}, ids)
	require.Equal(t, 6, srv.Calls("GET", "/payments/findAll/{merchant_uid}"), "4 charges looked their order up first")

	page, err := c.FindPaymentsPage(ctx, &iamport.FindPaymentsRequest{MerchantUID: "order-3", Status: iamport.PaymentStatusFailed})
	require.NoError(t, err)
	require.Equal(t, 1, page.Total)
	require.Equal(t, "한도초과", page.List[0].FailReason)

	for _, err := range c.FindPayments(ctx, &iamport.FindPaymentsRequest{MerchantUID: "order-404"}) {
		require.ErrorIs(t, err, iamport.ErrNotFound)
	}
}

func TestE2EListPaymentsByStatusOverMonths(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2025, 1, 10, 3, 0, 0, 0, time.UTC)
	srv := iamporttest.NewInProcess(iamporttest.WithStartTime(start))
	defer srv.Close()
	c := srv.Client()

	// A payment every 20 days for 300 days, and a declined one now and then.
	var paid []string
	for i := 0; i < 15; i++ {
		p := e2eOnetime(t, c, fmt.Sprintf("order-%d", i), iamporttest.CardApproved, 1000)
		paid = append(paid, p.ImpUID)
		if i%4 == 0 {
			e2eOnetime(t, c, fmt.Sprintf("declined-%d", i), iamporttest.CardDeclinedFunds, 1000)
		}
		srv.Advance(20 * 24 * time.Hour)
	}

	// The fake refuses more than 90 days in one request; the iterator walks
	// the whole range in slices, newest first.
	req := &iamport.ListPaymentsByStatusRequest{
		Status: iamport.PaymentStatusPaid, From: start, To: srv.Now(), Limit: 2,
	}
	_, err := c.ListPaymentsByStatusPage(ctx, req)
	requireValidation(t, err, "from")

	var got []string
	for p, err := range c.ListPaymentsByStatus(ctx, req) {
		require.NoError(t, err)
		require.Equal(t, iamport.PaymentStatusPaid, p.Status)
		got = append(got, p.ImpUID)
	}
	want := make([]string, len(paid))
	for i, id := range paid {
		want[len(paid)-1-i] = id
	}
	require.Equal(t, want, got)

	// Oldest first, and the failed ones by their failure time.
	got = got[:0]
	req.Sorting = iamport.SortStartedAsc
	for p, err := range c.ListPaymentsByStatus(ctx, req) {
		require.NoError(t, err)
		got = append(got, p.ImpUID)
	}
	require.Equal(t, paid, got)
	n := 0
	for p, err := range c.ListPaymentsByStatus(ctx, &iamport.ListPaymentsByStatusRequest{Status: iamport.PaymentStatusFailed, From: start, To: srv.Now()}) {
		require.NoError(t, err)
		require.NotZero(t, p.FailedAt)
		n++
	}
	require.Equal(t, 4, n)
}

func TestE2EBalanceAndPrepare(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	c := srv.Client()

	p := e2eOnetime(t, c, "order-1", iamporttest.CardApproved, 11000)
	_, err := c.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, Amount: 1100, Reason: "partial"})
	require.NoError(t, err)
	b, err := c.GetPaymentBalance(ctx, p.ImpUID)
	require.NoError(t, err)
	require.Equal(t, iamport.Amount(11000), b.Amount)
	require.Len(t, b.Histories, 2, "the payment and the partial cancel")
	remaining := b.Primary.TaxFree.Add(b.Primary.Supply).Add(b.Primary.Vat).Add(b.Primary.Service)
	require.True(t, remaining.Equal(9900), "primary holds the balance after the cancel: %v", b.Primary)
	_, err = c.GetPaymentBalance(ctx, "imp_000000000000")
	require.ErrorIs(t, err, iamport.ErrNotFound)

	pp, err := c.PreparePayment(ctx, &iamport.PreparePaymentRequest{MerchantUID: "web-1", Amount: 5000})
	require.NoError(t, err)
	require.Equal(t, iamport.PreparedPayment{MerchantUID: "web-1", Amount: 5000}, *pp)
	_, err = c.PreparePayment(ctx, &iamport.PreparePaymentRequest{MerchantUID: "web-1", Amount: 6000})
	var apiErr *iamport.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, 1, apiErr.Code)
	pp, err = c.UpdatePreparedPayment(ctx, &iamport.PreparePaymentRequest{MerchantUID: "web-1", Amount: 6000, Currency: "KRW"})
	require.NoError(t, err)
	require.Equal(t, iamport.Amount(6000), pp.Amount)
	pp, err = c.GetPreparedPayment(ctx, "web-1")
	require.NoError(t, err)
	require.Equal(t, iamport.PreparedPayment{MerchantUID: "web-1", Amount: 6000, Currency: "KRW"}, *pp)
	_, err = c.GetPreparedPayment(ctx, "web-2")
	require.ErrorIs(t, err, iamport.ErrNotFound)
	_, err = c.UpdatePreparedPayment(ctx, &iamport.PreparePaymentRequest{MerchantUID: "web-2", Amount: 1})
	require.ErrorIs(t, err, iamport.ErrNotFound)
}

func TestE2EBillingKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	c := srv.Client()

	for _, uid := range []string{"cus-1", "cus-2"} {
		_, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: uid, CardNumber: iamporttest.CardApproved, Expiry: "2030-12"})
		require.NoError(t, err)
	}
	res, err := c.GetBillingKeys(ctx, &iamport.GetBillingKeysRequest{CustomerUIDs: []string{"cus-1", "cus-404", "cus-2"}})
	require.NoError(t, err)
	require.Len(t, res.BillingKeys, 2)
	require.Equal(t, []string{"cus-404"}, res.MissingCustomerUIDs)
	res, err = c.GetBillingKeys(ctx, &iamport.GetBillingKeysRequest{CustomerUIDs: []string{"cus-404"}})
	require.NoError(t, err)
	require.Equal(t, []string{"cus-404"}, res.MissingCustomerUIDs)

	// 25 charges: two pages of the fixed page size.
	for i := 0; i < 25; i++ {
		_, err := c.Again(ctx, &iamport.AgainRequest{CustomerUID: "cus-1", MerchantUID: fmt.Sprintf("again-%d", i), Amount: 500, Name: "e2e"})
		require.NoError(t, err)
	}
	seen := map[string]bool{}
	for p, err := range c.ListBillingKeyPayments(ctx, &iamport.ListBillingKeyPaymentsRequest{CustomerUID: "cus-1"}) {
		require.NoError(t, err)
		require.Equal(t, "cus-1", p.CustomerUID)
		require.False(t, seen[p.ImpUID], "listed twice: %s", p.ImpUID)
		seen[p.ImpUID] = true
	}
	require.Len(t, seen, 25)
	require.Equal(t, 2, srv.Calls("GET", "/subscribe/customers/{customer_uid}/payments"))
}

func TestE2ESchedules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	c := srv.Client(iamport.WithReconcileTimeout(2 * time.Second))
	_, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "cus-1", CardNumber: iamporttest.CardApproved, Expiry: "2030-12"})
	require.NoError(t, err)

	now := srv.Now().Truncate(time.Second)
	day := 24 * time.Hour
	var entries []iamport.ScheduleEntry
	for i := 1; i <= 10; i++ { // one every 30 days: 300 days
		entries = append(entries, iamport.ScheduleEntry{
			MerchantUID: fmt.Sprintf("sub-%d", i), ScheduleAt: now.Add(time.Duration(i) * 30 * day), Amount: 9900, Name: "plan",
		})
	}
	_, err = c.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "cus-1", Schedules: entries})
	require.NoError(t, err)

	// A year of schedules, in slices the fake accepts, both orders.
	from, to := now, now.Add(365*day)
	var got []string
	for s, err := range c.ListSchedules(ctx, &iamport.ListSchedulesRequest{From: from, To: to, Sorting: iamport.ScheduleSortOldestFirst, Limit: 3}) {
		require.NoError(t, err)
		got = append(got, s.MerchantUID)
	}
	require.Equal(t, []string{"sub-1", "sub-2", "sub-3", "sub-4", "sub-5", "sub-6", "sub-7", "sub-8", "sub-9", "sub-10"}, got)
	got = got[:0]
	for s, err := range c.ListCustomerSchedules(ctx, &iamport.ListCustomerSchedulesRequest{CustomerUID: "cus-1", From: from, To: to}) {
		require.NoError(t, err)
		got = append(got, s.MerchantUID)
	}
	require.Equal(t, []string{"sub-10", "sub-9", "sub-8", "sub-7", "sub-6", "sub-5", "sub-4", "sub-3", "sub-2", "sub-1"}, got)

	// Move sub-1 later, past sub-2; then let 70 days pass with sub-2's
	// charge declining.
	moved, err := c.UpdateSchedule(ctx, &iamport.UpdateScheduleRequest{MerchantUID: "sub-1", ScheduleAt: now.Add(65 * day)})
	require.NoError(t, err)
	require.Equal(t, now.Add(65*day).Unix(), moved.ScheduleAt.Unix())
	srv.DeclineCharges("cus-1", 1, "")
	srv.Advance(70 * day)

	executed := 0
	for s, err := range c.ListBillingKeySchedules(ctx, &iamport.ListCustomerSchedulesRequest{
		CustomerUID: "cus-1", From: from, To: to, Status: iamport.ScheduleStatusExecuted,
	}) {
		require.NoError(t, err)
		executed++
		switch s.MerchantUID {
		case "sub-2":
			require.Equal(t, iamport.PaymentStatusFailed, s.PaymentStatus)
		case "sub-1":
			require.Equal(t, iamport.PaymentStatusPaid, s.PaymentStatus)
			require.Equal(t, now.Add(65*day).Unix(), s.ScheduleAt.Unix())
		}
	}
	require.Equal(t, 2, executed)

	// Moving an executed schedule is refused; retrying the failed one
	// charges it now.
	_, err = c.UpdateSchedule(ctx, &iamport.UpdateScheduleRequest{MerchantUID: "sub-2", ScheduleAt: srv.Now().Add(day)})
	var apiErr *iamport.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, 400, apiErr.StatusCode)
	p, err := c.RetrySchedule(ctx, "sub-2")
	require.NoError(t, err)
	require.True(t, p.Paid())
	require.Equal(t, "sub-2", p.MerchantUID)
	_, err = c.RetrySchedule(ctx, "sub-2")
	require.ErrorAs(t, err, &apiErr, "a paid schedule is not retried")

	// Revoke sub-3 and book it again.
	_, err = c.Unschedule(ctx, &iamport.UnscheduleRequest{CustomerUID: "cus-1", MerchantUIDs: []string{"sub-3"}})
	require.NoError(t, err)
	s, err := c.RescheduleSchedule(ctx, &iamport.RescheduleScheduleRequest{MerchantUID: "sub-3", ScheduleAt: srv.Now().Add(2 * day)})
	require.NoError(t, err)
	require.Equal(t, iamport.ScheduleStatusScheduled, s.ScheduleStatus)
	_, err = c.RescheduleSchedule(ctx, &iamport.RescheduleScheduleRequest{MerchantUID: "sub-3", ScheduleAt: srv.Now().Add(3 * day)})
	require.ErrorAs(t, err, &apiErr, "a pending schedule is not rescheduled")
	require.Equal(t, 400, apiErr.StatusCode)
}

// Lost answers of the schedule calls that change state are looked up, not
// re-sent.
func TestE2EScheduleCallsWithLostAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	c := srv.Client(iamport.WithReconcileTimeout(400 * time.Millisecond))
	_, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "cus-1", CardNumber: iamporttest.CardApproved, Expiry: "2030-12"})
	require.NoError(t, err)
	day := 24 * time.Hour
	_, err = c.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "cus-1", Schedules: []iamport.ScheduleEntry{
		{MerchantUID: "sub-1", ScheduleAt: srv.Now().Add(day), Amount: 9900, Name: "plan"},
		{MerchantUID: "sub-2", ScheduleAt: srv.Now().Add(day), Amount: 9900, Name: "plan"},
	}})
	require.NoError(t, err)

	at := srv.Now().Add(5 * day).Truncate(time.Second)
	srv.InjectFault("PUT", "/subscribe/payments/schedule/{merchant_uid}", 1, iamporttest.Fault{Kind: iamporttest.FaultDropAfterProcessing})
	s, err := c.UpdateSchedule(ctx, &iamport.UpdateScheduleRequest{MerchantUID: "sub-1", ScheduleAt: at})
	require.NoError(t, err)
	require.Equal(t, at.Unix(), s.ScheduleAt.Unix())
	require.Equal(t, 1, srv.Calls("PUT", "/subscribe/payments/schedule/{merchant_uid}"))

	srv.InjectFault("PUT", "/subscribe/payments/schedule/{merchant_uid}", 1, iamporttest.Fault{Kind: iamporttest.FaultStatusBeforeProcessing, Status: 500})
	_, err = c.UpdateSchedule(ctx, &iamport.UpdateScheduleRequest{MerchantUID: "sub-2", ScheduleAt: at})
	var unknown *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown, "not shown applied, and it may still run: never sent again")
	require.Equal(t, 2, srv.Calls("PUT", "/subscribe/payments/schedule/{merchant_uid}"))
	_, err = c.UpdateSchedule(ctx, &iamport.UpdateScheduleRequest{MerchantUID: "sub-2", ScheduleAt: at})
	require.NoError(t, err, "the caller settles it by sending it again")

	// Both fail when they run, and so does sub-2's first retry, whose answer
	// is lost after the charge.
	srv.DeclineCharges("cus-1", 3, "")
	srv.Advance(6 * day)
	// The jump expired the token on the fake: one call fetches a new one, and
	// with it the SDK's estimate of the server clock, which reconciliation
	// compares payment times with.
	s, err = c.GetSchedule(ctx, "sub-2")
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatusFailed, s.PaymentStatus)
	srv.InjectFault("POST", "/subscribe/payments/schedule/{merchant_uid}/retry", 1, iamporttest.Fault{Kind: iamporttest.FaultDropAfterProcessing})
	p, err := c.RetrySchedule(ctx, "sub-2")
	var declined *iamport.DeclinedError
	require.ErrorAs(t, err, &declined, "the retry ran and declined: the lookup says so")
	require.Equal(t, iamport.PaymentStatusFailed, p.Status)
	srv.InjectFault("POST", "/subscribe/payments/schedule/{merchant_uid}/retry", 1, iamporttest.Fault{Kind: iamporttest.FaultTruncateAfterProcessing})
	p, err = c.RetrySchedule(ctx, "sub-2")
	require.NoError(t, err)
	require.True(t, p.Paid())
	require.Equal(t, 2, srv.Calls("POST", "/subscribe/payments/schedule/{merchant_uid}/retry"))
	paid := 0
	for _, q := range srv.Payments() {
		if q.MerchantUID == "sub-2" && q.Status == iamport.PaymentStatusPaid {
			paid++
		}
	}
	require.Equal(t, 1, paid, "charged once")

	// An unknown schedule is a plain not-found.
	_, err = c.RetrySchedule(ctx, "sub-404")
	require.True(t, errors.Is(err, iamport.ErrNotFound), "%v", err)
}
