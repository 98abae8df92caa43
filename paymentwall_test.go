package iamport_test

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

func paymentwallReq(impUID, merchantUID string) *iamport.PaymentwallDeliveryRequest {
	return &iamport.PaymentwallDeliveryRequest{ImpUID: impUID, MerchantUID: merchantUID, Type: "physical", Status: "order_shipped",
		CarrierTrackingID: "TRK1", CarrierType: "DHL", EstimatedDeliveryDatetime: iamport.Unix(1767312000),
		EstimatedUpdateDatetime: iamport.Unix(1767250000), Refundable: "yes", ShippingAddressEmail: personalEmail,
		ShippingAddressCountry: "KR", ShippingAddressCity: "Seoul", ShippingAddressZip: "04524", ShippingAddressState: "N/A",
		ShippingAddressStreet: personalAddr, ShippingAddressPhone: personalTel, ShippingAddressFirstname: personalName,
		ShippingAddressLastname: "Kim"}
}

var _ = registerArea(areaEndpoint{name: "RegisterPaymentwallDelivery", method: http.MethodPost, path: "/paymentwall/delivery",
	body: `{"imp_uid":"imp_pw","merchant_uid":"pw-1","type":"physical","status":"order_shipped","carrier_tracking_id":"TRK1",
		"carrier_type":"DHL","estimated_delivery_datetime":1767312000,"estimated_update_datetime":1767250000,"refundable":"yes",
		"shipping_address_email":"` + personalEmail + `","shipping_address_country":"KR","shipping_address_city":"Seoul",
		"shipping_address_zip":"04524","shipping_address_state":"N/A","shipping_address_street":"` + personalAddr + `",
		"shipping_address_phone":"` + personalTel + `","shipping_address_firstname":"` + personalName + `","shipping_address_lastname":"Kim"}`,
	resp: map[string]any{"success": 1},
	call: func(ctx context.Context, c *iamport.Client) (any, error) {
		d, err := c.RegisterPaymentwallDelivery(ctx, paymentwallReq("imp_pw", "pw-1"))
		return nilIfErr(d, err)
	}})

var _ = iamport.RegisterSpecOps(iamport.SpecOp{Method: "post", Path: "/paymentwall/delivery",
	Body: reflect.TypeFor[iamport.PaymentwallDeliveryRequest](), Response: "PaymentwallDeliveryDetailAnnotation",
	Decoded: reflect.TypeFor[iamport.PaymentwallDelivery]()})

var _ = registerRedacted(redactCase{*paymentwallReq("imp_keep", "pw-1"), "imp_keep"})

// Paymentwall's refusal comes with code 0 and an error in the response: it
// is an error, with Paymentwall's code and notices, not a success.
func TestPaymentwallRefusalIsAnError(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, "/paymentwall/delivery", ok(map[string]any{"error_code": "7", "error": "Wrong status", "notices": []any{"status is final"}}))
	d, err := m.client().RegisterPaymentwallDelivery(bg, paymentwallReq("imp_pw", "pw-1"))
	var ae *iamport.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 7, ae.Code)
	require.Contains(t, ae.Message, "Wrong status")
	require.Contains(t, ae.Message, "status is final")
	require.Equal(t, iamport.LenientInt(7), d.ErrorCode)

	r := paymentwallReq("imp_pw", "pw-1")
	r.EstimatedUpdateDatetime = iamport.Time{}
	_, err = m.client().RegisterPaymentwallDelivery(bg, r)
	var ve *iamport.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "estimated_update_datetime", ve.Field)
}

func TestE2EPaymentwall(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	c := srv.Client()
	p := e2eOnetime(t, c, "pw-order-1", iamporttest.CardApproved, 25000)
	d, err := c.RegisterPaymentwallDelivery(ctx, paymentwallReq(p.ImpUID, "pw-order-1"))
	require.NoError(t, err)
	require.Zero(t, d.ErrorCode)

	_, err = c.RegisterPaymentwallDelivery(ctx, paymentwallReq(p.ImpUID, "another-order"))
	var ae *iamport.APIError
	require.ErrorAs(t, err, &ae)
	require.NotZero(t, ae.Code)

	digital := paymentwallReq(p.ImpUID, "pw-order-1")
	digital.Type, digital.CarrierTrackingID, digital.ShippingAddressStreet = "digital", "", ""
	_, err = c.RegisterPaymentwallDelivery(ctx, digital)
	require.NoError(t, err)
	physical := paymentwallReq(p.ImpUID, "pw-order-1")
	physical.CarrierType = ""
	_, err = c.RegisterPaymentwallDelivery(ctx, physical)
	require.ErrorAs(t, err, &ae, "a physical delivery needs its carrier")
}
