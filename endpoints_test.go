package iamport_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// epReq is one API request the mock saw (token requests are not recorded).
type epReq struct {
	Method string
	Path   string // escaped path
	Query  url.Values
	Body   string
}

// epLost, returned as a handler's status, makes the transport fail after the
// request was sent: the answer is lost.
const epLost = -1

// epMux routes the mock transport's requests by method and escaped path, and
// records them. It answers the token request itself.
type epMux struct {
	t      *testing.T
	mu     sync.Mutex
	routes map[string]func(r epReq) (int, string)
	reqs   []epReq
}

func newEPClient(t *testing.T, opts ...iamport.Option) (*iamport.Client, *epMux) {
	t.Helper()
	m := &epMux{t: t, routes: map[string]func(epReq) (int, string){}}
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(m.serve)
	c, err := iamport.New("test_key", "test_secret",
		append([]iamport.Option{iamport.WithHTTPClient(&http.Client{Transport: mt})}, opts...)...)
	require.NoError(t, err)
	return c, m
}

// handle routes "METHOD /escaped/path" to h.
func (m *epMux) handle(route string, h func(r epReq) (int, string)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.routes[route] = h
}

// reply routes route to a fixed answer.
func (m *epMux) reply(route string, status int, body string) {
	m.handle(route, func(epReq) (int, string) { return status, body })
}

func (m *epMux) requests() []epReq {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]epReq(nil), m.reqs...)
}

// count is the number of requests seen for route ("METHOD /path").
func (m *epMux) count(route string) int {
	n := 0
	for _, r := range m.requests() {
		if r.Method+" "+r.Path == route {
			n++
		}
	}
	return n
}

func (m *epMux) serve(req *http.Request) (*http.Response, error) {
	if req.Method == "POST" && req.URL.Path == "/users/getToken" {
		now := time.Now().Unix()
		return epJSON(200, fmt.Sprintf(`{"code":0,"message":null,"response":{"access_token":"tok-1","now":%d,"expired_at":%d}}`, now, now+1800)), nil
	}
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	r := epReq{Method: req.Method, Path: req.URL.EscapedPath(), Query: req.URL.Query(), Body: string(body)}
	m.mu.Lock()
	h := m.routes[r.Method+" "+r.Path]
	if h == nil && r.Method == "GET" && strings.HasPrefix(r.Path, "/payments/findAll/") {
		// A charge's look at its order's earlier attempts: none, unless
		// the test routes it.
		m.mu.Unlock()
		return epJSON(404, `{"code":1,"message":"존재하지 않는 결제정보입니다.","response":null}`), nil
	}
	m.reqs = append(m.reqs, r)
	m.mu.Unlock()
	if h == nil {
		m.t.Errorf("unexpected request %s %s", r.Method, r.Path)
		return epJSON(404, `{"code":1,"message":"no route","response":null}`), nil
	}
	status, out := h(r)
	if status == epLost {
		return nil, errors.New("read: connection reset by peer")
	}
	return epJSON(status, out), nil
}

func epJSON(status int, body string) *http.Response {
	r := httpmock.NewStringResponse(status, body)
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	return r
}

// epOK wraps response in a success envelope.
func epOK(response string) string {
	return `{"code":0,"message":null,"response":` + response + `}`
}

func epFail(code int, msg string) string {
	return fmt.Sprintf(`{"code":%d,"message":%q,"response":null}`, code, msg)
}

// epPage answers page (1-based) of items, limit to a page, as the API's paged object.
func epPage(items []string, page, limit int) string {
	if page < 1 {
		page = 1
	}
	if limit < 1 {
		limit = 20
	}
	lo := min((page-1)*limit, len(items))
	hi := min(lo+limit, len(items))
	next, prev := 0, 0
	if hi < len(items) {
		next = page + 1
	}
	if page > 1 {
		prev = page - 1
	}
	return epOK(fmt.Sprintf(`{"total":%d,"previous":%d,"next":%d,"list":[%s]}`, len(items), prev, next, strings.Join(items[lo:hi], ",")))
}

func epInt(t *testing.T, q url.Values, key string) int {
	t.Helper()
	if q.Get(key) == "" {
		return 0
	}
	n, err := strconv.Atoi(q.Get(key))
	require.NoError(t, err, key)
	return n
}

func epPayment(impUID, merchantUID string) string {
	return fmt.Sprintf(`{"imp_uid":%q,"merchant_uid":%q,"status":"paid","amount":1000,"paid_at":1700000000,"card_type":null}`, impUID, merchantUID)
}

func epSchedule(merchantUID string, at int64, status string) string {
	return fmt.Sprintf(`{"customer_uid":"cus_1","merchant_uid":%q,"imp_uid":null,"schedule_at":%d,"executed_at":0,"revoked_at":0,"amount":9900,"currency":"KRW","schedule_status":%q,"payment_status":null}`, merchantUID, at, status)
}

func requireValidation(t *testing.T, err error, field string) {
	t.Helper()
	var ve *iamport.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, field, ve.Field, "%v", err)
}

func TestGetPayments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("all found", func(t *testing.T) {
		t.Parallel()
		c, m := newEPClient(t)
		m.reply("GET /payments", 200, epOK("["+epPayment("imp_1", "order_1")+","+epPayment("imp_2", "order_2")+"]"))
		res, err := c.GetPayments(ctx, &iamport.GetPaymentsRequest{ImpUIDs: []string{"imp_1"}, MerchantUIDs: []string{"order_2"}})
		require.NoError(t, err)
		require.True(t, res.Complete())
		require.Len(t, res.Payments, 2)
		require.Equal(t, "imp_2", res.Payments[1].ImpUID)
		require.Equal(t, iamport.Amount(1000), res.Payments[0].Amount)
		q := m.requests()[0].Query
		require.Equal(t, []string{"imp_1"}, q["imp_uid[]"])
		require.Equal(t, []string{"order_2"}, q["merchant_uid[]"])
	})

	t.Run("207 partial is reported", func(t *testing.T) {
		t.Parallel()
		c, m := newEPClient(t)
		m.reply("GET /payments", 207, epOK("["+epPayment("imp_1", "order_1")+","+epPayment("imp_9", "order_3")+"]"))
		res, err := c.GetPayments(ctx, &iamport.GetPaymentsRequest{
			ImpUIDs:      []string{"imp_1", "imp_2", "imp_3", "imp_2"},
			MerchantUIDs: []string{"order_3", "order_4"},
		})
		require.NoError(t, err)
		require.False(t, res.Complete())
		require.Len(t, res.Payments, 2)
		require.Equal(t, []string{"imp_2", "imp_3"}, res.MissingImpUIDs)
		require.Equal(t, []string{"order_4"}, res.MissingMerchantUIDs)
		require.Equal(t, []string{"imp_1", "imp_2", "imp_3", "imp_2"}, m.requests()[0].Query["imp_uid[]"])
	})

	t.Run("404 none found", func(t *testing.T) {
		t.Parallel()
		c, m := newEPClient(t)
		m.reply("GET /payments", 404, epFail(1, "존재하지 않는 결제정보입니다."))
		res, err := c.GetPayments(ctx, &iamport.GetPaymentsRequest{ImpUIDs: []string{"imp_1"}, MerchantUIDs: []string{"order_1"}})
		require.NoError(t, err)
		require.Empty(t, res.Payments)
		require.Equal(t, []string{"imp_1"}, res.MissingImpUIDs)
		require.Equal(t, []string{"order_1"}, res.MissingMerchantUIDs)
	})

	t.Run("404 that is not the API's answer stays an error", func(t *testing.T) {
		t.Parallel()
		c, m := newEPClient(t)
		m.reply("GET /payments", 404, "<html>not found</html>")
		_, err := c.GetPayments(ctx, &iamport.GetPaymentsRequest{ImpUIDs: []string{"imp_1"}})
		require.ErrorIs(t, err, iamport.ErrInvalidResponse)
	})

	t.Run("other failures are errors", func(t *testing.T) {
		t.Parallel()
		c, m := newEPClient(t)
		m.reply("GET /payments", 401, epFail(-1, "Unauthorized"))
		_, err := c.GetPayments(ctx, &iamport.GetPaymentsRequest{ImpUIDs: []string{"imp_1"}})
		require.ErrorIs(t, err, iamport.ErrUnauthorized)
	})

	t.Run("validation", func(t *testing.T) {
		t.Parallel()
		c, m := newEPClient(t)
		many := make([]string, 60)
		for i := range many {
			many[i] = fmt.Sprintf("id_%d", i)
		}
		_, err := c.GetPayments(ctx, &iamport.GetPaymentsRequest{ImpUIDs: many, MerchantUIDs: many[:41]})
		requireValidation(t, err, "imp_uid[]")
		require.Contains(t, err.Error(), "100")
		_, err = c.GetPayments(ctx, &iamport.GetPaymentsRequest{})
		requireValidation(t, err, "imp_uid[]")
		_, err = c.GetPayments(ctx, &iamport.GetPaymentsRequest{ImpUIDs: []string{"imp_1"}, MerchantUIDs: []string{"ok", ""}})
		requireValidation(t, err, "merchant_uid[1]")
		_, err = c.GetPayments(ctx, nil)
		requireValidation(t, err, "request")
		require.Empty(t, m.requests())

		// Exactly 100 is allowed.
		m.reply("GET /payments", 200, epOK("[]"))
		res, err := c.GetPayments(ctx, &iamport.GetPaymentsRequest{ImpUIDs: many, MerchantUIDs: many[:40]})
		require.NoError(t, err)
		require.Len(t, res.MissingImpUIDs, 60)
		require.Len(t, res.MissingMerchantUIDs, 40)
	})
}

func TestFindPaymentsPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, m := newEPClient(t)
	m.reply("GET /payments/findAll/order%2F1", 200, epPage([]string{epPayment("imp_1", "order/1")}, 1, 20))
	m.reply("GET /payments/findAll/order%2F1/failed", 200, epOK(`{"total":"3","previous":1.0,"next":3,"list":[`+epPayment("imp_2", "order/1")+`]}`))

	p, err := c.FindPaymentsPage(ctx, &iamport.FindPaymentsRequest{MerchantUID: "order/1"})
	require.NoError(t, err)
	require.Equal(t, 1, p.Total)
	require.Equal(t, 0, p.Next)
	require.Equal(t, "imp_1", p.List[0].ImpUID)
	require.Empty(t, m.requests()[0].Query)

	p, err = c.FindPaymentsPage(ctx, &iamport.FindPaymentsRequest{
		MerchantUID: "order/1", Status: iamport.PaymentStatusFailed, Page: 2, Limit: 1, Sorting: iamport.SortPaidAsc,
	})
	require.NoError(t, err)
	require.Equal(t, iamport.Page[iamport.Payment]{Total: 3, Previous: 1, Next: 3, List: p.List}, *p)
	require.Equal(t, url.Values{"page": {"2"}, "limit": {"1"}, "sorting": {"paid"}}, m.requests()[1].Query)

	m.reply("GET /payments/findAll/nope", 404, epFail(1, "존재하지 않는 결제정보입니다."))
	_, err = c.FindPaymentsPage(ctx, &iamport.FindPaymentsRequest{MerchantUID: "nope"})
	require.ErrorIs(t, err, iamport.ErrNotFound)
}

func TestListValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, m := newEPClient(t)
	now := time.Now()
	day := 24 * time.Hour

	cases := []struct {
		name  string
		field string
		call  func() error
	}{
		{"findAll nil", "request", func() error { _, err := c.FindPaymentsPage(ctx, nil); return err }},
		{"findAll no id", "merchant_uid", func() error { _, err := c.FindPaymentsPage(ctx, &iamport.FindPaymentsRequest{}); return err }},
		{"findAll status", "payment_status", func() error {
			_, err := c.FindPaymentsPage(ctx, &iamport.FindPaymentsRequest{MerchantUID: "o", Status: "all"})
			return err
		}},
		{"findAll sorting", "sorting", func() error {
			_, err := c.FindPaymentsPage(ctx, &iamport.FindPaymentsRequest{MerchantUID: "o", Sorting: "newest"})
			return err
		}},
		{"findAll limit high", "limit", func() error {
			_, err := c.FindPaymentsPage(ctx, &iamport.FindPaymentsRequest{MerchantUID: "o", Limit: 1001})
			return err
		}},
		{"findAll limit negative", "limit", func() error {
			_, err := c.FindPaymentsPage(ctx, &iamport.FindPaymentsRequest{MerchantUID: "o", Limit: -1})
			return err
		}},
		{"findAll page", "page", func() error {
			_, err := c.FindPaymentsPage(ctx, &iamport.FindPaymentsRequest{MerchantUID: "o", Page: -1})
			return err
		}},
		{"status bad", "payment_status", func() error {
			_, err := c.ListPaymentsByStatusPage(ctx, &iamport.ListPaymentsByStatusRequest{Status: "refunded"})
			return err
		}},
		{"status from after to", "from", func() error {
			_, err := c.ListPaymentsByStatusPage(ctx, &iamport.ListPaymentsByStatusRequest{From: now, To: now.Add(-time.Second)})
			return err
		}},
		{"status range over 90 days", "from", func() error {
			_, err := c.ListPaymentsByStatusPage(ctx, &iamport.ListPaymentsByStatusRequest{From: now.Add(-90*day - time.Second), To: now})
			return err
		}},
		{"status from over 90 days ago, to now", "from", func() error {
			_, err := c.ListPaymentsByStatusPage(ctx, &iamport.ListPaymentsByStatusRequest{From: now.Add(-91 * day)})
			return err
		}},
		{"status limit", "limit", func() error {
			_, err := c.ListPaymentsByStatusPage(ctx, &iamport.ListPaymentsByStatusRequest{Limit: 5000})
			return err
		}},
		{"status nil", "request", func() error { _, err := c.ListPaymentsByStatusPage(ctx, nil); return err }},
		{"balance id", "imp_uid", func() error { _, err := c.GetPaymentBalance(ctx, ""); return err }},
		{"prepare amount", "amount", func() error {
			_, err := c.PreparePayment(ctx, &iamport.PreparePaymentRequest{MerchantUID: "o"})
			return err
		}},
		{"prepare id", "merchant_uid", func() error {
			_, err := c.UpdatePreparedPayment(ctx, &iamport.PreparePaymentRequest{Amount: 100})
			return err
		}},
		{"prepare nil", "request", func() error { _, err := c.PreparePayment(ctx, nil); return err }},
		{"get prepared id", "merchant_uid", func() error { _, err := c.GetPreparedPayment(ctx, "a\x00b"); return err }},
		{"billing keys none", "customer_uid[]", func() error {
			_, err := c.GetBillingKeys(ctx, &iamport.GetBillingKeysRequest{})
			return err
		}},
		{"billing keys bad id", "customer_uid[0]", func() error {
			_, err := c.GetBillingKeys(ctx, &iamport.GetBillingKeysRequest{CustomerUIDs: []string{".."}})
			return err
		}},
		{"billing key payments id", "customer_uid", func() error {
			_, err := c.ListBillingKeyPaymentsPage(ctx, &iamport.ListBillingKeyPaymentsRequest{})
			return err
		}},
		{"billing key payments page", "page", func() error {
			_, err := c.ListBillingKeyPaymentsPage(ctx, &iamport.ListBillingKeyPaymentsRequest{CustomerUID: "c", Page: -2})
			return err
		}},
		{"schedules from required", "schedule_from", func() error {
			_, err := c.ListSchedulesPage(ctx, &iamport.ListSchedulesRequest{To: now})
			return err
		}},
		{"schedules to required", "schedule_to", func() error {
			_, err := c.ListSchedulesPage(ctx, &iamport.ListSchedulesRequest{From: now})
			return err
		}},
		{"schedules empty range", "schedule_from", func() error {
			_, err := c.ListSchedulesPage(ctx, &iamport.ListSchedulesRequest{From: now, To: now})
			return err
		}},
		{"schedules over 3 months", "schedule_to", func() error {
			_, err := c.ListSchedulesPage(ctx, &iamport.ListSchedulesRequest{From: now, To: now.AddDate(0, 3, 1)})
			return err
		}},
		{"schedules status", "schedule_status", func() error {
			_, err := c.ListSchedulesPage(ctx, &iamport.ListSchedulesRequest{From: now, To: now.Add(day), Status: "paid"})
			return err
		}},
		{"schedules sorting", "sorting", func() error {
			_, err := c.ListSchedulesPage(ctx, &iamport.ListSchedulesRequest{From: now, To: now.Add(day), Sorting: "-started"})
			return err
		}},
		{"schedules limit", "limit", func() error {
			_, err := c.ListSchedulesPage(ctx, &iamport.ListSchedulesRequest{From: now, To: now.Add(day), Limit: 1001})
			return err
		}},
		{"customer schedules id", "customer_uid", func() error {
			_, err := c.ListCustomerSchedulesPage(ctx, &iamport.ListCustomerSchedulesRequest{From: now, To: now.Add(day)})
			return err
		}},
		{"customer schedules status", "schedule-status", func() error {
			_, err := c.ListCustomerSchedulesPage(ctx, &iamport.ListCustomerSchedulesRequest{CustomerUID: "c", From: now, To: now.Add(day), Status: "x"})
			return err
		}},
		{"billing key schedules range", "to", func() error {
			_, err := c.ListBillingKeySchedulesPage(ctx, &iamport.ListCustomerSchedulesRequest{CustomerUID: "c", From: now, To: now.AddDate(0, 4, 0)})
			return err
		}},
		{"billing key schedules from", "from", func() error {
			_, err := c.ListBillingKeySchedulesPage(ctx, &iamport.ListCustomerSchedulesRequest{CustomerUID: "c", To: now})
			return err
		}},
		{"customer schedules nil", "request", func() error { _, err := c.ListCustomerSchedulesPage(ctx, nil); return err }},
		{"update past", "schedule_at", func() error {
			_, err := c.UpdateSchedule(ctx, &iamport.UpdateScheduleRequest{MerchantUID: "o", ScheduleAt: now.Add(-time.Minute)})
			return err
		}},
		{"update zero", "schedule_at", func() error {
			_, err := c.UpdateSchedule(ctx, &iamport.UpdateScheduleRequest{MerchantUID: "o"})
			return err
		}},
		{"update id", "merchant_uid", func() error {
			_, err := c.UpdateSchedule(ctx, &iamport.UpdateScheduleRequest{ScheduleAt: now.Add(time.Hour)})
			return err
		}},
		{"update nil", "request", func() error { _, err := c.UpdateSchedule(ctx, nil); return err }},
		{"reschedule past", "schedule_at", func() error {
			_, err := c.RescheduleSchedule(ctx, &iamport.RescheduleScheduleRequest{MerchantUID: "o", ScheduleAt: now})
			return err
		}},
		{"reschedule nil", "request", func() error { _, err := c.RescheduleSchedule(ctx, nil); return err }},
		{"retry id", "merchant_uid", func() error { _, err := c.RetrySchedule(ctx, ""); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			requireValidation(t, tc.call(), tc.field)
		})
	}

	// The iterators yield the same validation errors, once, without a request.
	iterCases := []struct {
		field string
		seq   func(func(error) bool)
	}{
		{"limit", epErrs(c.FindPayments(ctx, &iamport.FindPaymentsRequest{MerchantUID: "o", Limit: 1001}))},
		{"request", epErrs(c.FindPayments(ctx, nil))},
		{"from", epErrs(c.ListPaymentsByStatus(ctx, &iamport.ListPaymentsByStatusRequest{From: now, To: now.Add(-time.Hour)}))},
		{"request", epErrs(c.ListPaymentsByStatus(ctx, nil))},
		{"customer_uid", epErrs(c.ListBillingKeyPayments(ctx, &iamport.ListBillingKeyPaymentsRequest{}))},
		{"request", epErrs(c.ListBillingKeyPayments(ctx, nil))},
		{"schedule_to", epErrs(c.ListSchedules(ctx, &iamport.ListSchedulesRequest{From: now}))},
		{"request", epErrs(c.ListSchedules(ctx, nil))},
		{"from", epErrs(c.ListCustomerSchedules(ctx, &iamport.ListCustomerSchedulesRequest{CustomerUID: "c", From: now, To: now.Add(-time.Hour)}))},
		{"request", epErrs(c.ListBillingKeySchedules(ctx, nil))},
	}
	for i, tc := range iterCases {
		var errs []error
		for err := range tc.seq {
			errs = append(errs, err)
		}
		require.Len(t, errs, 1, "case %d", i)
		requireValidation(t, errs[0], tc.field)
	}
	require.Empty(t, m.requests(), "no request may be sent for invalid input")
}

// epErrs adapts an iterator to one over its errors, failing on items.
func epErrs[T any](seq func(func(*T, error) bool)) func(func(error) bool) {
	return func(yield func(error) bool) {
		for item, err := range seq {
			if item != nil {
				panic("unexpected item")
			}
			if !yield(err) {
				return
			}
		}
	}
}

func TestListPaymentsByStatusPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, m := newEPClient(t)
	m.reply("GET /payments/status/all", 200, epPage([]string{epPayment("imp_1", "o1")}, 1, 20))
	m.reply("GET /payments/status/paid", 200, epPage(nil, 1, 20))

	p, err := c.ListPaymentsByStatusPage(ctx, &iamport.ListPaymentsByStatusRequest{})
	require.NoError(t, err)
	require.Len(t, p.List, 1)
	require.Empty(t, m.requests()[0].Query, "the API's defaults are left to the API")

	from := time.Unix(1_700_000_000, 0)
	_, err = c.ListPaymentsByStatusPage(ctx, &iamport.ListPaymentsByStatusRequest{
		Status: iamport.PaymentStatusPaid, From: from, To: from.Add(90 * 24 * time.Hour), Page: 3, Limit: 1000, Sorting: iamport.SortUpdatedDesc,
	})
	require.NoError(t, err)
	require.Equal(t, url.Values{
		"from": {"1700000000"}, "to": {strconv.FormatInt(from.Add(90*24*time.Hour).Unix(), 10)},
		"page": {"3"}, "limit": {"1000"}, "sorting": {"-updated"},
	}, m.requests()[1].Query)

	_, err = c.ListPaymentsByStatusPage(ctx, &iamport.ListPaymentsByStatusRequest{Status: "all"})
	require.NoError(t, err)
	require.Equal(t, "/payments/status/all", m.requests()[2].Path)
}

func TestGetPaymentBalance(t *testing.T) {
	t.Parallel()
	c, m := newEPClient(t)
	m.reply("GET /payments/imp_1/balance", 200, epOK(`{
		"amount": 9000,
		"cash_receipt": {"tax_free": 0, "supply": 0, "vat": 0, "service": 0},
		"primary": {"tax_free": 1000, "supply": 7272.5, "vat": 727, "service": 0},
		"secondary": {"tax_free": 0, "supply": 0, "vat": 0, "service": 0},
		"discount": {"tax_free": 0, "supply": 0, "vat": 0, "service": 0},
		"histories": [{"cash_receipt": {}, "primary": {"supply": 9000}, "secondary": {}, "discount": {}, "created": 1700000000}],
		"future_field": true
	}`))
	b, err := c.GetPaymentBalance(context.Background(), "imp_1")
	require.NoError(t, err)
	require.Equal(t, iamport.Amount(9000), b.Amount)
	require.Equal(t, iamport.BalanceDetail{TaxFree: 1000, Supply: 7272.5, Vat: 727}, b.Primary)
	require.Len(t, b.Histories, 1)
	require.Equal(t, int64(1700000000), b.Histories[0].Created.Unix())
	require.Equal(t, iamport.Amount(9000), b.Histories[0].Primary.Supply)

	m.reply("GET /payments/imp_2/balance", 405, epFail(-1, "PAYCO 결제건만 지원합니다."))
	_, err = c.GetPaymentBalance(context.Background(), "imp_2")
	var apiErr *iamport.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, 405, apiErr.StatusCode)
}

func TestPrepare(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, m := newEPClient(t)
	m.handle("POST /payments/prepare", func(r epReq) (int, string) {
		return 200, epOK(`{"merchant_uid":"order_1","amount":10.5,"currency":"USD"}`)
	})
	m.handle("PUT /payments/prepare", func(r epReq) (int, string) {
		return 200, epOK(`{"merchant_uid":"order_1","amount":12000,"currency":null}`)
	})
	m.reply("GET /payments/prepare/order_1", 200, epOK(`{"merchant_uid":"order_1","amount":12000,"currency":null}`))
	m.reply("GET /payments/prepare/order_2", 404, epFail(1, "사전등록된 결제정보가 존재하지 않습니다."))

	p, err := c.PreparePayment(ctx, &iamport.PreparePaymentRequest{MerchantUID: "order_1", Amount: 10.5, Currency: "USD"})
	require.NoError(t, err)
	require.Equal(t, iamport.PreparedPayment{MerchantUID: "order_1", Amount: 10.5, Currency: "USD"}, *p)
	require.JSONEq(t, `{"merchant_uid":"order_1","amount":10.5,"currency":"USD"}`, m.requests()[0].Body)

	p, err = c.UpdatePreparedPayment(ctx, &iamport.PreparePaymentRequest{MerchantUID: "order_1", Amount: 12000})
	require.NoError(t, err)
	require.Equal(t, iamport.Amount(12000), p.Amount)
	require.Empty(t, p.Currency)
	require.JSONEq(t, `{"merchant_uid":"order_1","amount":12000}`, m.requests()[1].Body)

	p, err = c.GetPreparedPayment(ctx, "order_1")
	require.NoError(t, err)
	require.Equal(t, "order_1", p.MerchantUID)

	_, err = c.GetPreparedPayment(ctx, "order_2")
	require.ErrorIs(t, err, iamport.ErrNotFound)
	require.Contains(t, err.Error(), "사전등록된 결제정보가 존재하지 않습니다.")
}

func TestGetBillingKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key := func(uid string) string {
		return fmt.Sprintf(`{"customer_uid":%q,"pg_provider":"nice","card_name":"신한카드","card_type":1,"inserted":1700000000,"updated":0}`, uid)
	}

	c, m := newEPClient(t)
	m.reply("GET /subscribe/customers", 207, epOK("["+key("cus_1")+"]"))
	res, err := c.GetBillingKeys(ctx, &iamport.GetBillingKeysRequest{CustomerUIDs: []string{"cus_1", "cus_2"}})
	require.NoError(t, err)
	require.False(t, res.Complete())
	require.Len(t, res.BillingKeys, 1)
	require.Equal(t, iamport.CardTypeCheck, res.BillingKeys[0].CardType)
	require.Equal(t, []string{"cus_2"}, res.MissingCustomerUIDs)
	require.Equal(t, []string{"cus_1", "cus_2"}, m.requests()[0].Query["customer_uid[]"])

	c, m = newEPClient(t)
	m.reply("GET /subscribe/customers", 404, epFail(1, "not found"))
	res, err = c.GetBillingKeys(ctx, &iamport.GetBillingKeysRequest{CustomerUIDs: []string{"cus_3"}})
	require.NoError(t, err)
	require.Empty(t, res.BillingKeys)
	require.Equal(t, []string{"cus_3"}, res.MissingCustomerUIDs)

	c, m = newEPClient(t)
	m.reply("GET /subscribe/customers", 200, epOK("["+key("cus_1")+"]"))
	res, err = c.GetBillingKeys(ctx, &iamport.GetBillingKeysRequest{CustomerUIDs: []string{"cus_1"}})
	require.NoError(t, err)
	require.True(t, res.Complete())
}

func TestListBillingKeyPaymentsPage(t *testing.T) {
	t.Parallel()
	c, m := newEPClient(t)
	m.reply("GET /subscribe/customers/cus%2F1/payments", 200, epPage([]string{epPayment("imp_1", "o1")}, 2, 20))
	p, err := c.ListBillingKeyPaymentsPage(context.Background(), &iamport.ListBillingKeyPaymentsRequest{CustomerUID: "cus/1", Page: 2})
	require.NoError(t, err)
	require.Equal(t, 1, p.Previous)
	require.Equal(t, url.Values{"page": {"2"}}, m.requests()[0].Query)
}

func TestScheduleListPages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	from := time.Unix(1_700_000_000, 0)
	to := from.AddDate(0, 3, 0)
	c, m := newEPClient(t)
	// The API documentation shows a bare array; the API answers a paged object.
	m.reply("GET /subscribe/payments/schedule", 200, epOK("["+epSchedule("s1", from.Unix(), "scheduled")+"]"))
	m.reply("GET /subscribe/payments/schedule/customers/cus_1", 200, epPage([]string{epSchedule("s2", from.Unix(), "executed")}, 1, 20))
	m.reply("GET /subscribe/customers/cus_1/schedules", 200, epPage([]string{epSchedule("s3", from.Unix(), "revoked")}, 1, 20))

	p, err := c.ListSchedulesPage(ctx, &iamport.ListSchedulesRequest{
		From: from, To: to, Status: iamport.ScheduleStatusScheduled, Page: 2, Limit: 100, Sorting: iamport.ScheduleSortOldestFirst,
	})
	require.NoError(t, err)
	require.Equal(t, 1, p.Total)
	require.Equal(t, 0, p.Next)
	require.Equal(t, "s1", p.List[0].MerchantUID)
	require.Empty(t, p.List[0].ImpUID)
	require.Empty(t, p.List[0].PaymentStatus)
	require.Equal(t, url.Values{
		"schedule_from": {"1700000000"}, "schedule_to": {strconv.FormatInt(to.Unix(), 10)}, "schedule_status": {"scheduled"},
		"page": {"2"}, "limit": {"100"}, "sorting": {"scheduled"},
	}, m.requests()[0].Query)

	req := &iamport.ListCustomerSchedulesRequest{CustomerUID: "cus_1", From: from, To: to, Status: iamport.ScheduleStatusExecuted, Page: 1}
	p, err = c.ListCustomerSchedulesPage(ctx, req)
	require.NoError(t, err)
	require.Equal(t, iamport.ScheduleStatusExecuted, p.List[0].ScheduleStatus)
	want := url.Values{"from": {"1700000000"}, "to": {strconv.FormatInt(to.Unix(), 10)}, "schedule-status": {"executed"}, "page": {"1"}}
	require.Equal(t, want, m.requests()[1].Query)

	p, err = c.ListBillingKeySchedulesPage(ctx, req)
	require.NoError(t, err)
	require.Equal(t, "s3", p.List[0].MerchantUID)
	require.Equal(t, want, m.requests()[2].Query)
}

func TestUpdateAndReschedule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	at := time.Now().Add(48 * time.Hour).Truncate(time.Second)

	c, m := newEPClient(t)
	m.reply("PUT /subscribe/payments/schedule/sch%2F1", 200, epOK(epSchedule("sch/1", at.Unix(), "scheduled")))
	m.reply("POST /subscribe/payments/schedule/sch%2F1/reschedule", 200, epOK(epSchedule("sch/1", at.Unix(), "scheduled")))

	s, err := c.UpdateSchedule(ctx, &iamport.UpdateScheduleRequest{MerchantUID: "sch/1", ScheduleAt: at})
	require.NoError(t, err)
	require.Equal(t, at.Unix(), s.ScheduleAt.Unix())
	require.JSONEq(t, fmt.Sprintf(`{"schedule_at":%d}`, at.Unix()), m.requests()[0].Body)

	s, err = c.RescheduleSchedule(ctx, &iamport.RescheduleScheduleRequest{MerchantUID: "sch/1", ScheduleAt: at})
	require.NoError(t, err)
	require.Equal(t, iamport.ScheduleStatusScheduled, s.ScheduleStatus)
	require.JSONEq(t, fmt.Sprintf(`{"schedule_at":%d}`, at.Unix()), m.requests()[1].Body)

	m.reply("PUT /subscribe/payments/schedule/done", 400, epFail(1, "이미 실행된 예약건입니다."))
	_, err = c.UpdateSchedule(ctx, &iamport.UpdateScheduleRequest{MerchantUID: "done", ScheduleAt: at})
	var apiErr *iamport.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, 400, apiErr.StatusCode)
	require.Equal(t, 1, m.count("PUT /subscribe/payments/schedule/done"), "a 400 is final")
}

// A lost answer to UpdateSchedule is never blindly re-sent: the schedule is
// looked up, and the call is sent again only when it was provably not applied.
func TestUpdateScheduleLostAnswer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	at := time.Now().Add(48 * time.Hour).Truncate(time.Second)
	old := at.Add(-24 * time.Hour)

	t.Run("applied", func(t *testing.T) {
		t.Parallel()
		c, m := newEPClient(t, iamport.WithReconcileTimeout(2*time.Second))
		m.reply("PUT /subscribe/payments/schedule/sch_1", epLost, "")
		m.reply("GET /subscribe/payments/schedule/sch_1", 200, epOK(epSchedule("sch_1", at.Unix(), "scheduled")))
		s, err := c.UpdateSchedule(ctx, &iamport.UpdateScheduleRequest{MerchantUID: "sch_1", ScheduleAt: at})
		require.NoError(t, err)
		require.Equal(t, at.Unix(), s.ScheduleAt.Unix())
		require.Equal(t, 1, m.count("PUT /subscribe/payments/schedule/sch_1"))
		require.Equal(t, 1, m.count("GET /subscribe/payments/schedule/sch_1"))
	})

	t.Run("not shown applied: never sent again", func(t *testing.T) {
		t.Parallel()
		c, m := newEPClient(t, iamport.WithReconcileTimeout(200*time.Millisecond))
		var mu sync.Mutex
		puts := 0
		m.handle("PUT /subscribe/payments/schedule/sch_2", func(r epReq) (int, string) {
			mu.Lock()
			defer mu.Unlock()
			puts++
			if puts == 1 {
				return 500, "<html>Internal Server Error</html>"
			}
			return 200, epOK(epSchedule("sch_2", at.Unix(), "scheduled"))
		})
		m.reply("GET /subscribe/payments/schedule/sch_2", 200, epOK(epSchedule("sch_2", old.Unix(), "scheduled")))
		_, err := c.UpdateSchedule(ctx, &iamport.UpdateScheduleRequest{MerchantUID: "sch_2", ScheduleAt: at})
		var unknown *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &unknown)
		require.Equal(t, 1, m.count("PUT /subscribe/payments/schedule/sch_2"))
		require.GreaterOrEqual(t, m.count("GET /subscribe/payments/schedule/sch_2"), 1)
	})

	t.Run("lookups fail: outcome unknown", func(t *testing.T) {
		t.Parallel()
		c, m := newEPClient(t, iamport.WithReconcileTimeout(150*time.Millisecond), iamport.WithMaxRetries(0))
		m.reply("POST /subscribe/payments/schedule/sch_3/reschedule", epLost, "")
		m.reply("GET /subscribe/payments/schedule/sch_3", 400, epFail(-1, "broken"))
		_, err := c.RescheduleSchedule(ctx, &iamport.RescheduleScheduleRequest{MerchantUID: "sch_3", ScheduleAt: at})
		var unknown *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &unknown)
		require.Equal(t, "sch_3", unknown.MerchantUID)
		require.Equal(t, 1, m.count("POST /subscribe/payments/schedule/sch_3/reschedule"))
	})
}

func TestRetrySchedule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	paid := `{"imp_uid":"imp_7","merchant_uid":"sch_1","status":"paid","amount":9900,"paid_at":1700000000,"customer_uid_usage":"payment.scheduled"}`

	t.Run("paid", func(t *testing.T) {
		t.Parallel()
		c, m := newEPClient(t)
		m.reply("POST /subscribe/payments/schedule/sch_1/retry", 200, epOK(paid))
		p, err := c.RetrySchedule(ctx, "sch_1")
		require.NoError(t, err)
		require.True(t, p.Paid())
		require.Equal(t, "payment.scheduled", p.CustomerUIDUsage)
		require.Empty(t, m.requests()[0].Body)
	})

	t.Run("declined", func(t *testing.T) {
		t.Parallel()
		c, m := newEPClient(t)
		m.reply("POST /subscribe/payments/schedule/sch_1/retry", 200,
			epOK(`{"imp_uid":"imp_8","merchant_uid":"sch_1","status":"failed","fail_reason":"한도초과","failed_at":1700000000}`))
		p, err := c.RetrySchedule(ctx, "sch_1")
		var declined *iamport.DeclinedError
		require.ErrorAs(t, err, &declined)
		require.Same(t, p, declined.Payment)
		require.Equal(t, "한도초과", p.FailReason)
		require.Contains(t, err.Error(), "한도초과")
	})

	t.Run("pending schedule refused", func(t *testing.T) {
		t.Parallel()
		c, m := newEPClient(t)
		m.reply("POST /subscribe/payments/schedule/sch_1/retry", 400, epFail(1, "아직 실행되지 않은 예약건입니다."))
		_, err := c.RetrySchedule(ctx, "sch_1")
		var apiErr *iamport.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, 400, apiErr.StatusCode)
	})

	t.Run("lost answer is looked up, not re-sent", func(t *testing.T) {
		t.Parallel()
		c, m := newEPClient(t, iamport.WithReconcileTimeout(2*time.Second))
		m.reply("POST /subscribe/payments/schedule/sch_1/retry", epLost, "")
		n := 0
		m.handle("GET /payments/findAll/sch_1", func(epReq) (int, string) {
			if n++; n == 1 {
				return 404, epFail(1, "존재하지 않는 결제정보입니다.")
			}
			return 200, epOK(`{"total":1,"previous":0,"next":0,"list":[` + paid + `]}`)
		})
		p, err := c.RetrySchedule(ctx, "sch_1")
		require.NoError(t, err)
		require.Equal(t, "imp_7", p.ImpUID)
		require.Equal(t, 1, m.count("POST /subscribe/payments/schedule/sch_1/retry"))
		require.Equal(t, 2, m.count("GET /payments/findAll/sch_1"), "one look before, one after")
	})
}

// The 3-month limit of one schedule page is counted in Korean time: from
// 2025-11-30 20:00 UTC (2025-12-01 05:00 KST) it ends at 2026-03-01 05:00
// KST, not at 2026-03-02 20:00 UTC as counting in UTC would give.
func TestScheduleRangeCountsMonthsInKST(t *testing.T) {
	t.Parallel()
	c, m := newEPClient(t)
	m.reply("GET /subscribe/payments/schedule", 200, epPage(nil, 1, 20))
	from := time.Date(2025, 11, 30, 20, 0, 0, 0, time.UTC)
	end := time.Date(2026, 2, 28, 20, 0, 0, 0, time.UTC) // 2026-03-01 05:00 KST
	_, err := c.ListSchedulesPage(context.Background(), &iamport.ListSchedulesRequest{From: from, To: end})
	require.NoError(t, err)
	_, err = c.ListSchedulesPage(context.Background(), &iamport.ListSchedulesRequest{From: from, To: end.Add(time.Second)})
	requireValidation(t, err, "schedule_to")
	require.Len(t, m.requests(), 1)
}
