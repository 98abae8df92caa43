package iamport_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// Reconciliation of the calls that issue something, when their answer is
// lost: the result is looked up, the call is never sent twice.

func vbankReq() *iamport.VbankRequest {
	return &iamport.VbankRequest{ChannelKey: "ck", MerchantUID: "order-vb", Amount: 16000, VbankCode: "004", VbankDue: time.Now().Add(time.Hour)}
}

func TestIssueVbankLostAnswerFoundByLookup(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on("POST", "/vbanks", fail(errLost))
	// First not visible yet, then the account this call issued.
	m.on("GET", findPrefix+"order-vb", seq(reply(404, failure(-1, "존재하지 않는 결제정보입니다.")), ok(vbankPayment("order-vb", "amount", 16000))))
	p, err := m.client().IssueVbank(bg, vbankReq())
	require.NoError(t, err)
	require.Equal(t, "56211234567890", p.VbankNum)
	require.Equal(t, 1, m.count("POST", "/vbanks"))
	require.Equal(t, 2, m.count("GET", findPrefix+"order-vb"))
}

func TestIssueVbankLostAnswerOlderPaymentIsNotIt(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on("POST", "/vbanks", reply(502, "<html>bad gateway</html>"))
	// Only an older failed card attempt of the order: nothing was issued.
	// That proves nothing either: the call may still be running.
	m.on("GET", findPrefix+"order-vb", ok(payment("order-vb", "status", "failed", "started_at", 1600000000)))
	p, err := m.client(iamport.WithReconcileTimeout(300*time.Millisecond)).IssueVbank(bg, vbankReq())
	require.Nil(t, p, "an older payment is never passed off as the account issued")
	var unknown *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown)
	require.Equal(t, "order-vb", unknown.MerchantUID)
	require.ErrorIs(t, err, iamport.ErrInvalidResponse, "the cause, the 502, is kept")
	require.Equal(t, 1, m.count("POST", "/vbanks"), "never re-sent")
	require.GreaterOrEqual(t, m.count("GET", findPrefix+"order-vb"), 1)
}

// A payment of the order started since the call is the account issued
// only if it is a virtual account of the amount asked for, waiting or paid
// into: anything else proves nothing, and the outcome stays unknown.
func TestIssueVbankLostAnswerOtherPaymentIsNotIt(t *testing.T) {
	t.Parallel()
	for name, kv := range map[string][]any{
		"another amount": {"amount", 8900},
		"failed":         {"amount", 16000, "status", "failed"},
		"a card payment": {"amount", 16000, "pay_method", "card"},
		"another order":  {"amount", 16000, "merchant_uid", "order-vb2"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on("POST", "/vbanks", fail(errLost))
			m.on("GET", findPrefix+"order-vb", ok(vbankPayment("order-vb", kv...)))
			p, err := m.client(iamport.WithReconcileTimeout(300*time.Millisecond)).IssueVbank(bg, vbankReq())
			require.Nil(t, p)
			var unknown *iamport.OutcomeUnknownError
			require.ErrorAs(t, err, &unknown)
			require.Equal(t, 1, m.count("POST", "/vbanks"), "never re-sent")
		})
	}
}

func TestIssueVbankLookupsFailIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on("POST", "/vbanks", fail(errLost))
	m.on("GET", findPrefix+"order-vb", raw(503, "text/html", "<html>down</html>"))
	_, err := m.client(iamport.WithReconcileTimeout(300*time.Millisecond)).IssueVbank(bg, vbankReq())
	var unknown *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown)
	require.Equal(t, "order-vb", unknown.MerchantUID)
	require.Contains(t, err.Error(), "FindPayment")
	require.Equal(t, 1, m.count("POST", "/vbanks"))
}

// A call that timed out may still be running: finding nothing proves
// nothing, so the outcome stays unknown rather than "not issued".
func TestIssueVbankTimeoutIsNeverConcludedAbsent(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on("POST", "/vbanks", fail(context.DeadlineExceeded))
	m.on("GET", findPrefix+"order-vb", reply(404, failure(-1, "존재하지 않는 결제정보입니다.")))
	_, err := m.client(iamport.WithReconcileTimeout(300*time.Millisecond)).IssueVbank(bg, vbankReq())
	var unknown *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Equal(t, 1, m.count("POST", "/vbanks"))
}

func TestIssueReceiptLostAnswerFoundByLookup(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on("POST", "/receipts/imp_1", reply(200, `{"code":0,"response":{"imp_uid":"imp_1","apply`))
	m.on("GET", "/receipts/imp_1", ok(receiptJSON("applied_at", time.Now().Unix())))
	rc, err := m.client().IssueReceipt(bg, &iamport.ReceiptRequest{ImpUID: "imp_1", Identifier: receiptID})
	require.NoError(t, err)
	require.Equal(t, "123456789", rc.ApplyNum)
	require.Equal(t, 1, m.count("POST", "/receipts/imp_1"))
}

func TestIssueReceiptLostAnswerCancelledReceiptIsNotIt(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on("POST", "/receipts/imp_1", fail(errLost))
	// Only a receipt cancelled before: not this call's, and the call may
	// still be running, so the outcome is unknown.
	m.on("GET", "/receipts/imp_1", ok(receiptJSON("cancelled_at", 1767225700)))
	rc, err := m.client(iamport.WithReconcileTimeout(300*time.Millisecond)).IssueReceipt(bg, &iamport.ReceiptRequest{ImpUID: "imp_1", Identifier: receiptID})
	require.Nil(t, rc, "a cancelled receipt is never passed off as the one issued")
	var unknown *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown)
	require.Equal(t, "imp_1", unknown.MerchantUID)
	require.ErrorIs(t, err, errLost)
	require.Contains(t, err.Error(), "GetReceipt")
	require.Equal(t, 1, m.count("POST", "/receipts/imp_1"))
}

// A live receipt applied before the call is not the call's: iamport
// refuses a second one, so this call was refused or is still running.
func TestIssueReceiptLostAnswerOlderReceiptIsNotIt(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on("POST", "/receipts/imp_1", fail(errLost))
	m.on("GET", "/receipts/imp_1", ok(receiptJSON("applied_at", time.Now().Add(-time.Hour).Unix())))
	m.on("POST", "/receipts/external/sale-1", fail(errLost))
	m.on("GET", "/receipts/external/sale-1", ok(receiptJSON("merchant_uid", "sale-1", "applied_at", time.Now().Add(-time.Hour).Unix())))
	c := m.client(iamport.WithReconcileTimeout(300 * time.Millisecond))
	rc, err := c.IssueReceipt(bg, &iamport.ReceiptRequest{ImpUID: "imp_1", Identifier: receiptID})
	require.Nil(t, rc)
	var unknown *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown)
	require.Equal(t, 1, m.count("POST", "/receipts/imp_1"))
	ext, err := c.IssueExternalReceipt(bg, &iamport.ExternalReceiptRequest{MerchantUID: "sale-1", ChannelKey: "ck", Name: "n", Amount: 1000, Identifier: receiptID})
	require.Nil(t, ext)
	require.ErrorAs(t, err, &unknown)
	require.Equal(t, 1, m.count("POST", "/receipts/external/sale-1"))
}

func TestCancelReceiptLostAnswer(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on("DELETE", "/receipts/imp_1", raw(500, "text/html", "<html>oops</html>"))
	m.on("GET", "/receipts/imp_1", seq(ok(receiptJSON()), ok(receiptJSON("cancelled_at", 1767225700))))
	rc, err := m.client().CancelReceipt(bg, "imp_1")
	require.NoError(t, err)
	require.False(t, rc.CancelledAt.IsZero())
	require.Equal(t, 1, m.count("DELETE", "/receipts/imp_1"))
}

func TestIssueExternalReceiptLostAnswer(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on("POST", "/receipts/external/sale-1", fail(errLost))
	m.on("GET", "/receipts/external/sale-1", ok(receiptJSON("merchant_uid", "sale-1", "amount", 1000, "applied_at", time.Now().Unix())))
	rc, err := m.client().IssueExternalReceipt(bg, &iamport.ExternalReceiptRequest{MerchantUID: "sale-1", ChannelKey: "ck", Name: "n", Amount: 1000, Identifier: receiptID})
	require.NoError(t, err)
	require.Equal(t, "sale-1", rc.MerchantUID)
	require.Equal(t, 1, m.count("POST", "/receipts/external/sale-1"))
}

func TestRegisterEscrowLogisLostAnswer(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on("POST", "/escrows/logis/"+oddEsc, fail(errLost))
	m.on("GET", "/escrows/logis/"+oddEsc, seq(reply(http.StatusConflict, failure(-1, "등록된 배송정보가 존재하지 않습니다.")), ok(escrowJSON())))
	l, err := m.client().RegisterEscrowLogis(bg, escrowReq())
	require.NoError(t, err)
	checkEscrow(t, l)
	require.Equal(t, 1, m.count("POST", "/escrows/logis/"+oddEsc))

	// Shipping with another invoice: registered before (then this one was
	// refused) or since (then this one applied and was changed): either
	// way nothing is proven, and the outcome is unknown.
	m = newMock(t)
	m.on("POST", "/escrows/logis/"+oddEsc, fail(errLost))
	m.on("GET", "/escrows/logis/"+oddEsc, ok(with(escrowJSON(), "invoice", "other")))
	l, err = m.client(iamport.WithReconcileTimeout(300*time.Millisecond)).RegisterEscrowLogis(bg, escrowReq())
	require.Nil(t, l, "another shipping is never passed off as this one")
	var unknown *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown)
	require.ErrorIs(t, err, errLost)
	require.Contains(t, err.Error(), "GetEscrowLogis")
	require.Equal(t, 1, m.count("POST", "/escrows/logis/"+oddEsc))
}

// Writes that are not money-moving are never re-sent after a possible send
// either, and report the failure as it is.
func TestUpdateVbankIsNotResent(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on("PUT", "/vbanks/imp_1", fail(errLost))
	_, err := m.client().UpdateVbank(bg, &iamport.UpdateVbankRequest{ImpUID: "imp_1", Amount: 1000})
	require.ErrorIs(t, err, errLost)
	require.Equal(t, 1, m.count("PUT", "/vbanks/imp_1"))
}
