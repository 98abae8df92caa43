package iamporttest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport/iamporttest"
)

// The fake refuses what iamport refuses, with iamport's messages, and
// accepts what iamport accepts: raw requests, so that the SDK's own checks
// do not hide the fake's.
func TestFakeFollowsIamportPolicy(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	s := newFake(t, iamporttest.WithStartTime(start))
	token := getToken(t, s)
	longName := "Recurring payment for monthly subscription" // 42 characters, from iamport's own guide
	r := do(t, s, "POST", "/subscribe/customers/cust-p", token, map[string]any{
		"customer_uid": "cust-p", "card_number": "1234-1234-1234-1234", "expiry": "2026-03", "customer_name": "홍길동홍길동홍길동홍길동홍길동홍길동홍길동홍길동",
	})
	require.Equal(t, 200, r.status)
	require.Zero(t, r.env.Code, "an expiry in the current month is valid: %s", r.msg())

	r = do(t, s, "POST", "/subscribe/payments/again", token, map[string]any{
		"customer_uid": "cust-p", "merchant_uid": "order-long-name", "amount": 8900, "name": longName,
		"buyer_name": "Hong Gildong the Second of Seoul",
	})
	require.Equal(t, 200, r.status, r.msg())
	require.Zero(t, r.env.Code, r.msg())
	require.Equal(t, longName, r.obj(t)["name"])

	r = do(t, s, "POST", "/subscribe/payments/again", token, map[string]any{
		"customer_uid": "cust-p", "merchant_uid": "order-frac", "amount": 8900.5,
	})
	require.Equal(t, 400, r.status)
	require.Equal(t, "원화(KRW) 결제금액은 정수여야 합니다.", r.msg())
	r = do(t, s, "POST", "/subscribe/payments/again", token, map[string]any{
		"customer_uid": "cust-p", "merchant_uid": "order-jpy", "amount": 100.5, "currency": "JPY",
	})
	require.Equal(t, 400, r.status)

	r = do(t, s, "POST", "/payments/cancel", token, map[string]any{"merchant_uid": "order-long-name", "amount": 4450.5})
	require.Equal(t, 200, r.status)
	require.Equal(t, -1, int(r.env.Code))
	require.Equal(t, "취소금액은 정수여야 합니다.", r.msg())

	r = do(t, s, "POST", "/subscribe/payments/onetime", token, map[string]any{
		"merchant_uid": "order_id_8237352", "card_number": "1234-1234-1234-1234", "expiry": "2026-02", "amount": 3000,
	})
	require.Equal(t, 200, r.status)
	require.Equal(t, -1, int(r.env.Code))
	require.Equal(t, "카드정보 인증 및 빌키 발급에 실패하였습니다. (유효기간이 올바르지 않거나 만료된 카드입니다.)", r.msg())

	// Diners (14 digits) and UnionPay (19) numbers are cards too.
	for i, num := range []string{"3056-930902-5904", "6212345678901234567"} {
		r = do(t, s, "POST", "/subscribe/payments/onetime", token, map[string]any{
			"merchant_uid": []string{"order-diners", "order-unionpay"}[i], "card_number": num, "expiry": "2030-12", "amount": 3000,
		})
		require.Zero(t, r.env.Code, r.msg())
	}
}
