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
	hintCVSIssue  = "look the payment up with FindPayment by merchant_uid before issuing again"
	hintCVSRevoke = "look the payment up with GetPayment and check that its status is cancelled"
)

// IssueCVSPayment issues a convenience-store payment number and returns the
// payment, ready until the buyer pays (POST /cvs). If the answer is lost,
// IssueCVSPayment looks the order up by MerchantUID: a payment issued since
// the call is the answer; none for the settle time, and the request is sent
// once more; otherwise the outcome is an *OutcomeUnknownError.
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
	ctx = withCallToken(ctx) // the lookups after a lost answer share the call's token
	sentAt, err := c.sendTime(ctx)
	if err != nil {
		return nil, err
	}
	r := &request{method: "POST", path: "/cvs", body: &w, money: true}
	var p Payment
	err = c.call(ctx, r, &p)
	if err == nil {
		return &p, nil
	}
	if !isAmbiguous(err) {
		return nil, err
	}
	inFlight := mayStillRun(err)
	rctx, cancel := c.reconcileContext(ctx, w.MerchantUID, err)
	defer cancel()
	return settleOrResend(c, rctx, w.MerchantUID, hintCVSIssue, r, err, func(ctx context.Context) (*Payment, verdict, error) {
		p, err := c.FindPayment(ctx, w.MerchantUID)
		switch {
		case err != nil && inFlight && lookupVerdict(err) == absent:
			return nil, pending, nil
		case err != nil:
			return nil, lookupVerdict(err), err
		case !p.StartedAt.Before(sentAt.Add(-clockSlack)) || p.Status == PaymentStatusPaid:
			return p, decided, nil
		case inFlight:
			return nil, pending, nil
		}
		return nil, absent, nil // only an older attempt of the order
	})
}

// RevokeCVSPayment revokes the convenience-store payment number of the
// payment impUID and returns the payment, now cancelled (DELETE
// /cvs/{imp_uid}). If the answer is lost, the payment is looked up: a
// cancelled payment is the answer; one still ready for the settle time, and
// the request is sent once more (revoking twice is refused, never applied
// twice); otherwise the outcome is an *OutcomeUnknownError.
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
	inFlight := mayStillRun(err)
	rctx, cancel := c.reconcileContext(ctx, impUID, err)
	defer cancel()
	res, err := settleOrResend(c, rctx, impUID, hintCVSRevoke, r, err, func(ctx context.Context) (*Payment, verdict, error) {
		p, err := c.GetPayment(ctx, impUID, GetPaymentParams{IncludeSandbox: true})
		switch {
		case err != nil:
			return nil, lookupFailed, err
		case p.Status == PaymentStatusCancelled:
			return p, decided, nil
		case p.Status == PaymentStatusReady && !inFlight:
			return nil, absent, nil
		}
		return nil, pending, nil
	})
	if refusedAfterLoss(err) {
		// The request sent once more was refused: if the payment is
		// revoked now, the first one was applied after the lookups looked.
		if now, lerr := c.GetPayment(rctx, impUID, GetPaymentParams{IncludeSandbox: true}); lerr == nil && now.Status == PaymentStatusCancelled {
			return now, nil
		}
	}
	return res, err
}
