package iamport

import (
	"context"
	"strconv"
)

// PGSetting is one PG account (MID) configured in the iamport console
// (PgSettingAnnotation).
type PGSetting struct {
	PGProvider string `json:"pg_provider"` // e.g. "html5_inicis"
	PGID       string `json:"pg_id"`       // the MID
	Sandbox    bool   `json:"sandbox"`     // a test channel
	// Type is "payment" (browser payments) or "api_payment" (key-in and
	// billing payments); an open set.
	Type        string `json:"type"`
	ChannelName string `json:"channel_name"`
	ChannelKey  string `json:"channel_key"`
}

// ListPGSettings returns the PG accounts configured in the console (GET
// /users/pg).
func (c *Client) ListPGSettings(ctx context.Context) ([]PGSetting, error) {
	var list []PGSetting
	if err := c.call(ctx, &request{method: "GET", path: "/users/pg"}, &list); err != nil {
		return nil, err
	}
	return list, nil
}

// Tier is a sub-merchant of an agency account (TierAnnotation).
type Tier struct {
	TierCode string `json:"tier_code"` // three upper-case letters or digits
	TierName string `json:"tier_name"`
}

// GetTier returns the sub-merchant tierCode (GET /tiers/{tier_code}). An
// unknown or deleted tier gives an error matching ErrNotFound. To act for a
// sub-merchant, build a Client with WithTier.
func (c *Client) GetTier(ctx context.Context, tierCode string) (*Tier, error) {
	if err := checkID("tier_code", tierCode); err != nil {
		return nil, err
	}
	var t Tier
	if err := c.call(ctx, &request{method: "GET", path: "/tiers/" + escape(tierCode)}, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// PartnerReceipt is one sub-merchant's share of a payment, shown on its
// sales slip (PartnerReceiptsAnnotation).
type PartnerReceipt struct {
	// BusinessRegistrationNumber is the sub-merchant's, with dashes.
	BusinessRegistrationNumber string  `json:"business_registration_number"` // required
	CompanyName                string  `json:"company_name"`                 // required
	Amount                     Amount  `json:"amount"`                       // required, > 0
	TaxFree                    *Amount `json:"tax_free,omitempty"`           // default 0
	VatAmount                  *Amount `json:"vat_amount,omitempty"`         // default Amount/11
}

// PartnerReceiptResult is the sales slip with the sub-merchants' shares
// (PartnerReceiptResultAnnotation).
type PartnerReceiptResult struct {
	ReceiptURL string `json:"receipt_url"`
}

// RegisterPartnerReceipts registers on the sales slip of the payment impUID
// the sub-merchants that share it (POST /partners/receipts/{imp_uid}; KG
// Inicis).
func (c *Client) RegisterPartnerReceipts(ctx context.Context, impUID string, data []PartnerReceipt) (*PartnerReceiptResult, error) {
	if err := checkID("imp_uid", impUID); err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, invalid("data", "at least one sub-merchant is required")
	}
	for i, d := range data {
		p := "data[" + strconv.Itoa(i) + "]."
		switch {
		case d.BusinessRegistrationNumber == "":
			return nil, invalid(p+"business_registration_number", "is required")
		case d.CompanyName == "":
			return nil, invalid(p+"company_name", "is required")
		}
		if err := checkAmount(p+"amount", d.Amount); err != nil {
			return nil, err
		}
		if err := checkOptAmount(p+"tax_free", d.TaxFree); err != nil {
			return nil, err
		}
		if err := checkOptAmount(p+"vat_amount", d.VatAmount); err != nil {
			return nil, err
		}
	}
	body := struct {
		Data []PartnerReceipt `json:"data"`
	}{data}
	var res PartnerReceiptResult
	if err := c.call(ctx, &request{method: "POST", path: "/partners/receipts/" + escape(impUID), body: &body}, &res); err != nil {
		return nil, err
	}
	return &res, nil
}
