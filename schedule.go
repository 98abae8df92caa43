package iamport

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"log/slog"
	"strconv"
	"time"
)

// ScheduleRequest schedules payments on a billing key (POST
// /subscribe/payments/schedule). With an unknown CustomerUID and card data,
// iamport first issues a billing key from the card. The fields tagged
// redact:"true" (card data; the buyers' personal data in Schedules) are
// redacted in fmt, slog and encoding/json output; the SDK sends the real
// values.
type ScheduleRequest struct {
	CustomerUID string          `json:"customer_uid"` // required
	Schedules   []ScheduleEntry `json:"schedules"`    // required, at least one

	CustomerID string `json:"customer_id,omitempty"`
	// CheckingAmount is charged and cancelled at once to check a new card,
	// in whole won (the API takes an integer); 0 skips the check.
	CheckingAmount Amount `json:"checking_amount,omitempty"`

	// Card data, to issue the billing key when CustomerUID has none yet.
	CardNumber string `json:"card_number,omitempty" redact:"true"`
	Expiry     string `json:"expiry,omitempty" redact:"true"`
	Birth      string `json:"birth,omitempty" redact:"true"`
	Pwd2Digit  string `json:"pwd_2digit,omitempty" redact:"true"`
	CVC        string `json:"cvc,omitempty" redact:"true"`

	ChannelKey string `json:"channel_key,omitempty"`
	// PG is a legacy parameter some accounts with several PGs still need.
	PG string `json:"pg,omitempty"`
}

// ScheduleEntry is one payment to make at ScheduleAt. Descriptive fields
// (name, buyer_*, custom_data) are sent as given, whatever their length
// (documented limits as for OnetimeRequest).
type ScheduleEntry struct {
	MerchantUID string    `json:"merchant_uid"` // required, at most 40 characters, unique: iamport refuses a reused one
	ScheduleAt  time.Time `json:"schedule_at"`  // required, in the future on the server's clock; sent as Unix seconds
	Amount      Amount    `json:"amount"`       // required, > 0; whole in KRW and JPY
	// Name is the order name. iamport documents 40 characters; some PGs
	// allow more (KakaoPay 100, NaverPay 128, TossPay 255) and others
	// truncate. The SDK sends it as given.
	Name string `json:"name,omitempty"`
	// Currency defaults to KRW, which the SDK then sends explicitly.
	Currency  string  `json:"currency,omitempty"`
	TaxFree   Amount  `json:"tax_free,omitempty"`
	VatAmount *Amount `json:"vat_amount,omitempty"`

	BuyerName     string `json:"buyer_name,omitempty" redact:"true"`
	BuyerEmail    string `json:"buyer_email,omitempty" redact:"true"`
	BuyerTel      string `json:"buyer_tel,omitempty" redact:"true"`
	BuyerAddr     string `json:"buyer_addr,omitempty" redact:"true"`
	BuyerPostcode string `json:"buyer_postcode,omitempty" redact:"true"`

	CustomData      string `json:"custom_data,omitempty"`
	NoticeURL       string `json:"notice_url,omitempty"` // webhook URL for this payment
	ProductType     string `json:"product_type,omitempty"`
	CashReceiptType string `json:"cash_receipt_type,omitempty"`

	CardQuota              *int  `json:"card_quota,omitempty"`
	InterestFreeByMerchant *bool `json:"interest_free_by_merchant,omitempty"`
	UseCardPoint           *bool `json:"use_card_point,omitempty"`
	ProductCount           int   `json:"product_count,omitempty"`

	BrowserIP   string        `json:"browser_ip,omitempty" redact:"true"`
	Extra       *PaymentExtra `json:"extra,omitempty"`
	Bypass      string        `json:"bypass,omitempty"`
	PromotionID string        `json:"promotion_id,omitempty"`
}

// scheduleEntryFields is ScheduleEntry without its redacting methods: the
// wire copy.
type scheduleEntryFields ScheduleEntry

// MarshalJSON encodes e with ScheduleAt as Unix seconds.
func (e scheduleEntryFields) MarshalJSON() ([]byte, error) {
	type plain scheduleEntryFields
	return json.Marshal(struct {
		plain
		ScheduleAt int64 `json:"schedule_at"`
	}{plain(e), e.ScheduleAt.Unix()})
}

// MarshalJSON encodes e with ScheduleAt as Unix seconds and the buyer's
// personal data redacted. The SDK sends the real values.
func (e ScheduleEntry) MarshalJSON() ([]byte, error) { return redactedJSON(scheduleEntryFields(e)) }

// Format prints e with the buyer's personal data redacted, for every verb.
func (e ScheduleEntry) Format(f fmt.State, verb rune) {
	formatRedacted[ScheduleEntry](f, verb, scheduleEntryFields(e))
}

// LogValue logs e with the buyer's personal data redacted.
func (e ScheduleEntry) LogValue() slog.Value { return logValueRedacted(scheduleEntryFields(e)) }

func (e ScheduleEntry) wire() any { return scheduleEntryFields(e) }

// scheduleRequestFields is ScheduleRequest without its redacting methods;
// its Schedules still redact themselves when printed.
type scheduleRequestFields ScheduleRequest

// scheduleRequestWire is the body the SDK sends: the real values of the
// request and of each schedule.
type scheduleRequestWire struct {
	scheduleRequestFields
	Schedules []scheduleEntryFields `json:"schedules"`
}

// MarshalJSON encodes r with its card data and the buyers' personal data
// redacted. The SDK sends the real values.
func (r ScheduleRequest) MarshalJSON() ([]byte, error) { return redactedJSON(scheduleRequestFields(r)) }

// Format prints r with its card data and the buyers' personal data redacted,
// for every verb.
func (r ScheduleRequest) Format(f fmt.State, verb rune) {
	formatRedacted[ScheduleRequest](f, verb, scheduleRequestFields(r))
}

// LogValue logs r with its card data and the buyers' personal data redacted.
func (r ScheduleRequest) LogValue() slog.Value { return logValueRedacted(scheduleRequestFields(r)) }

func (r ScheduleRequest) wire() any {
	w := scheduleRequestWire{scheduleRequestFields: scheduleRequestFields(r), Schedules: make([]scheduleEntryFields, len(r.Schedules))}
	w.scheduleRequestFields.Schedules = nil // encoded through the outer field
	for i, e := range r.Schedules {
		w.Schedules[i] = scheduleEntryFields(e)
	}
	return w
}

// check validates r; now is the server's clock, which schedule times and
// the card's expiry are judged by.
func (r *ScheduleRequest) check(now time.Time) error {
	if err := checkID("customer_uid", r.CustomerUID); err != nil {
		return err
	}
	if err := checkNonNegative("checking_amount", r.CheckingAmount); err != nil {
		return err
	}
	if r.CheckingAmount.Cents()%100 != 0 {
		return invalid("checking_amount", "must be a whole number of won: the API takes an integer")
	}
	if err := (card{&r.CardNumber, &r.Expiry, &r.Birth, &r.Pwd2Digit, &r.CVC}).check("", false); err != nil {
		return err
	}
	if err := checkExpiry("expiry", r.Expiry, now); err != nil {
		return err
	}
	if len(r.Schedules) == 0 {
		return invalid("schedules", "at least one schedule is required")
	}
	seen := make(map[string]int, len(r.Schedules))
	for i := range r.Schedules {
		e := &r.Schedules[i]
		p := "schedules[" + strconv.Itoa(i) + "]."
		if err := checkNewMerchantUID(p+"merchant_uid", e.MerchantUID); err != nil {
			return err
		}
		if j, dup := seen[e.MerchantUID]; dup {
			return invalid(p+"merchant_uid", "repeats schedules[%d].merchant_uid: each schedule needs its own", j)
		}
		seen[e.MerchantUID] = i
		if err := checkScheduleAt(p+"schedule_at", e.ScheduleAt, now); err != nil {
			return err
		}
		if err := checkCharge(p, e.Currency, e.Amount, e.TaxFree, e.VatAmount, 0); err != nil {
			return err
		}
		if e.ProductCount < 0 {
			return invalid(p+"product_count", "must not be negative")
		}
	}
	return nil
}

// checkScheduleAt requires a schedule time in the future on the server's
// clock now (iamport: "schedule_at 은 현재 시각 이후여야 합니다."). Times are
// sent in whole seconds, so the comparison is too.
func checkScheduleAt(field string, at, now time.Time) error {
	switch {
	case at.IsZero():
		return invalid(field, "is required")
	case at.Unix() <= now.Unix():
		return invalid(field, "must be in the future (on the server's clock)")
	}
	return nil
}

// Schedule registers payments to be charged on req.CustomerUID's billing key
// at each entry's ScheduleAt, and returns them (POST
// /subscribe/payments/schedule). iamport charges the card at that time and
// reports the result to the webhook URL; see VerifyWebhook.
//
// A nil error means every entry was stored as asked: the answer is checked
// entry by entry (merchant_uid, customer_uid, amount, schedule_at). If the
// answer is lost, or does not show an entry, Schedule never sends it again:
// it looks each entry up until every one shows as asked, one holds another
// schedule (an error naming it), or the reconcile timeout ends (an
// *OutcomeUnknownError naming the entries not found); the schedules found
// are returned with the error.
func (c *Client) Schedule(ctx context.Context, req *ScheduleRequest) ([]Schedule, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	w.Schedules = append([]ScheduleEntry(nil), req.Schedules...)
	ctx, now, err := c.serverClock(ctx)
	if err != nil {
		return nil, err
	}
	if err := w.check(now); err != nil {
		return nil, err
	}
	for i := range w.Schedules {
		if w.Schedules[i].Currency == "" {
			w.Schedules[i].Currency = "KRW"
		}
	}
	var out []Schedule
	err = c.call(ctx, &request{method: "POST", path: "/subscribe/payments/schedule", body: &w, money: true}, &out)
	if err != nil && !isAmbiguous(err) {
		return nil, err
	}
	stored, todo := map[string]Schedule{}, w.Schedules
	if err == nil {
		if stored, todo = checkSchedules(&w, out); len(todo) == 0 {
			return collectSchedules(&w, stored), nil
		}
		err = &APIError{StatusCode: 200, Method: "POST", Path: "/subscribe/payments/schedule", invalid: true,
			Message: fmt.Sprintf("the answer shows %d of the %d schedules asked for", len(stored), len(w.Schedules))}
	}
	return c.reconcileSchedule(ctx, &w, stored, todo, err)
}

// UnscheduleRequest revokes pending schedules (POST
// /subscribe/payments/unschedule): the ones named in MerchantUIDs, or, with
// All, every pending schedule of CustomerUID.
type UnscheduleRequest struct {
	CustomerUID  string   `json:"customer_uid,omitempty"`
	MerchantUIDs []string `json:"merchant_uid,omitempty"`
	// All revokes every pending schedule of CustomerUID. It must be set
	// explicitly: an empty MerchantUIDs alone is refused, so that a missing
	// list never revokes everything.
	All bool `json:"-"`
}

func (r *UnscheduleRequest) check() error {
	if err := optID("customer_uid", r.CustomerUID); err != nil {
		return err
	}
	switch {
	case r.All && r.CustomerUID == "":
		return invalid("customer_uid", "is required with All")
	case r.All && len(r.MerchantUIDs) > 0:
		return invalid("merchant_uid", "must be empty with All: set one or the other")
	case !r.All && len(r.MerchantUIDs) == 0:
		return invalid("merchant_uid", "name at least one schedule, or set All to revoke every pending schedule")
	}
	seen := make(map[string]bool, len(r.MerchantUIDs))
	for i, m := range r.MerchantUIDs {
		f := "merchant_uid[" + strconv.Itoa(i) + "]"
		if err := checkID(f, m); err != nil {
			return err
		}
		if seen[m] {
			return invalid(f, "is listed twice")
		}
		seen[m] = true
	}
	return nil
}

// Unschedule revokes pending schedules and returns them (POST
// /subscribe/payments/unschedule). Nothing left to revoke is an *APIError
// (code 1).
//
// A nil error means every schedule named was revoked. Schedules the answer
// does not list are looked up; if some are not revoked (executed, failed,
// unknown to iamport) or their outcome is unknown, Unschedule returns the
// revoked ones and an *UnscheduleError that lists each kind. If the answer
// is lost, Unschedule never sends it again: it looks each named schedule up
// until none is still scheduled or the reconcile timeout ends. With All and
// a lost answer, which schedules were revoked cannot be looked up by name:
// the *UnscheduleError has All set and wraps an *OutcomeUnknownError.
func (c *Client) Unschedule(ctx context.Context, req *UnscheduleRequest) ([]Schedule, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	if err := w.check(); err != nil {
		return nil, err
	}
	var out []Schedule
	ctx = withCallToken(ctx) // the lookups after a lost answer share the call's token
	err := c.call(ctx, &request{method: "POST", path: "/subscribe/payments/unschedule", body: &w, money: true}, &out)
	switch {
	case err != nil && !isAmbiguous(err):
		return nil, err
	case err != nil && w.All:
		return nil, &UnscheduleError{All: true, Err: unknown(w.CustomerUID, hintUnschedAll, err, nil)}
	case err == nil && w.All:
		return out, nil
	case err == nil && out == nil:
		out = []Schedule{} // an answered empty list, not a lost answer
	}
	return c.settleUnschedule(ctx, &w, out, err)
}

// GetSchedule returns the schedule with the merchant's order ID merchantUID
// (GET /subscribe/payments/schedule/{merchant_uid}). An unknown merchantUID
// gives an error matching ErrNotFound.
func (c *Client) GetSchedule(ctx context.Context, merchantUID string) (*Schedule, error) {
	if err := checkID("merchant_uid", merchantUID); err != nil {
		return nil, err
	}
	var s Schedule
	if err := c.call(ctx, &request{method: "GET", path: "/subscribe/payments/schedule/" + escape(merchantUID)}, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// ScheduleSorting orders the schedules ListSchedules returns.
type ScheduleSorting string

// The orders of ListSchedules.
const (
	// ScheduleSortNewestFirst lists the latest schedule_at first (the
	// default).
	ScheduleSortNewestFirst ScheduleSorting = ""
	// ScheduleSortOldestFirst lists the earliest schedule_at first.
	ScheduleSortOldestFirst ScheduleSorting = "scheduled"
)

// ListSchedulesRequest lists the schedules whose schedule_at is in [From,
// To) (GET /subscribe/payments/schedule).
type ListSchedulesRequest struct {
	// From (inclusive) and To (exclusive) are required. The API refuses a
	// range longer than 3 months in one page; the iterator ListSchedules
	// walks any range.
	From    time.Time       `url:"schedule_from"`
	To      time.Time       `url:"schedule_to"`
	Status  ScheduleStatus  `url:"schedule_status"` // empty for every status
	Page    int             `url:"page"`            // from 1, as in the API; 0 (unset) is page 1
	Limit   int             `url:"limit"`           // 1 to 1000; 0 for the default, 20
	Sorting ScheduleSorting `url:"sorting"`
}

// checkScheduleRange validates a required [from, to) range; window says
// whether it must fit in the API's 3 months, counted in Korean time.
func checkScheduleRange(fromField, toField string, from, to time.Time, window bool) error {
	switch {
	case from.IsZero():
		return invalid(fromField, "is required")
	case to.IsZero():
		return invalid(toField, "is required")
	case from.Unix() >= to.Unix():
		return invalid(fromField, "must be before %s", toField)
	case window && to.After(from.In(seoulLocation()).AddDate(0, 3, 0)):
		return invalid(toField, "must be at most 3 months after %s: use the iterator to walk a longer range", fromField)
	}
	return nil
}

func (r *ListSchedulesRequest) check(window bool) error {
	if err := checkScheduleRange("schedule_from", "schedule_to", r.From, r.To, window); err != nil {
		return err
	}
	if err := checkScheduleStatus("schedule_status", r.Status); err != nil {
		return err
	}
	if r.Sorting != ScheduleSortNewestFirst && r.Sorting != ScheduleSortOldestFirst {
		return invalid("sorting", `must be empty (newest first) or "scheduled" (oldest first)`)
	}
	return checkPaging(r.Page, r.Limit)
}

// ListSchedulesPage returns one page of the schedules whose schedule_at is
// in req's range, which may span at most 3 months (GET
// /subscribe/payments/schedule).
func (c *Client) ListSchedulesPage(ctx context.Context, req *ListSchedulesRequest) (*Page[Schedule], error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if err := req.check(true); err != nil {
		return nil, err
	}
	return c.schedulePage(ctx, "/subscribe/payments/schedule", queryOf(req))
}

// ListSchedules iterates over the schedules whose schedule_at is in req's
// range, of any length, fetching the pages as the loop needs them (GET
// /subscribe/payments/schedule). A range longer than the API's 3 months is
// walked in slices of 88 days, in req.Sorting order. Set Limit (up to 1000)
// to walk a long range in fewer requests. See Page.
func (c *Client) ListSchedules(ctx context.Context, req *ListSchedulesRequest) iter.Seq2[*Schedule, error] {
	if req == nil {
		return errSeq[Schedule](invalid("request", "is required"))
	}
	w := *req
	if err := w.check(false); err != nil {
		return errSeq[Schedule](err)
	}
	sp := spans(w.From, w.To, scheduleStep, w.Sorting == ScheduleSortNewestFirst)
	return paginate(ctx, "/subscribe/payments/schedule", w.Page, sp, func(ctx context.Context, s span, page int) (*Page[Schedule], error) {
		r := w
		r.Page = page
		r.From, r.To = time.Unix(s.from, 0), time.Unix(s.to, 0)
		return c.schedulePage(ctx, "/subscribe/payments/schedule", queryOf(&r))
	})
}

// ListCustomerSchedulesRequest lists the schedules of one billing key whose
// schedule_at is in [From, To), newest first, 20 to a page (GET
// /subscribe/payments/schedule/customers/{customer_uid} and GET
// /subscribe/customers/{customer_uid}/schedules).
// ListBillingKeySchedules and ListCustomerSchedules both take it.
type ListCustomerSchedulesRequest struct {
	CustomerUID string `url:"-"` // required; goes into the path
	// From (inclusive) and To (exclusive) are required. The API refuses a
	// range longer than 3 months in one page; the iterators walk any range.
	From   time.Time      `url:"from"`
	To     time.Time      `url:"to"`
	Status ScheduleStatus `url:"schedule-status"` // empty for every status
	Page   int            `url:"page"`            // from 1, as in the API; 0 (unset) is page 1
}

func (r *ListCustomerSchedulesRequest) check(window bool) error {
	if err := checkID("customer_uid", r.CustomerUID); err != nil {
		return err
	}
	if err := checkScheduleRange("from", "to", r.From, r.To, window); err != nil {
		return err
	}
	if err := checkScheduleStatus("schedule-status", r.Status); err != nil {
		return err
	}
	return checkPaging(r.Page, 0)
}

// ListCustomerSchedulesPage returns one page (20 schedules) of the schedules
// of the billing key req.CustomerUID in req's range, which may span at most
// 3 months, newest first (GET
// /subscribe/payments/schedule/customers/{customer_uid}).
func (c *Client) ListCustomerSchedulesPage(ctx context.Context, req *ListCustomerSchedulesRequest) (*Page[Schedule], error) {
	return c.customerSchedulesPage(ctx, "/subscribe/payments/schedule/customers/%s", req)
}

// ListCustomerSchedules iterates over the schedules of the billing key
// req.CustomerUID in req's range, of any length, newest first, fetching the
// pages as the loop needs them (GET
// /subscribe/payments/schedule/customers/{customer_uid}). A range longer
// than the API's 3 months is walked in slices of 88 days. See Page.
//
// It answers as ListBillingKeySchedules does, which calls the other path
// iamport serves for the same listing; prefer ListBillingKeySchedules. Both
// exist because the API has both.
func (c *Client) ListCustomerSchedules(ctx context.Context, req *ListCustomerSchedulesRequest) iter.Seq2[*Schedule, error] {
	return c.customerSchedules(ctx, "/subscribe/payments/schedule/customers/%s", req)
}

// customerSchedulesPage and customerSchedules serve the two per-customer
// schedule endpoints; pathFmt has one %s for the escaped customer_uid.
func (c *Client) customerSchedulesPage(ctx context.Context, pathFmt string, req *ListCustomerSchedulesRequest) (*Page[Schedule], error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if err := req.check(true); err != nil {
		return nil, err
	}
	return c.schedulePage(ctx, fmt.Sprintf(pathFmt, escape(req.CustomerUID)), queryOf(req))
}

func (c *Client) customerSchedules(ctx context.Context, pathFmt string, req *ListCustomerSchedulesRequest) iter.Seq2[*Schedule, error] {
	if req == nil {
		return errSeq[Schedule](invalid("request", "is required"))
	}
	w := *req
	if err := w.check(false); err != nil {
		return errSeq[Schedule](err)
	}
	path := fmt.Sprintf(pathFmt, escape(w.CustomerUID))
	sp := spans(w.From, w.To, scheduleStep, true)
	return paginate(ctx, path, w.Page, sp, func(ctx context.Context, s span, page int) (*Page[Schedule], error) {
		r := w
		r.Page = page
		r.From, r.To = time.Unix(s.from, 0), time.Unix(s.to, 0)
		return c.schedulePage(ctx, path, queryOf(&r))
	})
}

// UpdateScheduleRequest moves a pending schedule to another time (PUT
// /subscribe/payments/schedule/{merchant_uid}).
type UpdateScheduleRequest struct {
	MerchantUID string    `json:"-"`           // required; goes into the path
	ScheduleAt  time.Time `json:"schedule_at"` // required, in the future; sent as Unix seconds
}

// MarshalJSON encodes r's body, with ScheduleAt as Unix seconds.
func (r UpdateScheduleRequest) MarshalJSON() ([]byte, error) {
	return json.Marshal(scheduleAtBody{r.ScheduleAt.Unix()})
}

// RescheduleScheduleRequest books a failed or revoked schedule again at
// another time (POST /subscribe/payments/schedule/{merchant_uid}/reschedule).
type RescheduleScheduleRequest struct {
	MerchantUID string    `json:"-"`           // required; goes into the path
	ScheduleAt  time.Time `json:"schedule_at"` // required, in the future; sent as Unix seconds
}

// MarshalJSON encodes r's body, with ScheduleAt as Unix seconds.
func (r RescheduleScheduleRequest) MarshalJSON() ([]byte, error) {
	return json.Marshal(scheduleAtBody{r.ScheduleAt.Unix()})
}

type scheduleAtBody struct {
	ScheduleAt int64 `json:"schedule_at"`
}

// UpdateSchedule moves the pending schedule req.MerchantUID to
// req.ScheduleAt and returns it (PUT
// /subscribe/payments/schedule/{merchant_uid}). A schedule that already ran
// or was revoked is refused with an *APIError (HTTP 400); use
// RescheduleSchedule for those.
//
// If the answer is lost, UpdateSchedule never sends it again: it looks the
// schedule up until it shows pending at the new time, and returns an
// *OutcomeUnknownError if it does not within the reconcile timeout.
func (c *Client) UpdateSchedule(ctx context.Context, req *UpdateScheduleRequest) (*Schedule, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	return c.moveSchedule(ctx, "PUT", "", req.MerchantUID, req.ScheduleAt, req)
}

// RescheduleSchedule books the failed or revoked schedule req.MerchantUID
// again at req.ScheduleAt and returns it (POST
// /subscribe/payments/schedule/{merchant_uid}/reschedule). A schedule that is
// pending or was paid is refused with an *APIError (HTTP 400).
//
// If the answer is lost, RescheduleSchedule reconciles as UpdateSchedule
// does.
func (c *Client) RescheduleSchedule(ctx context.Context, req *RescheduleScheduleRequest) (*Schedule, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	return c.moveSchedule(ctx, "POST", "/reschedule", req.MerchantUID, req.ScheduleAt, req)
}

func (c *Client) moveSchedule(ctx context.Context, method, suffix, merchantUID string, at time.Time, body any) (*Schedule, error) {
	if err := checkID("merchant_uid", merchantUID); err != nil {
		return nil, err
	}
	if at.IsZero() {
		return nil, invalid("schedule_at", "is required")
	}
	ctx, now, err := c.serverClock(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkScheduleAt("schedule_at", at, now); err != nil {
		return nil, err
	}
	r := &request{method: method, path: "/subscribe/payments/schedule/" + escape(merchantUID) + suffix, body: body, money: true}
	var s Schedule
	err = c.call(ctx, r, &s)
	if err == nil {
		return &s, nil
	}
	if !isAmbiguous(err) {
		return nil, err
	}
	return c.reconcileScheduleAt(ctx, merchantUID, at, err)
}

// reconcileScheduleAt finds out whether a lost UpdateSchedule or
// RescheduleSchedule was applied: the schedule is pending at the requested
// time. A schedule not showing it yet may be a lagging lookup, or the change
// still running: it is never sent again.
func (c *Client) reconcileScheduleAt(ctx context.Context, merchantUID string, at time.Time, cause error) (*Schedule, error) {
	return settle(c, ctx, merchantUID, hintScheduleAt, cause, func(ctx context.Context) (*Schedule, verdict, error) {
		s, err := c.GetSchedule(ctx, merchantUID)
		if err != nil {
			return nil, lookupFailed, err
		}
		if s.ScheduleStatus == ScheduleStatusScheduled && s.ScheduleAt.Unix() == at.Unix() {
			return s, decided, nil
		}
		return nil, pending, nil
	})
}

// RetrySchedule charges the failed or revoked schedule merchantUID now and
// returns the Payment (POST /subscribe/payments/schedule/{merchant_uid}/retry).
// A schedule that is pending or was paid is refused with an *APIError (HTTP
// 400).
//
// A nil error means the card was charged. A declined card returns the failed
// Payment and a *DeclinedError. A lost answer is reconciled as for Onetime,
// except that the request names no amount: a new attempt of merchantUID
// proves the outcome.
func (c *Client) RetrySchedule(ctx context.Context, merchantUID string) (*Payment, error) {
	if err := checkID("merchant_uid", merchantUID); err != nil {
		return nil, err
	}
	return c.charge(ctx, &chargeOrder{merchantUID: merchantUID},
		&request{method: "POST", path: "/subscribe/payments/schedule/" + escape(merchantUID) + "/retry", money: true})
}
