package iamport_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the DST tests must not depend on the machine's zoneinfo

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func TestPlanBillingTimeCalendar(t *testing.T) {
	t.Parallel()
	seoul := mustLoc(t, "Asia/Seoul")
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, seoul) }
	tests := []struct {
		name   string
		anchor time.Time
		every  int
		want   []string // YYYY-MM-DD of cycles 1, 2, ...
	}{
		{"31st monthly, leap 2024", at(2024, 1, 31, 10, 0), 1, []string{
			"2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30",
			"2024-07-31", "2024-08-31", "2024-09-30", "2024-10-31", "2024-11-30", "2024-12-31",
			"2025-01-31", "2025-02-28", "2025-03-31"}},
		{"31st monthly into leap 2028", at(2027, 12, 31, 9, 0), 1, []string{"2027-12-31", "2028-01-31", "2028-02-29", "2028-03-31"}},
		{"2100 is not a leap year", at(2099, 12, 31, 9, 0), 1, []string{"2099-12-31", "2100-01-31", "2100-02-28", "2100-03-31"}},
		{"30th keeps the 30th", at(2025, 1, 30, 0, 0), 1, []string{"2025-01-30", "2025-02-28", "2025-03-30", "2025-04-30"}},
		{"29th in a common year", at(2025, 1, 29, 0, 0), 1, []string{"2025-01-29", "2025-02-28", "2025-03-29"}},
		{"year boundary", at(2024, 11, 15, 12, 0), 1, []string{"2024-11-15", "2024-12-15", "2025-01-15", "2025-02-15"}},
		{"quarterly from the 31st", at(2024, 1, 31, 10, 0), 3, []string{"2024-01-31", "2024-04-30", "2024-07-31", "2024-10-31", "2025-01-31"}},
		{"quarterly across the year end", at(2024, 11, 30, 10, 0), 3, []string{"2024-11-30", "2025-02-28", "2025-05-30", "2025-08-30", "2025-11-30"}},
		{"yearly from leap day", at(2024, 2, 29, 10, 0), 12, []string{"2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29"}},
		{"yearly leap day to 2100", at(2096, 2, 29, 10, 0), 12, []string{"2096-02-29", "2097-02-28", "2098-02-28", "2099-02-28", "2100-02-28", "2101-02-28"}},
		{"every 0 means monthly", at(2024, 12, 31, 10, 0), 0, []string{"2024-12-31", "2025-01-31", "2025-02-28"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &iamport.Plan{Anchor: tt.anchor, Every: tt.every, Location: seoul}
			for i, want := range tt.want {
				got := p.BillingTime(i + 1)
				require.Equal(t, want, got.Format("2006-01-02"), "cycle %d", i+1)
				require.Equal(t, tt.anchor.Format("15:04:05"), got.Format("15:04:05"), "cycle %d keeps the clock time", i+1)
				require.Equal(t, seoul, got.Location())
			}
		})
	}
}

func TestPlanBillingTimeNoDrift(t *testing.T) {
	t.Parallel()
	// Ten years of monthly cycles from the 31st: always the 31st or the
	// month's last day, never creeping earlier.
	p := &iamport.Plan{Anchor: time.Date(2024, 1, 31, 23, 59, 59, 0, time.UTC), Location: time.UTC}
	prev := time.Time{}
	for n := 1; n <= 120; n++ {
		got := p.BillingTime(n)
		y, m, _ := got.Date()
		last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
		require.Equal(t, min(31, last), got.Day(), "cycle %d", n)
		require.Equal(t, time.Month((n-1)%12+1), m)
		require.True(t, got.After(prev))
		prev = got
	}
	require.Equal(t, "2033-12-31T23:59:59Z", p.BillingTime(120).Format(time.RFC3339))
}

func TestPlanBillingTimeDST(t *testing.T) {
	t.Parallel()
	ny := mustLoc(t, "America/New_York")
	berlin := mustLoc(t, "Europe/Berlin")
	tests := []struct {
		name   string
		anchor time.Time
		want   []string // RFC 3339 of cycles 1, 2, ...
	}{
		{"New York 10:00 across both changes", time.Date(2025, 1, 15, 10, 0, 0, 0, ny), []string{
			"2025-01-15T10:00:00-05:00", "2025-02-15T10:00:00-05:00", "2025-03-15T10:00:00-04:00",
			"2025-04-15T10:00:00-04:00", "2025-05-15T10:00:00-04:00", "2025-06-15T10:00:00-04:00",
			"2025-07-15T10:00:00-04:00", "2025-08-15T10:00:00-04:00", "2025-09-15T10:00:00-04:00",
			"2025-10-15T10:00:00-04:00", "2025-11-15T10:00:00-05:00", "2025-12-15T10:00:00-05:00"}},
		{"New York, billing day is the change day", time.Date(2025, 1, 9, 9, 30, 0, 0, ny), []string{
			"2025-01-09T09:30:00-05:00", "2025-02-09T09:30:00-05:00", "2025-03-09T09:30:00-04:00", "2025-04-09T09:30:00-04:00"}},
		{"New York, clock time skipped on the change day", time.Date(2025, 1, 9, 2, 30, 0, 0, ny), []string{
			"2025-01-09T02:30:00-05:00", "2025-02-09T02:30:00-05:00", "2025-03-09T03:30:00-04:00", "2025-04-09T02:30:00-04:00"}},
		{"Berlin 31st at 08:15", time.Date(2025, 1, 31, 8, 15, 0, 0, berlin), []string{
			"2025-01-31T08:15:00+01:00", "2025-02-28T08:15:00+01:00", "2025-03-31T08:15:00+02:00", "2025-04-30T08:15:00+02:00",
			"2025-05-31T08:15:00+02:00", "2025-06-30T08:15:00+02:00", "2025-07-31T08:15:00+02:00", "2025-08-31T08:15:00+02:00",
			"2025-09-30T08:15:00+02:00", "2025-10-31T08:15:00+01:00", "2025-11-30T08:15:00+01:00"}},
		{"Berlin 02:30 before and after the change", time.Date(2025, 2, 26, 2, 30, 0, 0, berlin), []string{
			"2025-02-26T02:30:00+01:00", "2025-03-26T02:30:00+01:00", "2025-04-26T02:30:00+02:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &iamport.Plan{Anchor: tt.anchor, Location: tt.anchor.Location()}
			for i, want := range tt.want {
				require.Equal(t, want, p.BillingTime(i+1).Format(time.RFC3339), "cycle %d", i+1)
			}
		})
	}
	// Berlin's 2025 spring change is on Sunday 30 March, 02:00 → 03:00.
	p := &iamport.Plan{Anchor: time.Date(2025, 1, 30, 2, 30, 0, 0, berlin), Location: berlin}
	require.Equal(t, "2025-03-30T03:30:00+02:00", p.BillingTime(3).Format(time.RFC3339))
	require.Equal(t, "2025-04-30T02:30:00+02:00", p.BillingTime(4).Format(time.RFC3339), "back on the anchor's clock time")
}

func TestPlanBillingTimeLocation(t *testing.T) {
	t.Parallel()
	// 15:30 UTC on Jan 31 is 00:30 on Feb 1 in Seoul, the default location:
	// the plan bills on the 1st.
	p := &iamport.Plan{Anchor: time.Date(2024, 1, 31, 15, 30, 0, 0, time.UTC)}
	got := p.BillingTime(2)
	_, off := got.Zone()
	require.Equal(t, 9*3600, off)
	require.Equal(t, "2024-03-01T00:30:00+09:00", got.Format(time.RFC3339))

	utc := &iamport.Plan{Anchor: p.Anchor, Location: time.UTC}
	require.Equal(t, "2024-02-29T15:30:00Z", utc.BillingTime(2).Format(time.RFC3339))

	for _, c := range []int{0, -1, iamport.MaxPlanCycle + 1} {
		require.True(t, p.BillingTime(c).IsZero(), "cycle %d", c)
	}
	require.True(t, (&iamport.Plan{}).BillingTime(1).IsZero())
	require.True(t, (&iamport.Plan{Anchor: p.Anchor, Every: -1}).BillingTime(1).IsZero())
	var nilPlan *iamport.Plan
	require.True(t, nilPlan.BillingTime(1).IsZero())
	require.False(t, p.BillingTime(iamport.MaxPlanCycle).IsZero())
}

var uidCharset = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

func TestPlanMerchantUID(t *testing.T) {
	t.Parallel()
	p := &iamport.Plan{CustomerUID: "gildong_0001_1234"}
	require.Equal(t, "gildong_0001_1234-c1", p.MerchantUID(1, 0))
	require.Equal(t, "gildong_0001_1234-c3", p.MerchantUID(3, 0))
	require.Equal(t, "gildong_0001_1234-c3-r1", p.MerchantUID(3, 1))
	require.Equal(t, "gildong_0001_1234-c9999-r99", p.MerchantUID(iamport.MaxPlanCycle, iamport.MaxPlanRetries))
	require.Equal(t, p.MerchantUID(7, 2), p.MerchantUID(7, 2), "deterministic")

	for _, bad := range [][2]int{{0, 0}, {-1, 0}, {iamport.MaxPlanCycle + 1, 0}, {1, -1}, {1, iamport.MaxPlanRetries + 1}} {
		require.Empty(t, p.MerchantUID(bad[0], bad[1]), "%v", bad)
	}
	require.Empty(t, (&iamport.Plan{}).MerchantUID(1, 0))
	longUID := &iamport.Plan{CustomerUID: strings.Repeat("x", 81)}
	require.Len(t, longUID.MerchantUID(1, 0), 33, "a customer_uid of any length gives a short merchant_uid")

	// 29 safe characters stay readable; 30 or more are hashed to a 30-character prefix.
	raw := &iamport.Plan{CustomerUID: strings.Repeat("a", 29)}
	require.Equal(t, strings.Repeat("a", 29)+"-c1", raw.MerchantUID(1, 0))
	hashed := &iamport.Plan{CustomerUID: strings.Repeat("a", 30)}
	mid := hashed.MerchantUID(1, 0)
	require.Len(t, mid, 30+len("-c1"))
	require.True(t, strings.HasPrefix(mid, "aaaaaaaaaaaaa_"), mid)

	long := &iamport.Plan{CustomerUID: strings.Repeat("customer/", 8) + "12345678"} // 80 characters, with '/'
	require.Len(t, long.CustomerUID, 80)
	for _, c := range []int{1, 12, iamport.MaxPlanCycle} {
		for _, a := range []int{0, 1, iamport.MaxPlanRetries} {
			m := long.MerchantUID(c, a)
			require.Regexp(t, uidCharset, m)
			require.LessOrEqual(t, len(m), 40)
		}
	}
	require.Len(t, long.MerchantUID(iamport.MaxPlanCycle, iamport.MaxPlanRetries), 40)
	require.True(t, strings.HasPrefix(long.MerchantUID(1, 0), "customercusto_"), long.MerchantUID(1, 0))

	korean := &iamport.Plan{CustomerUID: "홍길동-카드1"}
	require.Regexp(t, uidCharset, korean.MerchantUID(1, 0))
	require.True(t, strings.HasPrefix(korean.MerchantUID(1, 0), "-1_"), korean.MerchantUID(1, 0))

	// The plan ID separates plans on one billing key.
	basic := &iamport.Plan{CustomerUID: "gildong_0001_1234", ID: "basic"}
	storage := &iamport.Plan{CustomerUID: "gildong_0001_1234", ID: "storage"}
	require.NotEqual(t, basic.MerchantUID(1, 0), storage.MerchantUID(1, 0))
	require.NotEqual(t, p.MerchantUID(1, 0), basic.MerchantUID(1, 0))
	require.Regexp(t, uidCharset, basic.MerchantUID(1, 0))
}

func TestPlanMerchantUIDsAreDistinct(t *testing.T) {
	t.Parallel()
	// Customers chosen to collide under naive schemes: separators and
	// suffix look-alikes in the customer_uid, prefixes of each other, long
	// ones differing only at the end, IDs that move characters around.
	plans := []*iamport.Plan{
		{CustomerUID: "a"}, {CustomerUID: "a-c1"}, {CustomerUID: "a-c1-r2"}, {CustomerUID: "a-c"}, {CustomerUID: "a_c1"},
		{CustomerUID: "a-c01"}, {CustomerUID: "a-r1"}, {CustomerUID: "a", ID: "c1"}, {CustomerUID: "a-", ID: "c1"},
		{CustomerUID: "a", ID: "b"}, {CustomerUID: "ab"}, {CustomerUID: "ab", ID: ""}, {CustomerUID: "a", ID: "b "},
		{CustomerUID: strings.Repeat("z", 80)}, {CustomerUID: strings.Repeat("z", 79) + "y"},
		{CustomerUID: strings.Repeat("z", 29)}, {CustomerUID: strings.Repeat("z", 30)},
		{CustomerUID: "홍길동"}, {CustomerUID: "홍길순"}, {CustomerUID: "a b"}, {CustomerUID: "a+b"},
	}
	seen := map[string]string{}
	for i, p := range plans {
		for _, c := range []int{1, 2, 9, 10, 11, 12, 99, 100, 101, iamport.MaxPlanCycle} {
			for _, a := range []int{0, 1, 2, 10, iamport.MaxPlanRetries} {
				m := p.MerchantUID(c, a)
				require.Regexp(t, uidCharset, m)
				where := fmt.Sprintf("plan %d (%q/%q) cycle %d attempt %d", i, p.CustomerUID, p.ID, c, a)
				if prev, dup := seen[m]; dup && prev != where {
					if plans[i].CustomerUID == "ab" && strings.Contains(prev, `"ab"/""`) {
						continue // the same plan written twice
					}
					t.Fatalf("%s and %s share merchant_uid %s", prev, where, m)
				}
				seen[m] = where

				// Only its own plan parses it, back to the same cycle and attempt.
				for j, q := range plans {
					gc, ga, err := q.ParseMerchantUID(m)
					same := q.CustomerUID == p.CustomerUID && q.ID == p.ID
					if same {
						require.NoError(t, err, "plan %d parsing %s", j, m)
						require.Equal(t, [2]int{c, a}, [2]int{gc, ga})
					} else {
						require.ErrorIs(t, err, iamport.ErrNotPlanMerchantUID, "plan %d parsing %s", j, m)
					}
				}
			}
		}
	}
}

func TestPlanParseMerchantUID(t *testing.T) {
	t.Parallel()
	p := &iamport.Plan{CustomerUID: "gildong"}
	for _, ok := range []struct {
		mid  string
		c, a int
	}{{"gildong-c1", 1, 0}, {"gildong-c12", 12, 0}, {"gildong-c12-r3", 12, 3}, {"gildong-c9999-r99", 9999, 99}} {
		c, a, err := p.ParseMerchantUID(ok.mid)
		require.NoError(t, err, ok.mid)
		require.Equal(t, [2]int{ok.c, ok.a}, [2]int{c, a}, ok.mid)
	}
	for _, bad := range []string{
		"", "gildong", "gildong-", "gildong-c", "gildong-c0", "gildong-c01", "gildong-c1-r0", "gildong-c1-r",
		"gildong-c1-r01", "gildong-c1-r100", "gildong-c10000", "gildong-c+1", "gildong-c-1", "gildong-c1x",
		"gildong-c1-r1-r1", "gildong-c1-c2", "gildong-c1 ", "Gildong-c1", "gildong2-c1", "xgildong-c1",
		"gildong-c１", "order_monthly_0001",
	} {
		_, _, err := p.ParseMerchantUID(bad)
		require.ErrorIs(t, err, iamport.ErrNotPlanMerchantUID, "%q", bad)
	}
	var ve *iamport.ValidationError
	_, _, err := (&iamport.Plan{}).ParseMerchantUID("x-c1")
	require.ErrorAs(t, err, &ve)
	var nilPlan *iamport.Plan
	_, _, err = nilPlan.ParseMerchantUID("x-c1")
	require.ErrorAs(t, err, &ve)
}

func TestPlanValidate(t *testing.T) {
	t.Parallel()
	good := func() *iamport.Plan {
		return &iamport.Plan{CustomerUID: "c1", Amount: 8900, Name: "Monthly", Anchor: time.Date(2040, 1, 31, 10, 0, 0, 0, time.UTC)}
	}
	require.NoError(t, good().Validate())
	tests := []struct {
		field string
		edit  func(p *iamport.Plan)
	}{
		{"plan.customer_uid", func(p *iamport.Plan) { p.CustomerUID = "" }},
		{"plan.amount", func(p *iamport.Plan) { p.Amount = 0 }},
		{"plan.amount", func(p *iamport.Plan) { p.Amount = 10.001 }},
		{"plan.every", func(p *iamport.Plan) { p.Every = -1 }},
		{"plan.every", func(p *iamport.Plan) { p.Every = 1201 }},
		{"plan.anchor", func(p *iamport.Plan) { p.Anchor = time.Time{} }},
		{"plan.cycles", func(p *iamport.Plan) { p.Cycles = -1 }},
		{"plan.cycles", func(p *iamport.Plan) { p.Cycles = iamport.MaxPlanCycle + 1 }},
		{"plan.retry[0]", func(p *iamport.Plan) { p.Retry = []time.Duration{0} }},
		{"plan.retry[1]", func(p *iamport.Plan) { p.Retry = []time.Duration{48 * time.Hour, 24 * time.Hour} }},
		{"plan.retry[1]", func(p *iamport.Plan) { p.Retry = []time.Duration{time.Hour, time.Hour} }},
		{"plan.retry[0]", func(p *iamport.Plan) { p.Retry = []time.Duration{27 * 24 * time.Hour} }},
		{"plan.retry", func(p *iamport.Plan) {
			p.Retry = make([]time.Duration, 100)
			for i := range p.Retry {
				p.Retry[i] = time.Duration(i+1) * time.Minute
			}
		}},
	}
	for _, tt := range tests {
		p := good()
		tt.edit(p)
		err := p.Validate()
		var ve *iamport.ValidationError
		require.ErrorAs(t, err, &ve, tt.field)
		require.Equal(t, tt.field, ve.Field)
	}
	// A yearly plan may retry for longer; no retries at all is allowed.
	p := good()
	p.Every, p.Retry = 12, []time.Duration{30 * 24 * time.Hour, 60 * 24 * time.Hour}
	require.NoError(t, p.Validate())
	p.Retry = []time.Duration{}
	require.NoError(t, p.Validate())
	var nilPlan *iamport.Plan
	require.Error(t, nilPlan.Validate())
}

// recAPI is an httpmock stand-in for the schedule endpoints, with the server
// clock at serverNow (told to the client through the token answer).
type recAPI struct {
	mt *httpmock.MockTransport

	mu        sync.Mutex
	bodies    []string                    // bodies of POST /subscribe/payments/schedule
	schedules map[string]iamport.Schedule // by merchant_uid
	refuse    string                      // when set, POST answers code 1 with this message
	gets      int
}

func newRecAPI(t *testing.T, serverNow time.Time) (*iamport.Client, *recAPI) {
	t.Helper()
	api := &recAPI{mt: httpmock.NewMockTransport(), schedules: map[string]iamport.Schedule{}}
	now := serverNow.Unix()
	api.mt.RegisterResponder("POST", whBase+"/users/getToken", httpmock.NewStringResponder(200,
		fmt.Sprintf(`{"code":0,"response":{"access_token":"tok","now":%d,"expired_at":%d}}`, now, now+1800)))
	api.mt.RegisterResponder("POST", whBase+"/subscribe/payments/schedule", func(req *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(req.Body)
		api.mu.Lock()
		defer api.mu.Unlock()
		api.bodies = append(api.bodies, string(b))
		var in struct {
			CustomerUID string `json:"customer_uid"`
			Schedules   []struct {
				MerchantUID string         `json:"merchant_uid"`
				ScheduleAt  int64          `json:"schedule_at"`
				Amount      iamport.Amount `json:"amount"`
			} `json:"schedules"`
		}
		if err := json.Unmarshal(b, &in); err != nil {
			return httpmock.NewStringResponse(400, `{"code":-1,"message":"bad body","response":null}`), nil
		}
		if api.refuse != "" {
			return httpmock.NewStringResponse(200, fmt.Sprintf(`{"code":1,"message":%q,"response":null}`, api.refuse)), nil
		}
		var out []iamport.Schedule
		for _, e := range in.Schedules {
			if _, taken := api.schedules[e.MerchantUID]; taken {
				return httpmock.NewStringResponse(200, `{"code":1,"message":"이미 등록된 merchant_uid입니다.","response":null}`), nil
			}
		}
		for _, e := range in.Schedules {
			s := iamport.Schedule{CustomerUID: in.CustomerUID, MerchantUID: e.MerchantUID, ScheduleAt: iamport.Unix(e.ScheduleAt),
				Amount: e.Amount, Currency: "KRW", ScheduleStatus: iamport.ScheduleStatusScheduled}
			api.schedules[e.MerchantUID] = s
			out = append(out, s)
		}
		body, _ := json.Marshal(map[string]any{"code": 0, "message": nil, "response": out})
		return httpmock.NewBytesResponse(200, body), nil
	})
	// The attempts of a cycle a failed follow-up checks for a paid one:
	// none, as iamport answers for an order it never saw.
	api.mt.RegisterRegexpResponder("GET", regexp.MustCompile(`^https://api\.iamport\.kr/payments/findAll/`),
		httpmock.NewStringResponder(404, `{"code":1,"message":"존재하지 않는 결제정보입니다.","response":null}`))
	api.mt.RegisterRegexpResponder("GET", regexp.MustCompile(`^https://api\.iamport\.kr/subscribe/payments/schedule/[^/]+$`),
		func(req *http.Request) (*http.Response, error) {
			api.mu.Lock()
			defer api.mu.Unlock()
			api.gets++
			s, ok := api.schedules[strings.TrimPrefix(req.URL.Path, "/subscribe/payments/schedule/")]
			if !ok {
				return httpmock.NewStringResponse(404, `{"code":1,"message":"존재하지 않는 예약결제입니다.","response":null}`), nil
			}
			body, _ := json.Marshal(map[string]any{"code": 0, "message": nil, "response": s})
			return httpmock.NewBytesResponse(200, body), nil
		})
	api.mt.RegisterResponder("POST", whBase+"/subscribe/payments/unschedule", func(req *http.Request) (*http.Response, error) {
		var in struct {
			CustomerUID  string   `json:"customer_uid"`
			MerchantUIDs []string `json:"merchant_uid"`
		}
		if err := json.NewDecoder(req.Body).Decode(&in); err != nil {
			return httpmock.NewStringResponse(400, `{"code":-1,"message":"bad body","response":null}`), nil
		}
		api.mu.Lock()
		defer api.mu.Unlock()
		var out []iamport.Schedule
		for _, m := range in.MerchantUIDs {
			if s, ok := api.schedules[m]; ok && s.ScheduleStatus == iamport.ScheduleStatusScheduled {
				s.ScheduleStatus = iamport.ScheduleStatusRevoked
				api.schedules[m] = s
				out = append(out, s)
			}
		}
		if len(out) == 0 {
			return httpmock.NewStringResponse(200, `{"code":1,"message":"취소할 예약결제 기록이 존재하지 않습니다.","response":null}`), nil
		}
		body, _ := json.Marshal(map[string]any{"code": 0, "message": nil, "response": out})
		return httpmock.NewBytesResponse(200, body), nil
	})
	c, err := iamport.New("imp_key", whSecret, iamport.WithHTTPClient(&http.Client{Transport: api.mt}), iamport.WithMaxRetries(0))
	require.NoError(t, err)
	return c, api
}

func (a *recAPI) schedule(mid string) iamport.Schedule {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.schedules[mid]
}

func (a *recAPI) posts() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.bodies...)
}

// recPlan bills 8,900 won on the 31st at 10:00 Seoul time, from January 2040.
func recPlan() *iamport.Plan {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	return &iamport.Plan{
		CustomerUID: "gildong_0001_1234",
		Amount:      8900,
		Name:        "월간 이용권",
		Anchor:      time.Date(2040, 1, 31, 10, 0, 0, 0, seoul),
		NoticeURL:   "https://shop.example/iamport-callback/schedule",
		BuyerName:   "홍길동",
		BuyerEmail:  "gildong@example.com",
	}
}

var recServerNow = time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)

func TestScheduleCycle(t *testing.T) {
	t.Parallel()
	c, api := newRecAPI(t, recServerNow)
	plan := recPlan()
	s, err := c.ScheduleCycle(context.Background(), plan, 2)
	require.NoError(t, err)
	require.Equal(t, "gildong_0001_1234-c2", s.MerchantUID)
	require.Equal(t, iamport.ScheduleStatusScheduled, s.ScheduleStatus)
	feb29 := time.Date(2040, 2, 29, 10, 0, 0, 0, mustLoc(t, "Asia/Seoul")).Unix()
	require.Equal(t, feb29, s.ScheduleAt.Unix())
	bodies := api.posts()
	require.Len(t, bodies, 1)
	require.JSONEq(t, fmt.Sprintf(`{"customer_uid":"gildong_0001_1234","schedules":[{
		"merchant_uid":"gildong_0001_1234-c2","schedule_at":%d,"amount":8900,"currency":"KRW","name":"월간 이용권",
		"notice_url":"https://shop.example/iamport-callback/schedule","buyer_name":"홍길동","buyer_email":"gildong@example.com"}]}`, feb29), bodies[0])

	// Scheduling the same cycle again charges nothing twice: iamport
	// refuses the merchant_uid and the existing schedule comes back.
	again, err := c.ScheduleCycle(context.Background(), plan, 2)
	require.NoError(t, err)
	require.Equal(t, *s, *again)
	require.Len(t, api.posts(), 2)
	require.Len(t, api.schedules, 1)
	require.Equal(t, 1, api.gets)
}

// TestScheduleCycleAnswerWithoutTheSchedule: an answer that accepts the
// request but does not list the schedule is followed by a look-up.
func TestScheduleCycleAnswerWithoutTheSchedule(t *testing.T) {
	t.Parallel()
	c, api := newRecAPI(t, recServerNow)
	plan := recPlan()
	want := iamport.Schedule{CustomerUID: plan.CustomerUID, MerchantUID: plan.MerchantUID(2, 0), Amount: plan.Amount,
		Currency: "KRW", ScheduleStatus: iamport.ScheduleStatusScheduled, ScheduleAt: iamport.Unix(plan.BillingTime(2).Unix())}
	api.schedules[want.MerchantUID] = want
	api.mt.RegisterResponder("POST", whBase+"/subscribe/payments/schedule",
		httpmock.NewStringResponder(200, `{"code":0,"message":null,"response":[]}`))
	s, err := c.ScheduleCycle(context.Background(), plan, 2)
	require.NoError(t, err)
	require.Equal(t, want, *s)
	require.Equal(t, 1, api.gets)
}

func TestScheduleCycleRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("taken by another billing key", func(t *testing.T) {
		t.Parallel()
		c, api := newRecAPI(t, recServerNow)
		plan := recPlan()
		api.schedules[plan.MerchantUID(2, 0)] = iamport.Schedule{CustomerUID: "someone_else", MerchantUID: plan.MerchantUID(2, 0)}
		s, err := c.ScheduleCycle(ctx, plan, 2)
		require.Nil(t, s)
		var apiErr *iamport.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, 1, apiErr.Code)
		require.Contains(t, err.Error(), "another billing key")
	})
	t.Run("refused for another reason", func(t *testing.T) {
		t.Parallel()
		c, api := newRecAPI(t, recServerNow)
		api.refuse = "등록된 고객정보가 없습니다."
		s, err := c.ScheduleCycle(ctx, recPlan(), 2)
		require.Nil(t, s)
		var apiErr *iamport.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, "등록된 고객정보가 없습니다.", apiErr.Message)
		require.Equal(t, 1, api.gets, "looked up once, found nothing")
	})
	t.Run("in the past", func(t *testing.T) {
		t.Parallel()
		c, api := newRecAPI(t, recServerNow)
		plan := recPlan()
		plan.Anchor = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
		_, err := c.ScheduleCycle(ctx, plan, 1)
		var ve *iamport.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Equal(t, "schedules[0].schedule_at", ve.Field)
		require.Equal(t, 1, api.mt.GetTotalCallCount(), "only the token, for the server's clock")
	})
	t.Run("bad plan or cycle", func(t *testing.T) {
		t.Parallel()
		c, api := newRecAPI(t, recServerNow)
		var ve *iamport.ValidationError
		_, err := c.ScheduleCycle(ctx, nil, 1)
		require.ErrorAs(t, err, &ve)
		_, err = c.ScheduleCycle(ctx, &iamport.Plan{CustomerUID: "c"}, 1)
		require.ErrorAs(t, err, &ve)
		_, err = c.ScheduleCycle(ctx, recPlan(), 0)
		require.ErrorAs(t, err, &ve)
		require.Equal(t, "cycle", ve.Field)
		require.Zero(t, api.mt.GetTotalCallCount())
	})
}

func paymentOf(plan *iamport.Plan, cycle, attempt int, status iamport.PaymentStatus) *iamport.Payment {
	return &iamport.Payment{ImpUID: fmt.Sprintf("imp_%03d%03d", cycle, attempt), MerchantUID: plan.MerchantUID(cycle, attempt),
		Status: status, Amount: plan.Amount, CustomerUID: plan.CustomerUID, FailReason: map[bool]string{true: "한도초과"}[status == iamport.PaymentStatusFailed]}
}

func TestScheduleFollowUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, api := newRecAPI(t, recServerNow)
	plan := recPlan()
	seoul := mustLoc(t, "Asia/Seoul")

	// Paid cycle 1 → cycle 2 on Feb 29.
	s, err := c.ScheduleFollowUp(ctx, plan, paymentOf(plan, 1, 0, iamport.PaymentStatusPaid))
	require.NoError(t, err)
	require.Equal(t, "gildong_0001_1234-c2", s.MerchantUID)
	require.Equal(t, time.Date(2040, 2, 29, 10, 0, 0, 0, seoul).Unix(), s.ScheduleAt.Unix())

	// Cycle 2 fails: retries 1, 3 and 7 days after its billing time, then it gives up.
	wantRetry := []time.Time{
		time.Date(2040, 3, 1, 10, 0, 0, 0, seoul), time.Date(2040, 3, 3, 10, 0, 0, 0, seoul), time.Date(2040, 3, 7, 10, 0, 0, 0, seoul)}
	for a := 0; a < 3; a++ {
		s, err := c.ScheduleFollowUp(ctx, plan, paymentOf(plan, 2, a, iamport.PaymentStatusFailed))
		require.NoError(t, err)
		require.Equal(t, plan.MerchantUID(2, a+1), s.MerchantUID)
		require.Equal(t, wantRetry[a].Unix(), s.ScheduleAt.Unix(), "attempt %d", a+1)
	}
	n := len(api.posts())
	s, err = c.ScheduleFollowUp(ctx, plan, paymentOf(plan, 2, 3, iamport.PaymentStatusFailed))
	require.Nil(t, s)
	require.ErrorIs(t, err, iamport.ErrRetriesExhausted)
	require.Contains(t, err.Error(), "한도초과")
	require.Len(t, api.posts(), n, "nothing scheduled after the last retry")

	// The second retry of cycle 2 succeeded → cycle 3 on Mar 31, not shifted by the retries,
	// and every other attempt still pending (here the first and third retries) is revoked so the cycle
	// is not charged twice.
	s, err = c.ScheduleFollowUp(ctx, plan, paymentOf(plan, 2, 2, iamport.PaymentStatusPaid))
	require.NoError(t, err)
	require.Equal(t, "gildong_0001_1234-c3", s.MerchantUID)
	require.Equal(t, time.Date(2040, 3, 31, 10, 0, 0, 0, seoul).Unix(), s.ScheduleAt.Unix())
	require.Equal(t, iamport.ScheduleStatusRevoked, api.schedule(plan.MerchantUID(2, 3)).ScheduleStatus)
	require.Equal(t, iamport.ScheduleStatusRevoked, api.schedule(plan.MerchantUID(2, 1)).ScheduleStatus, "every pending attempt of the paid cycle")

	// The same notification handled twice: the second call returns the same schedule.
	dup, err := c.ScheduleFollowUp(ctx, plan, paymentOf(plan, 2, 2, iamport.PaymentStatusPaid))
	require.NoError(t, err)
	require.Equal(t, *s, *dup)
	require.Len(t, api.schedules, 5)
}

// TestScheduleFollowUpRevokesOnlyAPendingRetry covers the retry a paid cycle
// leaves behind: only one still scheduled on the plan's billing key is
// revoked, and one that runs before it can be revoked is no error.
func TestScheduleFollowUpRevokesOnlyAPendingRetry(t *testing.T) {
	t.Parallel()
	const unscheduleKey = "POST " + whBase + "/subscribe/payments/unschedule"
	retryOf := func(plan *iamport.Plan, customerUID string, status iamport.ScheduleStatus) iamport.Schedule {
		return iamport.Schedule{CustomerUID: customerUID, MerchantUID: plan.MerchantUID(1, 1), Amount: plan.Amount,
			Currency: "KRW", ScheduleStatus: status}
	}
	for _, tt := range []struct {
		name         string
		customerUID  string
		status       iamport.ScheduleStatus
		ranMeanwhile bool // unschedule answers "nothing to revoke"
		wantStatus   iamport.ScheduleStatus
	}{
		{"already executed", "gildong_0001_1234", iamport.ScheduleStatusExecuted, false, iamport.ScheduleStatusExecuted},
		{"on another billing key", "someone_else", iamport.ScheduleStatusScheduled, true, iamport.ScheduleStatusScheduled},
		{"ran before it was revoked", "gildong_0001_1234", iamport.ScheduleStatusScheduled, true, iamport.ScheduleStatusScheduled},
		{"pending", "gildong_0001_1234", iamport.ScheduleStatusScheduled, false, iamport.ScheduleStatusRevoked},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, api := newRecAPI(t, recServerNow)
			plan := recPlan()
			api.schedules[plan.MerchantUID(1, 1)] = retryOf(plan, tt.customerUID, tt.status)
			if tt.ranMeanwhile {
				api.mt.RegisterResponder("POST", whBase+"/subscribe/payments/unschedule", httpmock.NewStringResponder(200,
					`{"code":1,"message":"취소할 예약결제 기록이 존재하지 않습니다.","response":null}`))
			}
			s, err := c.ScheduleFollowUp(context.Background(), plan, paymentOf(plan, 1, 0, iamport.PaymentStatusPaid))
			require.NoError(t, err)
			require.Equal(t, plan.MerchantUID(2, 0), s.MerchantUID)
			require.Equal(t, 1, api.mt.GetCallCountInfo()[unscheduleKey], "the other attempts are unscheduled by name, whatever a lookup says")
			require.Equal(t, tt.wantStatus, api.schedule(plan.MerchantUID(1, 1)).ScheduleStatus)
		})
	}
}

func TestScheduleFollowUpRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, api := newRecAPI(t, recServerNow)
	plan := recPlan()

	_, err := c.ScheduleFollowUp(ctx, plan, paymentOf(plan, 1, 0, iamport.PaymentStatusCancelled))
	require.ErrorIs(t, err, iamport.ErrNoFollowUp)
	_, err = c.ScheduleFollowUp(ctx, plan, paymentOf(plan, 1, 0, iamport.PaymentStatusReady))
	require.ErrorIs(t, err, iamport.ErrNoFollowUp)

	foreign := paymentOf(plan, 1, 0, iamport.PaymentStatusPaid)
	foreign.MerchantUID = "order_monthly_0001"
	_, err = c.ScheduleFollowUp(ctx, plan, foreign)
	require.ErrorIs(t, err, iamport.ErrNotPlanMerchantUID)

	other := paymentOf(plan, 1, 0, iamport.PaymentStatusPaid)
	other.CustomerUID = "someone_else"
	_, err = c.ScheduleFollowUp(ctx, plan, other)
	require.ErrorIs(t, err, iamport.ErrNotPlanMerchantUID)

	var ve *iamport.ValidationError
	_, err = c.ScheduleFollowUp(ctx, plan, nil)
	require.ErrorAs(t, err, &ve)
	_, err = c.ScheduleFollowUp(ctx, &iamport.Plan{}, paymentOf(plan, 1, 0, iamport.PaymentStatusPaid))
	require.ErrorAs(t, err, &ve)

	noRetry := recPlan()
	noRetry.Retry = []time.Duration{}
	_, err = c.ScheduleFollowUp(ctx, noRetry, paymentOf(noRetry, 1, 0, iamport.PaymentStatusFailed))
	require.ErrorIs(t, err, iamport.ErrRetriesExhausted)

	last := paymentOf(plan, iamport.MaxPlanCycle, 0, iamport.PaymentStatusPaid)
	_, err = c.ScheduleFollowUp(ctx, plan, last)
	require.ErrorIs(t, err, iamport.ErrNoFollowUp)

	year := recPlan()
	year.Cycles = 12
	_, err = c.ScheduleFollowUp(ctx, year, paymentOf(year, 12, 1, iamport.PaymentStatusPaid))
	require.ErrorIs(t, err, iamport.ErrNoFollowUp)
	_, err = c.ScheduleCycle(ctx, year, 13)
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "cycle", ve.Field)

	require.Empty(t, api.posts(), "nothing was scheduled")
	for k, n := range api.mt.GetCallCountInfo() {
		if n > 0 && !strings.HasPrefix(k, "GET ") && !strings.Contains(k, "getToken") && !strings.HasSuffix(k, "/unschedule") {
			t.Errorf("%d calls to %s: only lookups, and the revocation of a paid last cycle's other attempts, may be sent", n, k)
		}
	}
}

func TestScheduleFollowUpRetryPolicies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ny, _ := time.LoadLocation("America/New_York")
	c, _ := newRecAPI(t, time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC))

	// Whole days are calendar days: the retry keeps 10:00 across the
	// change to daylight saving time (Sunday 11 March 2040 in New York).
	plan := &iamport.Plan{CustomerUID: "ny_1", Amount: 10.5, Currency: "USD", Anchor: time.Date(2040, 1, 10, 10, 0, 0, 0, ny),
		Location: ny, Retry: []time.Duration{24 * time.Hour, 36 * time.Hour}}
	s, err := c.ScheduleFollowUp(ctx, plan, paymentOf(plan, 3, 0, iamport.PaymentStatusFailed))
	require.NoError(t, err)
	require.Equal(t, "2040-03-11T10:00:00-04:00", s.ScheduleAt.In(ny).Format(time.RFC3339))
	// Other durations are exact.
	s, err = c.ScheduleFollowUp(ctx, plan, paymentOf(plan, 3, 1, iamport.PaymentStatusFailed))
	require.NoError(t, err)
	require.Equal(t, "2040-03-11T23:00:00-04:00", s.ScheduleAt.In(ny).Format(time.RFC3339))
	require.Equal(t, plan.MerchantUID(3, 2), s.MerchantUID)

	// A retry landing on a clock time the day skips moves forward by the change.
	night := &iamport.Plan{CustomerUID: "ny_2", Amount: 10, Anchor: time.Date(2040, 1, 10, 2, 30, 0, 0, ny), Location: ny}
	s, err = c.ScheduleFollowUp(ctx, night, paymentOf(night, 3, 0, iamport.PaymentStatusFailed))
	require.NoError(t, err)
	require.Equal(t, "2040-03-11T03:30:00-04:00", s.ScheduleAt.In(ny).Format(time.RFC3339))
	s, err = c.ScheduleFollowUp(ctx, night, paymentOf(night, 3, 1, iamport.PaymentStatusFailed))
	require.NoError(t, err)
	require.Equal(t, "2040-03-13T02:30:00-04:00", s.ScheduleAt.In(ny).Format(time.RFC3339))
}

func TestScheduleFollowUpLate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// The server clock is already past cycle 2's billing time (the
	// notification of cycle 1 was handled weeks late): cycle 2 is scheduled a
	// minute from now instead of being skipped.
	serverNow := time.Date(2040, 3, 5, 0, 0, 0, 0, time.UTC)
	c, api := newRecAPI(t, serverNow)
	_, err := c.GetSchedule(ctx, "warm-up") // learn the server's clock
	require.ErrorIs(t, err, iamport.ErrNotFound)

	plan := recPlan()
	s, err := c.ScheduleFollowUp(ctx, plan, paymentOf(plan, 1, 0, iamport.PaymentStatusPaid))
	require.NoError(t, err)
	require.Equal(t, plan.MerchantUID(2, 0), s.MerchantUID)
	at := s.ScheduleAt.Time
	require.False(t, at.Before(serverNow.Add(time.Minute-time.Second)), at)
	require.True(t, at.Before(serverNow.Add(10*time.Minute)), at)
	require.Len(t, api.posts(), 1)
}

// A monthly plan anchored on January 31st bills on the last day of shorter
// months, and on the 31st again when there is one.
func ExamplePlan() {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	plan := &iamport.Plan{
		CustomerUID: "gildong_0001_1234",
		Amount:      8900,
		Name:        "Monthly subscription",
		Anchor:      time.Date(2028, 1, 31, 10, 0, 0, 0, seoul),
		Location:    seoul,
	}
	for cycle := 1; cycle <= 4; cycle++ {
		fmt.Println(cycle, plan.BillingTime(cycle).Format("2006-01-02 15:04 MST"), plan.MerchantUID(cycle, 0))
	}
	fmt.Println("retry:", plan.MerchantUID(2, 1))
	cycle, attempt, _ := plan.ParseMerchantUID("gildong_0001_1234-c2-r1")
	fmt.Println("parsed:", cycle, attempt)
	// Output:
	// 1 2028-01-31 10:00 KST gildong_0001_1234-c1
	// 2 2028-02-29 10:00 KST gildong_0001_1234-c2
	// 3 2028-03-31 10:00 KST gildong_0001_1234-c3
	// 4 2028-04-30 10:00 KST gildong_0001_1234-c4
	// retry: gildong_0001_1234-c2-r1
	// parsed: 2 1
}
