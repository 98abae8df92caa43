package iamporttest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

func entry(mid string, at time.Time, amount iamport.Amount) iamport.ScheduleEntry {
	return iamport.ScheduleEntry{MerchantUID: mid, ScheduleAt: at, Amount: amount, Name: "월 구독"}
}

func TestScheduleRunsOnAdvance(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rc := &receiver{}
	hs := httptest.NewServer(rc)
	defer hs.Close()
	s := newFake(t, iamporttest.WithWebhookURL(hs.URL))
	cl := s.Client()
	// The receiver verifies each webhook by calling the fake back, as a
	// merchant's handler does: delivery happens with the fake unlocked.
	verified := make(chan *iamport.Payment, 4)
	rc.onHook = func(b []byte) {
		var ev struct {
			ImpUID string `json:"imp_uid"`
		}
		if json.Unmarshal(b, &ev) == nil {
			p, err := cl.GetPayment(ctx, ev.ImpUID)
			if err == nil {
				verified <- p
			}
		}
	}
	saveKey(t, cl, "sub-1", iamporttest.CardApproved)

	first, second := start.Add(24*time.Hour), start.Add(31*24*time.Hour)
	out, err := cl.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "sub-1", Schedules: []iamport.ScheduleEntry{
		entry("sub-1-2025-03", first, 9900), entry("sub-1-2025-04", second, 9900),
	}})
	require.NoError(t, err)
	require.Len(t, out, 2)
	require.Equal(t, iamport.ScheduleStatusScheduled, out[0].ScheduleStatus)
	require.Equal(t, "홍길동", out[0].BuyerName, "buyer filled from the key")

	// Pending schedules carry imp_uid and payment_status null.
	token := getToken(t, s)
	raw := do(t, s, "GET", "/subscribe/payments/schedule/sub-1-2025-03", token, nil).obj(t)
	require.Nil(t, raw["imp_uid"])
	require.Nil(t, raw["payment_status"])
	require.EqualValues(t, 0, raw["executed_at"])
	require.EqualValues(t, first.Unix(), raw["schedule_at"])
	require.Equal(t, "KRW", raw["currency"])

	// Not yet due.
	s.Advance(23 * time.Hour)
	require.Empty(t, s.Payments())

	// First cycle paid, second declined.
	s.Advance(time.Hour)
	require.Len(t, s.Payments(), 1)
	s.DeclineCharges("sub-1", 1, "")
	s.Advance(60 * 24 * time.Hour)

	pays := s.Payments()
	require.Len(t, pays, 2)
	require.Equal(t, iamport.PaymentStatusPaid, pays[0].Status)
	require.Equal(t, "payment.scheduled", pays[0].CustomerUIDUsage)
	require.Equal(t, first.Unix(), pays[0].PaidAt.Unix(), "runs at its schedule_at")
	require.Equal(t, iamport.PaymentStatusFailed, pays[1].Status)
	require.Equal(t, "한도초과", pays[1].FailReason)
	require.Equal(t, second.Unix(), pays[1].FailedAt.Unix())

	sc := s.Schedules()
	require.Equal(t, iamport.ScheduleStatusExecuted, sc[0].ScheduleStatus)
	require.Equal(t, iamport.PaymentStatusPaid, sc[0].PaymentStatus)
	require.Equal(t, pays[0].ImpUID, sc[0].ImpUID)
	require.Equal(t, first.Unix(), sc[0].ExecutedAt.Unix())
	require.Equal(t, iamport.PaymentStatusFailed, sc[1].PaymentStatus)
	require.Equal(t, "한도초과", sc[1].FailReason)

	got, err := cl.GetSchedule(ctx, "sub-1-2025-04")
	require.NoError(t, err)
	require.Equal(t, pays[1].ImpUID, got.ImpUID)

	wh := s.Webhooks()
	require.Len(t, wh, 2)
	for i, st := range []string{"paid", "failed"} {
		d := wh[i]
		require.Equal(t, hs.URL, d.URL)
		require.Equal(t, "application/json", d.ContentType)
		require.Equal(t, st, d.Status)
		require.Equal(t, 200, d.StatusCode)
		require.Equal(t, sc[i].ScheduleAt.Unix(), d.At.Unix())
		require.JSONEq(t, fmt.Sprintf(`{"imp_uid":%q,"merchant_uid":%q,"status":%q}`, pays[i].ImpUID, pays[i].MerchantUID, st), string(d.Body))
	}
	require.Equal(t, []string{"application/json", "application/json"}, rc.ctypes)
	require.Equal(t, iamport.PaymentStatusPaid, (<-verified).Status)
	require.Equal(t, iamport.PaymentStatusFailed, (<-verified).Status)

	// Refunding the paid run shows on the schedule.
	_, err = cl.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: pays[0].ImpUID, FullRefund: true})
	require.NoError(t, err)
	got, err = cl.GetSchedule(ctx, "sub-1-2025-03")
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatusCancelled, got.PaymentStatus)
}

func TestScheduleWebhookFormAndNoticeURL(t *testing.T) {
	t.Parallel()
	console, notice := &receiver{}, &receiver{status: 500}
	hc, hn := httptest.NewServer(console), httptest.NewServer(notice)
	defer hc.Close()
	defer hn.Close()
	s := newFake(t, iamporttest.WithWebhookURL(hc.URL), iamporttest.WithWebhookForm(),
		iamporttest.WithWebhookClient(hc.Client()))
	cl := s.Client()
	saveKey(t, cl, "c", iamporttest.CardApproved)
	e2 := entry("n-2", start.Add(2*time.Hour), 100)
	e2.NoticeURL = hn.URL
	_, err := cl.Schedule(context.Background(), &iamport.ScheduleRequest{CustomerUID: "c",
		Schedules: []iamport.ScheduleEntry{entry("n-1", start.Add(time.Hour), 100), e2}})
	require.NoError(t, err)
	s.SetTime(start.Add(3 * time.Hour))
	require.True(t, s.Now().Equal(start.Add(3*time.Hour)))

	wh := s.Webhooks()
	require.Len(t, wh, 2)
	require.Equal(t, hc.URL, wh[0].URL)
	require.Equal(t, "application/x-www-form-urlencoded", wh[0].ContentType)
	v, err := url.ParseQuery(string(wh[0].Body))
	require.NoError(t, err)
	require.Equal(t, "n-1", v.Get("merchant_uid"))
	require.Equal(t, "paid", v.Get("status"))
	require.Equal(t, s.Payments()[0].ImpUID, v.Get("imp_uid"))
	require.Equal(t, []string{string(wh[0].Body)}, console.bodies)

	require.Equal(t, hn.URL, wh[1].URL, "notice_url overrides the console URL")
	require.Equal(t, 500, wh[1].StatusCode)
	require.Contains(t, wh[1].Err, "500")
	require.Len(t, notice.bodies, 1, "not retried")

	// Going back in time runs nothing.
	s.SetTime(start)
	require.Len(t, s.Payments(), 2)
}

func TestWebhookReceiverDown(t *testing.T) {
	t.Parallel()
	hs := httptest.NewServer(&receiver{})
	dead := hs.URL
	hs.Close()
	s := newFake(t, iamporttest.WithWebhookURL(dead))
	cl := s.Client()
	_, err := cl.Onetime(context.Background(), onetime("x", iamporttest.CardApproved, 100))
	require.NoError(t, err)
	wh := s.Webhooks()
	require.Len(t, wh, 1)
	require.Equal(t, 0, wh[0].StatusCode)
	require.NotEmpty(t, wh[0].Err)
}

func TestReceiverBooksNextCycleDuringAdvance(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rc := &receiver{}
	hs := httptest.NewServer(rc)
	defer hs.Close()
	s := newFake(t, iamporttest.WithWebhookURL(hs.URL))
	cl := s.Client()
	saveKey(t, cl, "c", iamporttest.CardApproved)
	cycle := 0
	rc.onHook = func([]byte) {
		// A merchant's handler schedules the next month when one is paid.
		cycle++
		if cycle < 3 {
			_, err := cl.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "c", Schedules: []iamport.ScheduleEntry{
				entry(fmt.Sprintf("cycle-%d", cycle+1), s.Now().AddDate(0, 1, 0), 100)}})
			if err != nil {
				panic(err)
			}
		}
	}
	_, err := cl.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "c", Schedules: []iamport.ScheduleEntry{
		entry("cycle-1", start.AddDate(0, 1, 0), 100)}})
	require.NoError(t, err)
	s.Advance(365 * 24 * time.Hour)
	pays := s.Payments()
	require.Len(t, pays, 3)
	for i, p := range pays {
		require.Equal(t, fmt.Sprintf("cycle-%d", i+1), p.MerchantUID)
		require.Equal(t, start.AddDate(0, i+1, 0).Unix(), p.PaidAt.Unix())
	}
	require.True(t, s.Now().Equal(start.Add(365*24*time.Hour)))
}

func TestScheduleErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newFake(t)
	cl := s.Client()
	token := getToken(t, s)
	at := start.Add(time.Hour)

	// The SDK checks schedule_at against its estimate of the server's
	// clock, which it takes from its first token: make a call first.
	_, err := cl.GetBillingKey(ctx, "new")
	require.ErrorIs(t, err, iamport.ErrNotFound)

	// Unknown key without card data.
	_, err = cl.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "new", Schedules: []iamport.ScheduleEntry{entry("e-1", at, 100)}})
	ae := apiErr(t, err)
	require.Equal(t, 200, ae.StatusCode)
	require.Equal(t, 1, ae.Code)
	require.Equal(t, "등록된 고객정보가 없습니다.", ae.Message)

	// With card data the key is issued first.
	out, err := cl.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "new", CardNumber: iamporttest.CardApproved, Expiry: "2030-12",
		Schedules: []iamport.ScheduleEntry{entry("e-1", at, 100)}})
	require.NoError(t, err)
	require.Len(t, out, 1)
	require.Len(t, s.BillingKeys(), 1)

	// A rejected card issues nothing.
	_, err = cl.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "bad", CardNumber: iamporttest.CardRejected, Expiry: "2030-12",
		Schedules: []iamport.ScheduleEntry{entry("e-9", at, 100)}})
	require.Equal(t, -1, apiErr(t, err).Code)

	// A merchant_uid already scheduled, or already paid.
	_, err = cl.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "new", Schedules: []iamport.ScheduleEntry{entry("e-1", at, 100)}})
	require.Equal(t, 1, apiErr(t, err).Code)
	_, err = cl.Onetime(ctx, onetime("paid-1", iamporttest.CardApproved, 100))
	require.NoError(t, err)
	_, err = cl.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "new", Schedules: []iamport.ScheduleEntry{entry("paid-1", at, 100)}})
	ae = apiErr(t, err)
	require.Equal(t, 1, ae.Code)
	require.Equal(t, "이미 결제완료된 주문번호(merchant_uid)입니다.", ae.Message)

	// schedule_at not in the future (the SDK refuses it; send it raw).
	r := do(t, s, "POST", "/subscribe/payments/schedule", token, map[string]any{"customer_uid": "new",
		"schedules": []any{map[string]any{"merchant_uid": "e-2", "schedule_at": start.Unix(), "amount": 100}}})
	require.Equal(t, 400, r.status)
	r = do(t, s, "POST", "/subscribe/payments/schedule", token, map[string]any{"customer_uid": "new", "schedules": []any{}})
	require.Equal(t, 400, r.status)
	// Nothing of a bad batch is stored.
	r = do(t, s, "POST", "/subscribe/payments/schedule", token, map[string]any{"customer_uid": "new", "schedules": []any{
		map[string]any{"merchant_uid": "e-3", "schedule_at": at.Unix(), "amount": 100},
		map[string]any{"merchant_uid": "e-4", "schedule_at": at.Unix()},
	}})
	require.Equal(t, 400, r.status)
	require.Len(t, s.Schedules(), 1)

	// Form-encoded, PHP-style nested schedules.
	form := url.Values{"customer_uid": {"new"}, "schedules[0][merchant_uid]": {"f-1"}, "schedules[0][schedule_at]": {fmt.Sprint(at.Unix())},
		"schedules[0][amount]": {"300"}, "schedules[1][merchant_uid]": {"f-2"}, "schedules[1][schedule_at]": {fmt.Sprint(at.Unix() + 60)},
		"schedules[1][amount]": {"400"}}
	r = do(t, s, "POST", "/subscribe/payments/schedule", token, form)
	require.Equal(t, 200, r.status, string(r.body))
	require.Len(t, r.list(t), 2)
	require.EqualValues(t, 400, r.list(t)[1]["amount"])

	_, err = cl.GetSchedule(ctx, "nope")
	require.ErrorIs(t, err, iamport.ErrNotFound)
}

func TestUnschedule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newFake(t)
	cl := s.Client()
	saveKey(t, cl, "c", iamporttest.CardApproved)
	saveKey(t, cl, "d", iamporttest.CardApproved)
	at := start.Add(time.Hour)
	for _, uid := range []string{"c", "d"} {
		_, err := cl.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: uid, Schedules: []iamport.ScheduleEntry{
			entry(uid+"-1", at, 100), entry(uid+"-2", at, 100), entry(uid+"-3", at, 100)}})
		require.NoError(t, err)
	}
	out, err := cl.Unschedule(ctx, &iamport.UnscheduleRequest{CustomerUID: "c", MerchantUIDs: []string{"c-1"}})
	require.NoError(t, err)
	require.Len(t, out, 1)
	require.Equal(t, iamport.ScheduleStatusRevoked, out[0].ScheduleStatus)
	require.Equal(t, start.Unix(), out[0].RevokedAt.Unix())
	// A merchant_uid of another key is not revoked in c's name.
	_, err = cl.Unschedule(ctx, &iamport.UnscheduleRequest{CustomerUID: "c", MerchantUIDs: []string{"d-3"}})
	require.Equal(t, 1, apiErr(t, err).Code)

	// merchant_uid as a single string, without customer_uid.
	token := getToken(t, s)
	r := do(t, s, "POST", "/subscribe/payments/unschedule", token, map[string]any{"merchant_uid": "c-2"})
	require.Equal(t, 200, r.status)
	require.Equal(t, "revoked", r.list(t)[0]["schedule_status"])
	// Form with merchant_uid[].
	r = do(t, s, "POST", "/subscribe/payments/unschedule", token, "customer_uid=d&merchant_uid%5B%5D=d-1&merchant_uid%5B%5D=d-2")
	require.Equal(t, 200, r.status, string(r.body))
	require.Len(t, r.list(t), 2)

	// All of a key.
	out, err = cl.Unschedule(ctx, &iamport.UnscheduleRequest{CustomerUID: "c", All: true})
	require.NoError(t, err)
	require.Len(t, out, 1)
	require.Equal(t, "c-3", out[0].MerchantUID)

	_, err = cl.Unschedule(ctx, &iamport.UnscheduleRequest{CustomerUID: "c", All: true})
	ae := apiErr(t, err)
	require.Equal(t, 1, ae.Code)
	require.Equal(t, "취소할 예약결제 기록이 존재하지 않습니다.", ae.Message)
	r = do(t, s, "POST", "/subscribe/payments/unschedule", token, map[string]any{})
	require.Equal(t, 400, r.status)

	s.Advance(2 * time.Hour)
	require.Len(t, s.Payments(), 1, "only d-3 ran")
	require.Equal(t, "d-3", s.Payments()[0].MerchantUID)
}

func TestSameTimeSchedulesRunInBookingOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newFake(t)
	cl := s.Client()
	at := start.Add(time.Hour)
	for _, uid := range []string{"b", "a", "c"} {
		saveKey(t, cl, uid, iamporttest.CardApproved)
		_, err := cl.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: uid, Schedules: []iamport.ScheduleEntry{entry(uid+"-1", at, 100)}})
		require.NoError(t, err)
	}
	s.Advance(2 * time.Hour)
	var ran []string
	for _, p := range s.Payments() {
		ran = append(ran, p.MerchantUID)
	}
	require.Equal(t, []string{"b-1", "a-1", "c-1"}, ran)
}

func TestScheduleListsAndEdits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newFake(t)
	cl := s.Client()
	saveKey(t, cl, "c", iamporttest.CardDeclinedFunds)
	saveKey(t, cl, "d", iamporttest.CardApproved)
	day := 24 * time.Hour
	_, err := cl.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "c", Schedules: []iamport.ScheduleEntry{
		entry("c-1", start.Add(day), 100), entry("c-2", start.Add(2*day), 100), entry("c-3", start.Add(40*day), 100)}})
	require.NoError(t, err)
	_, err = cl.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "d", Schedules: []iamport.ScheduleEntry{entry("d-1", start.Add(day), 100)}})
	require.NoError(t, err)
	token := getToken(t, s)
	ids := func(r rawResult) []string {
		require.Equal(t, 200, r.status, string(r.body))
		var out []string
		for _, e := range r.obj(t)["list"].([]any) {
			out = append(out, e.(map[string]any)["merchant_uid"].(string))
		}
		return out
	}
	from, to := start.Unix(), start.AddDate(0, 3, 0).Unix()
	r := do(t, s, "GET", fmt.Sprintf("/subscribe/payments/schedule?schedule_from=%d&schedule_to=%d", from, to), token, nil)
	require.Equal(t, []string{"c-3", "c-2", "d-1", "c-1"}, ids(r), "newest first")
	require.EqualValues(t, 4, r.obj(t)["total"])
	r = do(t, s, "GET", fmt.Sprintf("/subscribe/payments/schedule?schedule_from=%d&schedule_to=%d&sorting=scheduled&limit=2&page=2", from, to), token, nil)
	require.Equal(t, []string{"c-2", "c-3"}, ids(r))
	require.EqualValues(t, 1, r.obj(t)["previous"])
	require.EqualValues(t, 0, r.obj(t)["next"])
	// schedule_to is exclusive.
	r = do(t, s, "GET", fmt.Sprintf("/subscribe/payments/schedule?schedule_from=%d&schedule_to=%d", from, start.Add(day).Unix()), token, nil)
	require.Empty(t, ids(r))
	require.Equal(t, 400, do(t, s, "GET", fmt.Sprintf("/subscribe/payments/schedule?schedule_from=%d&schedule_to=%d", from, start.AddDate(0, 3, 1).Unix()), token, nil).status)
	require.Equal(t, 400, do(t, s, "GET", fmt.Sprintf("/subscribe/payments/schedule?schedule_from=%d", from), token, nil).status)
	require.Equal(t, 400, do(t, s, "GET", fmt.Sprintf("/subscribe/payments/schedule?schedule_from=%d&schedule_to=%d&schedule_status=done", from, to), token, nil).status)

	// Per-customer lists: from/to and "schedule-status" with a hyphen.
	for _, path := range []string{"/subscribe/payments/schedule/customers/c", "/subscribe/customers/c/schedules"} {
		r = do(t, s, "GET", fmt.Sprintf("%s?from=%d&to=%d", path, from, to), token, nil)
		require.Equal(t, []string{"c-3", "c-2", "c-1"}, ids(r), path)
		require.Equal(t, 400, do(t, s, "GET", fmt.Sprintf("%s?schedule_from=%d&schedule_to=%d", path, from, to), token, nil).status, path)
	}

	// Move a pending one; past or unknown refused.
	r = do(t, s, "PUT", "/subscribe/payments/schedule/c-3", token, map[string]any{"schedule_at": start.Add(3 * day).Unix()})
	require.Equal(t, 200, r.status, string(r.body))
	require.EqualValues(t, start.Add(3*day).Unix(), r.obj(t)["schedule_at"])
	require.Equal(t, 400, do(t, s, "PUT", "/subscribe/payments/schedule/c-3", token, map[string]any{"schedule_at": start.Unix()}).status)
	require.Equal(t, 404, do(t, s, "PUT", "/subscribe/payments/schedule/zz", token, map[string]any{"schedule_at": start.Add(day).Unix()}).status)

	// Run: c-1, c-2 fail (declining card), d-1 paid.
	s.Advance(2*day + time.Hour)
	token = getToken(t, s)
	r = do(t, s, "GET", fmt.Sprintf("/subscribe/customers/c/schedules?from=%d&to=%d&schedule-status=executed", from, to), token, nil)
	require.Equal(t, []string{"c-2", "c-1"}, ids(r))
	require.Equal(t, 400, do(t, s, "PUT", "/subscribe/payments/schedule/c-1", token, map[string]any{"schedule_at": start.Add(9 * day).Unix()}).status, "executed")

	// Payments of a key.
	r = do(t, s, "GET", "/subscribe/customers/c/payments", token, nil)
	require.Equal(t, 200, r.status)
	require.EqualValues(t, 2, r.obj(t)["total"])
	require.Equal(t, 404, do(t, s, "GET", "/subscribe/customers/nobody/payments", token, nil).status)

	// Retry: pending and paid refused; a failed one charged now.
	require.Equal(t, 400, do(t, s, "POST", "/subscribe/payments/schedule/c-3/retry", token, nil).status)
	require.Equal(t, 400, do(t, s, "POST", "/subscribe/payments/schedule/d-1/retry", token, nil).status)
	require.Equal(t, 404, do(t, s, "POST", "/subscribe/payments/schedule/zz/retry", token, nil).status)
	saveKey(t, cl, "c", iamporttest.CardApproved) // the customer fixed the card
	r = do(t, s, "POST", "/subscribe/payments/schedule/c-1/retry", token, nil)
	require.Equal(t, 200, r.status)
	require.Equal(t, "paid", r.obj(t)["status"])
	require.Equal(t, "payment.scheduled", r.obj(t)["customer_uid_usage"])
	got, err := cl.GetSchedule(ctx, "c-1")
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatusPaid, got.PaymentStatus)
	require.Equal(t, r.obj(t)["imp_uid"], got.ImpUID)

	// Reschedule: a failed one is booked again; pending and paid refused.
	require.Equal(t, 400, do(t, s, "POST", "/subscribe/payments/schedule/c-1/reschedule", token, map[string]any{"schedule_at": s.Now().Add(day).Unix()}).status)
	require.Equal(t, 400, do(t, s, "POST", "/subscribe/payments/schedule/c-3/reschedule", token, map[string]any{"schedule_at": s.Now().Add(day).Unix()}).status)
	require.Equal(t, 400, do(t, s, "POST", "/subscribe/payments/schedule/c-2/reschedule", token, map[string]any{"schedule_at": start.Unix()}).status, "past")
	r = do(t, s, "POST", "/subscribe/payments/schedule/c-2/reschedule", token, map[string]any{"schedule_at": s.Now().Add(day).Unix()})
	require.Equal(t, 200, r.status, string(r.body))
	require.Equal(t, "scheduled", r.obj(t)["schedule_status"])
	require.Nil(t, r.obj(t)["imp_uid"])
	require.Nil(t, r.obj(t)["payment_status"])
	s.Advance(day)
	got, err = cl.GetSchedule(ctx, "c-2")
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatusPaid, got.PaymentStatus)
}

func TestScheduleAfterKeyDeleted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newFake(t)
	cl := s.Client()
	saveKey(t, cl, "c", iamporttest.CardApproved)
	_, err := cl.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "c", Schedules: []iamport.ScheduleEntry{entry("k-1", start.Add(time.Hour), 100)}})
	require.NoError(t, err)
	_, err = cl.DeleteBillingKey(ctx, "c")
	require.NoError(t, err)
	s.Advance(time.Hour)
	sc, err := cl.GetSchedule(ctx, "k-1")
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatusFailed, sc.PaymentStatus)
	require.Equal(t, "등록되지 않은 구매자입니다.", sc.FailReason)
	require.Equal(t, 404, do(t, s, "POST", "/subscribe/payments/schedule/k-1/retry", getToken(t, s), nil).status)
}

func TestScheduleOfAlreadyPaidOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rc := &receiver{}
	hs := httptest.NewServer(rc)
	defer hs.Close()
	s := newFake(t)
	cl := s.Client()
	saveKey(t, cl, "c", iamporttest.CardApproved)
	e := entry("dup", start.Add(time.Hour), 100)
	e.NoticeURL = hs.URL
	_, err := cl.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "c", Schedules: []iamport.ScheduleEntry{e}})
	require.NoError(t, err)
	// The order is paid some other way before the schedule runs.
	_, err = cl.Again(ctx, &iamport.AgainRequest{CustomerUID: "c", MerchantUID: "dup", Amount: 100})
	require.NoError(t, err)
	s.Advance(time.Hour)
	require.Len(t, s.Payments(), 1, "never charged twice")
	sc, err := cl.GetSchedule(ctx, "dup")
	require.NoError(t, err)
	require.Equal(t, iamport.ScheduleStatusExecuted, sc.ScheduleStatus)
	require.Equal(t, iamport.PaymentStatusFailed, sc.PaymentStatus)
	require.Equal(t, "이미 결제완료된 주문번호(merchant_uid)입니다.", sc.FailReason)
	require.Empty(t, sc.ImpUID)
	require.Empty(t, rc.bodies, "no payment, no webhook")
}
