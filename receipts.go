package iamport

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// ReceiptType says what a cash receipt (현금영수증) is for. It is an open
// set: values the API adds decode without error.
type ReceiptType string

// The receipt types.
const (
	ReceiptTypePerson  ReceiptType = "person"  // 소득공제용, for a person's income deduction (the default)
	ReceiptTypeCompany ReceiptType = "company" // 지출증빙용, for a business's expense proof
)

// IdentifierType says what a cash receipt's Identifier is.
type IdentifierType string

// The identifier types (required by KICC and settle; other PGs infer it).
const (
	IdentifierPerson   IdentifierType = "person"   // resident registration number
	IdentifierBusiness IdentifierType = "business" // business registration number
	IdentifierPhone    IdentifierType = "phone"    // mobile phone number
	IdentifierTaxcard  IdentifierType = "taxcard"  // the National Tax Service cash receipt card
)

// Receipt is a cash receipt issued for a payment (ReceiptAnnotation).
type Receipt struct {
	ImpUID      string      `json:"imp_uid"`
	ReceiptTID  string      `json:"receipt_tid"` // the PG's ID of the receipt
	ApplyNum    string      `json:"apply_num"`   // the National Tax Service's approval number
	Type        ReceiptType `json:"type"`
	Amount      Amount      `json:"amount"`
	Vat         Amount      `json:"vat"`
	ReceiptURL  string      `json:"receipt_url"`
	AppliedAt   Time        `json:"applied_at"`
	CancelledAt Time        `json:"cancelled_at"` // zero unless the receipt was cancelled
}

// ExternalReceipt is a cash receipt issued through iamport for a cash sale
// made outside it (ExternalReceiptAnnotation).
type ExternalReceipt struct {
	MerchantUID string      `json:"merchant_uid"`
	ReceiptTID  string      `json:"receipt_tid"`
	ApplyNum    string      `json:"apply_num"`
	Type        ReceiptType `json:"type"`
	Amount      Amount      `json:"amount"`
	Vat         Amount      `json:"vat"`
	ReceiptURL  string      `json:"receipt_url"`
	AppliedAt   Time        `json:"applied_at"`
	CancelledAt Time        `json:"cancelled_at"`
}

// ReceiptRequest issues a cash receipt for a cash payment (virtual account
// or bank transfer) made through iamport (POST /receipts/{imp_uid}). The
// receipt's amount is the payment's remaining balance. Identifier,
// CorpRegNo, BuyerName, BuyerEmail and BuyerTel are redacted in fmt, slog
// and JSON output.
type ReceiptRequest struct {
	ImpUID string `json:"-"` // required; goes into the path
	// Identifier is who the receipt is for: a cash receipt card, phone,
	// resident or business registration number. Required.
	Identifier     string         `json:"identifier" redact:"true"`
	IdentifierType IdentifierType `json:"identifier_type,omitempty"`
	Type           ReceiptType    `json:"type,omitempty"`         // default person
	ProductType    string         `json:"product_type,omitempty"` // "real" or "digital" (KSNET)

	CompanyTel  string `json:"company_tel,omitempty" redact:"true"` // the shop's service number (kiwoompay)
	CompanyName string `json:"company_name,omitempty"`              // the shop's business name (kiwoompay)
	CorpRegNo   string `json:"corp_reg_no,omitempty" redact:"true"` // the shop's business number (kiwoompay, welcome)

	BuyerName  string `json:"buyer_name,omitempty" redact:"true"`
	BuyerEmail string `json:"buyer_email,omitempty" redact:"true"`
	BuyerTel   string `json:"buyer_tel,omitempty" redact:"true"`

	TaxFree   *Amount `json:"tax_free,omitempty"`
	VatAmount *Amount `json:"vat_amount,omitempty"`
	// Deprecated: use TaxFree; the API computes the VAT.
	Vat *Amount `json:"vat,omitempty"`
}

type plainReceiptRequest ReceiptRequest

func (r ReceiptRequest) redacted() plainReceiptRequest {
	r = redactFields(r)
	return plainReceiptRequest(r)
}

// Format prints r with the identity data redacted, for every verb.
func (r ReceiptRequest) Format(f fmt.State, verb rune) { formatPlain(f, verb, r.redacted()) }

// LogValue logs r with the identity data redacted.
func (r ReceiptRequest) LogValue() slog.Value { return logValueOf(r) }

// MarshalJSON encodes r with the identity data redacted; the SDK sends the
// real values.
func (r ReceiptRequest) MarshalJSON() ([]byte, error) { return json.Marshal(r.redacted()) }

func (r ReceiptRequest) wire() any { return plainReceiptRequest(r) }

// ExternalReceiptRequest issues a cash receipt for a cash sale made outside
// iamport (POST /receipts/external/{merchant_uid}). Identifier, CorpRegNo,
// BuyerName, BuyerEmail and BuyerTel are redacted in fmt, slog and JSON
// output.
type ExternalReceiptRequest struct {
	// MerchantUID is the sale's order number (required; goes into the
	// path): use the cash sale's own, so the two can be matched later.
	MerchantUID    string         `json:"-"`
	ChannelKey     string         `json:"channel_key"`              // required
	Name           string         `json:"name"`                     // required: the order name
	Amount         Amount         `json:"amount"`                   // required, > 0
	Identifier     string         `json:"identifier" redact:"true"` // required; see ReceiptRequest.Identifier
	IdentifierType IdentifierType `json:"identifier_type,omitempty"`
	Type           ReceiptType    `json:"type,omitempty"`
	ProductType    string         `json:"product_type,omitempty"`
	PayMethod      string         `json:"pay_method,omitempty"` // "trans" or "vbank" (welcome)
	CorpRegNo      string         `json:"corp_reg_no,omitempty" redact:"true"`

	BuyerName  string `json:"buyer_name,omitempty" redact:"true"`
	BuyerEmail string `json:"buyer_email,omitempty" redact:"true"`
	BuyerTel   string `json:"buyer_tel,omitempty" redact:"true"`

	TaxFree   *Amount `json:"tax_free,omitempty"`
	VatAmount *Amount `json:"vat_amount,omitempty"`
}

type plainExternalReceiptRequest ExternalReceiptRequest

func (r ExternalReceiptRequest) redacted() plainExternalReceiptRequest {
	r = redactFields(r)
	return plainExternalReceiptRequest(r)
}

// Format prints r with the identity data redacted, for every verb.
func (r ExternalReceiptRequest) Format(f fmt.State, verb rune) { formatPlain(f, verb, r.redacted()) }

// LogValue logs r with the identity data redacted.
func (r ExternalReceiptRequest) LogValue() slog.Value { return logValueOf(r) }

// MarshalJSON encodes r with the identity data redacted; the SDK sends the
// real values.
func (r ExternalReceiptRequest) MarshalJSON() ([]byte, error) { return json.Marshal(r.redacted()) }

func (r ExternalReceiptRequest) wire() any { return plainExternalReceiptRequest(r) }

// How to find out the outcome of a receipt call.
const (
	hintReceipt         = "look the receipt up with GetReceipt"
	hintExternalReceipt = "look the receipt up with GetExternalReceipt"
)

// GetReceipt returns the cash receipt issued for the payment impUID (GET
// /receipts/{imp_uid}). A payment without one gives an error matching
// ErrNotFound.
func (c *Client) GetReceipt(ctx context.Context, impUID string) (*Receipt, error) {
	if err := checkID("imp_uid", impUID); err != nil {
		return nil, err
	}
	var rc Receipt
	if err := c.call(ctx, &request{method: "GET", path: "/receipts/" + escape(impUID)}, &rc); err != nil {
		return nil, err
	}
	return &rc, nil
}

// IssueReceipt issues a cash receipt for the cash payment req.ImpUID (POST
// /receipts/{imp_uid}). iamport refuses a payment that is not paid or
// already has a receipt (HTTP 400).
//
// The call is never sent again once it may have reached iamport. If its
// answer is lost, IssueReceipt looks the receipt up (GET
// /receipts/{imp_uid}) until it shows one of req's type applied since the
// call and not cancelled, and returns it. Finding none, or only an older,
// cancelled or other-type one, proves nothing (the call may still be running): when the reconcile
// timeout ends first, IssueReceipt returns an *OutcomeUnknownError.
func (c *Client) IssueReceipt(ctx context.Context, req *ReceiptRequest) (*Receipt, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if err := checkID("imp_uid", req.ImpUID); err != nil {
		return nil, err
	}
	if req.Identifier == "" {
		return nil, invalid("identifier", "is required")
	}
	for _, f := range []struct {
		field string
		v     *Amount
	}{{"tax_free", req.TaxFree}, {"vat_amount", req.VatAmount}, {"vat", req.Vat}} {
		if err := checkOptAmount(f.field, f.v); err != nil {
			return nil, err
		}
	}
	r := &request{method: "POST", path: "/receipts/" + escape(req.ImpUID), body: req, money: true}
	sentAt, err := c.sendTime(ctx)
	if err != nil {
		return nil, err
	}
	return sendIssue(c, ctx, r, req.ImpUID, hintReceipt, func(ctx context.Context) (*Receipt, verdict, error) {
		rc, err := c.GetReceipt(ctx, req.ImpUID)
		return issuedVerdict(rc, err, func() bool {
			return issuedSince(rc.AppliedAt, rc.CancelledAt, sentAt) && sameReceiptType(req.Type, rc.Type)
		})
	})
}

// CancelReceipt cancels the cash receipt issued through iamport for the
// payment impUID and returns it, with CancelledAt set (DELETE
// /receipts/{imp_uid}).
//
// The call is never sent again once it may have reached iamport. If its
// answer is lost, CancelReceipt looks the receipt up until it shows the
// receipt cancelled, and returns it. A receipt still live proves nothing
// (the call may still be running): when the reconcile timeout ends first,
// CancelReceipt returns an *OutcomeUnknownError.
func (c *Client) CancelReceipt(ctx context.Context, impUID string) (*Receipt, error) {
	if err := checkID("imp_uid", impUID); err != nil {
		return nil, err
	}
	r := &request{method: "DELETE", path: "/receipts/" + escape(impUID), money: true}
	return sendIssue(c, ctx, r, impUID, hintReceipt, func(ctx context.Context) (*Receipt, verdict, error) {
		rc, err := c.GetReceipt(ctx, impUID)
		return cancelledVerdict(rc, err, func() bool { return !rc.CancelledAt.IsZero() })
	})
}

// GetExternalReceipt returns the cash receipt issued for the outside sale
// merchantUID (GET /receipts/external/{merchant_uid}). An order without one
// gives an error matching ErrNotFound.
func (c *Client) GetExternalReceipt(ctx context.Context, merchantUID string) (*ExternalReceipt, error) {
	if err := checkID("merchant_uid", merchantUID); err != nil {
		return nil, err
	}
	var rc ExternalReceipt
	if err := c.call(ctx, &request{method: "GET", path: "/receipts/external/" + escape(merchantUID)}, &rc); err != nil {
		return nil, err
	}
	return &rc, nil
}

// IssueExternalReceipt issues a cash receipt for a cash sale made outside
// iamport (POST /receipts/external/{merchant_uid}). iamport refuses a
// merchant_uid that already has one (HTTP 400).
//
// The call is never sent again once it may have reached iamport. If its
// answer is lost, IssueExternalReceipt looks the receipt up (GET
// /receipts/external/{merchant_uid}) as IssueReceipt does, and returns an
// *OutcomeUnknownError when the reconcile timeout ends before it shows one
// of req's type and req.Amount applied since the call and not cancelled.
func (c *Client) IssueExternalReceipt(ctx context.Context, req *ExternalReceiptRequest) (*ExternalReceipt, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if err := checkNewMerchantUID("merchant_uid", req.MerchantUID); err != nil {
		return nil, err
	}
	for _, f := range []struct{ field, v string }{{"channel_key", req.ChannelKey}, {"name", req.Name}, {"identifier", req.Identifier}} {
		if f.v == "" {
			return nil, invalid(f.field, "is required")
		}
	}
	if err := checkWholeAmount("amount", req.Amount); err != nil {
		return nil, err
	}
	if err := checkOptAmount("tax_free", req.TaxFree); err != nil {
		return nil, err
	}
	if err := checkOptAmount("vat_amount", req.VatAmount); err != nil {
		return nil, err
	}
	r := &request{method: "POST", path: "/receipts/external/" + escape(req.MerchantUID), body: req, money: true}
	sentAt, err := c.sendTime(ctx)
	if err != nil {
		return nil, err
	}
	return sendIssue(c, ctx, r, req.MerchantUID, hintExternalReceipt, func(ctx context.Context) (*ExternalReceipt, verdict, error) {
		rc, err := c.GetExternalReceipt(ctx, req.MerchantUID)
		return issuedVerdict(rc, err, func() bool {
			return issuedSince(rc.AppliedAt, rc.CancelledAt, sentAt) && sameReceiptType(req.Type, rc.Type) &&
				rc.Amount.Cents() == req.Amount.Cents()
		})
	})
}

// CancelExternalReceipt cancels the cash receipt of the outside sale
// merchantUID and returns it, with CancelledAt set (DELETE
// /receipts/external/{merchant_uid}). It is never sent again once it may
// have reached iamport: a lost answer is looked up as for CancelReceipt, and
// an *OutcomeUnknownError returned when the reconcile timeout ends before
// the receipt shows cancelled.
func (c *Client) CancelExternalReceipt(ctx context.Context, merchantUID string) (*ExternalReceipt, error) {
	if err := checkID("merchant_uid", merchantUID); err != nil {
		return nil, err
	}
	r := &request{method: "DELETE", path: "/receipts/external/" + escape(merchantUID), money: true}
	return sendIssue(c, ctx, r, merchantUID, hintExternalReceipt, func(ctx context.Context) (*ExternalReceipt, verdict, error) {
		rc, err := c.GetExternalReceipt(ctx, merchantUID)
		return cancelledVerdict(rc, err, func() bool { return !rc.CancelledAt.IsZero() })
	})
}

// issuedVerdict classifies a receipt lookup after a lost issue: a receipt
// that is the call's (live) decides; none yet, or only one cancelled or
// applied before the call, proves nothing.
func issuedVerdict[T any](rc *T, err error, live func() bool) (*T, verdict, error) {
	if err != nil {
		return nil, lookupVerdict(err), err
	}
	if live() {
		return rc, decided, nil
	}
	return nil, pending, nil // only a receipt cancelled or applied before
}

// issuedSince reports whether a receipt applied at applied and cancelled at
// cancelled is live and was applied since sentAt: iamport refuses a second
// receipt, so an older live one means this call was refused or is still
// running, not that it issued it.
func issuedSince(applied, cancelled Time, sentAt time.Time) bool {
	return cancelled.IsZero() && !applied.Before(sentAt.Add(-clockSlack))
}

// sameReceiptType reports whether a receipt of type got may be the one a
// request for type want issued: want "" is iamport's default, person; a
// receipt that does not say its type may be either. A receipt of the other
// type was issued by another call.
func sameReceiptType(want, got ReceiptType) bool {
	if want == "" {
		want = ReceiptTypePerson
	}
	return got == "" || got == want
}

// cancelledVerdict classifies a receipt lookup after a lost cancel: a
// cancelled receipt shows it applied; a live one that it has not (yet).
func cancelledVerdict[T any](rc *T, err error, cancelled func() bool) (*T, verdict, error) {
	if err != nil {
		// Not found included: a receipt that was issued does not vanish.
		return nil, lookupFailed, err
	}
	if cancelled() {
		return rc, decided, nil
	}
	return nil, pending, nil
}
