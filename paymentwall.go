package iamport

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// PaymentwallDeliveryRequest registers the delivery of a Paymentwall payment
// (POST /paymentwall/delivery). The shipping address fields are personal
// data: they are redacted in fmt and slog output.
type PaymentwallDeliveryRequest struct {
	ImpUID      string `json:"imp_uid"`      // required
	MerchantUID string `json:"merchant_uid"` // required
	Type        string `json:"type"`         // required: "physical" or "digital"
	// Status is required: order_placed, order_shipped, delivering or
	// delivered.
	Status string `json:"status"`
	// CarrierTrackingID and CarrierType are required for physical goods.
	CarrierTrackingID         string `json:"carrier_tracking_id,omitempty"`
	CarrierType               string `json:"carrier_type,omitempty"`
	EstimatedDeliveryDatetime Time   `json:"estimated_delivery_datetime"` // required
	EstimatedUpdateDatetime   Time   `json:"estimated_update_datetime"`   // required
	Reason                    string `json:"reason,omitempty"`
	Refundable                string `json:"refundable"` // required: "yes" or "no"
	Details                   string `json:"details,omitempty"`
	ShippingAddressEmail      string `json:"shipping_address_email" redact:"true"` // required
	// The rest of the shipping address is required for physical goods.
	// ShippingAddressState is "N/A" outside the United States.
	ShippingAddressCountry   string `json:"shipping_address_country,omitempty" redact:"true"`
	ShippingAddressCity      string `json:"shipping_address_city,omitempty" redact:"true"`
	ShippingAddressZip       string `json:"shipping_address_zip,omitempty" redact:"true"`
	ShippingAddressState     string `json:"shipping_address_state,omitempty" redact:"true"`
	ShippingAddressStreet    string `json:"shipping_address_street,omitempty" redact:"true"`
	ShippingAddressPhone     string `json:"shipping_address_phone,omitempty" redact:"true"`
	ShippingAddressFirstname string `json:"shipping_address_firstname,omitempty" redact:"true"`
	ShippingAddressLastname  string `json:"shipping_address_lastname,omitempty" redact:"true"`
}

type paymentwallDeliveryRequestFields PaymentwallDeliveryRequest // same fields, no methods

// MarshalJSON encodes r with the shipping address redacted.
func (r PaymentwallDeliveryRequest) MarshalJSON() ([]byte, error) {
	return redactedJSON(paymentwallDeliveryRequestFields(r))
}

// Format prints r with the shipping address redacted, for every verb.
func (r PaymentwallDeliveryRequest) Format(f fmt.State, verb rune) {
	formatRedacted[PaymentwallDeliveryRequest](f, verb, paymentwallDeliveryRequestFields(r))
}

// LogValue logs r with the shipping address redacted.
func (r PaymentwallDeliveryRequest) LogValue() slog.Value {
	return logValueRedacted(paymentwallDeliveryRequestFields(r))
}

func (r PaymentwallDeliveryRequest) wire() any { return paymentwallDeliveryRequestFields(r) }

func (r *PaymentwallDeliveryRequest) check() error {
	if err := checkID("imp_uid", r.ImpUID); err != nil {
		return err
	}
	if err := checkID("merchant_uid", r.MerchantUID); err != nil {
		return err
	}
	for _, f := range [][2]string{{"type", r.Type}, {"status", r.Status}, {"refundable", r.Refundable},
		{"shipping_address_email", r.ShippingAddressEmail}} {
		if err := requireField(f[0], f[1]); err != nil {
			return err
		}
	}
	if r.EstimatedDeliveryDatetime.IsZero() {
		return invalid("estimated_delivery_datetime", "is required")
	}
	if r.EstimatedUpdateDatetime.IsZero() {
		return invalid("estimated_update_datetime", "is required")
	}
	return nil
}

// PaymentwallDelivery is Paymentwall's answer to a delivery registration
// (PaymentwallDeliveryDetailAnnotation): empty on success.
type PaymentwallDelivery struct {
	ErrorCode LenientInt `json:"error_code"`
	Error     string     `json:"error"`
	Notices   []string   `json:"notices"`
}

// RegisterPaymentwallDelivery registers the delivery of a Paymentwall payment
// (POST /paymentwall/delivery). When Paymentwall refuses it, the answer is
// returned together with an *APIError carrying Paymentwall's error code,
// error and notices.
func (c *Client) RegisterPaymentwallDelivery(ctx context.Context, req *PaymentwallDeliveryRequest) (*PaymentwallDelivery, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	if err := w.check(); err != nil {
		return nil, err
	}
	r := &request{method: "POST", path: "/paymentwall/delivery", body: &w}
	var out PaymentwallDelivery
	if err := c.call(ctx, r, &out); err != nil {
		return nil, err
	}
	if out.ErrorCode != 0 || out.Error != "" {
		msg := strings.TrimSpace(out.Error + " " + strings.Join(out.Notices, "; "))
		return &out, &APIError{StatusCode: 200, Code: int(out.ErrorCode), Message: "Paymentwall refused the delivery: " + msg,
			Method: r.method, Path: r.path}
	}
	return &out, nil
}
