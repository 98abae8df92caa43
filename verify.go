package iamport

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrPaymentMismatch matches a *PaymentMismatchError with errors.Is.
var ErrPaymentMismatch = errors.New("iamport: payment does not match the order")

// VerifyPaymentRequest is what the order says a browser payment must be.
type VerifyPaymentRequest struct {
	// ImpUID is the imp_uid the browser reported (IMP.request_pay's
	// response). Required.
	ImpUID string
	// MerchantUID is the order's merchant_uid. Required.
	MerchantUID string
	// Amount is what the order costs, compared exactly (Amount.Equal).
	// Required, > 0.
	Amount Amount
	// Currency is the order's currency; empty means KRW.
	Currency string
	// Status is the status the payment must have; empty means paid. A
	// virtual account waiting for its deposit is ready.
	Status PaymentStatus
	// AllowSandbox accepts payments made on a test channel. By default they
	// are not found, so that a test payment never fulfils a real order.
	AllowSandbox bool
	// CancelOnMismatch refunds, in full and with the checksum, a paid
	// payment of this order whose amount or currency differ from the
	// order's: a payment tampered with in the browser. A payment of another
	// order (MerchantUID differs) is never cancelled: it may be someone
	// else's good payment. A paid virtual account is refunded to a bank
	// account the refund must name, so for one the refund fails (see
	// PaymentMismatchError.CancelErr): refund it with CancelPayment.
	CancelOnMismatch bool
	// CancelReason is the reason given for that refund (default "결제 금액
	// 위변조 의심").
	CancelReason string
}

// PaymentMismatchError is returned by VerifyPayment when the payment is not
// what the order expects. It matches ErrPaymentMismatch.
type PaymentMismatchError struct {
	// Payment is the payment as iamport reported it, before any refund.
	Payment *Payment
	// Fields names what differs: "imp_uid" (the answer is about another
	// payment), "merchant_uid", "amount", "currency", "status", in that
	// order.
	Fields []string
	// Cancelled is the payment after the refund CancelOnMismatch made; nil
	// when none was made.
	Cancelled *Payment
	// CancelErr is why that refund failed; nil when it was not attempted or
	// succeeded. It may be an *OutcomeUnknownError.
	CancelErr error
}

// Error names the payment and what differs, and whether it was refunded.
func (e *PaymentMismatchError) Error() string {
	var b strings.Builder
	b.WriteString("iamport: payment ")
	if e.Payment != nil {
		b.WriteString(e.Payment.ImpUID)
	}
	b.WriteString(" does not match the order: ")
	b.WriteString(strings.Join(e.Fields, ", "))
	b.WriteString(" differ")
	if len(e.Fields) == 1 {
		b.WriteString("s")
	}
	switch {
	case e.Cancelled != nil:
		fmt.Fprintf(&b, "; refunded (status %s)", e.Cancelled.Status)
	case e.CancelErr != nil:
		fmt.Fprintf(&b, "; the refund failed: %v", e.CancelErr)
	}
	return b.String()
}

// Is reports whether target is ErrPaymentMismatch.
func (e *PaymentMismatchError) Is(target error) bool { return target == ErrPaymentMismatch }

// Unwrap returns CancelErr, so errors.As finds an *OutcomeUnknownError of
// the refund.
func (e *PaymentMismatchError) Unwrap() error { return e.CancelErr }

// VerifyPayment is the server half of a browser checkout. After
// IMP.request_pay reports a payment, the browser sends its imp_uid to your
// server; the amount it paid could have been changed in the browser, so
// before fulfilling the order, the server fetches the payment from iamport
// by imp_uid (GET /payments/{imp_uid}) and checks that its merchant_uid,
// amount (exactly), currency and status are the order's. VerifyPayment
// returns the payment when they are, and a *PaymentMismatchError naming what
// differs when they are not; with CancelOnMismatch, a paid payment of the
// order with the wrong amount or currency is also refunded in full.
//
// Fulfil the order only on a nil error. Register the amount beforehand with
// PreparePayment as well, so that iamport refuses a tampered amount before
// the payment window opens.
func (c *Client) VerifyPayment(ctx context.Context, req *VerifyPaymentRequest) (*Payment, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if err := checkID("imp_uid", req.ImpUID); err != nil {
		return nil, err
	}
	if err := checkID("merchant_uid", req.MerchantUID); err != nil {
		return nil, err
	}
	if err := checkAmount("amount", req.Amount); err != nil {
		return nil, err
	}
	currency := req.Currency
	if currency == "" {
		currency = "KRW"
	}
	status := req.Status
	if status == "" {
		status = PaymentStatusPaid
	}
	p, err := c.GetPayment(ctx, req.ImpUID, GetPaymentParams{IncludeSandbox: req.AllowSandbox})
	if err != nil {
		return nil, err
	}
	var fields []string
	if p.ImpUID != req.ImpUID {
		fields = append(fields, "imp_uid") // an answer about another payment
	}
	if p.MerchantUID != req.MerchantUID {
		fields = append(fields, "merchant_uid")
	}
	if !p.Amount.Equal(req.Amount) {
		fields = append(fields, "amount")
	}
	if !strings.EqualFold(p.Currency, currency) {
		fields = append(fields, "currency")
	}
	if p.Status != status {
		fields = append(fields, "status")
	}
	if len(fields) == 0 {
		return p, nil
	}
	mm := &PaymentMismatchError{Payment: p, Fields: fields}
	if req.CancelOnMismatch && p.ImpUID == req.ImpUID && p.MerchantUID == req.MerchantUID && p.Paid() && p.Balance() > 0 &&
		(!p.Amount.Equal(req.Amount) || !strings.EqualFold(p.Currency, currency)) {
		reason := req.CancelReason
		if reason == "" {
			reason = "결제 금액 위변조 의심"
		}
		bal := p.Balance()
		// The whole balance, named explicitly, with the balance as checksum:
		// iamport refuses it if anything else was refunded meanwhile.
		mm.Cancelled, mm.CancelErr = c.CancelPayment(ctx, &CancelRequest{
			ImpUID: p.ImpUID, Amount: bal, Checksum: &bal, Reason: reason,
		})
	}
	return nil, mm
}
