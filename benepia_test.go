package iamport_test

import (
	"context"
	"net/http"
	"reflect"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

func benepiaPay(merchantUID string, amount iamport.Amount) *iamport.BenepiaPaymentRequest {
	return &iamport.BenepiaPaymentRequest{BenepiaUser: "emp-1", BenepiaPassword: benepiaPwd, MerchantUID: merchantUID,
		Amount: amount, Name: "복지몰", BuyerName: personalName, BuyerTel: personalTel, ChannelKey: "ch-bnp",
		NoticeURL: []string{"https://shop.example/hook"}}
}

var _ = registerArea(
	areaEndpoint{name: "GetBenepiaPoint", method: http.MethodPost, path: "/benepia/point",
		body: `{"benepia_user":"emp-1","benepia_password":"` + benepiaPwd + `","channel_key":"ch-bnp"}`, resp: map[string]any{"point": 50000},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			p, err := c.GetBenepiaPoint(ctx, &iamport.BenepiaPointRequest{BenepiaUser: "emp-1", BenepiaPassword: benepiaPwd, ChannelKey: "ch-bnp"})
			return nilIfErr(p, err)
		}},
	areaEndpoint{name: "PayBenepia", method: http.MethodPost, path: "/benepia/payment", money: true,
		body: `{"benepia_user":"emp-1","benepia_password":"` + benepiaPwd + `","merchant_uid":"order-1","amount":8900,"name":"복지몰",
			"buyer_name":"` + personalName + `","buyer_tel":"` + personalTel + `","channel_key":"ch-bnp","notice_url":["https://shop.example/hook"]}`,
		resp: payment("order-1", "pg_provider", "benepia", "buyer_name", nil),
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			p, err := c.PayBenepia(ctx, benepiaPay("order-1", 8900))
			return nilIfErr(p, err)
		}},
)

var _ = iamport.RegisterSpecOps(
	iamport.SpecOp{Method: "post", Path: "/benepia/point", Body: reflect.TypeFor[iamport.BenepiaPointRequest](),
		Response: "BenepiaPointAnnotation", Decoded: reflect.TypeFor[iamport.BenepiaPoint]()},
	iamport.SpecOp{Method: "post", Path: "/benepia/payment", Body: reflect.TypeFor[iamport.BenepiaPaymentRequest](),
		Response: "PaymentAnnotation", Decoded: reflect.TypeFor[iamport.Payment]()},
)

var _ = registerRedacted(
	redactCase{iamport.BenepiaPointRequest{BenepiaUser: "emp-keep", BenepiaPassword: benepiaPwd}, "emp-keep"},
	redactCase{*benepiaPay("bnp-keep", 1), "bnp-keep"},
)

func TestBenepiaPaymentLostAnswerReconciled(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, "/benepia/payment", fail(syscall.ECONNRESET))
	m.on(http.MethodGet, findAllPrefix+"order-bnp", appears(payment("order-bnp", "pg_provider", "benepia")))
	p, err := m.client().PayBenepia(bg, benepiaPay("order-bnp", 8900))
	require.NoError(t, err)
	require.True(t, p.Paid())
	require.Equal(t, 1, m.count(http.MethodPost, "/benepia/payment"))
	require.GreaterOrEqual(t, m.count(http.MethodGet, findAllPrefix+"order-bnp"), 2, "one look before sending, one or more after")

	_, err = m.client().PayBenepia(bg, &iamport.BenepiaPaymentRequest{BenepiaUser: "u", MerchantUID: "o", Amount: 1, Name: "n", ChannelKey: "c"})
	var ve *iamport.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "benepia_password", ve.Field)
}

// benepiaPayNoHook is benepiaPay without a webhook URL, for the fake.
func benepiaPayNoHook(merchantUID string, amount iamport.Amount) *iamport.BenepiaPaymentRequest {
	r := benepiaPay(merchantUID, amount)
	r.NoticeURL = nil
	return r
}

func TestE2EBenepia(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	c := srv.Client()
	srv.SetBenepiaAccount("emp-1", benepiaPwd, 10000)

	pt, err := c.GetBenepiaPoint(ctx, &iamport.BenepiaPointRequest{BenepiaUser: "emp-1", BenepiaPassword: benepiaPwd, ChannelKey: "ch"})
	require.NoError(t, err)
	require.Equal(t, iamport.Amount(10000), pt.Point)
	_, err = c.GetBenepiaPoint(ctx, &iamport.BenepiaPointRequest{BenepiaUser: "emp-1", BenepiaPassword: "wrong", ChannelKey: "ch"})
	var ae *iamport.APIError
	require.ErrorAs(t, err, &ae)

	p, err := c.PayBenepia(ctx, benepiaPayNoHook("bnp-1", 7000))
	require.NoError(t, err)
	require.True(t, p.Paid())
	require.Equal(t, "benepia", p.PGProvider)
	pt, err = c.GetBenepiaPoint(ctx, &iamport.BenepiaPointRequest{BenepiaUser: "emp-1", BenepiaPassword: benepiaPwd, ChannelKey: "ch"})
	require.NoError(t, err)
	require.Equal(t, iamport.Amount(3000), pt.Point)

	_, err = c.PayBenepia(ctx, benepiaPayNoHook("bnp-2", 7000))
	require.ErrorAs(t, err, &ae, "not enough points")
	_, err = c.PayBenepia(ctx, benepiaPayNoHook("bnp-1", 1000))
	require.ErrorAs(t, err, &ae, "a paid order is not paid again")
	require.Len(t, paymentsOf(srv, "bnp-1"), 1)
	require.Empty(t, paymentsOf(srv, "bnp-2"))
}
