package iamporttest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

func TestLookups(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	cl := s.Client()
	ctx := context.Background()

	// Two failed attempts and a paid one for the same order, a minute apart.
	var ps []*iamport.Payment
	for i, cardNo := range []string{iamporttest.CardDeclinedLimit, iamporttest.CardDeclinedFunds, iamporttest.CardApproved} {
		p, _ := cl.Onetime(ctx, onetime("order-7", cardNo, 3000))
		require.NotNil(t, p, i)
		ps = append(ps, p)
		s.Advance(time.Minute)
	}
	got, err := cl.GetPayment(ctx, ps[1].ImpUID)
	require.NoError(t, err)
	require.Equal(t, "잔액이 부족합니다", got.FailReason)

	_, err = cl.GetPayment(ctx, "imp_999999999999")
	require.ErrorIs(t, err, iamport.ErrNotFound)
	require.Equal(t, 404, apiErr(t, err).StatusCode)
	require.Equal(t, "존재하지 않는 결제정보입니다.", apiErr(t, err).Message)

	f, err := cl.FindPayment(ctx, "order-7")
	require.NoError(t, err)
	require.Equal(t, ps[2].ImpUID, f.ImpUID, "default -started: newest")
	f, err = cl.FindPayment(ctx, "order-7", iamport.FindPaymentParams{Sorting: iamport.SortStartedAsc})
	require.NoError(t, err)
	require.Equal(t, ps[0].ImpUID, f.ImpUID)
	f, err = cl.FindPayment(ctx, "order-7", iamport.FindPaymentParams{Status: iamport.PaymentStatusFailed})
	require.NoError(t, err)
	require.Equal(t, ps[1].ImpUID, f.ImpUID, "latest failed")
	_, err = cl.FindPayment(ctx, "order-7", iamport.FindPaymentParams{Status: iamport.PaymentStatusCancelled})
	require.ErrorIs(t, err, iamport.ErrNotFound)
	_, err = cl.FindPayment(ctx, "nope")
	require.ErrorIs(t, err, iamport.ErrNotFound)

	token := getToken(t, s)
	r := do(t, s, "GET", "/payments/find/order-7/", token, nil)
	require.Equal(t, 200, r.status, "trailing slash, empty status")
	require.Equal(t, ps[2].ImpUID, r.obj(t)["imp_uid"])
	require.Equal(t, 400, do(t, s, "GET", "/payments/find/order-7/bogus", token, nil).status)
	require.Equal(t, 400, do(t, s, "GET", "/payments/find/order-7?sorting=price", token, nil).status)

	// findAll, paged.
	r = do(t, s, "GET", "/payments/findAll/order-7?limit=2", token, nil)
	require.Equal(t, 200, r.status)
	pg := r.obj(t)
	require.EqualValues(t, 3, pg["total"])
	require.EqualValues(t, 0, pg["previous"])
	require.EqualValues(t, 2, pg["next"])
	require.Len(t, pg["list"], 2)
	pg = do(t, s, "GET", "/payments/findAll/order-7?limit=2&page=2", token, nil).obj(t)
	require.EqualValues(t, 1, pg["previous"])
	require.EqualValues(t, 0, pg["next"])
	require.Equal(t, ps[0].ImpUID, pg["list"].([]any)[0].(map[string]any)["imp_uid"])
	pg = do(t, s, "GET", "/payments/findAll/order-7/failed", token, nil).obj(t)
	require.EqualValues(t, 2, pg["total"])
	require.Equal(t, 404, do(t, s, "GET", "/payments/findAll/none", token, nil).status)
	require.Equal(t, 400, do(t, s, "GET", "/payments/findAll/order-7?limit=1001", token, nil).status)
	require.Equal(t, 400, do(t, s, "GET", "/payments/findAll/order-7?page=0", token, nil).status)

	// GET /payments with both ID kinds.
	r = do(t, s, "GET", "/payments?imp_uid[]="+ps[0].ImpUID+"&merchant_uid[]=order-7", token, nil)
	require.Equal(t, 200, r.status)
	l := r.list(t)
	require.Len(t, l, 2)
	require.Equal(t, ps[0].ImpUID, l[0]["imp_uid"])
	require.Equal(t, ps[2].ImpUID, l[1]["imp_uid"], "a merchant_uid gives its newest payment")
	r = do(t, s, "GET", "/payments?imp_uid%5B%5D="+ps[0].ImpUID+"&imp_uid%5B%5D=imp_000000000001", token, nil)
	require.Equal(t, 207, r.status)
	require.Len(t, r.list(t), 1)
	r = do(t, s, "GET", "/payments?imp_uid[]=imp_000000000001", token, nil)
	require.Equal(t, 404, r.status)
	require.Equal(t, 400, do(t, s, "GET", "/payments", token, nil).status)
	q := url.Values{}
	for i := 0; i < 101; i++ {
		q.Add("imp_uid[]", fmt.Sprintf("imp_%012d", i))
	}
	require.Equal(t, 400, do(t, s, "GET", "/payments?"+q.Encode(), token, nil).status)
}

func TestPaymentsByStatus(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	cl := s.Client()
	ctx := context.Background()
	paid, err := cl.Onetime(ctx, onetime("a", iamporttest.CardApproved, 1000))
	require.NoError(t, err)
	s.Advance(time.Hour)
	failed, _ := cl.Onetime(ctx, onetime("b", iamporttest.CardDeclinedLimit, 1000))
	s.Advance(time.Hour)
	_, err = cl.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: paid.ImpUID, FullRefund: true})
	require.NoError(t, err)
	token := getToken(t, s)

	list := func(path string) (int, []string) {
		r := do(t, s, "GET", path, token, nil)
		if r.status != 200 {
			return r.status, nil
		}
		var ids []string
		for _, p := range r.obj(t)["list"].([]any) {
			ids = append(ids, p.(map[string]any)["imp_uid"].(string))
		}
		return 200, ids
	}
	st, ids := list("/payments/status/all")
	require.Equal(t, 200, st)
	require.Equal(t, []string{failed.ImpUID, paid.ImpUID}, ids)
	_, ids = list("/payments/status/failed")
	require.Equal(t, []string{failed.ImpUID}, ids)
	_, ids = list("/payments/status/paid")
	require.Empty(t, ids, "the paid one was cancelled")
	_, ids = list("/payments/status/cancelled")
	require.Equal(t, []string{paid.ImpUID}, ids)
	// The cancelled filter uses the cancel time, inclusive bounds.
	cancelledAt := start.Add(2 * time.Hour).Unix()
	_, ids = list(fmt.Sprintf("/payments/status/cancelled?from=%d&to=%d", cancelledAt, cancelledAt))
	require.Equal(t, []string{paid.ImpUID}, ids)
	_, ids = list(fmt.Sprintf("/payments/status/cancelled?to=%d", cancelledAt-1))
	require.Empty(t, ids)
	_, ids = list("/payments/status/all?sorting=started&limit=1&page=2")
	require.Equal(t, []string{failed.ImpUID}, ids)

	r := do(t, s, "GET", "/payments/status/refunded", token, nil)
	require.Equal(t, 400, r.status)
	require.Equal(t, "지원되지 않는 상태값입니다.", r.msg())
	st, _ = list(fmt.Sprintf("/payments/status/all?from=%d&to=%d", start.Unix(), start.Add(91*24*time.Hour).Unix()))
	require.Equal(t, 400, st, "window over 90 days")
	st, _ = list(fmt.Sprintf("/payments/status/all?from=%d&to=%d", start.Unix(), start.Add(90*24*time.Hour).Unix()))
	require.Equal(t, 200, st)
	st, _ = list("/payments/status/all?limit=0")
	require.Equal(t, 400, st)
	st, _ = list("/payments/status/all?limit=1000")
	require.Equal(t, 200, st)
}

func TestCancel(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	cl := s.Client()
	ctx := context.Background()
	p, err := cl.Onetime(ctx, onetime("c-1", iamporttest.CardApproved, 10000))
	require.NoError(t, err)

	// Partial: stays paid, with a cancel history entry.
	s.Advance(time.Minute)
	p, err = cl.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, Amount: 3000, Reason: "부분 환불"})
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatusPaid, p.Status)
	require.Equal(t, iamport.Amount(3000), p.CancelAmount)
	require.Len(t, p.CancelHistory, 1)
	require.NotEmpty(t, p.CancelHistory[0].CancellationID)
	require.NotEmpty(t, p.CancelHistory[0].PGTID)
	require.Equal(t, "부분 환불", p.CancelHistory[0].Reason)
	require.Equal(t, start.Add(time.Minute).Unix(), p.CancelHistory[0].CancelledAt.Unix())
	require.True(t, p.CancelledAt.IsZero())

	token := getToken(t, s)
	cancel := func(body map[string]any) rawResult { return do(t, s, "POST", "/payments/cancel", token, body) }

	// Checksum must equal the balance.
	r := cancel(map[string]any{"imp_uid": p.ImpUID, "amount": 1000, "checksum": 10000})
	require.Equal(t, 200, r.status)
	require.Equal(t, 1, r.env.Code)
	require.Equal(t, "null", string(r.env.Response))
	// More than the balance.
	r = cancel(map[string]any{"imp_uid": p.ImpUID, "amount": 8000})
	require.Equal(t, 1, r.env.Code)
	// Neither id, unknown id.
	r = cancel(map[string]any{"amount": 100})
	require.Equal(t, 1, r.env.Code)
	require.Equal(t, "imp_uid 또는 merchant_uid를 지정해주셔야합니다.", r.msg())
	r = cancel(map[string]any{"imp_uid": "imp_000000000000", "merchant_uid": "c-1"})
	require.Equal(t, 1, r.env.Code, "an invalid imp_uid fails even with a valid merchant_uid")
	require.Equal(t, "취소할 결제건이 존재하지 않습니다.", r.msg())
	r = cancel(map[string]any{"merchant_uid": "nope"})
	require.Equal(t, "취소할 결제건이 존재하지 않습니다.", r.msg())

	// Full cancel of the rest by merchant_uid with the right checksum (form body).
	r = do(t, s, "POST", "/payments/cancel", token, url.Values{"merchant_uid": {"c-1"}, "checksum": {"7000"}, "reason": {"전액"}})
	require.Equal(t, 0, r.env.Code, string(r.body))
	full := r.obj(t)
	require.Equal(t, "cancelled", full["status"])
	require.EqualValues(t, 10000, full["cancel_amount"])
	require.Len(t, full["cancel_history"], 2)
	require.EqualValues(t, start.Add(time.Minute).Unix(), full["cancelled_at"])
	ids := map[any]bool{}
	for _, h := range full["cancel_history"].([]any) {
		ids[h.(map[string]any)["cancellation_id"]] = true
	}
	require.Len(t, ids, 2, "each cancel has its own cancellation_id")

	r = cancel(map[string]any{"imp_uid": p.ImpUID})
	require.Equal(t, 1, r.env.Code, "already fully cancelled")
	_, err = cl.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, FullRefund: true, Checksum: iamport.Ptr(iamport.Amount(0))})
	require.Equal(t, 1, apiErr(t, err).Code)

	// A failed payment cannot be cancelled.
	f, _ := cl.Onetime(ctx, onetime("c-2", iamporttest.CardDeclinedLimit, 100))
	r = cancel(map[string]any{"imp_uid": f.ImpUID})
	require.Equal(t, 1, r.env.Code)
}

func TestCancelWebhook(t *testing.T) {
	t.Parallel()
	rc := &receiver{}
	hs := httptest.NewServer(rc)
	defer hs.Close()
	s := newFake(t, iamporttest.WithWebhookURL(hs.URL))
	cl := s.Client()
	ctx := context.Background()
	p, err := cl.Onetime(ctx, onetime("w-1", iamporttest.CardApproved, 5000))
	require.NoError(t, err)
	require.Len(t, s.Webhooks(), 1, "an approved payment notifies the console URL")
	require.Equal(t, "paid", s.Webhooks()[0].Status)

	_, err = cl.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, Amount: 1000})
	require.NoError(t, err)
	require.Len(t, s.Webhooks(), 1, "no webhook without enable_webhook")

	p, err = cl.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, Amount: 1000, EnableWebhook: iamport.Ptr(true)})
	require.NoError(t, err)
	wh := s.Webhooks()
	require.Len(t, wh, 2)
	d := wh[1]
	require.Equal(t, "cancelled", d.Status)
	require.Equal(t, p.ImpUID, d.ImpUID)
	require.Equal(t, 200, d.StatusCode)
	require.Empty(t, d.Err)
	require.JSONEq(t, fmt.Sprintf(`{"imp_uid":%q,"merchant_uid":"w-1","status":"cancelled","cancellation_id":%q}`,
		p.ImpUID, p.CancelHistory[1].CancellationID), string(d.Body))
	require.Equal(t, string(d.Body), rc.bodies[1])
}

func TestPrepare(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	token := getToken(t, s)
	r := do(t, s, "GET", "/payments/prepare/o-1", token, nil)
	require.Equal(t, 404, r.status)
	require.Equal(t, "사전등록된 결제정보가 존재하지 않습니다.", r.msg())
	require.Equal(t, 404, do(t, s, "PUT", "/payments/prepare", token, map[string]any{"merchant_uid": "o-1", "amount": 1}).status)

	r = do(t, s, "POST", "/payments/prepare", token, map[string]any{"merchant_uid": "o-1", "amount": 15000})
	require.Equal(t, 200, r.status)
	require.JSONEq(t, `{"merchant_uid":"o-1","amount":15000,"currency":null}`, string(r.env.Response))
	r = do(t, s, "POST", "/payments/prepare", token, map[string]any{"merchant_uid": "o-1", "amount": 1})
	require.Equal(t, 1, r.env.Code, "registered twice")

	r = do(t, s, "PUT", "/payments/prepare", token, url.Values{"merchant_uid": {"o-1"}, "amount": {"12.5"}, "currency": {"USD"}})
	require.Equal(t, 200, r.status, string(r.body))
	r = do(t, s, "GET", "/payments/prepare/o-1", token, nil)
	require.JSONEq(t, `{"merchant_uid":"o-1","amount":12.5,"currency":"USD"}`, string(r.env.Response))
	require.Equal(t, 400, do(t, s, "POST", "/payments/prepare", token, map[string]any{"merchant_uid": "o-2"}).status)
}

func TestBalance(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	cl := s.Client()
	ctx := context.Background()
	p, err := cl.Onetime(ctx, onetime("bal", iamporttest.CardApproved, 11000))
	require.NoError(t, err)
	s.Advance(time.Minute)
	_, err = cl.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, Amount: 2200})
	require.NoError(t, err)

	token := getToken(t, s)
	r := do(t, s, "GET", "/payments/"+p.ImpUID+"/balance", token, nil)
	require.Equal(t, 200, r.status)
	require.JSONEq(t, fmt.Sprintf(`{
		"amount": 11000,
		"cash_receipt": {"tax_free":0,"supply":0,"vat":0,"service":0},
		"primary": {"tax_free":0,"supply":8000,"vat":800,"service":0},
		"secondary": {"tax_free":0,"supply":0,"vat":0,"service":0},
		"discount": {"tax_free":0,"supply":0,"vat":0,"service":0},
		"histories": [
			{"cash_receipt":{"tax_free":0,"supply":0,"vat":0,"service":0},"primary":{"tax_free":0,"supply":10000,"vat":1000,"service":0},
			 "secondary":{"tax_free":0,"supply":0,"vat":0,"service":0},"discount":{"tax_free":0,"supply":0,"vat":0,"service":0},"created":%d},
			{"cash_receipt":{"tax_free":0,"supply":0,"vat":0,"service":0},"primary":{"tax_free":0,"supply":-2000,"vat":-200,"service":0},
			 "secondary":{"tax_free":0,"supply":0,"vat":0,"service":0},"discount":{"tax_free":0,"supply":0,"vat":0,"service":0},"created":%d}
		]}`, start.Unix(), start.Add(time.Minute).Unix()), string(r.env.Response))
	require.Equal(t, 404, do(t, s, "GET", "/payments/imp_000000000000/balance", token, nil).status)
	require.Equal(t, 405, do(t, s, "POST", "/payments/"+p.ImpUID+"/balance", token, map[string]any{}).status)
}

func TestUnknownRoutes(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	token := getToken(t, s)
	r := do(t, s, "GET", "/nope", token, nil)
	require.Equal(t, 404, r.status)
	require.Equal(t, -1, r.env.Code)
	require.Equal(t, 405, do(t, s, "GET", "/users/getToken", "", nil).status)
	require.Equal(t, 405, do(t, s, "PATCH", "/payments/cancel", token, map[string]any{}).status)
	// Escaped path segments reach the endpoint as one identifier.
	r = do(t, s, "GET", "/payments/find/"+url.PathEscape("a/../b"), token, nil)
	require.Equal(t, 404, r.status)
	require.Equal(t, "존재하지 않는 결제정보입니다.", r.msg())
	require.Equal(t, 1, s.Calls("GET", "/payments/find/{merchant_uid}"))
	require.Equal(t, 1, s.Calls("GET", "/nope"))
	req, _ := http.NewRequest("GET", s.URL+"/payments/find/x", strings.NewReader(""))
	resp, err := s.HTTPClient().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 401, resp.StatusCode)
}

func TestFindSortedByPaidTime(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	cl := s.Client()
	ctx := context.Background()
	saveKey(t, cl, "k", iamporttest.CardApproved)
	failed, _ := cl.Onetime(ctx, onetime("o", iamporttest.CardDeclinedLimit, 100))
	s.Advance(time.Minute)
	paid, err := cl.Again(ctx, &iamport.AgainRequest{CustomerUID: "k", MerchantUID: "o", Amount: 100})
	require.NoError(t, err)
	p, err := cl.FindPayment(ctx, "o", iamport.FindPaymentParams{Sorting: iamport.SortPaidDesc})
	require.NoError(t, err)
	require.Equal(t, paid.ImpUID, p.ImpUID)
	p, err = cl.FindPayment(ctx, "o", iamport.FindPaymentParams{Sorting: iamport.SortPaidAsc})
	require.NoError(t, err)
	require.Equal(t, failed.ImpUID, p.ImpUID, "never paid sorts first ascending")
	s.Advance(time.Minute)
	_, err = cl.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: paid.ImpUID, Amount: 10})
	require.NoError(t, err)
	p, err = cl.FindPayment(ctx, "o", iamport.FindPaymentParams{Sorting: iamport.SortUpdatedDesc})
	require.NoError(t, err)
	require.Equal(t, paid.ImpUID, p.ImpUID, "the cancel updated it last")
}

func TestPaymentsByStatusPageOutOfRange(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	cl := s.Client()
	ctx := context.Background()
	for _, mid := range []string{"a", "b", "c"} {
		_, err := cl.Onetime(ctx, onetime(mid, iamporttest.CardApproved, 1000))
		require.NoError(t, err)
	}
	token := getToken(t, s)
	for _, tc := range []struct {
		query  string
		status int
		n      int
	}{
		{"?limit=2&page=2", 200, 1},
		{"?limit=2&page=3", 400, 0},
		{"?page=2", 400, 0},
		{"?limit=3&page=2", 400, 0},
	} {
		r := do(t, s, "GET", "/payments/status/paid"+tc.query, token, nil)
		require.Equal(t, tc.status, r.status, tc.query)
		if tc.status == 400 {
			require.Equal(t, "요청하신 page가 조회 가능한 범위를 벗어났습니다.", r.msg())
			require.Equal(t, "null", string(r.env.Response))
			continue
		}
		require.Len(t, r.obj(t)["list"], tc.n, tc.query)
	}
	// Page 1 of an empty list is an empty list, not an error.
	r := do(t, s, "GET", "/payments/status/failed", token, nil)
	require.Equal(t, 200, r.status)
	require.Equal(t, map[string]any{"total": 0.0, "previous": 0.0, "next": 0.0, "list": []any{}}, r.obj(t))
}
