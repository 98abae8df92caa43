package iamport

import (
	"context"
	"fmt"
	"log/slog"
)

// Benepia (베네피아) is a corporate welfare point service: employees pay with
// the points of their Benepia account.

// BenepiaPointRequest looks up the points of a Benepia account (POST
// /benepia/point). BenepiaPassword is a secret: it is redacted in fmt and
// slog output.
type BenepiaPointRequest struct {
	BenepiaUser     string `json:"benepia_user"`                   // required: the account ID
	BenepiaPassword string `json:"benepia_password" redact:"true"` // required: the account password
	ChannelKey      string `json:"channel_key"`                    // required
}

type benepiaPointRequestFields BenepiaPointRequest // same fields, no methods

// MarshalJSON encodes r with the password redacted.
func (r BenepiaPointRequest) MarshalJSON() ([]byte, error) {
	return redactedJSON(benepiaPointRequestFields(r))
}

// Format prints r with the password redacted, for every verb.
func (r BenepiaPointRequest) Format(f fmt.State, verb rune) {
	formatRedacted[BenepiaPointRequest](f, verb, benepiaPointRequestFields(r))
}

// LogValue logs r with the password redacted.
func (r BenepiaPointRequest) LogValue() slog.Value {
	return logValueRedacted(benepiaPointRequestFields(r))
}

func (r BenepiaPointRequest) wire() any { return benepiaPointRequestFields(r) }

// BenepiaPoint is the balance of a Benepia account (BenepiaPointAnnotation).
type BenepiaPoint struct {
	Point Amount `json:"point"`
}

func checkBenepiaAccount(user, password, channelKey string) error {
	for _, f := range [][2]string{{"benepia_user", user}, {"benepia_password", password}, {"channel_key", channelKey}} {
		if err := requireField(f[0], f[1]); err != nil {
			return err
		}
	}
	return nil
}

// GetBenepiaPoint returns the points of a Benepia account (POST
// /benepia/point). The call reads only, but it is a POST: like every POST it
// is never re-sent after it may have reached iamport.
func (c *Client) GetBenepiaPoint(ctx context.Context, req *BenepiaPointRequest) (*BenepiaPoint, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	if err := checkBenepiaAccount(w.BenepiaUser, w.BenepiaPassword, w.ChannelKey); err != nil {
		return nil, err
	}
	var p BenepiaPoint
	if err := c.call(ctx, &request{method: "POST", path: "/benepia/point", body: &w}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// BenepiaPaymentRequest pays with Benepia points (POST /benepia/payment).
// BenepiaPassword is a secret and the buyer fields are personal data: they
// are redacted in fmt and slog output.
type BenepiaPaymentRequest struct {
	BenepiaUser     string `json:"benepia_user"`                   // required
	BenepiaPassword string `json:"benepia_password" redact:"true"` // required
	// BenepiaMemberCode is the member company code Benepia assigned; without
	// it the payment is a test payment.
	BenepiaMemberCode string   `json:"benepia_member_code,omitempty"`
	MerchantUID       string   `json:"merchant_uid"` // required
	Amount            Amount   `json:"amount"`       // required, > 0, whole (KRW)
	Name              string   `json:"name"`         // required: order name
	BuyerName         string   `json:"buyer_name,omitempty" redact:"true"`
	BuyerEmail        string   `json:"buyer_email,omitempty" redact:"true"`
	BuyerTel          string   `json:"buyer_tel,omitempty" redact:"true"`
	BuyerAddr         string   `json:"buyer_addr,omitempty" redact:"true"`
	BuyerPostcode     string   `json:"buyer_postcode,omitempty" redact:"true"`
	ChannelKey        string   `json:"channel_key"`          // required
	NoticeURL         []string `json:"notice_url,omitempty"` // webhook URLs for this payment
	CustomData        string   `json:"custom_data,omitempty"`
}

type benepiaPaymentRequestFields BenepiaPaymentRequest // same fields, no methods

// MarshalJSON encodes r with the password and buyer redacted.
func (r BenepiaPaymentRequest) MarshalJSON() ([]byte, error) {
	return redactedJSON(benepiaPaymentRequestFields(r))
}

// Format prints r with the password and buyer redacted, for every verb.
func (r BenepiaPaymentRequest) Format(f fmt.State, verb rune) {
	formatRedacted[BenepiaPaymentRequest](f, verb, benepiaPaymentRequestFields(r))
}

// LogValue logs r with the password and buyer redacted.
func (r BenepiaPaymentRequest) LogValue() slog.Value {
	return logValueRedacted(benepiaPaymentRequestFields(r))
}

func (r BenepiaPaymentRequest) wire() any { return benepiaPaymentRequestFields(r) }

// PayBenepia pays with Benepia points (POST /benepia/payment). It settles
// like Onetime: a nil error means the payment is paid, a refusal with the
// failed Payment is a *DeclinedError; a lost answer is never sent again but
// settled by listing the order's attempts (an *OutcomeUnknownError if none
// proves the outcome before the reconcile timeout). A second concurrent
// payment of one MerchantUID on one Client is refused with
// ErrChargeInFlight.
func (c *Client) PayBenepia(ctx context.Context, req *BenepiaPaymentRequest) (*Payment, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	if err := checkBenepiaAccount(w.BenepiaUser, w.BenepiaPassword, w.ChannelKey); err != nil {
		return nil, err
	}
	if err := checkNewMerchantUID("merchant_uid", w.MerchantUID); err != nil {
		return nil, err
	}
	if err := requireField("name", w.Name); err != nil {
		return nil, err
	}
	if err := checkKRWAmount("amount", w.Amount); err != nil {
		return nil, err
	}
	o := &chargeOrder{merchantUID: w.MerchantUID, amount: &w.Amount}
	return c.charge(ctx, o, &request{method: "POST", path: "/benepia/payment", body: &w, money: true})
}
