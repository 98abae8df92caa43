package iamporttest_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// The area endpoints on the wire: form-encoded bodies, the API's statuses
// and JSON shapes, tokens required.

func TestVbankOverFormAndWire(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	tok := getToken(t, s)
	due := strconv.FormatInt(s.Now().Add(time.Hour).Unix(), 10)
	form := url.Values{"channel_key": {"ck"}, "merchant_uid": {"form-vb"}, "amount": {"5000"}, "vbank_code": {"020"},
		"vbank_due": {due}, "notice_url[]": {"https://shop.example/a", "https://shop.example/b"}}
	r := do(t, s, "POST", "/vbanks", tok, form)
	require.Equal(t, 200, r.status, string(r.body))
	p := r.obj(t)
	require.Equal(t, "vbank", p["pay_method"])
	require.Equal(t, "ready", p["status"])
	require.Equal(t, "우리은행", p["vbank_name"])
	require.Equal(t, float64(0), p["paid_at"])
	require.Nil(t, p["card_number"], "no card data on a virtual account")
	require.Equal(t, due, strconv.FormatFloat(p["vbank_date"].(float64), 'f', -1, 64))

	// A token is required; missing fields are refused with 400.
	require.Equal(t, 401, do(t, s, "POST", "/vbanks", "", form).status)
	r = do(t, s, "POST", "/vbanks", tok, url.Values{"merchant_uid": {"x"}})
	require.Equal(t, 400, r.status)
	require.Contains(t, r.msg(), "channel_key")
	r = do(t, s, "PUT", "/vbanks/imp_000000000000", tok, map[string]any{"amount": 100})
	require.Equal(t, 404, r.status)
	r = do(t, s, "GET", "/vbanks/holder?bank_code=004", tok, nil)
	require.Equal(t, 400, r.status)
	require.Contains(t, r.msg(), "bank_num")
	// A card payment is not a virtual account.
	cl := s.Client()
	card, err := cl.Onetime(context.Background(), onetime("card-1", iamporttest.CardApproved, 1000))
	require.NoError(t, err)
	r = do(t, s, "DELETE", "/vbanks/"+card.ImpUID, tok, nil)
	require.Equal(t, 400, r.status)
	require.Error(t, s.Deposit(card.ImpUID))
	require.Error(t, s.Deposit("imp_000000000000"))
	r = do(t, s, "POST", "/receipts/"+card.ImpUID, tok, map[string]any{"identifier": "01012345678"})
	require.Equal(t, 400, r.status, "a cash receipt needs a cash payment")
}

func TestCertificationWireShape(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	tok := getToken(t, s)
	r := do(t, s, "POST", "/certifications/otp/request", tok, url.Values{"name": {"이순신"}, "phone": {"010.2222.3333"},
		"birth": {"05-01-02"}, "gender_digit": {"4"}, "carrier": {"LGT"}, "is_mvno": {"true"}, "channel_key": {"ck"}})
	require.Equal(t, 200, r.status, string(r.body))
	imp := r.obj(t)["imp_uid"].(string)
	r = do(t, s, "POST", "/certifications/otp/confirm/"+imp, tok, map[string]any{})
	require.Equal(t, 400, r.status, "the code is required")
	r = do(t, s, "POST", "/certifications/otp/confirm/"+imp, tok, map[string]any{"otp": iamporttest.TestOTP})
	require.Equal(t, 200, r.status, string(r.body))
	c := r.obj(t)
	require.Equal(t, "2005-01-02", c["birthday"])
	require.Equal(t, "female", c["gender"])
	require.Equal(t, "01022223333", c["phone"])
	require.Equal(t, "LGT_MVNO", c["carrier"])
	require.Equal(t, false, c["foreigner"])
	require.Nil(t, c["merchant_uid"])
	require.Nil(t, c["origin"])
	require.Equal(t, true, c["certified"])

	// The same person gets the same CI in another verification.
	r2 := do(t, s, "POST", "/certifications/otp/request", tok, map[string]any{"name": "이순신", "phone": "01022223333",
		"birth": "050102", "gender_digit": "4", "carrier": "LGT", "channel_key": "ck"})
	imp2 := r2.obj(t)["imp_uid"].(string)
	c2 := do(t, s, "POST", "/certifications/otp/confirm/"+imp2, tok, map[string]any{"otp": iamporttest.TestOTP}).obj(t)
	require.Equal(t, c["unique_key"], c2["unique_key"])
	require.NotEqual(t, imp, imp2)

	r = do(t, s, "POST", "/certifications/otp/confirm/imp_000000000000", tok, map[string]any{"otp": iamporttest.TestOTP})
	require.Equal(t, 404, r.status)
	r = do(t, s, "POST", "/certifications/otp/request", tok, map[string]any{"name": "a", "phone": "123", "birth": "050102",
		"gender_digit": "4", "carrier": "LGT", "channel_key": "ck"})
	require.Equal(t, 400, r.status)
}

func TestEscrowAndCodesWire(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	tok := getToken(t, s)
	cl := s.Client()
	p, err := cl.Onetime(context.Background(), onetime("escrow-1", iamporttest.CardApproved, 1000))
	require.NoError(t, err)
	r := do(t, s, "POST", "/escrows/logis/"+p.ImpUID, tok, map[string]any{"logis": map[string]any{"company": "c", "invoice": "i", "sent_at": 1}})
	require.Equal(t, 400, r.status)
	require.Contains(t, r.msg(), "sender")
	body := map[string]any{"sender": map[string]any{}, "receiver": map[string]any{}, "logis": map[string]any{"company": "c", "invoice": "i"}}
	r = do(t, s, "POST", "/escrows/logis/"+p.ImpUID, tok, body)
	require.Equal(t, 400, r.status)
	require.Contains(t, r.msg(), "sent_at")
	r = do(t, s, "PUT", "/escrows/logis/"+p.ImpUID, tok, body)
	require.Equal(t, 409, r.status, "nothing registered to change")
	r = do(t, s, "POST", "/escrows/logis/imp_000000000000", tok, body)
	require.Equal(t, 404, r.status)

	banks := do(t, s, "GET", "/banks", tok, nil).list(t)
	require.NotEmpty(t, banks)
	require.Equal(t, map[string]any{"code": "002", "name": "KDB산업은행"}, banks[0])
	require.Equal(t, 404, do(t, s, "GET", "/cards/000", tok, nil).status)
	require.Equal(t, 401, do(t, s, "GET", "/cards", "", nil).status)
	pg := do(t, s, "GET", "/users/pg", tok, nil).list(t)
	require.Len(t, pg, 1)
	require.Equal(t, "api_payment", pg[0]["type"])

	require.Panics(t, func() { s.AddTier("toolong", "x") })
	require.Panics(t, func() { s.AddTier("ab1", "x") })
}

// A deposit's webhook goes to the first notice_url given at issue, and the
// receiver can verify the payment with the fake while it handles it.
func TestDepositWebhookToNoticeURL(t *testing.T) {
	t.Parallel()
	s := newFake(t, iamporttest.WithWebhookForm())
	cl := s.Client()
	var status iamport.PaymentStatus
	rc := &receiver{}
	hs := httptest.NewServer(rc)
	defer hs.Close()
	rc.onHook = func(body []byte) {
		q, _ := url.ParseQuery(string(body))
		p, err := cl.GetPayment(context.Background(), q.Get("imp_uid"))
		if err == nil {
			status = p.Status
		}
	}
	p, err := cl.IssueVbank(context.Background(), &iamport.VbankRequest{ChannelKey: "ck", MerchantUID: "hook-vb", Amount: 3000,
		VbankCode: "004", VbankDue: s.Now().Add(time.Hour), NoticeURL: []string{hs.URL + "/first", hs.URL + "/second"}})
	require.NoError(t, err)
	require.Empty(t, s.Webhooks(), "issuing sends no webhook")
	require.NoError(t, s.Deposit(p.ImpUID))
	hooks := s.Webhooks()
	require.Len(t, hooks, 1)
	require.Equal(t, hs.URL+"/first", hooks[0].URL)
	require.Equal(t, "paid", hooks[0].Status)
	require.Equal(t, 200, hooks[0].StatusCode)
	require.Equal(t, iamport.PaymentStatusPaid, status, "the receiver saw the payment paid")
	require.Equal(t, []string{"application/x-www-form-urlencoded"}, rc.ctypes)
}
