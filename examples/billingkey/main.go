// Command billingkey stores a card as a billing key, charges it with Again,
// looks the key up, and shows how a declined charge is handled.
//
// With no environment set it runs against an in-process iamporttest fake
// server, where a second billing key on a test card that always declines
// shows the decline path. To run it against the real iamport API, set:
//
//	IAMPORT_API_KEY, IAMPORT_API_SECRET  REST API key and secret (console › V1 API)
//	IAMPORT_CARD_NUMBER, IAMPORT_CARD_EXPIRY (YYYY-MM), IAMPORT_CARD_BIRTH, IAMPORT_CARD_PWD2
//	                                     a card on a test channel: it WILL be charged 1,000 KRW
//	IAMPORT_CHANNEL_KEY                  the channel to issue the billing key on (optional)
//
//	go run ./examples/billingkey
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, card, declining, done := setup()
	defer done()

	run := time.Now().UnixNano() % 1e9
	customerUID := fmt.Sprintf("cust_%d_card_1", run)
	fmt.Printf("1. saving the card as billing key %s\n", customerUID)
	save := card
	save.CustomerUID = customerUID
	bk, err := client.SaveBillingKey(ctx, &save)
	must(err)
	fmt.Printf("   saved: %s %s (pg %s)\n", bk.CardName, bk.CardNumber, bk.PGProvider)

	fmt.Println("2. charging it: 1000 KRW")
	p, err := charge(ctx, client, customerUID, fmt.Sprintf("order_%d_1", run))
	must(err)
	fmt.Printf("   paid: imp_uid=%s amount=%s customer_uid_usage=%s\n", p.ImpUID, p.Amount, p.CustomerUIDUsage)

	fmt.Println("3. looking the billing key up")
	bk, err = client.GetBillingKey(ctx, customerUID)
	must(err)
	fmt.Printf("   %s: card %s, issued %s\n", bk.CustomerUID, bk.CardNumber, bk.Inserted.UTC().Format(time.RFC3339))

	if declining != nil {
		fmt.Println("4. charging a card that declines")
		declining.CustomerUID = customerUID + "_declines"
		_, err := client.SaveBillingKey(ctx, declining)
		must(err)
		p, err := charge(ctx, client, declining.CustomerUID, fmt.Sprintf("order_%d_2", run))
		var declinedErr *iamport.DeclinedError
		if !errors.As(err, &declinedErr) {
			log.Fatalf("expected a decline, got %v", err)
		}
		gloss := ""
		if p.FailReason == "잔액이 부족합니다" { // the card company's reason, in Korean
			gloss = " (insufficient funds)"
		}
		fmt.Printf("   declined, no money moved: status=%s reason=%q%s\n", p.Status, p.FailReason, gloss)
		fmt.Println("   (a merchant would now ask the customer for another card, or retry later)")
	}

	fmt.Println("5. deleting the billing key")
	bk, err = client.DeleteBillingKey(ctx, customerUID)
	must(err)
	_, err = client.GetBillingKey(ctx, customerUID)
	fmt.Printf("   deleted %s; looking it up again: not found = %v\n", bk.CustomerUID, errors.Is(err, iamport.ErrNotFound))
}

// charge charges a billing key and tells the three outcomes apart.
func charge(ctx context.Context, client *iamport.Client, customerUID, orderID string) (*iamport.Payment, error) {
	p, err := client.Again(ctx, &iamport.AgainRequest{
		CustomerUID: customerUID, MerchantUID: orderID, Amount: 1000, Name: "iamport-go billing key example",
	})
	var unknown *iamport.OutcomeUnknownError
	if errors.As(err, &unknown) {
		// The answer was lost and could not be established: never re-send
		// blindly. Look the order up later with FindPayment.
		log.Printf("outcome of %s unknown; check it with FindPayment before retrying", unknown.MerchantUID)
	}
	return p, err
}

func setup() (*iamport.Client, iamport.SaveBillingKeyRequest, *iamport.SaveBillingKeyRequest, func()) {
	if key := os.Getenv("IAMPORT_API_KEY"); key != "" {
		client, err := iamport.New(key, os.Getenv("IAMPORT_API_SECRET"))
		must(err)
		return client, iamport.SaveBillingKeyRequest{
			CardNumber: os.Getenv("IAMPORT_CARD_NUMBER"),
			Expiry:     os.Getenv("IAMPORT_CARD_EXPIRY"),
			Birth:      os.Getenv("IAMPORT_CARD_BIRTH"),
			Pwd2Digit:  os.Getenv("IAMPORT_CARD_PWD2"),
			ChannelKey: os.Getenv("IAMPORT_CHANNEL_KEY"),
		}, nil, func() {}
	}
	fmt.Println("(no IAMPORT_API_KEY: running against the built-in fake iamport server)")
	srv := iamporttest.NewServer()
	return srv.Client(),
		iamport.SaveBillingKeyRequest{CardNumber: iamporttest.CardApproved, Expiry: "2030-12", Birth: "900101", Pwd2Digit: "00"},
		&iamport.SaveBillingKeyRequest{CardNumber: iamporttest.CardDeclinedFunds, Expiry: "2030-12", Birth: "900101", Pwd2Digit: "00"},
		srv.Close
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
