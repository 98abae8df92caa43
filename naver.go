package iamport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// NaverPay order-type (주문형) payments are made of product orders, each with
// its own status: the merchant places, ships, cancels and handles returns of
// product orders through /payments/{imp_uid}/naver/*. Every action names the
// payment by imp_uid and, optionally, the product orders it applies to;
// without ProductOrderIDs it applies to every product order of the payment.
//
// The actions answer HTTP 200 when every product order was processed and
// HTTP 207 when only some were; both return the product orders processed,
// so check each one's ProductOrderStatus.

// NaverProductOrderStatus is the status of a NaverPay product order. It is
// an open set: values the SDK does not list decode as they come.
type NaverProductOrderStatus string

// Product order statuses NaverPay documents.
const (
	NaverPaymentWaiting      NaverProductOrderStatus = "PAYMENT_WAITING"
	NaverPayed               NaverProductOrderStatus = "PAYED"
	NaverDelivering          NaverProductOrderStatus = "DELIVERING"
	NaverDelivered           NaverProductOrderStatus = "DELIVERED"
	NaverPurchaseDecided     NaverProductOrderStatus = "PURCHASE_DECIDED"
	NaverExchanged           NaverProductOrderStatus = "EXCHANGED"
	NaverCanceled            NaverProductOrderStatus = "CANCELED"
	NaverReturned            NaverProductOrderStatus = "RETURNED"
	NaverCanceledByNoPayment NaverProductOrderStatus = "CANCELED_BY_NOPAYMENT"
)

// NaverProductOrder is one NaverPay product order
// (NaverProductOrderAnnotation). Orderer, ShippingAddress and IndividualCode
// are personal data: they are redacted in fmt, slog and encoding/json
// output (store the fields you need one by one).
type NaverProductOrder struct {
	ProductOrderID     string                  `json:"product_order_id"`
	ProductOrderStatus NaverProductOrderStatus `json:"product_order_status"`
	ClaimType          string                  `json:"claim_type"`   // CANCEL, RETURN, EXCHANGE, ADMIN_CANCEL...
	ClaimStatus        string                  `json:"claim_status"` // CANCEL_REQUEST, CANCEL_DONE, RETURN_DONE...
	ProductID          string                  `json:"product_id"`
	ProductName        string                  `json:"product_name"`
	ProductOptionID    string                  `json:"product_option_id"`
	ProductOptionName  string                  `json:"product_option_name"`
	ProductAmount      Amount                  `json:"product_amount"`
	DeliveryAmount     Amount                  `json:"delivery_amount"`
	Quantity           LenientInt              `json:"quantity"`
	Orderer            NaverOrderer            `json:"orderer"`
	ShippingAddress    NaverAddress            `json:"shipping_address"`
	ShippingMemo       string                  `json:"shipping_memo" redact:"true"`
	ShippingDue        Time                    `json:"shipping_due"`
	// IndividualCode is the buyer's personal customs clearance code.
	IndividualCode string `json:"individual_code" redact:"true"`
}

// NaverOrderer is who ordered a NaverPay product order (NaverOrderer).
type NaverOrderer struct {
	Name string `json:"name" redact:"true"`
	ID   string `json:"id" redact:"true"` // NaverPay account ID
	Tel  string `json:"tel" redact:"true"`
}

// NaverAddress is a NaverPay shipping address (NaverAddress).
type NaverAddress struct {
	Base     string `json:"base" redact:"true"`
	Detail   string `json:"detail" redact:"true"`
	Postcode string `json:"postcode" redact:"true"`
	Tel1     string `json:"tel1" redact:"true"`
	Tel2     string `json:"tel2" redact:"true"`
	Name     string `json:"name" redact:"true"`
}

type naverProductOrderFields NaverProductOrder // same fields, no methods

// MarshalJSON encodes o with the buyer's personal data redacted.
func (o NaverProductOrder) MarshalJSON() ([]byte, error) {
	return redactedJSON(naverProductOrderFields(o))
}

// Format prints o with the buyer's personal data redacted, for every verb.
func (o NaverProductOrder) Format(f fmt.State, verb rune) {
	formatRedacted[NaverProductOrder](f, verb, naverProductOrderFields(o))
}

// LogValue logs o with the buyer's personal data redacted.
func (o NaverProductOrder) LogValue() slog.Value { return logValueRedacted(naverProductOrderFields(o)) }

type naverOrdererFields NaverOrderer // same fields, no methods

// MarshalJSON encodes o with its personal data redacted.
func (o NaverOrderer) MarshalJSON() ([]byte, error) { return redactedJSON(naverOrdererFields(o)) }

// Format prints o with its personal data redacted, for every verb.
func (o NaverOrderer) Format(f fmt.State, verb rune) {
	formatRedacted[NaverOrderer](f, verb, naverOrdererFields(o))
}

// LogValue logs o with its personal data redacted.
func (o NaverOrderer) LogValue() slog.Value { return logValueRedacted(naverOrdererFields(o)) }

type naverAddressFields NaverAddress // same fields, no methods

// MarshalJSON encodes a with its personal data redacted.
func (a NaverAddress) MarshalJSON() ([]byte, error) { return redactedJSON(naverAddressFields(a)) }

// Format prints a with its personal data redacted, for every verb.
func (a NaverAddress) Format(f fmt.State, verb rune) {
	formatRedacted[NaverAddress](f, verb, naverAddressFields(a))
}

// LogValue logs a with its personal data redacted.
func (a NaverAddress) LogValue() slog.Value { return logValueRedacted(naverAddressFields(a)) }

// NaverProductOrderTarget names the payment an action applies to and,
// optionally, some of its product orders.
type NaverProductOrderTarget struct {
	ImpUID string `json:"-"` // required; goes into the path
	// ProductOrderIDs limits the action to these product orders; empty
	// applies it to every product order of the payment.
	ProductOrderIDs []string `json:"product_order_id,omitempty"`
}

func (t *NaverProductOrderTarget) check() error {
	if err := checkID("imp_uid", t.ImpUID); err != nil {
		return err
	}
	for i, id := range t.ProductOrderIDs {
		if err := checkID("product_order_id["+strconv.Itoa(i)+"]", id); err != nil {
			return err
		}
	}
	return nil
}

// NaverCancelRequest refunds NaverPay product orders (POST
// /payments/{imp_uid}/naver/cancel).
type NaverCancelRequest struct {
	NaverProductOrderTarget
	// Reason is a cancel reason code (SOLD_OUT, DELAYED_DELIVERY,
	// PRODUCT_UNSATISFIED, INTENT_CHANGED, COLOR_AND_SIZE, WRONG_ORDER,
	// INCORRECT_INFO); NaverPay applies PRODUCT_UNSATISFIED to an empty or
	// unknown one.
	Reason string `json:"reason,omitempty"`
}

// NaverApproveCancelRequest approves the buyer's cancel request for NaverPay
// product orders, which refunds them (POST
// /payments/{imp_uid}/naver/approve-cancel).
type NaverApproveCancelRequest struct {
	NaverProductOrderTarget
}

// NaverShipRequest marks NaverPay product orders shipped (POST
// /payments/{imp_uid}/naver/ship).
type NaverShipRequest struct {
	NaverProductOrderTarget
	// DeliveryMethod is required: DELIVERY, GDFW_ISSUE_SVC, VISIT_RECEIPT,
	// DIRECT_DELIVERY, QUICK_SVC or NOTHING.
	DeliveryMethod string `json:"delivery_method"`
	DispatchedAt   Time   `json:"dispatched_at"` // required
	// DeliveryCompany (CJGLS, EPOST, HANJIN...) and TrackingNumber are
	// required for DeliveryMethod DELIVERY.
	DeliveryCompany string `json:"delivery_company,omitempty"`
	TrackingNumber  string `json:"tracking_number,omitempty"`
}

// NaverShipExchangedRequest ships again the NaverPay product orders whose
// exchange was approved (POST /payments/{imp_uid}/naver/ship-exchanged).
type NaverShipExchangedRequest struct {
	NaverProductOrderTarget
	DeliveryMethod  string `json:"delivery_method"` // required, as in NaverShipRequest
	DeliveryCompany string `json:"delivery_company,omitempty"`
	TrackingNumber  string `json:"tracking_number,omitempty"`
}

// NaverCollectExchangedRequest marks the exchanged NaverPay product orders
// collected (POST /payments/{imp_uid}/naver/collect-exchanged).
type NaverCollectExchangedRequest struct {
	NaverProductOrderTarget
}

// NaverPlaceRequest places NaverPay product orders: the merchant confirms
// it will ship them (POST /payments/{imp_uid}/naver/place).
type NaverPlaceRequest struct {
	NaverProductOrderTarget
}

// NaverRequestReturnRequest asks for the return of NaverPay product orders
// on the buyer's behalf (POST /payments/{imp_uid}/naver/request-return).
type NaverRequestReturnRequest struct {
	NaverProductOrderTarget
	// Reason is a return reason code (INTENT_CHANGED, the default for an
	// empty or unknown one, COLOR_AND_SIZE, WRONG_ORDER, BROKEN...).
	Reason string `json:"reason,omitempty"`
	// DeliveryMethod is required: RETURN_DESIGNATED, RETURN_DELIVERY or
	// RETURN_INDIVIDUAL.
	DeliveryMethod string `json:"delivery_method"`
	// DeliveryCompany and TrackingNumber are required for RETURN_DELIVERY.
	DeliveryCompany string `json:"delivery_company,omitempty"`
	TrackingNumber  string `json:"tracking_number,omitempty"`
}

// NaverApproveReturnRequest approves the return of NaverPay product orders,
// which refunds them (POST /payments/{imp_uid}/naver/approve-return).
type NaverApproveReturnRequest struct {
	NaverProductOrderTarget
	Memo string `json:"memo,omitempty"` // shown to the buyer
}

// NaverRejectReturnRequest rejects the return of NaverPay product orders
// (POST /payments/{imp_uid}/naver/reject-return).
type NaverRejectReturnRequest struct {
	NaverProductOrderTarget
	Memo string `json:"memo"` // required; shown to the buyer
}

// NaverWithholdReturnRequest withholds the return of NaverPay product
// orders, for instance until the buyer pays the return shipping (POST
// /payments/{imp_uid}/naver/withhold-return).
type NaverWithholdReturnRequest struct {
	NaverProductOrderTarget
	// Reason is a withhold reason code (RETURN_DELIVERYFEE, EXTRAFEEE,
	// RETURN_DELIVERYFEE_AND_EXTRAFEEE, RETURN_PRODUCT_NOT_DELIVERED, ETC,
	// the default for an empty or unknown one).
	Reason      string  `json:"reason,omitempty"`
	Memo        string  `json:"memo"`                   // required; shown to the buyer
	ExtraCharge *Amount `json:"extra_charge,omitempty"` // other costs charged to the buyer (default 0)
}

// NaverResolveReturnRequest lifts the withholding of the return of NaverPay
// product orders (POST /payments/{imp_uid}/naver/resolve-return).
type NaverResolveReturnRequest struct {
	NaverProductOrderTarget
}

// requireField refuses an empty required field.
func requireField(field, v string) error {
	if v == "" {
		return invalid(field, "is required")
	}
	return nil
}

// naverAction sends one product-order action and returns the product orders
// it processed.
func (c *Client) naverAction(ctx context.Context, t *NaverProductOrderTarget, action string, body any, check error) ([]NaverProductOrder, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	if check != nil {
		return nil, check
	}
	var out []NaverProductOrder
	r := &request{method: "POST", path: "/payments/" + escape(t.ImpUID) + "/naver/" + action, body: body}
	if err := c.call(ctx, r, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// NaverCancel refunds NaverPay product orders and returns them (POST
// /payments/{imp_uid}/naver/cancel). If the answer is lost after the request
// may have been written, NaverCancel never sends it again: it looks the
// product orders up until every one targeted shows the cancel, and returns
// them, or until the reconcile timeout, and then returns an
// *OutcomeUnknownError (the request may still be running; NaverPay refuses
// to cancel a product order twice).
func (c *Client) NaverCancel(ctx context.Context, req *NaverCancelRequest) ([]NaverProductOrder, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	return c.naverRefund(ctx, &w.NaverProductOrderTarget, "cancel", &w, naverCancelDone)
}

// NaverApproveCancel approves the buyer's cancel request for NaverPay product
// orders, which refunds them, and returns them (POST
// /payments/{imp_uid}/naver/approve-cancel). A lost answer is reconciled as
// in NaverCancel.
func (c *Client) NaverApproveCancel(ctx context.Context, req *NaverApproveCancelRequest) ([]NaverProductOrder, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	return c.naverRefund(ctx, &w.NaverProductOrderTarget, "approve-cancel", &w, naverCancelDone)
}

// NaverApproveReturn approves the return of NaverPay product orders, which
// refunds them, and returns them (POST
// /payments/{imp_uid}/naver/approve-return). A lost answer is reconciled as
// in NaverCancel, against the returned status.
func (c *Client) NaverApproveReturn(ctx context.Context, req *NaverApproveReturnRequest) ([]NaverProductOrder, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	return c.naverRefund(ctx, &w.NaverProductOrderTarget, "approve-return", &w, naverReturnDone)
}

// naverCancelDone reports whether o shows a cancel accepted by NaverPay.
func naverCancelDone(o *NaverProductOrder) bool {
	if o.ProductOrderStatus == NaverCanceled {
		return true
	}
	switch o.ClaimStatus {
	case "CANCELING", "CANCEL_DONE", "ADMIN_CANCELING", "ADMIN_CANCEL_DONE":
		return true
	}
	return false
}

// naverReturnDone reports whether o shows a return approved by NaverPay.
func naverReturnDone(o *NaverProductOrder) bool {
	return o.ProductOrderStatus == NaverReturned || o.ClaimStatus == "RETURN_DONE"
}

const hintNaver = "look the product orders up with GetNaverProductOrders and check their ProductOrderStatus and ClaimStatus (NaverPay refuses to refund a product order twice)"

// naverRefund sends an action that refunds product orders and reconciles a
// lost answer against the product orders' statuses.
func (c *Client) naverRefund(ctx context.Context, t *NaverProductOrderTarget, action string, body any,
	done func(*NaverProductOrder) bool) ([]NaverProductOrder, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	r := &request{method: "POST", path: "/payments/" + escape(t.ImpUID) + "/naver/" + action, body: body, money: true}
	ctx = withCallToken(ctx) // the lookups after a lost answer share the call's token
	var out []NaverProductOrder
	err := c.call(ctx, r, &out)
	if err == nil {
		return out, nil
	}
	if !isAmbiguous(err) {
		return nil, err
	}
	res, err := settle(c, ctx, t.ImpUID, hintNaver, err, func(ctx context.Context) (*[]NaverProductOrder, verdict, error) {
		all, err := c.GetNaverProductOrders(ctx, t.ImpUID)
		if err != nil {
			return nil, lookupFailed, err
		}
		targets, err := naverTargets(all, t.ProductOrderIDs)
		if err != nil {
			return nil, lookupFailed, err
		}
		for i := range targets {
			if !done(&targets[i]) {
				// Not yet, or never: the request may still be running, and
				// it is never sent again.
				return nil, pending, nil
			}
		}
		return &targets, decided, nil
	})
	if err != nil {
		return nil, err
	}
	return *res, nil
}

// naverTargets picks the product orders ids names out of all (every one when
// ids is empty).
func naverTargets(all []NaverProductOrder, ids []string) ([]NaverProductOrder, error) {
	if len(ids) == 0 {
		if len(all) == 0 {
			return nil, errors.New("the payment has no product orders")
		}
		return all, nil
	}
	out := make([]NaverProductOrder, 0, len(ids))
	for _, id := range ids {
		found := false
		for _, o := range all {
			if o.ProductOrderID == id {
				out = append(out, o)
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("product order %s is not one of the payment's", id)
		}
	}
	return out, nil
}

// NaverShip marks NaverPay product orders shipped and returns them (POST
// /payments/{imp_uid}/naver/ship).
func (c *Client) NaverShip(ctx context.Context, req *NaverShipRequest) ([]NaverProductOrder, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	check := requireField("delivery_method", w.DeliveryMethod)
	if check == nil && w.DispatchedAt.IsZero() {
		check = invalid("dispatched_at", "is required")
	}
	return c.naverAction(ctx, &w.NaverProductOrderTarget, "ship", &w, check)
}

// NaverShipExchanged ships again the NaverPay product orders whose exchange
// was approved, and returns them (POST
// /payments/{imp_uid}/naver/ship-exchanged).
func (c *Client) NaverShipExchanged(ctx context.Context, req *NaverShipExchangedRequest) ([]NaverProductOrder, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	return c.naverAction(ctx, &w.NaverProductOrderTarget, "ship-exchanged", &w, requireField("delivery_method", w.DeliveryMethod))
}

// NaverCollectExchanged marks the exchanged NaverPay product orders
// collected, and returns them (POST
// /payments/{imp_uid}/naver/collect-exchanged).
func (c *Client) NaverCollectExchanged(ctx context.Context, req *NaverCollectExchangedRequest) ([]NaverProductOrder, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	return c.naverAction(ctx, &w.NaverProductOrderTarget, "collect-exchanged", &w, nil)
}

// NaverPlace places NaverPay product orders and returns them (POST
// /payments/{imp_uid}/naver/place).
func (c *Client) NaverPlace(ctx context.Context, req *NaverPlaceRequest) ([]NaverProductOrder, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	return c.naverAction(ctx, &w.NaverProductOrderTarget, "place", &w, nil)
}

// NaverRequestReturn asks for the return of NaverPay product orders and
// returns them (POST /payments/{imp_uid}/naver/request-return).
func (c *Client) NaverRequestReturn(ctx context.Context, req *NaverRequestReturnRequest) ([]NaverProductOrder, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	return c.naverAction(ctx, &w.NaverProductOrderTarget, "request-return", &w, requireField("delivery_method", w.DeliveryMethod))
}

// NaverRejectReturn rejects the return of NaverPay product orders and
// returns them (POST /payments/{imp_uid}/naver/reject-return).
func (c *Client) NaverRejectReturn(ctx context.Context, req *NaverRejectReturnRequest) ([]NaverProductOrder, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	return c.naverAction(ctx, &w.NaverProductOrderTarget, "reject-return", &w, requireField("memo", w.Memo))
}

// NaverWithholdReturn withholds the return of NaverPay product orders and
// returns them (POST /payments/{imp_uid}/naver/withhold-return).
func (c *Client) NaverWithholdReturn(ctx context.Context, req *NaverWithholdReturnRequest) ([]NaverProductOrder, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	check := requireField("memo", w.Memo)
	if check == nil {
		check = checkOptAmount("extra_charge", w.ExtraCharge)
	}
	return c.naverAction(ctx, &w.NaverProductOrderTarget, "withhold-return", &w, check)
}

// NaverResolveReturn lifts the withholding of the return of NaverPay product
// orders and returns them (POST /payments/{imp_uid}/naver/resolve-return).
func (c *Client) NaverResolveReturn(ctx context.Context, req *NaverResolveReturnRequest) ([]NaverProductOrder, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	return c.naverAction(ctx, &w.NaverProductOrderTarget, "resolve-return", &w, nil)
}

const hintNaverPoint = "the NaverPay points of the payment may have been deposited: ask NaverPay before depositing again"

// NaverDepositPoint deposits the NaverPay points of a payment-type (결제형)
// NaverPay payment (POST /payments/{imp_uid}/naver/point). If the answer is
// lost after the request may have reached iamport, it returns an
// *OutcomeUnknownError: the API has no lookup that shows the deposit.
func (c *Client) NaverDepositPoint(ctx context.Context, impUID string) error {
	if err := checkID("imp_uid", impUID); err != nil {
		return err
	}
	err := c.call(ctx, &request{method: "POST", path: "/payments/" + escape(impUID) + "/naver/point", money: true}, nil)
	if isAmbiguous(err) {
		return unknown(impUID, hintNaverPoint, err, nil)
	}
	return err
}

// NaverConfirmRequest confirms the purchase of an escrow payment-type
// NaverPay payment (POST /payments/{imp_uid}/naver/confirm).
type NaverConfirmRequest struct {
	ImpUID string `json:"-"` // required; goes into the path
	// Requester is "admin" (the merchant, the default) or "customer".
	Requester string `json:"requester,omitempty"`
}

// NaverConfirm confirms the purchase of an escrow payment-type NaverPay
// payment (POST /payments/{imp_uid}/naver/confirm).
func (c *Client) NaverConfirm(ctx context.Context, req *NaverConfirmRequest) error {
	if req == nil {
		return invalid("request", "is required")
	}
	if err := checkID("imp_uid", req.ImpUID); err != nil {
		return err
	}
	w := *req
	return c.call(ctx, &request{method: "POST", path: "/payments/" + escape(w.ImpUID) + "/naver/confirm", body: &w}, nil)
}

// GetNaverProductOrders returns the product orders of the NaverPay payment
// impUID (GET /payments/{imp_uid}/naver/product-orders).
func (c *Client) GetNaverProductOrders(ctx context.Context, impUID string) ([]NaverProductOrder, error) {
	if err := checkID("imp_uid", impUID); err != nil {
		return nil, err
	}
	var out []NaverProductOrder
	if err := c.call(ctx, &request{method: "GET", path: "/payments/" + escape(impUID) + "/naver/product-orders"}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// GetNaverProductOrder returns one NaverPay product order by its NaverPay
// product order ID (GET /naver/product-orders/{product_order_id}).
func (c *Client) GetNaverProductOrder(ctx context.Context, productOrderID string) (*NaverProductOrder, error) {
	if err := checkID("product_order_id", productOrderID); err != nil {
		return nil, err
	}
	var o NaverProductOrder
	if err := c.call(ctx, &request{method: "GET", path: "/naver/product-orders/" + escape(productOrderID)}, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// NaverReviewsRequest lists the NaverPay reviews written in a time range
// (GET /naver/reviews).
type NaverReviewsRequest struct {
	// ChannelKey names the NaverPay order-type channel; required.
	ChannelKey string `url:"channel_key"`
	// From and To bound the range; both required.
	From time.Time `url:"from"`
	To   time.Time `url:"to"`
	// ReviewType is "general" or "premium"; required.
	ReviewType string `url:"review_type"`
}

// NaverReview is a NaverPay purchase review (NaverReviewAnnotation). Writer,
// the reviewer's NaverPay ID, is redacted in fmt and slog output.
type NaverReview struct {
	ReviewID          string `json:"review_id"`
	Score             string `json:"score"`
	Title             string `json:"title"`
	Content           string `json:"content"`
	ProductOrderID    string `json:"product_order_id"`
	ProductID         string `json:"product_id"`
	ProductName       string `json:"product_name"`
	ProductOptionName string `json:"product_option_name"`
	Writer            string `json:"writer" redact:"true"`
	CreatedAt         Time   `json:"created_at"`
	ModifiedAt        Time   `json:"modified_at"`
}

type naverReviewFields NaverReview // same fields, no methods

// MarshalJSON encodes r with the writer redacted.
func (r NaverReview) MarshalJSON() ([]byte, error) { return redactedJSON(naverReviewFields(r)) }

// Format prints r with the writer redacted, for every verb.
func (r NaverReview) Format(f fmt.State, verb rune) {
	formatRedacted[NaverReview](f, verb, naverReviewFields(r))
}

// LogValue logs r with the writer redacted.
func (r NaverReview) LogValue() slog.Value { return logValueRedacted(naverReviewFields(r)) }

// GetNaverReviews returns the NaverPay reviews written between req.From and
// req.To (GET /naver/reviews).
func (c *Client) GetNaverReviews(ctx context.Context, req *NaverReviewsRequest) ([]NaverReview, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	switch {
	case req.ChannelKey == "":
		return nil, invalid("channel_key", "is required")
	case req.From.IsZero() || req.To.IsZero():
		return nil, invalid("from", "from and to are required")
	case req.From.After(req.To):
		return nil, invalid("from", "must not be after to")
	case req.ReviewType == "":
		return nil, invalid("review_type", "is required")
	}
	var out []NaverReview
	if err := c.call(ctx, &request{method: "GET", path: "/naver/reviews", query: queryOf(req)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// NaverCashAmount is how much of a NaverPay payment a cash receipt can be
// issued for (NaverCashAmountAnnotation).
type NaverCashAmount struct {
	AmountTotal     Amount `json:"amount_total"`
	AmountByNpoint  Amount `json:"amount_by_npoint"`
	AmountByPrimary Amount `json:"amount_by_primary"`
	AmountSupply    Amount `json:"amount_supply"`
	AmountVat       Amount `json:"amount_vat"`
}

// GetNaverCashAmount returns how much of the payment-type NaverPay payment
// impUID a cash receipt can be issued for (GET
// /payments/{imp_uid}/naver/cash-amount).
func (c *Client) GetNaverCashAmount(ctx context.Context, impUID string) (*NaverCashAmount, error) {
	if err := checkID("imp_uid", impUID); err != nil {
		return nil, err
	}
	var a NaverCashAmount
	if err := c.call(ctx, &request{method: "GET", path: "/payments/" + escape(impUID) + "/naver/cash-amount"}, &a); err != nil {
		return nil, err
	}
	return &a, nil
}
