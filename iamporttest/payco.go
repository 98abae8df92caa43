package iamporttest

import "github.com/iamport-go/iamport"

// paycoStatus is POST /payco/orders/status/{imp_uid}: it records the PAYCO
// order status of a paid payment; CANCELED refunds its balance.
func (c *core) paycoStatus(rq *apiRequest) result {
	status, err := reqStr(rq.body, "status", 0)
	if err != nil {
		return paramResult(err)
	}
	switch status {
	case "DELIVERY_START", "PURCHASE_DECISION", "CANCELED":
	default:
		return badRequest(badParam("status").msg)
	}
	p, ok := c.byImp[rq.params["imp_uid"]]
	if !ok {
		return business(-1, msgNoPayment)
	}
	if p.Status != iamport.PaymentStatusPaid {
		return business(1, "결제완료 상태가 아니어서 주문상태를 변경할 수 없습니다.")
	}
	if status == "CANCELED" {
		c.applyCancel(p, p.Amount.Cents()-p.CancelAmount.Cents(), "PAYCO 주문취소")
	}
	c.pg().payco[p.ImpUID] = status
	return okResult(map[string]any{"status": status})
}
