package iamporttest

import (
	"fmt"
	"net/http"

	"github.com/iamport-go/iamport"
)

// naverOrder is a NaverPay product order of a fake payment.
type naverOrder struct {
	iamport.NaverProductOrder
	placed   bool
	withheld bool
}

// naverReview is a review AddNaverReview stored, with its type.
type naverReview struct {
	reviewType string
	iamport.NaverReview
}

const (
	msgNoNaverOrder   = "네이버페이 상품주문정보가 존재하지 않습니다."
	msgNaverNoneValid = "요청을 처리할 수 있는 상품주문이 없습니다."
)

// NaverPayment makes a paid order-type NaverPay payment of merchantUID made
// of orders, and returns it. Its amount is the sum of the orders'
// ProductAmount and DeliveryAmount. An order without ProductOrderID gets
// one, without ProductOrderStatus is PAYED, without Quantity has 1. The
// product orders are then served by the /naver endpoints: placed, shipped,
// cancelled (which refunds their amount from the payment), returned.
func (s *Server) NaverPayment(merchantUID string, orders ...iamport.NaverProductOrder) iamport.Payment {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	pg := c.pg()
	var cents int64
	for _, o := range orders {
		cents += o.ProductAmount.Cents() + o.DeliveryAmount.Cents()
	}
	o := order{merchantUID: merchantUID, cents: cents, currency: "KRW", name: "NaverPay order"}
	p := c.makePayment(&o, "", "", nil, nil, "")
	p.PayMethod, p.PGProvider, p.Channel = "naverpay", "naverpay", "pc"
	list := make([]*naverOrder, 0, len(orders))
	for _, no := range orders {
		pg.naverN++
		if no.ProductOrderID == "" {
			no.ProductOrderID = fmt.Sprintf("2026%012d", pg.naverN)
		}
		if no.ProductOrderStatus == "" {
			no.ProductOrderStatus = iamport.NaverPayed
		}
		if no.Quantity == 0 {
			no.Quantity = 1
		}
		list = append(list, &naverOrder{NaverProductOrder: no})
	}
	pg.naverOrders[p.ImpUID] = list
	return p.snapshot()
}

// NaverBuyerClaim makes the buyer of a NaverPay product order ask for a
// cancel ("CANCEL") or an exchange ("EXCHANGE"), as the buyer does in the
// NaverPay app. It reports whether the product order exists.
func (s *Server) NaverBuyerClaim(productOrderID, claimType string) bool {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	_, o := c.findNaverOrder(productOrderID)
	if o == nil {
		return false
	}
	o.ClaimType, o.ClaimStatus = claimType, claimType+"_REQUEST"
	return true
}

// AddNaverReview stores a review GET /naver/reviews lists for its
// reviewType ("general" or "premium") when its CreatedAt is in range.
func (s *Server) AddNaverReview(reviewType string, r iamport.NaverReview) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	pg := c.pg()
	pg.naverReviews = append(pg.naverReviews, naverReview{reviewType, r})
}

func (c *core) findNaverOrder(id string) (*payment, *naverOrder) {
	for imp, list := range c.pg().naverOrders {
		for _, o := range list {
			if o.ProductOrderID == id {
				return c.byImp[imp], o
			}
		}
	}
	return nil, nil
}

func wireNaverOrder(o *naverOrder) map[string]any { return toWire(&o.NaverProductOrder, nil) }

// naverProductOrders is GET /payments/{imp_uid}/naver/product-orders.
func (c *core) naverProductOrders(rq *apiRequest) result {
	list, ok := c.pg().naverOrders[rq.params["imp_uid"]]
	if !ok {
		return notFound(msgNoPayment)
	}
	out := make([]any, 0, len(list))
	for _, o := range list {
		out = append(out, wireNaverOrder(o))
	}
	return okResult(out)
}

// naverProductOrder is GET /naver/product-orders/{product_order_id}.
func (c *core) naverProductOrder(rq *apiRequest) result {
	_, o := c.findNaverOrder(rq.params["product_order_id"])
	if o == nil {
		return notFound(msgNoNaverOrder)
	}
	return okResult(wireNaverOrder(o))
}

// naverReviewList is GET /naver/reviews.
func (c *core) naverReviewList(rq *apiRequest) result {
	if rq.query.Get("channel_key") == "" {
		return badRequest(missing("channel_key").msg)
	}
	from, okFrom, err1 := queryInt(rq.query, "from")
	to, okTo, err2 := queryInt(rq.query, "to")
	if err1 != nil || err2 != nil || !okFrom || !okTo || from > to {
		return badRequest(badParam("from").msg)
	}
	typ := rq.query.Get("review_type")
	if typ != "general" && typ != "premium" {
		return badRequest(badParam("review_type").msg)
	}
	out := []any{}
	for _, r := range c.pg().naverReviews {
		if at := r.CreatedAt.Unix(); r.reviewType == typ && at >= from && at <= to {
			out = append(out, toWire(&r.NaverReview, nil))
		}
	}
	return okResult(out)
}

// naverCashAmount is GET /payments/{imp_uid}/naver/cash-amount: the
// payment's balance, VAT included at 10%.
func (c *core) naverCashAmount(rq *apiRequest) result {
	p, ok := c.byImp[rq.params["imp_uid"]]
	if !ok || p.PGProvider != "naverpay" {
		return badRequest(msgNoPayment)
	}
	total := p.Amount.Cents() - p.CancelAmount.Cents()
	supply := (total*10/11 + 50) / 100 * 100
	return okResult(map[string]any{
		"amount_total": amount(total), "amount_by_npoint": 0, "amount_by_primary": amount(total),
		"amount_supply": amount(supply), "amount_vat": amount(total - supply),
	})
}

// naverStep is one product-order action: check reads its parameters, apply
// changes one product order and reports whether its state allowed it.
type naverStep struct {
	required []string
	apply    func(c *core, p *payment, o *naverOrder, rq *apiRequest) bool
}

// naverAction serves a POST /payments/{imp_uid}/naver/{action}: it applies
// step to the named product orders (all when none is named) and answers the
// ones processed, with HTTP 207 when some could not be.
func naverAction(step naverStep) endpoint {
	return func(c *core, rq *apiRequest) result {
		p, ok := c.byImp[rq.params["imp_uid"]]
		list := c.pg().naverOrders[rq.params["imp_uid"]]
		if !ok || len(list) == 0 {
			return notFound(msgNoPayment)
		}
		for _, k := range step.required {
			if v, err := getStr(rq.body, k); err != nil || v == "" {
				return badRequest(missing(k).msg)
			}
		}
		ids, err := getStrList(rq.body, "product_order_id")
		if err != nil {
			return paramResult(err)
		}
		targets := list
		if len(ids) > 0 {
			targets = nil
			for _, id := range ids {
				for _, o := range list {
					if o.ProductOrderID == id {
						targets = append(targets, o)
					}
				}
			}
		}
		out := []any{}
		for _, o := range targets {
			if step.apply(c, p, o, rq) {
				out = append(out, wireNaverOrder(o))
			}
		}
		if len(out) == 0 {
			return business(1, msgNaverNoneValid)
		}
		r := okResult(out)
		if len(out) < len(targets) || len(targets) < len(ids) {
			r.status = http.StatusMultiStatus
		}
		return r
	}
}

// naverRefund refunds o's amount from p.
func (c *core) naverRefund(p *payment, o *naverOrder, reason string) {
	cents := o.ProductAmount.Cents() + o.DeliveryAmount.Cents()
	if bal := p.Amount.Cents() - p.CancelAmount.Cents(); cents > bal {
		cents = bal
	}
	if cents > 0 {
		c.applyCancel(p, cents, reason)
	}
}

var (
	naverCancel = naverStep{apply: func(c *core, p *payment, o *naverOrder, rq *apiRequest) bool {
		if o.ProductOrderStatus != iamport.NaverPayed || o.ClaimType != "" {
			return false
		}
		reason, _ := getStr(rq.body, "reason")
		o.ProductOrderStatus, o.ClaimType, o.ClaimStatus = iamport.NaverCanceled, "ADMIN_CANCEL", "ADMIN_CANCEL_DONE"
		c.naverRefund(p, o, reason)
		return true
	}}
	naverApproveCancel = naverStep{apply: func(c *core, p *payment, o *naverOrder, _ *apiRequest) bool {
		if o.ClaimStatus != "CANCEL_REQUEST" {
			return false
		}
		o.ProductOrderStatus, o.ClaimStatus = iamport.NaverCanceled, "CANCEL_DONE"
		c.naverRefund(p, o, "구매자 취소요청 승인")
		return true
	}}
	naverPlace = naverStep{apply: func(_ *core, _ *payment, o *naverOrder, _ *apiRequest) bool {
		if o.ProductOrderStatus != iamport.NaverPayed || o.ClaimType != "" || o.placed {
			return false
		}
		o.placed = true
		return true
	}}
	naverShip = naverStep{required: []string{"delivery_method", "dispatched_at"}, apply: func(_ *core, _ *payment, o *naverOrder, _ *apiRequest) bool {
		if o.ProductOrderStatus != iamport.NaverPayed || o.ClaimType != "" {
			return false
		}
		o.ProductOrderStatus = iamport.NaverDelivering
		return true
	}}
	naverCollectExchanged = naverStep{apply: func(_ *core, _ *payment, o *naverOrder, _ *apiRequest) bool {
		if o.ClaimType != "EXCHANGE" || o.ClaimStatus != "EXCHANGE_REQUEST" {
			return false
		}
		o.ClaimStatus = "COLLECT_DONE"
		return true
	}}
	naverShipExchanged = naverStep{required: []string{"delivery_method"}, apply: func(_ *core, _ *payment, o *naverOrder, _ *apiRequest) bool {
		if o.ClaimType != "EXCHANGE" || o.ClaimStatus != "COLLECT_DONE" {
			return false
		}
		o.ClaimStatus = "EXCHANGE_REDELIVERING"
		return true
	}}
	naverRequestReturn = naverStep{required: []string{"delivery_method"}, apply: func(_ *core, _ *payment, o *naverOrder, _ *apiRequest) bool {
		if (o.ProductOrderStatus != iamport.NaverDelivering && o.ProductOrderStatus != iamport.NaverDelivered) || o.ClaimType != "" {
			return false
		}
		o.ClaimType, o.ClaimStatus = "RETURN", "RETURN_REQUEST"
		return true
	}}
	naverApproveReturn = naverStep{apply: func(c *core, p *payment, o *naverOrder, _ *apiRequest) bool {
		if o.ClaimType != "RETURN" || o.ClaimStatus != "RETURN_REQUEST" || o.withheld {
			return false
		}
		o.ProductOrderStatus, o.ClaimStatus = iamport.NaverReturned, "RETURN_DONE"
		c.naverRefund(p, o, "반품승인")
		return true
	}}
	naverRejectReturn = naverStep{required: []string{"memo"}, apply: func(_ *core, _ *payment, o *naverOrder, _ *apiRequest) bool {
		if o.ClaimType != "RETURN" || o.ClaimStatus != "RETURN_REQUEST" {
			return false
		}
		o.ClaimStatus, o.withheld = "RETURN_REJECT", false
		return true
	}}
	naverWithholdReturn = naverStep{required: []string{"memo"}, apply: func(_ *core, _ *payment, o *naverOrder, _ *apiRequest) bool {
		if o.ClaimType != "RETURN" || o.ClaimStatus != "RETURN_REQUEST" || o.withheld {
			return false
		}
		o.withheld = true
		return true
	}}
	naverResolveReturn = naverStep{apply: func(_ *core, _ *payment, o *naverOrder, _ *apiRequest) bool {
		if !o.withheld {
			return false
		}
		o.withheld = false
		return true
	}}
)

// naverPoint is POST /payments/{imp_uid}/naver/point: it accepts a paid
// NaverPay payment.
func (c *core) naverPoint(rq *apiRequest) result {
	p, ok := c.byImp[rq.params["imp_uid"]]
	if !ok || p.PGProvider != "naverpay" {
		return notFound(msgNoPayment)
	}
	if p.Status != iamport.PaymentStatusPaid {
		return business(1, "결제완료 상태가 아니어서 포인트를 적립할 수 없습니다.")
	}
	return okResult(nil)
}

// naverConfirm is POST /payments/{imp_uid}/naver/confirm.
func (c *core) naverConfirm(rq *apiRequest) result {
	p, ok := c.byImp[rq.params["imp_uid"]]
	if !ok || p.PGProvider != "naverpay" {
		return notFound(msgNoPayment)
	}
	if r, _ := getStr(rq.body, "requester"); r != "" && r != "admin" && r != "customer" {
		return badRequest(badParam("requester").msg)
	}
	if p.Status != iamport.PaymentStatusPaid {
		return business(1, "결제완료 상태가 아니어서 구매확정할 수 없습니다.")
	}
	return okResult(nil)
}
