package iamport_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"time"
	_ "time/tzdata" // Asia/Seoul, even where the system has no time zone database

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// seoul is the time zone the examples show times in. The SDK returns every
// time in UTC; call .In(seoul) to show it as a Korean customer sees it.
var seoul = mustLoadLocation("Asia/Seoul")

func mustLoadLocation(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		log.Fatal(err)
	}
	return l
}

// Example is the whole billing-key flow: save a card as a billing key, charge
// it at once with Again (the name is the API's /subscribe/payments/again),
// schedule next month's charge, let iamport run it, and look both up. It runs
// against iamporttest, whose clock is set by the test; in production, build
// the client with iamport.New and your REST API key and secret.
func Example() {
	srv := iamporttest.NewServer(iamporttest.WithStartTime(time.Date(2027, 1, 15, 10, 0, 0, 0, seoul)))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	// Save the card under a customer_uid of your choosing: that is the
	// billing key's name from now on. The card data is never stored by you.
	bk, err := client.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{
		CustomerUID: "cust_42_card_1",
		CardNumber:  iamporttest.CardApproved, Expiry: "2030-12", Birth: "900101", Pwd2Digit: "00",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("billing key:", bk.CustomerUID)

	// Charge it now. A nil error means the card was charged, once.
	p, err := client.Again(ctx, &iamport.AgainRequest{
		CustomerUID: "cust_42_card_1", MerchantUID: "order_cust42_2027_01", Amount: 8900, Name: "Monthly plan, January",
	})
	if err != nil {
		log.Fatal(err) // *iamport.DeclinedError for a declined card, with p the failed payment
	}
	fmt.Println("charged:", p.MerchantUID, p.Status, p.Amount, "at", p.PaidAt.In(seoul).Format(time.DateTime))

	// Schedule the next charge; iamport makes it at ScheduleAt.
	if _, err := client.Schedule(ctx, &iamport.ScheduleRequest{
		CustomerUID: "cust_42_card_1",
		Schedules: []iamport.ScheduleEntry{{
			MerchantUID: "order_cust42_2027_02",
			ScheduleAt:  time.Date(2027, 2, 15, 10, 0, 0, 0, seoul),
			Amount:      8900,
			Name:        "Monthly plan, February",
		}},
	}); err != nil {
		log.Fatal(err)
	}
	s, err := client.GetSchedule(ctx, "order_cust42_2027_02")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("scheduled:", s.MerchantUID, s.ScheduleStatus, "at", s.ScheduleAt.In(seoul).Format(time.DateTime))

	// A month later iamport has charged it (here: the fake's clock moves).
	srv.SetTime(time.Date(2027, 2, 15, 10, 0, 1, 0, seoul))
	next, err := client.FindPayment(ctx, "order_cust42_2027_02")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("charged:", next.MerchantUID, next.Status, next.Amount, "at", next.PaidAt.In(seoul).Format(time.DateTime))
	// Output:
	// billing key: cust_42_card_1
	// charged: order_cust42_2027_01 paid 8900 at 2027-01-15 10:00:00
	// scheduled: order_cust42_2027_02 scheduled at 2027-02-15 10:00:00
	// charged: order_cust42_2027_02 paid 8900 at 2027-02-15 10:00:00
}

// ExampleClient_ListPaymentsByStatus sums the paid payments of a period with
// the iterator, which fetches the pages (and, for a range longer than the
// API's 90 days, the windows) as the loop needs them. An empty Status lists
// every status.
func ExampleClient_ListPaymentsByStatus() {
	srv := iamporttest.NewServer(iamporttest.WithStartTime(time.Date(2027, 3, 2, 9, 0, 0, 0, seoul)))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	for i, card := range []string{iamporttest.CardApproved, iamporttest.CardDeclinedLimit, iamporttest.CardApproved} {
		_, _ = client.Onetime(ctx, &iamport.OnetimeRequest{
			MerchantUID: fmt.Sprintf("order_%d", i+1), Amount: 5000, Name: "Coffee beans",
			CardNumber: card, Expiry: "2030-12", Birth: "900101", Pwd2Digit: "00",
		})
		srv.Advance(time.Hour)
	}

	var total iamport.Amount
	var orders []string
	for p, err := range client.ListPaymentsByStatus(ctx, &iamport.ListPaymentsByStatusRequest{
		Status:  iamport.PaymentStatusPaid,
		From:    time.Date(2027, 3, 1, 0, 0, 0, 0, seoul),
		To:      time.Date(2027, 3, 31, 23, 59, 59, 0, seoul),
		Limit:   1000,
		Sorting: iamport.SortStartedAsc,
	}) {
		if err != nil {
			log.Fatal(err) // a page could not be fetched: the loop ends here
		}
		total = total.Add(p.Amount)
		orders = append(orders, p.MerchantUID)
	}
	fmt.Println(orders, total)
	// Output: [order_1 order_3] 10000
}

// ExampleClient_ListBillingKeySchedules lists the schedules of one billing
// key in a time range, newest first. ListBillingKeySchedules (GET
// /subscribe/customers/{customer_uid}/schedules) and ListCustomerSchedules
// (GET /subscribe/payments/schedule/customers/{customer_uid}) are two paths
// iamport serves for the same listing: they take the same request and answer
// the same. Use ListBillingKeySchedules, which sits with the other
// billing-key calls; the other exists because the API has both.
func ExampleClient_ListBillingKeySchedules() {
	srv, client := fakeAt(time.Date(2027, 1, 1, 0, 0, 0, 0, seoul))
	defer srv.Close()
	var entries []iamport.ScheduleEntry
	for m := time.February; m <= time.April; m++ {
		entries = append(entries, iamport.ScheduleEntry{
			MerchantUID: fmt.Sprintf("order_2027_%02d", m), Amount: 8900, Name: "Monthly plan",
			ScheduleAt: time.Date(2027, m, 1, 10, 0, 0, 0, seoul),
		})
	}
	if _, err := client.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "cust_1", Schedules: entries}); err != nil {
		log.Fatal(err)
	}

	for s, err := range client.ListBillingKeySchedules(ctx, &iamport.ListCustomerSchedulesRequest{
		CustomerUID: "cust_1",
		From:        time.Date(2027, 1, 1, 0, 0, 0, 0, seoul),
		To:          time.Date(2027, 12, 31, 0, 0, 0, 0, seoul), // longer than 3 months: walked in windows
		Status:      iamport.ScheduleStatusScheduled,
	}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(s.MerchantUID, s.ScheduleAt.In(seoul).Format(time.DateTime))
	}
	// Output:
	// order_2027_04 2027-04-01 10:00:00
	// order_2027_03 2027-03-01 10:00:00
	// order_2027_02 2027-02-01 10:00:00
}

// ExampleClient_VerifyWebhook shows why a webhook's body is never trusted:
// VerifyWebhook fetches the payment the notification names and returns it,
// so a notification claiming "paid" for a declined charge yields the failed
// payment.
func ExampleClient_VerifyWebhook() {
	srv, client := fake()
	defer srv.Close()
	srv.DeclineCharges("cust_1", 1, "한도초과")
	declined, _ := client.Again(ctx, &iamport.AgainRequest{CustomerUID: "cust_1", MerchantUID: "order_9", Amount: 8900, Name: "Monthly plan"})

	// What arrived, as ParseWebhook(r) would return it from the request.
	ev := &iamport.WebhookEvent{ImpUID: declined.ImpUID, MerchantUID: "order_9", Status: "paid"}
	p, err := client.VerifyWebhook(ctx, ev)
	if err != nil {
		log.Fatal(err) // ErrNotFound: a forged imp_uid; ErrWebhookMismatch: another order's
	}
	fmt.Println("claimed:", ev.Status, "verified:", p.Status, p.FailReason)

	ev.MerchantUID = "order_10" // someone else's payment passed off as this order's
	_, err = client.VerifyWebhook(ctx, ev)
	fmt.Println(errors.Is(err, iamport.ErrWebhookMismatch))
	// Output:
	// claimed: paid verified: failed 한도초과
	// true
}

// ExampleWebhookHandler_iamporttest receives iamport's notifications: it parses each
// one, verifies it against the API, and calls your function with the
// verified payment only. WithAllowedSources limits senders to iamport's
// published addresses; WithLoopbackSources lets the test's iamporttest
// deliveries, which come from loopback, through as well.
func ExampleWebhookHandler_iamporttest() {
	srv, client := fakeAt(time.Date(2027, 1, 1, 0, 0, 0, 0, seoul))
	defer srv.Close()

	hooks := httptest.NewServer(iamport.WebhookHandler(client,
		func(ctx context.Context, p *iamport.Payment, ev *iamport.WebhookEvent) error {
			// Record p idempotently (the same notification may come twice);
			// an error answers 500 so that iamport delivers it again.
			fmt.Println("verified:", p.MerchantUID, p.Status, p.Amount)
			return nil
		},
		iamport.WithAllowedSources(iamport.WebhookSourceIPs...), // production: iamport only
		iamport.WithLoopbackSources(),                           // tests: iamporttest too
	))
	defer hooks.Close()

	if _, err := client.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "cust_1", Schedules: []iamport.ScheduleEntry{{
		MerchantUID: "order_2027_02", Amount: 8900, Name: "Monthly plan",
		ScheduleAt: time.Date(2027, 2, 1, 10, 0, 0, 0, seoul), NoticeURL: hooks.URL,
	}}}); err != nil {
		log.Fatal(err)
	}
	srv.SetTime(time.Date(2027, 2, 1, 10, 0, 0, 0, seoul)) // iamport charges the card and notifies
	fmt.Println("answered:", srv.Webhooks()[0].StatusCode)
	// Output:
	// verified: order_2027_02 paid 8900
	// answered: 200
}

// ExampleClient_ScheduleCycle starts a monthly subscription: Plan computes
// each cycle's billing time on the calendar and a deterministic
// merchant_uid, so scheduling the same cycle twice never charges twice.
func ExampleClient_ScheduleCycle() {
	srv, client := fakeAt(time.Date(2027, 1, 20, 0, 0, 0, 0, seoul))
	defer srv.Close()
	plan := &iamport.Plan{
		CustomerUID: "cust_1",
		Amount:      8900,
		Name:        "Monthly plan",
		Anchor:      time.Date(2027, 1, 31, 10, 0, 0, 0, seoul), // later cycles: Feb 28, Mar 31, Apr 30, ...
	}
	s, err := client.ScheduleCycle(ctx, plan, 1)
	if err != nil {
		log.Fatal(err)
	}
	again, err := client.ScheduleCycle(ctx, plan, 1) // a repeat returns the same schedule
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.MerchantUID, s.ScheduleAt.In(seoul).Format(time.DateTime), again.MerchantUID == s.MerchantUID)
	fmt.Println("cycle 2 bills at", plan.BillingTime(2).In(seoul).Format(time.DateTime))
	// Output:
	// cust_1-c1 2027-01-31 10:00:00 true
	// cycle 2 bills at 2027-02-28 10:00:00
}

// ExampleClient_ScheduleFollowUp chains a subscription from its webhooks:
// a paid cycle schedules the next one, a failed one schedules a retry (by
// default 1, 3 and 7 days later), and after the last retry it returns
// ErrRetriesExhausted.
func ExampleClient_ScheduleFollowUp() {
	srv, client := fakeAt(time.Date(2027, 1, 20, 0, 0, 0, 0, seoul))
	defer srv.Close()
	plan := &iamport.Plan{CustomerUID: "cust_1", Amount: 8900, Name: "Monthly plan",
		Anchor: time.Date(2027, 1, 31, 10, 0, 0, 0, seoul)}
	hooks := httptest.NewServer(iamport.WebhookHandler(client,
		func(ctx context.Context, p *iamport.Payment, _ *iamport.WebhookEvent) error {
			s, err := client.ScheduleFollowUp(ctx, plan, p)
			if err != nil {
				return err
			}
			fmt.Println(p.MerchantUID, p.Status, "→", s.MerchantUID, "at", s.ScheduleAt.In(seoul).Format(time.DateTime))
			return nil
		}, iamport.WithLoopbackSources()))
	defer hooks.Close()
	plan.NoticeURL = hooks.URL

	srv.DeclineCharges("cust_1", 1, "잔액이 부족합니다") // the first charge declines
	if _, err := client.ScheduleCycle(ctx, plan, 1); err != nil {
		log.Fatal(err)
	}
	srv.SetTime(time.Date(2027, 1, 31, 10, 0, 0, 0, seoul)) // cycle 1 declines: a retry a day later
	srv.SetTime(time.Date(2027, 2, 1, 10, 0, 0, 0, seoul))  // the retry is paid: cycle 2 is booked
	// Output:
	// cust_1-c1 failed → cust_1-c1-r1 at 2027-02-01 10:00:00
	// cust_1-c1-r1 paid → cust_1-c2 at 2027-02-28 10:00:00
}

// fakeAt starts a fake server whose clock starts at start (zero: now), with
// a billing key "cust_1" on a card that is approved, and returns a client
// pointed at it.
func fakeAt(start time.Time) (*iamporttest.Server, *iamport.Client) {
	srv := iamporttest.NewServer(iamporttest.WithStartTime(start))
	c := srv.Client()
	if _, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{
		CustomerUID: "cust_1", CardNumber: iamporttest.CardApproved, Expiry: "2030-12", Birth: "900101", Pwd2Digit: "00",
	}); err != nil {
		log.Fatal(err)
	}
	return srv, c
}
