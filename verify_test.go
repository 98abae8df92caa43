package iamport_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

func TestVerifyPaymentMatches(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on("GET", "/payments/imp_1", ok(payment("order-1", "imp_uid", "imp_1", "amount", 8900.0, "currency", "krw")))
	p, err := m.client().VerifyPayment(bg, &iamport.VerifyPaymentRequest{ImpUID: "imp_1", MerchantUID: "order-1", Amount: 8900})
	require.NoError(t, err)
	require.Equal(t, "order-1", p.MerchantUID)
	require.Empty(t, m.only("GET", "/payments/imp_1").RawQuery, "test-channel payments are not asked for")
}

func TestVerifyPaymentMismatches(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		resp    map[string]any
		req     iamport.VerifyPaymentRequest
		fields  []string
		refunds bool
	}{
		{"amount", payment("order-1", "amount", 100), iamport.VerifyPaymentRequest{Amount: 8900}, []string{"amount"}, true},
		{"amount by a cent", payment("order-1", "amount", 10.51, "currency", "USD"), iamport.VerifyPaymentRequest{Amount: 10.5, Currency: "USD"}, []string{"amount"}, true},
		{"currency", payment("order-1", "currency", "USD"), iamport.VerifyPaymentRequest{Amount: 8900}, []string{"currency"}, true},
		{"another order", payment("order-9", "amount", 100), iamport.VerifyPaymentRequest{Amount: 8900}, []string{"merchant_uid", "amount"}, false},
		{"not paid", payment("order-1", "status", "failed", "amount", 100), iamport.VerifyPaymentRequest{Amount: 8900}, []string{"amount", "status"}, false},
		{"refunded already", payment("order-1", "status", "cancelled", "cancel_amount", 8900), iamport.VerifyPaymentRequest{Amount: 8900}, []string{"status"}, false},
		{"answer about another payment", payment("order-1", "amount", 100), iamport.VerifyPaymentRequest{Amount: 8900}, []string{"imp_uid", "amount"}, false},
		{"paid but ready expected", payment("order-1"), iamport.VerifyPaymentRequest{Amount: 8900, Status: iamport.PaymentStatusReady}, []string{"status"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			if tt.fields[0] != "imp_uid" {
				tt.resp["imp_uid"] = "imp_1"
			}
			m.on("GET", "/payments/imp_1", ok(tt.resp))
			m.on("POST", cancelPath, ok(with(tt.resp, "status", "cancelled", "cancel_amount", tt.resp["amount"])))
			req := tt.req
			req.ImpUID, req.MerchantUID, req.CancelOnMismatch = "imp_1", "order-1", true
			p, err := m.client().VerifyPayment(bg, &req)
			require.Nil(t, p)
			require.ErrorIs(t, err, iamport.ErrPaymentMismatch)
			var mm *iamport.PaymentMismatchError
			require.ErrorAs(t, err, &mm)
			require.Equal(t, tt.fields, mm.Fields)
			require.Equal(t, tt.resp["imp_uid"], mm.Payment.ImpUID)
			for _, f := range tt.fields {
				require.Contains(t, err.Error(), f)
			}
			if !tt.refunds {
				require.Zero(t, m.count("POST", cancelPath), "nothing is refunded")
				require.Nil(t, mm.Cancelled)
				return
			}
			r := m.only("POST", cancelPath)
			amount := tt.resp["amount"]
			require.JSONEq(t, `{"imp_uid":"imp_1","amount":`+jsonNum(amount)+`,"checksum":`+jsonNum(amount)+`,"reason":"결제 금액 위변조 의심"}`, r.Body)
			require.NotNil(t, mm.Cancelled)
			require.NoError(t, mm.CancelErr)
			require.Contains(t, err.Error(), "refunded")
		})
	}
}

func jsonNum(v any) string {
	switch x := v.(type) {
	case int:
		return iamport.Amount(x).String()
	case float64:
		return iamport.Amount(x).String()
	}
	panic("not a number")
}

// Without CancelOnMismatch nothing is refunded; a failed refund is reported
// inside the mismatch.
func TestVerifyPaymentRefundChoice(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on("GET", "/payments/imp_1", ok(payment("order-1", "imp_uid", "imp_1", "amount", 100)))
	_, err := m.client().VerifyPayment(bg, &iamport.VerifyPaymentRequest{ImpUID: "imp_1", MerchantUID: "order-1", Amount: 8900})
	require.ErrorIs(t, err, iamport.ErrPaymentMismatch)
	require.Zero(t, m.count("POST", cancelPath))

	m = newMock(t)
	m.on("GET", "/payments/imp_1", ok(payment("order-1", "imp_uid", "imp_1", "amount", 100)))
	m.on("POST", cancelPath, reply(200, failure(1, "취소가능잔액과 checksum이 일치하지 않습니다.")))
	_, err = m.client().VerifyPayment(bg, &iamport.VerifyPaymentRequest{ImpUID: "imp_1", MerchantUID: "order-1", Amount: 8900,
		CancelOnMismatch: true, CancelReason: "금액 불일치"})
	var mm *iamport.PaymentMismatchError
	require.ErrorAs(t, err, &mm)
	require.Nil(t, mm.Cancelled)
	var apiErr *iamport.APIError
	require.True(t, errors.As(err, &apiErr), "the refund's failure is reachable")
	require.Contains(t, err.Error(), "the refund failed")
	require.Contains(t, m.only("POST", cancelPath).Body, "금액 불일치")
}
