// Command onetime takes a key-in card payment, looks it up, and refunds it in
// two steps: the one-off payment flow of a merchant backend.
//
// With no environment set it runs against an in-process iamporttest fake
// server. To run it against the real iamport API, set:
//
//	IAMPORT_API_KEY, IAMPORT_API_SECRET  REST API key and secret (console › V1 API)
//	IAMPORT_CARD_NUMBER, IAMPORT_CARD_EXPIRY (YYYY-MM), IAMPORT_CARD_BIRTH, IAMPORT_CARD_PWD2
//	                                     a card on a test channel: it WILL be charged 1,000 KRW,
//	                                     and refunded at the end
//
//	go run ./examples/onetime
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

	client, card, done := setup()
	defer done()

	orderID := fmt.Sprintf("order_%d", time.Now().UnixNano()%1e12)
	fmt.Printf("1. charging %s: 1000 KRW by key-in card\n", orderID)
	req := card
	req.MerchantUID = orderID
	req.Amount = 1000
	req.Name = "iamport-go onetime example"
	p, err := client.Onetime(ctx, &req)
	var declined *iamport.DeclinedError
	switch {
	case errors.As(err, &declined):
		log.Fatalf("   declined: %s", p.FailReason)
	case err != nil:
		log.Fatalf("   charge failed: %v", err) // card data never appears in err
	}
	fmt.Printf("   paid: imp_uid=%s amount=%s status=%s\n", p.ImpUID, p.Amount, p.Status)

	fmt.Println("2. looking it up by imp_uid and by merchant_uid")
	byImp, err := client.GetPayment(ctx, p.ImpUID)
	must(err)
	byOrder, err := client.FindPayment(ctx, orderID)
	must(err)
	fmt.Printf("   same payment: %v, card %s, paid at %s\n", byImp.ImpUID == byOrder.ImpUID, byImp.CardNumber, byImp.PaidAt.UTC().Format(time.RFC3339))

	fmt.Println("3. refunding 300 KRW, then the rest")
	p, err = client.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, Amount: 300, Reason: "partial refund"})
	must(err)
	fmt.Printf("   partial: status=%s cancelled=%s balance=%s\n", p.Status, p.CancelAmount, p.Balance())
	p, err = client.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, FullRefund: true, Reason: "order cancelled"})
	must(err)
	fmt.Printf("   full: status=%s cancelled=%s balance=%s refunds=%d\n", p.Status, p.CancelAmount, p.Balance(), len(p.CancelHistory))
}

// setup returns a client and the card to charge: the real API when
// IAMPORT_API_KEY is set, otherwise an in-process fake.
func setup() (*iamport.Client, iamport.OnetimeRequest, func()) {
	if key := os.Getenv("IAMPORT_API_KEY"); key != "" {
		client, err := iamport.New(key, os.Getenv("IAMPORT_API_SECRET"))
		must(err)
		return client, iamport.OnetimeRequest{
			CardNumber: os.Getenv("IAMPORT_CARD_NUMBER"),
			Expiry:     os.Getenv("IAMPORT_CARD_EXPIRY"),
			Birth:      os.Getenv("IAMPORT_CARD_BIRTH"),
			Pwd2Digit:  os.Getenv("IAMPORT_CARD_PWD2"),
		}, func() {}
	}
	fmt.Println("(no IAMPORT_API_KEY: running against the built-in fake iamport server)")
	srv := iamporttest.NewServer()
	return srv.Client(), iamport.OnetimeRequest{
		CardNumber: iamporttest.CardApproved, Expiry: "2030-12", Birth: "900101", Pwd2Digit: "00",
	}, srv.Close
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
