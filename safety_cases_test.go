package iamport_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// The cases of a slow, lagging, concurrent world in which the SDK used to
// charge or refund twice, report a false success, or lose an outcome. Each
// TestSafetyCaseNN is one of them.

// failAfter passes the first pass requests whose path starts with prefix to
// rt, and answers every later one with a 503, as a lookup endpoint that
// went down after the charge was sent.
type failAfter struct {
	rt     http.RoundTripper
	prefix string
	pass   int

	mu   sync.Mutex
	seen int
}

func (f *failAfter) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasPrefix(req.URL.Path, f.prefix) {
		f.mu.Lock()
		f.seen++
		n := f.seen
		f.mu.Unlock()
		if n > f.pass {
			return jsonResponse(http.StatusServiceUnavailable, failure(-1, "service unavailable")), nil
		}
	}
	return f.rt.RoundTrip(req)
}

// timeoutError is a connection-level i/o timeout.
type timeoutError struct{}

func (timeoutError) Error() string   { return "read tcp: i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// lagging answers with before until lag has passed since the first request
// it answered, then with after: a lookup that shows a change late.
func lagging(lag time.Duration, before, after httpmock.Responder) httpmock.Responder {
	var once sync.Once
	var since time.Time
	return func(req *http.Request) (*http.Response, error) {
		once.Do(func() { since = time.Now() })
		if time.Since(since) < lag {
			return before(req)
		}
		return after(req)
	}
}

func againReq(merchantUID string) *iamport.AgainRequest {
	return &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: merchantUID, Amount: 8900, Name: "이용권"}
}

// paidBy is the paid payment of merchantUID charged to cust-1.
func paidBy(merchantUID string, kv ...any) map[string]any {
	return payment(merchantUID, append([]any{"customer_uid", "cust-1", "paid_at", time.Now().Unix()}, kv...)...)
}

// slowPG is a payment gateway over a real socket whose charges keep running
// after their answer: POST /subscribe/payments/again answers 500 at once,
// and the charge shows in GET /payments/findAll/{merchant_uid} only lag
// later. It charges every request it gets.
type slowPG struct {
	lag time.Duration

	mu       sync.Mutex
	payments []map[string]any
	visible  []time.Time
	charges  int
}

func (pg *slowPG) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	pg.mu.Lock()
	defer pg.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/users/getToken":
		now := time.Now().Unix()
		_, _ = io.WriteString(w, envelope(map[string]any{"access_token": "slow-token", "now": now, "expired_at": now + 1800}))
	case r.Method == http.MethodPost && r.URL.Path == againPath:
		var req struct {
			MerchantUID string `json:"merchant_uid"`
			CustomerUID string `json:"customer_uid"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		pg.charges++
		pg.payments = append(pg.payments, paidBy(req.MerchantUID, "imp_uid", fmt.Sprintf("imp_%012d", pg.charges)))
		pg.visible = append(pg.visible, time.Now().Add(pg.lag))
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "<html>Internal Server Error</html>")
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, findAllPrefix):
		mid := strings.TrimPrefix(r.URL.Path, findAllPrefix)
		var list []any
		for i, p := range pg.payments {
			if p["merchant_uid"] == mid && time.Now().After(pg.visible[i]) {
				list = append(list, p)
			}
		}
		if len(list) == 0 {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, failure(1, "존재하지 않는 결제정보입니다."))
			return
		}
		_, _ = io.WriteString(w, envelope(map[string]any{"total": len(list), "previous": 0, "next": 0, "list": list}))
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, failure(1, "no route"))
	}
}

// 1. A charge answered 500 at once but still running, invisible to lookups
// for longer than a quarter of the reconcile timeout, is never sent again:
// it is found once it shows, and charged once.
func TestSafetyCase01_ChargeStillRunningAfter500IsNotResent(t *testing.T) {
	t.Parallel()
	pg := &slowPG{lag: 1500 * time.Millisecond}
	srv := httptest.NewServer(pg)
	defer srv.Close()
	c, err := iamport.New(testKey, testSecret, iamport.WithBaseURL(srv.URL), iamport.WithReconcileTimeout(20*time.Second),
		iamport.WithRetry(iamport.RetryPolicy{MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}))
	require.NoError(t, err)
	p, err := c.Again(bg, againReq("order-c1"))
	require.NoError(t, err, "the charge showed up within the reconcile timeout")
	require.True(t, p.Paid())
	pg.mu.Lock()
	defer pg.mu.Unlock()
	require.Equal(t, 1, pg.charges, "charged once")

	// And when it does not show within the reconcile timeout: unknown.
	m := newMock(t)
	m.on(http.MethodPost, againPath, seq(raw(500, "text/html", "<html>500</html>"), ok(paidBy("order-c1"))))
	_, err = m.client(iamport.WithReconcileTimeout(1500*time.Millisecond)).Again(bg, againReq("order-c1"))
	var ou *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	require.Equal(t, 1, m.count(http.MethodPost, againPath))
}

// 2. Every timeout is "may still be running": a gateway's 504, a 408, a
// connection-level i/o timeout, a reset after the request was written.
// None is sent again; with nothing shown, the outcome is unknown.
func TestSafetyCase02_EveryTimeoutMayStillBeRunning(t *testing.T) {
	t.Parallel()
	for name, answer := range map[string]httpmock.Responder{
		"504 from a gateway": raw(504, "text/html", "<html>Gateway Timeout</html>"),
		"408":                reply(408, failure(-1, "Request Timeout")),
		"i/o timeout":        fail(timeoutError{}),
		"reset after write":  fail(lostAnswer),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(http.MethodPost, againPath, seq(answer, ok(paidBy("order-c2"))))
			_, err := m.client(iamport.WithReconcileTimeout(1500*time.Millisecond)).Again(bg, againReq("order-c2"))
			var ou *iamport.OutcomeUnknownError
			require.ErrorAs(t, err, &ou)
			require.Equal(t, "order-c2", ou.MerchantUID)
			require.Equal(t, 1, m.count(http.MethodPost, againPath), "never sent again")
		})
	}
}

// 3. Lookups that fail for a while and then answer "not found" once prove
// nothing: the charge is not sent again.
func TestSafetyCase03_OneNotFoundAfterFailedLookupsIsNoProof(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, againPath, seq(fail(lostAnswer), ok(paidBy("order-c3"))))
	m.on(http.MethodGet, findAllPrefix+"order-c3", seq(attempts(),
		lagging(1200*time.Millisecond, reply(503, failure(-1, "unavailable")), attempts())))
	_, err := m.client(iamport.WithReconcileTimeout(2500*time.Millisecond)).Again(bg, againReq("order-c3"))
	var ou *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	require.Equal(t, 1, m.count(http.MethodPost, againPath))
}

// 4. Two goroutines charging one merchant_uid on one Client: the second is
// refused with ErrChargeInFlight while the first is in flight, and nothing
// is charged twice. Once the first is done, the merchant_uid is free again.
func TestSafetyCase04_ConcurrentChargesOfOneOrder(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	entered, release := make(chan struct{}), make(chan struct{})
	var posts atomic.Int32
	m.on(http.MethodPost, againPath, func(req *http.Request) (*http.Response, error) {
		var body struct {
			MerchantUID string `json:"merchant_uid"`
		}
		_ = json.NewDecoder(req.Body).Decode(&body)
		n := posts.Add(1)
		if n == 1 {
			close(entered)
			<-release
		}
		// Each charge is a payment of its own: a later charge of the order
		// answered with the first one's imp_uid would not be a new charge.
		return ok(paidBy(body.MerchantUID, "imp_uid", fmt.Sprintf("imp_c4_%d", n)))(req)
	})
	c := m.client()
	first := make(chan error, 1)
	go func() {
		_, err := c.Again(bg, againReq("order-c4"))
		first <- err
	}()
	<-entered
	_, err := c.Again(bg, againReq("order-c4"))
	require.ErrorIs(t, err, iamport.ErrChargeInFlight)
	require.Contains(t, err.Error(), "order-c4")
	_, err = c.Again(bg, againReq("order-c4-other"))
	require.NoError(t, err, "another order is not held up")
	close(release)
	require.NoError(t, <-first)
	sent := 0
	for _, r := range m.calls(http.MethodPost, againPath) {
		if strings.Contains(r.Body, `"merchant_uid":"order-c4"`) {
			sent++
		}
	}
	require.Equal(t, 1, sent, "order-c4 was sent once")

	_, err = c.Again(bg, againReq("order-c4"))
	require.NoError(t, err, "after the first returned, the merchant_uid is free")
}

// refundPG is a payment of 10000 whose cancels are processed on arrival
// (checksum checked against the balance), answered with a lost answer the
// first time, and shown to lookups only lag after they were made.
type refundPG struct {
	lag         time.Duration
	lostFirst   bool // the first cancel's answer is lost after it applied
	lostRefused bool // a cancel whose checksum is wrong: its answer is lost too

	mu      sync.Mutex
	cancels []map[string]any
	shown   []time.Time
	posts   int
}

func (pg *refundPG) state(now time.Time) map[string]any {
	var hist []any
	total := 0.0
	for i, h := range pg.cancels {
		if now.After(pg.shown[i]) {
			hist = append(hist, h)
			total += h["amount"].(float64)
		}
	}
	return payment("order-r", "imp_uid", "imp_1", "amount", 10000, "cancel_amount", total, "cancel_history", hist)
}

func (pg *refundPG) balance() float64 {
	total := 0.0
	for _, h := range pg.cancels {
		total += h["amount"].(float64)
	}
	return 10000 - total
}

func (pg *refundPG) get(*http.Request) (*http.Response, error) {
	pg.mu.Lock()
	defer pg.mu.Unlock()
	return ok(pg.state(time.Now()))(nil)
}

func (pg *refundPG) cancel(req *http.Request) (*http.Response, error) {
	var body struct {
		Amount   float64 `json:"amount"`
		Checksum float64 `json:"checksum"`
	}
	b, _ := io.ReadAll(req.Body)
	_ = json.Unmarshal(b, &body)
	pg.mu.Lock()
	defer pg.mu.Unlock()
	pg.posts++
	if body.Checksum != pg.balance() {
		if pg.lostRefused {
			return nil, lostAnswer // refused before processing; the answer is lost
		}
		return reply(200, failure(1, "checksum mismatch"))(req)
	}
	pg.cancels = append(pg.cancels, map[string]any{"amount": body.Amount, "cancelled_at": time.Now().Unix()})
	pg.shown = append(pg.shown, time.Now().Add(pg.lag))
	if pg.lostFirst && pg.posts == 1 {
		return nil, timeoutError{}
	}
	return ok(pg.state(time.Now().Add(pg.lag)))(req)
}

func (pg *refundPG) mock(t *testing.T) *mock {
	m := newMock(t)
	m.on(http.MethodGet, "/payments/imp_1", pg.get)
	m.on(http.MethodPost, cancelPath, pg.cancel)
	return m
}

// 5. A refund whose answer timed out is never sent again: the lagging
// lookup is polled until it shows the refund, made once.
func TestSafetyCase05_TimedOutRefundIsNotResent(t *testing.T) {
	t.Parallel()
	pg := &refundPG{lag: 1500 * time.Millisecond, lostFirst: true}
	m := pg.mock(t)
	p, err := m.client(iamport.WithReconcileTimeout(5*time.Second)).CancelPayment(bg,
		&iamport.CancelRequest{ImpUID: "imp_1", Amount: 3000})
	require.NoError(t, err)
	require.Equal(t, iamport.Amount(7000), p.Balance())
	pg.mu.Lock()
	defer pg.mu.Unlock()
	require.Len(t, pg.cancels, 1, "refunded once")
	require.Equal(t, 1, pg.posts)
}

// 6. A cycle paid late, after its first retry failed and its second was
// booked, revokes every pending attempt of the cycle, not only the next.
func TestSafetyCase06_PaidCycleRevokesEveryPendingAttempt(t *testing.T) {
	t.Parallel()
	plan := &iamport.Plan{CustomerUID: "cust-1", Amount: 8900, Anchor: futureSecond(time.Hour)}
	m := newMock(t)
	m.on(http.MethodGet, getSchedule+plan.MerchantUID(1, 1), ok(schedule("cust-1", plan.MerchantUID(1, 1),
		plan.BillingTime(1).Unix(), "schedule_status", "executed", "payment_status", "failed")))
	m.on(http.MethodGet, getSchedule+plan.MerchantUID(1, 2), ok(schedule("cust-1", plan.MerchantUID(1, 2), plan.BillingTime(1).Add(72*time.Hour).Unix())))
	m.on(http.MethodGet, getSchedule+plan.MerchantUID(1, 3), reply(404, failure(1, "not found")))
	m.on(http.MethodPost, unschedulePath, ok([]any{schedule("cust-1", plan.MerchantUID(1, 2), plan.BillingTime(1).Add(72*time.Hour).Unix(),
		"schedule_status", "revoked")}))
	m.on(http.MethodPost, schedulePath, ok([]any{schedule("cust-1", plan.MerchantUID(2, 0), plan.BillingTime(2).Unix())}))

	// The cycle is charged by hand (Again with its first merchant_uid).
	paid := &iamport.Payment{MerchantUID: plan.MerchantUID(1, 0), CustomerUID: "cust-1", Status: iamport.PaymentStatusPaid, Amount: 8900}
	s, err := m.client().ScheduleFollowUp(bg, plan, paid)
	require.NoError(t, err)
	require.Equal(t, plan.MerchantUID(2, 0), s.MerchantUID)
	require.JSONEq(t, `{"customer_uid":"cust-1","merchant_uid":["`+plan.MerchantUID(1, 1)+`","`+plan.MerchantUID(1, 2)+`","`+plan.MerchantUID(1, 3)+`"]}`,
		m.only(http.MethodPost, unschedulePath).Body,
		"every other attempt is unscheduled by name: iamport revokes the pending second retry, whatever a lookup says of the others")
}

// 7. A payment found while reconciling is this call's only if it is of
// this merchant_uid exactly, of the amount asked for, and of the billing
// key charged.
func TestSafetyCase07_LookupsProveWhatTheyClaim(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		merchantUID, path string
		found             map[string]any
	}{
		"another merchant_uid": {"order-1/paid", findAllPrefix + "order-1%2Fpaid", paidBy("order-1")},
		"another amount":       {"order-c7", findAllPrefix + "order-c7", paidBy("order-c7", "amount", 99000)},
		"another billing key":  {"order-c7", findAllPrefix + "order-c7", paidBy("order-c7", "customer_uid", "cust-2")},
		"another currency":     {"order-c7", findAllPrefix + "order-c7", paidBy("order-c7", "currency", "USD")},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(http.MethodPost, againPath, fail(lostAnswer))
			m.on(http.MethodGet, tc.path, appears(tc.found))
			p, err := m.client(iamport.WithReconcileTimeout(300*time.Millisecond)).Again(bg, againReq(tc.merchantUID))
			require.Nil(t, p)
			var ou *iamport.OutcomeUnknownError
			require.ErrorAs(t, err, &ou, "nothing proves this call charged")
			require.Greater(t, m.count(http.MethodGet, tc.path), 1)
		})
	}
}

// 8. Two equal partial refunds racing on one Client with the same checksum:
// one is made; the other, refused before processing with its answer lost,
// is never reported as done.
func TestSafetyCase08_EqualPartialRefundsRacing(t *testing.T) {
	t.Parallel()
	pg := &refundPG{lostRefused: true}
	m := pg.mock(t)
	c := m.client()
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := c.CancelPayment(bg, &iamport.CancelRequest{ImpUID: "imp_1", Amount: 3000, Checksum: iamport.Ptr(iamport.Amount(10000))})
			errs <- err
		}()
	}
	var done, failed []error
	for range 2 {
		if err := <-errs; err == nil {
			done = append(done, err)
		} else {
			failed = append(failed, err)
		}
	}
	pg.mu.Lock()
	defer pg.mu.Unlock()
	require.Len(t, pg.cancels, 1, "one refund was made")
	require.Len(t, done, 1, "and only one is reported as made")
	require.Len(t, failed, 1)
	require.Contains(t, failed[0].Error(), "not applied")
}

// 9. Schedule and Unschedule report exactly what was done: an answer
// listing fewer schedules than asked for is not a success; a lost answer to
// an Unschedule of everything is not "nothing revoked"; an unschedule of
// an executed and a pending schedule says the executed one was not revoked.
func TestSafetyCase09_ScheduleAndUnscheduleAreCheckedEntryByEntry(t *testing.T) {
	t.Parallel()
	at := futureSecond(24 * time.Hour)
	t.Run("an answer with fewer schedules", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, schedulePath, ok([]any{schedule("cust-1", "sub-1", at.Unix(), "amount", 9900)}))
		m.on(http.MethodGet, getSchedule+"sub-1", ok(schedule("cust-1", "sub-1", at.Unix(), "amount", 9900)))
		m.on(http.MethodGet, getSchedule+"sub-2", reply(404, failure(1, "not found")))
		out, err := m.client(iamport.WithReconcileTimeout(300*time.Millisecond)).Schedule(bg, &iamport.ScheduleRequest{
			CustomerUID: "cust-1", Schedules: []iamport.ScheduleEntry{
				{MerchantUID: "sub-1", ScheduleAt: at, Amount: 9900}, {MerchantUID: "sub-2", ScheduleAt: at.Add(time.Hour), Amount: 9900},
			}})
		var ou *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &ou)
		require.Equal(t, "sub-2", ou.MerchantUID)
		require.Equal(t, []string{"sub-1"}, uids(out))
		require.Equal(t, 1, m.count(http.MethodPost, schedulePath))
	})
	t.Run("an unschedule of everything whose answer is lost", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, unschedulePath, seq(fail(lostAnswer), reply(200, failure(1, "취소할 예약결제 기록이 존재하지 않습니다."))))
		out, err := m.client().Unschedule(bg, &iamport.UnscheduleRequest{CustomerUID: "cust-1", All: true})
		require.Empty(t, out)
		var ue *iamport.UnscheduleError
		require.ErrorAs(t, err, &ue)
		require.True(t, ue.All)
		var ou *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &ou)
		require.Equal(t, 1, m.count(http.MethodPost, unschedulePath))
	})
	t.Run("an executed and a pending schedule", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, unschedulePath, ok([]any{schedule("cust-1", "sub-2", at.Unix(), "schedule_status", "revoked")}))
		m.on(http.MethodGet, getSchedule+"sub-1", ok(schedule("cust-1", "sub-1", at.Unix(), "schedule_status", "executed")))
		out, err := m.client().Unschedule(bg, &iamport.UnscheduleRequest{CustomerUID: "cust-1", MerchantUIDs: []string{"sub-1", "sub-2"}})
		var ue *iamport.UnscheduleError
		require.ErrorAs(t, err, &ue)
		require.Equal(t, []string{"sub-2"}, uids(ue.Revoked))
		require.Equal(t, []string{"sub-1"}, uids(ue.NotRevoked))
		require.Equal(t, iamport.ScheduleStatusExecuted, ue.NotRevoked[0].ScheduleStatus)
		require.Empty(t, ue.Unknown)
		require.Equal(t, []string{"sub-2"}, uids(out))
	})
}

// 10. A charge found paid and then net-cancelled before the first lookup
// is a *ChargeCancelledError with the Payment, never a nil error.
func TestSafetyCase10_PaidThenCancelledIsItsOwnOutcome(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, againPath, fail(lostAnswer))
	now := time.Now().Unix()
	m.on(http.MethodGet, findAllPrefix+"order-c10", appears(paidBy("order-c10", "status", "cancelled", "cancelled_at", now,
		"cancel_amount", 8900, "cancel_reason", "망취소")))
	p, err := m.client().Again(bg, againReq("order-c10"))
	var ce *iamport.ChargeCancelledError
	require.ErrorAs(t, err, &ce)
	require.Same(t, p, ce.Payment)
	require.Equal(t, iamport.PaymentStatusCancelled, p.Status)
	require.Contains(t, err.Error(), "paid and then cancelled")
}

// 11. A decline of the same order made just before this call is not this
// call's outcome: the lookups go on until this call's attempt shows, paid.
func TestSafetyCase11_EarlierDeclineIsNotThisCallsOutcome(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	earlier := paidBy("order-c11", "imp_uid", "imp_100000000011", "status", "failed", "paid_at", 0,
		"failed_at", time.Now().Add(-2*time.Second).Unix(), "fail_reason", "한도초과")
	mine := paidBy("order-c11", "imp_uid", "imp_100000000012")
	m.on(http.MethodPost, againPath, fail(lostAnswer))
	m.on(http.MethodGet, findAllPrefix+"order-c11", seq(attempts(earlier), attempts(earlier), attempts(earlier), attempts(earlier, mine)))
	p, err := m.client().Again(bg, againReq("order-c11"))
	require.NoError(t, err, "this call charged the card")
	require.Equal(t, "imp_100000000012", p.ImpUID)
	require.Equal(t, 1, m.count(http.MethodPost, againPath))
}

// 12. Cancel and schedule lookups that lag by more than a quarter of the
// reconcile timeout: nothing is sent again (a re-send would be refused, and
// the refusal reported although the first request succeeded); the lookups
// are polled until they show the change.
func TestSafetyCase12_LaggingLookupsArePolledNotResent(t *testing.T) {
	t.Parallel()
	t.Run("cancel", func(t *testing.T) {
		t.Parallel()
		pg := &refundPG{lag: 1500 * time.Millisecond, lostFirst: true}
		m := pg.mock(t)
		p, err := m.client(iamport.WithReconcileTimeout(5*time.Second)).CancelPayment(bg, &iamport.CancelRequest{ImpUID: "imp_1", Amount: 3000})
		require.NoError(t, err)
		require.Equal(t, iamport.Amount(7000), p.Balance())
		require.Equal(t, 1, m.count(http.MethodPost, cancelPath))
	})
	t.Run("schedule", func(t *testing.T) {
		t.Parallel()
		at := futureSecond(24 * time.Hour)
		m := newMock(t)
		m.on(http.MethodPost, schedulePath, seq(fail(lostAnswer), reply(200, failure(1, "이미 등록된 merchant_uid입니다."))))
		m.on(http.MethodGet, getSchedule+"sub-12", lagging(1500*time.Millisecond, reply(404, failure(1, "not found")),
			ok(schedule("cust-1", "sub-12", at.Unix(), "amount", 9900))))
		out, err := m.client(iamport.WithReconcileTimeout(5*time.Second)).Schedule(bg, &iamport.ScheduleRequest{
			CustomerUID: "cust-1", Schedules: []iamport.ScheduleEntry{{MerchantUID: "sub-12", ScheduleAt: at, Amount: 9900}}})
		require.NoError(t, err)
		require.Equal(t, []string{"sub-12"}, uids(out))
		require.Equal(t, 1, m.count(http.MethodPost, schedulePath))
	})
}

// 13. Two lost answers in a row (there is no second request any more, but
// every lost answer) end in an *OutcomeUnknownError, never in an internal
// error type.
func TestSafetyCase13_LostAnswersEndInOutcomeUnknown(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, againPath, fail(lostAnswer))
	m.on(http.MethodPost, onetimePath, raw(502, "text/html", "<html>502</html>"))
	c := m.client(iamport.WithReconcileTimeout(1500 * time.Millisecond))
	for _, call := range []func() error{
		func() error { _, err := c.Again(bg, againReq("order-c13")); return err },
		func() error { _, err := c.Onetime(bg, onetimeReq("order-c13b")); return err },
	} {
		err := call()
		var ou *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &ou)
		require.Equal(t, "*iamport.OutcomeUnknownError", fmt.Sprintf("%T", err))
		require.Contains(t, err.Error(), "FindPayments", "it says how to settle it")
	}
	require.Equal(t, 1, m.count(http.MethodPost, againPath))
	require.Equal(t, 1, m.count(http.MethodPost, onetimePath))
}

// A charge whose look at its order's earlier attempts fails is not sent:
// without it, a lost answer could not be settled.
func TestSafetyChargeNotSentWithoutTheEarlierAttempts(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodGet, findAllPrefix+"order-s0", reply(500, failure(-1, "internal")))
	_, err := m.client(iamport.WithMaxRetries(0)).Again(bg, againReq("order-s0"))
	require.ErrorContains(t, err, "not sent")
	var ou *iamport.OutcomeUnknownError
	require.False(t, errors.As(err, &ou), "nothing was sent: the outcome is known")
	require.Equal(t, 0, m.count(http.MethodPost, againPath))
}
