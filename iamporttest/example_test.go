package iamporttest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// ExampleNewServer runs the SDK against the fake: a billing key, a charge, a
// decline on demand, and a schedule run by moving the fake clock.
func ExampleNewServer() {
	srv := iamporttest.NewServer(iamporttest.WithStartTime(time.Date(2025, 1, 31, 9, 0, 0, 0, time.UTC)))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	// Store a card as a billing key and charge it.
	_, err := client.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{
		CustomerUID: "customer-1", CardNumber: iamporttest.CardApproved, Expiry: "2030-12",
	})
	if err != nil {
		log.Fatal(err)
	}
	p, err := client.Again(ctx, &iamport.AgainRequest{CustomerUID: "customer-1", MerchantUID: "order-1", Amount: 9900, Name: "Monthly plan"})
	fmt.Println(p.Status, p.Amount, p.CardNumber, err)

	// Make the next charge decline.
	srv.DeclineCharges("customer-1", 1, "")
	_, err = client.Again(ctx, &iamport.AgainRequest{CustomerUID: "customer-1", MerchantUID: "order-2", Amount: 9900})
	var declined *iamport.DeclinedError
	fmt.Println(errors.As(err, &declined), declined.Payment.FailReason)

	// Schedule a payment and let a day pass.
	_, err = client.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "customer-1", Schedules: []iamport.ScheduleEntry{
		{MerchantUID: "order-3", ScheduleAt: srv.Now().Add(24 * time.Hour), Amount: 9900, Name: "Monthly plan"},
	}})
	if err != nil {
		log.Fatal(err)
	}
	srv.Advance(25 * time.Hour)
	s, err := client.GetSchedule(ctx, "order-3")
	fmt.Println(s.ScheduleStatus, s.PaymentStatus, err)
	// Output:
	// paid 9900 4242-42**-****-4242 <nil>
	// true 한도초과
	// executed paid <nil>
}

// ExampleServer_InjectFault loses the answer of a charge that was made: the
// SDK finds the payment instead of charging twice.
func ExampleServer_InjectFault() {
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	client := srv.Client(iamport.WithReconcileTimeout(time.Second))

	// The payment is made, but the connection drops before the answer.
	srv.InjectFault("POST", "/subscribe/payments/onetime", 1, iamporttest.Fault{Kind: iamporttest.FaultDropAfterProcessing})
	p, err := client.Onetime(context.Background(), &iamport.OnetimeRequest{
		MerchantUID: "order-1", Amount: 1000, CardNumber: iamporttest.CardApproved, Expiry: "2030-12",
	})
	// The SDK looked the order up instead of charging the card twice.
	fmt.Println(p.Status, err)
	fmt.Println(srv.Calls("POST", "/subscribe/payments/onetime"), len(srv.Payments()))
	// Output:
	// paid <nil>
	// 1 1
}

// ExampleServer_Advance runs a schedule by moving the fake clock; the fake
// POSTs its webhook.
func ExampleServer_Advance() {
	// A webhook receiver, as the merchant's server would run it.
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Println("webhook:", string(b))
	}))
	defer hooks.Close()

	srv := iamporttest.NewInProcess(
		iamporttest.WithStartTime(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)),
		iamporttest.WithWebhookURL(hooks.URL),
	)
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	if _, err := client.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{
		CustomerUID: "customer-1", CardNumber: iamporttest.CardDeclinedFunds, Expiry: "2030-12",
	}); err != nil {
		log.Fatal(err)
	}
	if _, err := client.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "customer-1", Schedules: []iamport.ScheduleEntry{
		{MerchantUID: "sub-2025-04", ScheduleAt: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), Amount: 9900, Name: "April"},
	}}); err != nil {
		log.Fatal(err)
	}
	srv.SetTime(time.Date(2025, 4, 2, 0, 0, 0, 0, time.UTC))
	p := srv.Payments()[0]
	fmt.Println(p.Status, p.FailReason, p.FailedAt.UTC().Format(time.DateOnly))
	// Output:
	// webhook: {"imp_uid":"imp_100000000001","merchant_uid":"sub-2025-04","status":"failed"}
	// failed 잔액이 부족합니다 2025-04-01
}
