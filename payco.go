package iamport

import (
	"context"
)

// PaycoStatus is a PAYCO order status a merchant can set. It is an open set.
type PaycoStatus string

// The PAYCO order statuses ChangePaycoOrderStatus can set.
const (
	// PaycoDeliveryStart marks the order shipped (배송시작-출고지시).
	PaycoDeliveryStart PaycoStatus = "DELIVERY_START"
	// PaycoPurchaseDecision confirms the purchase (구매확정).
	PaycoPurchaseDecision PaycoStatus = "PURCHASE_DECISION"
	// PaycoCanceled cancels the order.
	PaycoCanceled PaycoStatus = "CANCELED"
)

// PaycoOrderStatusRequest changes the status of a PAYCO order (POST
// /payco/orders/status/{imp_uid}).
type PaycoOrderStatusRequest struct {
	ImpUID string      `json:"-"`      // required; goes into the path
	Status PaycoStatus `json:"status"` // required
}

// PaycoOrderStatus is the status a PAYCO order has after a change
// (PaycoStatusAnnotation).
type PaycoOrderStatus struct {
	Status PaycoStatus `json:"status"`
}

const hintPayco = "look the payment up with GetPayment: a PAYCO order cancelled shows as status cancelled"

// ChangePaycoOrderStatus changes the status of the PAYCO order of the payment
// req.ImpUID (POST /payco/orders/status/{imp_uid}). A change to CANCELED
// refunds the order: if its answer is lost, it is never sent again; the
// payment is looked up until it shows cancelled, reported as the change
// made, or until the reconcile timeout, and then the outcome is an
// *OutcomeUnknownError. Other changes move no money and are never re-sent
// after they may have reached iamport either.
func (c *Client) ChangePaycoOrderStatus(ctx context.Context, req *PaycoOrderStatusRequest) (*PaycoOrderStatus, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	if err := checkID("imp_uid", w.ImpUID); err != nil {
		return nil, err
	}
	if err := requireField("status", string(w.Status)); err != nil {
		return nil, err
	}
	cancels := w.Status == PaycoCanceled
	ctx = withCallToken(ctx) // the lookups after a lost answer share the call's token
	r := &request{method: "POST", path: "/payco/orders/status/" + escape(w.ImpUID), body: &w, money: cancels}
	var out PaycoOrderStatus
	err := c.call(ctx, r, &out)
	if err == nil {
		return &out, nil
	}
	if !isAmbiguous(err) {
		return nil, err
	}
	rctx, cancel := c.reconcileContext(ctx, w.ImpUID, err)
	defer cancel()
	perr := c.poll(rctx, func(ctx context.Context) (verdict, error) {
		p, err := c.GetPayment(ctx, w.ImpUID, GetPaymentParams{IncludeSandbox: true})
		if err != nil {
			return lookupFailed, err
		}
		if p.Status == PaymentStatusCancelled {
			return decided, nil
		}
		return pending, nil
	})
	if perr != nil {
		return nil, unknown(w.ImpUID, hintPayco, err, perr)
	}
	return &PaycoOrderStatus{Status: PaycoCanceled}, nil
}
