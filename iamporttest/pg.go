package iamporttest

// pgState holds what the PG-specific endpoints keep: NaverPay product
// orders and reviews, KCP Quick members, autopay keys and prepared
// transactions, Benepia accounts and PAYCO order statuses. It is made on
// first use. Guarded by core.mu.
type pgState struct {
	naverOrders  map[string][]*naverOrder // by imp_uid, in creation order
	naverReviews []naverReview
	naverN       int64

	kcpMembers  map[string]*kcpMember
	kcpKeys     map[string]bool
	kcpPrepared map[string]map[string]any // merchant_uid -> the registered fields
	kcpPins     map[string]string         // imp_uid of a PIN check -> member_id

	benepia map[string]*benepiaAccount // by account ID

	payco map[string]string // imp_uid -> PAYCO order status
}

// pg returns the PG-specific state. Call with mu held.
func (c *core) pg() *pgState {
	if c.pgs == nil {
		c.pgs = &pgState{
			naverOrders: map[string][]*naverOrder{},
			kcpMembers:  map[string]*kcpMember{},
			kcpKeys:     map[string]bool{},
			kcpPrepared: map[string]map[string]any{},
			kcpPins:     map[string]string{},
			benepia:     map[string]*benepiaAccount{},
			payco:       map[string]string{},
		}
	}
	return c.pgs
}

// pgRoutes are the endpoints of NaverPay, KCP Quick, PAYCO, Paymentwall,
// Benepia and convenience-store payments.
func pgRoutes() []*route {
	return []*route{
		{method: "GET", template: "/payments/{imp_uid}/naver/product-orders", h: (*core).naverProductOrders},
		{method: "GET", template: "/naver/product-orders/{product_order_id}", h: (*core).naverProductOrder},
		{method: "GET", template: "/naver/reviews", h: (*core).naverReviewList},
		{method: "GET", template: "/payments/{imp_uid}/naver/cash-amount", h: (*core).naverCashAmount},
		{method: "POST", template: "/payments/{imp_uid}/naver/cancel", h: naverAction(naverCancel)},
		{method: "POST", template: "/payments/{imp_uid}/naver/approve-cancel", h: naverAction(naverApproveCancel)},
		{method: "POST", template: "/payments/{imp_uid}/naver/ship", h: naverAction(naverShip)},
		{method: "POST", template: "/payments/{imp_uid}/naver/ship-exchanged", h: naverAction(naverShipExchanged)},
		{method: "POST", template: "/payments/{imp_uid}/naver/collect-exchanged", h: naverAction(naverCollectExchanged)},
		{method: "POST", template: "/payments/{imp_uid}/naver/place", h: naverAction(naverPlace)},
		{method: "POST", template: "/payments/{imp_uid}/naver/request-return", h: naverAction(naverRequestReturn)},
		{method: "POST", template: "/payments/{imp_uid}/naver/approve-return", h: naverAction(naverApproveReturn)},
		{method: "POST", template: "/payments/{imp_uid}/naver/reject-return", h: naverAction(naverRejectReturn)},
		{method: "POST", template: "/payments/{imp_uid}/naver/withhold-return", h: naverAction(naverWithholdReturn)},
		{method: "POST", template: "/payments/{imp_uid}/naver/resolve-return", h: naverAction(naverResolveReturn)},
		{method: "POST", template: "/payments/{imp_uid}/naver/point", h: (*core).naverPoint},
		{method: "POST", template: "/payments/{imp_uid}/naver/confirm", h: (*core).naverConfirm},

		{method: "DELETE", template: "/kcpquick/members/{member_id}", h: (*core).kcpDeleteMember},
		{method: "POST", template: "/kcpquick/members/{member_id}/fido/release", h: (*core).kcpFidoRelease},
		{method: "POST", template: "/kcpquick/prepare/{merchant_uid}", h: (*core).kcpPrepare},
		{method: "PUT", template: "/kcpquick/prepare/{merchant_uid}", h: (*core).kcpPrepare},
		{method: "POST", template: "/kcpquick/payment/money", h: (*core).kcpPayMoney},
		{method: "POST", template: "/kcpquick/payment/autopay", h: (*core).kcpPayAutopay},
		{method: "DELETE", template: "/kcpquick/autopay/{customer_uid}", h: (*core).kcpDeleteAutopay},

		{method: "POST", template: "/payco/orders/status/{imp_uid}", h: (*core).paycoStatus},
		{method: "POST", template: "/paymentwall/delivery", h: (*core).paymentwallDelivery},
		{method: "POST", template: "/benepia/point", h: (*core).benepiaPoint},
		{method: "POST", template: "/benepia/payment", h: (*core).benepiaPayment},
		{method: "POST", template: "/cvs", h: (*core).cvsIssue},
		{method: "DELETE", template: "/cvs/{imp_uid}", h: (*core).cvsRevoke},
	}
}

// firstNoticeURL takes the first of the notice_url list the Benepia and
// convenience-store endpoints accept as the payment's webhook URL.
func firstNoticeURL(body map[string]any) {
	if l, ok := body["notice_url"].([]any); ok {
		body["notice_url"] = nil
		if len(l) > 0 {
			body["notice_url"] = l[0]
		}
	}
}
