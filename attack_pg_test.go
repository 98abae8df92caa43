package iamport_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// pgServer answers the PG-specific charges with a payment of the order it
// was sent, and the token request with a token that is already expired.
type pgServer struct {
	mu     sync.Mutex
	tokens int
	calls  map[string]int
	bodies []string
}

func newPGServer(t *testing.T) (*pgServer, *iamport.Client) {
	s := &pgServer{calls: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(b, &body)
		s.mu.Lock()
		s.calls[r.Method+" "+r.URL.Path]++
		s.bodies = append(s.bodies, string(b))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		var resp any
		switch r.URL.Path {
		case "/users/getToken":
			s.mu.Lock()
			s.tokens++
			s.mu.Unlock()
			resp = map[string]any{"access_token": "tok", "now": 1796155400, "expired_at": 1796155300}
		case "/cvs":
			resp = map[string]any{"imp_uid": "imp_cvs", "merchant_uid": body["merchant_uid"], "amount": body["amount"],
				"status": "ready", "started_at": 1796155401, "vbank_num": "1234"}
		default:
			resp = map[string]any{"imp_uid": body["imp_uid"], "merchant_uid": body["merchant_uid"], "amount": body["amount"],
				"status": "paid", "paid_at": 1796155401}
			if id, ok := strings.CutPrefix(r.URL.Path, "/payments/"); ok && r.Method == http.MethodGet && !strings.Contains(id, "/") {
				// The payment a cancel reads before it is sent.
				resp = map[string]any{"imp_uid": id, "merchant_uid": "o-c", "amount": 1000, "status": "paid", "paid_at": 1796155401}
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"code": 0, "response": resp})
	}))
	t.Cleanup(srv.Close)
	c, err := iamport.New("key", "secret", iamport.WithBaseURL(srv.URL))
	require.NoError(t, err)
	return s, c
}

// A token answer that is already expired serves the call it was fetched
// for: each PG-specific charge fetches one token, never two.
func TestAttackPGChargeFetchesOneToken(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	calls := map[string]func(c *iamport.Client) error{
		"cvs": func(c *iamport.Client) error {
			_, err := c.IssueCVSPayment(ctx, &iamport.CVSPaymentRequest{ChannelKey: "ch", MerchantUID: "cvs-1", Amount: 15000})
			return err
		},
		"kcpquick money": func(c *iamport.Client) error {
			_, err := c.PayKcpQuickMoney(ctx, &iamport.KcpQuickMoneyRequest{MemberID: "m", ChannelKey: "ch", MerchantUID: "kq-1",
				Name: "n", Amount: 9900, ImpUID: "imp_pin"})
			return err
		},
		"kcpquick autopay": func(c *iamport.Client) error {
			_, err := c.PayKcpQuickAutopay(ctx, &iamport.KcpQuickAutopayRequest{CustomerUID: "k", MerchantUID: "kq-2", Name: "n", BuyerName: "b", Amount: 9900})
			return err
		},
		"benepia": func(c *iamport.Client) error {
			_, err := c.PayBenepia(ctx, &iamport.BenepiaPaymentRequest{BenepiaUser: "u", BenepiaPassword: "p", ChannelKey: "ch",
				MerchantUID: "bn-1", Name: "n", Amount: 12000})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			s, c := newPGServer(t)
			require.NoError(t, call(c))
			require.NoError(t, call(c))
			s.mu.Lock()
			defer s.mu.Unlock()
			require.Equal(t, 2, s.tokens, "one token per call")
		})
	}
}

// The PG-specific charges are in KRW: an amount with a fraction is refused
// before sending, as for Onetime and Again.
func TestAttackPGChargeRefusesKRWFraction(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, c := newPGServer(t)
	errs := map[string]error{}
	_, errs["cvs"] = c.IssueCVSPayment(ctx, &iamport.CVSPaymentRequest{ChannelKey: "ch", MerchantUID: "cvs-1", Amount: 15000.5})
	_, errs["kcpquick money"] = c.PayKcpQuickMoney(ctx, &iamport.KcpQuickMoneyRequest{MemberID: "m", ChannelKey: "ch", MerchantUID: "kq-1",
		Name: "n", Amount: 9900.5, ImpUID: "imp_pin"})
	_, errs["kcpquick autopay"] = c.PayKcpQuickAutopay(ctx, &iamport.KcpQuickAutopayRequest{CustomerUID: "k", MerchantUID: "kq-2", Name: "n", BuyerName: "b", Amount: 9900.5})
	_, errs["benepia"] = c.PayBenepia(ctx, &iamport.BenepiaPaymentRequest{BenepiaUser: "u", BenepiaPassword: "p", ChannelKey: "ch",
		MerchantUID: "bn-1", Name: "n", Amount: 12000.5})
	for name, err := range errs {
		var ve *iamport.ValidationError
		require.ErrorAs(t, err, &ve, name)
		require.Equal(t, "amount", ve.Field, name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Equal(t, map[string]int{}, s.calls, "nothing sent")
}

// fillSecrets sets every string field tagged redact:"true" of the struct v
// points to, and of the structs and slices of structs it holds, to a
// distinct secret, and returns the secrets.
func fillSecrets(v reflect.Value, prefix string) []string {
	var secrets []string
	switch v.Kind() {
	case reflect.Pointer:
		return fillSecrets(v.Elem(), prefix)
	case reflect.Slice:
		for i := range v.Len() {
			secrets = append(secrets, fillSecrets(v.Index(i), fmt.Sprintf("%s%d", prefix, i))...)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f, sf := v.Field(i), t.Field(i)
			if !sf.IsExported() {
				continue
			}
			if sf.Tag.Get("redact") == "true" && f.Kind() == reflect.String {
				s := "zq" + prefix + sf.Name + "Qz"
				f.SetString(s)
				secrets = append(secrets, s)
				continue
			}
			secrets = append(secrets, fillSecrets(f, prefix+sf.Name)...)
		}
	}
	return secrets
}

type leakHolder struct {
	Value any
	List  []any
	Map   map[string]any
}

// Every redacting type, at the top level or nested in a struct, slice or
// map, by value or by pointer, shows none of its secrets through fmt (any
// verb), slog (text and JSON), encoding/json, errors or panics.
func TestAttackRedactionEveryEncoder(t *testing.T) {
	values := []any{
		&iamport.OnetimeRequest{}, &iamport.AgainRequest{}, &iamport.SaveBillingKeyRequest{}, &iamport.CancelRequest{},
		&iamport.ScheduleRequest{Schedules: make([]iamport.ScheduleEntry, 2)}, &iamport.ScheduleEntry{}, &iamport.Plan{},
		&iamport.BenepiaPointRequest{}, &iamport.BenepiaPaymentRequest{}, &iamport.CVSPaymentRequest{},
		&iamport.KcpQuickPrepareRequest{}, &iamport.KcpQuickAutopayRequest{}, &iamport.PaymentwallDeliveryRequest{},
		&iamport.NaverProductOrder{}, &iamport.NaverOrderer{}, &iamport.NaverAddress{}, &iamport.NaverReview{},
	}
	for _, ptr := range values {
		secrets := fillSecrets(reflect.ValueOf(ptr), "")
		require.NotEmpty(t, secrets, "%T", ptr)
		val := reflect.ValueOf(ptr).Elem().Interface()
		name := reflect.TypeOf(val).Name()
		var outs []string
		holders := []any{val, ptr,
			leakHolder{Value: val, List: []any{val, ptr}, Map: map[string]any{"v": val, "p": ptr}},
			&leakHolder{Value: ptr}, []any{val}, map[string]any{"k": val}, struct{ Inner any }{val}}
		for _, h := range holders {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %[1]v"} {
				outs = append(outs, fmt.Sprintf(verb, h))
			}
			outs = append(outs, fmt.Sprint(h), fmt.Sprintln(h), fmt.Errorf("wrapped: %v", h).Error(), fmt.Errorf("w: %w", fmt.Errorf("%+v", h)).Error())
			b, err := json.Marshal(h)
			require.NoError(t, err)
			outs = append(outs, string(b))
			for _, mk := range []func(io.Writer) slog.Handler{
				func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) },
				func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) },
			} {
				var buf strings.Builder
				l := slog.New(mk(&buf))
				l.Info("m", "v", h, slog.Group("g", slog.Any("v", h)))
				l.With("w", h).Warn("m")
				outs = append(outs, buf.String())
			}
			func() {
				defer func() { outs = append(outs, fmt.Sprint(recover())) }()
				panic(h)
			}()
		}
		for _, out := range outs {
			for _, s := range secrets {
				require.NotContains(t, out, s, name)
				require.NotContains(t, strings.ToLower(out), hex.EncodeToString([]byte(s)), name)
			}
		}
	}
}

// The SDK sends the real values of every redacted field, nested schedules
// included.
func TestAttackRedactedFieldsSentAsGiven(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, c := newPGServer(t)
	card := func(number, expiry, birth, pwd *string) {
		*number, *expiry, *birth, *pwd = "4242424242424242", "2099-12", "900101", "42"
	}
	var all []string
	fill := func(v any) { all = append(all, fillSecrets(reflect.ValueOf(v), "")...) }

	onetime := &iamport.OnetimeRequest{MerchantUID: "o-1", Amount: 1000}
	fill(onetime)
	card(&onetime.CardNumber, &onetime.Expiry, &onetime.Birth, &onetime.Pwd2Digit)
	again := &iamport.AgainRequest{CustomerUID: "c", MerchantUID: "o-2", Amount: 1000}
	fill(again)
	bk := &iamport.SaveBillingKeyRequest{CustomerUID: "c"}
	fill(bk)
	card(&bk.CardNumber, &bk.Expiry, &bk.Birth, &bk.Pwd2Digit)
	cvs := &iamport.CVSPaymentRequest{ChannelKey: "ch", MerchantUID: "o-3", Amount: 1000}
	fill(cvs)
	bp := &iamport.BenepiaPaymentRequest{BenepiaUser: "u", ChannelKey: "ch", MerchantUID: "o-4", Name: "n", Amount: 1000}
	fill(bp)
	bpt := &iamport.BenepiaPointRequest{BenepiaUser: "u", ChannelKey: "ch"}
	fill(bpt)
	kp := &iamport.KcpQuickPrepareRequest{MerchantUID: "o-5", BTID: "b"}
	fill(kp)
	ka := &iamport.KcpQuickAutopayRequest{CustomerUID: "k", MerchantUID: "o-6", Name: "n", Amount: 1000}
	fill(ka)
	pw := &iamport.PaymentwallDeliveryRequest{ImpUID: "imp", MerchantUID: "o-7", Type: "digital", Status: "delivered", Refundable: "no",
		EstimatedDeliveryDatetime: iamport.Unix(1796155500), EstimatedUpdateDatetime: iamport.Unix(1796155500)}
	fill(pw)
	sched := &iamport.ScheduleRequest{CustomerUID: "c", Schedules: []iamport.ScheduleEntry{
		{MerchantUID: "o-8", ScheduleAt: time.Unix(1796159000, 0), Amount: 1000}, {MerchantUID: "o-9", ScheduleAt: time.Unix(1796159000, 0), Amount: 1000}}}
	fill(&sched.Schedules)
	cr := &iamport.CancelRequest{ImpUID: "imp", Amount: 100, Checksum: iamport.Ptr(iamport.Amount(1000))}
	fill(cr)

	_, err := c.Onetime(ctx, onetime)
	require.NoError(t, err)
	_, err = c.Again(ctx, again)
	require.NoError(t, err)
	_, _ = c.SaveBillingKey(ctx, bk)
	_, err = c.IssueCVSPayment(ctx, cvs)
	require.NoError(t, err)
	_, err = c.PayBenepia(ctx, bp)
	require.NoError(t, err)
	_, _ = c.GetBenepiaPoint(ctx, bpt)
	_ = c.PrepareKcpQuick(ctx, kp)
	_, err = c.PayKcpQuickAutopay(ctx, ka)
	require.NoError(t, err)
	_, _ = c.RegisterPaymentwallDelivery(ctx, pw)
	_, _ = c.Schedule(ctx, sched)
	_, _ = c.CancelPayment(ctx, cr)

	s.mu.Lock()
	sent := strings.Join(s.bodies, "\n")
	s.mu.Unlock()
	require.NotContains(t, sent, "[REDACTED]")
	require.Contains(t, sent, "4242-4242-4242-4242")
	for _, secret := range all {
		if strings.Contains(secret, "CardNumber") || strings.Contains(secret, "Expiry") || strings.Contains(secret, "Birth") || strings.Contains(secret, "Pwd2Digit") {
			continue
		}
		require.Contains(t, sent, secret)
	}
}

// A failed FIDO release answers code != 0 with KCP's own code and message in
// "error": the APIError keeps them.
func TestAttackKcpQuickFidoFailureKeepsKCPError(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/users/getToken" {
			_, _ = io.WriteString(w, `{"code":0,"response":{"access_token":"t","now":1796155400,"expired_at":1796157200}}`)
			return
		}
		_, _ = io.WriteString(w, `{"code":1,"message":"생체인증 해제에 실패하였습니다.","response":null,"error":{"code":"C210","message":"회원정보가 존재하지 않습니다"}}`)
	}))
	defer srv.Close()
	c, err := iamport.New("key", "secret", iamport.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = c.ReleaseKcpQuickFido(ctx, &iamport.KcpQuickFidoReleaseRequest{MemberID: "m1", ChannelKey: "ch"})
	var apiErr *iamport.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, 1, apiErr.Code)
	require.Contains(t, apiErr.Detail, "C210")
	require.Contains(t, apiErr.Detail, "회원정보가 존재하지 않습니다")
	require.Contains(t, err.Error(), "C210")
}

// The PG-specific answers decode whatever shape their numbers come in:
// strings, fractions, nulls, unknown fields, any 2xx.
func TestAttackPGLenientAnswers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	answers := map[string]string{
		"POST /users/getToken": `{"code":"0","response":{"access_token":"t","now":"1796155400.5","expired_at":1796157200500}}`,
		"POST /payments/imp_1/naver/cancel": `{"code":0,"message":null,"response":[{"product_order_id":"po1","product_order_status":"CANCELED",` +
			`"claim_status":"CANCEL_DONE","product_amount":"15000","delivery_amount":2500.0,"quantity":"2","shipping_due":1796155400.25,` +
			`"orderer":{"name":"홍길동","id":"gildong","tel":null},"shipping_address":null,"new_field":{"a":1}}]}`,
		"GET /payments/imp_1/naver/cash-amount": `{"code":0,"response":{"amount_total":"10000","amount_by_npoint":null,"amount_by_primary":10000.0,"amount_supply":"9091","amount_vat":909}}`,
		"POST /benepia/point":                   `{"code":0,"response":{"point":"12000"}}`,
		"DELETE /kcpquick/members/m1":           `{"code":0,"response":{"member_id":"m1","inserted":"1796155400","updated":null,"pg_provider":"kcpquick"}}`,
		"POST /paymentwall/delivery":            `{"code":0,"response":{"error_code":"0","error":null,"notices":null}}`,
		"POST /payco/orders/status/imp_1":       `{"code":0,"response":{"status":"DELIVERY_START","extra":true}}`,
		"GET /naver/reviews":                    `{"code":0,"response":[{"review_id":"r1","score":"5","writer":"gil***","created_at":"1796155400","modified_at":null}]}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := answers[r.Method+" "+r.URL.Path]
		if !ok {
			w.WriteHeader(404)
			_, _ = io.WriteString(w, `{"message":"Not Found","error":"Not Found","statusCode":404}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.Method == "POST" {
			w.WriteHeader(http.StatusCreated)
		}
		_, _ = io.WriteString(w, body)
	}))
	defer srv.Close()
	c, err := iamport.New("key", "secret", iamport.WithBaseURL(srv.URL))
	require.NoError(t, err)

	orders, err := c.NaverCancel(ctx, &iamport.NaverCancelRequest{NaverProductOrderTarget: iamport.NaverProductOrderTarget{ImpUID: "imp_1"}, Reason: "SOLD_OUT"})
	require.NoError(t, err)
	require.Len(t, orders, 1)
	require.True(t, orders[0].ProductAmount.Equal(15000))
	require.Equal(t, iamport.Int(2), orders[0].Quantity)
	require.Equal(t, "홍길동", orders[0].Orderer.Name)
	cash, err := c.GetNaverCashAmount(ctx, "imp_1")
	require.NoError(t, err)
	require.True(t, cash.AmountSupply.Equal(9091))
	pt, err := c.GetBenepiaPoint(ctx, &iamport.BenepiaPointRequest{BenepiaUser: "u", BenepiaPassword: "p", ChannelKey: "ch"})
	require.NoError(t, err)
	require.True(t, pt.Point.Equal(12000))
	m, err := c.DeleteKcpQuickMember(ctx, &iamport.DeleteKcpQuickMemberRequest{MemberID: "m1", SiteCode: "s", PartnerType: "p", PartnerSubtype: "ps"})
	require.NoError(t, err)
	require.Equal(t, int64(1796155400), m.Inserted.Unix())
	pw, err := c.RegisterPaymentwallDelivery(ctx, &iamport.PaymentwallDeliveryRequest{ImpUID: "imp_1", MerchantUID: "o", Type: "digital", Status: "delivered",
		Refundable: "no", ShippingAddressEmail: "a@b.c", EstimatedDeliveryDatetime: iamport.Unix(1796155400), EstimatedUpdateDatetime: iamport.Unix(1796155400)})
	require.NoError(t, err)
	require.Equal(t, iamport.Int(0), pw.ErrorCode)
	st, err := c.ChangePaycoOrderStatus(ctx, &iamport.PaycoOrderStatusRequest{ImpUID: "imp_1", Status: iamport.PaycoDeliveryStart})
	require.NoError(t, err)
	require.Equal(t, iamport.PaycoDeliveryStart, st.Status)
	reviews, err := c.GetNaverReviews(ctx, &iamport.NaverReviewsRequest{ChannelKey: "ch", From: time.Unix(1796000000, 0), To: time.Unix(1796155400, 0), ReviewType: "GENERAL"})
	require.NoError(t, err)
	require.Equal(t, "5", reviews[0].Score)
}

// A NaverPay cancel whose answer is lost after NaverPay applied it is found
// applied by looking the product orders up, and is not sent again.
func TestAttackNaverCancelLostAnswer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var mu sync.Mutex
	status := map[string]string{"po1": "PAYED", "po2": "PAYED"}
	cancels := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/users/getToken":
			_, _ = io.WriteString(w, `{"code":0,"response":{"access_token":"t","now":1796155400,"expired_at":1796157200}}`)
		case "/payments/imp_n/naver/cancel":
			cancels++
			status["po1"] = "CANCELED"
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, "<html>502 Bad Gateway</html>")
		case "/payments/imp_n/naver/product-orders":
			var list []map[string]any
			for _, id := range []string{"po1", "po2"} {
				list = append(list, map[string]any{"product_order_id": id, "product_order_status": status[id]})
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"code": 0, "response": list})
		default:
			w.WriteHeader(404)
		}
	}))
	defer srv.Close()
	c, err := iamport.New("key", "secret", iamport.WithBaseURL(srv.URL), iamport.WithReconcileTimeout(20*time.Second))
	require.NoError(t, err)
	orders, err := c.NaverCancel(ctx, &iamport.NaverCancelRequest{
		NaverProductOrderTarget: iamport.NaverProductOrderTarget{ImpUID: "imp_n", ProductOrderIDs: []string{"po1"}}, Reason: "SOLD_OUT"})
	require.NoError(t, err)
	require.Len(t, orders, 1)
	require.Equal(t, iamport.NaverCanceled, orders[0].ProductOrderStatus)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 1, cancels)
	require.Equal(t, "PAYED", status["po2"])
}

// A token answer that is already expired serves the call it was fetched
// for, the lookups that settle a lost answer included: one token per call.
func TestAttackReconciledCallFetchesOneToken(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var mu sync.Mutex
	tokens := 0
	done := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		lost := func(what string) {
			done[what] = true
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, "<html>502</html>")
		}
		ok := func(v any) { _ = json.NewEncoder(w).Encode(map[string]any{"code": 0, "response": v}) }
		switch r.Method + " " + r.URL.Path {
		case "POST /users/getToken":
			tokens++
			ok(map[string]any{"access_token": "t", "now": 1796155400, "expired_at": 1796155300})
		case "POST /payments/imp_n/naver/cancel":
			lost("naver")
		case "GET /payments/imp_n/naver/product-orders":
			st := "PAYED"
			if done["naver"] {
				st = "CANCELED"
			}
			ok([]any{map[string]any{"product_order_id": "po1", "product_order_status": st}})
		case "POST /payco/orders/status/imp_p":
			lost("payco")
		case "DELETE /cvs/imp_c":
			lost("cvs")
		case "POST /subscribe/payments/unschedule":
			lost("unschedule")
		case "GET /subscribe/payments/schedule/m_s":
			st, rev := "scheduled", 0
			if done["unschedule"] {
				st, rev = "revoked", 1796155401
			}
			ok(map[string]any{"customer_uid": "cu", "merchant_uid": "m_s", "schedule_at": 1796159000, "amount": 1000, "schedule_status": st, "revoked_at": rev})
		case "GET /payments/imp_p", "GET /payments/imp_c":
			st := "paid"
			if done["payco"] && r.URL.Path == "/payments/imp_p" || done["cvs"] && r.URL.Path == "/payments/imp_c" {
				st = "cancelled"
			}
			ok(map[string]any{"imp_uid": strings.TrimPrefix(r.URL.Path, "/payments/"), "merchant_uid": "m", "amount": 1000, "status": st})
		default:
			w.WriteHeader(404)
			_, _ = io.WriteString(w, `{"code":1,"message":"not found","response":null}`)
		}
	}))
	defer srv.Close()
	calls := map[string]func(c *iamport.Client) error{
		"naver cancel": func(c *iamport.Client) error {
			_, err := c.NaverCancel(ctx, &iamport.NaverCancelRequest{NaverProductOrderTarget: iamport.NaverProductOrderTarget{ImpUID: "imp_n"}})
			return err
		},
		"payco cancel": func(c *iamport.Client) error {
			_, err := c.ChangePaycoOrderStatus(ctx, &iamport.PaycoOrderStatusRequest{ImpUID: "imp_p", Status: iamport.PaycoCanceled})
			return err
		},
		"unschedule": func(c *iamport.Client) error {
			_, err := c.Unschedule(ctx, &iamport.UnscheduleRequest{CustomerUID: "cu", MerchantUIDs: []string{"m_s"}})
			return err
		},
		"cvs revoke": func(c *iamport.Client) error {
			_, err := c.RevokeCVSPayment(ctx, "imp_c")
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			c, err := iamport.New("key", "secret", iamport.WithBaseURL(srv.URL))
			require.NoError(t, err)
			mu.Lock()
			tokens = 0
			mu.Unlock()
			require.NoError(t, call(c))
			mu.Lock()
			defer mu.Unlock()
			require.Equal(t, 1, tokens, "one token per call")
		})
	}
}

// Each PG-specific call is sent with the method, path and parameters the
// official spec gives its operation.
func TestAttackPGWireShape(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/users/getToken" {
			_, _ = io.WriteString(w, `{"code":0,"response":{"access_token":"t","now":1796155400,"expired_at":1796157200}}`)
			return
		}
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(b, &body)
		keys := make([]string, 0, len(body))
		for k := range body {
			keys = append(keys, k)
		}
		for k := range r.URL.Query() {
			keys = append(keys, "?"+k)
		}
		slices.Sort(keys)
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.EscapedPath()+" "+strings.Join(keys, ","))
		mu.Unlock()
		resp := `{}`
		switch {
		case strings.Contains(r.URL.Path, "/naver/") && !strings.HasSuffix(r.URL.Path, "/cash-amount") && !strings.HasPrefix(r.URL.Path, "/naver/product-orders"):
			resp = `[]`
		case r.URL.Path == "/naver/reviews":
			resp = `[]`
		case r.URL.Path == "/cvs" || r.URL.Path == "/benepia/payment" || strings.HasPrefix(r.URL.Path, "/kcpquick/payment"):
			resp = fmt.Sprintf(`{"imp_uid":"imp_1","merchant_uid":%q,"status":"paid","paid_at":1796155401,"started_at":1796155401}`, body["merchant_uid"])
		case strings.HasPrefix(r.URL.Path, "/cvs/"):
			resp = `{"imp_uid":"imp_1","status":"cancelled"}`
		}
		_, _ = io.WriteString(w, `{"code":0,"response":`+resp+`}`)
	}))
	defer srv.Close()
	c, err := iamport.New("key", "secret", iamport.WithBaseURL(srv.URL))
	require.NoError(t, err)
	tgt := iamport.NaverProductOrderTarget{ImpUID: "imp/1", ProductOrderIDs: []string{"po1"}}
	now := iamport.Unix(1796155400)
	steps := []struct {
		call func() error
		want string
	}{
		{func() error {
			_, err := c.NaverCancel(ctx, &iamport.NaverCancelRequest{NaverProductOrderTarget: tgt, Reason: "SOLD_OUT"})
			return err
		},
			"POST /payments/imp%2F1/naver/cancel product_order_id,reason"},
		{func() error {
			_, err := c.NaverApproveCancel(ctx, &iamport.NaverApproveCancelRequest{NaverProductOrderTarget: tgt})
			return err
		}, "POST /payments/imp%2F1/naver/approve-cancel product_order_id"},
		{func() error {
			_, err := c.NaverShip(ctx, &iamport.NaverShipRequest{NaverProductOrderTarget: tgt, DeliveryMethod: "DELIVERY", DispatchedAt: now, DeliveryCompany: "CJGLS", TrackingNumber: "1"})
			return err
		}, "POST /payments/imp%2F1/naver/ship delivery_company,delivery_method,dispatched_at,product_order_id,tracking_number"},
		{func() error {
			_, err := c.NaverShipExchanged(ctx, &iamport.NaverShipExchangedRequest{NaverProductOrderTarget: tgt, DeliveryMethod: "DELIVERY"})
			return err
		}, "POST /payments/imp%2F1/naver/ship-exchanged delivery_method,product_order_id"},
		{func() error {
			_, err := c.NaverCollectExchanged(ctx, &iamport.NaverCollectExchangedRequest{NaverProductOrderTarget: tgt})
			return err
		}, "POST /payments/imp%2F1/naver/collect-exchanged product_order_id"},
		{func() error {
			_, err := c.NaverPlace(ctx, &iamport.NaverPlaceRequest{NaverProductOrderTarget: tgt})
			return err
		},
			"POST /payments/imp%2F1/naver/place product_order_id"},
		{func() error {
			_, err := c.NaverRequestReturn(ctx, &iamport.NaverRequestReturnRequest{NaverProductOrderTarget: tgt, DeliveryMethod: "RETURN_DESIGNATED"})
			return err
		}, "POST /payments/imp%2F1/naver/request-return delivery_method,product_order_id"},
		{func() error {
			_, err := c.NaverApproveReturn(ctx, &iamport.NaverApproveReturnRequest{NaverProductOrderTarget: tgt, Memo: "m"})
			return err
		}, "POST /payments/imp%2F1/naver/approve-return memo,product_order_id"},
		{func() error {
			_, err := c.NaverRejectReturn(ctx, &iamport.NaverRejectReturnRequest{NaverProductOrderTarget: tgt, Memo: "m"})
			return err
		}, "POST /payments/imp%2F1/naver/reject-return memo,product_order_id"},
		{func() error {
			_, err := c.NaverWithholdReturn(ctx, &iamport.NaverWithholdReturnRequest{NaverProductOrderTarget: tgt, Memo: "m", ExtraCharge: iamport.Ptr(iamport.Amount(3000))})
			return err
		}, "POST /payments/imp%2F1/naver/withhold-return extra_charge,memo,product_order_id"},
		{func() error {
			_, err := c.NaverResolveReturn(ctx, &iamport.NaverResolveReturnRequest{NaverProductOrderTarget: tgt})
			return err
		}, "POST /payments/imp%2F1/naver/resolve-return product_order_id"},
		{func() error { return c.NaverDepositPoint(ctx, "imp/1") }, "POST /payments/imp%2F1/naver/point "},
		{func() error {
			return c.NaverConfirm(ctx, &iamport.NaverConfirmRequest{ImpUID: "imp/1", Requester: "customer"})
		},
			"POST /payments/imp%2F1/naver/confirm requester"},
		{func() error { _, err := c.GetNaverProductOrders(ctx, "imp/1"); return err }, "GET /payments/imp%2F1/naver/product-orders "},
		{func() error { _, err := c.GetNaverProductOrder(ctx, "po/1"); return err }, "GET /naver/product-orders/po%2F1 "},
		{func() error {
			_, err := c.GetNaverReviews(ctx, &iamport.NaverReviewsRequest{ChannelKey: "ch", From: now.Time, To: now.Time, ReviewType: "GENERAL"})
			return err
		}, "GET /naver/reviews ?channel_key,?from,?review_type,?to"},
		{func() error { _, err := c.GetNaverCashAmount(ctx, "imp/1"); return err }, "GET /payments/imp%2F1/naver/cash-amount "},
		{func() error {
			_, err := c.DeleteKcpQuickMember(ctx, &iamport.DeleteKcpQuickMemberRequest{MemberID: "m/1", SiteCode: "s", PartnerType: "p", PartnerSubtype: "ps"})
			return err
		}, "DELETE /kcpquick/members/m%2F1 ?partner_subtype,?partner_type,?site_code"},
		{func() error {
			_, err := c.PayKcpQuickMoney(ctx, &iamport.KcpQuickMoneyRequest{MemberID: "m", ChannelKey: "ch", MerchantUID: "o1", Name: "n", Amount: 1000, ImpUID: "imp_1", NoticeURL: "https://x"})
			return err
		}, "POST /kcpquick/payment/money amount,channel_key,imp_uid,member_id,merchant_uid,name,notice_url"},
		{func() error {
			return c.PrepareKcpQuick(ctx, &iamport.KcpQuickPrepareRequest{MerchantUID: "o/2", BTID: "b", CustIP: "1.2.3.4", CodeVerifier: "v", PrepaidAuthYN: "Y", PrepaidAmount: iamport.Ptr(iamport.Int(0)), VenderType: "VID2", RewardID: "r"})
		}, "POST /kcpquick/prepare/o%2F2 btid,code_verifier,cust_ip,prepaid_amount,prepaid_auth_yn,reward_id,vender_type"},
		{func() error {
			return c.UpdateKcpQuickPrepare(ctx, &iamport.KcpQuickPrepareRequest{MerchantUID: "o2", BTID: "b", CustIP: "1.2.3.4", CodeVerifier: "v"})
		}, "PUT /kcpquick/prepare/o2 btid,code_verifier,cust_ip"},
		{func() error {
			_, err := c.PayKcpQuickAutopay(ctx, &iamport.KcpQuickAutopayRequest{CustomerUID: "k", MerchantUID: "o3", Name: "n", BuyerName: "b", Amount: 1000})
			return err
		}, "POST /kcpquick/payment/autopay amount,buyer_name,customer_uid,merchant_uid,name"},
		{func() error { _, err := c.DeleteKcpQuickAutopayKey(ctx, "k/1"); return err }, "DELETE /kcpquick/autopay/k%2F1 "},
		{func() error {
			_, err := c.ReleaseKcpQuickFido(ctx, &iamport.KcpQuickFidoReleaseRequest{MemberID: "m/1", ChannelKey: "ch"})
			return err
		}, "POST /kcpquick/members/m%2F1/fido/release channel_key"},
		{func() error {
			_, err := c.ChangePaycoOrderStatus(ctx, &iamport.PaycoOrderStatusRequest{ImpUID: "imp/1", Status: iamport.PaycoPurchaseDecision})
			return err
		}, "POST /payco/orders/status/imp%2F1 status"},
		{func() error {
			_, err := c.GetBenepiaPoint(ctx, &iamport.BenepiaPointRequest{BenepiaUser: "u", BenepiaPassword: "p", ChannelKey: "ch"})
			return err
		}, "POST /benepia/point benepia_password,benepia_user,channel_key"},
		{func() error {
			_, err := c.PayBenepia(ctx, &iamport.BenepiaPaymentRequest{BenepiaUser: "u", BenepiaPassword: "p", ChannelKey: "ch", MerchantUID: "o4", Name: "n", Amount: 1000, NoticeURL: []string{"https://x"}})
			return err
		}, "POST /benepia/payment amount,benepia_password,benepia_user,channel_key,merchant_uid,name,notice_url"},
		{func() error {
			_, err := c.IssueCVSPayment(ctx, &iamport.CVSPaymentRequest{ChannelKey: "ch", MerchantUID: "o5", Amount: 1000, ExpiredAt: iamport.Ptr(now)})
			return err
		}, "POST /cvs amount,channel_key,expired_at,merchant_uid"},
		{func() error { _, err := c.RevokeCVSPayment(ctx, "imp/1"); return err }, "DELETE /cvs/imp%2F1 "},
	}
	for _, st := range steps {
		mu.Lock()
		got = nil
		mu.Unlock()
		require.NoError(t, st.call(), st.want)
		mu.Lock()
		// A charge first lists its order's attempts (GET
		// /payments/findAll/{merchant_uid}); that lookup is not its request.
		sent := slices.DeleteFunc(slices.Clone(got), func(s string) bool { return strings.HasPrefix(s, "GET /payments/findAll/") })
		require.Equal(t, []string{st.want}, sent)
		mu.Unlock()
	}
}
