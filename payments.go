package iamport

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
)

// GetPaymentParams holds the optional query parameters of GetPayment.
type GetPaymentParams struct {
	// IncludeSandbox also returns payments made on a test channel, which the
	// API hides by default. Check Payment.Sandbox before you fulfil an order.
	IncludeSandbox bool
	// Extension asks the PGs that support it for their extra data
	// (Payment.Extension).
	Extension bool
}

// GetPayment returns the payment with iamport's ID impUID (GET
// /payments/{imp_uid}). At most one params may be given. An unknown impUID,
// or a test-channel payment without IncludeSandbox, gives an error matching
// ErrNotFound.
func (c *Client) GetPayment(ctx context.Context, impUID string, params ...GetPaymentParams) (*Payment, error) {
	if err := checkID("imp_uid", impUID, maxImpUID); err != nil {
		return nil, err
	}
	if len(params) > 1 {
		return nil, invalid("params", "at most one GetPaymentParams may be given")
	}
	var q url.Values
	if len(params) == 1 {
		q = url.Values{}
		if params[0].IncludeSandbox {
			q.Set("include_sandbox", "true")
		}
		if params[0].Extension {
			q.Set("extension", "true")
		}
	}
	var p Payment
	if err := c.call(ctx, &request{method: "GET", path: "/payments/" + escape(impUID), query: q}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Sorting orders payments found by merchant_uid or listed by status. A
// leading "-" means descending.
type Sorting string

// The orders the API supports.
const (
	SortStartedDesc Sorting = "-started" // newest request first (the default)
	SortStartedAsc  Sorting = "started"
	SortPaidDesc    Sorting = "-paid"
	SortPaidAsc     Sorting = "paid"
	SortUpdatedDesc Sorting = "-updated"
	SortUpdatedAsc  Sorting = "updated"
)

func (s Sorting) check(field string) error {
	switch s {
	case "", SortStartedDesc, SortStartedAsc, SortPaidDesc, SortPaidAsc, SortUpdatedDesc, SortUpdatedAsc:
		return nil
	}
	return invalid(field, "must be one of -started, started, -paid, paid, -updated, updated")
}

// FindPaymentParams narrows FindPayment.
type FindPaymentParams struct {
	// Status, if set, returns the latest payment of the order in that status.
	Status PaymentStatus
	// Sorting picks which payment comes first when several share the
	// merchant_uid (default SortStartedDesc).
	Sorting Sorting
}

// FindPayment returns a payment by the merchant's order ID (GET
// /payments/find/{merchant_uid}[/{payment_status}]). Several payments may
// share a merchant_uid (a declined attempt and its successful retry); this
// returns the first by params' Sorting, newest first by default, or the latest
// in params' Status. At most one params may be given. An unknown merchantUID
// gives an error matching ErrNotFound.
func (c *Client) FindPayment(ctx context.Context, merchantUID string, params ...FindPaymentParams) (*Payment, error) {
	if err := checkID("merchant_uid", merchantUID, maxMerchantUID); err != nil {
		return nil, err
	}
	if len(params) > 1 {
		return nil, invalid("params", "at most one FindPaymentParams may be given")
	}
	var fp FindPaymentParams
	if len(params) == 1 {
		fp = params[0]
	}
	if err := checkStatusFilter("payment_status", fp.Status); err != nil {
		return nil, err
	}
	if err := fp.Sorting.check("sorting"); err != nil {
		return nil, err
	}
	path := "/payments/find/" + escape(merchantUID)
	if fp.Status != "" {
		path += "/" + escape(string(fp.Status))
	}
	var q url.Values
	if fp.Sorting != "" {
		q = url.Values{"sorting": {string(fp.Sorting)}}
	}
	var p Payment
	if err := c.call(ctx, &request{method: "GET", path: path, query: q}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

func checkStatusFilter(field string, s PaymentStatus) error {
	switch s {
	case "", PaymentStatusReady, PaymentStatusPaid, PaymentStatusFailed, PaymentStatusCancelled:
		return nil
	}
	return invalid(field, "must be ready, paid, failed or cancelled")
}

// CancelRequest cancels (refunds) a payment in full or in part (POST
// /payments/cancel). RefundAccount is redacted in fmt and slog output.
type CancelRequest struct {
	// ImpUID or MerchantUID names the payment; ImpUID wins when both are set.
	ImpUID      string `json:"imp_uid,omitempty"`
	MerchantUID string `json:"merchant_uid,omitempty"`
	// Amount to cancel; 0 cancels the whole remaining balance.
	Amount    Amount  `json:"amount,omitempty"`
	TaxFree   *Amount `json:"tax_free,omitempty"`
	VatAmount *Amount `json:"vat_amount,omitempty"`
	// Checksum is the balance you believe can still be cancelled
	// (Payment.Balance before this cancel). iamport refuses the cancel if it
	// differs, so a re-sent cancel can never refund twice. When nil the SDK
	// looks the payment up and fills it in.
	Checksum *Amount `json:"checksum,omitempty"`
	Reason   string  `json:"reason,omitempty"`

	// Refund account, for virtual-account refunds.
	RefundHolder  string `json:"refund_holder,omitempty"`
	RefundBank    string `json:"refund_bank,omitempty"`
	RefundAccount string `json:"refund_account,omitempty"`
	RefundTel     string `json:"refund_tel,omitempty"`

	RetainPromotion *bool `json:"retain_promotion,omitempty"`
	// EnableWebhook makes iamport send the cancel webhook for this cancel.
	EnableWebhook *bool        `json:"enable_webhook,omitempty"`
	Extra         *CancelExtra `json:"extra,omitempty"`
}

// CancelExtra carries the extra cancel parameters naverpay requires.
type CancelExtra struct {
	Requester string `json:"requester,omitempty"` // "customer" or "admin" (default)
}

type redactedCancelRequest CancelRequest

// Format prints r with the refund account number redacted, for every verb.
func (r CancelRequest) Format(f fmt.State, verb rune) {
	c := redactedCancelRequest(r)
	redact(&c.RefundAccount)
	formatRedacted(f, verb, c)
}

// LogValue logs r with the refund account number redacted.
func (r CancelRequest) LogValue() slog.Value { return logValueOf(r) }

func (r *CancelRequest) check() error {
	if r.ImpUID == "" && r.MerchantUID == "" {
		return invalid("imp_uid", "imp_uid or merchant_uid is required")
	}
	if err := optID("imp_uid", r.ImpUID, maxImpUID); err != nil {
		return err
	}
	if err := optID("merchant_uid", r.MerchantUID, maxMerchantUID); err != nil {
		return err
	}
	if err := checkNonNegative("amount", r.Amount); err != nil {
		return err
	}
	for _, f := range []struct {
		field string
		v     *Amount
	}{{"tax_free", r.TaxFree}, {"vat_amount", r.VatAmount}, {"checksum", r.Checksum}} {
		if err := checkOptAmount(f.field, f.v); err != nil {
			return err
		}
	}
	if r.Checksum != nil && r.Amount.Cents() > r.Checksum.Cents() {
		return invalid("amount", "must not exceed checksum, the cancellable balance")
	}
	if r.Extra != nil && r.Extra.Requester != "" && r.Extra.Requester != "customer" && r.Extra.Requester != "admin" {
		return invalid("extra.requester", `must be "customer" or "admin"`)
	}
	for _, f := range []struct {
		field, v string
		max      int
	}{
		{"reason", r.Reason, 256}, {"refund_holder", r.RefundHolder, 16}, {"refund_bank", r.RefundBank, 4},
		{"refund_account", r.RefundAccount, 20}, {"refund_tel", r.RefundTel, 16},
	} {
		if err := checkMaxLen(f.field, f.v, f.max); err != nil {
			return err
		}
	}
	return nil
}

// CancelPayment cancels a payment in full (Amount 0) or in part and returns
// the updated Payment (POST /payments/cancel). A partial cancel leaves the
// payment paid with a larger CancelAmount.
//
// Every cancel is sent with a checksum, the balance before the cancel (see
// CancelRequest.Checksum), so that iamport refuses a cancel that would refund
// twice. If the answer is lost, CancelPayment compares the payment's cancel
// history with what it was before, instead of guessing.
func (c *Client) CancelPayment(ctx context.Context, req *CancelRequest) (*Payment, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	if err := w.check(); err != nil {
		return nil, err
	}
	return c.cancel(ctx, &w)
}

// lookupPayment fetches the payment a cancel names: by imp_uid if given.
// A cancel names one payment, so test-channel payments, which GET
// /payments/{imp_uid} hides by default, are included.
func (c *Client) lookupPayment(ctx context.Context, impUID, merchantUID string) (*Payment, error) {
	if impUID != "" {
		return c.GetPayment(ctx, impUID, GetPaymentParams{IncludeSandbox: true})
	}
	return c.FindPayment(ctx, merchantUID, FindPaymentParams{Status: PaymentStatusPaid})
}
