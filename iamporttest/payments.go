package iamporttest

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/iamport-go/iamport"
)

// Payments returns every payment the fake made, in creation order (copies).
func (s *Server) Payments() []iamport.Payment {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]iamport.Payment, len(c.payments))
	for i, p := range c.payments {
		out[i] = p.snapshot()
	}
	return out
}

// sortTime returns the time a sorting criterion orders by.
func sortTime(p *payment, by string) time.Time {
	switch by {
	case "paid":
		return p.PaidAt.Time
	case "updated":
		return p.updated
	}
	return p.StartedAt.Time
}

func validSorting(s string) bool {
	switch s {
	case "", "-started", "started", "-paid", "paid", "-updated", "updated":
		return true
	}
	return false
}

// sortPayments orders ps by sorting (-started, started, -paid, paid,
// -updated, updated; "" = -started); ties go by creation order in the same
// direction.
func sortPayments(ps []*payment, sorting string) {
	if sorting == "" {
		sorting = "-started"
	}
	desc := strings.HasPrefix(sorting, "-")
	by := strings.TrimPrefix(sorting, "-")
	sort.SliceStable(ps, func(i, j int) bool {
		ti, tj := sortTime(ps[i], by), sortTime(ps[j], by)
		if !ti.Equal(tj) {
			if desc {
				return ti.After(tj)
			}
			return ti.Before(tj)
		}
		if desc {
			return ps[i].seq > ps[j].seq
		}
		return ps[i].seq < ps[j].seq
	})
}

// getPayment is GET /payments/{imp_uid}. Test-channel payments (WithSandbox)
// are hidden unless include_sandbox=true.
func (c *core) getPayment(rq *apiRequest) result {
	p := c.seen(c.byImp[rq.params["imp_uid"]])
	if p == nil || (p.Sandbox && !queryBool(rq.query, "include_sandbox")) {
		return notFound(msgNoPayment)
	}
	return okResult(wirePayment(p))
}

// paymentsOf returns the payments of merchantUID with status (all when "").
// Call with mu held.
func (c *core) paymentsOf(merchantUID string, status string) []*payment {
	return filterPayments(c.payments, merchantUID, status)
}

// visibleOf is paymentsOf as lookups see it (see WithLookupLag). Call with
// mu held.
func (c *core) visibleOf(merchantUID string, status string) []*payment {
	return filterPayments(c.visiblePayments(), merchantUID, status)
}

// filterPayments returns the payments of merchantUID in all with status
// (all when "").
func filterPayments(all []*payment, merchantUID string, status string) []*payment {
	var ps []*payment
	for _, p := range all {
		if p.MerchantUID == merchantUID && (status == "" || string(p.Status) == status) {
			ps = append(ps, p)
		}
	}
	return ps
}

func validFindStatus(s string) bool {
	switch s {
	case "", "ready", "paid", "failed", "cancelled":
		return true
	}
	return false
}

// findPayment is GET /payments/find/{merchant_uid}[/{payment_status}]: the
// first payment of the order by sorting (default -started).
func (c *core) findPayment(rq *apiRequest) result {
	status := rq.params["payment_status"]
	if !validFindStatus(status) {
		return badRequest(msgBadStatus)
	}
	sorting := rq.query.Get("sorting")
	if !validSorting(sorting) {
		return badRequest(badParam("sorting").msg)
	}
	ps := c.visibleOf(rq.params["merchant_uid"], status)
	if len(ps) == 0 {
		return notFound(msgNoPayment)
	}
	sortPayments(ps, sorting)
	return okResult(wirePayment(ps[0]))
}

// limitParam reads limit (1-1000, default 20).
func limitParam(rq *apiRequest) (int, *result) {
	n, present, err := queryInt(rq.query, "limit")
	if err != nil || (present && (n < 1 || n > 1000)) {
		r := badRequest("limit 파라메터는 1부터 1000 사이의 값이어야 합니다.")
		return 0, &r
	}
	if !present {
		n = 20
	}
	return int(n), nil
}

// listParams reads the sorting, page and limit of a paged payment list.
func listParams(rq *apiRequest) (sorting string, pageNo, limit int, res *result) {
	sorting = rq.query.Get("sorting")
	if !validSorting(sorting) {
		r := badRequest(badParam("sorting").msg)
		return "", 0, 0, &r
	}
	if pageNo, res = pageParam(rq); res != nil {
		return "", 0, 0, res
	}
	if limit, res = limitParam(rq); res != nil {
		return "", 0, 0, res
	}
	return sorting, pageNo, limit, nil
}

// findAllPayments is GET /payments/findAll/{merchant_uid}[/{payment_status}].
func (c *core) findAllPayments(rq *apiRequest) result {
	status := rq.params["payment_status"]
	if !validFindStatus(status) {
		return badRequest(msgBadStatus)
	}
	sorting, pageNo, limit, res := listParams(rq)
	if res != nil {
		return *res
	}
	ps := c.visibleOf(rq.params["merchant_uid"], status)
	if len(ps) == 0 {
		return notFound(msgNoPayment)
	}
	sortPayments(ps, sorting)
	return okResult(page(len(ps), pageNo, limit, wirePayments(slicePage(ps, pageNo, limit))))
}

// getPayments is GET /payments?imp_uid[]=..&merchant_uid[]=..: at most 100
// IDs; 207 when some are missing, 404 when all are. A merchant_uid gives its
// newest payment.
func (c *core) getPayments(rq *apiRequest) result {
	imps := queryList(rq.query, "imp_uid")
	mids := queryList(rq.query, "merchant_uid")
	n := len(imps) + len(mids)
	switch {
	case n == 0:
		return badRequest("imp_uid[] 또는 merchant_uid[] 파라메터가 누락되었습니다.")
	case n > 100:
		return badRequest("한 번에 최대 100건까지 조회할 수 있습니다.")
	}
	list := make([]any, 0, n)
	for _, id := range imps {
		if p := c.seen(c.byImp[id]); p != nil {
			list = append(list, wirePayment(p))
		}
	}
	for _, id := range mids {
		if ps := c.visibleOf(id, ""); len(ps) > 0 {
			sortPayments(ps, "-started")
			list = append(list, wirePayment(ps[0]))
		}
	}
	return lookupResult(list, n, msgNoPayment)
}

// statusTime is the time the status list filters on.
func statusTime(p *payment, status string) iamport.Time {
	switch status {
	case "paid":
		return p.PaidAt
	case "cancelled":
		return p.CancelledAt
	case "failed":
		return p.FailedAt
	}
	return p.StartedAt
}

const statusWindow = 90 * 24 * time.Hour

// msgPageRange answers a page past the last one of a status list.
const msgPageRange = "요청하신 page가 조회 가능한 범위를 벗어났습니다."

// paymentsByStatus is GET /payments/status/{payment_status}. A page past the
// last one is a 400, as the real API answers; page 1 of an empty list is an
// empty list.
func (c *core) paymentsByStatus(rq *apiRequest) result {
	status := rq.params["payment_status"]
	switch status {
	case "all", "ready", "paid", "cancelled", "failed":
	default:
		return badRequest(msgBadStatus)
	}
	sorting, pageNo, limit, res := listParams(rq)
	if res != nil {
		return *res
	}
	to, toSet, err := queryInt(rq.query, "to")
	if err != nil {
		return paramResult(err)
	}
	if !toSet {
		to = c.now.Unix()
	}
	from, fromSet, err := queryInt(rq.query, "from")
	if err != nil {
		return paramResult(err)
	}
	if !fromSet {
		from = to - int64(statusWindow/time.Second)
	}
	if from > to {
		return badRequest("from 은 to 보다 클 수 없습니다.")
	}
	if to-from > int64(statusWindow/time.Second) {
		return badRequest("조회기간은 최대 90일까지 가능합니다.")
	}
	var ps []*payment
	for _, p := range c.visiblePayments() {
		if status != "all" && string(p.Status) != status {
			continue
		}
		t := statusTime(p, status).Unix()
		if t >= from && t <= to {
			ps = append(ps, p)
		}
	}
	if pageNo > 1 && (pageNo-1)*limit >= len(ps) {
		return badRequest(msgPageRange)
	}
	sortPayments(ps, sorting)
	return okResult(page(len(ps), pageNo, limit, wirePayments(slicePage(ps, pageNo, limit))))
}

// balanceBlock is PaymentBalanceAnnotation.
func balanceBlock(taxFree, supply, vat, service int64) map[string]any {
	return map[string]any{"tax_free": amount(taxFree), "supply": amount(supply), "vat": amount(vat), "service": amount(service)}
}

func zeroBlock() map[string]any { return balanceBlock(0, 0, 0, 0) }

// split divides total (hundredths) into tax-free, supply and VAT, as the PG
// would: VAT is 1/11 of the taxable part, rounded to the currency's unit,
// unless set explicitly.
func split(total, taxFree, vat int64, vatSet bool, krw bool) (int64, int64, int64) {
	if taxFree > total {
		taxFree = total
	}
	taxable := total - taxFree
	if !vatSet {
		unit := int64(1)
		if krw {
			unit = 100
		}
		vat = (2*taxable + 11*unit) / (22 * unit) * unit
	}
	if vat > taxable {
		vat = taxable
	}
	return taxFree, taxable - vat, vat
}

// getBalance is GET /payments/{imp_uid}/balance. The real API implements it
// for PAYCO only; the fake answers the same shape for every payment.
func (c *core) getBalance(rq *apiRequest) result {
	p := c.seen(c.byImp[rq.params["imp_uid"]])
	if p == nil {
		return notFound(msgNoPayment)
	}
	krw := p.Currency == "KRW"
	resp := map[string]any{
		"amount": p.Amount, "cash_receipt": zeroBlock(), "secondary": zeroBlock(), "discount": zeroBlock(),
		"primary": zeroBlock(), "histories": []any{},
	}
	if p.PaidAt.IsZero() {
		return okResult(resp)
	}
	total := p.Amount.Cents()
	tf, sup, vat := split(total, p.taxFree, p.vatAmount, p.vatSet, krw)
	hist := []any{map[string]any{
		"cash_receipt": zeroBlock(), "secondary": zeroBlock(), "discount": zeroBlock(),
		"primary": balanceBlock(tf, sup, vat, 0), "created": p.PaidAt.Unix(),
	}}
	remTF, remSup, remVat := tf, sup, vat
	for _, h := range p.CancelHistory {
		ctf, csup, cvat := split(h.Amount.Cents(), min(p.taxFree, h.Amount.Cents()), 0, false, krw)
		hist = append(hist, map[string]any{
			"cash_receipt": zeroBlock(), "secondary": zeroBlock(), "discount": zeroBlock(),
			"primary": balanceBlock(-ctf, -csup, -cvat, 0), "created": h.CancelledAt.Unix(),
		})
		remTF, remSup, remVat = remTF-ctf, remSup-csup, remVat-cvat
	}
	if rem := total - p.CancelAmount.Cents(); rem == 0 {
		remTF, remSup, remVat = 0, 0, 0
	}
	resp["primary"] = balanceBlock(max(remTF, 0), max(remSup, 0), max(remVat, 0), 0)
	resp["histories"] = hist
	return okResult(resp)
}

// cancelPayment is POST /payments/cancel: full (amount absent or 0) or
// partial; checksum must equal the cancellable balance.
func (c *core) cancelPayment(rq *apiRequest) result {
	// Identifiers are looked up as given, and descriptive fields are not
	// limited in length: iamport refuses neither.
	impUID, err := optStr(rq.body, "imp_uid", 0)
	if err != nil {
		return paramResult(err)
	}
	merchantUID, err := optStr(rq.body, "merchant_uid", 0)
	if err != nil {
		return paramResult(err)
	}
	if impUID == "" && merchantUID == "" {
		return business(1, msgCancelNeedsID)
	}
	cents, _, err := getCents(rq.body, "amount")
	if err != nil {
		return business(1, "취소 요청금액(amount)이 올바르지 않습니다.")
	}
	checksum, checkSet, err := getCents(rq.body, "checksum")
	if err != nil {
		return business(1, "checksum 값이 올바르지 않습니다.")
	}
	taxFree, _, err := getCents(rq.body, "tax_free")
	if err != nil {
		return business(1, "tax_free 값이 올바르지 않습니다.")
	}
	reason, err := optStr(rq.body, "reason", 0)
	if err != nil {
		return paramResult(err)
	}
	webhook, err := getBool(rq.body, "enable_webhook")
	if err != nil {
		return paramResult(err)
	}
	var p *payment
	if impUID != "" {
		p = c.byImp[impUID]
	} else {
		// The order's paid (or partly refunded) payment, else its newest.
		ps := c.paymentsOf(merchantUID, "")
		sortPayments(ps, "-started")
		for _, q := range ps {
			if !q.PaidAt.IsZero() {
				p = q
				break
			}
		}
		if p == nil && len(ps) > 0 {
			p = ps[0]
		}
	}
	if p == nil {
		return business(1, msgNoCancelTarget)
	}
	if res := notCancellable(p); res != nil {
		return *res
	}
	if p.PayMethod == "vbank" && !hasRefundAccount(rq.body) {
		return business(1, msgVbankRefundAccount)
	}
	balance := p.Amount.Cents() - p.CancelAmount.Cents()
	if checkSet && checksum != balance {
		return business(1, fmt.Sprintf("취소가능잔액(%s)과 checksum(%s)이 일치하지 않습니다.", amount(balance), amount(checksum)))
	}
	if cents == 0 {
		cents = balance
	}
	if cents > balance {
		return business(1, fmt.Sprintf("취소요청금액(%s)이 취소가능잔액(%s)보다 큽니다.", amount(cents), amount(balance)))
	}
	if wholeCurrency(p.Currency) && cents%100 != 0 {
		return business(-1, msgRefundWhole)
	}
	if taxFree > cents {
		return business(1, "tax_free 는 취소요청금액보다 클 수 없습니다.")
	}
	// Checked on arrival; the PG refunds later (see WithLatency), so two
	// cancels with the same checksum that race both pass the check.
	return result{ids: []string{p.ImpUID, p.MerchantUID}, commit: func() result {
		return c.commitCancel(p, cents, reason, webhook)
	}}
}

// notCancellable is the refusal of a cancel of p when p is not paid.
func notCancellable(p *payment) *result {
	var r result
	switch p.Status {
	case iamport.PaymentStatusPaid:
		return nil
	case iamport.PaymentStatusCancelled:
		r = business(1, "이미 전액취소된 주문입니다.")
	default:
		r = business(1, "결제완료 상태가 아니어서 취소할 수 없습니다.")
	}
	return &r
}

// commitCancel refunds cents of p, if p still has that much left to refund,
// and answers the cancel. Call with mu held.
func (c *core) commitCancel(p *payment, cents int64, reason string, webhook bool) result {
	if res := notCancellable(p); res != nil {
		return *res
	}
	if balance := p.Amount.Cents() - p.CancelAmount.Cents(); cents > balance {
		return business(1, fmt.Sprintf("취소요청금액(%s)이 취소가능잔액(%s)보다 큽니다.", amount(cents), amount(balance)))
	}
	cancel := c.applyCancel(p, cents, reason)
	r := okResult(wirePayment(p))
	if webhook {
		r.hooks = c.hook(p.noticeURL, p, string(iamport.PaymentStatusCancelled), cancel.CancellationID)
	}
	return r
}

// applyCancel refunds cents of p's balance, recording the cancel in its
// history; a refund of the whole balance makes p cancelled. Call with mu
// held.
func (c *core) applyCancel(p *payment, cents int64, reason string) iamport.Cancel {
	seq := c.next()
	now := c.nowSec()
	cancel := iamport.Cancel{
		PGTID:          fmt.Sprintf("%scncl%010d", p.PGID, seq),
		Amount:         amount(cents),
		CancelledAt:    now,
		Reason:         reason,
		CancellationID: fmt.Sprintf("cncl_%012d", seq),
	}
	cancel.ReceiptURL = "https://npg.nicepay.co.kr/issue/IssueLoader.do?TID=" + cancel.PGTID + "&type=0"
	p.CancelHistory = append(p.CancelHistory, cancel)
	//lint:ignore SA1019 the real API still sends cancel_receipt_urls, so the fake does too
	p.CancelReceiptURLs = append(p.CancelReceiptURLs, cancel.ReceiptURL)
	p.CancelAmount = amount(p.CancelAmount.Cents() + cents)
	p.CancelReason = reason
	p.updated = now.Time
	if p.CancelAmount.Cents() == p.Amount.Cents() {
		p.Status = iamport.PaymentStatusCancelled
		p.CancelledAt = now
	}
	c.record(p)
	return cancel
}

// preparePayment is POST /payments/prepare.
func (c *core) preparePayment(rq *apiRequest) result {
	pr, res := readPrepare(rq)
	if res != nil {
		return *res
	}
	if _, ok := c.prepared[pr.merchantUID]; ok {
		return business(1, "이미 사전등록된 주문번호(merchant_uid)입니다. PUT /payments/prepare로 변경해주세요.")
	}
	c.prepared[pr.merchantUID] = pr
	return okResult(wirePrepared(pr))
}

// updatePrepared is PUT /payments/prepare.
func (c *core) updatePrepared(rq *apiRequest) result {
	pr, res := readPrepare(rq)
	if res != nil {
		return *res
	}
	if _, ok := c.prepared[pr.merchantUID]; !ok {
		return notFound(msgNoPrepare)
	}
	c.prepared[pr.merchantUID] = pr
	return okResult(wirePrepared(pr))
}

// getPrepared is GET /payments/prepare/{merchant_uid}.
func (c *core) getPrepared(rq *apiRequest) result {
	pr, ok := c.prepared[rq.params["merchant_uid"]]
	if !ok {
		return notFound(msgNoPrepare)
	}
	return okResult(wirePrepared(pr))
}

func readPrepare(rq *apiRequest) (*prepared, *result) {
	fail := func(err error) (*prepared, *result) {
		r := paramResult(err)
		return nil, &r
	}
	mid, err := reqStr(rq.body, "merchant_uid", maxMerchantUID)
	if err != nil {
		return fail(err)
	}
	cents, present, err := getCents(rq.body, "amount")
	if err != nil {
		return fail(err)
	}
	if !present {
		return fail(missing("amount"))
	}
	cur, err := optStr(rq.body, "currency", 3)
	if err != nil {
		return fail(err)
	}
	return &prepared{merchantUID: mid, cents: cents, currency: strings.ToUpper(cur)}, nil
}

func wirePrepared(pr *prepared) map[string]any {
	var cur any
	if pr.currency != "" {
		cur = pr.currency
	}
	return map[string]any{"merchant_uid": pr.merchantUID, "amount": amount(pr.cents), "currency": cur}
}
