package iamport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/iamport-go/iamport/internal/wire"
)

// Ptr returns a pointer to v. Use it for the optional request fields whose
// zero value means something (CardQuota, InterestFreeByMerchant, VatAmount,
// Checksum, ...):
//
//	req.CardQuota = iamport.Ptr(3)
func Ptr[T any](v T) *T { return &v }

// Amount is an amount of money in the payment's currency, as iamport sends it:
// a JSON number, whole for KRW and with up to two decimals for currencies such
// as USD.
//
// Amount is a float64 so that both Amount(8900) and Amount(10.5) can be written
// as literals; its JSON form is the shortest decimal that reads back to the same
// value ("8900", "10.5"), so an amount decoded from the API encodes back to the
// same number. Arithmetic the SDK does on amounts (Payment.Balance, cancel
// checksums) goes through Cents, which is exact to two decimals: use Cents,
// Add and Sub rather than float arithmetic when you compare money.
type Amount float64

// AmountFromCents returns the Amount of c hundredths (for KRW, which has no
// minor unit, pass the won amount times 100).
func AmountFromCents(c int64) Amount { return Amount(float64(c) / 100) }

// Cents returns a rounded to the nearest hundredth, as an integer count of
// hundredths. Amount(0.1).Add(0.2).Cents() is 30.
func (a Amount) Cents() int64 { return int64(math.Round(float64(a) * 100)) }

// Add returns a+b, exact to two decimals.
func (a Amount) Add(b Amount) Amount { return AmountFromCents(a.Cents() + b.Cents()) }

// Sub returns a-b, exact to two decimals.
func (a Amount) Sub(b Amount) Amount { return AmountFromCents(a.Cents() - b.Cents()) }

// Equal reports whether a and b are the same amount, exactly: it never
// rounds, so Amount(0.001) is not Equal to 0, and NaN is Equal to nothing.
// Amounts with at most two decimals (what iamport carries) compare as their
// Cents do; a sum made with float arithmetic may not be Equal to its
// decimal (Amount(0.1)+Amount(0.2) is not Equal to 0.3): use Add and Sub.
func (a Amount) Equal(b Amount) bool { return a == b }

// String formats a as its shortest exact decimal ("8900", "10.5").
func (a Amount) String() string { return strconv.FormatFloat(float64(a), 'f', -1, 64) }

// maxExactAmount bounds the amounts whose hundredths Cents recovers exactly
// from a float64: below 2^45 a float64's spacing is at most 2^-8, so a value
// written with two decimals is within 0.2 hundredths of them. (2^45 is
// about 35 trillion, far above what iamport takes, 1e13.)
const maxExactAmount = 1 << 45

// UnmarshalJSON decodes an amount written as a JSON number or numeric
// string; null and "" decode to 0. It refuses what Cents cannot hold
// exactly: a value that is not finite, 2^45 or more, or with more than two
// decimals, since rounding it would make two different amounts compare as
// one. The error names the field, as encoding/json reports it.
func (a *Amount) UnmarshalJSON(b []byte) error {
	f, err := parseLenientFloat(b, "an amount", reflect.TypeOf(*a))
	switch {
	case err != nil:
		return err
	case math.Abs(f) >= maxExactAmount:
		return decodeError(b, "an amount below 2^45 that an Amount holds exactly", reflect.TypeOf(*a))
	case decimals(f) > 2:
		return decodeError(b, "an amount with at most two decimal places", reflect.TypeOf(*a))
	}
	*a = Amount(f + 0) // -0 reads as 0
	return nil
}

// Time is a point in time that iamport sends as Unix seconds. The API uses 0
// for "has not happened", which decodes, like null, to the zero Time, so
// p.PaidAt.IsZero() tells whether a payment was paid. Fractional seconds and
// numbers sent as strings are accepted. A zero Time encodes as 0.
//
// Every Time the SDK returns is in UTC, whatever the machine's time zone. To
// show one as a Korean customer sees it, convert it:
//
//	seoul, _ := time.LoadLocation("Asia/Seoul") // import _ "time/tzdata" where the system has no zone database
//	fmt.Println(p.PaidAt.In(seoul).Format(time.DateTime))
type Time struct {
	time.Time
}

// Unix returns the Time of the Unix second sec, in UTC; 0 gives the zero
// Time.
func Unix(sec int64) Time {
	if sec == 0 {
		return Time{}
	}
	return Time{time.Unix(sec, 0).UTC()}
}

// Unix returns t as Unix seconds, and 0 for the zero Time.
func (t Time) Unix() int64 {
	if t.IsZero() {
		return 0
	}
	return t.Time.Unix()
}

// MarshalJSON encodes t as Unix seconds.
func (t Time) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, t.Unix(), 10), nil
}

// UnmarshalJSON decodes Unix seconds (integer, fractional, or a numeric
// string); 0, null and "" decode to the zero Time.
func (t *Time) UnmarshalJSON(b []byte) error {
	b = unquote(b)
	if len(b) == 0 || string(b) == "null" || string(b) == "0" {
		*t = Time{}
		return nil
	}
	if sec, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		*t = Unix(sec)
		return nil
	}
	f, ok := wire.ParseFinite(string(b))
	if !ok || math.Abs(f) > 1e15 {
		return decodeError(b, "a Unix timestamp", reflect.TypeOf(*t))
	}
	*t = unixFloat(f)
	return nil
}

// unixFloat is the Time of f Unix seconds, sub-second precision kept; 0 is
// the zero Time.
func unixFloat(f float64) Time {
	if f == 0 {
		return Time{}
	}
	sec, frac := math.Modf(f)
	return Time{time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC()}
}

// decodeError reports a value a lenient type cannot read as a
// *json.UnmarshalTypeError, which encoding/json completes with the path of
// the field ("response.now"), so the error says which field was wrong.
//
// The value itself is never quoted: a field that holds something else than
// what it should (a phone number, a birth date, a name, a server's message
// in the wrong place) may hold personal data. It is described by its
// length.
func decodeError(b []byte, what string, t reflect.Type) error {
	return &json.UnmarshalTypeError{Value: fmt.Sprintf("a value of %d bytes (not %s)", len(b), what), Type: t}
}

// parseLenientFloat reads a finite number written as a JSON number or a
// numeric string; null and "" are 0.
func parseLenientFloat(b []byte, what string, t reflect.Type) (float64, error) {
	b = unquote(b)
	if len(b) == 0 || string(b) == "null" {
		return 0, nil
	}
	f, ok := wire.ParseFinite(string(b))
	if !ok {
		return 0, decodeError(b, what, t)
	}
	return f, nil
}

// LenientInt is an integer field of an answer (Payment.CardQuota, Page
// counts, ...) that decodes leniently: from 3, 3.0, "3" or null (as 0). The
// API documents these fields as integers; LenientInt keeps a server that
// writes them as floats or strings from breaking a decode.
type LenientInt int

// Int is the former name of LenientInt.
//
// Deprecated: use LenientInt.
type Int = LenientInt

// UnmarshalJSON decodes an integer written as a JSON number or numeric string.
func (n *LenientInt) UnmarshalJSON(b []byte) error {
	v, err := parseLenientInt(b)
	if err != nil {
		return err
	}
	*n = LenientInt(v)
	return nil
}

func parseLenientInt(b []byte) (int64, error) {
	b = unquote(b)
	if len(b) == 0 || string(b) == "null" {
		return 0, nil
	}
	if v, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		return v, nil
	}
	f, ok := wire.ParseFinite(string(b))
	if !ok || math.Abs(f) > 1<<53 {
		return 0, decodeError(b, "an integer", reflect.TypeOf(LenientInt(0)))
	}
	return int64(f), nil
}

func unquote(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		return bytes.TrimSpace(b[1 : len(b)-1])
	}
	return b
}

// PaymentStatus is the status of a payment. It is an open set: values the API
// adds later decode as they are.
type PaymentStatus string

// The payment statuses iamport documents.
const (
	// PaymentStatusReady is a payment not paid yet, such as a virtual
	// account awaiting deposit.
	PaymentStatusReady PaymentStatus = "ready"
	// PaymentStatusPaid is an approved payment; a partial cancel keeps this
	// status.
	PaymentStatusPaid PaymentStatus = "paid"
	// PaymentStatusFailed is a declined or failed payment.
	PaymentStatusFailed PaymentStatus = "failed"
	// PaymentStatusCancelled is a fully cancelled payment.
	PaymentStatusCancelled PaymentStatus = "cancelled"
)

// ScheduleStatus is the status of a scheduled payment (open set).
type ScheduleStatus string

// The schedule statuses iamport documents.
const (
	// ScheduleStatusScheduled is a schedule that has not run yet.
	ScheduleStatusScheduled ScheduleStatus = "scheduled"
	// ScheduleStatusExecuted is a schedule that ran, approved or not: see
	// the schedule's PaymentStatus.
	ScheduleStatusExecuted ScheduleStatus = "executed"
	// ScheduleStatusRevoked is a schedule unscheduled before it ran.
	ScheduleStatusRevoked ScheduleStatus = "revoked"
)

// CardType tells a credit card from a check (debit) card. The API sends 0, 1
// or null; the empty CardType means the PG did not say.
type CardType string

// The card types. Other values the API may add decode as their decimal form.
const (
	// CardTypeUnknown is a card type the PG did not report (JSON null or
	// absent).
	CardTypeUnknown CardType = ""
	// CardTypeCredit is a credit card (JSON 0).
	CardTypeCredit CardType = "credit"
	// CardTypeCheck is a check (debit) card (JSON 1).
	CardTypeCheck CardType = "check"
)

// UnmarshalJSON decodes 0, 1 or null.
func (c *CardType) UnmarshalJSON(b []byte) error {
	b = unquote(b)
	switch string(b) {
	case "", "null":
		*c = CardTypeUnknown
	case "0":
		*c = CardTypeCredit
	case "1":
		*c = CardTypeCheck
	default:
		*c = CardType(b)
	}
	return nil
}

// MarshalJSON encodes c as the API does: 0, 1 or null.
func (c CardType) MarshalJSON() ([]byte, error) {
	switch c {
	case CardTypeUnknown:
		return []byte("null"), nil
	case CardTypeCredit:
		return []byte("0"), nil
	case CardTypeCheck:
		return []byte("1"), nil
	}
	if _, err := strconv.Atoi(string(c)); err == nil {
		return []byte(c), nil
	}
	return json.Marshal(string(c))
}

// Payment is a payment as the API returns it (PaymentAnnotation).
type Payment struct {
	ImpUID            string        `json:"imp_uid"`
	MerchantUID       string        `json:"merchant_uid"`
	PayMethod         string        `json:"pay_method"`
	Channel           string        `json:"channel"` // "pc", "mobile" or "api"
	PGProvider        string        `json:"pg_provider"`
	EmbPGProvider     string        `json:"emb_pg_provider"`
	PGTID             string        `json:"pg_tid"`
	PGID              string        `json:"pg_id"`
	Sandbox           bool          `json:"sandbox"` // made on a test channel
	Escrow            bool          `json:"escrow"`
	ApplyNum          string        `json:"apply_num"`
	BankCode          string        `json:"bank_code"`
	BankName          string        `json:"bank_name"`
	CardCode          string        `json:"card_code"`
	CardName          string        `json:"card_name"`
	CardIssuerCode    string        `json:"card_issuer_code"`
	CardIssuerName    string        `json:"card_issuer_name"`
	CardPublisherCode string        `json:"card_publisher_code"`
	CardPublisherName string        `json:"card_publisher_name"`
	CardQuota         LenientInt    `json:"card_quota"`
	CardNumber        string        `json:"card_number"` // masked by iamport
	CardType          CardType      `json:"card_type"`
	VbankCode         string        `json:"vbank_code"`
	VbankName         string        `json:"vbank_name"`
	VbankNum          string        `json:"vbank_num"`
	VbankHolder       string        `json:"vbank_holder"`
	VbankDate         Time          `json:"vbank_date"`
	VbankIssuedAt     Time          `json:"vbank_issued_at"`
	Name              string        `json:"name"`
	Amount            Amount        `json:"amount"`
	CancelAmount      Amount        `json:"cancel_amount"`
	Currency          string        `json:"currency"`
	BuyerName         string        `json:"buyer_name"`
	BuyerEmail        string        `json:"buyer_email"`
	BuyerTel          string        `json:"buyer_tel"`
	BuyerAddr         string        `json:"buyer_addr"`
	BuyerPostcode     string        `json:"buyer_postcode"`
	CustomData        string        `json:"custom_data"`
	UserAgent         string        `json:"user_agent"`
	Status            PaymentStatus `json:"status"`
	StartedAt         Time          `json:"started_at"`
	PaidAt            Time          `json:"paid_at"`
	FailedAt          Time          `json:"failed_at"`
	CancelledAt       Time          `json:"cancelled_at"`
	FailReason        string        `json:"fail_reason"`
	CancelReason      string        `json:"cancel_reason"`
	ReceiptURL        string        `json:"receipt_url"`
	CancelHistory     []Cancel      `json:"cancel_history"`
	DepositHistory    []Deposit     `json:"deposit_history"`
	// Deprecated: use CancelHistory[i].ReceiptURL.
	CancelReceiptURLs []string   `json:"cancel_receipt_urls"`
	CashReceiptIssued bool       `json:"cash_receipt_issued"`
	CustomerUID       string     `json:"customer_uid"`
	CustomerUIDUsage  string     `json:"customer_uid_usage"` // "", "issue", "payment" or "payment.scheduled"
	Promotion         *Promotion `json:"promotion,omitempty"`
	// Extension holds the PG-specific object some PGs add on request; raw JSON.
	Extension json.RawMessage `json:"extension,omitempty"`
}

// Paid reports whether the payment is in status paid (approved and not
// fully cancelled).
func (p *Payment) Paid() bool { return p != nil && p.Status == PaymentStatusPaid }

// Balance returns the amount that can still be cancelled: Amount minus
// CancelAmount, exact to two decimals.
func (p *Payment) Balance() Amount { return p.Amount.Sub(p.CancelAmount) }

// Cancel is one entry of a payment's cancel history (PaymentCancelAnnotation).
type Cancel struct {
	PGTID          string `json:"pg_tid"`
	Amount         Amount `json:"amount"`
	CancelledAt    Time   `json:"cancelled_at"`
	Reason         string `json:"reason"`
	CancellationID string `json:"cancellation_id"`
	ReceiptURL     string `json:"receipt_url"`
}

// Deposit is one deposit into a fixed virtual account (VbankDepositAnnotation).
type Deposit struct {
	PGTID         string `json:"pg_tid"`
	Amount        Amount `json:"amount"`
	DepositorName string `json:"depositor_name"`
	DepositedAt   Time   `json:"deposited_at"`
}

// Promotion is the promotion applied to a payment.
type Promotion struct {
	ID       string `json:"id"`
	Discount Amount `json:"discount"`
}

// BillingKey is a stored card, addressed by the merchant's customer_uid
// (CustomerAnnotation). A billing key issued through a smart-routing channel
// group (a "super billing key") has ChannelGroupID set and lists its channels
// in SucceededChannels and FailedChannels.
type BillingKey struct {
	CustomerUID       string   `json:"customer_uid"`
	PGProvider        string   `json:"pg_provider"`
	PGID              string   `json:"pg_id"`
	Sandbox           bool     `json:"sandbox"`
	CustomerID        string   `json:"customer_id"`
	CardName          string   `json:"card_name"`
	CardCode          string   `json:"card_code"`
	CardIssuerCode    string   `json:"card_issuer_code"`
	CardIssuerName    string   `json:"card_issuer_name"`
	CardPublisherCode string   `json:"card_publisher_code"`
	CardPublisherName string   `json:"card_publisher_name"`
	CardNumber        string   `json:"card_number"` // masked by iamport
	CardType          CardType `json:"card_type"`
	CustomerName      string   `json:"customer_name"`
	CustomerTel       string   `json:"customer_tel"`
	CustomerEmail     string   `json:"customer_email"`
	CustomerAddr      string   `json:"customer_addr"`
	CustomerPostcode  string   `json:"customer_postcode"`
	Inserted          Time     `json:"inserted"`
	Updated           Time     `json:"updated"`

	ChannelGroupID    string                    `json:"channelGroupId,omitempty"`
	SucceededChannels []BillingKeyChannel       `json:"succeededChannels,omitempty"`
	FailedChannels    []BillingKeyFailedChannel `json:"failedChannels,omitempty"`
}

// BillingKeyChannel is a channel on which a super billing key was issued.
type BillingKeyChannel struct {
	PGProvider        string   `json:"pg_provider"`
	PGID              string   `json:"pg_id"`
	CardName          string   `json:"card_name"`
	CardCode          string   `json:"card_code"`
	CardIssuerCode    string   `json:"card_issuer_code"`
	CardIssuerName    string   `json:"card_issuer_name"`
	CardPublisherCode string   `json:"card_publisher_code"`
	CardPublisherName string   `json:"card_publisher_name"`
	CardNumber        string   `json:"card_number"`
	CardType          CardType `json:"card_type"`
	Inserted          Time     `json:"inserted"`
	Updated           Time     `json:"updated"`
}

// BillingKeyFailedChannel is a channel on which a super billing key could
// not be issued. Type is INVALID_REQUEST, PG_PROVIDER or DB_FAILED.
type BillingKeyFailedChannel struct {
	Type       string `json:"type"`
	Message    string `json:"message"`
	PGProvider string `json:"pg_provider"`
	PGID       string `json:"pg_id"`
}

// BillingKeyFailedChan is the former name of BillingKeyFailedChannel.
//
// Deprecated: use BillingKeyFailedChannel.
type BillingKeyFailedChan = BillingKeyFailedChannel

// Schedule is a scheduled payment (ScheduleResultAnnotation).
type Schedule struct {
	CustomerUID    string         `json:"customer_uid"`
	MerchantUID    string         `json:"merchant_uid"`
	ImpUID         string         `json:"imp_uid"` // empty until executed
	PGProvider     string         `json:"pg_provider"`
	PGID           string         `json:"pg_id"`
	CustomerID     string         `json:"customer_id"`
	ScheduleAt     Time           `json:"schedule_at"`
	ExecutedAt     Time           `json:"executed_at"`
	RevokedAt      Time           `json:"revoked_at"`
	Amount         Amount         `json:"amount"`
	Currency       string         `json:"currency"`
	Name           string         `json:"name"`
	BuyerName      string         `json:"buyer_name"`
	BuyerEmail     string         `json:"buyer_email"`
	BuyerTel       string         `json:"buyer_tel"`
	BuyerAddr      string         `json:"buyer_addr"`
	BuyerPostcode  string         `json:"buyer_postcode"`
	CustomData     string         `json:"custom_data"`
	ScheduleStatus ScheduleStatus `json:"schedule_status"`
	PaymentStatus  PaymentStatus  `json:"payment_status"` // empty until executed
	FailReason     string         `json:"fail_reason"`
	PromotionID    string         `json:"promotion_id"`
}

type plainSchedule Schedule

// Format prints s with the buyer's name, e-mail, telephone, address and
// postcode redacted, for every verb, as Payment does; its JSON form keeps
// them.
func (s Schedule) Format(f fmt.State, verb rune) {
	for _, p := range []*string{&s.BuyerName, &s.BuyerEmail, &s.BuyerTel, &s.BuyerAddr, &s.BuyerPostcode} {
		redactString(p)
	}
	formatPlain(f, verb, plainSchedule(s))
}

// LogValue logs s with the buyer's contact data redacted.
func (s Schedule) LogValue() slog.Value { return logValueOf(s) }

type plainBillingKey BillingKey

// Format prints b with the card holder's name, telephone, e-mail, address
// and postcode redacted, for every verb, as Payment does; its JSON form
// keeps them.
func (b BillingKey) Format(f fmt.State, verb rune) {
	for _, p := range []*string{&b.CustomerName, &b.CustomerTel, &b.CustomerEmail, &b.CustomerAddr, &b.CustomerPostcode} {
		redactString(p)
	}
	formatPlain(f, verb, plainBillingKey(b))
}

// LogValue logs b with the card holder's contact data redacted.
func (b BillingKey) LogValue() slog.Value { return logValueOf(b) }
