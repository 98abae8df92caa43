package iamport

import (
	"context"
	"fmt"
	"log/slog"
)

// CVSPaymentRequest issues a convenience-store payment number (barcode) for
// an order, which the buyer pays at the counter (POST /cvs). The buyer
// fields are personal data: they are redacted in fmt and slog output.
type CVSPaymentRequest struct {
	ChannelKey  string `json:"channel_key"`  // required
	MerchantUID string `json:"merchant_uid"` // required
	Amount      Amount `json:"amount"`       // required, > 0, whole (KRW)
	// Barcode registers a payment number the merchant manages itself instead
	// of having one issued.
	Barcode string `json:"barcode,omitempty"`
	// ExpiredAt is the deadline for paying at the store; nil takes the
	// contract's default.
	ExpiredAt     *Time  `json:"expired_at,omitempty"`
	Name          string `json:"name,omitempty"`
	BuyerName     string `json:"buyer_name,omitempty" redact:"true"`
	BuyerEmail    string `json:"buyer_email,omitempty" redact:"true"`
	BuyerTel      string `json:"buyer_tel,omitempty" redact:"true"`
	BuyerAddr     string `json:"buyer_addr,omitempty" redact:"true"`
	BuyerPostcode string `json:"buyer_postcode,omitempty" redact:"true"`
	// ConfirmURL is asked whether a payment at the store may go through;
	// without it every payment does.
	ConfirmURL string   `json:"confirm_url,omitempty"`
	NoticeURL  []string `json:"notice_url,omitempty"` // webhook URLs for this payment
	CustomData string   `json:"custom_data,omitempty"`
}

type cVSPaymentRequestFields CVSPaymentRequest // same fields, no methods

// MarshalJSON encodes r with the buyer redacted.
func (r CVSPaymentRequest) MarshalJSON() ([]byte, error) {
	return redactedJSON(cVSPaymentRequestFields(r))
}

// Format prints r with the buyer redacted, for every verb.
func (r CVSPaymentRequest) Format(f fmt.State, verb rune) {
	formatRedacted[CVSPaymentRequest](f, verb, cVSPaymentRequestFields(r))
}

// LogValue logs r with the buyer redacted.
func (r CVSPaymentRequest) LogValue() slog.Value { return logValueRedacted(cVSPaymentRequestFields(r)) }

func (r CVSPaymentRequest) wire() any { return cVSPaymentRequestFields(r) }

const (
	hintCVSIssue  = "list the order's attempts with FindPayments by merchant_uid before issuing again"
	hintCVSRevoke = "look the payment up with GetPayment and check that its status is cancelled"
)

// IssueCVSPayment issues a convenience-store payment number and returns the
// payment, ready until the buyer pays (POST /cvs). A code-0 answer with a
// failed payment is a *DeclinedError. If the answer is lost, or names
// another order, a payment the order had before the call, or no status
// ready, paid or failed, IssueCVSPayment lists the order's attempts until
// one that was not there before the call, of this amount, ready or paid, is
// the answer; the request is never sent again, and if none shows up before
// the reconcile timeout the outcome is an *OutcomeUnknownError.
func (c *Client) IssueCVSPayment(ctx context.Context, req *CVSPaymentRequest) (*Payment, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	if err := requireField("channel_key", w.ChannelKey); err != nil {
		return nil, err
	}
	if err := checkNewMerchantUID("merchant_uid", w.MerchantUID); err != nil {
		return nil, err
	}
	if err := checkKRWAmount("amount", w.Amount); err != nil {
		return nil, err
	}
	// The order's attempts before the call: after a lost answer only a new
	// one, of this amount, is this call's.
	if err := checkSendable(&w); err != nil {
		return nil, err
	}
	o := &chargeOrder{merchantUID: w.MerchantUID, amount: &w.Amount}
	ctx = withCallToken(ctx)
	if err := c.snapshot(ctx, o); err != nil {
		return nil, err
	}
	r := &request{method: "POST", path: "/cvs", body: &w, money: true}
	var p Payment
	err := c.call(ctx, r, &p)
	if err == nil {
		why := unissued(&p, w.MerchantUID, o.before)
		if why == "" && p.Status == PaymentStatusFailed {
			return &p, &DeclinedError{Payment: &p} // code 0, but no number was issued
		}
		if why == "" {
			return &p, nil
		}
		// An answer that does not show this call's payment says nothing of
		// it: settle it as a lost answer.
		err = r.unfit(why)
	} else if !isAmbiguous(err) {
		return nil, err
	}
	return settle(c, ctx, w.MerchantUID, hintCVSIssue, err, func(ctx context.Context) (*Payment, verdict, error) {
		ps, err := c.attempts(ctx, o.merchantUID)
		if err != nil {
			return nil, lookupFailed, err
		}
		for i := range ps {
			issued := ps[i].Status == PaymentStatusReady || ps[i].Status == PaymentStatusPaid
			if issued && !o.before[ps[i].ImpUID] && o.mismatch(&ps[i]) == "" {
				return &ps[i], decided, nil
			}
		}
		return nil, pending, nil // not yet visible, not issued, or never made: never sent again
	})
}

// RevokeCVSPayment revokes the convenience-store payment number of the
// payment impUID and returns the payment, now cancelled (DELETE
// /cvs/{imp_uid}). If the answer is lost, the payment is looked up: a
// cancelled payment is the answer; the request is never sent again, and if
// the payment is still ready at the reconcile timeout the outcome is an
// *OutcomeUnknownError.
func (c *Client) RevokeCVSPayment(ctx context.Context, impUID string) (*Payment, error) {
	if err := checkID("imp_uid", impUID); err != nil {
		return nil, err
	}
	r := &request{method: "DELETE", path: "/cvs/" + escape(impUID), money: true}
	ctx = withCallToken(ctx) // the lookups after a lost answer share the call's token
	var p Payment
	err := c.call(ctx, r, &p)
	if err == nil {
		return &p, nil
	}
	if !isAmbiguous(err) {
		return nil, err
	}
	return settle(c, ctx, impUID, hintCVSRevoke, err, func(ctx context.Context) (*Payment, verdict, error) {
		p, err := c.GetPayment(ctx, impUID, GetPaymentParams{IncludeSandbox: true})
		switch {
		case err != nil:
			return nil, lookupFailed, err
		case p.Status == PaymentStatusCancelled:
			return p, decided, nil
		}
		return nil, pending, nil // still ready: not yet, or never; never sent again
	})
}
