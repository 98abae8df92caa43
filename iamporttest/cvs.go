package iamporttest

import (
	"fmt"

	"github.com/iamport-go/iamport"
)

// cvsIssue is POST /cvs: it issues a convenience-store payment number (or
// registers the merchant's barcode) as a ready payment.
func (c *core) cvsIssue(rq *apiRequest) result {
	if _, err := reqStr(rq.body, "channel_key", 0); err != nil {
		return paramResult(err)
	}
	firstNoticeURL(rq.body)
	o, err := readOrder(rq.body)
	if err != nil {
		return paramResult(err)
	}
	barcode, err := optStr(rq.body, "barcode", 0)
	if err != nil {
		return paramResult(err)
	}
	expires, _, err := getInt(rq.body, "expired_at")
	if err != nil {
		return paramResult(err)
	}
	if c.alreadyPaid(o.merchantUID) {
		return business(1, msgAlreadyPaid)
	}
	p := c.makeReady(o.merchantUID, o.cents, "cvs", "galaxia")
	if barcode == "" {
		barcode = fmt.Sprintf("9%015d", c.seq)
	}
	if expires == 0 {
		expires = c.now.Unix() + 7*24*3600
	}
	p.Name, p.noticeURL, p.CustomData = o.name, o.noticeURL, o.customData
	p.BuyerName, p.BuyerEmail, p.BuyerTel, p.BuyerAddr, p.BuyerPostcode = o.buyer[0], o.buyer[1], o.buyer[2], o.buyer[3], o.buyer[4]
	p.VbankNum, p.VbankDate, p.VbankIssuedAt = barcode, iamport.Unix(expires), c.nowSec()
	return okResult(wirePayment(p))
}

// cvsRevoke is DELETE /cvs/{imp_uid}: it revokes the number of a payment
// not paid yet.
func (c *core) cvsRevoke(rq *apiRequest) result {
	p, ok := c.byImp[rq.params["imp_uid"]]
	if !ok || p.PayMethod != "cvs" {
		return business(-1, msgNoPayment)
	}
	if p.Status != iamport.PaymentStatusReady {
		return business(1, "수납대기 상태가 아니어서 수납취소할 수 없습니다.")
	}
	now := c.nowSec()
	p.Status, p.CancelledAt, p.updated = iamport.PaymentStatusCancelled, now, now.Time
	return okResult(wirePayment(p))
}

// PayCVS simulates the buyer paying the convenience-store payment impUID at
// the counter: the payment becomes paid and its webhook is sent. It reports
// whether impUID was a ready convenience-store payment.
func (s *Server) PayCVS(impUID string) bool {
	c := s.c
	c.mu.Lock()
	p, ok := c.byImp[impUID]
	if !ok || p.PayMethod != "cvs" || p.Status != iamport.PaymentStatusReady {
		c.mu.Unlock()
		return false
	}
	c.payReady(p)
	hooks := c.paidHook(p)
	c.mu.Unlock()
	c.deliver(hooks)
	return true
}
