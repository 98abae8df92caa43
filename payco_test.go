package iamport_test

import (
	"context"
	"net/http"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

var _ = registerArea(
	areaEndpoint{name: "ChangePaycoOrderStatus", method: http.MethodPost, path: "/payco/orders/status/imp_payco_1",
		body: `{"status":"DELIVERY_START"}`, resp: map[string]any{"status": "DELIVERY_START"},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			s, err := c.ChangePaycoOrderStatus(ctx, &iamport.PaycoOrderStatusRequest{ImpUID: "imp_payco_1", Status: iamport.PaycoDeliveryStart})
			return nilIfErr(s, err)
		}},
	areaEndpoint{name: "ChangePaycoOrderStatusCanceled", method: http.MethodPost, path: "/payco/orders/status/imp_payco_2", money: true,
		body: `{"status":"CANCELED"}`, resp: map[string]any{"status": "CANCELED"},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			s, err := c.ChangePaycoOrderStatus(ctx, &iamport.PaycoOrderStatusRequest{ImpUID: "imp_payco_2", Status: iamport.PaycoCanceled})
			return nilIfErr(s, err)
		}},
)

var _ = iamport.RegisterSpecOps(iamport.SpecOp{Method: "post", Path: "/payco/orders/status/{imp_uid}",
	Body: reflect.TypeFor[iamport.PaycoOrderStatusRequest](), Response: "PaycoStatusAnnotation", Decoded: reflect.TypeFor[iamport.PaycoOrderStatus]()})

// A PAYCO cancel whose answer is lost is settled by the payment's status;
// one the payment does not show is an OutcomeUnknownError, never re-sent.
func TestPaycoCancelLostAnswer(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, "/payco/orders/status/imp_p", fail(syscall.ECONNRESET))
	m.on(http.MethodGet, "/payments/imp_p", seq(ok(payment("o", "status", "paid")), ok(payment("o", "status", "cancelled"))))
	s, err := m.client().ChangePaycoOrderStatus(bg, &iamport.PaycoOrderStatusRequest{ImpUID: "imp_p", Status: iamport.PaycoCanceled})
	require.NoError(t, err)
	require.Equal(t, iamport.PaycoCanceled, s.Status)

	m = newMock(t)
	m.on(http.MethodPost, "/payco/orders/status/imp_p", raw(504, "text/html", "<html>timeout</html>"))
	m.on(http.MethodGet, "/payments/imp_p", ok(payment("o", "status", "paid")))
	_, err = m.client(iamport.WithReconcileTimeout(200*time.Millisecond)).ChangePaycoOrderStatus(bg,
		&iamport.PaycoOrderStatusRequest{ImpUID: "imp_p", Status: iamport.PaycoCanceled})
	var unknown *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown)
	require.Equal(t, 1, m.count(http.MethodPost, "/payco/orders/status/imp_p"))

	// Another status moves no money: a lost answer is a plain error.
	m = newMock(t)
	m.on(http.MethodPost, "/payco/orders/status/imp_p", fail(syscall.ECONNRESET))
	_, err = m.client().ChangePaycoOrderStatus(bg, &iamport.PaycoOrderStatusRequest{ImpUID: "imp_p", Status: iamport.PaycoPurchaseDecision})
	require.ErrorIs(t, err, syscall.ECONNRESET)
	require.Equal(t, 1, m.count(http.MethodPost, "/payco/orders/status/imp_p"))

	_, err = m.client().ChangePaycoOrderStatus(bg, &iamport.PaycoOrderStatusRequest{ImpUID: "imp_p"})
	var ve *iamport.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "status", ve.Field)
}

func TestE2EPayco(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	c := srv.Client()
	p := e2eOnetime(t, c, "payco-1", iamporttest.CardApproved, 15000)
	s, err := c.ChangePaycoOrderStatus(ctx, &iamport.PaycoOrderStatusRequest{ImpUID: p.ImpUID, Status: iamport.PaycoDeliveryStart})
	require.NoError(t, err)
	require.Equal(t, iamport.PaycoDeliveryStart, s.Status)
	_, err = c.ChangePaycoOrderStatus(ctx, &iamport.PaycoOrderStatusRequest{ImpUID: p.ImpUID, Status: "SHIPPED_TO_MARS"})
	var ae *iamport.APIError
	require.ErrorAs(t, err, &ae, "an unknown status is the server's to refuse")
	require.Equal(t, http.StatusBadRequest, ae.StatusCode)
	_, err = c.ChangePaycoOrderStatus(ctx, &iamport.PaycoOrderStatusRequest{ImpUID: p.ImpUID, Status: iamport.PaycoCanceled})
	require.NoError(t, err)
	got, err := c.GetPayment(ctx, p.ImpUID)
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatusCancelled, got.Status)
	_, err = c.ChangePaycoOrderStatus(ctx, &iamport.PaycoOrderStatusRequest{ImpUID: p.ImpUID, Status: iamport.PaycoCanceled})
	require.ErrorAs(t, err, &ae, "a cancelled order is not cancelled again")
}
