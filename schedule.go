package iamport

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// ScheduleRequest schedules payments on a billing key (POST
// /subscribe/payments/schedule). With an unknown CustomerUID and card data,
// iamport first issues a billing key from the card. CardNumber, Expiry,
// Birth, Pwd2Digit and CVC are redacted in fmt and slog output.
type ScheduleRequest struct {
	CustomerUID string          `json:"customer_uid"` // required
	Schedules   []ScheduleEntry `json:"schedules"`    // required, at least one

	CustomerID string `json:"customer_id,omitempty"`
	// CheckingAmount is charged and cancelled at once to check a new card; 0 skips the check.
	CheckingAmount int `json:"checking_amount,omitempty"`

	// Card data, to issue the billing key when CustomerUID has none yet.
	CardNumber string `json:"card_number,omitempty"`
	Expiry     string `json:"expiry,omitempty"`
	Birth      string `json:"birth,omitempty"`
	Pwd2Digit  string `json:"pwd_2digit,omitempty"`
	CVC        string `json:"cvc,omitempty"`

	ChannelKey string `json:"channel_key,omitempty"`
	// PG is a legacy parameter some accounts with several PGs still need.
	PG string `json:"pg,omitempty"`
}

// ScheduleEntry is one payment to make at ScheduleAt.
type ScheduleEntry struct {
	MerchantUID string    `json:"merchant_uid"` // required, unique: iamport refuses a reused one
	ScheduleAt  time.Time `json:"schedule_at"`  // required, in the future; sent as Unix seconds
	Amount      Amount    `json:"amount"`       // required, > 0
	Name        string    `json:"name,omitempty"`
	// Currency defaults to KRW, which the SDK then sends explicitly.
	Currency  string  `json:"currency,omitempty"`
	TaxFree   Amount  `json:"tax_free,omitempty"`
	VatAmount *Amount `json:"vat_amount,omitempty"`

	BuyerName     string `json:"buyer_name,omitempty"`
	BuyerEmail    string `json:"buyer_email,omitempty"`
	BuyerTel      string `json:"buyer_tel,omitempty"`
	BuyerAddr     string `json:"buyer_addr,omitempty"`
	BuyerPostcode string `json:"buyer_postcode,omitempty"`

	CustomData      string `json:"custom_data,omitempty"`
	NoticeURL       string `json:"notice_url,omitempty"` // webhook URL for this payment
	ProductType     string `json:"product_type,omitempty"`
	CashReceiptType string `json:"cash_receipt_type,omitempty"`

	CardQuota              *int  `json:"card_quota,omitempty"`
	InterestFreeByMerchant *bool `json:"interest_free_by_merchant,omitempty"`
	UseCardPoint           *bool `json:"use_card_point,omitempty"`
	ProductCount           int   `json:"product_count,omitempty"`

	BrowserIP   string        `json:"browser_ip,omitempty"`
	Extra       *PaymentExtra `json:"extra,omitempty"`
	Bypass      string        `json:"bypass,omitempty"`
	PromotionID string        `json:"promotion_id,omitempty"`
}

// MarshalJSON encodes e with ScheduleAt as Unix seconds.
func (e ScheduleEntry) MarshalJSON() ([]byte, error) {
	type plain ScheduleEntry
	return json.Marshal(struct {
		plain
		ScheduleAt int64 `json:"schedule_at"`
	}{plain(e), e.ScheduleAt.Unix()})
}

type redactedScheduleRequest ScheduleRequest

// Format prints r with its card data redacted, for every verb.
func (r ScheduleRequest) Format(f fmt.State, verb rune) {
	c := redactedScheduleRequest(r)
	for _, s := range []*string{&c.CardNumber, &c.Expiry, &c.Birth, &c.Pwd2Digit, &c.CVC} {
		redact(s)
	}
	formatRedacted(f, verb, c)
}

// LogValue logs r with its card data redacted.
func (r ScheduleRequest) LogValue() slog.Value { return logValueOf(r) }

func (r *ScheduleRequest) check(now time.Time) error {
	if err := checkID("customer_uid", r.CustomerUID, maxCustomerUID); err != nil {
		return err
	}
	if r.CheckingAmount < 0 {
		return invalid("checking_amount", "must not be negative")
	}
	if err := (card{&r.CardNumber, &r.Expiry, &r.Birth, &r.Pwd2Digit, &r.CVC}).check("", false); err != nil {
		return err
	}
	if len(r.Schedules) == 0 {
		return invalid("schedules", "at least one schedule is required")
	}
	seen := make(map[string]int, len(r.Schedules))
	for i := range r.Schedules {
		e := &r.Schedules[i]
		p := "schedules[" + strconv.Itoa(i) + "]."
		if err := checkID(p+"merchant_uid", e.MerchantUID, maxMerchantUID); err != nil {
			return err
		}
		if j, dup := seen[e.MerchantUID]; dup {
			return invalid(p+"merchant_uid", "repeats schedules[%d].merchant_uid: each schedule needs its own", j)
		}
		seen[e.MerchantUID] = i
		if e.ScheduleAt.IsZero() {
			return invalid(p+"schedule_at", "is required")
		}
		if !e.ScheduleAt.After(now) {
			return invalid(p+"schedule_at", "must be in the future")
		}
		if err := checkAmount(p+"amount", e.Amount); err != nil {
			return err
		}
		if err := checkCharge(p, e.Amount, e.TaxFree, e.VatAmount, 0, e.CardQuota); err != nil {
			return err
		}
		if e.ProductCount < 0 {
			return invalid(p+"product_count", "must not be negative")
		}
		if err := checkMaxLen(p+"name", e.Name, 40); err != nil {
			return err
		}
		if err := checkBuyer(p, e.BuyerName, e.BuyerEmail, e.BuyerTel, e.BuyerAddr, e.BuyerPostcode); err != nil {
			return err
		}
	}
	return nil
}

// Schedule registers payments to be charged on req.CustomerUID's billing key
// at each entry's ScheduleAt, and returns them (POST
// /subscribe/payments/schedule). iamport charges the card at that time and
// reports the result to the webhook URL; see VerifyWebhook.
//
// If the answer is lost, Schedule looks each merchant_uid up, re-sends only
// the entries that were not stored, and returns an *OutcomeUnknownError if it
// cannot find out.
func (c *Client) Schedule(ctx context.Context, req *ScheduleRequest) ([]Schedule, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	w.Schedules = append([]ScheduleEntry(nil), req.Schedules...)
	if err := w.check(c.serverNow()); err != nil {
		return nil, err
	}
	for i := range w.Schedules {
		if w.Schedules[i].Currency == "" {
			w.Schedules[i].Currency = "KRW"
		}
	}
	var out []Schedule
	err := c.call(ctx, &request{method: "POST", path: "/subscribe/payments/schedule", body: &w, money: true}, &out)
	if err == nil {
		return out, nil
	}
	if !isAmbiguous(err) {
		return nil, err
	}
	return c.reconcileSchedule(ctx, &w, err)
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
	if err := optID("customer_uid", r.CustomerUID, maxCustomerUID); err != nil {
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
		if err := checkID(f, m, maxMerchantUID); err != nil {
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
func (c *Client) Unschedule(ctx context.Context, req *UnscheduleRequest) ([]Schedule, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	if err := w.check(); err != nil {
		return nil, err
	}
	var out []Schedule
	err := c.call(ctx, &request{method: "POST", path: "/subscribe/payments/unschedule", body: &w, money: true}, &out)
	if err == nil {
		return out, nil
	}
	if !isAmbiguous(err) {
		return nil, err
	}
	return c.reconcileUnschedule(ctx, &w, err)
}

// GetSchedule returns the schedule with the merchant's order ID merchantUID
// (GET /subscribe/payments/schedule/{merchant_uid}). An unknown merchantUID
// gives an error matching ErrNotFound.
func (c *Client) GetSchedule(ctx context.Context, merchantUID string) (*Schedule, error) {
	if err := checkID("merchant_uid", merchantUID, maxMerchantUID); err != nil {
		return nil, err
	}
	var s Schedule
	if err := c.call(ctx, &request{method: "GET", path: "/subscribe/payments/schedule/" + escape(merchantUID)}, &s); err != nil {
		return nil, err
	}
	return &s, nil
}
