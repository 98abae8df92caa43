package iamport_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// A token answer of an iamport-compatible server: HTTP 201, fractional
// timestamps, and expired_at before now.
func TestTokenAnswerFractionalAndAlreadyExpired(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, "/users/getToken", reply(http.StatusCreated,
		`{"code":0,"message":"success","response":{"now":1796155400.726,"expired_at":1796155220.726,"access_token":"tok-frac"}}`))
	m.on(http.MethodPost, "/subscribe/payments/again", ok(payment("order-frac", "customer_uid", "cust-1")))
	m.on(http.MethodGet, "/payments/imp_100000000001", ok(payment("order-frac")))
	var logs bytes.Buffer
	c := m.client(iamport.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))))

	p, err := c.Again(bg, &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-frac", Amount: 8900, Name: "월간 이용권"})
	require.NoError(t, err)
	require.True(t, p.Paid())
	require.Equal(t, 1, m.tokenCalls(), "a money-moving call fetches one token, not one for the clock and one to send")
	require.Equal(t, "tok-frac", m.only(http.MethodPost, "/subscribe/payments/again").Header.Get("Authorization"))

	_, err = c.GetPayment(bg, "imp_100000000001")
	require.NoError(t, err)
	require.Equal(t, 2, m.tokenCalls(), "an expired token is not reused by the next call")
	require.Equal(t, 1, bytes.Count(logs.Bytes(), []byte("already expired")), "the warning is logged once")
}

// now and expired_at in milliseconds are read as such: the token lives for
// its 30 minutes and the clock offset is sane.
func TestTokenAnswerInMilliseconds(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, "/users/getToken", func(*http.Request) (*http.Response, error) {
		now := time.Now().UnixMilli()
		return jsonResponse(http.StatusOK, envelope(map[string]any{"access_token": "tok-ms", "now": now, "expired_at": now + 1800_000})), nil
	})
	m.on(http.MethodGet, "/payments/imp_100000000001", ok(payment("o-1")))
	c := m.client()
	for range 3 {
		_, err := c.GetPayment(bg, "imp_100000000001")
		require.NoError(t, err)
	}
	require.Equal(t, 1, m.tokenCalls())
}

func TestTokenAnswerStringsAndNull(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"strings": `{"code":0,"response":{"access_token":"tok-s","now":"1796155400","expired_at":"1796157200.5"}}`,
		"null":    `{"code":0,"response":{"access_token":"tok-n","now":null,"expired_at":null}}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(http.MethodPost, "/users/getToken", reply(http.StatusOK, body))
			m.on(http.MethodGet, "/payments/imp_100000000001", ok(payment("o-1")))
			_, err := m.client().GetPayment(bg, "imp_100000000001")
			require.NoError(t, err)
		})
	}
}

func TestTokenAnswerUndecodableNamesTheField(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, "/users/getToken", reply(http.StatusOK, `{"code":0,"response":{"access_token":"t","now":"soon","expired_at":1}}`))
	_, err := m.client().GetPayment(bg, "imp_1")
	var apiErr *iamport.APIError
	require.ErrorAs(t, err, &apiErr)
	require.ErrorIs(t, err, iamport.ErrInvalidResponse)
	require.Contains(t, apiErr.Message, "cannot decode response.now")
	require.NotContains(t, apiErr.Message, "not an iamport envelope")
}

func TestTokenWithControlCharactersRefusedAtOnce(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, "/users/getToken", ok(map[string]any{"access_token": "tok\r\nX-Evil: 1", "now": 1, "expired_at": 1801}))
	_, err := m.client().GetPayment(bg, "imp_1")
	require.ErrorIs(t, err, iamport.ErrInvalidResponse)
	require.Contains(t, err.Error(), "control characters")
	require.NotContains(t, err.Error(), "X-Evil", "the token is never quoted")
	require.Equal(t, 0, m.count(http.MethodGet, "/payments/imp_1"))
}

// Every number of a payment decodes from an integer, a fraction, a numeric
// string or null, and timestamps keep their sub-second part.
func TestPaymentNumbersDecodeLeniently(t *testing.T) {
	t.Parallel()
	body := `{"imp_uid":"imp_1","amount":"8900","cancel_amount":null,"card_quota":"3","paid_at":1796155400.726,
		"started_at":"1796155399.5","cancel_history":[{"amount":100.5,"cancelled_at":"1796155401"}]}`
	var p iamport.Payment
	require.NoError(t, json.Unmarshal([]byte(body), &p))
	require.Equal(t, iamport.Amount(8900), p.Amount)
	require.Zero(t, p.CancelAmount)
	require.Equal(t, iamport.Int(3), p.CardQuota)
	require.Equal(t, 726*time.Millisecond, p.PaidAt.Sub(time.Unix(1796155400, 0)).Round(time.Millisecond))
	require.Equal(t, int64(1796155399), p.StartedAt.Unix())
	require.Equal(t, iamport.Amount(100.5), p.CancelHistory[0].Amount)
	err := json.Unmarshal([]byte(`{"amount":"lots"}`), &p)
	var te *json.UnmarshalTypeError
	require.True(t, errors.As(err, &te))
	require.Equal(t, "amount", te.Field)
}

// Error bodies that are not iamport envelopes keep their message and field.
func TestForeignErrorBodies(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, body             string
		status                 int
		msg, field, detail     string
		notFound, unauthorized bool
	}{
		{name: "gateway 404", status: 404, body: `{"message":"Cannot GET /payments/x","error":"Not Found","statusCode":404}`,
			msg: "Cannot GET /payments/x", detail: "Not Found", notFound: true},
		{name: "validation", status: 400,
			body: `{"path":"$input.customer_uid","reason":"Error on typia.assert(): invalid type.","message":"Request body data is not following the promised type."}`,
			msg:  "Request body data is not following the promised type.", field: "customer_uid", detail: "Error on typia.assert(): invalid type."},
		{name: "message list", status: 400, body: `{"message":["amount must be positive","name is long"],"error":"Bad Request"}`,
			msg: "amount must be positive; name is long", detail: "Bad Request"},
		{name: "403 wrong key", status: 403, body: `{"message":"wrong imp_key"}`, msg: "wrong imp_key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(http.MethodGet, "/payments/x", reply(tt.status, tt.body))
			_, err := m.client().GetPayment(bg, "x")
			var apiErr *iamport.APIError
			require.ErrorAs(t, err, &apiErr)
			require.Equal(t, tt.status, apiErr.StatusCode)
			require.Equal(t, tt.msg, apiErr.Message)
			require.Equal(t, tt.field, apiErr.Field)
			require.Equal(t, tt.detail, apiErr.Detail)
			require.NotErrorIs(t, err, iamport.ErrInvalidResponse)
			require.Equal(t, tt.notFound, errors.Is(err, iamport.ErrNotFound))
			if tt.field != "" {
				require.Contains(t, err.Error(), "field "+tt.field)
			}
		})
	}
}
