package iamport_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

const (
	schedulePath   = "/subscribe/payments/schedule"
	unschedulePath = "/subscribe/payments/unschedule"
	getSchedule    = "/subscribe/payments/schedule/"
)

func futureSecond(d time.Duration) time.Time { return time.Now().Add(d).Truncate(time.Second) }

func TestSchedule(t *testing.T) {
	t.Parallel()
	at1, at2 := futureSecond(24*time.Hour), futureSecond(48*time.Hour)
	m := newMock(t)
	m.on(http.MethodPost, schedulePath, ok([]any{
		schedule("cust-1", "sub-1", at1.Unix()),
		schedule("cust-1", "sub-2", at2.Unix(), "amount", 9.99, "currency", "USD"),
	}))
	req := &iamport.ScheduleRequest{
		CustomerUID: "cust-1", CardNumber: cardDigits, Expiry: expiryBare, Birth: birthValue, Pwd2Digit: pwdValue,
		ChannelKey: "channel-key-1",
		Schedules: []iamport.ScheduleEntry{
			{MerchantUID: "sub-1", ScheduleAt: at1, Amount: 8900, Name: "월간 이용권", BuyerName: "홍길동"},
			{MerchantUID: "sub-2", ScheduleAt: at2, Amount: 9.99, Currency: "USD", CardQuota: iamport.Ptr(0),
				Extra: &iamport.PaymentExtra{NaverUseCfm: "20270101"}},
		},
	}
	out, err := m.client().Schedule(bg, req)
	require.NoError(t, err)

	r := m.only(http.MethodPost, schedulePath)
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	require.JSONEq(t, fmt.Sprintf(`{
		"customer_uid": "cust-1", "card_number": "5365-1023-4567-8901", "expiry": "2031-11",
		"birth": "880214", "pwd_2digit": "37", "channel_key": "channel-key-1",
		"schedules": [
			{"merchant_uid": "sub-1", "schedule_at": %d, "amount": 8900, "currency": "KRW",
			 "name": "월간 이용권", "buyer_name": "홍길동"},
			{"merchant_uid": "sub-2", "schedule_at": %d, "amount": 9.99, "currency": "USD",
			 "card_quota": 0, "extra": {"naverUseCfm": "20270101"}}
		]
	}`, at1.Unix(), at2.Unix()), r.Body)

	require.Empty(t, req.Schedules[0].Currency, "the caller's entries are not modified")
	require.Equal(t, cardDigits, req.CardNumber)

	require.Len(t, out, 2)
	require.Equal(t, "sub-1", out[0].MerchantUID)
	require.Equal(t, iamport.ScheduleStatusScheduled, out[0].ScheduleStatus)
	require.True(t, out[0].ScheduleAt.Equal(at1))
	require.Empty(t, out[0].ImpUID)
	require.Empty(t, out[0].PaymentStatus)
	require.True(t, out[0].ExecutedAt.IsZero())
	require.Equal(t, iamport.Amount(9.99), out[1].Amount)
}

func TestScheduleEntryJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(iamport.ScheduleEntry{MerchantUID: "m", ScheduleAt: time.Unix(1767225600, 0), Amount: 100})
	require.NoError(t, err)
	require.JSONEq(t, `{"merchant_uid":"m","schedule_at":1767225600,"amount":100}`, string(b))
}

func TestScheduleRefused(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, schedulePath, reply(200, failure(1, "등록된 고객정보가 없습니다.")))
	_, err := m.client().Schedule(bg, &iamport.ScheduleRequest{CustomerUID: "nobody",
		Schedules: []iamport.ScheduleEntry{{MerchantUID: "sub-1", ScheduleAt: futureSecond(time.Hour), Amount: 100}}})
	var ae *iamport.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 1, ae.Code)
	require.Equal(t, "등록된 고객정보가 없습니다.", ae.Message)
	require.Equal(t, 1, m.count(http.MethodPost, schedulePath))
}

func TestUnschedule(t *testing.T) {
	t.Parallel()
	revoked := func(mu string) map[string]any {
		return schedule("cust-1", mu, 1767225600, "schedule_status", "revoked", "revoked_at", 1767139200)
	}
	t.Run("named", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, unschedulePath, ok([]any{revoked("sub-1"), revoked("sub-2")}))
		out, err := m.client().Unschedule(bg, &iamport.UnscheduleRequest{CustomerUID: "cust-1", MerchantUIDs: []string{"sub-1", "sub-2"}})
		require.NoError(t, err)
		require.JSONEq(t, `{"customer_uid":"cust-1","merchant_uid":["sub-1","sub-2"]}`, m.only(http.MethodPost, unschedulePath).Body)
		require.Len(t, out, 2)
		require.Equal(t, iamport.ScheduleStatusRevoked, out[1].ScheduleStatus)
		require.Equal(t, int64(1767139200), out[1].RevokedAt.Unix())
	})
	t.Run("named without customer_uid", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, unschedulePath, ok([]any{revoked("sub-1")}))
		_, err := m.client().Unschedule(bg, &iamport.UnscheduleRequest{MerchantUIDs: []string{"sub-1"}})
		require.NoError(t, err)
		require.JSONEq(t, `{"merchant_uid":["sub-1"]}`, m.only(http.MethodPost, unschedulePath).Body)
	})
	t.Run("all", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, unschedulePath, ok([]any{revoked("sub-1")}))
		out, err := m.client().Unschedule(bg, &iamport.UnscheduleRequest{CustomerUID: "cust-1", All: true})
		require.NoError(t, err)
		require.JSONEq(t, `{"customer_uid":"cust-1"}`, m.only(http.MethodPost, unschedulePath).Body)
		require.Len(t, out, 1)
	})
	t.Run("nothing to revoke", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, unschedulePath, reply(200, failure(1, "취소할 예약결제 기록이 존재하지 않습니다.")))
		_, err := m.client().Unschedule(bg, &iamport.UnscheduleRequest{CustomerUID: "cust-1", All: true})
		var ae *iamport.APIError
		require.ErrorAs(t, err, &ae)
		require.Equal(t, 1, ae.Code)
	})
}

func TestGetSchedule(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodGet, getSchedule+"sub-1", ok(schedule("cust-1", "sub-1", 1767225600,
		"schedule_status", "executed", "executed_at", "1767225601", "imp_uid", "imp_9", "payment_status", "paid")))
	m.on(http.MethodGet, getSchedule+"sub-404", reply(404, failure(-1, "not found")))
	c := m.client()
	s, err := c.GetSchedule(bg, "sub-1")
	require.NoError(t, err)
	require.Equal(t, "cust-1", s.CustomerUID)
	require.Equal(t, iamport.ScheduleStatusExecuted, s.ScheduleStatus)
	require.Equal(t, iamport.PaymentStatusPaid, s.PaymentStatus)
	require.Equal(t, "imp_9", s.ImpUID)
	require.Equal(t, int64(1767225601), s.ExecutedAt.Unix())
	require.Equal(t, int64(1767225600), s.ScheduleAt.Unix())

	_, err = c.GetSchedule(bg, "sub-404")
	require.ErrorIs(t, err, iamport.ErrNotFound)
}

// A Schedule whose answer is lost looks each merchant_uid up and re-sends
// only the entries that were not stored.
func TestScheduleLostAnswer(t *testing.T) {
	t.Parallel()
	at := futureSecond(time.Hour)
	entries := func(ids ...string) []iamport.ScheduleEntry {
		var es []iamport.ScheduleEntry
		for i, id := range ids {
			es = append(es, iamport.ScheduleEntry{MerchantUID: id, ScheduleAt: at.Add(time.Duration(i) * time.Hour), Amount: 100})
		}
		return es
	}
	notFound := reply(404, failure(-1, "not found"))
	// stored is sub-N as iamport stores it from entries(..., "sub-N", ...) at position N.
	stored := func(id string) map[string]any {
		i := int(id[len(id)-1] - '1')
		return schedule("cust-1", id, at.Add(time.Duration(i)*time.Hour).Unix(), "amount", 100)
	}

	t.Run("all stored", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, schedulePath, fail(lostAnswer))
		m.on(http.MethodGet, getSchedule+"sub-1", ok(stored("sub-1")))
		m.on(http.MethodGet, getSchedule+"sub-2", ok(stored("sub-2")))
		out, err := m.client().Schedule(bg, &iamport.ScheduleRequest{CustomerUID: "cust-1", Schedules: entries("sub-1", "sub-2")})
		require.NoError(t, err)
		require.Len(t, out, 2)
		require.Equal(t, 1, m.count(http.MethodPost, schedulePath))
	})
	t.Run("one missing: never re-sent, unknown", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, schedulePath, seq(fail(lostAnswer), ok([]any{stored("sub-2")})))
		m.on(http.MethodGet, getSchedule+"sub-1", ok(stored("sub-1")))
		m.on(http.MethodGet, getSchedule+"sub-2", notFound)
		out, err := m.client(iamport.WithReconcileTimeout(300*time.Millisecond)).Schedule(bg,
			&iamport.ScheduleRequest{CustomerUID: "cust-1", Schedules: entries("sub-1", "sub-2")})
		var ou *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &ou, "sub-2 may still be being stored")
		require.Equal(t, "sub-2", ou.MerchantUID)
		require.Len(t, out, 1)
		require.Equal(t, "sub-1", out[0].MerchantUID)
		require.Equal(t, 1, m.count(http.MethodPost, schedulePath))
	})
	t.Run("a merchant_uid of another billing key is reported", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, schedulePath, fail(lostAnswer))
		m.on(http.MethodGet, getSchedule+"sub-1", notFound)
		m.on(http.MethodGet, getSchedule+"sub-2", ok(schedule("cust-other", "sub-2", at.Unix())))
		out, err := m.client().Schedule(bg, &iamport.ScheduleRequest{CustomerUID: "cust-1", Schedules: entries("sub-1", "sub-2", "sub-3")})
		require.Error(t, err, "the batch was not stored for cust-1")
		require.ErrorContains(t, err, "sub-1,sub-2,sub-3 were not stored")
		require.ErrorContains(t, err, "sub-2 is scheduled on another billing key")
		require.Empty(t, out)
		require.Equal(t, 1, m.count(http.MethodPost, schedulePath), "part of the batch is not re-sent")
	})
	t.Run("lookups fail: outcome unknown", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, schedulePath, fail(lostAnswer))
		m.on(http.MethodGet, getSchedule+"sub-1", ok(stored("sub-1")))
		m.on(http.MethodGet, getSchedule+"sub-2", reply(500, failure(-1, "internal")))
		out, err := m.client(iamport.WithMaxRetries(0)).Schedule(bg,
			&iamport.ScheduleRequest{CustomerUID: "cust-1", Schedules: entries("sub-1", "sub-2")})
		var ou *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &ou)
		require.Equal(t, "sub-2", ou.MerchantUID)
		require.Len(t, out, 1, "what is known to be stored is returned")
		require.Equal(t, 1, m.count(http.MethodPost, schedulePath))
	})
	t.Run("a lagging lookup is polled, never re-sent", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, schedulePath, seq(fail(lostAnswer), reply(200, failure(1, "이미 등록된 merchant_uid입니다."))))
		m.on(http.MethodGet, getSchedule+"sub-1", seq(notFound, notFound, notFound, ok(stored("sub-1"))))
		out, err := m.client().Schedule(bg, &iamport.ScheduleRequest{CustomerUID: "cust-1", Schedules: entries("sub-1")})
		require.NoError(t, err)
		require.Len(t, out, 1)
		require.Equal(t, 1, m.count(http.MethodPost, schedulePath))
	})
}

func TestUnscheduleLostAnswer(t *testing.T) {
	t.Parallel()
	scheduled := func(mu string) map[string]any { return schedule("cust-1", mu, 1767225600) }
	revoked := func(mu string) map[string]any {
		return schedule("cust-1", mu, 1767225600, "schedule_status", "revoked", "revoked_at", time.Now().Unix())
	}
	t.Run("revoked", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, unschedulePath, fail(lostAnswer))
		m.on(http.MethodGet, getSchedule+"sub-1", ok(revoked("sub-1")))
		out, err := m.client().Unschedule(bg, &iamport.UnscheduleRequest{MerchantUIDs: []string{"sub-1"}})
		require.NoError(t, err)
		require.Len(t, out, 1)
		require.Equal(t, 1, m.count(http.MethodPost, unschedulePath))
	})
	t.Run("still scheduled: unknown, never re-sent", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, unschedulePath, seq(fail(lostAnswer), ok([]any{revoked("sub-2")})))
		m.on(http.MethodGet, getSchedule+"sub-1", ok(revoked("sub-1")))
		m.on(http.MethodGet, getSchedule+"sub-2", ok(scheduled("sub-2")))
		out, err := m.client(iamport.WithReconcileTimeout(300*time.Millisecond)).Unschedule(bg,
			&iamport.UnscheduleRequest{MerchantUIDs: []string{"sub-1", "sub-2"}})
		var ue *iamport.UnscheduleError
		require.ErrorAs(t, err, &ue)
		require.Equal(t, []string{"sub-1"}, uids(ue.Revoked))
		require.Equal(t, []string{"sub-2"}, ue.Unknown)
		require.Empty(t, ue.NotRevoked)
		var ou *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &ou)
		require.Equal(t, "sub-2", ou.MerchantUID)
		require.Equal(t, uids(ue.Revoked), uids(out))
		require.Equal(t, 1, m.count(http.MethodPost, unschedulePath))
	})
	t.Run("already executed", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, unschedulePath, fail(lostAnswer))
		m.on(http.MethodGet, getSchedule+"sub-1", ok(schedule("cust-1", "sub-1", 1767225600, "schedule_status", "executed")))
		_, err := m.client().Unschedule(bg, &iamport.UnscheduleRequest{MerchantUIDs: []string{"sub-1"}})
		var ue *iamport.UnscheduleError
		require.ErrorAs(t, err, &ue)
		require.Equal(t, []string{"sub-1"}, uids(ue.NotRevoked))
		require.ErrorContains(t, err, "sub-1 (executed)")
		var ou *iamport.OutcomeUnknownError
		require.False(t, errors.As(err, &ou), "the outcome is known: it ran")
		require.Equal(t, 1, m.count(http.MethodPost, unschedulePath))
	})
	t.Run("all: never re-sent; what was revoked is unknown", func(t *testing.T) {
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
		require.Equal(t, "cust-1", ou.MerchantUID)
		require.Contains(t, err.Error(), "ListCustomerSchedules")
		require.Equal(t, 1, m.count(http.MethodPost, unschedulePath))
	})
	t.Run("lookups fail", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, unschedulePath, fail(lostAnswer))
		m.on(http.MethodGet, getSchedule+"sub-1", reply(500, failure(-1, "internal")))
		_, err := m.client(iamport.WithMaxRetries(0)).Unschedule(bg, &iamport.UnscheduleRequest{MerchantUIDs: []string{"sub-1"}})
		var ou *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &ou)
		require.Equal(t, 1, m.count(http.MethodPost, unschedulePath))
	})
}

// uids lists the merchant_uids of ss.
func uids(ss []iamport.Schedule) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.MerchantUID)
	}
	return out
}

// A named schedule of another billing key is not revoked by an Unschedule
// naming a customer_uid: it is reported as not revoked, not as unknown.
func TestUnscheduleOtherBillingKeyIsNotRevoked(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, unschedulePath, ok([]any{schedule("cust-1", "sub-1", 1767225600, "schedule_status", "revoked")}))
	m.on(http.MethodGet, getSchedule+"sub-9", ok(schedule("cust-9", "sub-9", 1767225600)))
	out, err := m.client().Unschedule(bg, &iamport.UnscheduleRequest{CustomerUID: "cust-1", MerchantUIDs: []string{"sub-1", "sub-9"}})
	var ue *iamport.UnscheduleError
	require.ErrorAs(t, err, &ue)
	require.Equal(t, []string{"sub-1"}, uids(out))
	require.Equal(t, []string{"sub-9"}, uids(ue.NotRevoked))
	require.Empty(t, ue.Unknown)
	require.Contains(t, err.Error(), "revoked: sub-1; not revoked: sub-9 (scheduled)")
}
