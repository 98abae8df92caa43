package iamport_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// paymentBody is the envelope of payment(merchantUID) with its status key
// replaced by statusKeys, written as they are.
func paymentBody(t *testing.T, merchantUID, statusKeys string) string {
	t.Helper()
	b, err := json.Marshal(payment(merchantUID, "status", "@@"))
	require.NoError(t, err)
	return `{"code":0,"message":null,"response":` + strings.Replace(string(b), `"status":"@@"`, statusKeys, 1) + `}`
}

// A charge answered with a body whose status says two things is read
// neither as success nor as a decline: it is reconciled by looking the
// payment up, and never sent again.
func TestChargeAnswerWithCaseVariantKeysIsReconciled(t *testing.T) {
	t.Parallel()
	for name, keys := range map[string]string{
		"upper case":        `"status":"failed","STATUS":"paid"`,
		"same key twice":    `"status":"paid","status":"failed"`,
		"escaped key":       `"status":"failed","\u0053tatus":"paid"`,
		"unicode folding":   `"status":"failed","ſtatus":"paid"`,
		"amount case":       `"status":"paid","Amount":1`,
		"mixed case merch.": `"status":"paid","Merchant_UID":"other"`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(http.MethodPost, onetimePath, reply(200, paymentBody(t, "order-1", keys)))
			m.on(http.MethodGet, findAllPrefix+"order-1", appears(payment("order-1")))
			p, err := m.client().Onetime(bg, onetimeReq("order-1"))
			require.NoError(t, err, "the lookup proves the charge")
			require.True(t, p.Paid())
			require.Equal(t, 1, m.count(http.MethodPost, onetimePath), "never re-sent")
			require.GreaterOrEqual(t, m.count(http.MethodGet, findAllPrefix+"order-1"), 2, "looked up after the snapshot")
		})
	}
	// The lookup cannot tell: the outcome is unknown, not a decline.
	m := newMock(t)
	m.on(http.MethodPost, onetimePath, reply(200, paymentBody(t, "order-1", `"status":"failed","STATUS":"paid"`)))
	m.on(http.MethodGet, findAllPrefix+"order-1", seq(attempts(), raw(503, "text/html", "<html>down</html>")))
	_, err := m.client(iamport.WithReconcileTimeout(100*time.Millisecond), iamport.WithMaxRetries(0)).Onetime(bg, onetimeReq("order-1"))
	var unknown *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown)
	var declined *iamport.DeclinedError
	require.NotErrorAs(t, err, &declined)
	require.Equal(t, 1, m.count(http.MethodPost, onetimePath))
}

// A lookup answered with contradicting keys is an invalid response, named
// as such, not a payment.
func TestLookupWithCaseVariantKeysIsInvalid(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodGet, "/payments/imp_1", reply(200, paymentBody(t, "order-1", `"status":"failed","STATUS":"paid"`)))
	m.on(http.MethodGet, "/payments/imp_2", reply(200, `{"code":0,"CODE":-1,"message":null,"response":{"imp_uid":"imp_2","status":"paid"}}`))
	c := m.client(iamport.WithMaxRetries(0))
	for _, id := range []string{"imp_1", "imp_2"} {
		p, err := c.GetPayment(bg, id)
		require.Nil(t, p)
		require.ErrorIs(t, err, iamport.ErrInvalidResponse)
		require.Contains(t, err.Error(), "contradicts itself")
	}
	// Keys that differ only where encoding/json does not fold them, and
	// duplicates in separate objects, are fine.
	m.on(http.MethodGet, "/payments/imp_3", reply(200, `{"code":0,"message":null,"response":{"imp_uid":"imp_3","status":"paid",`+
		`"cancel_history":[{"amount":1,"reason":"a"},{"amount":2,"reason":"b"}],"status_x":"y","extension":{"k":"status"}}}`))
	p, err := c.GetPayment(bg, "imp_3")
	require.NoError(t, err)
	require.True(t, p.Paid())
	require.Len(t, p.CancelHistory, 2)
}

// A charge refused with a code but answered with a paid payment may have
// charged the card: it is reconciled, not reported as a plain failure.
func TestChargeRefusalHoldingPaidPaymentIsReconciled(t *testing.T) {
	t.Parallel()
	paidBody, err := json.Marshal(map[string]any{"code": -1, "message": "결제실패", "response": payment("order-1")})
	require.NoError(t, err)
	m := newMock(t)
	m.on(http.MethodPost, onetimePath, reply(200, string(paidBody)))
	m.on(http.MethodGet, findAllPrefix+"order-1", appears(payment("order-1")))
	p, err := m.client().Onetime(bg, onetimeReq("order-1"))
	require.NoError(t, err)
	require.True(t, p.Paid())
	require.Equal(t, 1, m.count(http.MethodPost, onetimePath))
	require.GreaterOrEqual(t, m.count(http.MethodGet, findAllPrefix+"order-1"), 2)

	// A refusal with response null, or with a failed payment, stays a
	// plain failure.
	for _, resp := range []any{nil, payment("order-2", "status", "failed")} {
		body, err := json.Marshal(map[string]any{"code": -1, "message": "카드정보 인증에 실패하였습니다.", "response": resp})
		require.NoError(t, err)
		m := newMock(t)
		m.on(http.MethodPost, onetimePath, reply(200, string(body)))
		_, err = m.client().Onetime(bg, onetimeReq("order-2"))
		var apiErr *iamport.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, -1, apiErr.Code)
		require.NotErrorIs(t, err, iamport.ErrInvalidResponse)
		// Only the look at the order's earlier attempts before sending.
		require.Equal(t, 1, m.count(http.MethodGet, findAllPrefix+"order-2"))
		require.Equal(t, 2, m.total()-m.tokenCalls(), "no lookup after the answer")
	}
}
