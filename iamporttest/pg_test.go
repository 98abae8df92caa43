package iamporttest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// The PG-specific endpoints read form-encoded bodies (PHP-style lists) as
// well as JSON, answer 207 with the processed product orders when only some
// are, and refuse missing parameters with 400.
func TestPGEndpointsRaw(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	tok := getToken(t, s)
	p := s.NaverPayment("raw-naver", iamport.NaverProductOrder{ProductOrderID: "po-1", ProductAmount: 1000},
		iamport.NaverProductOrder{ProductOrderID: "po-2", ProductAmount: 2000, ProductOrderStatus: iamport.NaverDelivered})

	r := do(t, s, "POST", "/payments/"+p.ImpUID+"/naver/cancel", tok, url.Values{"product_order_id[]": {"po-1", "po-2"}, "reason": {"SOLD_OUT"}})
	require.Equal(t, http.StatusMultiStatus, r.status, string(r.body))
	l := r.list(t)
	require.Len(t, l, 1)
	require.Equal(t, "po-1", l[0]["product_order_id"])
	require.Equal(t, "CANCELED", l[0]["product_order_status"])

	r = do(t, s, "POST", "/payments/"+p.ImpUID+"/naver/cancel", tok, map[string]any{"product_order_id": []string{"po-1"}})
	require.Equal(t, http.StatusOK, r.status)
	require.NotZero(t, r.env.Code, "a cancelled product order is not cancelled again")

	r = do(t, s, "POST", "/payments/"+p.ImpUID+"/naver/ship", tok, map[string]any{"delivery_method": "DELIVERY"})
	require.Equal(t, http.StatusBadRequest, r.status, "dispatched_at is required")
	r = do(t, s, "POST", "/payments/imp_unknown/naver/place", tok, nil)
	require.Equal(t, http.StatusNotFound, r.status)
	r = do(t, s, "GET", "/naver/reviews?channel_key=c&from=10&to=5&review_type=general", tok, nil)
	require.Equal(t, http.StatusBadRequest, r.status)
	r = do(t, s, "GET", "/payments/"+p.ImpUID+"/naver/product-orders", "", nil)
	require.Equal(t, http.StatusUnauthorized, r.status)

	r = do(t, s, "POST", "/kcpquick/prepare/o-1", tok, url.Values{"btid": {"b"}, "cust_ip": {"1.2.3.4"}})
	require.Equal(t, http.StatusBadRequest, r.status, "code_verifier is required")
	r = do(t, s, "DELETE", "/kcpquick/members/m-1?site_code=a&partner_type=b", tok, nil)
	require.Equal(t, http.StatusBadRequest, r.status, "partner_subtype is required")
	r = do(t, s, "GET", "/kcpquick/autopay/k-1", tok, nil)
	require.Equal(t, http.StatusMethodNotAllowed, r.status)

	s.SetBenepiaAccount("u", "pw", 5000)
	r = do(t, s, "POST", "/benepia/point", tok, url.Values{"benepia_user": {"u"}, "benepia_password": {"pw"}, "channel_key": {"c"}})
	require.Equal(t, http.StatusOK, r.status)
	require.EqualValues(t, 5000, r.obj(t)["point"])
	r = do(t, s, "POST", "/benepia/payment", tok, map[string]any{"benepia_user": "u", "benepia_password": "pw", "channel_key": "c",
		"merchant_uid": "bnp-raw", "amount": 1000, "name": "n", "notice_url": []string{}})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	require.Equal(t, "paid", r.obj(t)["status"])

	r = do(t, s, "POST", "/cvs", tok, url.Values{"channel_key": {"c"}, "merchant_uid": {"cvs-raw"}, "amount": {"3000"}, "expired_at": {"1767312000"}})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	require.Equal(t, "ready", r.obj(t)["status"])
	require.EqualValues(t, 1767312000, r.obj(t)["vbank_date"])
	r = do(t, s, "DELETE", "/cvs/imp_none", tok, nil)
	require.NotZero(t, r.env.Code)

	r = do(t, s, "POST", "/payco/orders/status/"+p.ImpUID, tok, url.Values{"status": {"NOPE"}})
	require.Equal(t, http.StatusBadRequest, r.status)
	r = do(t, s, "POST", "/paymentwall/delivery", tok, url.Values{"imp_uid": {p.ImpUID}})
	require.Equal(t, http.StatusBadRequest, r.status)
}
