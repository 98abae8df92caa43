package iamport_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// errOnly adapts a method that returns only an error to an area endpoint.
func errOnly(err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return true, nil
}

// naverOrder is a NaverPay product order as iamport returns it; kv
// overrides fields.
func naverOrder(id, status string, kv ...any) map[string]any {
	return with(map[string]any{
		"product_order_id": id, "product_order_status": status, "claim_type": nil, "claim_status": nil,
		"product_id": "p-1", "product_name": "티셔츠", "product_option_id": "o-1", "product_option_name": "L",
		"product_amount": 19000, "delivery_amount": 3000.0, "quantity": "1",
		"orderer":          map[string]any{"name": personalName, "id": "naver_hidden", "tel": personalTel},
		"shipping_address": map[string]any{"base": personalAddr, "detail": "101호", "postcode": "04524", "tel1": personalTel, "tel2": nil, "name": personalName},
		"shipping_memo":    "문 앞", "shipping_due": 1767312000, "individual_code": customsCode,
		"a_field_added_later": true,
	}, kv...)
}

const naverImp = "imp_naver_1"

var naverPath = func(action string) string { return "/payments/" + naverImp + "/naver/" + action }

var _ = registerArea(
	areaEndpoint{name: "NaverCancel", method: http.MethodPost, path: naverPath("cancel"), money: true,
		body: `{"product_order_id":["po-1","po-2"],"reason":"SOLD_OUT"}`,
		resp: []any{naverOrder("po-1", "CANCELED"), naverOrder("po-2", "CANCELED")},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			os, err := c.NaverCancel(ctx, &iamport.NaverCancelRequest{NaverProductOrderTarget: iamport.NaverProductOrderTarget{
				ImpUID: naverImp, ProductOrderIDs: []string{"po-1", "po-2"}}, Reason: "SOLD_OUT"})
			return nilIfErr(os, err)
		}},
	areaEndpoint{name: "NaverApproveCancel", method: http.MethodPost, path: naverPath("approve-cancel"), money: true,
		body: `{}`, resp: []any{naverOrder("po-1", "CANCELED")},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			os, err := c.NaverApproveCancel(ctx, &iamport.NaverApproveCancelRequest{NaverProductOrderTarget: iamport.NaverProductOrderTarget{ImpUID: naverImp}})
			return nilIfErr(os, err)
		}},
	areaEndpoint{name: "NaverApproveReturn", method: http.MethodPost, path: naverPath("approve-return"), money: true,
		body: `{"product_order_id":["po-1"],"memo":"반품 승인"}`, resp: []any{naverOrder("po-1", "RETURNED")},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			os, err := c.NaverApproveReturn(ctx, &iamport.NaverApproveReturnRequest{NaverProductOrderTarget: iamport.NaverProductOrderTarget{
				ImpUID: naverImp, ProductOrderIDs: []string{"po-1"}}, Memo: "반품 승인"})
			return nilIfErr(os, err)
		}},
	areaEndpoint{name: "NaverShip", method: http.MethodPost, path: naverPath("ship"),
		body: `{"delivery_method":"DELIVERY","dispatched_at":1767225600,"delivery_company":"CJGLS","tracking_number":"1234"}`,
		resp: []any{naverOrder("po-1", "DELIVERING")},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			os, err := c.NaverShip(ctx, &iamport.NaverShipRequest{NaverProductOrderTarget: iamport.NaverProductOrderTarget{ImpUID: naverImp},
				DeliveryMethod: "DELIVERY", DispatchedAt: iamport.Unix(1767225600), DeliveryCompany: "CJGLS", TrackingNumber: "1234"})
			return nilIfErr(os, err)
		}},
	areaEndpoint{name: "NaverShipExchanged", method: http.MethodPost, path: naverPath("ship-exchanged"),
		body: `{"delivery_method":"QUICK_SVC"}`, resp: []any{naverOrder("po-1", "EXCHANGED")},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			os, err := c.NaverShipExchanged(ctx, &iamport.NaverShipExchangedRequest{NaverProductOrderTarget: iamport.NaverProductOrderTarget{ImpUID: naverImp},
				DeliveryMethod: "QUICK_SVC"})
			return nilIfErr(os, err)
		}},
	areaEndpoint{name: "NaverCollectExchanged", method: http.MethodPost, path: naverPath("collect-exchanged"),
		body: `{"product_order_id":["po-9"]}`, resp: []any{naverOrder("po-9", "EXCHANGED")},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			os, err := c.NaverCollectExchanged(ctx, &iamport.NaverCollectExchangedRequest{NaverProductOrderTarget: iamport.NaverProductOrderTarget{
				ImpUID: naverImp, ProductOrderIDs: []string{"po-9"}}})
			return nilIfErr(os, err)
		}},
	areaEndpoint{name: "NaverPlace", method: http.MethodPost, path: naverPath("place"),
		body: `{}`, resp: []any{naverOrder("po-1", "PAYED")},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			os, err := c.NaverPlace(ctx, &iamport.NaverPlaceRequest{NaverProductOrderTarget: iamport.NaverProductOrderTarget{ImpUID: naverImp}})
			return nilIfErr(os, err)
		}},
	areaEndpoint{name: "NaverRequestReturn", method: http.MethodPost, path: naverPath("request-return"),
		body: `{"reason":"BROKEN","delivery_method":"RETURN_DELIVERY","delivery_company":"EPOST","tracking_number":"99"}`,
		resp: []any{naverOrder("po-1", "DELIVERED", "claim_type", "RETURN", "claim_status", "RETURN_REQUEST")},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			os, err := c.NaverRequestReturn(ctx, &iamport.NaverRequestReturnRequest{NaverProductOrderTarget: iamport.NaverProductOrderTarget{ImpUID: naverImp},
				Reason: "BROKEN", DeliveryMethod: "RETURN_DELIVERY", DeliveryCompany: "EPOST", TrackingNumber: "99"})
			return nilIfErr(os, err)
		}},
	areaEndpoint{name: "NaverRejectReturn", method: http.MethodPost, path: naverPath("reject-return"),
		body: `{"memo":"사용 흔적"}`, resp: []any{naverOrder("po-1", "DELIVERED")},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			os, err := c.NaverRejectReturn(ctx, &iamport.NaverRejectReturnRequest{NaverProductOrderTarget: iamport.NaverProductOrderTarget{ImpUID: naverImp}, Memo: "사용 흔적"})
			return nilIfErr(os, err)
		}},
	areaEndpoint{name: "NaverWithholdReturn", method: http.MethodPost, path: naverPath("withhold-return"),
		body: `{"reason":"RETURN_DELIVERYFEE","memo":"배송비 입금 필요","extra_charge":3000}`, resp: []any{naverOrder("po-1", "DELIVERED")},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			os, err := c.NaverWithholdReturn(ctx, &iamport.NaverWithholdReturnRequest{NaverProductOrderTarget: iamport.NaverProductOrderTarget{ImpUID: naverImp},
				Reason: "RETURN_DELIVERYFEE", Memo: "배송비 입금 필요", ExtraCharge: iamport.Ptr(iamport.Amount(3000))})
			return nilIfErr(os, err)
		}},
	areaEndpoint{name: "NaverResolveReturn", method: http.MethodPost, path: naverPath("resolve-return"),
		body: `{}`, resp: []any{naverOrder("po-1", "DELIVERED")},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			os, err := c.NaverResolveReturn(ctx, &iamport.NaverResolveReturnRequest{NaverProductOrderTarget: iamport.NaverProductOrderTarget{ImpUID: naverImp}})
			return nilIfErr(os, err)
		}},
	areaEndpoint{name: "NaverDepositPoint", method: http.MethodPost, path: naverPath("point"), money: true, resp: nil,
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			return errOnly(c.NaverDepositPoint(ctx, naverImp))
		}},
	areaEndpoint{name: "NaverConfirm", method: http.MethodPost, path: naverPath("confirm"), body: `{"requester":"customer"}`, resp: nil,
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			return errOnly(c.NaverConfirm(ctx, &iamport.NaverConfirmRequest{ImpUID: naverImp, Requester: "customer"}))
		}},
	areaEndpoint{name: "GetNaverProductOrders", method: http.MethodGet, path: naverPath("product-orders"),
		resp: []any{naverOrder("po-1", "PAYED"), naverOrder("po-2", "PAYED")},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			os, err := c.GetNaverProductOrders(ctx, naverImp)
			return nilIfErr(os, err)
		}},
	areaEndpoint{name: "GetNaverProductOrder", method: http.MethodGet, path: "/naver/product-orders/po%2F1", resp: naverOrder("po/1", "PAYED"),
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			o, err := c.GetNaverProductOrder(ctx, "po/1")
			return nilIfErr(o, err)
		}},
	areaEndpoint{name: "GetNaverReviews", method: http.MethodGet, path: "/naver/reviews",
		query: url.Values{"channel_key": {"channel-key-1"}, "from": {"1767225600"}, "to": {"1767312000"}, "review_type": {"premium"}},
		resp: []any{map[string]any{"review_id": "r-1", "score": "5", "title": "좋아요", "content": "만족", "product_order_id": "po-1",
			"product_id": "p-1", "product_name": "티셔츠", "product_option_name": "L", "writer": personalEmail, "created_at": 1767230000, "modified_at": 0}},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			rs, err := c.GetNaverReviews(ctx, &iamport.NaverReviewsRequest{ChannelKey: "channel-key-1",
				From: time.Unix(1767225600, 0), To: time.Unix(1767312000, 0), ReviewType: "premium"})
			return nilIfErr(rs, err)
		}},
	areaEndpoint{name: "GetNaverCashAmount", method: http.MethodGet, path: naverPath("cash-amount"),
		resp: map[string]any{"amount_total": 22000, "amount_by_npoint": 2000, "amount_by_primary": 20000, "amount_supply": 20000, "amount_vat": 2000},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			a, err := c.GetNaverCashAmount(ctx, naverImp)
			return nilIfErr(a, err)
		}},
)

// nilIfErr returns v, or a nil any when err is set, so that an area check
// sees a failed call's result as nil.
func nilIfErr[T any](v T, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return v, nil
}

var _ = iamport.RegisterSpecOps(func() []iamport.SpecOp {
	orders, order := reflect.TypeFor[[]iamport.NaverProductOrder](), reflect.TypeFor[iamport.NaverProductOrder]()
	action := func(path string, body any) iamport.SpecOp {
		return iamport.SpecOp{Method: "post", Path: "/payments/{imp_uid}/naver/" + path, Body: reflect.TypeOf(body),
			Response: "NaverProductOrderAnnotation", Decoded: orders}
	}
	return []iamport.SpecOp{
		action("cancel", iamport.NaverCancelRequest{}),
		action("approve-cancel", iamport.NaverApproveCancelRequest{}),
		action("ship", iamport.NaverShipRequest{}),
		action("ship-exchanged", iamport.NaverShipExchangedRequest{}),
		action("collect-exchanged", iamport.NaverCollectExchangedRequest{}),
		action("place", iamport.NaverPlaceRequest{}),
		action("request-return", iamport.NaverRequestReturnRequest{}),
		action("approve-return", iamport.NaverApproveReturnRequest{}),
		action("reject-return", iamport.NaverRejectReturnRequest{}),
		action("withhold-return", iamport.NaverWithholdReturnRequest{}),
		action("resolve-return", iamport.NaverResolveReturnRequest{}),
		{Method: "post", Path: "/payments/{imp_uid}/naver/point"},
		{Method: "post", Path: "/payments/{imp_uid}/naver/confirm", Body: reflect.TypeFor[iamport.NaverConfirmRequest]()},
		{Method: "get", Path: "/payments/{imp_uid}/naver/product-orders", Response: "NaverProductOrderAnnotation", Decoded: orders},
		{Method: "get", Path: "/naver/product-orders/{product_order_id}", Response: "NaverProductOrderAnnotation", Decoded: order},
		{Method: "get", Path: "/naver/reviews", Query: reflect.TypeFor[iamport.NaverReviewsRequest](),
			Response: "NaverReviewAnnotation", Decoded: reflect.TypeFor[[]iamport.NaverReview]()},
		{Method: "get", Path: "/payments/{imp_uid}/naver/cash-amount", Response: "NaverCashAmountAnnotation",
			Decoded: reflect.TypeFor[iamport.NaverCashAmount]()},
	}
}()...)

var _ = registerRedacted(
	redactCase{iamport.NaverProductOrder{ProductOrderID: "po-keep", Orderer: iamport.NaverOrderer{Name: personalName, Tel: personalTel},
		ShippingAddress: iamport.NaverAddress{Base: personalAddr, Tel1: personalTel, Name: personalName}, IndividualCode: customsCode}, "po-keep"},
	redactCase{&iamport.NaverProductOrder{ProductOrderID: "po-keep", Orderer: iamport.NaverOrderer{Name: personalName}}, "po-keep"},
	redactCase{iamport.NaverReview{ReviewID: "r-keep", Writer: personalEmail}, "r-keep"},
)

func TestNaverDecodesProductOrders(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodGet, naverPath("product-orders"), ok([]any{naverOrder("po-1", "PAYED", "claim_type", "CANCEL", "claim_status", "CANCEL_REQUEST")}))
	os, err := m.client().GetNaverProductOrders(bg, naverImp)
	require.NoError(t, err)
	require.Len(t, os, 1)
	o := os[0]
	require.Equal(t, iamport.NaverPayed, o.ProductOrderStatus)
	require.Equal(t, "CANCEL_REQUEST", o.ClaimStatus)
	require.Equal(t, iamport.Amount(3000), o.DeliveryAmount)
	require.Equal(t, iamport.LenientInt(1), o.Quantity)
	require.Equal(t, personalName, o.Orderer.Name, "personal data is decoded, only its printing is redacted")
	require.Equal(t, "04524", o.ShippingAddress.Postcode)
	require.Equal(t, int64(1767312000), o.ShippingDue.Unix())
}

func TestNaverValidation(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	c := m.client()
	target := iamport.NaverProductOrderTarget{ImpUID: naverImp}
	for _, tt := range []struct {
		field string
		call  func() error
	}{
		{"imp_uid", func() error {
			_, err := c.NaverCancel(bg, &iamport.NaverCancelRequest{})
			return err
		}},
		{"product_order_id[1]", func() error {
			_, err := c.NaverPlace(bg, &iamport.NaverPlaceRequest{NaverProductOrderTarget: iamport.NaverProductOrderTarget{ImpUID: naverImp, ProductOrderIDs: []string{"a", ""}}})
			return err
		}},
		{"delivery_method", func() error {
			_, err := c.NaverShip(bg, &iamport.NaverShipRequest{NaverProductOrderTarget: target, DispatchedAt: iamport.Unix(1)})
			return err
		}},
		{"dispatched_at", func() error {
			_, err := c.NaverShip(bg, &iamport.NaverShipRequest{NaverProductOrderTarget: target, DeliveryMethod: "DELIVERY"})
			return err
		}},
		{"memo", func() error {
			_, err := c.NaverRejectReturn(bg, &iamport.NaverRejectReturnRequest{NaverProductOrderTarget: target})
			return err
		}},
		{"extra_charge", func() error {
			_, err := c.NaverWithholdReturn(bg, &iamport.NaverWithholdReturnRequest{NaverProductOrderTarget: target, Memo: "m", ExtraCharge: iamport.Ptr(iamport.Amount(-1))})
			return err
		}},
		{"review_type", func() error {
			_, err := c.GetNaverReviews(bg, &iamport.NaverReviewsRequest{ChannelKey: "k", From: time.Unix(1, 0), To: time.Unix(2, 0)})
			return err
		}},
		{"from", func() error {
			_, err := c.GetNaverReviews(bg, &iamport.NaverReviewsRequest{ChannelKey: "k", From: time.Unix(3, 0), To: time.Unix(2, 0), ReviewType: "general"})
			return err
		}},
		{"request", func() error {
			_, err := c.NaverApproveReturn(bg, nil)
			return err
		}},
	} {
		var ve *iamport.ValidationError
		require.ErrorAs(t, tt.call(), &ve, tt.field)
		require.Equal(t, tt.field, ve.Field)
	}
	require.Zero(t, m.total(), "nothing is sent")
}

// A NaverPay cancel whose answer is lost is settled by the product orders'
// statuses: cancelled is success, never a second refund request.
func TestNaverCancelLostAnswerReconciled(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, naverPath("cancel"), fail(syscall.ECONNRESET))
	m.on(http.MethodGet, naverPath("product-orders"), seq(
		reply(503, failure(-1, "busy")),
		ok([]any{naverOrder("po-1", "CANCELED", "claim_type", "ADMIN_CANCEL", "claim_status", "ADMIN_CANCEL_DONE"), naverOrder("po-2", "PAYED")}),
	))
	os, err := m.client().NaverCancel(bg, &iamport.NaverCancelRequest{NaverProductOrderTarget: iamport.NaverProductOrderTarget{
		ImpUID: naverImp, ProductOrderIDs: []string{"po-1"}}})
	require.NoError(t, err)
	require.Len(t, os, 1)
	require.Equal(t, "po-1", os[0].ProductOrderID)
	require.Equal(t, 1, m.count(http.MethodPost, naverPath("cancel")), "the cancel is sent once")
}

// A lost cancel whose product orders show no trace of it is never sent
// again: the request may still be running at NaverPay. It stays an
// OutcomeUnknownError until the reconcile deadline, as does one that
// cancelled only some of its product orders.
func TestNaverCancelLostAnswerNeverResent(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, naverPath("cancel"), seq(fail(syscall.ECONNRESET), ok([]any{naverOrder("po-1", "CANCELED")})))
	m.on(http.MethodGet, naverPath("product-orders"), ok([]any{naverOrder("po-1", "PAYED")}))
	_, err := m.client(iamport.WithReconcileTimeout(400*time.Millisecond)).NaverCancel(bg, &iamport.NaverCancelRequest{
		NaverProductOrderTarget: iamport.NaverProductOrderTarget{ImpUID: naverImp}})
	var unknown *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown)
	require.Equal(t, naverImp, unknown.MerchantUID)
	require.Contains(t, err.Error(), "GetNaverProductOrders")
	require.Equal(t, 1, m.count(http.MethodPost, naverPath("cancel")), "never sent again")
	require.GreaterOrEqual(t, m.count(http.MethodGet, naverPath("product-orders")), 2, "looked up until the deadline")

	// One of two orders cancelled: the request may still be running, so
	// it is not re-sent, and the outcome is unknown when time runs out.
	m = newMock(t)
	m.on(http.MethodPost, naverPath("approve-cancel"), raw(502, "text/html", "<html>bad gateway</html>"))
	m.on(http.MethodGet, naverPath("product-orders"), ok([]any{naverOrder("po-1", "CANCELED"), naverOrder("po-2", "PAYED", "claim_status", "CANCEL_REQUEST")}))
	_, err = m.client(iamport.WithReconcileTimeout(300*time.Millisecond)).NaverApproveCancel(bg, &iamport.NaverApproveCancelRequest{
		NaverProductOrderTarget: iamport.NaverProductOrderTarget{ImpUID: naverImp}})
	require.ErrorAs(t, err, &unknown)
	require.Equal(t, naverImp, unknown.MerchantUID)
	require.Contains(t, err.Error(), "GetNaverProductOrders")
	require.Equal(t, 1, m.count(http.MethodPost, naverPath("approve-cancel")))
}

func TestNaverDepositPointLostAnswerIsUnknown(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, naverPath("point"), raw(500, "text/html", "<html>oops</html>"))
	err := m.client().NaverDepositPoint(bg, naverImp)
	var unknown *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown)
	require.ErrorIs(t, err, iamport.ErrInvalidResponse)
	require.Equal(t, 1, m.count(http.MethodPost, naverPath("point")))
}

func TestE2ENaverPay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	c := srv.Client()
	p := srv.NaverPayment("naver-order-1",
		iamport.NaverProductOrder{ProductOrderID: "po-a", ProductName: "셔츠", ProductAmount: 20000, DeliveryAmount: 3000},
		iamport.NaverProductOrder{ProductOrderID: "po-b", ProductName: "바지", ProductAmount: 30000},
		iamport.NaverProductOrder{ProductOrderID: "po-c", ProductName: "모자", ProductAmount: 10000},
	)
	require.Equal(t, iamport.Amount(63000), p.Amount)
	target := func(ids ...string) iamport.NaverProductOrderTarget {
		return iamport.NaverProductOrderTarget{ImpUID: p.ImpUID, ProductOrderIDs: ids}
	}

	os, err := c.GetNaverProductOrders(ctx, p.ImpUID)
	require.NoError(t, err)
	require.Len(t, os, 3)

	// Cancel one product order: its amount is refunded from the payment.
	os, err = c.NaverCancel(ctx, &iamport.NaverCancelRequest{NaverProductOrderTarget: target("po-a"), Reason: "SOLD_OUT"})
	require.NoError(t, err)
	require.Len(t, os, 1)
	require.Equal(t, iamport.NaverCanceled, os[0].ProductOrderStatus)
	got, err := c.GetPayment(ctx, p.ImpUID)
	require.NoError(t, err)
	require.Equal(t, iamport.Amount(23000), got.CancelAmount)
	require.Equal(t, iamport.PaymentStatusPaid, got.Status)

	// Cancelling it again is refused, never a second refund.
	_, err = c.NaverCancel(ctx, &iamport.NaverCancelRequest{NaverProductOrderTarget: target("po-a")})
	var ae *iamport.APIError
	require.ErrorAs(t, err, &ae)
	got, err = c.GetPayment(ctx, p.ImpUID)
	require.NoError(t, err)
	require.Equal(t, iamport.Amount(23000), got.CancelAmount)

	// Place and ship po-b; ship a cancelled order and a shipped one: 207
	// with the one processed.
	_, err = c.NaverPlace(ctx, &iamport.NaverPlaceRequest{NaverProductOrderTarget: target("po-b")})
	require.NoError(t, err)
	os, err = c.NaverShip(ctx, &iamport.NaverShipRequest{NaverProductOrderTarget: target("po-a", "po-b"),
		DeliveryMethod: "DELIVERY", DispatchedAt: iamport.Unix(time.Now().Unix()), DeliveryCompany: "CJGLS", TrackingNumber: "1"})
	require.NoError(t, err)
	require.Len(t, os, 1)
	require.Equal(t, iamport.NaverDelivering, os[0].ProductOrderStatus)

	// The buyer returns po-b: request, withhold, resolve, approve refunds it.
	_, err = c.NaverRequestReturn(ctx, &iamport.NaverRequestReturnRequest{NaverProductOrderTarget: target("po-b"), DeliveryMethod: "RETURN_DESIGNATED"})
	require.NoError(t, err)
	_, err = c.NaverWithholdReturn(ctx, &iamport.NaverWithholdReturnRequest{NaverProductOrderTarget: target("po-b"), Memo: "반품비"})
	require.NoError(t, err)
	_, err = c.NaverApproveReturn(ctx, &iamport.NaverApproveReturnRequest{NaverProductOrderTarget: target("po-b")})
	require.ErrorAs(t, err, &ae, "a withheld return cannot be approved")
	_, err = c.NaverResolveReturn(ctx, &iamport.NaverResolveReturnRequest{NaverProductOrderTarget: target("po-b")})
	require.NoError(t, err)
	os, err = c.NaverApproveReturn(ctx, &iamport.NaverApproveReturnRequest{NaverProductOrderTarget: target("po-b")})
	require.NoError(t, err)
	require.Equal(t, iamport.NaverReturned, os[0].ProductOrderStatus)

	// The buyer asks to cancel po-c; approving refunds the rest.
	require.True(t, srv.NaverBuyerClaim("po-c", "CANCEL"))
	os, err = c.NaverApproveCancel(ctx, &iamport.NaverApproveCancelRequest{NaverProductOrderTarget: target()})
	require.NoError(t, err)
	require.Len(t, os, 1)
	require.Equal(t, "po-c", os[0].ProductOrderID)
	got, err = c.GetPayment(ctx, p.ImpUID)
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatusCancelled, got.Status)
	require.Len(t, got.CancelHistory, 3)

	one, err := c.GetNaverProductOrder(ctx, "po-c")
	require.NoError(t, err)
	require.Equal(t, "CANCEL_DONE", one.ClaimStatus)
	_, err = c.GetNaverProductOrder(ctx, "po-none")
	require.ErrorIs(t, err, iamport.ErrNotFound)

	// An exchange: collect, then ship again.
	p2 := srv.NaverPayment("naver-order-2", iamport.NaverProductOrder{ProductOrderID: "po-x", ProductAmount: 5000, ProductOrderStatus: iamport.NaverDelivered})
	require.True(t, srv.NaverBuyerClaim("po-x", "EXCHANGE"))
	t2 := iamport.NaverProductOrderTarget{ImpUID: p2.ImpUID}
	_, err = c.NaverShipExchanged(ctx, &iamport.NaverShipExchangedRequest{NaverProductOrderTarget: t2, DeliveryMethod: "DELIVERY"})
	require.ErrorAs(t, err, &ae, "not collected yet")
	_, err = c.NaverCollectExchanged(ctx, &iamport.NaverCollectExchangedRequest{NaverProductOrderTarget: t2})
	require.NoError(t, err)
	os, err = c.NaverShipExchanged(ctx, &iamport.NaverShipExchangedRequest{NaverProductOrderTarget: t2, DeliveryMethod: "DELIVERY"})
	require.NoError(t, err)
	require.Equal(t, "EXCHANGE_REDELIVERING", os[0].ClaimStatus)
	// A return rejected.
	p3 := srv.NaverPayment("naver-order-3", iamport.NaverProductOrder{ProductOrderID: "po-r", ProductAmount: 5000, ProductOrderStatus: iamport.NaverDelivered})
	t3 := iamport.NaverProductOrderTarget{ImpUID: p3.ImpUID}
	_, err = c.NaverRequestReturn(ctx, &iamport.NaverRequestReturnRequest{NaverProductOrderTarget: t3, DeliveryMethod: "RETURN_INDIVIDUAL"})
	require.NoError(t, err)
	os, err = c.NaverRejectReturn(ctx, &iamport.NaverRejectReturnRequest{NaverProductOrderTarget: t3, Memo: "사용 흔적"})
	require.NoError(t, err)
	require.Equal(t, "RETURN_REJECT", os[0].ClaimStatus)

	// Payment-type calls: points, confirm, cash amount.
	require.NoError(t, c.NaverDepositPoint(ctx, p3.ImpUID))
	require.NoError(t, c.NaverConfirm(ctx, &iamport.NaverConfirmRequest{ImpUID: p3.ImpUID}))
	err = c.NaverDepositPoint(ctx, p.ImpUID)
	require.ErrorAs(t, err, &ae, "a cancelled payment earns no points")
	cash, err := c.GetNaverCashAmount(ctx, p3.ImpUID)
	require.NoError(t, err)
	require.Equal(t, iamport.Amount(5000), cash.AmountTotal)
	require.Equal(t, cash.AmountTotal, cash.AmountSupply.Add(cash.AmountVat))

	// Reviews in range, of the type asked for.
	srv.AddNaverReview("general", iamport.NaverReview{ReviewID: "rv-1", Score: "5", CreatedAt: iamport.Unix(1767225600)})
	srv.AddNaverReview("premium", iamport.NaverReview{ReviewID: "rv-2", Score: "4", CreatedAt: iamport.Unix(1767225700)})
	rs, err := c.GetNaverReviews(ctx, &iamport.NaverReviewsRequest{ChannelKey: "ch", From: time.Unix(1767225000, 0), To: time.Unix(1767226000, 0), ReviewType: "general"})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	require.Equal(t, "rv-1", rs[0].ReviewID)
}
