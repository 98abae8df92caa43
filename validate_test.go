package iamport_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// Input the SDK refuses never reaches the network: each case asserts a
// *ValidationError naming the field, with no secret in it, and zero requests.
func TestValidation(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("x", n) }
	onetime := func(edit func(r *iamport.OnetimeRequest)) func(c *iamport.Client) error {
		return func(c *iamport.Client) error {
			r := onetimeReq("order-1")
			edit(r)
			_, err := c.Onetime(bg, r)
			return err
		}
	}
	again := func(edit func(r *iamport.AgainRequest)) func(c *iamport.Client) error {
		return func(c *iamport.Client) error {
			r := &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-1", Amount: 8900}
			edit(r)
			_, err := c.Again(bg, r)
			return err
		}
	}
	save := func(edit func(r *iamport.SaveBillingKeyRequest)) func(c *iamport.Client) error {
		return func(c *iamport.Client) error {
			r := &iamport.SaveBillingKeyRequest{CustomerUID: "cust-1", CardNumber: cardDashed, Expiry: expiryWire,
				Birth: birthValue, Pwd2Digit: pwdValue}
			edit(r)
			_, err := c.SaveBillingKey(bg, r)
			return err
		}
	}
	at := time.Now().Add(time.Hour)
	sched := func(edit func(r *iamport.ScheduleRequest)) func(c *iamport.Client) error {
		return func(c *iamport.Client) error {
			r := &iamport.ScheduleRequest{CustomerUID: "cust-1", Schedules: []iamport.ScheduleEntry{
				{MerchantUID: "sub-1", ScheduleAt: at, Amount: 8900},
				{MerchantUID: "sub-2", ScheduleAt: at.Add(time.Hour), Amount: 8900},
			}}
			edit(r)
			_, err := c.Schedule(bg, r)
			return err
		}
	}
	unsched := func(r *iamport.UnscheduleRequest) func(c *iamport.Client) error {
		return func(c *iamport.Client) error {
			_, err := c.Unschedule(bg, r)
			return err
		}
	}
	cancel := func(r *iamport.CancelRequest) func(c *iamport.Client) error {
		return func(c *iamport.Client) error {
			_, err := c.CancelPayment(bg, r)
			return err
		}
	}

	tests := []struct {
		name   string
		call   func(c *iamport.Client) error
		field  string
		hidden string // a value that must not appear in the message
	}{
		// Onetime
		{"onetime nil", func(c *iamport.Client) error { _, err := c.Onetime(bg, nil); return err }, "request", ""},
		{"onetime empty merchant_uid", onetime(func(r *iamport.OnetimeRequest) { r.MerchantUID = "" }), "merchant_uid", ""},
		{"onetime merchant_uid of 41", onetime(func(r *iamport.OnetimeRequest) { r.MerchantUID = long(41) }), "merchant_uid", ""},
		{"onetime merchant_uid ..", onetime(func(r *iamport.OnetimeRequest) { r.MerchantUID = ".." }), "merchant_uid", ""},
		{"onetime merchant_uid .", onetime(func(r *iamport.OnetimeRequest) { r.MerchantUID = "." }), "merchant_uid", ""},
		{"onetime merchant_uid control", onetime(func(r *iamport.OnetimeRequest) { r.MerchantUID = "a\nb" }), "merchant_uid", ""},
		{"onetime amount 0", onetime(func(r *iamport.OnetimeRequest) { r.Amount = 0 }), "amount", ""},
		{"onetime amount negative", onetime(func(r *iamport.OnetimeRequest) { r.Amount = -100 }), "amount", ""},
		{"onetime amount NaN", onetime(func(r *iamport.OnetimeRequest) { r.Amount = iamport.Amount(math.NaN()) }), "amount", ""},
		{"onetime amount Inf", onetime(func(r *iamport.OnetimeRequest) { r.Amount = iamport.Amount(math.Inf(1)) }), "amount", ""},
		{"onetime amount 3 decimals", onetime(func(r *iamport.OnetimeRequest) { r.Amount = 10.555 }), "amount", ""},
		{"onetime amount with float noise", onetime(func(r *iamport.OnetimeRequest) { x := 0.1; r.Amount = iamport.Amount(x + 0.2) }), "amount", ""},
		{"onetime amount too large", onetime(func(r *iamport.OnetimeRequest) { r.Amount = 1e13 }), "amount", ""},
		{"onetime tax_free negative zero", onetime(func(r *iamport.OnetimeRequest) { r.TaxFree = iamport.Amount(math.Copysign(0, -1)) }), "tax_free", ""},
		{"cancel amount negative zero", cancel(&iamport.CancelRequest{ImpUID: "imp_1", Amount: iamport.Amount(math.Copysign(0, -1))}), "amount", ""},
		{"onetime tax_free 3 decimals", onetime(func(r *iamport.OnetimeRequest) { r.TaxFree = 0.001 }), "tax_free", ""},
		{"onetime vat_amount negative", onetime(func(r *iamport.OnetimeRequest) { r.VatAmount = iamport.Ptr(iamport.Amount(-1)) }), "vat_amount", ""},
		{"onetime vat negative", onetime(func(r *iamport.OnetimeRequest) { r.Vat = -1 }), "vat", ""},
		{"onetime card number empty", onetime(func(r *iamport.OnetimeRequest) { r.CardNumber = "" }), "card_number", ""},
		{"onetime card number 13 digits", onetime(func(r *iamport.OnetimeRequest) { r.CardNumber = "5365-1023-4567-8" }), "card_number", "5365-1023"},
		{"onetime card number 20 digits", onetime(func(r *iamport.OnetimeRequest) { r.CardNumber = "53651023456789012345" }), "card_number", "53651023"},
		{"onetime KRW amount with a fraction", onetime(func(r *iamport.OnetimeRequest) { r.Amount = 8900.5 }), "amount", ""},
		{"onetime KRW tax_free with a fraction", onetime(func(r *iamport.OnetimeRequest) { r.TaxFree = 0.5 }), "tax_free", ""},
		{"onetime JPY amount with a fraction", onetime(func(r *iamport.OnetimeRequest) { r.Currency, r.Amount = "JPY", 100.25 }), "amount", ""},
		{"onetime expiry passed", onetime(func(r *iamport.OnetimeRequest) { r.Expiry = "2019-01" }), "expiry", "2019-01"},
		{"onetime card number letters", onetime(func(r *iamport.OnetimeRequest) { r.CardNumber = "5365-1023-4567-89AB" }), "card_number", "5365-1023"},
		{"onetime expiry empty", onetime(func(r *iamport.OnetimeRequest) { r.Expiry = "" }), "expiry", ""},
		{"onetime expiry slash", onetime(func(r *iamport.OnetimeRequest) { r.Expiry = "2031/11" }), "expiry", "2031/11"},
		{"onetime expiry short year", onetime(func(r *iamport.OnetimeRequest) { r.Expiry = "31-11" }), "expiry", "31-11"},
		{"onetime expiry month 13", onetime(func(r *iamport.OnetimeRequest) { r.Expiry = "2031-13" }), "expiry", "2031-13"},
		{"onetime expiry month 13 bare", onetime(func(r *iamport.OnetimeRequest) { r.Expiry = "203113" }), "expiry", "203113"},
		{"onetime expiry month 00", onetime(func(r *iamport.OnetimeRequest) { r.Expiry = "2031-00" }), "expiry", "2031-00"},
		{"onetime expiry letters", onetime(func(r *iamport.OnetimeRequest) { r.Expiry = "20X1-11" }), "expiry", "20X1-11"},
		{"onetime birth 5 digits", onetime(func(r *iamport.OnetimeRequest) { r.Birth = "88021" }), "birth", "88021"},
		{"onetime birth 8 digits", onetime(func(r *iamport.OnetimeRequest) { r.Birth = "19880214" }), "birth", "19880214"},
		{"onetime birth letter", onetime(func(r *iamport.OnetimeRequest) { r.Birth = "88O214" }), "birth", "88O214"},
		{"onetime pwd_2digit 1 digit", onetime(func(r *iamport.OnetimeRequest) { r.Pwd2Digit = "3" }), "pwd_2digit", ""},
		{"onetime pwd_2digit 3 digits", onetime(func(r *iamport.OnetimeRequest) { r.Pwd2Digit = "377" }), "pwd_2digit", "377"},
		{"onetime pwd_2digit letter", onetime(func(r *iamport.OnetimeRequest) { r.Pwd2Digit = "3a" }), "pwd_2digit", "3a"},

		// Again
		{"again nil", func(c *iamport.Client) error { _, err := c.Again(bg, nil); return err }, "request", ""},
		{"again empty customer_uid", again(func(r *iamport.AgainRequest) { r.CustomerUID = "" }), "customer_uid", ""},
		{"again customer_uid ..", again(func(r *iamport.AgainRequest) { r.CustomerUID = ".." }), "customer_uid", ""},
		{"again empty merchant_uid", again(func(r *iamport.AgainRequest) { r.MerchantUID = "" }), "merchant_uid", ""},
		{"again merchant_uid of 41", again(func(r *iamport.AgainRequest) { r.MerchantUID = long(41) }), "merchant_uid", ""},
		{"again amount 0", again(func(r *iamport.AgainRequest) { r.Amount = 0 }), "amount", ""},
		{"again amount 3 decimals", again(func(r *iamport.AgainRequest) { r.Amount = 1.001 }), "amount", ""},
		{"again KRW amount with a fraction", again(func(r *iamport.AgainRequest) { r.Amount = 8900.5 }), "amount", ""},
		{"again merchant_uid of 41 Hangul", again(func(r *iamport.AgainRequest) { r.MerchantUID = strings.Repeat("주", 41) }), "merchant_uid", ""},
		{"again product_count negative", again(func(r *iamport.AgainRequest) { r.ProductCount = -1 }), "product_count", ""},

		// Billing keys
		{"save nil", func(c *iamport.Client) error { _, err := c.SaveBillingKey(bg, nil); return err }, "request", ""},
		{"save empty customer_uid", save(func(r *iamport.SaveBillingKeyRequest) { r.CustomerUID = "" }), "customer_uid", ""},
		{"save card number short", save(func(r *iamport.SaveBillingKeyRequest) { r.CardNumber = "5365102345" }), "card_number", "5365102345"},
		{"save expiry bad", save(func(r *iamport.SaveBillingKeyRequest) { r.Expiry = "11/31" }), "expiry", "11/31"},
		{"save birth 7 digits", save(func(r *iamport.SaveBillingKeyRequest) { r.Birth = "8802141" }), "birth", "8802141"},
		{"save expiry passed", save(func(r *iamport.SaveBillingKeyRequest) { r.Expiry = "201901" }), "expiry", "201901"},
		{"save pwd_2digit 3 digits", save(func(r *iamport.SaveBillingKeyRequest) { r.Pwd2Digit = "371" }), "pwd_2digit", "371"},
		{"get billing key empty", func(c *iamport.Client) error { _, err := c.GetBillingKey(bg, ""); return err }, "customer_uid", ""},
		{"get billing key ..", func(c *iamport.Client) error { _, err := c.GetBillingKey(bg, ".."); return err }, "customer_uid", ""},
		{"delete billing key empty", func(c *iamport.Client) error { _, err := c.DeleteBillingKey(bg, ""); return err }, "customer_uid", ""},
		{"delete billing key with nil", func(c *iamport.Client) error { _, err := c.DeleteBillingKeyWith(bg, nil); return err }, "request", ""},
		{"delete billing key bad requester", func(c *iamport.Client) error {
			_, err := c.DeleteBillingKeyWith(bg, &iamport.DeleteBillingKeyRequest{CustomerUID: "cust-1", Requester: "boss"})
			return err
		}, "extra[requester]", ""},

		// Schedules
		{"schedule nil", func(c *iamport.Client) error { _, err := c.Schedule(bg, nil); return err }, "request", ""},
		{"schedule empty customer_uid", sched(func(r *iamport.ScheduleRequest) { r.CustomerUID = "" }), "customer_uid", ""},
		{"schedule none", sched(func(r *iamport.ScheduleRequest) { r.Schedules = nil }), "schedules", ""},
		{"schedule checking_amount negative", sched(func(r *iamport.ScheduleRequest) { r.CheckingAmount = -1 }), "checking_amount", ""},
		{"schedule checking_amount with a fraction", sched(func(r *iamport.ScheduleRequest) { r.CheckingAmount = 100.5 }), "checking_amount", ""},
		{"schedule empty merchant_uid", sched(func(r *iamport.ScheduleRequest) { r.Schedules[1].MerchantUID = "" }), "schedules[1].merchant_uid", ""},
		{"schedule merchant_uid of 41", sched(func(r *iamport.ScheduleRequest) { r.Schedules[0].MerchantUID = long(41) }), "schedules[0].merchant_uid", ""},
		{"schedule same merchant_uid twice", sched(func(r *iamport.ScheduleRequest) { r.Schedules[1].MerchantUID = "sub-1" }), "schedules[1].merchant_uid", ""},
		{"schedule in the past", sched(func(r *iamport.ScheduleRequest) { r.Schedules[1].ScheduleAt = time.Now().Add(-time.Minute) }), "schedules[1].schedule_at", ""},
		{"schedule without time", sched(func(r *iamport.ScheduleRequest) { r.Schedules[0].ScheduleAt = time.Time{} }), "schedules[0].schedule_at", ""},
		{"schedule amount 0", sched(func(r *iamport.ScheduleRequest) { r.Schedules[1].Amount = 0 }), "schedules[1].amount", ""},
		{"schedule KRW amount with a fraction", sched(func(r *iamport.ScheduleRequest) { r.Schedules[1].Amount = 8900.5 }), "schedules[1].amount", ""},
		{"schedule card expired", sched(func(r *iamport.ScheduleRequest) { r.CardNumber, r.Expiry = cardDashed, "2019-01" }), "expiry", ""},
		{"schedule amount 3 decimals", sched(func(r *iamport.ScheduleRequest) { r.Schedules[0].Amount = 9.999 }), "schedules[0].amount", ""},
		{"schedule product_count negative", sched(func(r *iamport.ScheduleRequest) { r.Schedules[1].ProductCount = -2 }), "schedules[1].product_count", ""},
		{"schedule birth without card", sched(func(r *iamport.ScheduleRequest) { r.Birth = birthValue }), "card_number", ""},
		{"schedule card without expiry", sched(func(r *iamport.ScheduleRequest) { r.CardNumber = cardDashed }), "expiry", ""},
		{"schedule card bad", sched(func(r *iamport.ScheduleRequest) { r.CardNumber, r.Expiry = "1234", expiryWire }), "card_number", ""},
		{"unschedule nil", func(c *iamport.Client) error { _, err := c.Unschedule(bg, nil); return err }, "request", ""},
		{"unschedule nothing named", unsched(&iamport.UnscheduleRequest{CustomerUID: "cust-1"}), "merchant_uid", ""},
		{"unschedule empty list", unsched(&iamport.UnscheduleRequest{CustomerUID: "cust-1", MerchantUIDs: []string{}}), "merchant_uid", ""},
		{"unschedule all without customer_uid", unsched(&iamport.UnscheduleRequest{All: true}), "customer_uid", ""},
		{"unschedule all with names", unsched(&iamport.UnscheduleRequest{CustomerUID: "cust-1", All: true, MerchantUIDs: []string{"sub-1"}}), "merchant_uid", ""},
		{"unschedule empty name", unsched(&iamport.UnscheduleRequest{MerchantUIDs: []string{""}}), "merchant_uid[0]", ""},
		{"unschedule name twice", unsched(&iamport.UnscheduleRequest{MerchantUIDs: []string{"sub-1", "sub-1"}}), "merchant_uid[1]", ""},
		{"get schedule empty", func(c *iamport.Client) error { _, err := c.GetSchedule(bg, ""); return err }, "merchant_uid", ""},
		{"get schedule ..", func(c *iamport.Client) error { _, err := c.GetSchedule(bg, ".."); return err }, "merchant_uid", ""},

		// Payments
		{"get payment empty", func(c *iamport.Client) error { _, err := c.GetPayment(bg, ""); return err }, "imp_uid", ""},
		{"get payment ..", func(c *iamport.Client) error { _, err := c.GetPayment(bg, ".."); return err }, "imp_uid", ""},
		{"find payment empty", func(c *iamport.Client) error { _, err := c.FindPayment(bg, ""); return err }, "merchant_uid", ""},
		{"find payment bad status", func(c *iamport.Client) error {
			_, err := c.FindPayment(bg, "order-1", iamport.FindPaymentParams{Status: "done"})
			return err
		}, "payment_status", ""},
		{"find payment bad sorting", func(c *iamport.Client) error {
			_, err := c.FindPayment(bg, "order-1", iamport.FindPaymentParams{Sorting: "newest"})
			return err
		}, "sorting", ""},
		{"find payment two params", func(c *iamport.Client) error {
			_, err := c.FindPayment(bg, "order-1", iamport.FindPaymentParams{}, iamport.FindPaymentParams{})
			return err
		}, "params", ""},
		{"cancel nil", func(c *iamport.Client) error { _, err := c.CancelPayment(bg, nil); return err }, "request", ""},
		{"cancel names nothing", cancel(&iamport.CancelRequest{Amount: 100}), "imp_uid", ""},
		{"cancel amount 0 without FullRefund", cancel(&iamport.CancelRequest{ImpUID: "imp_1"}), "amount", ""},
		{"cancel FullRefund with an amount", cancel(&iamport.CancelRequest{ImpUID: "imp_1", Amount: 100, FullRefund: true}), "full_refund", ""},
		{"cancel merchant_uid ..", cancel(&iamport.CancelRequest{MerchantUID: ".."}), "merchant_uid", ""},
		{"cancel amount negative", cancel(&iamport.CancelRequest{ImpUID: "imp_1", Amount: -1}), "amount", ""},
		{"cancel amount 3 decimals", cancel(&iamport.CancelRequest{ImpUID: "imp_1", Amount: 0.005}), "amount", ""},
		{"cancel amount over checksum", cancel(&iamport.CancelRequest{ImpUID: "imp_1", Amount: 101, Checksum: iamport.Ptr(iamport.Amount(100))}), "amount", ""},
		{"cancel checksum negative", cancel(&iamport.CancelRequest{ImpUID: "imp_1", FullRefund: true, Checksum: iamport.Ptr(iamport.Amount(-1))}), "checksum", ""},
		{"cancel tax_free NaN", cancel(&iamport.CancelRequest{ImpUID: "imp_1", FullRefund: true, TaxFree: iamport.Ptr(iamport.Amount(math.NaN()))}), "tax_free", ""},
		{"cancel bad requester", cancel(&iamport.CancelRequest{ImpUID: "imp_1", FullRefund: true, Extra: &iamport.CancelExtra{Requester: "boss"}}), "extra.requester", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			err := tt.call(m.client())
			var ve *iamport.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tt.field, ve.Field)
			require.NotEmpty(t, ve.Reason)
			require.Equal(t, "iamport: invalid "+tt.field+": "+ve.Reason, err.Error())
			if tt.hidden != "" {
				require.NotContains(t, err.Error(), tt.hidden)
			}
			requireNoSecrets(t, err.Error(), "validation error")
			// Rules judged on the server's clock fetch the token first;
			// nothing else is sent.
			require.Equal(t, m.tokenCalls(), m.total(), "nothing may be sent")
		})
	}
}

// Valid edge values pass validation.
func TestValidationAccepts(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	var charges atomic.Int64
	m.on(http.MethodPost, onetimePath, func(req *http.Request) (*http.Response, error) {
		var body struct {
			MerchantUID string `json:"merchant_uid"`
		}
		if err := json.NewDecoder(req.Body).Decode(&body); err != nil {
			return nil, err
		}
		// The answer names the order sent, and is a payment of its own, as
		// each attempt of an order is: these cases charge order-1 again
		// and again, and an answer naming an earlier attempt's payment
		// would be no answer of the call.
		n := charges.Add(1)
		return jsonResponse(http.StatusOK, envelope(payment(body.MerchantUID, "imp_uid", fmt.Sprintf("imp_accepts_%d", n)))), nil
	})
	c := m.client()
	for _, edit := range []func(r *iamport.OnetimeRequest){
		func(r *iamport.OnetimeRequest) { r.MerchantUID = strings.Repeat("m", 40) },
		func(r *iamport.OnetimeRequest) { r.Birth = "1234567890" },
		func(r *iamport.OnetimeRequest) { r.Birth, r.Pwd2Digit = "", "" },
		func(r *iamport.OnetimeRequest) { r.Currency, r.Amount = "USD", 0.01 },
		func(r *iamport.OnetimeRequest) { r.Currency, r.Amount = "USD", 1234567890.12 },
		func(r *iamport.OnetimeRequest) { r.Currency, r.Amount = "usd", 99999999999.99 },
		func(r *iamport.OnetimeRequest) { r.Currency, r.Amount = "USD", iamport.Amount(0.1).Add(0.2) },
		func(r *iamport.OnetimeRequest) { r.Amount, r.TaxFree = 100, 100 },
		func(r *iamport.OnetimeRequest) { r.Expiry = "2031-01" },
		func(r *iamport.OnetimeRequest) { r.CVC = "1234" },
		func(r *iamport.OnetimeRequest) { r.CustomerUID = strings.Repeat("c", 80) },
		func(r *iamport.OnetimeRequest) { r.CardQuota = iamport.Ptr(60) },
		func(r *iamport.OnetimeRequest) { r.Name = strings.Repeat("가", 40) },
		// Never refused: descriptive text of any length, identifiers
		// other than a new merchant_uid, the card lengths of Diners (14)
		// and UnionPay (19), a cvc the PG will judge, fractions in USD.
		func(r *iamport.OnetimeRequest) { r.MerchantUID = strings.Repeat("주", 40) },
		func(r *iamport.OnetimeRequest) { r.Name = strings.Repeat("가", 300) },
		func(r *iamport.OnetimeRequest) {
			r.BuyerName, r.BuyerPostcode = strings.Repeat("홍", 50), "1234567890"
		},
		func(r *iamport.OnetimeRequest) { r.CustomData = strings.Repeat("{}", 5000) },
		func(r *iamport.OnetimeRequest) { r.CustomerUID = strings.Repeat("c", 200) },
		func(r *iamport.OnetimeRequest) { r.CardNumber = "3056-930902-5904" },
		func(r *iamport.OnetimeRequest) { r.CardNumber = "6212 3456 7890 1234 567" },
		func(r *iamport.OnetimeRequest) { r.CVC = "41" },
		func(r *iamport.OnetimeRequest) { r.CardQuota = iamport.Ptr(72) },
		func(r *iamport.OnetimeRequest) { r.Currency, r.Amount = "USD", 10.5 },
		func(r *iamport.OnetimeRequest) { r.TaxFree = 9000 },
		func(r *iamport.OnetimeRequest) { r.Expiry = time.Now().In(seoul).Format("2006-01") },
	} {
		r := onetimeReq("order-1")
		edit(r)
		_, err := c.Onetime(bg, r)
		require.NoError(t, err)
	}
}

// Schedule times and card expiry are judged on the server's clock, known
// from the token answer fetched first, not on the local one.
func TestValidationUsesTheServerClock(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, "/users/getToken", tokenResponder(testToken, 2*time.Hour, 1800))
	m.on(http.MethodPost, schedulePath, ok([]any{}))
	c := m.client()
	_, err := c.Schedule(bg, &iamport.ScheduleRequest{CustomerUID: "cust-1", Schedules: []iamport.ScheduleEntry{
		{MerchantUID: "sub-1", ScheduleAt: time.Now().Add(time.Hour), Amount: 8900},
	}})
	var ve *iamport.ValidationError
	require.ErrorAs(t, err, &ve, "an hour ahead locally is an hour ago on a server two hours ahead")
	require.Equal(t, "schedules[0].schedule_at", ve.Field)
	require.Zero(t, m.count(http.MethodPost, schedulePath))
	require.Equal(t, 1, m.tokenCalls())

	// A server whose clock is years behind accepts a time in its future.
	m2 := newMock(t)
	m2.on(http.MethodPost, "/users/getToken", tokenResponder(testToken, -3*365*24*time.Hour, 1800))
	m2.on(http.MethodPost, schedulePath, ok([]any{schedule("cust-1", "sub-1", time.Now().Add(-365*24*time.Hour).Unix())}))
	_, err = m2.client().Schedule(bg, &iamport.ScheduleRequest{CustomerUID: "cust-1", Schedules: []iamport.ScheduleEntry{
		{MerchantUID: "sub-1", ScheduleAt: time.Now().Add(-365 * 24 * time.Hour), Amount: 8900},
	}})
	require.NoError(t, err)
	require.Equal(t, 1, m2.tokenCalls(), "one token for the clock and the request")
}

func TestNewValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		key    string
		secret string
		opt    iamport.Option
		field  string
	}{
		{"empty key", "", testSecret, nil, "imp_key"},
		{"blank key", "  ", testSecret, nil, "imp_key"},
		{"empty secret", testKey, "", nil, "imp_secret"},
		{"blank secret", testKey, " \t", nil, "imp_secret"},
		{"base URL without scheme", testKey, testSecret, iamport.WithBaseURL("api.iamport.kr"), "base_url"},
		{"base URL ftp", testKey, testSecret, iamport.WithBaseURL("ftp://api.iamport.kr"), "base_url"},
		{"base URL without host", testKey, testSecret, iamport.WithBaseURL("https://"), "base_url"},
		{"base URL unparsable", testKey, testSecret, iamport.WithBaseURL("https://a b\x7f"), "base_url"},
		{"base URL with query", testKey, testSecret, iamport.WithBaseURL("https://api.iamport.kr?x=1"), "base_url"},
		{"base URL with fragment", testKey, testSecret, iamport.WithBaseURL("https://api.iamport.kr#x"), "base_url"},
		{"nil http client", testKey, testSecret, iamport.WithHTTPClient(nil), "http_client"},
		{"zero timeout", testKey, testSecret, iamport.WithTimeout(0), "timeout"},
		{"negative timeout", testKey, testSecret, iamport.WithTimeout(-time.Second), "timeout"},
		{"empty tier", testKey, testSecret, iamport.WithTier(" "), "tier"},
		{"tier with newline", testKey, testSecret, iamport.WithTier("T1\r\nX-Evil: 1"), "tier"},
		{"negative retries", testKey, testSecret, iamport.WithMaxRetries(-1), "max_retries"},
		{"too many retries", testKey, testSecret, iamport.WithRetry(iamport.RetryPolicy{MaxRetries: 11}), "max_retries"},
		{"negative backoff", testKey, testSecret, iamport.WithRetry(iamport.RetryPolicy{MinBackoff: -1}), "backoff"},
		{"zero reconcile timeout", testKey, testSecret, iamport.WithReconcileTimeout(0), "reconcile_timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			c, err := iamport.New(tt.key, tt.secret, iamport.WithHTTPClient(&http.Client{Transport: m.mt}), tt.opt)
			require.Nil(t, c)
			var ve *iamport.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tt.field, ve.Field)
			requireNoSecrets(t, err.Error(), "New error")
			require.Zero(t, m.total())
		})
	}
}

// A refund of a KRW payment with a fraction is refused once the SDK has
// looked the payment up (iamport: "취소금액은 정수여야 합니다."); in USD it
// goes out.
func TestRefundFractionJudgedByThePaymentsCurrency(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodGet, "/payments/imp_krw", ok(payment("order-krw", "imp_uid", "imp_krw", "amount", 8901)))
	m.on(http.MethodGet, "/payments/imp_usd", ok(payment("order-usd", "imp_uid", "imp_usd", "amount", 89.01, "currency", "USD")))
	m.on(http.MethodPost, cancelPath, ok(payment("order-usd", "imp_uid", "imp_usd", "amount", 89.01, "currency", "USD", "cancel_amount", 44.5)))
	c := m.client()
	_, err := c.CancelPayment(bg, &iamport.CancelRequest{ImpUID: "imp_krw", Amount: iamport.Amount(8901) / 2})
	var ve *iamport.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "amount", ve.Field)
	require.Contains(t, ve.Reason, "whole number in KRW")
	require.Zero(t, m.count(http.MethodPost, cancelPath))

	p, err := c.CancelPayment(bg, &iamport.CancelRequest{ImpUID: "imp_usd", Amount: 44.5})
	require.NoError(t, err)
	require.Equal(t, iamport.Amount(44.5), p.CancelAmount)
}
