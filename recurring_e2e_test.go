package iamport_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// e2eMerchant is a merchant backend as WebhookHandler's documentation
// recommends: it records each verified payment once per (imp_uid, status)
// and then schedules the follow-up, which is safe to repeat.
type e2eMerchant struct {
	c    *iamport.Client
	plan *iamport.Plan

	mu          sync.Mutex
	calls       int
	records     map[string]iamport.Payment // by imp_uid/status
	paidByCycle map[int][]string           // imp_uids
	exhausted   map[int]bool
	wrongAmount []string
}

func newE2EMerchant(c *iamport.Client, plan *iamport.Plan) *e2eMerchant {
	return &e2eMerchant{c: c, plan: plan, records: map[string]iamport.Payment{},
		paidByCycle: map[int][]string{}, exhausted: map[int]bool{}}
}

func (m *e2eMerchant) handle(ctx context.Context, p *iamport.Payment, _ *iamport.WebhookEvent) error {
	cycle, _, err := m.plan.ParseMerchantUID(p.MerchantUID)
	m.mu.Lock()
	m.calls++
	switch {
	case err != nil:
		m.mu.Unlock()
		return nil // not a payment of this plan
	case !p.Amount.Equal(m.plan.Amount):
		m.wrongAmount = append(m.wrongAmount, p.ImpUID)
		m.mu.Unlock()
		return nil
	}
	key := p.ImpUID + "/" + string(p.Status)
	if _, dup := m.records[key]; !dup {
		m.records[key] = *p
		if p.Paid() {
			m.paidByCycle[cycle] = append(m.paidByCycle[cycle], p.ImpUID)
		}
	}
	m.mu.Unlock()

	_, err = m.c.ScheduleFollowUp(ctx, m.plan, p)
	switch {
	case errors.Is(err, iamport.ErrRetriesExhausted):
		m.mu.Lock()
		m.exhausted[cycle] = true
		m.mu.Unlock()
		return nil
	case errors.Is(err, iamport.ErrNoFollowUp):
		return nil
	}
	return err
}

// e2eSetup starts the fake with its webhooks pointed at a WebhookHandler
// serving m, saves a billing key and schedules the first cycle.
func e2eSetup(t *testing.T, plan *iamport.Plan, start time.Time, opts ...iamporttest.Option) (*iamporttest.Server, *e2eMerchant, string) {
	t.Helper()
	mux := http.NewServeMux()
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	hook := hs.URL + "/iamport/webhook"
	srv := iamporttest.NewServer(append([]iamporttest.Option{iamporttest.WithWebhookURL(hook), iamporttest.WithStartTime(start)}, opts...)...)
	t.Cleanup(srv.Close)
	c := srv.Client()
	m := newE2EMerchant(c, plan)
	mux.Handle("/iamport/webhook", iamport.WebhookHandler(c, m.handle, iamport.WithAllowedSources("127.0.0.1", "::1")))

	ctx := context.Background()
	_, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: plan.CustomerUID,
		CardNumber: iamporttest.CardApproved, Expiry: "2035-12", Birth: "900101", Pwd2Digit: "00"})
	require.NoError(t, err)
	s, err := c.ScheduleCycle(ctx, plan, 1)
	require.NoError(t, err)
	require.Equal(t, plan.MerchantUID(1, 0), s.MerchantUID)
	return srv, m, hook
}

// redeliver POSTs every recorded webhook to the handler again, twice at
// once, as iamport's re-delivery or a console resend would.
func redeliver(t *testing.T, hook string, ds []iamporttest.WebhookDelivery) {
	t.Helper()
	var wg sync.WaitGroup
	codes := make([]int, 2*len(ds))
	for i, d := range ds {
		for k := 0; k < 2; k++ {
			wg.Add(1)
			go func(slot int, d iamporttest.WebhookDelivery) {
				defer wg.Done()
				resp, err := http.Post(hook, d.ContentType, bytes.NewReader(d.Body))
				if err != nil {
					return
				}
				resp.Body.Close()
				codes[slot] = resp.StatusCode
			}(2*i+k, d)
		}
	}
	wg.Wait()
	for i, code := range codes {
		require.Equal(t, http.StatusOK, code, "re-delivery of %s", ds[i/2].MerchantUID)
	}
}

func TestRecurringEndToEnd(t *testing.T) {
	t.Parallel()
	seoul := mustLoc(t, "Asia/Seoul")
	plan := &iamport.Plan{
		CustomerUID: "e2e_customer_0001",
		Amount:      8900,
		Name:        "월간 이용권",
		Anchor:      time.Date(2030, 1, 31, 10, 0, 0, 0, seoul),
		Location:    seoul,
		Cycles:      12,
	}
	srv, m, hook := e2eSetup(t, plan, time.Date(2030, 1, 1, 9, 0, 0, 0, seoul))

	declines := map[int]int{3: 1, 6: 2, 9: 3} // declined charges before the cycle pays
	for cycle := 1; cycle <= 12; cycle++ {
		if n := declines[cycle]; n > 0 {
			srv.DeclineCharges(plan.CustomerUID, n, "한도초과")
		}
		// Past the cycle's billing time and its last retry, before the next cycle.
		srv.Advance(plan.BillingTime(cycle).Add(8 * 24 * time.Hour).Sub(srv.Now()))
		redeliver(t, hook, srv.Webhooks())
	}

	// The merchant recorded exactly one paid payment per cycle, none skipped.
	m.mu.Lock()
	for cycle := 1; cycle <= 12; cycle++ {
		require.Len(t, m.paidByCycle[cycle], 1, "cycle %d", cycle)
	}
	require.Len(t, m.paidByCycle, 12)
	require.Len(t, m.records, 12+1+2+3, "one record per payment and status, despite duplicates")
	require.Greater(t, m.calls, len(m.records), "duplicates did reach the callback")
	require.Empty(t, m.exhausted)
	require.Empty(t, m.wrongAmount)
	m.mu.Unlock()

	// The fake charged exactly one paid payment per cycle, at the right time.
	var wantUIDs []string
	wantAt := map[string]time.Time{}
	for cycle := 1; cycle <= 12; cycle++ {
		wantUIDs = append(wantUIDs, plan.MerchantUID(cycle, 0))
		wantAt[plan.MerchantUID(cycle, 0)] = plan.BillingTime(cycle)
		for a, days := range []int{1, 3, 7}[:declines[cycle]] {
			mid := plan.MerchantUID(cycle, a+1)
			wantUIDs = append(wantUIDs, mid)
			wantAt[mid] = plan.BillingTime(cycle).AddDate(0, 0, days)
		}
	}
	paid := map[int]int{}
	var failed []string
	for _, p := range srv.Payments() {
		cycle, attempt, err := plan.ParseMerchantUID(p.MerchantUID)
		require.NoError(t, err)
		require.Equal(t, iamport.Amount(8900), p.Amount)
		switch p.Status {
		case iamport.PaymentStatusPaid:
			paid[cycle]++
			require.Equal(t, wantAt[p.MerchantUID].Unix(), p.PaidAt.Unix(), p.MerchantUID)
			require.Equal(t, declines[cycle], attempt, "cycle %d paid on the attempt after its declines", cycle)
		case iamport.PaymentStatusFailed:
			failed = append(failed, p.MerchantUID)
			require.Equal(t, "한도초과", p.FailReason)
		default:
			t.Fatalf("payment %s is %s", p.MerchantUID, p.Status)
		}
	}
	for cycle := 1; cycle <= 12; cycle++ {
		require.Equal(t, 1, paid[cycle], "cycle %d", cycle)
	}
	require.Equal(t, []string{
		"e2e_customer_0001-c3", "e2e_customer_0001-c6", "e2e_customer_0001-c6-r1",
		"e2e_customer_0001-c9", "e2e_customer_0001-c9-r1", "e2e_customer_0001-c9-r2"}, failed)

	// The schedules: each cycle and retry once, in order, all executed on time,
	// nothing left pending after the last cycle. February 2030 has 28 days.
	var gotUIDs []string
	for _, s := range srv.Schedules() {
		gotUIDs = append(gotUIDs, s.MerchantUID)
		require.Equal(t, iamport.ScheduleStatusExecuted, s.ScheduleStatus, s.MerchantUID)
		require.Equal(t, wantAt[s.MerchantUID].Unix(), s.ScheduleAt.Unix(), s.MerchantUID)
		require.Equal(t, plan.CustomerUID, s.CustomerUID)
	}
	require.Equal(t, wantUIDs, gotUIDs)
	require.Equal(t, "2030-02-28 10:00", plan.BillingTime(2).Format("2006-01-02 15:04"))
	require.Greater(t, srv.Calls("POST", "/subscribe/payments/schedule"), len(gotUIDs),
		"duplicate notifications asked for follow-ups again, and iamport refused them")

	// The webhooks: one per execution, each answered 200.
	hooks := srv.Webhooks()
	require.Len(t, hooks, len(wantUIDs))
	for i, d := range hooks {
		require.Equal(t, wantUIDs[i], d.MerchantUID)
		require.Equal(t, http.StatusOK, d.StatusCode, "%s: %s", d.MerchantUID, d.Err)
		require.Equal(t, "application/json", d.ContentType)
		require.Equal(t, wantAt[d.MerchantUID].Unix(), d.At.Unix())
	}
}

func TestRecurringEndToEndRetriesExhausted(t *testing.T) {
	t.Parallel()
	seoul := mustLoc(t, "Asia/Seoul")
	plan := &iamport.Plan{
		CustomerUID: "e2e_customer_0002",
		Amount:      12000,
		Name:        "Quarterly",
		Anchor:      time.Date(2030, 11, 30, 9, 0, 0, 0, seoul),
		Every:       3,
	}
	srv, m, hook := e2eSetup(t, plan, time.Date(2030, 11, 1, 0, 0, 0, 0, seoul), iamporttest.WithWebhookForm())

	srv.Advance(plan.BillingTime(1).Add(8 * 24 * time.Hour).Sub(srv.Now())) // cycle 1 pays
	srv.DeclineCharges(plan.CustomerUID, 4, "잔액이 부족합니다")
	srv.Advance(plan.BillingTime(2).Add(30 * 24 * time.Hour).Sub(srv.Now())) // cycle 2 and its three retries fail
	redeliver(t, hook, srv.Webhooks())

	m.mu.Lock()
	require.Equal(t, map[int]bool{2: true}, m.exhausted)
	require.Len(t, m.paidByCycle, 1)
	require.Len(t, m.paidByCycle[1], 1)
	m.mu.Unlock()

	var uids []string
	for _, s := range srv.Schedules() {
		uids = append(uids, s.MerchantUID)
		require.Equal(t, iamport.ScheduleStatusExecuted, s.ScheduleStatus)
	}
	require.Equal(t, []string{"e2e_customer_0002-c1", "e2e_customer_0002-c2", "e2e_customer_0002-c2-r1",
		"e2e_customer_0002-c2-r2", "e2e_customer_0002-c2-r3"}, uids, "nothing after the last retry")
	require.Equal(t, "2031-02-28 09:00", plan.BillingTime(2).Format("2006-01-02 15:04"))

	hooks := srv.Webhooks()
	require.Len(t, hooks, 5)
	for _, d := range hooks {
		require.Equal(t, "application/x-www-form-urlencoded", d.ContentType)
		require.Equal(t, http.StatusOK, d.StatusCode, d.Err)
	}

	// Forged notifications against the live handler: none reaches the
	// merchant as a paid payment.
	failedC2 := hooks[1]
	require.Equal(t, "failed", failedC2.Status)
	post := func(body string) int {
		resp, err := http.Post(hook, "application/x-www-form-urlencoded", strings.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusServiceUnavailable, post("imp_uid=imp_000000000000&merchant_uid=e2e_customer_0002-c2&status=paid"))
	require.Equal(t, http.StatusConflict, post(fmt.Sprintf("imp_uid=%s&merchant_uid=%s&status=paid", hooks[0].ImpUID, failedC2.MerchantUID)))
	require.Equal(t, http.StatusOK, post(fmt.Sprintf("imp_uid=%s&merchant_uid=%s&status=paid", failedC2.ImpUID, failedC2.MerchantUID)))
	m.mu.Lock()
	require.Len(t, m.paidByCycle[2], 0, "a forged 'paid' for a failed payment is recorded as failed")
	_, asPaid := m.records[failedC2.ImpUID+"/paid"]
	require.False(t, asPaid)
	m.mu.Unlock()
	require.Len(t, srv.Schedules(), 5, "the forged notifications scheduled nothing")
}

func TestRecurringEndToEndSandbox(t *testing.T) {
	t.Parallel()
	seoul := mustLoc(t, "Asia/Seoul")
	plan := &iamport.Plan{CustomerUID: "e2e_sandbox", Amount: 1000, Anchor: time.Date(2030, 1, 15, 12, 0, 0, 0, seoul), Cycles: 2}

	mux := http.NewServeMux()
	hs := httptest.NewServer(mux)
	defer hs.Close()
	srv := iamporttest.NewServer(iamporttest.WithSandbox(), iamporttest.WithWebhookURL(hs.URL+"/strict"),
		iamporttest.WithStartTime(time.Date(2030, 1, 1, 0, 0, 0, 0, seoul)))
	defer srv.Close()
	c := srv.Client()
	var mu sync.Mutex
	var seen []string
	record := func(ctx context.Context, p *iamport.Payment, _ *iamport.WebhookEvent) error {
		mu.Lock()
		seen = append(seen, p.MerchantUID+" sandbox="+fmt.Sprint(p.Sandbox))
		mu.Unlock()
		_, err := c.ScheduleFollowUp(ctx, plan, p)
		if errors.Is(err, iamport.ErrNoFollowUp) {
			return nil
		}
		return err
	}
	// Without WithSandboxPayments the API hides test-channel payments: the
	// handler answers 503, so iamport's re-delivery can try again.
	mux.Handle("/strict", iamport.WebhookHandler(c, record))
	mux.Handle("/sandbox", iamport.WebhookHandler(c, record, iamport.WithSandboxPayments()))

	ctx := context.Background()
	_, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: plan.CustomerUID,
		CardNumber: iamporttest.CardApproved, Expiry: "2035-12"})
	require.NoError(t, err)
	_, err = c.ScheduleCycle(ctx, plan, 1)
	require.NoError(t, err)
	srv.Advance(20 * 24 * time.Hour)
	hooks := srv.Webhooks()
	require.Len(t, hooks, 1)
	require.Equal(t, http.StatusServiceUnavailable, hooks[0].StatusCode)

	resp, err := http.Post(hs.URL+"/sandbox", hooks[0].ContentType, bytes.NewReader(hooks[0].Body))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	mu.Lock()
	require.Equal(t, []string{"e2e_sandbox-c1 sandbox=true"}, seen)
	mu.Unlock()
	uids := []string{}
	for _, s := range srv.Schedules() {
		uids = append(uids, s.MerchantUID)
	}
	sort.Strings(uids)
	require.Equal(t, []string{"e2e_sandbox-c1", "e2e_sandbox-c2"}, uids)
}
