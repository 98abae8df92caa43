package iamporttest

import (
	"fmt"
	"strings"

	"github.com/iamport-go/iamport"
)

var vbankRoutes = []*route{
	{method: "POST", template: "/vbanks", h: (*core).issueVbank},
	{method: "GET", template: "/vbanks/holder", h: (*core).vbankHolder},
	{method: "PUT", template: "/vbanks/{imp_uid}", h: (*core).updateVbank},
	{method: "DELETE", template: "/vbanks/{imp_uid}", h: (*core).revokeVbank},
}

// issueVbank is POST /vbanks: a virtual account, issued as a payment in
// status ready that Deposit pays.
func (c *core) issueVbank(rq *apiRequest) result {
	m := rq.body
	if _, err := reqStr(m, "channel_key", maxChannel); err != nil {
		return paramResult(err)
	}
	notices, err := getStrList(m, "notice_url") // a list here, one URL elsewhere
	if err != nil {
		return paramResult(err)
	}
	rest := make(map[string]any, len(m))
	for k, v := range m {
		rest[k] = v
	}
	delete(rest, "notice_url")
	o, err := readOrder(rest)
	if err != nil {
		return paramResult(err)
	}
	code, err := reqStr(m, "vbank_code", 4)
	if err != nil {
		return paramResult(err)
	}
	bank, ok := codeName(bankCodes, code)
	if !ok {
		return badRequest("지원되지 않는 은행코드(vbank_code)입니다.")
	}
	due, present, err := getInt(m, "vbank_due")
	if err != nil {
		return paramResult(err)
	}
	if !present {
		return paramResult(missing("vbank_due"))
	}
	if due <= c.now.Unix() {
		return badRequest("가상계좌 입금기한(vbank_due)은 현재 시각 이후여야 합니다.")
	}
	holder, err := optStr(m, "vbank_holder", 0)
	if err != nil {
		return paramResult(err)
	}
	num, err := optStr(m, "vbank_num", 0)
	if err != nil {
		return paramResult(err)
	}
	if len(notices) > 0 {
		o.noticeURL = notices[0]
	}
	if c.alreadyPaid(o.merchantUID) {
		return business(1, msgAlreadyPaid)
	}
	p := c.makePayment(&o, "", "", nil, nil, "")
	pp := &p.Payment
	// A virtual account, not a card payment: ready until the deposit.
	pp.PayMethod, pp.Status, pp.PaidAt, pp.ApplyNum, pp.ReceiptURL = "vbank", iamport.PaymentStatusReady, iamport.Time{}, "", ""
	pp.CardName, pp.CardCode, pp.CardNumber, pp.CardType = "", "", "", ""
	if num == "" {
		num = fmt.Sprintf("5621%010d", c.payN)
	}
	if holder == "" {
		holder = "(주)아임포트테스트"
	}
	pp.VbankCode, pp.VbankName, pp.VbankNum, pp.VbankHolder = code, bank, num, holder
	pp.VbankDate, pp.VbankIssuedAt = iamport.Unix(due), pp.StartedAt
	return okResult(wirePayment(p))
}

// msgVbankRefundAccount is the refusal of a virtual-account refund without
// the account to refund to.
const msgVbankRefundAccount = "가상계좌 환불시에는 환불계좌정보(refund_holder, refund_bank, refund_account)가 필수입니다."

// hasRefundAccount reports whether a cancel names the account a paid
// virtual account is refunded to.
func hasRefundAccount(body map[string]any) bool {
	for _, k := range []string{"refund_holder", "refund_bank", "refund_account"} {
		if v, _ := getStr(body, k); strings.TrimSpace(v) == "" {
			return false
		}
	}
	return true
}

// vbankParam finds the virtual account of the path's imp_uid that still
// waits for its deposit.
func (c *core) vbankParam(rq *apiRequest) (*payment, *result) {
	p, ok := c.byImp[rq.params["imp_uid"]]
	if !ok {
		r := notFound(msgNoPayment)
		return nil, &r
	}
	if p.PayMethod != "vbank" {
		r := badRequest("가상계좌 결제건이 아닙니다.")
		return nil, &r
	}
	if p.Status != iamport.PaymentStatusReady {
		r := badRequest("입금대기(ready) 상태의 가상계좌가 아닙니다.")
		return nil, &r
	}
	return p, nil
}

// updateVbank is PUT /vbanks/{imp_uid}: a new amount or deadline.
func (c *core) updateVbank(rq *apiRequest) result {
	p, res := c.vbankParam(rq)
	if res != nil {
		return *res
	}
	cents, amountSet, err := getCents(rq.body, "amount")
	if err != nil {
		return paramResult(err)
	}
	due, dueSet, err := getInt(rq.body, "vbank_due")
	if err != nil {
		return paramResult(err)
	}
	if amountSet && (cents <= 0 || (p.Currency == "KRW" && cents%100 != 0)) {
		return paramResult(badParam("amount"))
	}
	if dueSet && due <= c.now.Unix() {
		return badRequest("가상계좌 입금기한(vbank_due)은 현재 시각 이후여야 합니다.")
	}
	if amountSet {
		p.Amount = amount(cents)
	}
	if dueSet {
		p.VbankDate = iamport.Unix(due)
	}
	p.updated = c.now
	return okResult(wirePayment(p))
}

// revokeVbank is DELETE /vbanks/{imp_uid}: the account is closed and its
// payment cancelled.
func (c *core) revokeVbank(rq *apiRequest) result {
	p, res := c.vbankParam(rq)
	if res != nil {
		return *res
	}
	now := c.nowSec()
	p.Status, p.CancelledAt, p.updated = iamport.PaymentStatusCancelled, now, now.Time
	return okResult(wirePayment(p))
}

// vbankHolder is GET /vbanks/holder: the holder of an account AddBankAccount
// registered.
func (c *core) vbankHolder(rq *apiRequest) result {
	code, num := rq.query.Get("bank_code"), rq.query.Get("bank_num")
	switch {
	case code == "":
		return paramResult(missing("bank_code"))
	case num == "":
		return paramResult(missing("bank_num"))
	}
	holder, ok := c.areas().accounts[accountKey(code, num)]
	if !ok {
		return notFound("계좌정보를 조회할 수 없습니다.")
	}
	return okResult(map[string]any{"bank_holder": holder})
}

func accountKey(code, num string) string {
	return code + "/" + strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, num)
}

// AddBankAccount registers a bank account whose holder GET /vbanks/holder
// answers: bankCode is the bank's standard code (e.g. "004"), number the
// account number (dashes are ignored). Other accounts are not found.
func (s *Server) AddBankAccount(bankCode, number, holder string) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.areas().accounts[accountKey(bankCode, number)] = holder
}

// Deposit simulates the buyer paying into the virtual account of impUID:
// its payment becomes paid, and the paid webhook is sent (to the notice_url
// given at issue, or the console URL), before Deposit returns. It fails for
// an unknown imp_uid, a payment that is not a virtual account waiting for
// its deposit, or an account past its deadline on the fake clock.
func (s *Server) Deposit(impUID string) error {
	c := s.c
	c.mu.Lock()
	p, ok := c.byImp[impUID]
	var err error
	switch {
	case !ok:
		err = fmt.Errorf("iamporttest: Deposit: no payment %s", impUID)
	case p.PayMethod != "vbank" || p.Status != iamport.PaymentStatusReady:
		err = fmt.Errorf("iamporttest: Deposit: %s is not a virtual account waiting for its deposit (pay_method %s, status %s)",
			impUID, p.PayMethod, p.Status)
	case c.now.Unix() > p.VbankDate.Unix():
		err = fmt.Errorf("iamporttest: Deposit: the deadline of %s has passed", impUID)
	}
	if err != nil {
		c.mu.Unlock()
		return err
	}
	now := c.nowSec()
	p.Status, p.PaidAt, p.updated = iamport.PaymentStatusPaid, now, now.Time
	p.ApplyNum = fmt.Sprintf("%08d", 30000000+p.seq)
	jobs := c.paidHook(p)
	c.mu.Unlock()
	c.deliver(jobs)
	return nil
}
