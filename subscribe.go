package iamport

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"net/url"
	"strconv"
)

// OnetimeRequest is a key-in card payment, optionally storing the card as a
// billing key (POST /subscribe/payments/onetime). The fields tagged
// redact:"true" (card data, the buyer's personal data) are redacted in fmt,
// slog and encoding/json output; the SDK sends the real values.
//
// Descriptive fields are sent as given, whatever their length: iamport
// documents name 40, buyer_name 16, buyer_email 64, buyer_tel 16,
// buyer_addr 128 and buyer_postcode 8 characters, and some PGs allow more
// or truncate. See the README's "What is checked before sending".
type OnetimeRequest struct {
	MerchantUID string `json:"merchant_uid"` // required, at most 40 characters, unique per order
	Amount      Amount `json:"amount"`       // required, > 0; whole in KRW (the default) and JPY
	Currency    string `json:"currency,omitempty"`
	TaxFree     Amount `json:"tax_free,omitempty"`
	// VatAmount sets the VAT explicitly; Ptr(Amount(0)) with TaxFree 0 is zero-rated.
	VatAmount *Amount `json:"vat_amount,omitempty"`
	// Deprecated: use TaxFree and VatAmount.
	Vat Amount `json:"vat,omitempty"`

	CardNumber string `json:"card_number" redact:"true"`          // required, 14 to 19 digits, dashes allowed
	Expiry     string `json:"expiry" redact:"true"`               // required, YYYY-MM or YYYYMM, not a month already passed
	Birth      string `json:"birth,omitempty" redact:"true"`      // YYMMDD, or a 10-digit business number for corporate cards
	Pwd2Digit  string `json:"pwd_2digit,omitempty" redact:"true"` // first two digits of the card PIN
	CVC        string `json:"cvc,omitempty" redact:"true"`        // paymentwall only; the PG judges it

	// CustomerUID, if set, also stores the card as a billing key under this ID.
	CustomerUID    string `json:"customer_uid,omitempty"`
	PG             string `json:"pg,omitempty"` // "{pg}" or "{pg}.{MID}"
	ChannelGroupID string `json:"channelGroupId,omitempty"`

	Name          string `json:"name,omitempty"`
	BuyerName     string `json:"buyer_name,omitempty" redact:"true"`
	BuyerEmail    string `json:"buyer_email,omitempty" redact:"true"`
	BuyerTel      string `json:"buyer_tel,omitempty" redact:"true"`
	BuyerAddr     string `json:"buyer_addr,omitempty" redact:"true"`
	BuyerPostcode string `json:"buyer_postcode,omitempty" redact:"true"`

	CardQuota              *int  `json:"card_quota,omitempty"` // installment months; 0 = lump sum
	InterestFreeByMerchant *bool `json:"interest_free_by_merchant,omitempty"`
	UseCardPoint           *bool `json:"use_card_point,omitempty"`

	CustomData       string `json:"custom_data,omitempty"`
	NoticeURL        string `json:"notice_url,omitempty"` // webhook URL for this payment
	BrowserIP        string `json:"browser_ip,omitempty" redact:"true"`
	Secure3DChargeID string `json:"secure_3d_charge_id,omitempty"`
	Secure3DToken    string `json:"secure_3d_token,omitempty" redact:"true"`
	ProductType      string `json:"product_type,omitempty"` // "real" or "digital"
	PromotionID      string `json:"promotion_id,omitempty"`
	Bypass           string `json:"bypass,omitempty"` // JSON string of PG-specific parameters
}

type onetimeFields OnetimeRequest // same fields, no methods: the wire copy

// MarshalJSON encodes r with its card data and the buyer's personal data
// redacted. The SDK sends the real values.
func (r OnetimeRequest) MarshalJSON() ([]byte, error) { return redactedJSON(onetimeFields(r)) }

// Format prints r with its card data and the buyer's personal data redacted,
// for every verb.
func (r OnetimeRequest) Format(f fmt.State, verb rune) {
	formatRedacted[OnetimeRequest](f, verb, onetimeFields(r))
}

// LogValue logs r with its card data and the buyer's personal data redacted.
func (r OnetimeRequest) LogValue() slog.Value { return logValueRedacted(onetimeFields(r)) }

func (r OnetimeRequest) wire() any { return onetimeFields(r) }

func (r *OnetimeRequest) check() error {
	if err := checkNewMerchantUID("merchant_uid", r.MerchantUID); err != nil {
		return err
	}
	if err := checkCharge("", r.Currency, r.Amount, r.TaxFree, r.VatAmount, r.Vat); err != nil {
		return err
	}
	if err := (card{&r.CardNumber, &r.Expiry, &r.Birth, &r.Pwd2Digit, &r.CVC}).check("", true); err != nil {
		return err
	}
	return optID("customer_uid", r.CustomerUID)
}

// checkCharge checks the amount fields shared by onetime, again and
// schedules: a positive amount, and no fraction in KRW or JPY.
func checkCharge(prefix, currency string, amount, taxFree Amount, vatAmount *Amount, vat Amount) error {
	if err := checkAmount(prefix+"amount", amount); err != nil {
		return err
	}
	if err := checkWhole(prefix+"amount", amount, currency); err != nil {
		return err
	}
	if err := checkNonNegative(prefix+"tax_free", taxFree); err != nil {
		return err
	}
	if err := checkWhole(prefix+"tax_free", taxFree, currency); err != nil {
		return err
	}
	if err := checkOptAmount(prefix+"vat_amount", vatAmount); err != nil {
		return err
	}
	if err := checkOptWhole(prefix+"vat_amount", vatAmount, currency); err != nil {
		return err
	}
	return checkNonNegative(prefix+"vat", vat)
}

// Onetime charges a card whose number the customer typed in, without the
// payment window, and stores it as a billing key when req.CustomerUID is set
// (POST /subscribe/payments/onetime).
//
// A nil error means the card was charged once by this call: the returned
// Payment is paid. A declined card returns the failed Payment and a
// *DeclinedError. Before sending, Onetime reads the order's earlier attempts
// (GET /payments/findAll/{merchant_uid}); if the answer is lost after the
// request may have reached iamport, it never sends it again, but lists the
// attempts until one that is new and matches the request (merchant_uid,
// amount, currency) proves the outcome, and returns an
// *OutcomeUnknownError if none does within the reconcile timeout. A code-0
// answer that names another order, a payment the order had before the
// call, or another billing key than CustomerUID is settled the same way. A
// payment found paid and then cancelled comes back with a
// *ChargeCancelledError. A
// second Onetime, Again or RetrySchedule of the same MerchantUID while one
// is in flight on this Client is refused with ErrChargeInFlight.
func (c *Client) Onetime(ctx context.Context, req *OnetimeRequest) (*Payment, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req // the wire copy: normalised card fields, caller's struct untouched
	if err := w.check(); err != nil {
		return nil, err
	}
	ctx, now, err := c.serverClock(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkExpiry("expiry", w.Expiry, now); err != nil {
		return nil, err
	}
	o := &chargeOrder{merchantUID: w.MerchantUID, amount: &w.Amount, currency: w.Currency, customerUID: w.CustomerUID}
	return c.charge(ctx, o, &request{method: "POST", path: "/subscribe/payments/onetime", body: &w, money: true})
}

// AgainRequest charges a stored billing key (POST /subscribe/payments/again).
// The fields tagged redact:"true" (the buyer's personal data) are redacted in
// fmt, slog and encoding/json output; the SDK sends the real values.
// Descriptive fields are sent as given, whatever their length (documented
// limits as for OnetimeRequest).
type AgainRequest struct {
	CustomerUID string `json:"customer_uid"` // required: the billing key
	MerchantUID string `json:"merchant_uid"` // required, at most 40 characters, unique per order
	Amount      Amount `json:"amount"`       // required, > 0; whole in KRW (the default) and JPY
	// Name is the order name. The API requires it for most PGs. iamport
	// documents 40 characters; KakaoPay allows 100, NaverPay 128, TossPay
	// 255, and some PGs truncate. The SDK sends it as given.
	Name      string  `json:"name,omitempty"`
	Currency  string  `json:"currency,omitempty"`
	TaxFree   Amount  `json:"tax_free,omitempty"`
	VatAmount *Amount `json:"vat_amount,omitempty"`
	// Deprecated: use TaxFree and VatAmount.
	Vat Amount `json:"vat,omitempty"`

	BuyerName     string `json:"buyer_name,omitempty" redact:"true"`
	BuyerEmail    string `json:"buyer_email,omitempty" redact:"true"`
	BuyerTel      string `json:"buyer_tel,omitempty" redact:"true"`
	BuyerAddr     string `json:"buyer_addr,omitempty" redact:"true"`
	BuyerPostcode string `json:"buyer_postcode,omitempty" redact:"true"`

	CardQuota              *int  `json:"card_quota,omitempty"`
	InterestFreeByMerchant *bool `json:"interest_free_by_merchant,omitempty"`
	UseCardPoint           *bool `json:"use_card_point,omitempty"`

	CustomData      string        `json:"custom_data,omitempty"`
	NoticeURL       string        `json:"notice_url,omitempty"`
	BrowserIP       string        `json:"browser_ip,omitempty" redact:"true"`
	ProductType     string        `json:"product_type,omitempty"`      // "real" or "digital"
	ProductCount    int           `json:"product_count,omitempty"`     // default 1
	CashReceiptType string        `json:"cash_receipt_type,omitempty"` // "person", "company" or "anonymous"
	Bypass          string        `json:"bypass,omitempty"`
	Extra           *PaymentExtra `json:"extra,omitempty"`
	PromotionID     string        `json:"promotion_id,omitempty"`
	// ChannelKey picks the channel to charge for a super billing key.
	ChannelKey string `json:"channel_key,omitempty"`
}

type againFields AgainRequest // same fields, no methods: the wire copy

// MarshalJSON encodes r with the buyer's personal data redacted. The SDK
// sends the real values.
func (r AgainRequest) MarshalJSON() ([]byte, error) { return redactedJSON(againFields(r)) }

// Format prints r with the buyer's personal data redacted, for every verb.
func (r AgainRequest) Format(f fmt.State, verb rune) {
	formatRedacted[AgainRequest](f, verb, againFields(r))
}

// LogValue logs r with the buyer's personal data redacted.
func (r AgainRequest) LogValue() slog.Value { return logValueRedacted(againFields(r)) }

func (r AgainRequest) wire() any { return againFields(r) }

// PaymentExtra carries the extra parameters of again and schedule requests.
type PaymentExtra struct {
	NaverUseCfm string `json:"naverUseCfm,omitempty"` // naverpay usage-completion date, YYYYMMDD
}

func (r *AgainRequest) check() error {
	if err := checkID("customer_uid", r.CustomerUID); err != nil {
		return err
	}
	if err := checkNewMerchantUID("merchant_uid", r.MerchantUID); err != nil {
		return err
	}
	if err := checkCharge("", r.Currency, r.Amount, r.TaxFree, r.VatAmount, r.Vat); err != nil {
		return err
	}
	if r.ProductCount < 0 {
		return invalid("product_count", "must not be negative")
	}
	return nil
}

// Again charges the card stored under req.CustomerUID (POST
// /subscribe/payments/again).
//
// A nil error means the card was charged once by this call. A declined card
// returns the failed Payment and a *DeclinedError. A lost answer is
// reconciled as for Onetime; a payment found while reconciling must also be
// of the billing key CustomerUID.
func (c *Client) Again(ctx context.Context, req *AgainRequest) (*Payment, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	if err := w.check(); err != nil {
		return nil, err
	}
	o := &chargeOrder{merchantUID: w.MerchantUID, amount: &w.Amount, currency: w.Currency, customerUID: w.CustomerUID}
	return c.charge(ctx, o, &request{method: "POST", path: "/subscribe/payments/again", body: &w, money: true})
}

// SaveBillingKeyRequest issues a billing key from card data and stores it
// under CustomerUID (POST /subscribe/customers/{customer_uid}). Issuing under
// an existing CustomerUID replaces the stored card. The fields tagged
// redact:"true" (card data, the customer's personal data) are redacted in
// fmt, slog and encoding/json output; the SDK sends the real values.
type SaveBillingKeyRequest struct {
	// CustomerUID is required. It goes into the path, and into the body
	// too, where some iamport-compatible servers (and the official Python
	// client) expect it as well.
	CustomerUID string `json:"customer_uid"`

	CardNumber string `json:"card_number" redact:"true"` // required, 14 to 19 digits, dashes allowed
	Expiry     string `json:"expiry" redact:"true"`      // required, YYYY-MM or YYYYMM, not a month already passed
	Birth      string `json:"birth,omitempty" redact:"true"`
	Pwd2Digit  string `json:"pwd_2digit,omitempty" redact:"true"`
	CVC        string `json:"cvc,omitempty" redact:"true"`

	// ChannelKey is the channel to issue on; the 2026 API schema requires it.
	ChannelKey string `json:"channel_key,omitempty"`
	PG         string `json:"pg,omitempty"`
	// ChannelGroupID issues a super billing key on every channel of a
	// smart-routing group.
	ChannelGroupID string `json:"channel_group_id,omitempty"`

	// The customer_* fields are sent as given; iamport documents
	// customer_name 20, customer_tel 20, customer_email 200, customer_addr
	// 200 and customer_postcode 8 characters.
	CustomerID       string `json:"customer_id,omitempty"`
	CustomerName     string `json:"customer_name,omitempty" redact:"true"`
	CustomerTel      string `json:"customer_tel,omitempty" redact:"true"`
	CustomerEmail    string `json:"customer_email,omitempty" redact:"true"`
	CustomerAddr     string `json:"customer_addr,omitempty" redact:"true"`
	CustomerPostcode string `json:"customer_postcode,omitempty"`
}

type saveBillingKeyFields SaveBillingKeyRequest // same fields, no methods: the wire copy

// MarshalJSON encodes r with its card data and the customer's personal data
// redacted. The SDK sends the real values.
func (r SaveBillingKeyRequest) MarshalJSON() ([]byte, error) {
	return redactedJSON(saveBillingKeyFields(r))
}

// Format prints r with its card data and the customer's personal data
// redacted, for every verb.
func (r SaveBillingKeyRequest) Format(f fmt.State, verb rune) {
	formatRedacted[SaveBillingKeyRequest](f, verb, saveBillingKeyFields(r))
}

// LogValue logs r with its card data and the customer's personal data
// redacted.
func (r SaveBillingKeyRequest) LogValue() slog.Value {
	return logValueRedacted(saveBillingKeyFields(r))
}

func (r SaveBillingKeyRequest) wire() any { return saveBillingKeyFields(r) }

func (r *SaveBillingKeyRequest) check() error {
	if err := checkID("customer_uid", r.CustomerUID); err != nil {
		return err
	}
	return (card{&r.CardNumber, &r.Expiry, &r.Birth, &r.Pwd2Digit, &r.CVC}).check("", true)
}

// SaveBillingKey issues a billing key from card data (POST
// /subscribe/customers/{customer_uid}). A card the PG refuses comes back as
// an *APIError with iamport's message. If the answer is lost, SaveBillingKey
// never sends the card again: it looks the billing key up until it shows
// as inserted or updated since the call, and returns an
// *OutcomeUnknownError if it does not within the reconcile timeout.
func (c *Client) SaveBillingKey(ctx context.Context, req *SaveBillingKeyRequest) (*BillingKey, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	if err := w.check(); err != nil {
		return nil, err
	}
	ctx, now, err := c.serverClock(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkExpiry("expiry", w.Expiry, now); err != nil {
		return nil, err
	}
	r := &request{method: "POST", path: "/subscribe/customers/" + escape(w.CustomerUID), body: &w, money: true}
	sentAt, err := c.sendTime(ctx)
	if err != nil {
		return nil, err
	}
	var bk BillingKey
	err = c.call(ctx, r, &bk)
	if err == nil {
		return &bk, nil
	}
	if !isAmbiguous(err) {
		return nil, err
	}
	return c.reconcileBillingKey(ctx, w.CustomerUID, sentAt, err)
}

// GetBillingKey returns the billing key stored under customerUID (GET
// /subscribe/customers/{customer_uid}). An unknown customerUID gives an
// error matching ErrNotFound.
func (c *Client) GetBillingKey(ctx context.Context, customerUID string) (*BillingKey, error) {
	if err := checkID("customer_uid", customerUID); err != nil {
		return nil, err
	}
	var bk BillingKey
	err := c.call(ctx, &request{method: "GET", path: "/subscribe/customers/" + escape(customerUID), notFoundOn200: true}, &bk)
	if err != nil {
		return nil, err
	}
	return &bk, nil
}

// DeleteBillingKeyRequest holds the optional parameters of DeleteBillingKeyWith.
type DeleteBillingKeyRequest struct {
	CustomerUID string // required
	Reason      string // optional reason, kept by iamport
	// Requester is "customer" or "admin" (default); naverpay only.
	Requester string
}

// DeleteBillingKey deletes the billing key stored under customerUID and
// returns it (DELETE /subscribe/customers/{customer_uid}). It is
// irreversible. It does not revoke pending schedules: Unschedule them first.
// An unknown customerUID gives an error matching ErrNotFound.
func (c *Client) DeleteBillingKey(ctx context.Context, customerUID string) (*BillingKey, error) {
	return c.DeleteBillingKeyWith(ctx, &DeleteBillingKeyRequest{CustomerUID: customerUID})
}

// DeleteBillingKeyWith is DeleteBillingKey with a reason and, for naverpay,
// the requester (DELETE /subscribe/customers/{customer_uid}).
func (c *Client) DeleteBillingKeyWith(ctx context.Context, req *DeleteBillingKeyRequest) (*BillingKey, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if err := checkID("customer_uid", req.CustomerUID); err != nil {
		return nil, err
	}
	if req.Requester != "" && req.Requester != "customer" && req.Requester != "admin" {
		return nil, invalid("extra[requester]", `must be "customer" or "admin"`)
	}
	q := url.Values{}
	if req.Reason != "" {
		q.Set("reason", req.Reason)
	}
	if req.Requester != "" {
		q.Set("extra[requester]", req.Requester)
	}
	var bk BillingKey
	err := c.call(ctx, &request{method: "DELETE", path: "/subscribe/customers/" + escape(req.CustomerUID), query: q, notFoundOn200: true}, &bk)
	if err != nil {
		return nil, err
	}
	return &bk, nil
}

// GetBillingKeysRequest names the billing keys GetBillingKeys fetches.
type GetBillingKeysRequest struct {
	CustomerUIDs []string `url:"customer_uid[]"` // required, at least one
}

// BillingKeysResult is the answer of GetBillingKeys: the billing keys found,
// and the customer_uids the API had none for (the API answers HTTP 207 with
// only the found keys when some are missing, and 404 when none is found).
type BillingKeysResult struct {
	BillingKeys []BillingKey // in the API's order
	// MissingCustomerUIDs lists, in request order, the customer_uids no
	// returned billing key has.
	MissingCustomerUIDs []string
}

// Complete reports whether every customer_uid asked for was found.
func (r *BillingKeysResult) Complete() bool { return len(r.MissingCustomerUIDs) == 0 }

// GetBillingKeys fetches several billing keys in one call (GET
// /subscribe/customers?customer_uid[]=...). Unknown customer_uids do not
// make it fail: they are listed in the result's MissingCustomerUIDs, also
// when none is found.
func (c *Client) GetBillingKeys(ctx context.Context, req *GetBillingKeysRequest) (*BillingKeysResult, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if len(req.CustomerUIDs) == 0 {
		return nil, invalid("customer_uid[]", "name at least one customer_uid")
	}
	for i, id := range req.CustomerUIDs {
		if err := checkID("customer_uid["+strconv.Itoa(i)+"]", id); err != nil {
			return nil, err
		}
	}
	var list []BillingKey
	err := c.call(ctx, &request{method: "GET", path: "/subscribe/customers", query: queryOf(req)}, &list)
	if err != nil && !noneFound(err) {
		return nil, err
	}
	found := make(map[string]bool, len(list))
	for i := range list {
		found[list[i].CustomerUID] = true
	}
	return &BillingKeysResult{BillingKeys: list, MissingCustomerUIDs: missingIDs(req.CustomerUIDs, found)}, nil
}

// ListBillingKeyPaymentsRequest lists the payments made with one billing key
// (GET /subscribe/customers/{customer_uid}/payments).
type ListBillingKeyPaymentsRequest struct {
	CustomerUID string `url:"-"`    // required; goes into the path
	Page        int    `url:"page"` // from 1, as in the API; 0 (unset) is page 1
}

func (r *ListBillingKeyPaymentsRequest) check() error {
	if err := checkID("customer_uid", r.CustomerUID); err != nil {
		return err
	}
	return checkPaging(r.Page, 0)
}

func (r *ListBillingKeyPaymentsRequest) path() string {
	return "/subscribe/customers/" + escape(r.CustomerUID) + "/payments"
}

// ListBillingKeyPaymentsPage returns one page of the payments made with the
// billing key req.CustomerUID (GET
// /subscribe/customers/{customer_uid}/payments).
func (c *Client) ListBillingKeyPaymentsPage(ctx context.Context, req *ListBillingKeyPaymentsRequest) (*Page[Payment], error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if err := req.check(); err != nil {
		return nil, err
	}
	return c.paymentPage(ctx, req.path(), queryOf(req))
}

// ListBillingKeyPayments iterates over the payments made with the billing
// key req.CustomerUID, starting at req.Page, fetching the pages as the loop
// needs them (GET /subscribe/customers/{customer_uid}/payments). See Page.
func (c *Client) ListBillingKeyPayments(ctx context.Context, req *ListBillingKeyPaymentsRequest) iter.Seq2[*Payment, error] {
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

// ListBillingKeySchedulesPage returns one page (20 schedules) of the
// schedules of the billing key req.CustomerUID in req's time range, newest
// first (GET /subscribe/customers/{customer_uid}/schedules). It answers as
// ListCustomerSchedulesPage does.
func (c *Client) ListBillingKeySchedulesPage(ctx context.Context, req *ListCustomerSchedulesRequest) (*Page[Schedule], error) {
	return c.customerSchedulesPage(ctx, "/subscribe/customers/%s/schedules", req)
}

// ListBillingKeySchedules iterates over the schedules of the billing key
// req.CustomerUID in req's time range, of any length, newest first (GET
// /subscribe/customers/{customer_uid}/schedules). It walks as
// ListCustomerSchedules does. See Page.
//
// Use this one to list a billing key's schedules. iamport serves the same
// listing under two paths, documented as behaving identically: this one,
// with the other billing-key endpoints, and GET
// /subscribe/payments/schedule/customers/{customer_uid}, with the other
// schedule endpoints, which ListCustomerSchedules calls. Both take a
// ListCustomerSchedulesRequest and answer the same.
func (c *Client) ListBillingKeySchedules(ctx context.Context, req *ListCustomerSchedulesRequest) iter.Seq2[*Schedule, error] {
	return c.customerSchedules(ctx, "/subscribe/customers/%s/schedules", req)
}
