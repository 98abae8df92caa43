package iamport

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"net/url"
	"strconv"
	"time"
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
	if err := checkID("imp_uid", impUID); err != nil {
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
	// SortStartedDesc orders by request time, newest first (the default).
	SortStartedDesc Sorting = "-started"
	// SortStartedAsc orders by request time, oldest first.
	SortStartedAsc Sorting = "started"
	// SortPaidDesc orders by approval time, newest first.
	SortPaidDesc Sorting = "-paid"
	// SortPaidAsc orders by approval time, oldest first.
	SortPaidAsc Sorting = "paid"
	// SortUpdatedDesc orders by last status change, newest first.
	SortUpdatedDesc Sorting = "-updated"
	// SortUpdatedAsc orders by last status change, oldest first.
	SortUpdatedAsc Sorting = "updated"
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
	if err := checkID("merchant_uid", merchantUID); err != nil {
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
// /payments/cancel). RefundAccount, RefundHolder and RefundTel are redacted
// in fmt, slog and encoding/json output; the SDK sends the real values.
type CancelRequest struct {
	// ImpUID or MerchantUID names the payment; ImpUID wins when both are set.
	ImpUID      string `json:"imp_uid,omitempty"`
	MerchantUID string `json:"merchant_uid,omitempty"`
	// Amount to refund; whole in KRW and JPY. 0 is refused unless
	// FullRefund is set, so that an amount left empty never refunds
	// everything by accident.
	Amount Amount `json:"amount,omitempty"`
	// FullRefund refunds the whole remaining balance. It must be set
	// explicitly, with Amount 0.
	FullRefund bool    `json:"-"`
	TaxFree    *Amount `json:"tax_free,omitempty"`
	VatAmount  *Amount `json:"vat_amount,omitempty"`
	// Checksum is the balance you believe can still be cancelled
	// (Payment.Balance before this cancel). iamport refuses the cancel if it
	// differs, so a re-sent cancel can never refund twice. When nil the SDK
	// looks the payment up and fills it in.
	Checksum *Amount `json:"checksum,omitempty"`
	// Reason is kept by iamport; it documents 256 characters. The SDK
	// sends it as given.
	Reason string `json:"reason,omitempty"`

	// Refund account, for virtual-account refunds. iamport documents
	// refund_holder 16, refund_bank 4 and refund_tel 16 characters; the SDK
	// sends them as given.
	RefundHolder  string `json:"refund_holder,omitempty" redact:"true"`
	RefundBank    string `json:"refund_bank,omitempty"`
	RefundAccount string `json:"refund_account,omitempty" redact:"true"`
	RefundTel     string `json:"refund_tel,omitempty" redact:"true"`

	RetainPromotion *bool `json:"retain_promotion,omitempty"`
	// EnableWebhook makes iamport send the cancel webhook for this cancel.
	EnableWebhook *bool        `json:"enable_webhook,omitempty"`
	Extra         *CancelExtra `json:"extra,omitempty"`
}

// CancelExtra carries the extra cancel parameters naverpay requires.
type CancelExtra struct {
	Requester string `json:"requester,omitempty"` // "customer" or "admin" (default)
}

type cancelFields CancelRequest // same fields, no methods: the wire copy

// MarshalJSON encodes r with the refund account, holder and telephone
// redacted. The SDK sends the real values.
func (r CancelRequest) MarshalJSON() ([]byte, error) { return redactedJSON(cancelFields(r)) }

// Format prints r with the refund account, holder and telephone redacted, for
// every verb.
func (r CancelRequest) Format(f fmt.State, verb rune) {
	formatRedacted[CancelRequest](f, verb, cancelFields(r))
}

// LogValue logs r with the refund account, holder and telephone redacted.
func (r CancelRequest) LogValue() slog.Value { return logValueRedacted(cancelFields(r)) }

func (r CancelRequest) wire() any { return cancelFields(r) }

func (r *CancelRequest) check() error {
	if r.ImpUID == "" && r.MerchantUID == "" {
		return invalid("imp_uid", "imp_uid or merchant_uid is required")
	}
	if err := optID("imp_uid", r.ImpUID); err != nil {
		return err
	}
	if err := optID("merchant_uid", r.MerchantUID); err != nil {
		return err
	}
	if err := checkNonNegative("amount", r.Amount); err != nil {
		return err
	}
	switch {
	case r.Amount == 0 && !r.FullRefund:
		return invalid("amount", "is 0: give the amount to refund, or set FullRefund to refund the whole balance")
	case r.Amount != 0 && r.FullRefund:
		return invalid("full_refund", "must not be set with an amount: set one or the other")
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
	return nil
}

// CancelPayment cancels a payment in full (FullRefund) or in part and returns
// the updated Payment (POST /payments/cancel). A partial cancel leaves the
// payment paid with a larger CancelAmount.
//
// Every cancel is sent with a checksum, the balance before the cancel (see
// CancelRequest.Checksum), so that iamport refuses a cancel that would refund
// twice. Before sending, CancelPayment reads the payment's balance and
// cancel history; a lookup that shows fewer cancels than this Client has
// already seen or made of the payment (lookups lag) is read again until it
// catches up, and if it does not within the reconcile timeout, the cancel
// is not sent. If the answer is lost, it never sends the cancel again, but
// looks the payment up until its history shows a refund of the amount,
// beyond what it read before, made from a balance equal to the checksum,
// and returns an *OutcomeUnknownError if it does not within the reconcile
// timeout. Cancels of one payment on one Client run one after the other.
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

// maxGetPayments is how many identifiers GET /payments accepts at once.
const maxGetPayments = 100

// GetPaymentsRequest names the payments GetPayments fetches: up to 100
// identifiers in all, imp_uids and merchant_uids mixed.
type GetPaymentsRequest struct {
	ImpUIDs      []string `url:"imp_uid[]"`
	MerchantUIDs []string `url:"merchant_uid[]"`
}

// PaymentsResult is the answer of GetPayments: the payments found, and the
// identifiers the API had no payment for (the API answers HTTP 207 with only
// the found payments when some are missing, and 404 when none is found).
type PaymentsResult struct {
	// Payments found, in the API's order. A merchant_uid shared by several
	// attempts may bring several payments.
	Payments []Payment
	// MissingImpUIDs and MissingMerchantUIDs list, in request order, the
	// identifiers no returned payment has.
	MissingImpUIDs      []string
	MissingMerchantUIDs []string
}

// Complete reports whether every identifier asked for was found.
func (r *PaymentsResult) Complete() bool {
	return len(r.MissingImpUIDs) == 0 && len(r.MissingMerchantUIDs) == 0
}

func (r *GetPaymentsRequest) check() error {
	n := len(r.ImpUIDs) + len(r.MerchantUIDs)
	switch {
	case n == 0:
		return invalid("imp_uid[]", "name at least one imp_uid or merchant_uid")
	case n > maxGetPayments:
		return invalid("imp_uid[]", "at most %d imp_uids and merchant_uids together (got %d)", maxGetPayments, n)
	}
	for i, id := range r.ImpUIDs {
		if err := checkID("imp_uid["+strconv.Itoa(i)+"]", id); err != nil {
			return err
		}
	}
	for i, id := range r.MerchantUIDs {
		if err := checkID("merchant_uid["+strconv.Itoa(i)+"]", id); err != nil {
			return err
		}
	}
	return nil
}

// GetPayments fetches up to 100 payments by imp_uid and merchant_uid in one
// call (GET /payments). Identifiers that match no payment do not make it
// fail: they are listed in the result's MissingImpUIDs and
// MissingMerchantUIDs, also when none is found.
func (c *Client) GetPayments(ctx context.Context, req *GetPaymentsRequest) (*PaymentsResult, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if err := req.check(); err != nil {
		return nil, err
	}
	var list []Payment
	err := c.call(ctx, &request{method: "GET", path: "/payments", query: queryOf(req)}, &list)
	if err != nil && !noneFound(err) {
		return nil, err
	}
	imps := make(map[string]bool, len(list))
	merchants := make(map[string]bool, len(list))
	for i := range list {
		imps[list[i].ImpUID] = true
		merchants[list[i].MerchantUID] = true
	}
	return &PaymentsResult{
		Payments:            list,
		MissingImpUIDs:      missingIDs(req.ImpUIDs, imps),
		MissingMerchantUIDs: missingIDs(req.MerchantUIDs, merchants),
	}, nil
}

// FindPaymentsRequest lists every payment made under one merchant_uid: a
// declined attempt and its successful retry, for instance (GET
// /payments/findAll/{merchant_uid}[/{payment_status}]).
type FindPaymentsRequest struct {
	MerchantUID string        `url:"-"`       // required; goes into the path
	Status      PaymentStatus `url:"-"`       // optional path segment: ready, paid, failed or cancelled
	Page        int           `url:"page"`    // from 1, as in the API; 0 (unset) is page 1
	Limit       int           `url:"limit"`   // 1 to 1000; 0 for the default, 20
	Sorting     Sorting       `url:"sorting"` // default SortStartedDesc
}

func (r *FindPaymentsRequest) check() error {
	if err := checkID("merchant_uid", r.MerchantUID); err != nil {
		return err
	}
	if err := checkStatusFilter("payment_status", r.Status); err != nil {
		return err
	}
	if err := r.Sorting.check("sorting"); err != nil {
		return err
	}
	return checkPaging(r.Page, r.Limit)
}

func (r *FindPaymentsRequest) path() string {
	p := "/payments/findAll/" + escape(r.MerchantUID)
	if r.Status != "" {
		p += "/" + escape(string(r.Status))
	}
	return p
}

// FindPaymentsPage returns one page of the payments made under
// req.MerchantUID (GET /payments/findAll/{merchant_uid}[/{payment_status}]).
// A merchant_uid without payments gives an error matching ErrNotFound.
func (c *Client) FindPaymentsPage(ctx context.Context, req *FindPaymentsRequest) (*Page[Payment], error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if err := req.check(); err != nil {
		return nil, err
	}
	return c.paymentPage(ctx, req.path(), queryOf(req))
}

// FindPayments iterates over every payment made under req.MerchantUID,
// starting at req.Page, fetching the pages as the loop needs them (GET
// /payments/findAll/{merchant_uid}[/{payment_status}]). A merchant_uid
// without payments yields one error matching ErrNotFound. See Page.
func (c *Client) FindPayments(ctx context.Context, req *FindPaymentsRequest) iter.Seq2[*Payment, error] {
	if req == nil {
		return errSeq[Payment](invalid("request", "is required"))
	}
	w := *req
	if err := w.check(); err != nil {
		return errSeq[Payment](err)
	}
	return paginate(ctx, w.path(), w.Page, noSpan, func(ctx context.Context, _ span, page int) (*Page[Payment], error) {
		r := w
		r.Page = page
		return c.paymentPage(ctx, r.path(), queryOf(&r))
	})
}

// ListPaymentsByStatusRequest lists payments by status in a time range (GET
// /payments/status/{payment_status}). The range applies to the time of the
// status: request time for ready, payment time for paid, cancel time for
// cancelled and failure time for failed.
type ListPaymentsByStatusRequest struct {
	// Status is ready, paid, cancelled or failed; empty (or "all") lists
	// every status.
	Status PaymentStatus `url:"-"`
	// From and To bound the range, both inclusive, to the second. The API
	// defaults To to now and From to 90 days before To, and refuses a range
	// longer than 90 days in one page; the iterator ListPaymentsByStatus
	// walks any range. Leave both zero for the API's default.
	From    time.Time `url:"from"`
	To      time.Time `url:"to"`
	Page    int       `url:"page"`    // from 1, as in the API; 0 (unset) is page 1
	Limit   int       `url:"limit"`   // 1 to 1000; 0 for the default, 20
	Sorting Sorting   `url:"sorting"` // default SortStartedDesc
}

// check validates r; window says whether its range must fit in one request.
func (r *ListPaymentsByStatusRequest) check(now time.Time, window bool) error {
	switch r.Status {
	case "", "all", PaymentStatusReady, PaymentStatusPaid, PaymentStatusCancelled, PaymentStatusFailed:
	default:
		return invalid("payment_status", "must be all, ready, paid, cancelled or failed")
	}
	if err := r.Sorting.check("sorting"); err != nil {
		return err
	}
	if err := checkPaging(r.Page, r.Limit); err != nil {
		return err
	}
	to := r.To
	if to.IsZero() {
		to = now
	}
	switch {
	case r.From.IsZero():
	case r.From.Unix() > to.Unix():
		return invalid("from", "must not be after to")
	case window && to.Unix()-r.From.Unix() > int64(paymentsWindow/time.Second):
		return invalid("from", "must be at most 90 days before to: use ListPaymentsByStatus to walk a longer range")
	}
	return nil
}

func (r *ListPaymentsByStatusRequest) path() string {
	s := r.Status
	if s == "" {
		s = "all"
	}
	return "/payments/status/" + escape(string(s))
}

// ListPaymentsByStatusPage returns one page of the payments in req.Status
// within req's time range, which may span at most 90 days (GET
// /payments/status/{payment_status}).
func (c *Client) ListPaymentsByStatusPage(ctx context.Context, req *ListPaymentsByStatusRequest) (*Page[Payment], error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if err := req.check(c.serverNow(), true); err != nil {
		return nil, err
	}
	return c.paymentPage(ctx, req.path(), queryOf(req))
}

// ListPaymentsByStatus iterates over the payments in req.Status within req's
// time range, fetching the pages as the loop needs them (GET
// /payments/status/{payment_status}). A range longer than the API's 90 days
// is walked in slices of 89 days, newest first for descending sortings (the
// default) and oldest first for ascending ones; the payments of each slice
// come in req.Sorting order. When From is set and To is not, To is now. Set
// Limit (up to 1000) to walk a long range in fewer requests. See Page.
func (c *Client) ListPaymentsByStatus(ctx context.Context, req *ListPaymentsByStatusRequest) iter.Seq2[*Payment, error] {
	if req == nil {
		return errSeq[Payment](invalid("request", "is required"))
	}
	w := *req
	return func(yield func(*Payment, error) bool) {
		now := c.serverNow()
		if err := w.check(now, false); err != nil {
			yield(nil, err)
			return
		}
		sp := iter.Seq[span](noSpan)
		if !w.From.IsZero() {
			if w.To.IsZero() {
				w.To = now
			}
			// The range is inclusive: [From, To] is [From, To+1s).
			newest := w.Sorting == "" || w.Sorting[0] == '-'
			sp = spans(w.From, w.To.Add(time.Second), paymentsStep, newest)
		}
		seq := paginate(ctx, w.path(), w.Page, sp, func(ctx context.Context, s span, page int) (*Page[Payment], error) {
			r := w
			r.Page = page
			if s.set {
				r.From, r.To = time.Unix(s.from, 0), time.Unix(s.to-1, 0)
			}
			return c.paymentPage(ctx, r.path(), queryOf(&r))
		})
		seq(yield)
	}
}

// PaymentBalance is the breakdown of what a payment's amount was paid with,
// refunds already subtracted (PaymentBalanceResponseAnnotation). iamport
// provides it for PAYCO payments.
type PaymentBalance struct {
	Amount      Amount           `json:"amount"`       // the payment's amount, net of refunds
	CashReceipt BalanceDetail    `json:"cash_receipt"` // part with a cash receipt
	Primary     BalanceDetail    `json:"primary"`      // card, transfer, virtual account or phone
	Secondary   BalanceDetail    `json:"secondary"`    // PG or card points
	Discount    BalanceDetail    `json:"discount"`     // discounts
	Histories   []BalanceHistory `json:"histories"`    // one entry per change, oldest first
}

// BalanceDetail splits one part of a payment's balance
// (PaymentBalanceAnnotation).
type BalanceDetail struct {
	TaxFree Amount `json:"tax_free"`
	Supply  Amount `json:"supply"`
	Vat     Amount `json:"vat"`
	Service Amount `json:"service"`
}

// BalanceHistory is the balance after one change of a payment, such as a
// partial cancel (PaymentBalanceHistoriesAnnotation).
type BalanceHistory struct {
	CashReceipt BalanceDetail `json:"cash_receipt"`
	Primary     BalanceDetail `json:"primary"`
	Secondary   BalanceDetail `json:"secondary"`
	Discount    BalanceDetail `json:"discount"`
	Created     Time          `json:"created"`
}

// GetPaymentBalance returns the breakdown of the payment impUID's amount
// (GET /payments/{imp_uid}/balance). The API answers it for PAYCO payments
// and refuses others with an *APIError (HTTP 405 or 404).
func (c *Client) GetPaymentBalance(ctx context.Context, impUID string) (*PaymentBalance, error) {
	if err := checkID("imp_uid", impUID); err != nil {
		return nil, err
	}
	var b PaymentBalance
	if err := c.call(ctx, &request{method: "GET", path: "/payments/" + escape(impUID) + "/balance"}, &b); err != nil {
		return nil, err
	}
	return &b, nil
}

// PreparePaymentRequest registers, or changes, the amount a browser payment
// of MerchantUID must have: the iamport JavaScript SDK then refuses to open
// the payment window for another amount (POST and PUT /payments/prepare).
type PreparePaymentRequest struct {
	MerchantUID string `json:"merchant_uid"` // required
	Amount      Amount `json:"amount"`       // required, > 0
	// Currency, if set, is checked too; empty leaves it unchecked.
	Currency string `json:"currency,omitempty"`
}

// check validates r; registering (isNew) names a new order, whose
// merchant_uid is limited to 40 characters, while a change names one
// already registered.
func (r *PreparePaymentRequest) check(isNew bool) error {
	check := checkID
	if isNew {
		check = checkNewMerchantUID
	}
	if err := check("merchant_uid", r.MerchantUID); err != nil {
		return err
	}
	if err := checkAmount("amount", r.Amount); err != nil {
		return err
	}
	if r.Currency == "" {
		return nil // unchecked currency: the payment may be in any
	}
	return checkWhole("amount", r.Amount, r.Currency)
}

// PreparedPayment is the amount registered for a merchant_uid
// (PaymentPrepareAnnotation).
type PreparedPayment struct {
	MerchantUID string `json:"merchant_uid"`
	Amount      Amount `json:"amount"`
	Currency    string `json:"currency"` // empty when not checked
}

// PreparePayment registers the amount the browser payment of
// req.MerchantUID must have (POST /payments/prepare). Registering a
// merchant_uid again is refused: use UpdatePreparedPayment.
func (c *Client) PreparePayment(ctx context.Context, req *PreparePaymentRequest) (*PreparedPayment, error) {
	return c.prepare(ctx, "POST", req)
}

// UpdatePreparedPayment changes the amount registered for req.MerchantUID
// (PUT /payments/prepare). An unregistered merchant_uid gives an error
// matching ErrNotFound.
func (c *Client) UpdatePreparedPayment(ctx context.Context, req *PreparePaymentRequest) (*PreparedPayment, error) {
	return c.prepare(ctx, "PUT", req)
}

func (c *Client) prepare(ctx context.Context, method string, req *PreparePaymentRequest) (*PreparedPayment, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if err := req.check(method == "POST"); err != nil {
		return nil, err
	}
	var p PreparedPayment
	if err := c.call(ctx, &request{method: method, path: "/payments/prepare", body: req}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// GetPreparedPayment returns the amount registered for merchantUID (GET
// /payments/prepare/{merchant_uid}). An unregistered merchantUID gives an
// error matching ErrNotFound.
func (c *Client) GetPreparedPayment(ctx context.Context, merchantUID string) (*PreparedPayment, error) {
	if err := checkID("merchant_uid", merchantUID); err != nil {
		return nil, err
	}
	var p PreparedPayment
	if err := c.call(ctx, &request{method: "GET", path: "/payments/prepare/" + escape(merchantUID)}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}
