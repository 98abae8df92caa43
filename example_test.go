package iamport_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// The examples run against iamporttest, the SDK's offline fake iamport
// server. In production, build the client with iamport.New and your REST API
// key and secret.

var ctx = context.Background()

// fake starts a fake server with a billing key "cust_1" on a card that is
// approved, and returns a client pointed at it.
func fake() (*iamporttest.Server, *iamport.Client) {
	srv := iamporttest.NewServer()
	c := srv.Client()
	if _, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{
		CustomerUID: "cust_1", CardNumber: iamporttest.CardApproved, Expiry: "2030-12", Birth: "900101", Pwd2Digit: "00",
	}); err != nil {
		log.Fatal(err)
	}
	return srv, c
}

func ExampleNew() {
	client, err := iamport.New("your-rest-api-key", "your-rest-api-secret",
		iamport.WithTimeout(20*time.Second),
		iamport.WithMaxRetries(2),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client) // the secret is never printed
	// Output: iamport.Client{baseURL: https://api.iamport.kr, apiKey: your****, apiSecret: [REDACTED]}
}

func ExampleClient_Onetime() {
	srv := iamporttest.NewServer()
	defer srv.Close()
	client := srv.Client()

	p, err := client.Onetime(ctx, &iamport.OnetimeRequest{
		MerchantUID: "order_0001",
		Amount:      8900,
		Name:        "Monthly plan",
		CardNumber:  iamporttest.CardApproved,
		Expiry:      "2030-12",
		Birth:       "900101",
		Pwd2Digit:   "00",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.MerchantUID, p.Status, p.Amount)
	// Output: order_0001 paid 8900
}

func ExampleClient_Again() {
	srv, client := fake()
	defer srv.Close()

	p, err := client.Again(ctx, &iamport.AgainRequest{
		CustomerUID: "cust_1",
		MerchantUID: "order_0002",
		Amount:      8900,
		Name:        "Monthly plan",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Status, p.CustomerUID, p.CustomerUIDUsage)
	// Output: paid cust_1 payment
}

func ExampleDeclinedError() {
	srv := iamporttest.NewServer()
	defer srv.Close()
	client := srv.Client()

	p, err := client.Onetime(ctx, &iamport.OnetimeRequest{
		MerchantUID: "order_0003", Amount: 8900, Name: "Monthly plan",
		CardNumber: iamporttest.CardDeclinedLimit, Expiry: "2030-12", Birth: "900101",
	})
	var declined *iamport.DeclinedError
	if errors.As(err, &declined) {
		// No money moved; p is the failed payment.
		fmt.Println("declined:", p.Status, p.FailReason)
	}
	// Output: declined: failed 한도초과
}

func ExampleClient_SaveBillingKey() {
	srv := iamporttest.NewServer()
	defer srv.Close()
	client := srv.Client()

	bk, err := client.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{
		CustomerUID: "cust_42_card_1",
		CardNumber:  "4242424242424242", // dashes optional
		Expiry:      "203012",           // YYYYMM or YYYY-MM
		Birth:       "900101",
		Pwd2Digit:   "00",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bk.CustomerUID, bk.CardNumber)
	// Output: cust_42_card_1 4242-42**-****-4242
}

func ExampleClient_GetBillingKey() {
	srv, client := fake()
	defer srv.Close()

	bk, err := client.GetBillingKey(ctx, "cust_1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bk.CustomerUID)

	_, err = client.GetBillingKey(ctx, "cust_unknown")
	fmt.Println(errors.Is(err, iamport.ErrNotFound))
	// Output:
	// cust_1
	// true
}

func ExampleClient_DeleteBillingKey() {
	srv, client := fake()
	defer srv.Close()

	bk, err := client.DeleteBillingKey(ctx, "cust_1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("deleted", bk.CustomerUID)
	// Output: deleted cust_1
}

func ExampleClient_Schedule() {
	srv, client := fake()
	defer srv.Close()

	next := srv.Now().AddDate(0, 1, 0)
	schedules, err := client.Schedule(ctx, &iamport.ScheduleRequest{
		CustomerUID: "cust_1",
		Schedules: []iamport.ScheduleEntry{
			{MerchantUID: "order_2026_12", ScheduleAt: next, Amount: 8900, Name: "December"},
			{MerchantUID: "order_2027_01", ScheduleAt: next.AddDate(0, 1, 0), Amount: 8900, Name: "January"},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range schedules {
		fmt.Println(s.MerchantUID, s.ScheduleStatus, s.Amount)
	}
	// Output:
	// order_2026_12 scheduled 8900
	// order_2027_01 scheduled 8900
}

func ExampleClient_Unschedule() {
	srv, client := fake()
	defer srv.Close()
	at := srv.Now().Add(24 * time.Hour)
	if _, err := client.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "cust_1", Schedules: []iamport.ScheduleEntry{
		{MerchantUID: "order_a", ScheduleAt: at, Amount: 8900, Name: "a"},
	}}); err != nil {
		log.Fatal(err)
	}

	revoked, err := client.Unschedule(ctx, &iamport.UnscheduleRequest{
		CustomerUID:  "cust_1",
		MerchantUIDs: []string{"order_a"}, // or All: true for every pending schedule
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(revoked[0].MerchantUID, revoked[0].ScheduleStatus)
	// Output: order_a revoked
}

func ExampleClient_GetSchedule() {
	srv, client := fake()
	defer srv.Close()
	if _, err := client.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "cust_1", Schedules: []iamport.ScheduleEntry{
		{MerchantUID: "order_b", ScheduleAt: srv.Now().Add(time.Hour), Amount: 8900, Name: "b"},
	}}); err != nil {
		log.Fatal(err)
	}
	srv.Advance(2 * time.Hour) // the fake charges the card when its clock passes schedule_at

	s, err := client.GetSchedule(ctx, "order_b")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.ScheduleStatus, s.PaymentStatus)
	// Output: executed paid
}

func ExampleClient_GetPayment() {
	srv, client := fake()
	defer srv.Close()
	paid, err := client.Again(ctx, &iamport.AgainRequest{CustomerUID: "cust_1", MerchantUID: "order_c", Amount: 1000, Name: "c"})
	if err != nil {
		log.Fatal(err)
	}

	p, err := client.GetPayment(ctx, paid.ImpUID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.MerchantUID, p.Status, !p.PaidAt.IsZero())
	// Output: order_c paid true
}

func ExampleClient_FindPayment() {
	srv, client := fake()
	defer srv.Close()
	if _, err := client.Again(ctx, &iamport.AgainRequest{CustomerUID: "cust_1", MerchantUID: "order_d", Amount: 1000, Name: "d"}); err != nil {
		log.Fatal(err)
	}

	p, err := client.FindPayment(ctx, "order_d", iamport.FindPaymentParams{Status: iamport.PaymentStatusPaid})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.MerchantUID, p.Status)
	// Output: order_d paid
}

func ExampleClient_CancelPayment() {
	srv, client := fake()
	defer srv.Close()
	if _, err := client.Again(ctx, &iamport.AgainRequest{CustomerUID: "cust_1", MerchantUID: "order_e", Amount: 10000, Name: "e"}); err != nil {
		log.Fatal(err)
	}

	// A partial refund. The SDK sends the balance it expects as the checksum,
	// so a refund can never be applied twice.
	p, err := client.CancelPayment(ctx, &iamport.CancelRequest{MerchantUID: "order_e", Amount: 3000, Reason: "partial"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Status, p.CancelAmount, p.Balance())

	// Amount 0 refunds the rest.
	p, err = client.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, FullRefund: true, Reason: "cancelled"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Status, p.CancelAmount, p.Balance())
	// Output:
	// paid 3000 7000
	// cancelled 10000 0
}

// A mock transport (here httpmock) plugs in through WithHTTPClient, for unit
// tests of a single call.
func ExampleWithHTTPClient() {
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("POST", "https://api.iamport.kr/users/getToken",
		httpmock.NewStringResponder(200, `{"code":0,"response":{"access_token":"t","now":1700000000,"expired_at":1700001800}}`))
	mt.RegisterResponder("GET", "https://api.iamport.kr/payments/imp_123456789012",
		httpmock.NewStringResponder(200, `{"code":0,"response":{"imp_uid":"imp_123456789012","merchant_uid":"order_1","amount":8900,"status":"paid"}}`))

	client, err := iamport.New("key", "secret", iamport.WithHTTPClient(&http.Client{Transport: mt}))
	if err != nil {
		log.Fatal(err)
	}
	p, err := client.GetPayment(ctx, "imp_123456789012")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.MerchantUID, p.Amount, p.Status)
	// Output: order_1 8900 paid
}

func ExampleAmount() {
	a := iamport.Amount(10.1)
	b := iamport.Amount(0.2)
	fmt.Println(a.Add(b), a.Sub(b), iamport.Amount(0.1).Add(0.2).Equal(0.3))
	// Output: 10.3 9.9 true
}

// Request types print and encode their card data and the buyer's personal
// data redacted, however they are logged; the SDK itself sends the real
// values.
func ExampleOnetimeRequest_redacted() {
	req := iamport.OnetimeRequest{MerchantUID: "order-1", Amount: 8900, CardNumber: "4242-4242-4242-4242",
		Expiry: "2031-07", Birth: "880514", Pwd2Digit: "47", BuyerTel: "010-1234-5678"}
	b, _ := json.Marshal([]iamport.OnetimeRequest{req})
	fmt.Println(string(b))
	fmt.Printf("%v\n", req.CardNumber == "4242-4242-4242-4242") // the caller's value is untouched
	// Output:
	// [{"merchant_uid":"order-1","amount":8900,"card_number":"[REDACTED]","expiry":"[REDACTED]","birth":"[REDACTED]","pwd_2digit":"[REDACTED]","buyer_tel":"[REDACTED]"}]
	// true
}
