package iamport_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

const (
	onetimePath = "/subscribe/payments/onetime"
	againPath   = "/subscribe/payments/again"
	findPrefix  = "/payments/find/"
)

// lostAnswer is a failure after the request may have reached the server: not
// a dial error, so the SDK must not re-send a payment blindly.
var lostAnswer = &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}

// refused is a failure before anything was sent: safe to re-send.
var refused = &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}

func TestOnetime(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, onetimePath, ok(payment("order-1", "customer_uid", "cust-1", "card_quota", 3.0)))
	c := m.client()

	req := &iamport.OnetimeRequest{
		MerchantUID: "order-1", Amount: 8900, CardNumber: cardDigits, Expiry: expiryBare,
		Birth: birthValue, Pwd2Digit: pwdValue, CustomerUID: "cust-1", Name: "월간 이용권",
		BuyerName: "홍길동", BuyerEmail: "hong@example.com", CardQuota: iamport.Ptr(3),
		VatAmount: iamport.Ptr(iamport.Amount(0)), NoticeURL: "https://shop.example.com/hook",
	}
	p, err := c.Onetime(bg, req)
	require.NoError(t, err)

	r := m.only(http.MethodPost, onetimePath)
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	require.Equal(t, testToken, r.Header.Get("Authorization"))
	require.JSONEq(t, `{
		"merchant_uid": "order-1", "amount": 8900,
		"customer_uid": "cust-1",
		"card_number": "5365-1023-4567-8901", "expiry": "2031-11", "birth": "880214", "pwd_2digit": "37",
		"customer_uid": "cust-1", "name": "월간 이용권", "buyer_name": "홍길동", "buyer_email": "hong@example.com",
		"card_quota": 3, "vat_amount": 0, "notice_url": "https://shop.example.com/hook"
	}`, r.Body)

	// The caller's request is not rewritten.
	require.Equal(t, cardDigits, req.CardNumber)
	require.Equal(t, expiryBare, req.Expiry)

	require.Equal(t, "imp_100000000001", p.ImpUID)
	require.Equal(t, "order-1", p.MerchantUID)
	require.Equal(t, iamport.PaymentStatusPaid, p.Status)
	require.True(t, p.Paid())
	require.Equal(t, iamport.Amount(8900), p.Amount)
	require.Equal(t, iamport.Int(3), p.CardQuota)
	require.Equal(t, iamport.CardTypeCredit, p.CardType)
	require.Equal(t, "cust-1", p.CustomerUID)
	require.Equal(t, int64(1767225601), p.PaidAt.Unix())
	require.True(t, p.FailedAt.IsZero())
}

func TestOnetimeAmexNumber(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, onetimePath, ok(payment("order-amex")))
	c := m.client()
	req := onetimeReq("order-amex")
	req.CardNumber = "3712 345678 90123"
	_, err := c.Onetime(bg, req)
	require.NoError(t, err)
	body := m.only(http.MethodPost, onetimePath).Body
	require.Contains(t, body, `"card_number":"3712-345678-90123"`)
}

func TestAgain(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, againPath, ok(payment("order-2", "amount", 10.5, "currency", "USD", "customer_uid", "cust-1",
		"customer_uid_usage", "payment")))
	c := m.client()

	p, err := c.Again(bg, &iamport.AgainRequest{
		CustomerUID: "cust-1", MerchantUID: "order-2", Amount: 10.5, Currency: "USD", Name: "월간 이용권",
		TaxFree: 0.5, CardQuota: iamport.Ptr(0), InterestFreeByMerchant: iamport.Ptr(false),
		ProductCount: 2, Extra: &iamport.PaymentExtra{NaverUseCfm: "20270101"}, ChannelKey: "channel-key-1",
	})
	require.NoError(t, err)
	r := m.only(http.MethodPost, againPath)
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	require.JSONEq(t, `{
		"customer_uid": "cust-1", "merchant_uid": "order-2", "amount": 10.5, "currency": "USD",
		"name": "월간 이용권", "tax_free": 0.5, "card_quota": 0, "interest_free_by_merchant": false,
		"product_count": 2, "extra": {"naverUseCfm": "20270101"}, "channel_key": "channel-key-1"
	}`, r.Body)
	require.Equal(t, iamport.Amount(10.5), p.Amount)
	require.Equal(t, "USD", p.Currency)
	require.Equal(t, "payment", p.CustomerUIDUsage)
	require.Equal(t, 1, m.count(http.MethodGet, findAllPrefix+"order-2"), "no reconciliation after a clean answer")
}

func TestChargeDeclined(t *testing.T) {
	t.Parallel()
	declined := payment("order-3", "status", "failed", "paid_at", 0, "failed_at", 1767225601,
		"fail_reason", "[8326] 한도초과")
	tests := []struct {
		name string
		path string
		call func(c *iamport.Client) (*iamport.Payment, error)
	}{
		{"onetime", onetimePath, func(c *iamport.Client) (*iamport.Payment, error) {
			return c.Onetime(bg, onetimeReq("order-3"))
		}},
		{"again", againPath, func(c *iamport.Client) (*iamport.Payment, error) {
			return c.Again(bg, &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-3", Amount: 8900})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(http.MethodPost, tt.path, ok(declined))
			p, err := tt.call(m.client())
			require.Error(t, err)
			var de *iamport.DeclinedError
			require.ErrorAs(t, err, &de)
			require.NotNil(t, p, "a declined charge returns the failed Payment too")
			require.Same(t, p, de.Payment)
			require.Equal(t, iamport.PaymentStatusFailed, p.Status)
			require.False(t, p.Paid())
			require.Equal(t, "[8326] 한도초과", p.FailReason)
			require.Contains(t, err.Error(), "[8326] 한도초과")
			require.Contains(t, err.Error(), "order-3")
			require.Equal(t, 1, m.count(http.MethodPost, tt.path))
		})
	}
}

// A charge whose answer is lost is looked up by merchant_uid, never re-sent
// blindly.
func TestChargeLostAnswerReconciles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		answer func(*mock)
	}{
		{"connection reset", func(m *mock) { m.on(http.MethodPost, againPath, fail(lostAnswer)) }},
		{"unexpected EOF", func(m *mock) { m.on(http.MethodPost, againPath, fail(io.ErrUnexpectedEOF)) }},
		{"500 HTML", func(m *mock) {
			m.on(http.MethodPost, againPath, raw(500, "text/html", "<html><body>Internal Server Error</body></html>"))
		}},
		{"504 from a proxy", func(m *mock) { m.on(http.MethodPost, againPath, raw(504, "text/html", "<html>504</html>")) }},
		{"truncated JSON", func(m *mock) {
			m.on(http.MethodPost, againPath, reply(200, `{"code":0,"message":null,"response":{"imp_uid":"imp_1`))
		}},
		{"empty 200", func(m *mock) { m.on(http.MethodPost, againPath, reply(200, "")) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			tt.answer(m)
			m.on(http.MethodGet, findAllPrefix+"order-4", appears(payment("order-4", "customer_uid", "cust-1")))
			p, err := m.client().Again(bg, &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-4", Amount: 8900})
			require.NoError(t, err)
			require.True(t, p.Paid())
			require.Equal(t, "imp_100000000001", p.ImpUID)
			require.Equal(t, 1, m.count(http.MethodPost, againPath), "the charge must not be re-sent")
			require.Equal(t, 2, m.count(http.MethodGet, findAllPrefix+"order-4"), "one look before, one after")
		})
	}
}

func TestChargeLostAnswerDeclinedByThisCall(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, onetimePath, fail(lostAnswer))
	m.on(http.MethodGet, findAllPrefix+"order-5", appears(payment("order-5", "status", "failed", "paid_at", 0,
		"failed_at", time.Now().Unix(), "fail_reason", "잔액부족")))
	p, err := m.client().Onetime(bg, onetimeReq("order-5"))
	var de *iamport.DeclinedError
	require.ErrorAs(t, err, &de)
	require.Equal(t, "잔액부족", p.FailReason)
	require.Equal(t, 1, m.count(http.MethodPost, onetimePath))
}

// When the lookups keep showing nothing, the charge may still be running:
// it is never sent again, and the outcome is unknown.
func TestChargeLostAnswerNothingFoundIsNotResent(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, againPath, seq(fail(lostAnswer), ok(payment("order-6"))))
	p, err := m.client(iamport.WithReconcileTimeout(300*time.Millisecond)).Again(bg,
		&iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-6", Amount: 8900})
	require.Nil(t, p)
	var ou *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	require.Equal(t, 1, m.count(http.MethodPost, againPath))
	require.Greater(t, m.count(http.MethodGet, findAllPrefix+"order-6"), 1)
}

// An older, failed attempt of the order, there before the call, is not this
// call's outcome, however the clocks compare: the new attempt is.
func TestChargeLostAnswerOlderFailedAttempt(t *testing.T) {
	t.Parallel()
	older := payment("order-7", "imp_uid", "imp_100000000007", "status", "failed", "paid_at", 0,
		"failed_at", time.Now().Add(-30*time.Minute).Unix(), "customer_uid", "cust-1")
	for name, clock := range map[string]func() time.Time{
		"same clock":         time.Now,
		"local clock skewed": func() time.Time { return time.Now().Add(-time.Hour) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(http.MethodPost, againPath, fail(lostAnswer))
			m.on(http.MethodGet, findAllPrefix+"order-7", seq(attempts(older), attempts(older, payment("order-7", "customer_uid", "cust-1"))))
			p, err := m.client(iamport.WithClock(clock)).Again(bg, &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-7", Amount: 8900})
			require.NoError(t, err)
			require.True(t, p.Paid())
			require.Equal(t, "imp_100000000001", p.ImpUID)
			require.Equal(t, 1, m.count(http.MethodPost, againPath))
		})
	}
}

func TestChargeLostAnswerUnknownOutcome(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, againPath, fail(lostAnswer))
	m.on(http.MethodGet, findAllPrefix+"order-10", seq(attempts(), raw(502, "text/html", "<html>bad gateway</html>")))
	p, err := m.client(iamport.WithMaxRetries(0)).Again(bg,
		&iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-10", Amount: 8900})
	require.Nil(t, p)
	var ou *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	require.Equal(t, "order-10", ou.MerchantUID)
	require.ErrorIs(t, err, syscall.ECONNRESET, "the cause stays inspectable")
	require.Contains(t, err.Error(), "FindPayments")
	require.Equal(t, 1, m.count(http.MethodPost, againPath), "an unknown outcome is never re-sent")
	require.GreaterOrEqual(t, m.count(http.MethodGet, findAllPrefix+"order-10"), 2)
}

// The caller's deadline ends the charge mid-flight: the outcome is unknown,
// and the error still says why.
func TestChargeCallerDeadline(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, againPath, func(req *http.Request) (*http.Response, error) {
		<-req.Context().Done()
		return nil, req.Context().Err()
	})
	ctx, cancel := context.WithTimeout(bg, 500*time.Millisecond)
	defer cancel()
	_, err := m.client().Again(ctx, &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-11", Amount: 8900})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var ou *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	require.Equal(t, 1, m.count(http.MethodPost, againPath))
}

// A dial error provably happened before anything was sent: the charge is
// re-sent without any lookup.
func TestChargeDialErrorIsRetried(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, againPath, seq(fail(refused), fail(&net.DNSError{Err: "no such host", Name: "api.iamport.kr"}),
		ok(payment("order-12"))))
	p, err := m.client().Again(bg, &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-12", Amount: 8900})
	require.NoError(t, err)
	require.True(t, p.Paid())
	require.Equal(t, 3, m.count(http.MethodPost, againPath))
	require.Equal(t, 1, m.count(http.MethodGet, findAllPrefix+"order-12"), "only the look before sending")
}

func TestChargeDialErrorStopsAtMaxRetries(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, againPath, fail(refused))
	_, err := m.client(iamport.WithMaxRetries(1)).Again(bg,
		&iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-13", Amount: 8900})
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
	var ou *iamport.OutcomeUnknownError
	require.False(t, errors.As(err, &ou), "nothing was sent, so the outcome is known: not charged")
	require.Equal(t, 2, m.count(http.MethodPost, againPath))
}

// A refusal with a non-zero code is a plain APIError: nothing to reconcile.
func TestChargeAPIErrorIsNotReconciled(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, againPath, reply(200, failure(-1, "등록되지 않은 구매자입니다.")))
	_, err := m.client().Again(bg, &iamport.AgainRequest{CustomerUID: "nobody", MerchantUID: "order-14", Amount: 8900})
	var ae *iamport.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, -1, ae.Code)
	require.Equal(t, "등록되지 않은 구매자입니다.", ae.Message)
	require.Equal(t, 1, m.count(http.MethodPost, againPath))
}

func TestSaveBillingKey(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, "/subscribe/customers/cust-1", ok(billingKey("cust-1")))
	c := m.client(iamport.WithBearerAuth())
	bk, err := c.SaveBillingKey(bg, &iamport.SaveBillingKeyRequest{
		CustomerUID: "cust-1", CardNumber: cardDigits, Expiry: expiryBare, Birth: birthValue, Pwd2Digit: pwdValue,
		ChannelKey: "channel-key-1", CustomerName: "홍길동", CustomerEmail: "hong@example.com",
	})
	require.NoError(t, err)
	r := m.only(http.MethodPost, "/subscribe/customers/cust-1")
	require.Equal(t, "Bearer "+testToken, r.Header.Get("Authorization"))
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	require.JSONEq(t, `{
		"customer_uid": "cust-1",
		"card_number": "5365-1023-4567-8901", "expiry": "2031-11", "birth": "880214", "pwd_2digit": "37",
		"channel_key": "channel-key-1", "customer_name": "홍길동", "customer_email": "hong@example.com"
	}`, r.Body)
	require.Equal(t, "cust-1", bk.CustomerUID)
	require.Equal(t, iamport.CardTypeCheck, bk.CardType)
	require.Equal(t, "BC카드", bk.CardName)
	require.Equal(t, int64(1767225600), bk.Inserted.Unix())
	require.True(t, bk.Updated.IsZero())
}

func TestSaveBillingKeyRefusedByPG(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, "/subscribe/customers/cust-1", reply(200, failure(-1, "카드정보 인증 및 빌키 발급에 실패하였습니다.")))
	_, err := m.client().SaveBillingKey(bg, &iamport.SaveBillingKeyRequest{CustomerUID: "cust-1", CardNumber: cardDashed, Expiry: expiryWire})
	var ae *iamport.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, http.StatusOK, ae.StatusCode)
	require.Equal(t, -1, ae.Code)
	require.NotErrorIs(t, err, iamport.ErrNotFound)
	require.Equal(t, 1, m.count(http.MethodPost, "/subscribe/customers/cust-1"))
}

func TestSaveBillingKeyLostAnswer(t *testing.T) {
	t.Parallel()
	t.Run("stored by this call", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, "/subscribe/customers/cust-2", fail(lostAnswer))
		m.on(http.MethodGet, "/subscribe/customers/cust-2", ok(billingKey("cust-2", "inserted", time.Now().Unix())))
		bk, err := m.client().SaveBillingKey(bg, &iamport.SaveBillingKeyRequest{CustomerUID: "cust-2", CardNumber: cardDashed, Expiry: expiryWire})
		require.NoError(t, err)
		require.Equal(t, "cust-2", bk.CustomerUID)
		require.Equal(t, 1, m.count(http.MethodPost, "/subscribe/customers/cust-2"))
	})
	t.Run("only an older key, or none: never re-sent", func(t *testing.T) {
		t.Parallel()
		for name, found := range map[string]httpmock.Responder{
			"older": ok(billingKey("cust-3", "inserted", 1600000000, "updated", 1600000001)),
			"none":  reply(200, failure(1, "요청하신 customer_uid(cust-3)로 등록된 정보를 찾을 수 없습니다.")),
		} {
			m := newMock(t)
			m.on(http.MethodPost, "/subscribe/customers/cust-3", seq(fail(lostAnswer), ok(billingKey("cust-3"))))
			m.on(http.MethodGet, "/subscribe/customers/cust-3", found)
			_, err := m.client(iamport.WithReconcileTimeout(300*time.Millisecond)).SaveBillingKey(bg,
				&iamport.SaveBillingKeyRequest{CustomerUID: "cust-3", CardNumber: cardDashed, Expiry: expiryWire})
			var ou *iamport.OutcomeUnknownError
			require.ErrorAs(t, err, &ou, name)
			require.ErrorIs(t, err, syscall.ECONNRESET, name)
			require.Contains(t, err.Error(), "GetBillingKey", name)
			require.Equal(t, 1, m.count(http.MethodPost, "/subscribe/customers/cust-3"), name)
		}
	})
	t.Run("lookups fail", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodPost, "/subscribe/customers/cust-5", fail(lostAnswer))
		m.on(http.MethodGet, "/subscribe/customers/cust-5", reply(500, failure(-1, "internal")))
		_, err := m.client(iamport.WithMaxRetries(0)).SaveBillingKey(bg,
			&iamport.SaveBillingKeyRequest{CustomerUID: "cust-5", CardNumber: cardDashed, Expiry: expiryWire})
		var ou *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &ou)
		require.Equal(t, "cust-5", ou.MerchantUID)
		require.Equal(t, 1, m.count(http.MethodPost, "/subscribe/customers/cust-5"))
	})
}

func TestGetBillingKey(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodGet, "/subscribe/customers/cust%2F1", ok(billingKey("cust/1", "card_type", nil,
		"channelGroupId", "group-1", "succeededChannels", []any{map[string]any{"pg_provider": "nice", "pg_id": "mid1", "card_type": 0}},
		"failedChannels", []any{map[string]any{"type": "PG_PROVIDER", "message": "refused", "pg_provider": "kcp", "pg_id": "mid2"}})))
	bk, err := m.client().GetBillingKey(bg, "cust/1")
	require.NoError(t, err)
	r := m.only(http.MethodGet, "/subscribe/customers/cust%2F1")
	require.Empty(t, r.Body)
	require.Empty(t, r.Header.Get("Content-Type"), "a GET has no body")
	require.Equal(t, "cust/1", bk.CustomerUID)
	require.Equal(t, iamport.CardTypeUnknown, bk.CardType)
	require.Equal(t, "group-1", bk.ChannelGroupID)
	require.Len(t, bk.SucceededChannels, 1)
	require.Equal(t, iamport.CardTypeCredit, bk.SucceededChannels[0].CardType)
	require.Equal(t, "PG_PROVIDER", bk.FailedChannels[0].Type)
}

func TestBillingKeyNotFound(t *testing.T) {
	t.Parallel()
	msg := "요청하신 customer_uid(nobody)로 등록된 정보를 찾을 수 없습니다."
	for _, tt := range []struct {
		name   string
		status int
	}{{"200 with code 1", 200}, {"404", 404}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(http.MethodGet, "/subscribe/customers/nobody", reply(tt.status, failure(1, msg)))
			m.on(http.MethodDelete, "/subscribe/customers/nobody", reply(tt.status, failure(1, msg)))
			c := m.client()
			_, err := c.GetBillingKey(bg, "nobody")
			require.ErrorIs(t, err, iamport.ErrNotFound)
			var ae *iamport.APIError
			require.ErrorAs(t, err, &ae)
			require.Equal(t, msg, ae.Message)
			_, err = c.DeleteBillingKey(bg, "nobody")
			require.ErrorIs(t, err, iamport.ErrNotFound)
			require.Equal(t, 1, m.count(http.MethodGet, "/subscribe/customers/nobody"), "not found is not retried")
		})
	}
}

func TestDeleteBillingKey(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodDelete, "/subscribe/customers/cust-1", ok(billingKey("cust-1")))
	bk, err := m.client().DeleteBillingKey(bg, "cust-1")
	require.NoError(t, err)
	r := m.only(http.MethodDelete, "/subscribe/customers/cust-1")
	require.Empty(t, r.RawQuery)
	require.Empty(t, r.Body)
	require.Equal(t, "cust-1", bk.CustomerUID)
}

func TestDeleteBillingKeyWith(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodDelete, "/subscribe/customers/cust-1", ok(billingKey("cust-1")))
	_, err := m.client().DeleteBillingKeyWith(bg, &iamport.DeleteBillingKeyRequest{
		CustomerUID: "cust-1", Reason: "해지 요청 & 환불", Requester: "customer",
	})
	require.NoError(t, err)
	r := m.only(http.MethodDelete, "/subscribe/customers/cust-1")
	q, err := url.ParseQuery(r.RawQuery)
	require.NoError(t, err)
	require.Equal(t, url.Values{"reason": {"해지 요청 & 환불"}, "extra[requester]": {"customer"}}, q)
}
