package iamport_test

import (
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// The server half of a browser checkout: the browser reported imp_uid
// after IMP.request_pay; the order says what it must be.
func ExampleClient_VerifyPayment() {
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	client := srv.Client()
	// A payment of 100 won for an order of 8,900 won: tampered with.
	paid, err := client.Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: "order_0010", Amount: 100,
		CardNumber: iamporttest.CardApproved, Expiry: "2030-12"})
	if err != nil {
		log.Fatal(err)
	}

	_, err = client.VerifyPayment(ctx, &iamport.VerifyPaymentRequest{
		ImpUID: paid.ImpUID, MerchantUID: "order_0010", Amount: 8900, CancelOnMismatch: true,
	})
	var mm *iamport.PaymentMismatchError
	if errors.As(err, &mm) {
		fmt.Println("mismatch:", mm.Fields)
		fmt.Println("refunded:", mm.Cancelled != nil && mm.Cancelled.Status == iamport.PaymentStatusCancelled)
	}
	// Output:
	// mismatch: [amount]
	// refunded: true
}

func ExampleClient_IssueVbank() {
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	client := srv.Client()

	p, err := client.IssueVbank(ctx, &iamport.VbankRequest{
		ChannelKey: "channel-key-1", MerchantUID: "order_0011", Amount: 15000,
		VbankCode: "004", VbankDue: srv.Now().Add(72 * time.Hour), VbankHolder: "My Shop",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Status, p.VbankName, p.VbankHolder)

	if err := srv.Deposit(p.ImpUID); err != nil { // the buyer pays in; the webhook is sent
		log.Fatal(err)
	}
	p, err = client.GetPayment(ctx, p.ImpUID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Status)
	// Output:
	// ready KB국민은행 My Shop
	// paid
}

func ExampleClient_ConfirmCertificationOTP() {
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	client := srv.Client()

	otp, err := client.RequestCertificationOTP(ctx, &iamport.CertificationOTPRequest{
		Name: "홍길동", Phone: "010-1234-5678", Birth: "880214", GenderDigit: "1",
		Carrier: iamport.CarrierSKT, ChannelKey: "channel-key-danal",
	})
	if err != nil {
		log.Fatal(err)
	}
	cert, err := client.ConfirmCertificationOTP(ctx, otp.ImpUID, iamporttest.TestOTP)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cert.Certified, cert.Birthday)
	fmt.Println(cert.Name) // fields read directly are the real values...
	printed := fmt.Sprintf("%+v", cert)
	fmt.Println(strings.Contains(printed, cert.Name), strings.Contains(printed, "Name:[REDACTED]")) // ...but it prints redacted
	// Output:
	// true 1988-02-14
	// 홍길동
	// false true
}
