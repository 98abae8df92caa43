package iamport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// VbankRequest issues a virtual account (가상계좌) the buyer pays into
// (POST /vbanks). The payment is created in status ready and becomes paid
// when the buyer deposits; iamport then sends the webhook. VbankNum,
// VbankHolder, VbankKey, BusinessRegistrationNumber, EscrowPassword and
// PGAPIKey are redacted in fmt, slog and JSON output.
type VbankRequest struct {
	ChannelKey  string    `json:"channel_key"`  // required: the channel to issue through
	MerchantUID string    `json:"merchant_uid"` // required; a merchant_uid already paid is refused
	Amount      Amount    `json:"amount"`       // required, > 0: the amount to deposit
	VbankCode   string    `json:"vbank_code"`   // required: the bank's standard code (ListBankCodes)
	VbankDue    time.Time `json:"vbank_due"`    // required: deposit deadline, sent as Unix seconds
	// VbankHolder is the account holder's name shown to the depositor
	// (required by some PGs; others use the merchant's name).
	VbankHolder string `json:"vbank_holder,omitempty" redact:"true"`
	// VbankNum is the number of a fixed virtual account agreed with the PG.
	VbankNum string `json:"vbank_num,omitempty" redact:"true"`
	// VbankKey is the key of a fixed virtual account matched to the buyer
	// (tosspayments).
	VbankKey    string `json:"vbank_key,omitempty" redact:"true"`
	ProductType string `json:"product_type,omitempty"` // "real" or "digital" (required by KSNET)
	Name        string `json:"name,omitempty"`

	BuyerName     string `json:"buyer_name,omitempty" redact:"true"`
	BuyerEmail    string `json:"buyer_email,omitempty" redact:"true"`
	BuyerTel      string `json:"buyer_tel,omitempty" redact:"true"`
	BuyerAddr     string `json:"buyer_addr,omitempty" redact:"true"`
	BuyerPostcode string `json:"buyer_postcode,omitempty" redact:"true"`
	// BusinessRegistrationNumber is the buyer's business number (nice_v2).
	BusinessRegistrationNumber string `json:"business_registration_number,omitempty" redact:"true"`

	// NoticeURL lists webhook URLs for the deposit; empty uses the console's.
	NoticeURL  []string `json:"notice_url,omitempty"`
	CustomData string   `json:"custom_data,omitempty"`
	TaxFree    *Amount  `json:"tax_free,omitempty"`
	VatAmount  *Amount  `json:"vat_amount,omitempty"`

	ProductCount        int    `json:"product_count,omitempty"`
	EscrowPassword      string `json:"escrow_password,omitempty" redact:"true"` // settle fixed-account escrow
	FixedUnlimitedVbank *bool  `json:"fixed_unlimited_vbank,omitempty"`         // settle fixed unlimited accounts

	// PGAPIKey is the INIAPI key from the KG Inicis console, which Inicis
	// requires to issue and revoke accounts; it is sent in the query.
	PGAPIKey string `json:"-" url:"pg_api_key" redact:"true"`
}

type plainVbankRequest VbankRequest

// wire is the body the SDK sends, with VbankDue as Unix seconds.
func (r *VbankRequest) wire() any {
	return struct {
		plainVbankRequest
		VbankDue int64 `json:"vbank_due"`
	}{plainVbankRequest(*r), r.VbankDue.Unix()}
}

func (r VbankRequest) redacted() *VbankRequest {
	r = redactFields(r)
	return &r
}

// Format prints r with its account data and keys redacted, for every verb.
func (r VbankRequest) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainVbankRequest(*r.redacted()))
}

// LogValue logs r with its account data and keys redacted.
func (r VbankRequest) LogValue() slog.Value { return logValueOf(r) }

// MarshalJSON encodes r with its account data and keys redacted; the SDK
// sends the real values.
func (r VbankRequest) MarshalJSON() ([]byte, error) { return json.Marshal(r.redacted().wire()) }

func (r *VbankRequest) check() error {
	for _, f := range []struct{ field, v string }{{"channel_key", r.ChannelKey}, {"vbank_code", r.VbankCode}} {
		if f.v == "" {
			return invalid(f.field, "is required")
		}
	}
	if err := checkNewMerchantUID("merchant_uid", r.MerchantUID); err != nil {
		return err
	}
	if err := checkWholeAmount("amount", r.Amount); err != nil {
		return err
	}
	if r.VbankDue.IsZero() {
		return invalid("vbank_due", "is required")
	}
	if err := checkOptAmount("tax_free", r.TaxFree); err != nil {
		return err
	}
	return checkOptAmount("vat_amount", r.VatAmount)
}

// hintVbank is how to find out whether a virtual account was issued.
const hintVbank = "look it up with FindPayment and check for a vbank payment made since the call"

// IssueVbank issues a virtual account and returns its payment, in status
// ready, with VbankNum, VbankName and VbankDate set (POST /vbanks).
//
// Like a charge, an issue first lists the order's payments (GET
// /payments/findAll/{merchant_uid}), and only one issue or charge of a
// merchant_uid runs at a time on a Client (a second one gets
// ErrChargeInFlight). The call is never sent again once it may have reached
// iamport. If its answer is lost, IssueVbank looks the order up (GET
// /payments/find/{merchant_uid}) until it shows a virtual account of
// req.Amount that was not there before the call (neither listed then nor
// an answer this Client got for the order earlier, which a lagging list may
// not show yet), started since, waiting or paid into, and returns it. An
// answer of another merchant_uid, of a payment the order had before the
// call, or in no status ready, paid or failed is settled the same way.
// Finding nothing,
// or only older or other payments of the order, proves nothing (the call
// may still be running): when the reconcile timeout ends first, IssueVbank
// returns an *OutcomeUnknownError.
//
// An answer whose payment is in status failed (the PG issued no account) is
// returned with a *DeclinedError.
func (c *Client) IssueVbank(ctx context.Context, req *VbankRequest) (*Payment, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	if err := w.check(); err != nil {
		return nil, err
	}
	r := &request{method: "POST", path: "/vbanks", query: queryOf(&w), body: &w, money: true}
	// As for a charge: one issue of an order at a time on this Client, and
	// the order's payments listed before sending, so that after a lost
	// answer only an account that was not there before counts as this
	// call's (an earlier IssueVbank of the order, answered a moment ago,
	// proves nothing about this one).
	ctx, err := c.beginOrder(ctx, r, w.MerchantUID)
	if err != nil {
		return nil, err
	}
	defer c.charging.release(w.MerchantUID)
	before, _, blind, err := c.earlierAttempts(ctx, w.MerchantUID)
	if err != nil {
		return nil, fmt.Errorf("iamport: virtual account of %s not issued: looking the order's earlier payments up: %w", w.MerchantUID, err)
	}
	sentAt, err := c.sendTime(ctx)
	if err != nil {
		return nil, err
	}
	look := func(ctx context.Context) (*Payment, verdict, error) {
		if blind {
			return nil, unprovable, errBlindSnapshot // nothing proves this call's account
		}
		p, err := c.FindPayment(ctx, w.MerchantUID)
		if err != nil {
			return nil, lookupVerdict(err), err
		}
		issued := p.Status == PaymentStatusReady || p.Status == PaymentStatusPaid
		if !before[p.ImpUID] && p.PayMethod == "vbank" && issued && p.MerchantUID == w.MerchantUID &&
			p.Amount.Cents() == w.Amount.Cents() && !p.StartedAt.Before(sentAt.Add(-clockSlack)) {
			return p, decided, nil
		}
		return nil, pending, nil // only older or other payments of the order
	}
	p, err := sendIssue(c, ctx, r, w.MerchantUID, hintVbank, look)
	if err == nil {
		if why := unissued(p, w.MerchantUID, before); why != "" {
			// An answer that does not show this call's account says
			// nothing of it: settle it as a lost answer.
			p, err = settle(c, ctx, w.MerchantUID, hintVbank, r.unfit(why), look)
		}
	}
	c.charging.remember(w.MerchantUID, p)
	if err == nil && p.Status == PaymentStatusFailed {
		// iamport answered code 0 with a payment the PG did not issue.
		return p, &DeclinedError{Payment: p}
	}
	return p, err
}

// unissued says why p, the code-0 answer of an IssueVbank of merchantUID,
// does not show the account this call issued, or returns "": p is not this
// call's (otherAnswer), or is neither ready, paid nor failed (no status,
// cancelled, one this SDK does not know).
func unissued(p *Payment, merchantUID string, before map[string]bool) string {
	if why := otherAnswer(p, merchantUID, before); why != "" {
		return why
	}
	if p.Status != PaymentStatusReady && p.Status != PaymentStatusPaid && p.Status != PaymentStatusFailed {
		return fmt.Sprintf("payment status %q is neither ready, paid nor failed", p.Status)
	}
	return ""
}

// UpdateVbankRequest changes the amount or the deadline of a virtual account
// not yet paid into (PUT /vbanks/{imp_uid}; settle only). Zero fields are
// left unchanged.
type UpdateVbankRequest struct {
	ImpUID   string    `json:"-"`                   // required; goes into the path
	Amount   Amount    `json:"amount,omitempty"`    // the new amount
	VbankDue time.Time `json:"vbank_due,omitempty"` // the new deadline, sent as Unix seconds
}

// MarshalJSON encodes r's body, with VbankDue as Unix seconds.
func (r UpdateVbankRequest) MarshalJSON() ([]byte, error) {
	var body struct {
		Amount   Amount `json:"amount,omitempty"`
		VbankDue int64  `json:"vbank_due,omitempty"`
	}
	body.Amount = r.Amount
	if !r.VbankDue.IsZero() {
		body.VbankDue = r.VbankDue.Unix()
	}
	return json.Marshal(body)
}

// UpdateVbank changes the amount or deadline of the virtual account of
// req.ImpUID while it waits for the deposit, and returns its payment (PUT
// /vbanks/{imp_uid}). Setting the same values again has the same effect, but
// like every write it is not re-sent after it may have reached iamport:
// look the payment up with GetPayment after an error.
func (c *Client) UpdateVbank(ctx context.Context, req *UpdateVbankRequest) (*Payment, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if err := checkID("imp_uid", req.ImpUID); err != nil {
		return nil, err
	}
	if err := checkNonNegative("amount", req.Amount); err != nil {
		return nil, err
	}
	var p Payment
	if err := c.call(ctx, &request{method: "PUT", path: "/vbanks/" + escape(req.ImpUID), body: req}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// RevokeVbankRequest revokes a virtual account not yet paid into (DELETE
// /vbanks/{imp_uid}), so that the buyer cannot deposit into it by mistake.
// PGAPIKey is redacted in fmt, slog and JSON output.
type RevokeVbankRequest struct {
	ImpUID string `url:"-"` // required
	// PGAPIKey is the INIAPI key KG Inicis requires (the one given to
	// IssueVbank); it is sent in the query.
	PGAPIKey string `url:"pg_api_key" redact:"true"`
}

type plainRevokeVbankRequest RevokeVbankRequest // same fields, no methods

// Format prints r with PGAPIKey redacted, for every verb.
func (r RevokeVbankRequest) Format(f fmt.State, verb rune) {
	formatRedacted[RevokeVbankRequest](f, verb, plainRevokeVbankRequest(r))
}

// LogValue logs r with PGAPIKey redacted.
func (r RevokeVbankRequest) LogValue() slog.Value {
	return logValueRedacted(plainRevokeVbankRequest(r))
}

// MarshalJSON encodes r with PGAPIKey redacted.
func (r RevokeVbankRequest) MarshalJSON() ([]byte, error) {
	return redactedJSON(plainRevokeVbankRequest(r))
}

// RevokeVbank revokes the virtual account of req.ImpUID and returns its
// payment, now cancelled (DELETE /vbanks/{imp_uid}). An account already paid
// into is refused (HTTP 400): cancel the payment with CancelPayment instead.
// An answer that shows the payment paid is returned with an error matching
// ErrVbankPaid, never as a revoke.
func (c *Client) RevokeVbank(ctx context.Context, req *RevokeVbankRequest) (*Payment, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if err := checkID("imp_uid", req.ImpUID); err != nil {
		return nil, err
	}
	var p Payment
	if err := c.call(ctx, &request{method: "DELETE", path: "/vbanks/" + escape(req.ImpUID), query: queryOf(req)}, &p); err != nil {
		return nil, err
	}
	if p.Status == PaymentStatusPaid {
		// The buyer paid in before the revoke applied: the account stays
		// paid, and the money is there.
		return &p, fmt.Errorf("iamport: DELETE /vbanks/%s: the payment is paid, not revoked: %w", req.ImpUID, ErrVbankPaid)
	}
	return &p, nil
}

// ErrVbankPaid matches the error of RevokeVbank when iamport's answer shows
// the payment paid: the buyer paid into the account before the revoke
// applied, so nothing was revoked. Refund it with CancelPayment.
var ErrVbankPaid = errors.New("iamport: virtual account paid into")

// VbankHolderRequest asks for the holder of a bank account (GET
// /vbanks/holder), to check a refund account before a virtual-account
// refund. BankNum is redacted in fmt, slog and JSON output.
type VbankHolderRequest struct {
	BankCode string `url:"bank_code"`              // required: the bank's standard code
	BankNum  string `url:"bank_num" redact:"true"` // required: the account number, digits only
}

type plainVbankHolderRequest VbankHolderRequest // same fields, no methods

// Format prints r with the account number redacted, for every verb.
func (r VbankHolderRequest) Format(f fmt.State, verb rune) {
	formatRedacted[VbankHolderRequest](f, verb, plainVbankHolderRequest(r))
}

// LogValue logs r with the account number redacted.
func (r VbankHolderRequest) LogValue() slog.Value {
	return logValueRedacted(plainVbankHolderRequest(r))
}

// MarshalJSON encodes r with the account number redacted.
func (r VbankHolderRequest) MarshalJSON() ([]byte, error) {
	return redactedJSON(plainVbankHolderRequest(r))
}

// VbankHolder is the holder of a bank account (VbankHolderAnnotation).
// BankHolder is redacted in fmt, slog and JSON output.
type VbankHolder struct {
	BankHolder string `json:"bank_holder" redact:"true"`
}

type plainVbankHolder VbankHolder // same fields, no methods

// Format prints h with the holder's name redacted, for every verb.
func (h VbankHolder) Format(f fmt.State, verb rune) {
	formatRedacted[VbankHolder](f, verb, plainVbankHolder(h))
}

// LogValue logs h with the holder's name redacted.
func (h VbankHolder) LogValue() slog.Value { return logValueRedacted(plainVbankHolder(h)) }

// MarshalJSON encodes h with the holder's name redacted.
func (h VbankHolder) MarshalJSON() ([]byte, error) { return redactedJSON(plainVbankHolder(h)) }

// GetVbankHolder returns the name of the holder of an account (GET
// /vbanks/holder?bank_code=&bank_num=), so that a refund account can be
// checked before it is used. An account the bank does not know gives an
// *APIError.
func (c *Client) GetVbankHolder(ctx context.Context, req *VbankHolderRequest) (*VbankHolder, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if req.BankCode == "" {
		return nil, invalid("bank_code", "is required")
	}
	if req.BankNum == "" {
		return nil, invalid("bank_num", "is required")
	}
	var h VbankHolder
	if err := c.call(ctx, &request{method: "GET", path: "/vbanks/holder", query: queryOf(req)}, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

type plainPayment Payment

// Format prints p with the buyer's name, e-mail, telephone, address and
// postcode, the virtual account's number and holder, and the names of the people who paid
// into it, redacted, for every verb. Read the fields directly (p.VbankNum to
// show the account to the buyer); its JSON form (for your own API) keeps
// them.
func (p Payment) Format(f fmt.State, verb rune) {
	for _, s := range []*string{&p.VbankNum, &p.VbankHolder, &p.BuyerName, &p.BuyerEmail, &p.BuyerTel, &p.BuyerAddr, &p.BuyerPostcode} {
		redactString(s)
	}
	formatPlain(f, verb, plainPayment(p)) // each Deposit redacts its own
}

// LogValue logs p with the buyer's contact data, the virtual account's
// number and holder, and the names of its depositors, redacted.
func (p Payment) LogValue() slog.Value { return logValueOf(p) }

type plainDeposit Deposit // same fields, no methods

// Format prints d with the depositor's name redacted, for every verb. Its
// JSON form keeps it, as iamport sent it.
func (d Deposit) Format(f fmt.State, verb rune) {
	redactString(&d.DepositorName)
	formatPlain(f, verb, plainDeposit(d))
}

// LogValue logs d with the depositor's name redacted.
func (d Deposit) LogValue() slog.Value { return logValueOf(d) }
