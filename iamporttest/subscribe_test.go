package iamporttest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

func TestBillingKeys(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	cl := s.Client()
	ctx := context.Background()

	bk := saveKey(t, cl, "cust-1", iamporttest.CardApproved)
	require.Equal(t, "cust-1", bk.CustomerUID)
	require.Equal(t, "4242-42**-****-4242", bk.CardNumber)
	require.Equal(t, "nice", bk.PGProvider)
	require.NotEmpty(t, bk.PGID)
	require.False(t, bk.Sandbox)
	require.Equal(t, "홍길동", bk.CustomerName)
	require.Equal(t, iamport.CardTypeCredit, bk.CardType)
	require.Equal(t, start.Unix(), bk.Inserted.Unix())
	require.Equal(t, start.Unix(), bk.Updated.Unix())

	// Re-saving replaces the card, keeps the insert time.
	s.Advance(time.Hour)
	bk2, err := cl.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "cust-1", CardNumber: "5555-4444-3333-1111", Expiry: "203012"})
	require.NoError(t, err)
	require.Equal(t, "5555-44**-****-1111", bk2.CardNumber)
	require.Equal(t, iamport.CardTypeCheck, bk2.CardType)
	require.Equal(t, start.Unix(), bk2.Inserted.Unix())
	require.Equal(t, start.Add(time.Hour).Unix(), bk2.Updated.Unix())

	got, err := cl.GetBillingKey(ctx, "cust-1")
	require.NoError(t, err)
	require.Equal(t, bk2.CardNumber, got.CardNumber)
	require.Len(t, s.BillingKeys(), 1)

	// The wire form: card_type as a number, unset strings null.
	token := getToken(t, s)
	raw := do(t, s, "GET", "/subscribe/customers/cust-1", token, nil).obj(t)
	require.EqualValues(t, 1, raw["card_type"])
	require.Nil(t, raw["customer_tel"])
	require.Equal(t, false, raw["sandbox"])
	require.EqualValues(t, start.Add(time.Hour).Unix(), raw["updated"])

	del, err := cl.DeleteBillingKey(ctx, "cust-1")
	require.NoError(t, err)
	require.Equal(t, "cust-1", del.CustomerUID)
	require.Empty(t, s.BillingKeys())

	_, err = cl.GetBillingKey(ctx, "cust-1")
	require.ErrorIs(t, err, iamport.ErrNotFound)
	_, err = cl.DeleteBillingKey(ctx, "cust-1")
	require.ErrorIs(t, err, iamport.ErrNotFound)
	for _, m := range []string{"GET", "DELETE"} {
		r := do(t, s, m, "/subscribe/customers/cust-1", token, nil)
		require.Equal(t, 200, r.status, "the live API answers 200 for an unknown key")
		require.Equal(t, 1, r.env.Code)
		require.Equal(t, "요청하신 customer_uid(cust-1)로 등록된 정보를 찾을 수 없습니다.", r.msg())
		require.Equal(t, "null", string(r.env.Response))
	}
}

func TestBillingKeyRejectedCard(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	cl := s.Client()
	_, err := cl.SaveBillingKey(context.Background(), &iamport.SaveBillingKeyRequest{CustomerUID: "c", CardNumber: iamporttest.CardRejected, Expiry: "2030-01"})
	ae := apiErr(t, err)
	require.Equal(t, 200, ae.StatusCode)
	require.Equal(t, -1, ae.Code)
	require.Equal(t, "카드정보 인증 및 빌키 발급에 실패하였습니다.", ae.Message)
	require.Empty(t, s.BillingKeys())

	// Card data the SDK would refuse, sent raw: refused by the "PG" (code
	// -1) or as a bad request, never stored.
	token := getToken(t, s)
	for _, body := range []map[string]any{
		{"card_number": "1234", "expiry": "2030-01"},
		{"card_number": "4242-4242-4242-4242", "expiry": "2020-01"}, // expired
		{"card_number": "4242-4242-4242-4242", "expiry": "2030-13"},
		{"card_number": "4242-4242-4242-4242", "expiry": "2030-01", "pwd_2digit": "1"},
	} {
		r := do(t, s, "POST", "/subscribe/customers/c", token, body)
		require.Equal(t, 200, r.status)
		require.Equal(t, -1, r.env.Code)
		require.Contains(t, r.msg(), "카드정보 인증 및 빌키 발급에 실패하였습니다.")
	}
	r := do(t, s, "POST", "/subscribe/customers/c", token, map[string]any{"expiry": "2030-01"})
	require.Equal(t, 400, r.status)
	require.Equal(t, "card_number 파라메터가 누락되었습니다.", r.msg())
	require.Empty(t, s.BillingKeys())
}

func TestGetBillingKeysMulti(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	cl := s.Client()
	saveKey(t, cl, "a", iamporttest.CardApproved)
	saveKey(t, cl, "b", iamporttest.CardApproved)
	token := getToken(t, s)

	r := do(t, s, "GET", "/subscribe/customers?customer_uid[]=a&customer_uid[]=b", token, nil)
	require.Equal(t, 200, r.status)
	require.Len(t, r.list(t), 2)

	r = do(t, s, "GET", "/subscribe/customers?customer_uid%5B%5D=a&customer_uid%5B%5D=zzz", token, nil)
	require.Equal(t, 207, r.status, "partial, percent-encoded brackets")
	l := r.list(t)
	require.Len(t, l, 1)
	require.Equal(t, "a", l[0]["customer_uid"])

	r = do(t, s, "GET", "/subscribe/customers?customer_uid[]=x", token, nil)
	require.Equal(t, 404, r.status)
	require.Equal(t, 400, do(t, s, "GET", "/subscribe/customers", token, nil).status)
}

func TestOnetimeApproved(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	cl := s.Client()
	ctx := context.Background()

	req := onetime("order-1", iamporttest.CardApproved, 12000)
	req.BuyerName, req.CustomData = "홍길동", `{"sku":1}`
	p, err := cl.Onetime(ctx, req)
	require.NoError(t, err)
	require.Regexp(t, `^imp_\d{12}$`, p.ImpUID)
	require.Equal(t, "order-1", p.MerchantUID)
	require.Equal(t, iamport.PaymentStatusPaid, p.Status)
	require.Equal(t, "api", p.Channel)
	require.Equal(t, "card", p.PayMethod)
	require.Equal(t, "nice", p.PGProvider)
	require.Equal(t, "4242-42**-****-4242", p.CardNumber)
	require.Equal(t, iamport.Amount(12000), p.Amount)
	require.Equal(t, "KRW", p.Currency)
	require.Equal(t, start.Unix(), p.PaidAt.Unix())
	require.True(t, p.FailedAt.IsZero())
	require.NotEmpty(t, p.ReceiptURL)
	require.NotEmpty(t, p.ApplyNum)
	require.Empty(t, p.CustomerUIDUsage)
	require.False(t, p.Sandbox)
	require.Equal(t, `{"sku":1}`, p.CustomData)
	require.Empty(t, s.BillingKeys(), "no customer_uid, no key")

	// The wire form as the real API writes it.
	raw := do(t, s, "GET", "/payments/"+p.ImpUID, getToken(t, s), nil).obj(t)
	require.EqualValues(t, 0, raw["card_type"])
	require.EqualValues(t, 0, raw["failed_at"])
	require.EqualValues(t, 0, raw["cancelled_at"])
	require.Nil(t, raw["fail_reason"])
	require.Nil(t, raw["customer_uid"])
	require.Nil(t, raw["customer_uid_usage"])
	require.Nil(t, raw["promotion"])
	require.Equal(t, []any{}, raw["cancel_history"])
	require.EqualValues(t, 12000, raw["amount"])

	// With customer_uid it also stores the key, buyer data as customer data.
	req = onetime("order-2", iamporttest.CardApproved, 5000)
	req.CustomerUID, req.BuyerName, req.BuyerTel = "cust-9", "김철수", "010-1234-5678"
	p, err = cl.Onetime(ctx, req)
	require.NoError(t, err)
	require.Equal(t, "issue", p.CustomerUIDUsage)
	require.Equal(t, "cust-9", p.CustomerUID)
	bk, err := cl.GetBillingKey(ctx, "cust-9")
	require.NoError(t, err)
	require.Equal(t, "김철수", bk.CustomerName)
	require.Equal(t, "010-1234-5678", bk.CustomerTel)
	require.Len(t, s.Payments(), 2)
}

func TestDeclinedCards(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	cl := s.Client()
	ctx := context.Background()
	for _, tc := range []struct{ card, reason string }{
		{iamporttest.CardDeclinedLimit, "한도초과"},
		{iamporttest.CardDeclinedSuspended, "정지된 카드입니다"},
		{iamporttest.CardDeclinedFunds, "잔액이 부족합니다"},
	} {
		p, err := cl.Onetime(ctx, onetime("d-"+tc.card, tc.card, 1000))
		var de *iamport.DeclinedError
		require.ErrorAs(t, err, &de, tc.card)
		require.Equal(t, iamport.PaymentStatusFailed, p.Status)
		require.Equal(t, tc.reason, p.FailReason)
		require.Contains(t, err.Error(), tc.reason)
		require.Equal(t, start.Unix(), p.FailedAt.Unix())
		require.True(t, p.PaidAt.IsZero())

		// A key issued from the card is stored and declines on every charge.
		uid := "k-" + tc.card
		saveKey(t, cl, uid, tc.card)
		for i := 0; i < 2; i++ {
			p, err = cl.Again(ctx, &iamport.AgainRequest{CustomerUID: uid, MerchantUID: uid + string(rune('a'+i)), Amount: 1000, Name: "정기"})
			require.ErrorAs(t, err, &de)
			require.Equal(t, tc.reason, p.FailReason)
			require.Equal(t, "payment", p.CustomerUIDUsage)
		}
	}
	// Rejected outright: code -1, no payment.
	n := len(s.Payments())
	_, err := cl.Onetime(ctx, onetime("rej", iamporttest.CardRejected, 1000))
	ae := apiErr(t, err)
	require.Equal(t, -1, ae.Code)
	require.Equal(t, "카드정보 인증 및 빌키 발급에 실패하였습니다.", ae.Message)
	require.Len(t, s.Payments(), n)
}

func TestAgain(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	cl := s.Client()
	ctx := context.Background()
	saveKey(t, cl, "cust", iamporttest.CardApproved)

	p, err := cl.Again(ctx, &iamport.AgainRequest{CustomerUID: "cust", MerchantUID: "m-1", Amount: 9900, Name: "월 구독"})
	require.NoError(t, err)
	require.Equal(t, "payment", p.CustomerUIDUsage)
	require.Equal(t, "cust", p.CustomerUID)
	require.Equal(t, "홍길동", p.BuyerName, "buyer falls back to the key's customer data")
	require.Equal(t, "hong@example.com", p.BuyerEmail)
	require.Equal(t, "월 구독", p.Name)

	// Unknown key.
	_, err = cl.Again(ctx, &iamport.AgainRequest{CustomerUID: "nobody", MerchantUID: "m-2", Amount: 100})
	ae := apiErr(t, err)
	require.Equal(t, 200, ae.StatusCode)
	require.Equal(t, -1, ae.Code)
	require.Equal(t, "등록되지 않은 구매자입니다.", ae.Message)

	// A paid merchant_uid is refused.
	_, err = cl.Again(ctx, &iamport.AgainRequest{CustomerUID: "cust", MerchantUID: "m-1", Amount: 9900})
	ae = apiErr(t, err)
	require.Equal(t, 200, ae.StatusCode)
	require.Equal(t, 1, ae.Code)
	require.Equal(t, "이미 결제완료된 주문번호(merchant_uid)입니다.", ae.Message)
	_, err = cl.Onetime(ctx, onetime("m-1", iamporttest.CardApproved, 9900))
	require.Equal(t, 1, apiErr(t, err).Code)

	// DeclineCharges: the next two charges decline, then approve again;
	// a failed merchant_uid may be paid later (another row).
	s.DeclineCharges("cust", 2, "")
	for _, mid := range []string{"m-3", "m-3"} {
		p, err = cl.Again(ctx, &iamport.AgainRequest{CustomerUID: "cust", MerchantUID: mid, Amount: 100})
		var de *iamport.DeclinedError
		require.ErrorAs(t, err, &de)
		require.Equal(t, "한도초과", p.FailReason)
	}
	s.Advance(time.Second)
	p, err = cl.Again(ctx, &iamport.AgainRequest{CustomerUID: "cust", MerchantUID: "m-3", Amount: 100})
	require.NoError(t, err)
	rows := 0
	for _, q := range s.Payments() {
		if q.MerchantUID == "m-3" {
			rows++
		}
	}
	require.Equal(t, 3, rows)
	found, err := cl.FindPayment(ctx, "m-3")
	require.NoError(t, err)
	require.Equal(t, p.ImpUID, found.ImpUID, "newest first")

	s.DeclineCharges("cust", 1, "카드사 점검중")
	_, err = cl.Again(ctx, &iamport.AgainRequest{CustomerUID: "cust", MerchantUID: "m-4", Amount: 100})
	require.ErrorContains(t, err, "카드사 점검중")
	s.DeclineCharges("cust", 5, "x")
	s.DeclineCharges("cust", 0, "")
	_, err = cl.Again(ctx, &iamport.AgainRequest{CustomerUID: "cust", MerchantUID: "m-5", Amount: 100})
	require.NoError(t, err, "n = 0 clears")
}

func TestChargeBadRequests(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	token := getToken(t, s)
	saveKey(t, s.Client(), "cust", iamporttest.CardApproved)
	for _, tc := range []struct {
		path string
		body map[string]any
		msg  string
	}{
		{"/subscribe/payments/again", map[string]any{"merchant_uid": "x", "amount": 100}, "customer_uid 파라메터가 누락되었습니다."},
		{"/subscribe/payments/again", map[string]any{"customer_uid": "cust", "amount": 100}, "merchant_uid 파라메터가 누락되었습니다."},
		{"/subscribe/payments/again", map[string]any{"customer_uid": "cust", "merchant_uid": "x"}, "amount 파라메터가 누락되었습니다."},
		{"/subscribe/payments/again", map[string]any{"customer_uid": "cust", "merchant_uid": "x", "amount": -5}, "amount 파라메터가 올바르지 않습니다."},
		{"/subscribe/payments/again", map[string]any{"customer_uid": "cust", "merchant_uid": "x", "amount": 10.5}, "원화(KRW) 결제금액은 정수여야 합니다."},
		{"/subscribe/payments/again", map[string]any{"customer_uid": "cust", "merchant_uid": "x", "amount": "abc"}, "amount 파라메터가 올바르지 않습니다."},
		{"/subscribe/payments/again", map[string]any{"customer_uid": "cust", "merchant_uid": "0123456789012345678901234567890123456789X", "amount": 1}, "merchant_uid 파라메터는 최대 40자까지 입력할 수 있습니다."},
		{"/subscribe/payments/onetime", map[string]any{"merchant_uid": "x", "amount": 100, "expiry": "2030-01"}, "card_number 파라메터가 누락되었습니다."},
	} {
		r := do(t, s, "POST", tc.path, token, tc.body)
		require.Equal(t, 400, r.status, tc.msg)
		require.Equal(t, tc.msg, r.msg())
	}
	// Non-KRW amounts may have two decimals; numbers may come as strings.
	r := do(t, s, "POST", "/subscribe/payments/again", token, map[string]any{"customer_uid": "cust", "merchant_uid": "usd", "amount": "10.5", "currency": "usd"})
	require.Equal(t, 200, r.status, string(r.body))
	require.EqualValues(t, 10.5, r.obj(t)["amount"])
	require.Equal(t, "USD", r.obj(t)["currency"])
	require.Len(t, s.Payments(), 1)
}

func TestSandbox(t *testing.T) {
	t.Parallel()
	s := newFake(t, iamporttest.WithSandbox())
	cl := s.Client()
	ctx := context.Background()
	p, err := cl.Onetime(ctx, onetime("sb", iamporttest.CardApproved, 1000))
	require.NoError(t, err)
	require.True(t, p.Sandbox)
	_, err = cl.GetPayment(ctx, p.ImpUID)
	require.ErrorIs(t, err, iamport.ErrNotFound, "test-channel payments are hidden")
	got, err := cl.GetPayment(ctx, p.ImpUID, iamport.GetPaymentParams{IncludeSandbox: true})
	require.NoError(t, err)
	require.True(t, got.Sandbox)
	_, err = cl.FindPayment(ctx, "sb")
	require.NoError(t, err)
	require.True(t, saveKey(t, cl, "k", iamporttest.CardApproved).Sandbox)

	r := do(t, s, "GET", "/payments/"+p.ImpUID, getToken(t, s), nil)
	require.Equal(t, 404, r.status)
	require.Equal(t, "존재하지 않는 결제정보입니다.", r.msg())
	var m map[string]any
	require.NoError(t, json.Unmarshal(do(t, s, "GET", "/payments/"+p.ImpUID+"?include_sandbox=true", getToken(t, s), nil).env.Response, &m))
	require.Equal(t, true, m["sandbox"])
}

func TestSandboxCancel(t *testing.T) {
	t.Parallel()
	s := newFake(t, iamporttest.WithSandbox())
	cl := s.Client()
	ctx := context.Background()
	p, err := cl.Onetime(ctx, onetime("sb-c", iamporttest.CardApproved, 1000))
	require.NoError(t, err)
	// The SDK looks the payment up for its checksum, including test channels.
	p, err = cl.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, Amount: 400})
	require.NoError(t, err)
	require.Equal(t, iamport.Amount(400), p.CancelAmount)
	// A lost answer is reconciled the same way.
	s.InjectFault("POST", "/payments/cancel", 1, iamporttest.Fault{Kind: iamporttest.FaultDropAfterProcessing})
	p, err = fastClient(s).CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, FullRefund: true})
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatusCancelled, p.Status)
	require.Equal(t, 2, s.Calls("POST", "/payments/cancel"), "sent once per cancel, never re-sent")
}

func TestInstallmentsNeed50000KRW(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	cl := s.Client()
	ctx := context.Background()
	token := getToken(t, s)
	saveKey(t, cl, "cust", iamporttest.CardApproved)
	const msg = "할부(card_quota)는 50,000원 이상 결제에만 가능합니다."
	for _, tc := range []struct {
		path string
		body map[string]any
	}{
		{"/subscribe/payments/again", map[string]any{"customer_uid": "cust", "merchant_uid": "q1", "amount": 49999, "card_quota": 3}},
		{"/subscribe/payments/onetime", map[string]any{"merchant_uid": "q2", "amount": 10000, "card_quota": 2,
			"card_number": iamporttest.CardApproved, "expiry": "2030-12"}},
		{"/subscribe/payments/schedule", map[string]any{"customer_uid": "cust", "schedules": []any{map[string]any{
			"merchant_uid": "q3", "amount": 9900, "card_quota": 12, "schedule_at": start.Add(time.Hour).Unix()}}}},
	} {
		r := do(t, s, "POST", tc.path, token, tc.body)
		require.Equal(t, 400, r.status, tc.path)
		require.Equal(t, msg, r.msg(), tc.path)
	}
	require.Empty(t, s.Payments())
	require.Empty(t, s.Schedules())

	// Through the SDK it is an API error, and nothing is charged.
	req := onetime("q4", iamporttest.CardApproved, 10000)
	req.CardQuota = iamport.Ptr(3)
	_, err := cl.Onetime(ctx, req)
	require.Equal(t, 400, apiErr(t, err).StatusCode)
	require.Empty(t, s.Payments())

	// Lump sum (0) and one month are fine for any amount; installments from
	// 50,000 KRW; other currencies are not limited by the KRW rule.
	for i, tc := range []struct {
		amount   iamport.Amount
		currency string
		quota    int
	}{{1000, "", 0}, {1000, "", 1}, {50000, "", 3}, {10, "USD", 3}} {
		req := onetime(fmt.Sprintf("ok-%d", i), iamporttest.CardApproved, tc.amount)
		req.Currency, req.CardQuota = tc.currency, iamport.Ptr(tc.quota)
		p, err := cl.Onetime(ctx, req)
		require.NoError(t, err, "%+v", tc)
		require.Equal(t, iamport.Int(tc.quota), p.CardQuota)
	}
}

// The fake enforces the documented length limits (§11 of the API reference)
// of codes (channel_key, pg); descriptive text is never limited.
func TestLengthLimits(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	cl := s.Client()
	ctx := context.Background()
	token := getToken(t, s)
	saveKey(t, cl, "cust", iamporttest.CardApproved)
	paid, err := cl.Onetime(ctx, onetime("paid", iamporttest.CardApproved, 1000))
	require.NoError(t, err)
	long := func(n int) string { return strings.Repeat("k", n) }
	card := map[string]any{"card_number": iamporttest.CardApproved, "expiry": "2030-12"}
	with := func(base map[string]any, kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	onetimeBody := with(card, "merchant_uid", "o", "amount", 1000)
	againBody := map[string]any{"customer_uid": "cust", "merchant_uid": "a", "amount": 1000}
	schedBody := map[string]any{"customer_uid": "cust", "schedules": []any{map[string]any{
		"merchant_uid": "s", "amount": 1000, "schedule_at": start.Add(time.Hour).Unix()}}}
	cancelBody := map[string]any{"imp_uid": paid.ImpUID, "amount": 100}
	for _, tc := range []struct {
		path, field string
		max         int
		body        map[string]any
	}{
		{"/subscribe/payments/onetime", "channelGroupId", 55, onetimeBody},
		{"/subscribe/payments/onetime", "pg", 80, onetimeBody},
		{"/subscribe/payments/again", "channel_key", 55, againBody},
		{"/subscribe/payments/schedule", "channel_key", 55, schedBody},
		{"/subscribe/customers/cust2", "channel_key", 55, card},
		{"/subscribe/customers/cust2", "channel_group_id", 55, card},
		{"/subscribe/customers/cust2", "pg", 80, card},
	} {
		name := tc.path + " " + tc.field
		r := do(t, s, "POST", tc.path, token, with(tc.body, tc.field, long(tc.max+1)))
		require.Equal(t, 400, r.status, name)
		require.Equal(t, fmt.Sprintf("%s 파라메터는 최대 %d자까지 입력할 수 있습니다.", tc.field, tc.max), r.msg(), name)
	}
	require.Len(t, s.Payments(), 1, "nothing was charged")
	require.Empty(t, s.Schedules())
	require.Len(t, s.BillingKeys(), 1)
	require.Empty(t, s.Payments()[0].CancelHistory, "nothing was cancelled")

	// At the limit they are accepted.
	r := do(t, s, "POST", "/subscribe/payments/again", token, with(againBody, "channel_key", long(55)))
	require.Equal(t, 200, r.status, string(r.body))
	// Descriptive fields are not limited, as iamport does not limit them.
	r = do(t, s, "POST", "/payments/cancel", token, with(cancelBody, "refund_holder", long(40), "refund_bank", "0881", "refund_tel", long(20),
		"reason", long(300)))
	require.Equal(t, 200, r.status, string(r.body))
	require.Zero(t, r.env.Code, r.msg())
}
