package iamport_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// The requests of the three documents this SDK was born from, sent
// verbatim through the SDK: GitBook "비 인증 결제(빌링키) API" (seed 000),
// the NHN KCP REST API billing guide (seed 001), and PortOne's
// "Subscription payment using billing key" (seed 002).

// Seed 000 lists every parameter of POST /subscribe/payments/again. Each one
// reaches the server as given, and the payment is made.
func TestSeed000AgainWithEveryParameter(t *testing.T) {
	t.Parallel()
	runSeed000(t, func(t *testing.T, opts ...iamporttest.Option) seedServer { return newHookedFake(t, opts...) })
}

// Seed 001's three curl bodies, with the cards' dashes as written.
func TestSeed001KCPBillingRequests(t *testing.T) {
	t.Parallel()
	runSeed001(t, func(t *testing.T, opts ...iamporttest.Option) seedServer { return newHookedFake(t, opts...) })
}

// Seed 002: a schedule with the document's literal body, its webhook, the
// payment verified, and the next month scheduled from the callback.
func TestSeed002ScheduleWebhookAndNextMonth(t *testing.T) {
	t.Parallel()
	runSeed002(t, func(t *testing.T, opts ...iamporttest.Option) seedServer { return newHookedFake(t, opts...) })
}

// seedServer is a server the seed flows run against: iamporttest, or a
// server shaped like an independent iamport-compatible one.
type seedServer interface {
	client() *iamport.Client
	fake() *iamporttest.Server
	sentBodies(method, path string) [][]byte
	setHook(h http.Handler)
}

func (f *hookedFake) client() *iamport.Client                 { return f.c }
func (f *hookedFake) fake() *iamporttest.Server               { return f.srv }
func (f *hookedFake) sentBodies(method, path string) [][]byte { return f.rec.sent(method, path) }
func (f *hookedFake) setHook(h http.Handler)                  { f.hook.set(h) }

type seedStarter func(t *testing.T, opts ...iamporttest.Option) seedServer

func runSeed000(t *testing.T, start seedStarter) {
	s := start(t)
	c := s.client()
	ctx := context.Background()
	var hooks []string
	var mu sync.Mutex
	s.setHook(iamport.WebhookHandler(c, func(_ context.Context, p *iamport.Payment, _ *iamport.WebhookEvent) error {
		mu.Lock()
		hooks = append(hooks, p.MerchantUID)
		mu.Unlock()
		return nil
	}))
	_, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "customer_0001", CardNumber: iamporttest.CardApproved, Expiry: "2035-12"})
	require.NoError(t, err)

	req := &iamport.AgainRequest{
		CustomerUID: "customer_0001", MerchantUID: "order_0001", Currency: "KRW", Amount: 60000, TaxFree: 5000,
		Name: "비 인증 결제 테스트", BuyerName: "홍길동", BuyerEmail: "gildong@example.com", BuyerTel: "010-1234-5678",
		BuyerAddr: "서울특별시 강남구 삼성동", BuyerPostcode: "06018", CardQuota: iamport.Ptr(3),
		InterestFreeByMerchant: iamport.Ptr(true), UseCardPoint: iamport.Ptr(false), CustomData: `{"plan":"monthly"}`,
		NoticeURL: "https://merchant.example/iamport/notice", BrowserIP: "203.0.113.7",
	}
	p, err := c.Again(ctx, req)
	require.NoError(t, err)
	require.True(t, p.Paid())

	sent := s.sentBodies(http.MethodPost, "/subscribe/payments/again")
	require.Len(t, sent, 1)
	require.JSONEq(t, `{"customer_uid":"customer_0001","merchant_uid":"order_0001","currency":"KRW","amount":60000,
		"tax_free":5000,"name":"비 인증 결제 테스트","buyer_name":"홍길동","buyer_email":"gildong@example.com",
		"buyer_tel":"010-1234-5678","buyer_addr":"서울특별시 강남구 삼성동","buyer_postcode":"06018","card_quota":3,
		"interest_free_by_merchant":true,"use_card_point":false,"custom_data":"{\"plan\":\"monthly\"}",
		"notice_url":"https://merchant.example/iamport/notice","browser_ip":"203.0.113.7"}`, string(sent[0]))

	// What the server made of them.
	stored := s.fake().Payments()
	require.Len(t, stored, 1)
	got := stored[0]
	require.Equal(t, "order_0001", got.MerchantUID)
	require.Equal(t, "customer_0001", got.CustomerUID)
	require.Equal(t, "KRW", got.Currency)
	require.Equal(t, iamport.Amount(60000), got.Amount)
	require.Equal(t, "비 인증 결제 테스트", got.Name)
	require.Equal(t, []string{"홍길동", "gildong@example.com", "010-1234-5678", "서울특별시 강남구 삼성동", "06018"},
		[]string{got.BuyerName, got.BuyerEmail, got.BuyerTel, got.BuyerAddr, got.BuyerPostcode})
	require.Equal(t, iamport.Int(3), got.CardQuota)
	require.Equal(t, `{"plan":"monthly"}`, got.CustomData)
	ds := s.fake().Webhooks()
	require.Len(t, ds, 1)
	require.Equal(t, "https://merchant.example/iamport/notice", ds[0].URL, "notice_url decides where the webhook goes")
	require.Equal(t, http.StatusOK, ds[0].StatusCode, ds[0].Err)
	require.Equal(t, []string{"order_0001"}, hooks)
}

func runSeed001(t *testing.T, start seedStarter) {
	// The guide's billing-key card expires 2025-12: run on a clock when it
	// was valid. Its onetime examples use 2019-01, which had passed.
	s := start(t, iamporttest.WithStartTime(time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)))
	c := s.client()
	ctx := context.Background()
	decode := func(body string, v any) {
		t.Helper()
		require.NoError(t, json.Unmarshal([]byte(body), v))
	}

	// 2. Request one-time payment: the expiry "2019-01" has passed, so the
	// SDK says so before sending anything (iamport would answer "유효기간이
	// 올바르지 않거나 만료된 카드입니다.").
	const onetimeBody = `{"merchant_uid":"order_id_8237352", "card_number":"1234-1234-1234-1234", "expiry":"2019-01", "birth":"123456", "amount":3000}`
	var one iamport.OnetimeRequest
	decode(onetimeBody, &one)
	_, err := c.Onetime(ctx, &one)
	var ve *iamport.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "expiry", ve.Field)
	require.Contains(t, err.Error(), "already passed")
	require.Empty(t, s.sentBodies(http.MethodPost, "/subscribe/payments/onetime"))
	// The same body with a card that has not expired is charged as written.
	one.Expiry = "2027-01"
	p, err := c.Onetime(ctx, &one)
	require.NoError(t, err)
	require.True(t, p.Paid())
	sent := s.sentBodies(http.MethodPost, "/subscribe/payments/onetime")
	require.Len(t, sent, 1)
	require.JSONEq(t, `{"merchant_uid":"order_id_8237352", "card_number":"1234-1234-1234-1234", "expiry":"2027-01", "birth":"123456", "amount":3000}`, string(sent[0]))

	// 3. Request billing key, as written.
	const saveBody = `{"card_number":"1234-1234-1234-1234", "expiry":"2025-12", "birth":"820213", "pwd_2digit":"00"}`
	var save iamport.SaveBillingKeyRequest
	decode(saveBody, &save)
	save.CustomerUID = "your-customer-unique-id" // from the URL
	bk, err := c.SaveBillingKey(ctx, &save)
	require.NoError(t, err)
	require.Equal(t, "your-customer-unique-id", bk.CustomerUID)
	sent = s.sentBodies(http.MethodPost, "/subscribe/customers/your-customer-unique-id")
	require.Len(t, sent, 1)
	require.JSONEq(t, `{"customer_uid":"your-customer-unique-id","card_number":"1234-1234-1234-1234", "expiry":"2025-12", "birth":"820213", "pwd_2digit":"00"}`, string(sent[0]))

	// 4. Billing key + initial payment: the same passed expiry.
	const keyAndPayBody = `{"customer_uid":"your-customer-unique-id", "merchant_uid":"order_id_8237352", "card_number":"1234-1234-1234-1234", "expiry":"2019-01", "birth":"123456", "amount":3000, "pwd_2digit":"00"}`
	var keyAndPay iamport.OnetimeRequest
	decode(keyAndPayBody, &keyAndPay)
	_, err = c.Onetime(ctx, &keyAndPay)
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "expiry", ve.Field)

	// 5. Payment with the billing key, as written. The guide reuses the
	// merchant_uid of step 2, which was paid there: iamport refuses it, and
	// the refusal matches ErrAlreadyPaid.
	const againBody = `{"customer_uid":"your-customer-unique-id", "merchant_uid":"order_id_8237352", "amount":3000}`
	var again iamport.AgainRequest
	decode(againBody, &again)
	_, err = c.Again(ctx, &again)
	require.ErrorIs(t, err, iamport.ErrAlreadyPaid)
	sent = s.sentBodies(http.MethodPost, "/subscribe/payments/again")
	require.Len(t, sent, 1)
	require.JSONEq(t, againBody, string(sent[0]))
	// Under an order of its own it is charged.
	again.MerchantUID = "order_id_8237353"
	p, err = c.Again(ctx, &again)
	require.NoError(t, err)
	require.True(t, p.Paid())
	require.Equal(t, "your-customer-unique-id", p.CustomerUID)
}

func runSeed002(t *testing.T, start seedStarter) {
	const scheduleAt = 1519862400 // 2018-03-01 09:00 KST, the document's schedule_at
	s := start(t, iamporttest.WithStartTime(time.Unix(scheduleAt, 0).Add(-72*time.Hour)))
	c := s.client()
	ctx := context.Background()
	_, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "gildong_0001_1234", CardNumber: iamporttest.CardApproved, Expiry: "2025-12"})
	require.NoError(t, err)

	// STEP 02 and "Recurring payment": the callback looks the payment up by
	// imp_uid (WebhookHandler does), saves it if paid, and schedules the
	// next payment. The document's follow-up body repeats merchant_uid
	// order_monthly_0001 with a schedule_at in the past (1519516800); the
	// SDK refuses that before sending, so the callback books next month
	// under a new merchant_uid.
	type outcome struct {
		paid        []iamport.Payment
		literalErr  error
		nextMonth   []iamport.Schedule
		followUpErr error
	}
	var mu sync.Mutex
	var got outcome
	s.setHook(iamport.WebhookHandler(c, func(ctx context.Context, p *iamport.Payment, _ *iamport.WebhookEvent) error {
		if p.Status != iamport.PaymentStatusPaid {
			return nil // "Retry payment"
		}
		_, literalErr := c.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "gildong_0001_1234", Schedules: []iamport.ScheduleEntry{{
			MerchantUID: "order_monthly_0001", ScheduleAt: time.Unix(1519516800, 0), Amount: 8900,
			Name: "Recurring payment for monthly subscription"}}})
		next, err := c.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "gildong_0001_1234", Schedules: []iamport.ScheduleEntry{{
			MerchantUID: "order_monthly_0002", ScheduleAt: time.Unix(scheduleAt, 0).AddDate(0, 1, 0), Amount: 8900,
			Name: "Recurring payment for monthly subscription"}}})
		mu.Lock()
		defer mu.Unlock()
		got.paid = append(got.paid, *p)
		got.literalErr, got.nextMonth, got.followUpErr = literalErr, next, err
		return err
	}))

	// STEP 01: the document's schedule request, literally.
	scheduled, err := c.Schedule(ctx, &iamport.ScheduleRequest{
		CustomerUID: "gildong_0001_1234",
		Schedules: []iamport.ScheduleEntry{{
			MerchantUID: "order_monthly_0001",
			ScheduleAt:  time.Unix(scheduleAt, 0),
			Amount:      8900,
			Name:        "Recurring payment for monthly subscription",
			BuyerName:   "Hong Gildong",
			BuyerTel:    "01012345678",
			BuyerEmail:  "gildong@gmail.com",
		}},
	})
	require.NoError(t, err, "a 42-character name is sent as given")
	require.Len(t, scheduled, 1)
	sent := s.sentBodies(http.MethodPost, "/subscribe/payments/schedule")
	require.Len(t, sent, 1)
	require.JSONEq(t, `{"customer_uid":"gildong_0001_1234","schedules":[{"merchant_uid":"order_monthly_0001","schedule_at":1519862400,
		"amount":8900,"name":"Recurring payment for monthly subscription","buyer_name":"Hong Gildong","buyer_tel":"01012345678",
		"buyer_email":"gildong@gmail.com","currency":"KRW"}]}`, string(sent[0]), "the literal body, with the currency the SDK makes explicit")

	s.fake().Advance(72*time.Hour + time.Minute)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got.paid, 1, "the webhook reached the callback with the verified payment")
	require.Equal(t, "order_monthly_0001", got.paid[0].MerchantUID)
	require.Equal(t, iamport.Amount(8900), got.paid[0].Amount)
	require.Equal(t, "Recurring payment for monthly subscription", got.paid[0].Name)
	var ve *iamport.ValidationError
	require.ErrorAs(t, got.literalErr, &ve)
	require.Equal(t, "schedules[0].schedule_at", ve.Field)
	require.NoError(t, got.followUpErr)
	require.Len(t, got.nextMonth, 1)
	require.Equal(t, "order_monthly_0002", got.nextMonth[0].MerchantUID)
	require.Equal(t, iamport.ScheduleStatusScheduled, got.nextMonth[0].ScheduleStatus)
	require.Equal(t, int64(1522540800), got.nextMonth[0].ScheduleAt.Unix(), "2018-04-01 09:00 KST")
	ds := s.fake().Webhooks()
	require.Len(t, ds, 1)
	require.Equal(t, http.StatusOK, ds[0].StatusCode, ds[0].Err)
}
