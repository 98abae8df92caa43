package iamporttest

import (
	"fmt"

	"github.com/iamport-go/iamport"
)

var receiptRoutes = []*route{
	{method: "GET", template: "/receipts/{imp_uid}", h: (*core).getReceipt},
	{method: "POST", template: "/receipts/{imp_uid}", h: (*core).issueReceipt},
	{method: "DELETE", template: "/receipts/{imp_uid}", h: (*core).revokeReceipt},
	{method: "GET", template: "/receipts/external/{merchant_uid}", h: (*core).getExternalReceipt},
	{method: "POST", template: "/receipts/external/{merchant_uid}", h: (*core).issueExternalReceipt},
	{method: "DELETE", template: "/receipts/external/{merchant_uid}", h: (*core).revokeExternalReceipt},
}

// receipt is a cash receipt. The fake does not keep the identifier it was
// issued to.
type receipt struct {
	id          string // imp_uid or merchant_uid
	tid         string
	applyNum    string
	typ         string
	cents       int64
	vatCents    int64
	appliedAt   iamport.Time
	cancelledAt iamport.Time
}

func (r *receipt) wire(idKey string) map[string]any {
	return map[string]any{
		idKey: r.id, "receipt_tid": r.tid, "apply_num": r.applyNum, "type": r.typ,
		"amount": amount(r.cents), "vat": amount(r.vatCents),
		"receipt_url":  "https://npg.nicepay.co.kr/issue/IssueLoader.do?TID=" + r.tid + "&type=1",
		"applied_at":   r.appliedAt.Unix(),
		"cancelled_at": r.cancelledAt.Unix(),
	}
}

// readReceipt reads the fields both issue endpoints take and makes the
// receipt of cents. Call with mu held.
func (c *core) readReceipt(m map[string]any, id string, cents int64) (*receipt, error) {
	if _, err := reqStr(m, "identifier", 0); err != nil {
		return nil, err
	}
	typ, err := optStr(m, "type", 0)
	if err != nil {
		return nil, err
	}
	switch typ {
	case "":
		typ = "person"
	case "person", "company":
	default:
		return nil, badParam("type")
	}
	switch it, err := optStr(m, "identifier_type", 0); {
	case err != nil:
		return nil, err
	case it != "" && it != "person" && it != "business" && it != "phone" && it != "taxcard":
		return nil, badParam("identifier_type")
	}
	taxFree, _, err := getCents(m, "tax_free")
	if err != nil {
		return nil, err
	}
	if taxFree > cents {
		return nil, &paramError{"tax_free 는 발행금액보다 클 수 없습니다."}
	}
	a := c.areas()
	a.receiptN++
	vat := (cents - taxFree) / 11
	vat -= vat % 100 // whole won
	return &receipt{
		id: id, tid: fmt.Sprintf("cashfake%010d", a.receiptN), applyNum: fmt.Sprintf("%09d", 100000000+a.receiptN),
		typ: typ, cents: cents, vatCents: vat, appliedAt: c.nowSec(),
	}, nil
}

// getReceipt is GET /receipts/{imp_uid}.
func (c *core) getReceipt(rq *apiRequest) result {
	r, ok := c.areas().receipts[rq.params["imp_uid"]]
	if !ok {
		return notFound("현금영수증 발행내역이 존재하지 않습니다.")
	}
	return okResult(r.wire("imp_uid"))
}

// issueReceipt is POST /receipts/{imp_uid}: a receipt for the balance of a
// paid cash payment (virtual account or transfer).
func (c *core) issueReceipt(rq *apiRequest) result {
	id := rq.params["imp_uid"]
	p, ok := c.byImp[id]
	if !ok {
		return notFound(msgNoPayment)
	}
	if p.PayMethod != "vbank" && p.PayMethod != "trans" {
		return badRequest("현금성 거래(가상계좌, 계좌이체)만 현금영수증을 발행할 수 있습니다.")
	}
	if p.Status != iamport.PaymentStatusPaid {
		return badRequest("결제완료(paid)된 거래건만 현금영수증을 발행할 수 있습니다.")
	}
	a := c.areas()
	if old, ok := a.receipts[id]; ok && old.cancelledAt.IsZero() {
		return badRequest("이미 현금영수증이 발행된 거래건입니다.")
	}
	r, err := c.readReceipt(rq.body, id, p.Amount.Cents()-p.CancelAmount.Cents())
	if err != nil {
		return paramResult(err)
	}
	a.receipts[id] = r
	p.CashReceiptIssued = true
	p.updated = c.now
	return okResult(r.wire("imp_uid"))
}

// revokeReceipt is DELETE /receipts/{imp_uid}.
func (c *core) revokeReceipt(rq *apiRequest) result {
	id := rq.params["imp_uid"]
	r, ok := c.areas().receipts[id]
	if !ok || !r.cancelledAt.IsZero() {
		return badRequest("포트원을 통해 발급된 현금영수증이 없습니다.")
	}
	r.cancelledAt = c.nowSec()
	if p, ok := c.byImp[id]; ok {
		p.CashReceiptIssued = false
		p.updated = c.now
	}
	return okResult(r.wire("imp_uid"))
}

// getExternalReceipt is GET /receipts/external/{merchant_uid}.
func (c *core) getExternalReceipt(rq *apiRequest) result {
	r, ok := c.areas().external[rq.params["merchant_uid"]]
	if !ok {
		return notFound("현금영수증 발행내역이 존재하지 않습니다.")
	}
	return okResult(r.wire("merchant_uid"))
}

// issueExternalReceipt is POST /receipts/external/{merchant_uid}: a receipt
// for a cash sale made outside iamport.
func (c *core) issueExternalReceipt(rq *apiRequest) result {
	id := rq.params["merchant_uid"]
	m := rq.body
	for _, k := range []string{"channel_key", "name"} {
		if _, err := reqStr(m, k, 0); err != nil {
			return paramResult(err)
		}
	}
	cents, present, err := getCents(m, "amount")
	switch {
	case err != nil:
		return paramResult(err)
	case !present:
		return paramResult(missing("amount"))
	case cents <= 0 || cents%100 != 0:
		return paramResult(badParam("amount"))
	}
	a := c.areas()
	if old, ok := a.external[id]; ok && old.cancelledAt.IsZero() {
		return badRequest("이미 현금영수증이 발행된 주문번호(merchant_uid)입니다.")
	}
	r, err := c.readReceipt(m, id, cents)
	if err != nil {
		return paramResult(err)
	}
	a.external[id] = r
	return okResult(r.wire("merchant_uid"))
}

// revokeExternalReceipt is DELETE /receipts/external/{merchant_uid}.
func (c *core) revokeExternalReceipt(rq *apiRequest) result {
	r, ok := c.areas().external[rq.params["merchant_uid"]]
	if !ok {
		return notFound("현금영수증 발행내역이 존재하지 않습니다.")
	}
	if !r.cancelledAt.IsZero() {
		return badRequest("이미 발행취소된 현금영수증입니다.")
	}
	r.cancelledAt = c.nowSec()
	return okResult(r.wire("merchant_uid"))
}
