package iamporttest

import (
	"github.com/iamport-go/iamport"
)

// kcpMember is a buyer registered with KCP Quick.
type kcpMember struct {
	iamport.KcpQuickMember
	siteCode, partnerType, partnerSubtype string
}

const msgNoKcpMember = "등록된 KCP 퀵페이 구매자 정보가 없습니다."

// AddKcpQuickMember registers a KCP Quick member, as the buyer's sign-up in
// the browser does, with the site code, partner type and subtype DELETE
// /kcpquick/members/{member_id} must name.
func (s *Server) AddKcpQuickMember(memberID, siteCode, partnerType, partnerSubtype string) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.nowSec()
	c.pg().kcpMembers[memberID] = &kcpMember{
		KcpQuickMember: iamport.KcpQuickMember{MemberID: memberID, PGProvider: "kcp_quick", PGID: "IX0XX", Inserted: now, Updated: now},
		siteCode:       siteCode, partnerType: partnerType, partnerSubtype: partnerSubtype,
	}
}

// AddKcpQuickAutopayKey registers a KCP Quick autopay key, which POST
// /kcpquick/payment/autopay then charges (DeclineCharges applies to it).
func (s *Server) AddKcpQuickAutopayKey(customerUID string) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pg().kcpKeys[customerUID] = true
}

// KcpQuickPinCheck simulates the buyer's PIN check in the browser for a
// payment of amount under merchantUID by memberID: it makes the ready
// payment POST /kcpquick/payment/money then pays, and returns its imp_uid.
func (s *Server) KcpQuickPinCheck(memberID, merchantUID string, amt iamport.Amount) string {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.makeReady(merchantUID, amt.Cents(), "point", "kcp_quick")
	c.pg().kcpPins[p.ImpUID] = memberID
	return p.ImpUID
}

// makeReady records a ready payment (a PIN check, a convenience-store
// number). Call with mu held.
func (c *core) makeReady(merchantUID string, cents int64, payMethod, pg string) *payment {
	o := order{merchantUID: merchantUID, cents: cents, currency: "KRW"}
	p := c.makePayment(&o, "", "", nil, nil, "")
	p.Status, p.PaidAt, p.ApplyNum, p.ReceiptURL = iamport.PaymentStatusReady, iamport.Time{}, "", ""
	p.PayMethod, p.PGProvider = payMethod, pg
	return p
}

// payReady marks a ready payment paid. Call with mu held.
func (c *core) payReady(p *payment) {
	now := c.nowSec()
	p.Status, p.PaidAt, p.updated = iamport.PaymentStatusPaid, now, now.Time
}

// kcpDeleteMember is DELETE /kcpquick/members/{member_id}.
func (c *core) kcpDeleteMember(rq *apiRequest) result {
	for _, k := range []string{"site_code", "partner_type", "partner_subtype"} {
		if rq.query.Get(k) == "" {
			return badRequest(missing(k).msg)
		}
	}
	pg := c.pg()
	m, ok := pg.kcpMembers[rq.params["member_id"]]
	if !ok || m.siteCode != rq.query.Get("site_code") || m.partnerType != rq.query.Get("partner_type") ||
		m.partnerSubtype != rq.query.Get("partner_subtype") {
		return notFound(msgNoKcpMember)
	}
	delete(pg.kcpMembers, m.MemberID)
	return okResult(toWire(&m.KcpQuickMember, []string{"pg_id"}))
}

// kcpFidoRelease is POST /kcpquick/members/{member_id}/fido/release.
func (c *core) kcpFidoRelease(rq *apiRequest) result {
	if v, _ := getStr(rq.body, "channel_key"); v == "" {
		return badRequest(missing("channel_key").msg)
	}
	if _, ok := c.pg().kcpMembers[rq.params["member_id"]]; !ok {
		return business(1, "생체인증 해제에 실패하였습니다.")
	}
	return okResult(map[string]any{"member_id": rq.params["member_id"]})
}

// kcpPrepare is POST (register) and PUT (change)
// /kcpquick/prepare/{merchant_uid}.
func (c *core) kcpPrepare(rq *apiRequest) result {
	for _, k := range []string{"btid", "cust_ip", "code_verifier"} {
		if v, err := getStr(rq.body, k); err != nil || v == "" {
			return badRequest(missing(k).msg)
		}
	}
	if err := checkLengths(rq.body, map[string]int{"btid": 20, "code_verifier": 200, "prepaid_auth_yn": 1}); err != nil {
		return paramResult(err)
	}
	pg := c.pg()
	uid := rq.params["merchant_uid"]
	_, exists := pg.kcpPrepared[uid]
	switch {
	case rq.method == "POST" && exists:
		return failResult(409, -1, "이미 동일한 merchant_uid로 사전등록된 정보가 존재합니다.")
	case rq.method == "PUT" && !exists:
		return notFound(msgNoPrepare)
	}
	pg.kcpPrepared[uid] = rq.body
	return okResult(nil)
}

// kcpPayMoney is POST /kcpquick/payment/money: it pays the ready payment of
// a PIN check.
func (c *core) kcpPayMoney(rq *apiRequest) result {
	member, err := reqStr(rq.body, "member_id", 0)
	if err != nil {
		return paramResult(err)
	}
	for _, k := range []string{"channel_key", "name", "imp_uid"} {
		if _, err := reqStr(rq.body, k, 0); err != nil {
			return paramResult(err)
		}
	}
	o, err := readOrder(rq.body)
	if err != nil {
		return paramResult(err)
	}
	impUID, _ := getStr(rq.body, "imp_uid")
	pg := c.pg()
	p, ok := c.byImp[impUID]
	if !ok || pg.kcpPins[impUID] != member || p.MerchantUID != o.merchantUID {
		return business(-1, "PIN 인증된 거래정보가 없습니다.")
	}
	if c.alreadyPaid(o.merchantUID) {
		return business(1, msgAlreadyPaid)
	}
	if p.Amount.Cents() != o.cents {
		return business(-1, "PIN 인증된 금액과 결제요청 금액이 다릅니다.")
	}
	if _, ok := pg.kcpMembers[member]; !ok {
		return business(-1, msgNoKcpMember)
	}
	p.Name, p.noticeURL = o.name, o.noticeURL
	c.payReady(p)
	r := okResult(wirePayment(p))
	r.hooks = c.paidHook(p)
	return r
}

// kcpPayAutopay is POST /kcpquick/payment/autopay.
func (c *core) kcpPayAutopay(rq *apiRequest) result {
	uid, err := reqStr(rq.body, "customer_uid", maxCustomerUID)
	if err != nil {
		return paramResult(err)
	}
	for _, k := range []string{"name", "buyer_name"} {
		if _, err := reqStr(rq.body, k, 0); err != nil {
			return paramResult(err)
		}
	}
	o, err := readOrder(rq.body)
	if err != nil {
		return paramResult(err)
	}
	if !c.pg().kcpKeys[uid] {
		return business(-1, msgUnknownBuyer)
	}
	if c.alreadyPaid(o.merchantUID) {
		return business(1, msgAlreadyPaid)
	}
	p := c.makePayment(&o, uid, "payment", nil, nil, c.declineReason(uid, ""))
	p.PayMethod, p.PGProvider = "point", "kcp_quick"
	r := okResult(wirePayment(p))
	r.hooks = c.paidHook(p)
	return r
}

// kcpDeleteAutopay is DELETE /kcpquick/autopay/{customer_uid}.
func (c *core) kcpDeleteAutopay(rq *apiRequest) result {
	uid := rq.params["customer_uid"]
	pg := c.pg()
	if !pg.kcpKeys[uid] {
		return notFound(msgKeyNotFound(uid))
	}
	delete(pg.kcpKeys, uid)
	r := okResult(map[string]any{"customer_uid": uid})
	r.msg = "자동결제 키가 정상적으로 삭제되었습니다."
	return r
}
