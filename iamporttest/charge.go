package iamporttest

import (
	"fmt"
	"strings"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/internal/rules"
)

// order is what a charge request says about the money and the buyer.
type order struct {
	merchantUID string
	cents       int64
	currency    string
	taxFree     int64
	vatAmount   int64
	vatSet      bool
	cardQuota   int
	name        string
	buyer       [5]string // name, email, tel, addr, postcode
	customData  string
	noticeURL   string
}

// Installments (card_quota >= 2) are allowed only from 50,000 KRW.
const (
	minInstallmentCents = 50000 * 100
	msgInstallmentMin   = "할부(card_quota)는 50,000원 이상 결제에만 가능합니다."
)

var buyerFields = [5]string{"buyer_name", "buyer_email", "buyer_tel", "buyer_addr", "buyer_postcode"}

// iamport's answers to a fraction in a currency without a minor unit.
const (
	msgChargeWhole = "원화(KRW) 결제금액은 정수여야 합니다."
	msgRefundWhole = "취소금액은 정수여야 합니다."
)

// wholeCurrency reports whether amounts in currency must be whole: KRW and
// JPY have no minor unit.
func wholeCurrency(currency string) bool { return rules.WholeCurrency(currency) }

// readOrder reads the fields shared by onetime, again and schedule entries.
func readOrder(m map[string]any) (order, error) {
	var o order
	var err error
	if o.merchantUID, err = reqStr(m, "merchant_uid", maxMerchantUID); err != nil {
		return o, err
	}
	var present bool
	if o.cents, present, err = getCents(m, "amount"); err != nil {
		return o, err
	}
	if !present {
		return o, missing("amount")
	}
	if o.cents <= 0 {
		return o, &paramError{"amount 파라메터는 0보다 커야 합니다."}
	}
	if o.currency, err = optStr(m, "currency", 3); err != nil {
		return o, err
	}
	o.currency = strings.ToUpper(o.currency)
	if o.currency == "" {
		o.currency = "KRW"
	}
	if wholeCurrency(o.currency) && o.cents%100 != 0 {
		return o, &paramError{msgChargeWhole}
	}
	if o.taxFree, _, err = getCents(m, "tax_free"); err != nil {
		return o, err
	}
	if o.taxFree > o.cents {
		return o, &paramError{"tax_free 는 amount 보다 클 수 없습니다."}
	}
	if o.vatAmount, o.vatSet, err = getCents(m, "vat_amount"); err != nil {
		return o, err
	}
	if o.vatAmount > o.cents {
		return o, &paramError{"vat_amount 는 amount 보다 클 수 없습니다."}
	}
	q, present, err := getInt(m, "card_quota")
	if err != nil {
		return o, err
	}
	if present && (q < 0 || q > 60) {
		return o, badParam("card_quota")
	}
	if q >= 2 && o.currency == "KRW" && o.cents < minInstallmentCents {
		return o, &paramError{msgInstallmentMin}
	}
	o.cardQuota = int(q)
	// iamport documents name ≤40 and buyer_* limits but does not refuse
	// longer values (PGs truncate, or allow more): neither does the fake.
	if o.name, err = optStr(m, "name", 0); err != nil {
		return o, err
	}
	for i, k := range buyerFields {
		if o.buyer[i], err = optStr(m, k, 0); err != nil {
			return o, err
		}
	}
	if o.customData, err = optStr(m, "custom_data", 0); err != nil {
		return o, err
	}
	if o.noticeURL, err = optStr(m, "notice_url", 0); err != nil {
		return o, err
	}
	return o, nil
}

// fillBuyer takes missing buyer_* values from the billing key's customer_*.
func (o *order) fillBuyer(k *billingKey) {
	if k == nil {
		return
	}
	from := [5]string{k.CustomerName, k.CustomerEmail, k.CustomerTel, k.CustomerAddr, k.CustomerPostcode}
	for i := range o.buyer {
		if o.buyer[i] == "" {
			o.buyer[i] = from[i]
		}
	}
}

// alreadyPaid reports whether a payment of merchantUID was ever paid. Call
// with mu held.
func (c *core) alreadyPaid(merchantUID string) bool {
	for _, p := range c.byMerchant[merchantUID] {
		if !p.PaidAt.IsZero() {
			return true
		}
	}
	return false
}

// makePayment records a charge of o on card data (masked number, names) and
// decides it: reason "" approves. Call with mu held.
func (c *core) makePayment(o *order, customerUID, usage string, k *billingKey, cd *card, reason string) *payment {
	p := c.startPayment(o, customerUID, usage, k, cd)
	c.decide(p, reason)
	return p
}

// startPayment records a charge of o on card data (masked number, names)
// in status ready, while it is processed: hidden from lookups unless
// WithPendingVisible. Call with mu held.
func (c *core) startPayment(o *order, customerUID, usage string, k *billingKey, cd *card) *payment {
	seq := c.next()
	c.payN++
	n := c.payN
	now := c.nowSec()
	p := &payment{seq: seq, n: n, updated: now.Time, noticeURL: o.noticeURL,
		taxFree: o.taxFree, vatAmount: o.vatAmount, vatSet: o.vatSet}
	pp := &p.Payment
	pp.ImpUID = fmt.Sprintf("imp_%012d", 100000000000+n)
	pp.MerchantUID = o.merchantUID
	pp.PayMethod = "card"
	pp.Channel = "api"
	pp.PGProvider = pgProvider
	pp.PGID = c.pgID()
	pp.PGTID = fmt.Sprintf("%sfake%010d", pp.PGID, n)
	pp.Sandbox = c.cfg.sandbox
	switch {
	case cd != nil:
		pp.CardName, pp.CardCode, pp.CardNumber, pp.CardType = cd.name, cd.code, cd.masked, cd.cardType
	case k != nil:
		pp.CardName, pp.CardCode, pp.CardNumber, pp.CardType = k.CardName, k.CardCode, k.CardNumber, k.CardType
	}
	pp.CardQuota = iamport.LenientInt(o.cardQuota)
	pp.Name = o.name
	pp.Amount = amount(o.cents)
	pp.Currency = o.currency
	pp.BuyerName, pp.BuyerEmail, pp.BuyerTel, pp.BuyerAddr, pp.BuyerPostcode = o.buyer[0], o.buyer[1], o.buyer[2], o.buyer[3], o.buyer[4]
	pp.CustomData = o.customData
	pp.UserAgent = "sorry_not_supported"
	pp.StartedAt = now
	pp.CustomerUID = customerUID
	pp.CustomerUIDUsage = usage
	pp.CancelHistory = []iamport.Cancel{}
	pp.DepositHistory = []iamport.Deposit{}
	//lint:ignore SA1019 the real API still sends cancel_receipt_urls, so the fake does too
	pp.CancelReceiptURLs = []string{}
	pp.Status = iamport.PaymentStatusReady
	p.hidden = !c.cfg.pendingVisible
	c.payments = append(c.payments, p)
	c.byImp[pp.ImpUID] = p
	c.byMerchant[pp.MerchantUID] = append(c.byMerchant[pp.MerchantUID], p)
	c.record(p)
	return p
}

// decide approves p (reason "") or fails it with reason. Call with mu held.
func (c *core) decide(p *payment, reason string) {
	now := c.nowSec()
	pp := &p.Payment
	if reason == "" {
		pp.Status = iamport.PaymentStatusPaid
		pp.PaidAt = now
		pp.ApplyNum = fmt.Sprintf("%08d", 30000000+p.n)
		pp.ReceiptURL = "https://npg.nicepay.co.kr/issue/IssueLoader.do?TID=" + pp.PGTID + "&type=0"
	} else {
		pp.Status = iamport.PaymentStatusFailed
		pp.FailedAt = now
		pp.FailReason = reason
	}
	p.updated = now.Time
	p.hidden = false
	c.record(p)
}

// paidHook is the webhook an approved payment sends, if a URL is known.
func (c *core) paidHook(p *payment) []webhookJob {
	if p.Status != iamport.PaymentStatusPaid {
		return nil // ordinary payment failures send no webhook
	}
	return c.hook(p.noticeURL, p, string(p.Status), "")
}

// onetime is POST /subscribe/payments/onetime: a key-in payment, which also
// stores the card as a billing key when customer_uid is given.
func (c *core) onetime(rq *apiRequest) result {
	o, err := readOrder(rq.body)
	if err != nil {
		return paramResult(err)
	}
	uid, err := optStr(rq.body, "customer_uid", maxCustomerUID)
	if err != nil {
		return paramResult(err)
	}
	if err := checkLengths(rq.body, map[string]int{"pg": maxPG, "channelGroupId": maxChannel}); err != nil {
		return paramResult(err)
	}
	cd, _, res := c.readCard(rq.body, true)
	if res != nil {
		return *res
	}
	if c.alreadyPaid(o.merchantUID) {
		return business(1, msgAlreadyPaid)
	}
	usage := ""
	if uid != "" {
		usage = "issue"
	}
	p := c.startPayment(&o, uid, usage, nil, cd)
	return result{commit: func() result {
		if uid != "" {
			ci := customerInfo{name: o.buyer[0], email: o.buyer[1], tel: o.buyer[2], addr: o.buyer[3], postcode: o.buyer[4]}
			c.issueKey(uid, cd, ci)
		}
		return c.decided(p, c.declineReason(uid, cd.decline))
	}}
}

// decided decides p and answers it, with its webhook when it was paid.
// Call with mu held.
func (c *core) decided(p *payment, reason string) result {
	c.decide(p, reason)
	r := okResult(wirePayment(p))
	r.hooks = c.paidHook(p)
	return r
}

// again is POST /subscribe/payments/again: a charge of a stored billing key.
func (c *core) again(rq *apiRequest) result {
	uid, err := reqStr(rq.body, "customer_uid", maxCustomerUID)
	if err != nil {
		return paramResult(err)
	}
	o, err := readOrder(rq.body)
	if err != nil {
		return paramResult(err)
	}
	if err := checkLengths(rq.body, map[string]int{"channel_key": maxChannel}); err != nil {
		return paramResult(err)
	}
	k, ok := c.keys[uid]
	if !ok {
		return business(-1, msgUnknownBuyer)
	}
	if c.alreadyPaid(o.merchantUID) {
		return business(1, msgAlreadyPaid)
	}
	o.fillBuyer(k)
	p := c.startPayment(&o, uid, "payment", k, nil)
	return result{commit: func() result { return c.decided(p, c.declineReason(uid, k.decline)) }}
}
