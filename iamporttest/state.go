package iamporttest

import (
	"time"

	"github.com/iamport-go/iamport"
)

// payment is a payment the fake made.
type payment struct {
	iamport.Payment
	seq       int64
	n         int64 // numbers the imp_uid, PG TID and approval number
	updated   time.Time
	noticeURL string
	taxFree   int64 // hundredths
	vatAmount int64 // hundredths; valid when vatSet
	vatSet    bool
	hidden    bool             // a charge still processing, invisible to lookups
	history   []paymentVersion // past states, for lagged lookups
}

// snapshot returns a deep copy of the payment as the API reports it.
func (p *payment) snapshot() iamport.Payment {
	cp := p.Payment
	cp.CancelHistory = append([]iamport.Cancel{}, p.CancelHistory...)
	cp.DepositHistory = append([]iamport.Deposit{}, p.DepositHistory...)
	//lint:ignore SA1019 the real API still sends cancel_receipt_urls, so the fake does too
	cp.CancelReceiptURLs = append([]string{}, p.CancelReceiptURLs...)
	if p.Promotion != nil {
		pr := *p.Promotion
		cp.Promotion = &pr
	}
	return cp
}

// billingKey is a stored card. The fake never keeps the card number, expiry,
// birth date or PIN digits: only the masked number and how the test card
// behaves.
type billingKey struct {
	iamport.BillingKey
	seq     int64
	decline string // reason every charge declines with; "" approves
}

// schedule is a scheduled payment.
type schedule struct {
	iamport.Schedule
	seq       int64
	noticeURL string
	pay       *payment // the payment made when it ran; nil until then
	taxFree   int64
	vatAmount int64
	vatSet    bool
	cardQuota int
	history   []scheduleVersion // past states, for lagged lookups
}

// snapshot returns the schedule as the API reports it: imp_uid and
// payment_status follow the payment made when it ran (a refunded payment
// shows as cancelled).
func (s *schedule) snapshot() iamport.Schedule {
	sc := s.Schedule
	if s.pay != nil {
		sc.ImpUID = s.pay.ImpUID
		sc.PaymentStatus = s.pay.Status
		sc.FailReason = s.pay.FailReason
	}
	return sc
}

// prepared is a registered expected amount (POST /payments/prepare).
type prepared struct {
	merchantUID string
	cents       int64
	currency    string // "" = not checked (null)
}

// decline holds the charges DeclineCharges asked to decline.
type decline struct {
	n      int
	reason string
}

// Calls counts requests; key is "METHOD route".
func callKey(method, route string) string { return method + " " + route }
