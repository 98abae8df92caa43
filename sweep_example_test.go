package iamport_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// A Sweeper catches up on webhooks that never arrived: here every webhook is
// lost (the fake has no webhook URL), and the sweep schedules the next month
// the webhook would have scheduled.
func ExampleSweeper() {
	seoul := time.FixedZone("KST", 9*60*60)
	srv := iamporttest.NewInProcess(iamporttest.WithStartTime(time.Date(2030, 1, 30, 9, 0, 0, 0, seoul)))
	defer srv.Close()
	client := srv.Client()
	plan := &iamport.Plan{CustomerUID: "cust_1", Amount: 8900, Name: "Monthly subscription",
		Anchor: time.Date(2030, 1, 31, 10, 0, 0, 0, seoul), Location: seoul}
	if _, err := client.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{
		CustomerUID: plan.CustomerUID, CardNumber: iamporttest.CardApproved, Expiry: "2035-12",
	}); err != nil {
		log.Fatal(err)
	}
	if _, err := client.ScheduleCycle(ctx, plan, 1); err != nil {
		log.Fatal(err)
	}
	srv.Advance(26 * time.Hour) // cycle 1 is charged; nobody hears of it

	sw := &iamport.Sweeper{
		Client: client,
		Plans: func(_ context.Context, customerUIDs []string) (map[string][]*iamport.Plan, error) {
			return map[string][]*iamport.Plan{plan.CustomerUID: {plan}}, nil // one query in a real shop
		},
		OnPayment: func(_ context.Context, _ *iamport.Plan, p *iamport.Payment) error {
			fmt.Println("record once:", p.MerchantUID, p.Status, p.Amount) // INSERT ... ON CONFLICT DO NOTHING
			return nil
		},
	}
	for r, err := range sw.Sweep(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.Outcome, "→", r.Next.MerchantUID, r.Next.ScheduleAt.In(seoul).Format("2006-01-02 15:04"))
	}
	// Output:
	// record once: cust_1-c1 paid 8900
	// followed_up → cust_1-c2 2030-02-28 10:00
}
