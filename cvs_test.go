package iamport_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

func cvsReq(merchantUID string) *iamport.CVSPaymentRequest {
	return &iamport.CVSPaymentRequest{ChannelKey: "ch-cvs", MerchantUID: merchantUID, Amount: 15000, ExpiredAt: iamport.Ptr(iamport.Unix(1767312000)),
		Name: "편의점 결제", BuyerName: personalName, BuyerEmail: personalEmail, NoticeURL: []string{"https://shop.example/hook"}}
}

func cvsPayment(merchantUID, status string) map[string]any {
	return payment(merchantUID, "imp_uid", "imp_cvs_1", "pay_method", "cvs", "pg_provider", "galaxia", "status", status, "amount", 15000,
		"paid_at", 0, "vbank_num", "9000000000000001", "buyer_name", nil, "started_at", 4102444800)
}

var _ = registerArea(
	areaEndpoint{name: "IssueCVSPayment", method: http.MethodPost, path: "/cvs", money: true,
		body: `{"channel_key":"ch-cvs","merchant_uid":"order-1","amount":15000,"expired_at":1767312000,"name":"편의점 결제",
			"buyer_name":"` + personalName + `","buyer_email":"` + personalEmail + `","notice_url":["https://shop.example/hook"]}`,
		resp: cvsPayment("order-1", "ready"),
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			p, err := c.IssueCVSPayment(ctx, cvsReq("order-1"))
			return nilIfErr(p, err)
		}},
	areaEndpoint{name: "RevokeCVSPayment", method: http.MethodDelete, path: "/cvs/imp_cvs_1", money: true,
		resp: cvsPayment("order-1", "cancelled"),
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			p, err := c.RevokeCVSPayment(ctx, "imp_cvs_1")
			return nilIfErr(p, err)
		}},
)

var _ = iamport.RegisterSpecOps(
	iamport.SpecOp{Method: "post", Path: "/cvs", Body: reflect.TypeFor[iamport.CVSPaymentRequest](),
		Response: "PaymentAnnotation", Decoded: reflect.TypeFor[iamport.Payment]()},
	iamport.SpecOp{Method: "delete", Path: "/cvs/{imp_uid}", Response: "PaymentAnnotation", Decoded: reflect.TypeFor[iamport.Payment]()},
)

var _ = registerRedacted(redactCase{cvsReq("cvs-keep"), "cvs-keep"})

func TestCVSLostAnswers(t *testing.T) {
	t.Parallel()
	// Issue: the number issued since the call is the answer.
	m := newMock(t)
	m.on(http.MethodPost, "/cvs", fail(syscall.ECONNRESET))
	m.on(http.MethodGet, findAllPrefix+"order-cvs", appears(cvsPayment("order-cvs", "ready")))
	p, err := m.client().IssueCVSPayment(bg, cvsReq("order-cvs"))
	require.NoError(t, err)
	require.Equal(t, "9000000000000001", p.VbankNum)
	require.Equal(t, 1, m.count(http.MethodPost, "/cvs"))
	require.GreaterOrEqual(t, m.count(http.MethodGet, findAllPrefix+"order-cvs"), 2, "one look before sending, one or more after")

	// Issue: nothing shows up before the reconcile timeout. The request
	// may still be running, so it is never sent again: the outcome is
	// unknown.
	m = newMock(t)
	m.on(http.MethodPost, "/cvs", seq(fail(syscall.ECONNRESET), ok(cvsPayment("order-cvs", "ready"))))
	m.on(http.MethodGet, findAllPrefix+"order-cvs", attempts())
	_, err = m.client(iamport.WithReconcileTimeout(200*time.Millisecond)).IssueCVSPayment(bg, cvsReq("order-cvs"))
	var unknown *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown)
	require.Equal(t, "order-cvs", unknown.MerchantUID)
	require.Equal(t, 1, m.count(http.MethodPost, "/cvs"), "never sent again")
	require.GreaterOrEqual(t, m.count(http.MethodGet, findAllPrefix+"order-cvs"), 2)

	// Issue: an attempt of the order older than the call is not its
	// answer.
	m = newMock(t)
	older := cvsPayment("order-cvs", "ready")
	m.on(http.MethodPost, "/cvs", fail(syscall.ECONNRESET))
	m.on(http.MethodGet, findAllPrefix+"order-cvs", attempts(older))
	_, err = m.client(iamport.WithReconcileTimeout(200*time.Millisecond)).IssueCVSPayment(bg, cvsReq("order-cvs"))
	require.ErrorAs(t, err, &unknown)
	require.Equal(t, 1, m.count(http.MethodPost, "/cvs"))

	// Revoke: still ready while the lookups fail, then unknown.
	m = newMock(t)
	m.on(http.MethodDelete, "/cvs/imp_cvs_1", raw(502, "text/html", "<html>bad gateway</html>"))
	m.on(http.MethodGet, "/payments/imp_cvs_1", raw(503, "text/html", "<html>busy</html>"))
	_, err = m.client(iamport.WithReconcileTimeout(200*time.Millisecond)).RevokeCVSPayment(bg, "imp_cvs_1")
	require.ErrorAs(t, err, &unknown)
	require.Equal(t, "imp_cvs_1", unknown.MerchantUID)
	require.Equal(t, 1, m.count(http.MethodDelete, "/cvs/imp_cvs_1"))

	// Revoke: the payment shows cancelled.
	m = newMock(t)
	m.on(http.MethodDelete, "/cvs/imp_cvs_1", fail(syscall.ECONNRESET))
	m.on(http.MethodGet, "/payments/imp_cvs_1", ok(cvsPayment("order-cvs", "cancelled")))
	p, err = m.client().RevokeCVSPayment(bg, "imp_cvs_1")
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatusCancelled, p.Status)
}

func TestE2ECVS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	defer hs.Close()
	srv := iamporttest.NewServer(iamporttest.WithWebhookURL(hs.URL))
	defer srv.Close()
	c := srv.Client()

	req := cvsReq("cvs-1")
	req.NoticeURL = []string{hs.URL + "/cvs-hook"}
	p, err := c.IssueCVSPayment(ctx, req)
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatusReady, p.Status)
	require.NotEmpty(t, p.VbankNum)
	require.Equal(t, int64(1767312000), p.VbankDate.Unix())
	require.True(t, srv.PayCVS(p.ImpUID))
	require.False(t, srv.PayCVS(p.ImpUID), "paid once")
	got, err := c.GetPayment(ctx, p.ImpUID)
	require.NoError(t, err)
	require.True(t, got.Paid())
	_, err = c.RevokeCVSPayment(ctx, p.ImpUID)
	var ae *iamport.APIError
	require.ErrorAs(t, err, &ae, "a paid number cannot be revoked")
	_, err = c.IssueCVSPayment(ctx, req)
	require.ErrorAs(t, err, &ae, "a paid order gets no second number")

	p2, err := c.IssueCVSPayment(ctx, &iamport.CVSPaymentRequest{ChannelKey: "ch", MerchantUID: "cvs-2", Amount: 3000, Barcode: "MY-BARCODE-1"})
	require.NoError(t, err)
	require.Equal(t, "MY-BARCODE-1", p2.VbankNum)
	p2, err = c.RevokeCVSPayment(ctx, p2.ImpUID)
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatusCancelled, p2.Status)
	_, err = c.RevokeCVSPayment(ctx, p2.ImpUID)
	require.ErrorAs(t, err, &ae, "revoking twice is refused")
	var statuses []string
	for _, h := range srv.Webhooks() {
		require.Equal(t, hs.URL+"/cvs-hook", h.URL)
		statuses = append(statuses, h.ImpUID+" "+h.Status)
	}
	require.Equal(t, []string{p.ImpUID + " paid"}, statuses, "the store payment sends its webhook")
}
