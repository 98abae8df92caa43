package iamport_test

import (
	"fmt"
	"log"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// ExampleClient_NaverCancel refunds one product order of a NaverPay payment.
func ExampleClient_NaverCancel() {
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	client := srv.Client()
	p := srv.NaverPayment("naver_0001",
		iamport.NaverProductOrder{ProductOrderID: "2026010100001", ProductAmount: 20000},
		iamport.NaverProductOrder{ProductOrderID: "2026010100002", ProductAmount: 5000},
	)

	orders, err := client.NaverCancel(ctx, &iamport.NaverCancelRequest{
		NaverProductOrderTarget: iamport.NaverProductOrderTarget{ImpUID: p.ImpUID, ProductOrderIDs: []string{"2026010100002"}},
		Reason:                  "SOLD_OUT",
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range orders {
		fmt.Println(o.ProductOrderID, o.ProductOrderStatus)
	}
	after, err := client.GetPayment(ctx, p.ImpUID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("refunded", after.CancelAmount, "of", after.Amount)
	// Output:
	// 2026010100002 CANCELED
	// refunded 5000 of 25000
}

// ExampleClient_IssueCVSPayment issues a convenience-store payment number
// that the buyer pays at the counter.
func ExampleClient_IssueCVSPayment() {
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	client := srv.Client()

	p, err := client.IssueCVSPayment(ctx, &iamport.CVSPaymentRequest{
		ChannelKey: "channel-key-of-the-cvs-channel", MerchantUID: "cvs_0001", Amount: 15000, Barcode: "9100000000001",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Status, p.VbankNum)
	srv.PayCVS(p.ImpUID) // the buyer pays at the counter
	p, err = client.GetPayment(ctx, p.ImpUID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Status)
	// Output:
	// ready 9100000000001
	// paid
}
