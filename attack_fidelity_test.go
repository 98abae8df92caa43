package iamport_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// thirdParty is an iamport-compatible server written from the API reference
// and the official spec alone, answering in the shapes other servers use:
// HTTP 201 for POSTs, numbers as strings and fractions, nulls and unknown
// fields, gateway error bodies, 403 for a wrong key, Korean messages.
type thirdParty struct {
	t   *testing.T
	mu  sync.Mutex
	now float64 // server clock, Unix seconds, fractional

	// token answer shape
	tokenMillis  bool // now and expired_at in milliseconds
	tokenExpired bool // expired_at before now
	tokens       int

	payments  map[string]map[string]any // by imp_uid
	byMUID    map[string]string         // merchant_uid -> imp_uid
	keys      map[string]bool           // billing keys by customer_uid
	schedules map[string]map[string]any // by merchant_uid
	bodies    map[string][]map[string]any
	seq       int
	htmlOnce  map[string]bool // path -> answer an HTML 502 once
}

func newThirdParty(t *testing.T) (*thirdParty, *httptest.Server) {
	s := &thirdParty{
		t: t, now: 1796155400.726,
		payments: map[string]map[string]any{}, byMUID: map[string]string{}, keys: map[string]bool{},
		schedules: map[string]map[string]any{}, bodies: map[string][]map[string]any{}, htmlOnce: map[string]bool{},
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func (s *thirdParty) write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *thirdParty) ok(w http.ResponseWriter, r *http.Request, resp any) {
	status := http.StatusOK
	if r.Method == http.MethodPost {
		status = http.StatusCreated
	}
	s.write(w, status, map[string]any{"code": "0", "message": nil, "response": resp, "trace_id": "x-1"})
}

func (s *thirdParty) fail(w http.ResponseWriter, status int, code int, msg string) {
	s.write(w, status, map[string]any{"code": code, "message": msg, "response": nil})
}

func (s *thirdParty) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var body map[string]any
	if r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		if len(b) > 0 {
			if err := json.Unmarshal(b, &body); err != nil {
				s.write(w, 400, map[string]any{"message": "Unexpected token in JSON", "error": "Bad Request", "statusCode": 400})
				return
			}
		}
	}
	s.bodies[r.URL.Path] = append(s.bodies[r.URL.Path], body)
	if s.htmlOnce[r.URL.Path] {
		delete(s.htmlOnce, r.URL.Path)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
		return
	}
	if r.URL.Path == "/users/getToken" {
		if body["imp_key"] != "key" || body["imp_secret"] != "secret" {
			s.write(w, http.StatusForbidden, map[string]any{"message": "Forbidden", "error": "Forbidden", "statusCode": 403})
			return
		}
		s.tokens++
		now, exp := s.now, s.now+1800
		if s.tokenExpired {
			exp = s.now - 180
		}
		var nowV, expV any = fmt.Sprintf("%.3f", now), exp
		if s.tokenMillis {
			nowV, expV = int64(now*1000), int64(exp*1000)
		}
		s.ok(w, r, map[string]any{"access_token": "tok-1", "now": nowV, "expired_at": expV, "extra": []int{1}})
		return
	}
	if r.Header.Get("Authorization") != "tok-1" {
		s.write(w, http.StatusUnauthorized, map[string]any{"message": "Unauthorized", "error": "Unauthorized", "statusCode": 401})
		return
	}
	switch {
	case r.Method == "POST" && r.URL.Path == "/subscribe/payments/onetime":
		if cu, _ := body["customer_uid"].(string); cu != "" {
			s.keys[cu] = true
		}
		s.charge(w, r, body)
	case r.Method == "POST" && r.URL.Path == "/subscribe/payments/again":
		cu, _ := body["customer_uid"].(string)
		if !s.keys[cu] {
			s.fail(w, 200, -1, "등록되지 않은 구매자입니다.")
			return
		}
		s.charge(w, r, body)
	case (r.Method == "GET" || r.Method == "DELETE") && strings.HasPrefix(r.URL.Path, "/subscribe/customers/"):
		cu := strings.TrimPrefix(r.URL.Path, "/subscribe/customers/")
		if !s.keys[cu] {
			s.fail(w, 200, -1, "요청하신 customer_uid("+cu+")로 등록된 정보를 찾을 수 없습니다.")
			return
		}
		if r.Method == "DELETE" {
			delete(s.keys, cu)
		}
		s.ok(w, r, map[string]any{"customer_uid": cu, "card_type": 0, "inserted": fmt.Sprint(s.now), "updated": nil})
	case r.Method == "POST" && strings.HasPrefix(r.URL.Path, "/subscribe/customers/"):
		cu := strings.TrimPrefix(r.URL.Path, "/subscribe/customers/")
		if body["customer_uid"] != cu {
			s.write(w, 400, map[string]any{"path": "$input.customer_uid", "reason": "required", "message": "customer_uid must be given in the body"})
			return
		}
		s.keys[cu] = true
		s.ok(w, r, map[string]any{"customer_uid": cu, "card_name": "국민KB카드", "card_number": "1234-12**-****-1234",
			"card_type": "null", "inserted": s.now, "updated": "0", "pg_provider": "nice", "customer_name": nil})
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/payments/find/"):
		muid, status, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/payments/find/"), "/")
		if p, ok := s.payments[s.byMUID[muid]]; ok && (status == "" || p["status"] == status) {
			s.ok(w, r, p)
			return
		}
		if status != "" {
			s.fail(w, 404, 1, "존재하지 않는 결제정보입니다.")
			return
		}
		if p, ok := s.payments[s.byMUID[muid]]; ok {
			s.ok(w, r, p)
			return
		}
		s.fail(w, 404, 1, "존재하지 않는 결제정보입니다.")
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/payments/"):
		if p, ok := s.payments[strings.TrimPrefix(r.URL.Path, "/payments/")]; ok {
			s.ok(w, r, p)
			return
		}
		s.write(w, 404, map[string]any{"message": "Cannot GET " + r.URL.Path, "error": "Not Found", "statusCode": 404})
	case r.Method == "POST" && r.URL.Path == "/payments/cancel":
		p, ok := s.payments[fmt.Sprint(body["imp_uid"])]
		if !ok {
			p, ok = s.payments[s.byMUID[fmt.Sprint(body["merchant_uid"])]]
		}
		if !ok {
			s.fail(w, 200, 1, "취소할 결제건이 존재하지 않습니다.")
			return
		}
		bal := p["amount"].(float64) - p["cancel_amount"].(float64)
		if cs, ok := body["checksum"].(float64); ok && cs != bal {
			s.fail(w, 200, 1, "취소요청금액 검증에 실패하였습니다.")
			return
		}
		amt, _ := body["amount"].(float64)
		if amt == 0 {
			amt = bal
		}
		p["cancel_amount"] = p["cancel_amount"].(float64) + amt
		if p["cancel_amount"].(float64) == p["amount"].(float64) {
			p["status"] = "cancelled"
		}
		p["cancel_history"] = []any{map[string]any{"pg_tid": "t", "amount": fmt.Sprint(amt), "cancelled_at": s.now + 0.5, "reason": body["reason"]}}
		s.ok(w, r, p)
	case r.Method == "POST" && r.URL.Path == "/subscribe/payments/schedule":
		cu, _ := body["customer_uid"].(string)
		if !s.keys[cu] && body["card_number"] == nil {
			s.fail(w, 200, 1, "등록된 고객정보가 없습니다.")
			return
		}
		s.keys[cu] = true
		var out []any
		for _, e := range body["schedules"].([]any) {
			e := e.(map[string]any)
			if at, _ := e["schedule_at"].(float64); at <= s.now {
				s.fail(w, 200, 1, "schedule_at 은 현재 시각 이후여야 합니다.")
				return
			}
			sc := map[string]any{"customer_uid": cu, "merchant_uid": e["merchant_uid"], "schedule_at": e["schedule_at"],
				"amount": fmt.Sprint(e["amount"]), "name": e["name"], "schedule_status": "scheduled", "payment_status": nil,
				"executed_at": 0, "revoked_at": nil, "imp_uid": nil, "buyer_name": e["buyer_name"], "new_field": map[string]any{"x": 1}}
			s.schedules[fmt.Sprint(e["merchant_uid"])] = sc
			out = append(out, sc)
		}
		s.ok(w, r, out)
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/subscribe/payments/schedule/"):
		if sc, ok := s.schedules[strings.TrimPrefix(r.URL.Path, "/subscribe/payments/schedule/")]; ok {
			s.ok(w, r, sc)
			return
		}
		s.fail(w, 404, 1, "예약결제 정보가 존재하지 않습니다.")
	case r.Method == "POST" && r.URL.Path == "/subscribe/payments/unschedule":
		var out []any
		names, _ := body["merchant_uid"].([]any)
		for _, n := range names {
			if sc, ok := s.schedules[fmt.Sprint(n)]; ok && sc["schedule_status"] == "scheduled" {
				sc["schedule_status"], sc["revoked_at"] = "revoked", s.now
				out = append(out, sc)
			}
		}
		if len(out) == 0 {
			s.fail(w, 200, 1, "취소할 예약결제 기록이 존재하지 않습니다.")
			return
		}
		s.ok(w, r, out)
	default:
		s.write(w, 404, map[string]any{"message": "Cannot " + r.Method + " " + r.URL.Path, "error": "Not Found", "statusCode": 404})
	}
}

// charge answers a onetime or again request: a paid payment, or the
// already-paid refusal for a paid merchant_uid.
func (s *thirdParty) charge(w http.ResponseWriter, r *http.Request, body map[string]any) {
	muid, _ := body["merchant_uid"].(string)
	if id, ok := s.byMUID[muid]; ok && s.payments[id]["status"] == "paid" {
		s.fail(w, 200, 1, "이미 결제완료된 주문번호(merchant_uid)입니다.")
		return
	}
	s.seq++
	id := fmt.Sprintf("imp_%032d", s.seq) // 36 characters
	amt, _ := body["amount"].(float64)
	p := map[string]any{
		"imp_uid": id, "merchant_uid": muid, "amount": amt, "cancel_amount": 0.0, "currency": "KRW",
		"status": "paid", "paid_at": s.now + 0.25, "failed_at": "0", "cancelled_at": nil, "started_at": fmt.Sprintf("%.3f", s.now),
		"card_quota": 0.0, "card_type": "1", "vbank_num": nil, "cancel_history": nil, "customer_uid": body["customer_uid"],
		"name": body["name"], "pay_method": "card", "channel": "api", "pg_provider": "nice", "new_thing": []any{"a", 1},
		"receipt_url": "https://example.test/r", "custom_data": nil, "escrow": false, "cash_receipt_issued": nil,
	}
	s.payments[id], s.byMUID[muid] = p, id
	s.ok(w, r, p)
}

func (s *thirdParty) client(t *testing.T, url string, opts ...iamport.Option) *iamport.Client {
	c, err := iamport.New("key", "secret", append([]iamport.Option{iamport.WithBaseURL(url), iamport.WithMaxRetries(1)}, opts...)...)
	require.NoError(t, err)
	return c
}

func TestAttackThirdPartySeedFlows(t *testing.T) {
	for _, shape := range []struct {
		name            string
		millis, expired bool
	}{{"seconds", false, false}, {"millis", true, false}, {"expired", false, true}} {
		t.Run(shape.name, func(t *testing.T) {
			s, srv := newThirdParty(t)
			s.tokenMillis, s.tokenExpired = shape.millis, shape.expired
			c := s.client(t, srv.URL)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			// Server clock: 2026-12; an expiry of 2027-01 is valid there.

			// seed 001, section 2: onetime, verbatim except the passed expiry.
			p, err := c.Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: "order_id_8237352", CardNumber: "1234-1234-1234-1234",
				Expiry: "2027-01", Birth: "123456", Amount: 3000})
			require.NoError(t, err)
			require.Equal(t, iamport.PaymentStatusPaid, p.Status)
			require.True(t, p.Amount.Equal(3000))
			require.Len(t, p.ImpUID, 36)
			require.Equal(t, iamport.CardTypeCheck, p.CardType)
			require.Equal(t, int64(1796155400), p.PaidAt.Unix())
			require.InDelta(t, 0.976, p.PaidAt.Sub(time.Unix(1796155400, 0)).Seconds(), 0.001)
			require.True(t, p.FailedAt.IsZero())
			require.True(t, p.CancelledAt.IsZero())

			// The same order again is refused as already paid.
			_, err = c.Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: "order_id_8237352", CardNumber: "1234-1234-1234-1234",
				Expiry: "2027-01", Birth: "123456", Amount: 3000})
			require.ErrorIs(t, err, iamport.ErrAlreadyPaid)

			// seed 001, section 3: billing key, customer_uid in the path and the body.
			bk, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "your-customer-unique-id",
				CardNumber: "1234-1234-1234-1234", Expiry: "2027-12", Birth: "820213", Pwd2Digit: "00"})
			require.NoError(t, err)
			require.Equal(t, "your-customer-unique-id", bk.CustomerUID)
			require.Equal(t, iamport.CardTypeUnknown, bk.CardType)

			// seed 001, section 5: again.
			p2, err := c.Again(ctx, &iamport.AgainRequest{CustomerUID: "your-customer-unique-id", MerchantUID: "order_id_8237353", Amount: 3000})
			require.NoError(t, err)
			require.True(t, p2.Paid())

			// Unknown billing key.
			_, err = c.Again(ctx, &iamport.AgainRequest{CustomerUID: "nobody", MerchantUID: "order_x", Amount: 3000})
			require.ErrorIs(t, err, iamport.ErrNotFound)

			// The 36-character imp_uid the server issued works on the next calls.
			got, err := c.GetPayment(ctx, p.ImpUID)
			require.NoError(t, err)
			require.Equal(t, p.MerchantUID, got.MerchantUID)
			_, err = c.GetPayment(ctx, "imp_missing")
			require.ErrorIs(t, err, iamport.ErrNotFound)
			var apiErr *iamport.APIError
			require.ErrorAs(t, err, &apiErr)
			require.Contains(t, apiErr.Detail, "Not Found")

			// Partial then full refund, the checksum filled in by the SDK.
			cp, err := c.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, Amount: 1000, Reason: "고객 요청"})
			require.NoError(t, err)
			require.True(t, cp.Balance().Equal(2000))
			cp, err = c.CancelPayment(ctx, &iamport.CancelRequest{MerchantUID: p.MerchantUID, FullRefund: true, Reason: "전액"})
			require.NoError(t, err)
			require.Equal(t, iamport.PaymentStatusCancelled, cp.Status)

			// seed 002: the schedule request with its literal values, at a time
			// in the server's future.
			seed := iamport.ScheduleEntry{MerchantUID: "order_monthly_0001", ScheduleAt: time.Unix(1796155400+86400, 0), Amount: 8900,
				Name: "Recurring payment for monthly subscription", BuyerName: "Hong Gildong", BuyerTel: "01012345678", BuyerEmail: "gildong@gmail.com"}
			scheds, err := c.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "your-customer-unique-id", Schedules: []iamport.ScheduleEntry{seed}})
			require.NoError(t, err)
			require.Len(t, scheds, 1)
			require.Equal(t, iamport.ScheduleStatusScheduled, scheds[0].ScheduleStatus)
			require.True(t, scheds[0].Amount.Equal(8900))
			sc, err := c.GetSchedule(ctx, "order_monthly_0001")
			require.NoError(t, err)
			require.Equal(t, "Recurring payment for monthly subscription", sc.Name)

			// A schedule time in the local future but the server's past is refused before sending.
			_, err = c.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "your-customer-unique-id",
				Schedules: []iamport.ScheduleEntry{{MerchantUID: "order_monthly_0002", ScheduleAt: time.Unix(1796155400-60, 0), Amount: 8900, Name: "x"}}})
			var ve *iamport.ValidationError
			require.ErrorAs(t, err, &ve)

			// Unknown billing key without card data.
			_, err = c.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "nobody",
				Schedules: []iamport.ScheduleEntry{{MerchantUID: "order_monthly_0003", ScheduleAt: time.Unix(1796155400+86400, 0), Amount: 8900, Name: "x"}}})
			require.ErrorIs(t, err, iamport.ErrNotFound)

			revoked, err := c.Unschedule(ctx, &iamport.UnscheduleRequest{CustomerUID: "your-customer-unique-id", MerchantUIDs: []string{"order_monthly_0001"}})
			require.NoError(t, err)
			require.Len(t, revoked, 1)
			_, err = c.Unschedule(ctx, &iamport.UnscheduleRequest{CustomerUID: "your-customer-unique-id", MerchantUIDs: []string{"order_monthly_0001"}})
			require.ErrorIs(t, err, iamport.ErrNothingToRevoke)
			if shape.expired {
				// Each call fetched its own token, never two.
				require.LessOrEqual(t, s.tokens, 20)
			} else {
				require.Equal(t, 1, s.tokens)
			}
		})
	}
}

func TestAttackThirdPartyWrongKeyAndGateway(t *testing.T) {
	s, srv := newThirdParty(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bad, err := iamport.New("key", "wrong", iamport.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = bad.GetPayment(ctx, "imp_1")
	require.ErrorIs(t, err, iamport.ErrUnauthorized)
	require.NotContains(t, err.Error(), "wrong")

	c := s.client(t, srv.URL)
	s.mu.Lock()
	s.htmlOnce["/payments/imp_x"] = true
	s.mu.Unlock()
	// A read retried past an HTML 502 ends in the gateway's 404.
	_, err = c.GetPayment(ctx, "imp_x")
	require.ErrorIs(t, err, iamport.ErrNotFound)

	// A validation answer naming the field is kept.
	s.mu.Lock()
	s.htmlOnce["/subscribe/payments/again"] = true
	s.mu.Unlock()
	_, err = c.Again(ctx, &iamport.AgainRequest{CustomerUID: "nobody", MerchantUID: "order_502", Amount: 3000})
	require.Error(t, err)
}

// sent counts the requests the third-party server received on path.
func (s *thirdParty) sent(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies[path])
}

func (s *thirdParty) lastBody(path string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.bodies[path]
	return b[len(b)-1]
}

func TestAttackInputPolicy(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const onetime = "/subscribe/payments/onetime"
	hangul40 := strings.Repeat("주", 40)
	ok := []struct {
		name string
		req  iamport.OnetimeRequest
		card string // the card number the server must receive
	}{
		{"hangul merchant_uid of 40", iamport.OnetimeRequest{MerchantUID: hangul40, CardNumber: "4242424242424242", Expiry: "2030-12", Amount: 1000}, "4242-4242-4242-4242"},
		{"long name", iamport.OnetimeRequest{MerchantUID: "o-name", Name: strings.Repeat("이름", 200), BuyerName: strings.Repeat("홍", 100), CardNumber: "4242424242424242", Expiry: "203012", Amount: 1000}, "4242-4242-4242-4242"},
		{"diners 14", iamport.OnetimeRequest{MerchantUID: "o-diners", CardNumber: "3056-930902-5904", Expiry: "2030-12", Amount: 1000}, "30569309025904"},
		{"amex 15", iamport.OnetimeRequest{MerchantUID: "o-amex", CardNumber: "3782 822463 10005", Expiry: "2030-12", Amount: 1000}, "3782-822463-10005"},
		{"unionpay 19", iamport.OnetimeRequest{MerchantUID: "o-up", CardNumber: "6212345678901234567", Expiry: "2030-12", Amount: 1000}, "6212345678901234567"},
		{"usd cents", iamport.OnetimeRequest{MerchantUID: "o-usd", Currency: "USD", CardNumber: "4242424242424242", Expiry: "2030-12", Amount: 10.55}, "4242-4242-4242-4242"},
		{"business birth", iamport.OnetimeRequest{MerchantUID: "o-biz", CardNumber: "4242424242424242", Expiry: "2030-12", Birth: "1234567890", Pwd2Digit: "00", Amount: 1000}, "4242-4242-4242-4242"},
		{"this month in korea", iamport.OnetimeRequest{MerchantUID: "o-month", CardNumber: "4242424242424242", Expiry: "2026-12", Amount: 1000}, "4242-4242-4242-4242"},
	}
	bad := []struct {
		name, field string
		req         iamport.OnetimeRequest
	}{
		{"hangul merchant_uid of 41", "merchant_uid", iamport.OnetimeRequest{MerchantUID: hangul40 + "주", CardNumber: "4242424242424242", Expiry: "2030-12", Amount: 1000}},
		{"13 digits", "card_number", iamport.OnetimeRequest{MerchantUID: "b1", CardNumber: "4242424242424", Expiry: "2030-12", Amount: 1000}},
		{"20 digits", "card_number", iamport.OnetimeRequest{MerchantUID: "b2", CardNumber: "42424242424242424242", Expiry: "2030-12", Amount: 1000}},
		{"jpy fraction", "amount", iamport.OnetimeRequest{MerchantUID: "b3", Currency: "JPY", CardNumber: "4242424242424242", Expiry: "2030-12", Amount: 100.5}},
		{"krw lowercase fraction", "amount", iamport.OnetimeRequest{MerchantUID: "b4", Currency: "krw", CardNumber: "4242424242424242", Expiry: "2030-12", Amount: 100.5}},
		{"usd three decimals", "amount", iamport.OnetimeRequest{MerchantUID: "b5", Currency: "USD", CardNumber: "4242424242424242", Expiry: "2030-12", Amount: 10.555}},
		{"last month in korea", "expiry", iamport.OnetimeRequest{MerchantUID: "b6", CardNumber: "4242424242424242", Expiry: "2026-11", Amount: 1000}},
		{"birth of 8", "birth", iamport.OnetimeRequest{MerchantUID: "b7", CardNumber: "4242424242424242", Expiry: "2030-12", Birth: "19900101", Amount: 1000}},
		{"pwd of 1", "pwd_2digit", iamport.OnetimeRequest{MerchantUID: "b8", CardNumber: "4242424242424242", Expiry: "2030-12", Pwd2Digit: "0", Amount: 1000}},
		{"month 13", "expiry", iamport.OnetimeRequest{MerchantUID: "b9", CardNumber: "4242424242424242", Expiry: "2030-13", Amount: 1000}},
		{"zero amount", "amount", iamport.OnetimeRequest{MerchantUID: "b10", CardNumber: "4242424242424242", Expiry: "2030-12", Amount: 0}},
	}
	s, srv := newThirdParty(t)
	// 2026-11-30 15:30 UTC is 2026-12-01 00:30 in Korea: November has
	// passed there, though not in UTC.
	s.now = float64(time.Date(2026, 11, 30, 15, 30, 0, 0, time.UTC).Unix())
	c := s.client(t, srv.URL)
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			_, err := c.Onetime(ctx, &req)
			require.NoError(t, err)
			require.Equal(t, tc.card, s.lastBody(onetime)["card_number"])
			require.Equal(t, tc.req, req, "the caller's request is untouched")
		})
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			before := s.sent(onetime)
			req := tc.req
			_, err := c.Onetime(ctx, &req)
			var ve *iamport.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tc.field, ve.Field)
			require.Equal(t, before, s.sent(onetime), "nothing sent")
		})
	}
	// December is the current month in Korea on the last evening of the
	// year in UTC, and still valid.
	s2, srv2 := newThirdParty(t)
	s2.now = float64(time.Date(2026, 12, 31, 14, 59, 0, 0, time.UTC).Unix())
	c2 := s2.client(t, srv2.URL)
	_, err := c2.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "c", CardNumber: "4242424242424242", Expiry: "2026-12"})
	require.NoError(t, err)
	s2.mu.Lock()
	s2.now += 120 // 2027-01-01 00:01 in Korea
	s2.mu.Unlock()
	c3 := s2.client(t, srv2.URL)
	_, err = c3.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "c", CardNumber: "4242424242424242", Expiry: "2026-12"})
	var ve *iamport.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "expiry", ve.Field)
}

// Schedule times and expiry months are judged on the server's clock, by a
// new Client whose first call is the one judged.
func TestAttackServerClockFarAway(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	entry := func(muid string, at time.Time) []iamport.ScheduleEntry {
		return []iamport.ScheduleEntry{{MerchantUID: muid, ScheduleAt: at, Amount: 8900, Name: "Recurring payment for monthly subscription"}}
	}
	// The server lives in 2020: 2025 is its future, and a card expiring in
	// 2025-01 is valid there.
	past, srvPast := newThirdParty(t)
	past.now = float64(time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC).Unix())
	_, err := past.client(t, srvPast.URL).Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "cu", CardNumber: "4242424242424242", Expiry: "2025-01",
		Schedules: entry("m-past", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))})
	require.NoError(t, err)
	_, err = past.client(t, srvPast.URL).Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: "m-o", CardNumber: "4242424242424242", Expiry: "2025-01", Amount: 1000})
	require.NoError(t, err)

	// The server lives in 2040: 2035 is its past, and so is a card expiring
	// in 2035-01.
	fut, srvFut := newThirdParty(t)
	fut.now = float64(time.Date(2040, 3, 1, 0, 0, 0, 0, time.UTC).Unix())
	var ve *iamport.ValidationError
	_, err = fut.client(t, srvFut.URL).Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "cu", CardNumber: "4242424242424242", Expiry: "2045-01",
		Schedules: entry("m-fut", time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC))})
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "schedules[0].schedule_at", ve.Field)
	_, err = fut.client(t, srvFut.URL).SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "cu", CardNumber: "4242424242424242", Expiry: "2035-01"})
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "expiry", ve.Field)
	require.Equal(t, 0, fut.sent("/subscribe/payments/schedule")+fut.sent("/subscribe/customers/cu"))
}

// The README's quick-start snippets for billing keys, lookups and the
// webhook handler, against the third-party server.
func TestAttackThirdPartyQuickStart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, srv := newThirdParty(t)
	client := s.client(t, srv.URL)
	bk, err := client.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{
		CustomerUID: "cust_42_card_1",
		CardNumber:  "1234-5678-9012-3456", Expiry: "2030-12", Birth: "900101", Pwd2Digit: "00",
	})
	require.NoError(t, err)
	require.Equal(t, "cust_42_card_1", bk.CustomerUID)
	p, err := client.Again(ctx, &iamport.AgainRequest{
		CustomerUID: "cust_42_card_1", MerchantUID: "order_20261122_0002", Amount: 8900, Name: "Monthly plan",
	})
	require.NoError(t, err)
	bk, err = client.GetBillingKey(ctx, "cust_42_card_1")
	require.NoError(t, err)
	require.Equal(t, iamport.CardTypeCredit, bk.CardType)
	require.Equal(t, int64(1796155400), bk.Inserted.Unix())
	bk, err = client.DeleteBillingKey(ctx, "cust_42_card_1")
	require.NoError(t, err)
	require.Equal(t, "cust_42_card_1", bk.CustomerUID)
	_, err = client.GetBillingKey(ctx, "cust_42_card_1")
	require.ErrorIs(t, err, iamport.ErrNotFound)

	got, err := client.FindPayment(ctx, "order_20261122_0002", iamport.FindPaymentParams{Status: iamport.PaymentStatusPaid})
	require.NoError(t, err)
	require.Equal(t, p.ImpUID, got.ImpUID)

	var seen []*iamport.Payment
	h := iamport.WebhookHandler(client, func(ctx context.Context, p *iamport.Payment, ev *iamport.WebhookEvent) error {
		seen = append(seen, p)
		return nil
	})
	post := func(body string) int {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/iamport/webhook", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	require.Equal(t, 200, post(`{"imp_uid":"`+p.ImpUID+`","merchant_uid":"order_20261122_0002","status":"paid"}`))
	require.Len(t, seen, 1)
	require.True(t, seen[0].Amount.Equal(8900))
	require.Equal(t, 409, post(`{"imp_uid":"`+p.ImpUID+`","merchant_uid":"order_other","status":"paid"}`))
	require.Equal(t, 503, post(`{"imp_uid":"imp_forged","merchant_uid":"order_20261122_0002","status":"paid"}`))
	require.Len(t, seen, 1)
}

// answering returns a Client against a server that answers every request
// with status and body, after a good token answer.
func answering(t *testing.T, status int, body string) *iamport.Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/users/getToken" && !strings.Contains(body, `"now"`) {
			_, _ = io.WriteString(w, `{"code":0,"response":{"access_token":"t","now":1796155400,"expired_at":1796157200}}`)
			return
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := iamport.New("key", "secret", iamport.WithBaseURL(srv.URL), iamport.WithMaxRetries(0))
	require.NoError(t, err)
	return c
}

// Error answers that are not iamport envelopes keep what they say, and a
// field that cannot be decoded is named.
func TestAttackErrorShapes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var apiErr *iamport.APIError

	c := answering(t, 400, `{"path":"$input.customer_uid","reason":"must be a string of at most 80 characters","message":"Request validation failed"}`)
	_, err := c.GetBillingKey(ctx, "cu")
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, "customer_uid", apiErr.Field)
	require.Equal(t, "must be a string of at most 80 characters", apiErr.Detail)
	require.Equal(t, "Request validation failed", apiErr.Message)

	c = answering(t, 502, "<html><body>502 Bad Gateway</body></html>")
	_, err = c.GetPayment(ctx, "imp_1")
	require.ErrorIs(t, err, iamport.ErrInvalidResponse)
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, 502, apiErr.StatusCode)

	c = answering(t, 201, `{"code":0,"response":{"access_token":"t","now":"soon","expired_at":1796157200}}`)
	_, err = c.GetPayment(ctx, "imp_1")
	require.Error(t, err)
	require.Contains(t, err.Error(), "response.now")
	require.NotContains(t, err.Error(), "secret")

	c = answering(t, 200, `{"code":-1,"message":"카드정보 인증 및 빌키 발급에 실패하였습니다. (유효기간이 올바르지 않거나 만료된 카드입니다.)","response":null}`)
	_, err = c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "cu", CardNumber: "4242424242424242", Expiry: "2099-12"})
	require.ErrorIs(t, err, iamport.ErrCardRejected)
	require.Contains(t, err.Error(), "카드정보 인증")
	require.Contains(t, err.Error(), "no payment was made")
}

// An already-expired token answer is warned about once, however many calls
// use one.
func TestAttackExpiredTokenWarnsOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, srv := newThirdParty(t)
	s.tokenExpired = true
	var buf strings.Builder
	var mu sync.Mutex
	c := s.client(t, srv.URL, iamport.WithLogger(slog.New(slog.NewJSONHandler(&attackWriter{mu: &mu, w: &buf}, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	_, err := c.Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: "o-w", CardNumber: "4242424242424242", Expiry: "2099-12", Amount: 1000})
	require.NoError(t, err)
	for range 3 {
		_, err := c.FindPayment(ctx, "o-w")
		require.NoError(t, err)
	}
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 1, strings.Count(buf.String(), `"level":"WARN"`), buf.String())
	require.NotContains(t, buf.String(), "tok-1")
	require.Equal(t, 4, s.tokens, "one token per call")
}

type attackWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *attackWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
