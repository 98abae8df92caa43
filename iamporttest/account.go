package iamporttest

import "fmt"

var accountRoutes = []*route{
	{method: "GET", template: "/users/pg", h: (*core).pgSettings},
	{method: "GET", template: "/tiers/{tier_code}", h: (*core).getTier},
	{method: "POST", template: "/partners/receipts/{imp_uid}", h: (*core).partnerReceipts},
}

// pgSettings is GET /users/pg: the one PG account the fake pays through.
func (c *core) pgSettings(*apiRequest) result {
	return okResult([]any{map[string]any{
		"pg_provider": pgProvider, "pg_id": c.pgID(), "sandbox": c.cfg.sandbox, "type": "api_payment",
		"channel_name": "iamporttest", "channel_key": "channel-key-iamporttest",
	}})
}

// getTier is GET /tiers/{tier_code}: the tiers AddTier registered.
func (c *core) getTier(rq *apiRequest) result {
	code := rq.params["tier_code"]
	name, ok := c.areas().tiers[code]
	if !ok {
		return notFound("등록되지 않았거나 삭제된 하위 상점(Tier)입니다.")
	}
	return okResult(map[string]any{"tier_code": code, "tier_name": name})
}

// AddTier registers the sub-merchant code (three upper-case letters or
// digits) with its name, for GET /tiers/{tier_code}. It panics on a
// malformed code.
func (s *Server) AddTier(code, name string) {
	if len(code) != 3 {
		panic("iamporttest: AddTier: a tier code has three characters")
	}
	for i := 0; i < 3; i++ {
		if !(code[i] >= 'A' && code[i] <= 'Z') && !(code[i] >= '0' && code[i] <= '9') {
			panic("iamporttest: AddTier: a tier code has upper-case letters and digits only")
		}
	}
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.areas().tiers[code] = name
}

// partnerReceipts is POST /partners/receipts/{imp_uid}: the sub-merchants'
// shares, which may not add up to more than the payment.
func (c *core) partnerReceipts(rq *apiRequest) result {
	p, ok := c.byImp[rq.params["imp_uid"]]
	if !ok {
		return notFound(msgNoPayment)
	}
	if p.PaidAt.IsZero() {
		return badRequest("결제승인된 거래건이 아닙니다.")
	}
	data, err := getObjList(rq.body, "data")
	if err != nil {
		return paramResult(err)
	}
	if len(data) == 0 {
		return paramResult(missing("data"))
	}
	var total int64
	for _, d := range data {
		for _, k := range []string{"business_registration_number", "company_name"} {
			if _, err := reqStr(d, k, 0); err != nil {
				return paramResult(err)
			}
		}
		cents, present, err := getCents(d, "amount")
		if err != nil {
			return paramResult(err)
		}
		if !present || cents <= 0 {
			return paramResult(missing("amount"))
		}
		total += cents
	}
	if total > p.Amount.Cents() {
		return badRequest("하위 상점 거래 금액의 합이 결제금액보다 큽니다.")
	}
	return okResult(map[string]any{"receipt_url": fmt.Sprintf("https://iniweb.inicis.com/receipt/%s?partners=%d", p.PGTID, len(data))})
}
