package iamport_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

func TestPageDecodesLeniently(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		want iamport.Page[iamport.Schedule]
	}{
		{"paged object", `{"total":3,"previous":1,"next":3,"list":[{"merchant_uid":"a"}]}`,
			iamport.Page[iamport.Schedule]{Total: 3, Previous: 1, Next: 3, List: []iamport.Schedule{{MerchantUID: "a"}}}},
		{"numbers as floats and strings", `{"total":"3","previous":1.0,"next":"0","list":[],"extra":{}}`,
			iamport.Page[iamport.Schedule]{Total: 3, Previous: 1, List: []iamport.Schedule{}}},
		{"nulls", `{"total":null,"previous":null,"next":null,"list":null}`, iamport.Page[iamport.Schedule]{}},
		{"bare array is one last page", ` [{"merchant_uid":"a"},{"merchant_uid":"b"}]`,
			iamport.Page[iamport.Schedule]{Total: 2, List: []iamport.Schedule{{MerchantUID: "a"}, {MerchantUID: "b"}}}},
		{"null", `null`, iamport.Page[iamport.Schedule]{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p iamport.Page[iamport.Schedule]
			require.NoError(t, json.Unmarshal([]byte(tc.in), &p))
			require.Equal(t, tc.want, p)
		})
	}
	var p iamport.Page[iamport.Payment]
	require.Error(t, json.Unmarshal([]byte(`{"next":"x"}`), &p))
	require.Error(t, json.Unmarshal([]byte(`[1]`), &p))

	out, err := json.Marshal(iamport.Page[iamport.Payment]{Total: 1, Next: 2, List: []iamport.Payment{}})
	require.NoError(t, err)
	require.JSONEq(t, `{"total":1,"previous":0,"next":2,"list":[]}`, string(out))
}

// epPagedFindAll serves n payments of merchant_uid "order" in pages of the
// requested limit.
func epPagedFindAll(t *testing.T, m *epMux, n int) {
	items := make([]string, n)
	for i := range items {
		items[i] = epPayment(fmt.Sprintf("imp_%d", i), "order")
	}
	m.handle("GET /payments/findAll/order", func(r epReq) (int, string) {
		return 200, epPage(items, epInt(t, r.Query, "page"), epInt(t, r.Query, "limit"))
	})
}

func TestIteratorFetchesLazilyAndStopsOnLastPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, m := newEPClient(t)
	epPagedFindAll(t, m, 25)

	seq := c.FindPayments(ctx, &iamport.FindPaymentsRequest{MerchantUID: "order", Limit: 10})
	require.Empty(t, m.requests(), "nothing is fetched before the loop starts")

	var got []string
	for p, err := range seq {
		require.NoError(t, err)
		got = append(got, p.ImpUID)
		// Page k+1 is fetched only after page k's items were used.
		require.Equal(t, len(got)/10+min(1, len(got)%10), m.count("GET /payments/findAll/order"))
	}
	require.Len(t, got, 25)
	require.Equal(t, "imp_0", got[0])
	require.Equal(t, "imp_24", got[24])
	require.Equal(t, 3, m.count("GET /payments/findAll/order"), "pages 1..3, then next == 0 stops")
	var pages []string
	for _, r := range m.requests() {
		pages = append(pages, r.Query.Get("page"))
	}
	require.Equal(t, []string{"1", "2", "3"}, pages)

	// The sequence can be walked again from the start; it starts at req.Page.
	n := 0
	for _, err := range c.FindPayments(ctx, &iamport.FindPaymentsRequest{MerchantUID: "order", Limit: 10, Page: 2}) {
		require.NoError(t, err)
		n++
	}
	require.Equal(t, 15, n)
}

func TestIteratorBreakSendsNothingMore(t *testing.T) {
	t.Parallel()
	c, m := newEPClient(t)
	epPagedFindAll(t, m, 100)
	n := 0
	for _, err := range c.FindPayments(context.Background(), &iamport.FindPaymentsRequest{MerchantUID: "order", Limit: 10}) {
		require.NoError(t, err)
		n++
		if n == 10 { // the last item of page 1
			break
		}
	}
	require.Equal(t, 1, m.count("GET /payments/findAll/order"))
}

func TestIteratorYieldsRequestErrorOnce(t *testing.T) {
	t.Parallel()
	c, m := newEPClient(t)
	items := []string{epPayment("imp_1", "o"), epPayment("imp_2", "o"), epPayment("imp_3", "o")}
	m.handle("GET /subscribe/customers/cus_1/payments", func(r epReq) (int, string) {
		if r.Query.Get("page") == "2" {
			return 400, epFail(1, "잘못된 페이지입니다.")
		}
		return 200, epPage(items, 1, 2)
	})
	var ids []string
	var errs []error
	for p, err := range c.ListBillingKeyPayments(context.Background(), &iamport.ListBillingKeyPaymentsRequest{CustomerUID: "cus_1"}) {
		if err != nil {
			errs = append(errs, err)
			continue // a loop that goes on after an error still gets nothing more
		}
		ids = append(ids, p.ImpUID)
	}
	require.Equal(t, []string{"imp_1", "imp_2"}, ids)
	require.Len(t, errs, 1)
	var apiErr *iamport.APIError
	require.ErrorAs(t, errs[0], &apiErr)
	require.Equal(t, 400, apiErr.StatusCode)
	require.Equal(t, 2, m.count("GET /subscribe/customers/cus_1/payments"))
}

func TestIteratorStopsWhenContextEnds(t *testing.T) {
	t.Parallel()
	c, m := newEPClient(t)
	epPagedFindAll(t, m, 50)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	items, errs := 0, 0
	for _, err := range c.FindPayments(ctx, &iamport.FindPaymentsRequest{MerchantUID: "order", Limit: 10}) {
		if err != nil {
			require.ErrorIs(t, err, context.Canceled)
			errs++
			continue
		}
		items++
		if items == 3 {
			cancel()
		}
	}
	require.Equal(t, 3, items, "no item after the context ended")
	require.Equal(t, 1, errs, "the context's error is yielded once")
	require.Equal(t, 1, m.count("GET /payments/findAll/order"))

	// A context that ends while a page is fetched ends the walk the same way.
	c, m = newEPClient(t)
	ctx2, cancel2 := context.WithCancel(context.Background())
	m.handle("GET /payments/findAll/order", func(r epReq) (int, string) {
		if r.Query.Get("page") == "2" {
			cancel2()
		}
		return 200, epPage([]string{epPayment("a", "order"), epPayment("b", "order"), epPayment("c", "order")}, epInt(t, r.Query, "page"), 1)
	})
	items, errs = 0, 0
	for _, err := range c.FindPayments(ctx2, &iamport.FindPaymentsRequest{MerchantUID: "order", Limit: 1}) {
		if err != nil {
			require.ErrorIs(t, err, context.Canceled)
			errs++
			continue
		}
		items++
	}
	require.Equal(t, 1, items)
	require.Equal(t, 1, errs)
	require.Equal(t, 2, m.count("GET /payments/findAll/order"))
}

func TestIteratorRefusesPagesThatPointBack(t *testing.T) {
	t.Parallel()
	c, m := newEPClient(t)
	m.reply("GET /payments/findAll/order", 200, epOK(`{"total":10,"previous":0,"next":1,"list":[`+epPayment("a", "order")+`]}`))
	var errs []error
	n := 0
	for _, err := range c.FindPayments(context.Background(), &iamport.FindPaymentsRequest{MerchantUID: "order"}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	require.Equal(t, 1, n)
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], iamport.ErrInvalidResponse)
	require.Equal(t, 1, m.count("GET /payments/findAll/order"))
}

func TestIteratorNotFound(t *testing.T) {
	t.Parallel()
	c, m := newEPClient(t)
	m.reply("GET /payments/findAll/nope", 404, epFail(1, "존재하지 않는 결제정보입니다."))
	var errs []error
	for p, err := range c.FindPayments(context.Background(), &iamport.FindPaymentsRequest{MerchantUID: "nope"}) {
		require.Nil(t, p)
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], iamport.ErrNotFound)
}

// epTimeline is a set of items at known Unix times, served by a handler that
// filters them by a time range and pages them.
type epTimeline struct {
	times []int64
}

// newEPTimeline has an item every 8 hours from from to to inclusive, plus one
// at to itself: 8 hours divide the iterators' 89- and 88-day steps, so items
// sit exactly on the slice boundaries.
func newEPTimeline(from, to time.Time) *epTimeline {
	tl := &epTimeline{}
	for ts := from.Unix(); ts <= to.Unix(); ts += 8 * 3600 {
		tl.times = append(tl.times, ts)
	}
	if tl.times[len(tl.times)-1] != to.Unix() {
		tl.times = append(tl.times, to.Unix())
	}
	return tl
}

// serve answers the page of the items in [lo, hi] (or [lo, hi) when
// exclusive), newest first unless asc.
func (tl *epTimeline) serve(lo, hi int64, exclusive, asc bool, page, limit int, item func(ts int64) string) string {
	var in []string
	for _, ts := range tl.times {
		if ts >= lo && (ts < hi || !exclusive && ts == hi) {
			in = append(in, item(ts))
		}
	}
	if !asc {
		slices.Reverse(in)
	}
	return epPage(in, page, limit)
}

func TestListPaymentsByStatusWalksAYearInSlices(t *testing.T) {
	t.Parallel()
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC)
	tl := newEPTimeline(from, to)

	for _, asc := range []bool{false, true} {
		t.Run(fmt.Sprintf("ascending=%v", asc), func(t *testing.T) {
			t.Parallel()
			c, m := newEPClient(t)
			var windows atomic.Int32
			m.handle("GET /payments/status/paid", func(r epReq) (int, string) {
				lo, hi := int64(epInt(t, r.Query, "from")), int64(epInt(t, r.Query, "to"))
				if lo > hi || hi-lo > 90*24*3600 {
					return 400, epFail(1, "조회기간은 최대 90일까지 가능합니다.")
				}
				if r.Query.Get("page") == "1" {
					windows.Add(1)
				}
				return 200, tl.serve(lo, hi, false, asc, epInt(t, r.Query, "page"), epInt(t, r.Query, "limit"), func(ts int64) string {
					return fmt.Sprintf(`{"imp_uid":"imp_%d","status":"paid","paid_at":%d}`, ts, ts)
				})
			})
			req := &iamport.ListPaymentsByStatusRequest{Status: iamport.PaymentStatusPaid, From: from, To: to, Limit: 100}
			if asc {
				req.Sorting = iamport.SortPaidAsc
			}
			var got []int64
			for p, err := range c.ListPaymentsByStatus(context.Background(), req) {
				require.NoError(t, err)
				got = append(got, p.PaidAt.Unix())
			}
			want := slices.Clone(tl.times)
			if !asc {
				slices.Reverse(want)
			}
			require.Equal(t, want, got, "every payment exactly once, in order across the slices")
			require.Equal(t, int32(5), windows.Load(), "365 days in 89-day slices")

			// The slices tile [from, to] without a gap or an overlap.
			var spans [][2]int64
			for _, r := range m.requests() {
				if r.Query.Get("page") == "1" {
					spans = append(spans, [2]int64{int64(epInt(t, r.Query, "from")), int64(epInt(t, r.Query, "to"))})
				}
			}
			slices.SortFunc(spans, func(a, b [2]int64) int { return int(a[0] - b[0]) })
			require.Equal(t, from.Unix(), spans[0][0])
			require.Equal(t, to.Unix(), spans[len(spans)-1][1])
			for i := 1; i < len(spans); i++ {
				require.Equal(t, spans[i-1][1]+1, spans[i][0])
			}
		})
	}
}

func TestListPaymentsByStatusWithoutRange(t *testing.T) {
	t.Parallel()
	c, m := newEPClient(t)
	m.handle("GET /payments/status/all", func(r epReq) (int, string) {
		return 200, epPage([]string{epPayment("a", "o"), epPayment("b", "o"), epPayment("c", "o")}, epInt(t, r.Query, "page"), 2)
	})
	n := 0
	for _, err := range c.ListPaymentsByStatus(context.Background(), &iamport.ListPaymentsByStatusRequest{}) {
		require.NoError(t, err)
		n++
	}
	require.Equal(t, 3, n)
	for _, r := range m.requests() {
		require.Empty(t, r.Query.Get("from"))
		require.Empty(t, r.Query.Get("to"))
	}

	// With From alone, To is now.
	c, m = newEPClient(t)
	m.reply("GET /payments/status/all", 200, epPage(nil, 1, 20))
	start := time.Now().Add(-10 * 24 * time.Hour)
	for _, err := range c.ListPaymentsByStatus(context.Background(), &iamport.ListPaymentsByStatusRequest{From: start}) {
		require.NoError(t, err)
	}
	reqs := m.requests()
	require.Len(t, reqs, 1)
	require.Equal(t, fmt.Sprint(start.Unix()), reqs[0].Query.Get("from"))
	require.InDelta(t, time.Now().Unix(), epInt(t, reqs[0].Query, "to"), 5)
}

func TestScheduleIteratorsWalkAYearInSlices(t *testing.T) {
	t.Parallel()
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // exclusive
	tl := newEPTimeline(from, to)                     // includes an item at to, which must not be listed
	item := func(ts int64) string { return epSchedule(fmt.Sprintf("s_%d", ts), ts, "scheduled") }
	// Within 3 calendar months, as the API checks it.
	inRange := func(lo, hi int64) bool {
		return lo < hi && !time.Unix(hi, 0).After(time.Unix(lo, 0).UTC().AddDate(0, 3, 0))
	}
	want := slices.Clone(tl.times[:len(tl.times)-1])

	type walk struct {
		name  string
		route string
		asc   bool
		seq   func(c *iamport.Client) func(func(*iamport.Schedule, error) bool)
	}
	walks := []walk{
		{"ListSchedules newest first", "GET /subscribe/payments/schedule", false, func(c *iamport.Client) func(func(*iamport.Schedule, error) bool) {
			return c.ListSchedules(context.Background(), &iamport.ListSchedulesRequest{From: from, To: to, Limit: 50})
		}},
		{"ListSchedules oldest first", "GET /subscribe/payments/schedule", true, func(c *iamport.Client) func(func(*iamport.Schedule, error) bool) {
			return c.ListSchedules(context.Background(), &iamport.ListSchedulesRequest{From: from, To: to, Limit: 50, Sorting: iamport.ScheduleSortOldestFirst})
		}},
		{"ListCustomerSchedules", "GET /subscribe/payments/schedule/customers/cus_1", false, func(c *iamport.Client) func(func(*iamport.Schedule, error) bool) {
			return c.ListCustomerSchedules(context.Background(), &iamport.ListCustomerSchedulesRequest{CustomerUID: "cus_1", From: from, To: to})
		}},
		{"ListBillingKeySchedules", "GET /subscribe/customers/cus_1/schedules", false, func(c *iamport.Client) func(func(*iamport.Schedule, error) bool) {
			return c.ListBillingKeySchedules(context.Background(), &iamport.ListCustomerSchedulesRequest{CustomerUID: "cus_1", From: from, To: to, Status: iamport.ScheduleStatusScheduled})
		}},
	}
	for _, w := range walks {
		t.Run(w.name, func(t *testing.T) {
			t.Parallel()
			c, m := newEPClient(t)
			fromKey, toKey := "from", "to"
			if w.route == "GET /subscribe/payments/schedule" {
				fromKey, toKey = "schedule_from", "schedule_to"
			}
			m.handle(w.route, func(r epReq) (int, string) {
				lo, hi := int64(epInt(t, r.Query, fromKey)), int64(epInt(t, r.Query, toKey))
				if !inRange(lo, hi) {
					return 400, epFail(1, "조회기간은 최대 3개월까지 가능합니다.")
				}
				asc := r.Query.Get("sorting") == "scheduled"
				return 200, tl.serve(lo, hi, true, asc, epInt(t, r.Query, "page"), epInt(t, r.Query, "limit"), item)
			})
			var got []int64
			for s, err := range w.seq(c) {
				require.NoError(t, err)
				got = append(got, s.ScheduleAt.Unix())
			}
			exp := slices.Clone(want)
			if !w.asc {
				slices.Reverse(exp)
			}
			require.Equal(t, exp, got, "every schedule in [from, to) exactly once, in order")
			firstPages := 0
			for _, r := range m.requests() {
				if r.Query.Get("page") == "1" {
					firstPages++
				}
			}
			require.Equal(t, 5, firstPages, "365 days in 88-day slices")
		})
	}
}

// A server that answers empty pages, each claiming a next one, ends the
// listing with an error instead of keeping it going forever.
func TestIteratorStopsOnEmptyPageClaimingNext(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodGet, "/payments/findAll/order", func(req *http.Request) (*http.Response, error) {
		page, _ := strconv.Atoi(req.URL.Query().Get("page"))
		page = max(page, 1)
		next := page + 1
		if page >= 50 { // so that a loop that does not stop still ends
			next = 0
		}
		return reply(200, envelope(map[string]any{"total": 10, "previous": page - 1, "next": next, "list": []any{}}))(req)
	})
	var errs []error
	n := 0
	for _, err := range m.client().FindPayments(bg, &iamport.FindPaymentsRequest{MerchantUID: "order"}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if n++; n > 100 {
			break
		}
	}
	require.Zero(t, n)
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], iamport.ErrInvalidResponse)
	require.Contains(t, errs[0].Error(), "empty")
	require.Equal(t, 1, m.count(http.MethodGet, "/payments/findAll/order"))
}
