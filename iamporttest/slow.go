package iamporttest

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/iamport-go/iamport"
)

// A real payment gateway is slow, eventually consistent and concurrent: a
// charge takes seconds at the card company and keeps running after the
// merchant's connection is gone; lookups are served from replicas that show
// a change only after a while; two requests for the same order race. The
// options in this file make the fake behave that way. Processing latency and
// lookup lag are real (wall-clock) time, not the fake clock, because the
// client's timeouts they are meant to test are real time; the fake clock
// stands still while a request is processed.

// WithLatency makes every request that moves money or changes a schedule
// (onetime, again, schedule retry, cancel, billing-key save, schedule,
// unschedule, schedule update and reschedule) take a processing time drawn
// uniformly from [min, max] of real time. The processing is detached from
// the request: a client that gives up, a gateway that answers 504 or a
// connection that is reset does not stop it, as at a real PG.
//
// Onetime and again charges and cancels are checked on arrival and
// completed after the latency: two racing charges of one merchant_uid both
// pass the "already paid" check unless one was paid before the other
// arrived, and two racing cancels with the same checksum both pass the
// checksum check, as at iamport. Meanwhile the charge is invisible to
// lookups, or visible as a payment in status ready with WithPendingVisible.
// A schedule retry is checked on arrival and charged after the latency. The
// other writes run whole after the latency. Scheduled payments that run
// when the fake clock moves are not delayed.
func WithLatency(min, max time.Duration) Option {
	return func(c *config) { c.latMin, c.latMax = min, max }
}

// WithPendingVisible makes a charge that is still processing (see
// WithLatency) visible to lookups as a payment in status ready, as some PGs
// show it; by default it is invisible until it is decided.
func WithPendingVisible() Option {
	return func(c *config) { c.pendingVisible = true }
}

// WithLookupLag makes lookups eventually consistent: GET /payments/{imp_uid},
// /payments/find, /payments/findAll, the multi-get, the status list, a
// billing key's payments and every schedule lookup show the fake's state as
// it was d of real time ago. A payment made less than d ago is not found
// yet; a cancel shows in the cancel history only after d. Writes always see
// the current state (a cancel's checksum is checked against the real
// balance). The inspection methods (Payments, Schedules) show the current
// state.
func WithLookupLag(d time.Duration) Option {
	return func(c *config) { c.lag = d }
}

// WithRandSeed seeds the random source that draws latencies (default: a
// random seed).
func WithRandSeed(seed uint64) Option {
	return func(c *config) { c.seed, c.seedSet = seed, true }
}

// SetLatency changes the processing latency of WithLatency for requests that
// arrive from now on.
func (s *Server) SetLatency(min, max time.Duration) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cfg.latMin, c.cfg.latMax = min, max
}

// SetLookupLag changes the lookup lag of WithLookupLag from now on.
func (s *Server) SetLookupLag(d time.Duration) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cfg.lag = d
}

// Processing returns how many requests are being processed in the
// background (see WithLatency).
func (s *Server) Processing() int {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.inFlight
}

// Await blocks until no request concerning any of ids (merchant_uids,
// imp_uids or customer_uids, as they appear in the request's path or body)
// is being processed, or ctx ends. With no ids it waits until nothing is
// processing at all. After Close, processing completes at once. A test calls it before it inspects the fake's records
// after a call whose answer was lost.
func (s *Server) Await(ctx context.Context, ids ...string) error {
	c := s.c
	for {
		c.mu.Lock()
		busy := c.inFlight > 0
		if len(ids) > 0 {
			busy = false
			for _, id := range ids {
				if c.busy[id] > 0 {
					busy = true
					break
				}
			}
		}
		ch := c.changed
		c.mu.Unlock()
		if !busy {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// latency draws the processing time of one request. Call with mu held.
func (c *core) latency() time.Duration {
	lo, hi := c.cfg.latMin, c.cfg.latMax
	if hi < lo {
		hi = lo
	}
	if hi <= 0 {
		return 0
	}
	if c.rng == nil {
		seed := c.cfg.seed
		if !c.cfg.seedSet {
			seed = rand.Uint64()
		}
		c.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	}
	return max(lo, 0) + time.Duration(c.rng.Int64N(int64(hi-max(lo, 0))+1))
}

// begin marks the ids as being processed. Call with mu held.
func (c *core) begin(ids []string) {
	c.inFlight++
	for _, id := range ids {
		c.busy[id]++
	}
}

// end marks the ids as processed and wakes the waiters of Await. Call with
// mu held.
func (c *core) end(ids []string) {
	c.inFlight--
	for _, id := range ids {
		if c.busy[id]--; c.busy[id] <= 0 {
			delete(c.busy, id)
		}
	}
	close(c.changed)
	c.changed = make(chan struct{})
}

// sleepDetached waits d of real time, or until the server closes. It is not
// bound to any request: processing goes on when the client is gone.
func (c *core) sleepDetached(d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.closed:
	}
}

// processing is a request being processed in the background.
type processing struct {
	done chan response // receives the answer once, then is closed
}

// process runs commit after d in the background, delivers its webhooks and
// hands its answer to the returned processing. ids were marked busy by the
// caller (with mu held) and are released when it is done.
func (s *Server) process(d time.Duration, ids []string, commit func() result) *processing {
	c := s.c
	pr := &processing{done: make(chan response, 1)}
	go func() {
		defer close(pr.done)
		c.sleepDetached(d)
		var r result
		func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			defer func() {
				if rec := recover(); rec != nil {
					r = failResult(500, -1, "일시적인 오류가 발생했습니다.")
				}
			}()
			r = commit()
			for r.commit != nil {
				r = r.commit()
			}
		}()
		c.deliver(r.hooks)
		c.mu.Lock()
		c.end(ids)
		c.mu.Unlock()
		pr.done <- jsonResponse(r)
	}()
	return pr
}

// waitProcessing returns the answer of pr, or the context's or the server's error if
// the client gave up first (the processing goes on).
func (c *core) waitProcessing(ctx context.Context, pr *processing) (response, error) {
	select {
	case resp := <-pr.done:
		return resp, nil
	case <-ctx.Done():
		return response{}, ctx.Err()
	case <-c.closed:
		return response{}, errClosed
	}
}

// requestIDs lists the merchant_uids, imp_uids and customer_uids a request
// names in its path and body, for Await.
func requestIDs(params map[string]string, body map[string]any) []string {
	var ids []string
	add := func(v any) {
		switch v := v.(type) {
		case string:
			if v != "" {
				ids = append(ids, v)
			}
		case []any:
			for _, e := range v {
				if s, ok := e.(string); ok && s != "" {
					ids = append(ids, s)
				}
			}
		}
	}
	for _, k := range []string{"merchant_uid", "imp_uid", "customer_uid"} {
		add(params[k])
		add(body[k])
	}
	if list, ok := body["schedules"].([]any); ok {
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				add(m["merchant_uid"])
			}
		}
	}
	return ids
}

// paymentVersion is a payment as it was at a moment of real time.
type paymentVersion struct {
	at   time.Time
	snap *payment // nil: not visible yet (a hidden pending charge)
}

// record keeps p's current state for lagged lookups. Call with mu held
// after every change of p.
func (c *core) record(p *payment) {
	var snap *payment
	if !p.hidden {
		cp := *p
		cp.Payment = p.snapshot()
		cp.history = nil
		snap = &cp
	}
	p.history = append(p.history, paymentVersion{at: time.Now(), snap: snap})
}

// seen returns p as lookups see it: the current p without lag, or the
// newest version at least the lag old; nil when lookups cannot see it yet.
// Call with mu held.
func (c *core) seen(p *payment) *payment {
	if p == nil {
		return nil
	}
	if c.cfg.lag <= 0 {
		if p.hidden {
			return nil
		}
		return p
	}
	return latest(p.history, time.Now().Add(-c.cfg.lag), func(v paymentVersion) (time.Time, *payment) { return v.at, v.snap })
}

// latest returns the newest version in history made at or before cutoff,
// nil when there is none.
func latest[V, T any](history []V, cutoff time.Time, get func(V) (time.Time, *T)) *T {
	for i := len(history) - 1; i >= 0; i-- {
		if at, v := get(history[i]); !at.After(cutoff) {
			return v
		}
	}
	return nil
}

// visiblePayments lists the payments lookups see, in creation order. Call
// with mu held.
func (c *core) visiblePayments() []*payment {
	out := make([]*payment, 0, len(c.payments))
	for _, p := range c.payments {
		if v := c.seen(p); v != nil {
			out = append(out, v)
		}
	}
	return out
}

// scheduleVersion is a schedule as it was at a moment of real time.
type scheduleVersion struct {
	at   time.Time
	snap *schedule
}

// recordSchedule keeps sc's current state for lagged lookups. Call with mu
// held after every change of sc.
func (c *core) recordSchedule(sc *schedule) {
	cp := *sc
	cp.history = nil
	sc.history = append(sc.history, scheduleVersion{at: time.Now(), snap: &cp})
}

// seenSchedule returns sc as lookups see it (see seen), its payment as
// lookups see that; nil when lookups cannot see it yet. Call with mu held.
func (c *core) seenSchedule(sc *schedule) *schedule {
	if sc == nil || c.cfg.lag <= 0 {
		return sc
	}
	v := latest(sc.history, time.Now().Add(-c.cfg.lag), func(v scheduleVersion) (time.Time, *schedule) { return v.at, v.snap })
	if v == nil {
		return nil
	}
	cp := *v
	cp.pay = c.seen(cp.pay)
	return &cp
}

// visibleSchedules lists the schedules lookups see, in creation order.
// Call with mu held.
func (c *core) visibleSchedules() []*schedule {
	out := make([]*schedule, 0, len(c.schedList))
	for _, sc := range c.schedList {
		if v := c.seenSchedule(sc); v != nil {
			out = append(out, v)
		}
	}
	return out
}

// PaymentsOf returns the payments of merchantUID, in creation order
// (copies, current state, as Payments).
func (s *Server) PaymentsOf(merchantUID string) []iamport.Payment {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []iamport.Payment
	for _, p := range c.payments {
		if p.MerchantUID == merchantUID {
			out = append(out, p.snapshot())
		}
	}
	return out
}

// ScheduleOf returns the schedule of merchantUID (a copy, current state, as
// Schedules), and false when there is none.
func (s *Server) ScheduleOf(merchantUID string) (iamport.Schedule, bool) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	sc, ok := c.schedules[merchantUID]
	if !ok {
		return iamport.Schedule{}, false
	}
	return sc.snapshot(), true
}

// BillingKeyOf returns the billing key stored under customerUID (a copy),
// and false when there is none.
func (s *Server) BillingKeyOf(customerUID string) (iamport.BillingKey, bool) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.keys[customerUID]
	if !ok {
		return iamport.BillingKey{}, false
	}
	return k.BillingKey, true
}
