package iamporttest

import (
	"sort"
	"time"

	"github.com/iamport-go/iamport"
)

const (
	msgScheduleAtPast   = "schedule_at 은 현재 시각 이후여야 합니다."
	msgScheduleDup      = "이미 예약된 주문번호(merchant_uid)입니다."
	msgScheduleNotRun   = "아직 실행되지 않은 결제예약입니다."
	msgScheduleApproved = "이미 승인된 결제예약입니다."
	msgScheduleRange    = "조회기간은 최대 3개월까지 가능합니다."
)

// Schedules returns every schedule, in creation order (copies).
func (s *Server) Schedules() []iamport.Schedule {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]iamport.Schedule, len(c.schedList))
	for i, sc := range c.schedList {
		out[i] = sc.snapshot()
	}
	return out
}

// readScheduleAt reads a required schedule_at that must be in the future.
func (c *core) readScheduleAt(m map[string]any) (int64, *result) {
	at, present, err := getInt(m, "schedule_at")
	if err != nil {
		r := paramResult(err)
		return 0, &r
	}
	if !present {
		r := paramResult(missing("schedule_at"))
		return 0, &r
	}
	if at <= c.now.Unix() {
		r := badRequest(msgScheduleAtPast)
		return 0, &r
	}
	return at, nil
}

// createSchedules is POST /subscribe/payments/schedule. Every entry is
// checked before any is stored. An unknown customer_uid needs card data, from
// which a billing key is issued first; card data sent for an existing key is
// ignored.
func (c *core) createSchedules(rq *apiRequest) result {
	uid, err := reqStr(rq.body, "customer_uid", maxCustomerUID)
	if err != nil {
		return paramResult(err)
	}
	entries, err := getObjList(rq.body, "schedules")
	if err != nil {
		return paramResult(err)
	}
	if len(entries) == 0 {
		return paramResult(missing("schedules"))
	}
	ci, err := readCustomer(rq.body)
	if err != nil {
		return paramResult(err)
	}
	if err := checkLengths(rq.body, map[string]int{"channel_key": maxChannel, "pg": maxPG}); err != nil {
		return paramResult(err)
	}
	type parsed struct {
		o           order
		at          int64
		promotionID string
	}
	ps := make([]parsed, 0, len(entries))
	seen := map[string]bool{}
	for _, e := range entries {
		o, err := readOrder(e)
		if err != nil {
			return paramResult(err)
		}
		at, res := c.readScheduleAt(e)
		if res != nil {
			return *res
		}
		promo, err := optStr(e, "promotion_id", 0)
		if err != nil {
			return paramResult(err)
		}
		if seen[o.merchantUID] {
			return business(1, "요청에 같은 merchant_uid가 두 번 이상 있습니다.")
		}
		seen[o.merchantUID] = true
		ps = append(ps, parsed{o, at, promo})
	}
	for _, p := range ps {
		if _, ok := c.schedules[p.o.merchantUID]; ok {
			return business(1, msgScheduleDup)
		}
		if c.alreadyPaid(p.o.merchantUID) {
			return business(1, msgAlreadyPaid)
		}
	}
	k, ok := c.keys[uid]
	if !ok {
		cd, present, res := c.readCard(rq.body, false)
		if res != nil {
			return *res
		}
		if !present {
			return business(1, msgNoCustomer)
		}
		k = c.issueKey(uid, cd, ci)
	}
	out := make([]any, 0, len(ps))
	for _, p := range ps {
		o := p.o
		o.fillBuyer(k)
		sc := &schedule{seq: c.next(), noticeURL: o.noticeURL, taxFree: o.taxFree, vatAmount: o.vatAmount,
			vatSet: o.vatSet, cardQuota: o.cardQuota}
		s := &sc.Schedule
		s.CustomerUID = uid
		s.MerchantUID = o.merchantUID
		s.PGProvider, s.PGID = k.PGProvider, k.PGID
		s.CustomerID = ci.id
		if s.CustomerID == "" {
			s.CustomerID = k.CustomerID
		}
		s.ScheduleAt = iamport.Unix(p.at)
		s.Amount = amount(o.cents)
		s.Currency = o.currency
		s.Name = o.name
		s.BuyerName, s.BuyerEmail, s.BuyerTel, s.BuyerAddr, s.BuyerPostcode = o.buyer[0], o.buyer[1], o.buyer[2], o.buyer[3], o.buyer[4]
		s.CustomData = o.customData
		s.ScheduleStatus = iamport.ScheduleStatusScheduled
		s.PromotionID = p.promotionID
		c.schedules[s.MerchantUID] = sc
		c.schedList = append(c.schedList, sc)
		c.queueDue(sc)
		c.recordSchedule(sc)
		out = append(out, wireSchedule(sc))
	}
	return okResult(out)
}

// order rebuilds the charge a schedule makes.
func (sc *schedule) order() order {
	s := &sc.Schedule
	return order{
		merchantUID: s.MerchantUID, cents: s.Amount.Cents(), currency: s.Currency,
		taxFree: sc.taxFree, vatAmount: sc.vatAmount, vatSet: sc.vatSet, cardQuota: sc.cardQuota,
		name: s.Name, buyer: [5]string{s.BuyerName, s.BuyerEmail, s.BuyerTel, s.BuyerAddr, s.BuyerPostcode},
		customData: s.CustomData, noticeURL: sc.noticeURL,
	}
}

// chargeSchedule runs sc now: it charges the billing key (a deleted key fails the
// payment) and returns the payment, or nil when the order was already paid
// by another payment. Call with mu held.
func (c *core) chargeSchedule(sc *schedule) *payment {
	s := &sc.Schedule
	s.ExecutedAt = c.nowSec()
	s.RevokedAt = iamport.Time{}
	s.ScheduleStatus = iamport.ScheduleStatusExecuted
	defer c.recordSchedule(sc)
	if c.alreadyPaid(s.MerchantUID) {
		sc.pay = nil
		s.ImpUID, s.PaymentStatus, s.FailReason = "", iamport.PaymentStatusFailed, msgAlreadyPaid
		return nil
	}
	o := sc.order()
	k := c.keys[s.CustomerUID]
	reason := msgUnknownBuyer
	if k != nil {
		reason = c.declineReason(s.CustomerUID, k.decline)
	}
	p := c.makePayment(&o, s.CustomerUID, "payment.scheduled", k, nil, reason)
	sc.pay = p
	return p
}

// runDue executes the earliest pending schedule due at or before target,
// moving the clock to its schedule_at. It reports false when none is due.
// Call with mu held.
func (c *core) runDue(target time.Time) (bool, []webhookJob) {
	next := c.nextDue()
	if next == nil || next.ScheduleAt.After(target) {
		return false, nil
	}
	if next.ScheduleAt.After(c.now) {
		c.now = next.ScheduleAt.Time
	}
	p := c.chargeSchedule(next)
	if p == nil {
		return true, nil
	}
	return true, c.hook(next.noticeURL, p, string(p.Status), "")
}

// scheduleParam finds the schedule of the {merchant_uid} path parameter.
func (c *core) scheduleParam(rq *apiRequest) (*schedule, *result) {
	sc, ok := c.schedules[rq.params["merchant_uid"]]
	if !ok {
		r := notFound(msgNoSchedule)
		return nil, &r
	}
	return sc, nil
}

// getSchedule is GET /subscribe/payments/schedule/{merchant_uid}, as
// lookups see it (see WithLookupLag).
func (c *core) getSchedule(rq *apiRequest) result {
	sc := c.seenSchedule(c.schedules[rq.params["merchant_uid"]])
	if sc == nil {
		return notFound(msgNoSchedule)
	}
	return okResult(wireSchedule(sc))
}

// updateSchedule is PUT /subscribe/payments/schedule/{merchant_uid}: it
// moves a pending schedule.
func (c *core) updateSchedule(rq *apiRequest) result {
	sc, res := c.scheduleParam(rq)
	if res != nil {
		return *res
	}
	at, res := c.readScheduleAt(rq.body)
	if res != nil {
		return *res
	}
	if sc.ScheduleStatus != iamport.ScheduleStatusScheduled {
		return badRequest("예약 상태(scheduled)인 결제예약만 변경할 수 있습니다.")
	}
	sc.ScheduleAt = iamport.Unix(at)
	c.queueDue(sc)
	c.recordSchedule(sc)
	return okResult(wireSchedule(sc))
}

// approved reports whether sc ran and was approved (paid, or paid and then
// refunded).
func (sc *schedule) approved() bool {
	return sc.pay != nil && !sc.pay.PaidAt.IsZero()
}

// rerunnableParam finds the schedule of the {merchant_uid} path parameter
// and checks that it may run again: it ran and was not approved, or it was
// revoked. Reschedule and retry refuse the others with 400.
func (c *core) rerunnableParam(rq *apiRequest) (*schedule, *result) {
	sc, res := c.scheduleParam(rq)
	if res != nil {
		return nil, res
	}
	var r result
	switch {
	case sc.ScheduleStatus == iamport.ScheduleStatusScheduled:
		r = badRequest(msgScheduleNotRun)
	case sc.approved():
		r = badRequest(msgScheduleApproved)
	default:
		return sc, nil
	}
	return nil, &r
}

// rescheduleSchedule is POST
// /subscribe/payments/schedule/{merchant_uid}/reschedule: it books a failed
// or revoked schedule again.
func (c *core) rescheduleSchedule(rq *apiRequest) result {
	sc, res := c.rerunnableParam(rq)
	if res != nil {
		return *res
	}
	at, res := c.readScheduleAt(rq.body)
	if res != nil {
		return *res
	}
	s := &sc.Schedule
	sc.pay = nil
	s.ScheduleAt = iamport.Unix(at)
	s.ScheduleStatus = iamport.ScheduleStatusScheduled
	s.ExecutedAt, s.RevokedAt = iamport.Time{}, iamport.Time{}
	s.ImpUID, s.PaymentStatus, s.FailReason = "", "", ""
	c.queueDue(sc)
	c.recordSchedule(sc)
	return okResult(wireSchedule(sc))
}

// retrySchedule is POST /subscribe/payments/schedule/{merchant_uid}/retry: it
// runs a failed or revoked schedule now and answers the Payment. The result
// is reported to the webhook URL like a scheduled run.
func (c *core) retrySchedule(rq *apiRequest) result {
	sc, res := c.rerunnableParam(rq)
	if res != nil {
		return *res
	}
	if _, ok := c.keys[sc.CustomerUID]; !ok {
		return notFound(msgUnknownBuyer)
	}
	if c.alreadyPaid(sc.MerchantUID) {
		return business(1, msgAlreadyPaid)
	}
	return result{commit: func() result {
		p := c.chargeSchedule(sc)
		if p == nil { // paid by a request that raced this one
			return business(1, msgAlreadyPaid)
		}
		r := okResult(wirePayment(p))
		r.hooks = c.hook(sc.noticeURL, p, string(p.Status), "")
		return r
	}}
}

// unschedule is POST /subscribe/payments/unschedule: it revokes the pending
// schedules named by merchant_uid (one string or a list), or, with only
// customer_uid, all pending schedules of that key.
func (c *core) unschedule(rq *apiRequest) result {
	uid, err := optStr(rq.body, "customer_uid", maxCustomerUID)
	if err != nil {
		return paramResult(err)
	}
	mids, err := getStrList(rq.body, "merchant_uid")
	if err != nil {
		return paramResult(err)
	}
	if uid == "" && len(mids) == 0 {
		return badRequest("customer_uid 또는 merchant_uid 파라메터가 누락되었습니다.")
	}
	var targets []*schedule
	if len(mids) > 0 {
		for _, m := range mids {
			sc, ok := c.schedules[m]
			if ok && sc.ScheduleStatus == iamport.ScheduleStatusScheduled && (uid == "" || sc.CustomerUID == uid) {
				targets = append(targets, sc)
			}
		}
	} else {
		for _, sc := range c.schedList {
			if sc.CustomerUID == uid && sc.ScheduleStatus == iamport.ScheduleStatusScheduled {
				targets = append(targets, sc)
			}
		}
	}
	if len(targets) == 0 {
		return business(1, msgNothingUnschedule)
	}
	out := make([]any, 0, len(targets))
	for _, sc := range targets {
		sc.ScheduleStatus = iamport.ScheduleStatusRevoked
		sc.RevokedAt = c.nowSec()
		c.recordSchedule(sc)
		out = append(out, wireSchedule(sc))
	}
	return okResult(out)
}

// scheduleRange reads a schedule search window [from, to): both required,
// at most three calendar months apart.
func scheduleRange(rq *apiRequest, fromKey, toKey string) (int64, int64, *result) {
	fail := func(err error) (int64, int64, *result) {
		r := paramResult(err)
		return 0, 0, &r
	}
	from, present, err := queryInt(rq.query, fromKey)
	if err != nil {
		return fail(err)
	}
	if !present {
		return fail(missing(fromKey))
	}
	to, present, err := queryInt(rq.query, toKey)
	if err != nil {
		return fail(err)
	}
	if !present {
		return fail(missing(toKey))
	}
	if from > to {
		return fail(&paramError{fromKey + " 은 " + toKey + " 보다 클 수 없습니다."})
	}
	if to > time.Unix(from, 0).In(kst).AddDate(0, 3, 0).Unix() {
		return fail(&paramError{msgScheduleRange})
	}
	return from, to, nil
}

func validScheduleStatus(s string) bool {
	switch s {
	case "", "scheduled", "executed", "revoked":
		return true
	}
	return false
}

// filterSchedules lists the schedules of customerUID ("" = all) with status
// ("" = all) and from <= schedule_at < to, as lookups see them, newest first or, with asc,
// oldest first. Call with mu held.
func (c *core) filterSchedules(customerUID, status string, from, to int64, asc bool) []*schedule {
	var out []*schedule
	for _, sc := range c.visibleSchedules() {
		at := sc.ScheduleAt.Unix()
		if (customerUID == "" || sc.CustomerUID == customerUID) &&
			(status == "" || string(sc.ScheduleStatus) == status) && at >= from && at < to {
			out = append(out, sc)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.ScheduleAt.Equal(b.ScheduleAt.Time) {
			return a.ScheduleAt.Before(b.ScheduleAt.Time) == asc
		}
		return (a.seq < b.seq) == asc
	})
	return out
}

// listSchedules is GET /subscribe/payments/schedule.
func (c *core) listSchedules(rq *apiRequest) result {
	from, to, res := scheduleRange(rq, "schedule_from", "schedule_to")
	if res != nil {
		return *res
	}
	status := rq.query.Get("schedule_status")
	if !validScheduleStatus(status) {
		return badRequest(badParam("schedule_status").msg)
	}
	asc := false
	switch rq.query.Get("sorting") {
	case "", "-scheduled", "-schedule_at":
	case "scheduled", "schedule_at":
		asc = true
	default:
		return badRequest(badParam("sorting").msg)
	}
	pageNo, res := pageParam(rq)
	if res != nil {
		return *res
	}
	limit, res := limitParam(rq)
	if res != nil {
		return *res
	}
	list := c.filterSchedules("", status, from, to, asc)
	return okResult(page(len(list), pageNo, limit, wireSchedules(slicePage(list, pageNo, limit))))
}

// customerSchedules is GET /subscribe/payments/schedule/customers/{customer_uid}
// and GET /subscribe/customers/{customer_uid}/schedules: from and to
// required, "schedule-status" (with a hyphen), page; 20 per page, newest
// first.
func (c *core) customerSchedules(rq *apiRequest) result {
	from, to, res := scheduleRange(rq, "from", "to")
	if res != nil {
		return *res
	}
	status := rq.query.Get("schedule-status")
	if !validScheduleStatus(status) {
		return badRequest(badParam("schedule-status").msg)
	}
	pageNo, res := pageParam(rq)
	if res != nil {
		return *res
	}
	list := c.filterSchedules(rq.params["customer_uid"], status, from, to, false)
	return okResult(page(len(list), pageNo, 20, wireSchedules(slicePage(list, pageNo, 20))))
}

// Now returns the fake clock's time.
func (s *Server) Now() time.Time {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the fake clock forward by d and runs every schedule that
// comes due, in schedule_at order. The clock steps to each schedule's
// schedule_at while it runs, so the payment's paid_at and the webhook's time
// are the schedule's, and a schedule a webhook receiver books before the end
// of d runs in the same Advance. Each webhook is delivered before the next
// schedule runs, with the fake unlocked, so receivers may call the fake. A
// negative d moves the clock back and runs nothing. Advance must not be
// called from a webhook receiver.
func (s *Server) Advance(d time.Duration) {
	c := s.c
	c.mu.Lock()
	target := c.now.Add(d)
	c.mu.Unlock()
	s.moveTo(target, d < 0)
}

// SetTime sets the fake clock to t, running every schedule due by then as
// Advance does. Setting it back in time runs nothing.
func (s *Server) SetTime(t time.Time) { s.moveTo(t, true) }

// moveTo runs the schedules due by target and sets the clock to it. back
// allows moving the clock backwards.
func (s *Server) moveTo(target time.Time, back bool) {
	c := s.c
	for {
		c.mu.Lock()
		if !target.After(c.now) {
			if back {
				c.now = target
			}
			c.mu.Unlock()
			return
		}
		ran, hooks := c.runDue(target)
		if !ran {
			c.now = target
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		c.deliver(hooks)
	}
}
