package iamporttest

import (
	"sort"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/internal/rules"
)

const (
	maxMerchantUID = rules.MaxMerchantUID
	maxCustomerUID = rules.MaxCustomerUID
	maxPG          = 80 // pg: "{pg}" or "{pg}.{MID}"
	maxChannel     = 55 // channel_key, channelGroupId, channel_group_id
	pgProvider     = "nice"
)

// pgID is the MID payments and keys are made on.
func (c *core) pgID() string {
	if c.cfg.sandbox {
		return "nictest04m"
	}
	return "iamport00m"
}

// customerInfo is the customer_* data stored with a billing key.
type customerInfo struct {
	id, name, tel, email, addr, postcode string
}

func readCustomer(body map[string]any) (customerInfo, error) {
	var ci customerInfo
	for _, f := range []struct {
		k   string
		dst *string
		max int
	}{
		// The documented limits (customer_name 20, customer_tel 20, ...)
		// are not enforced by iamport: not by the fake either.
		{"customer_id", &ci.id, 0}, {"customer_name", &ci.name, 0}, {"customer_tel", &ci.tel, 0},
		{"customer_email", &ci.email, 0}, {"customer_addr", &ci.addr, 0}, {"customer_postcode", &ci.postcode, 0},
	} {
		v, err := optStr(body, f.k, f.max)
		if err != nil {
			return ci, err
		}
		*f.dst = v
	}
	return ci, nil
}

// issueKey stores cd under customerUID, replacing the card of an existing
// key (which keeps its insert time). Call with mu held.
func (c *core) issueKey(customerUID string, cd *card, ci customerInfo) *billingKey {
	now := c.nowSec()
	k, ok := c.keys[customerUID]
	if !ok {
		k = &billingKey{seq: c.next()}
		k.CustomerUID = customerUID
		k.Inserted = now
		c.keys[customerUID] = k
	}
	k.PGProvider = pgProvider
	k.PGID = c.pgID()
	k.Sandbox = c.cfg.sandbox
	k.CardName, k.CardCode, k.CardNumber, k.CardType = cd.name, cd.code, cd.masked, cd.cardType
	k.CustomerID = ci.id
	k.CustomerName, k.CustomerTel, k.CustomerEmail = ci.name, ci.tel, ci.email
	k.CustomerAddr, k.CustomerPostcode = ci.addr, ci.postcode
	k.Updated = now
	k.decline = cd.decline
	return k
}

// customerUIDParam reads and checks the {customer_uid} path parameter.
func customerUIDParam(rq *apiRequest) (string, *result) {
	uid := rq.params["customer_uid"]
	if rules.CharLen(uid) > maxCustomerUID {
		r := badRequest("customer_uid 파라메터는 최대 80자까지 입력할 수 있습니다.")
		return "", &r
	}
	return uid, nil
}

// saveBillingKey is POST /subscribe/customers/{customer_uid}.
func (c *core) saveBillingKey(rq *apiRequest) result {
	uid, bad := customerUIDParam(rq)
	if bad != nil {
		return *bad
	}
	ci, err := readCustomer(rq.body)
	if err != nil {
		return paramResult(err)
	}
	if err := checkLengths(rq.body, map[string]int{"pg": maxPG, "channel_key": maxChannel, "channel_group_id": maxChannel}); err != nil {
		return paramResult(err)
	}
	cd, _, res := c.readCard(rq.body, true)
	if res != nil {
		return *res
	}
	return okResult(wireKey(c.issueKey(uid, cd, ci)))
}

// getBillingKey is GET /subscribe/customers/{customer_uid}. An unknown key
// answers HTTP 200 with code 1, as the live API does.
func (c *core) getBillingKey(rq *apiRequest) result {
	uid := rq.params["customer_uid"]
	k, ok := c.keys[uid]
	if !ok {
		return business(1, msgKeyNotFound(uid))
	}
	return okResult(wireKey(k))
}

// deleteBillingKey is DELETE /subscribe/customers/{customer_uid}. Pending
// schedules of the key stay; when they run they fail.
func (c *core) deleteBillingKey(rq *apiRequest) result {
	uid := rq.params["customer_uid"]
	k, ok := c.keys[uid]
	if !ok {
		return business(1, msgKeyNotFound(uid))
	}
	delete(c.keys, uid)
	return okResult(wireKey(k))
}

// getBillingKeys is GET /subscribe/customers?customer_uid[]=...: 207 when
// some are missing, 404 when all are.
func (c *core) getBillingKeys(rq *apiRequest) result {
	uids := queryList(rq.query, "customer_uid")
	if len(uids) == 0 {
		return badRequest(missing("customer_uid[]").msg)
	}
	list := make([]any, 0, len(uids))
	for _, uid := range uids {
		if k, ok := c.keys[uid]; ok {
			list = append(list, wireKey(k))
		}
	}
	return lookupResult(list, len(uids), "요청하신 customer_uid로 등록된 정보를 찾을 수 없습니다.")
}

// billingKeyPayments is GET /subscribe/customers/{customer_uid}/payments,
// newest first, 20 per page.
func (c *core) billingKeyPayments(rq *apiRequest) result {
	uid := rq.params["customer_uid"]
	pageNo, res := pageParam(rq)
	if res != nil {
		return *res
	}
	var ps []*payment
	for _, p := range c.visiblePayments() {
		if p.CustomerUID == uid {
			ps = append(ps, p)
		}
	}
	if _, ok := c.keys[uid]; !ok && len(ps) == 0 {
		return notFound(msgNoPayment)
	}
	sortPayments(ps, "-started")
	return okResult(page(len(ps), pageNo, 20, wirePayments(slicePage(ps, pageNo, 20))))
}

// pageParam reads the 1-based page query parameter.
func pageParam(rq *apiRequest) (int, *result) {
	n, present, err := queryInt(rq.query, "page")
	if err != nil || (present && n < 1) {
		r := badRequest(badParam("page").msg)
		return 0, &r
	}
	if !present {
		n = 1
	}
	if n > 1<<20 {
		n = 1 << 20
	}
	return int(n), nil
}

// sortedKeys lists the keys in issue order. Call with mu held.
func (c *core) sortedKeys() []*billingKey {
	ks := make([]*billingKey, 0, len(c.keys))
	for _, k := range c.keys {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i].seq < ks[j].seq })
	return ks
}

// BillingKeys returns the billing keys currently stored, in the order they
// were first issued (copies).
func (s *Server) BillingKeys() []iamport.BillingKey {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	ks := c.sortedKeys()
	out := make([]iamport.BillingKey, len(ks))
	for i, k := range ks {
		out[i] = k.BillingKey
	}
	return out
}
