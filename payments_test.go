package iamport_test

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

const cancelPath = "/payments/cancel"

func TestGetPayment(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodGet, "/payments/imp_100000000001", ok(payment("order-1",
		"cancel_amount", 1000, "status", "paid", "sandbox", true, "extension", map[string]any{"REMITTER": "홍길동"},
		"cancel_history", []any{map[string]any{"pg_tid": "t1", "amount": 1000, "cancelled_at": 1767229200.0,
			"reason": "부분 환불", "cancellation_id": "c1", "receipt_url": "https://example.com/c"}},
		"promotion", map[string]any{"id": "promotion-id-1", "discount": 500})))
	c := m.client()

	p, err := c.GetPayment(bg, "imp_100000000001")
	require.NoError(t, err)
	r := m.only(http.MethodGet, "/payments/imp_100000000001")
	require.Empty(t, r.RawQuery)
	require.Equal(t, "application/json", r.Header.Get("Accept"))
	require.Equal(t, "imp_100000000001", p.ImpUID)
	require.True(t, p.Sandbox)
	require.Equal(t, iamport.Amount(7900), p.Balance())
	require.Len(t, p.CancelHistory, 1)
	require.Equal(t, iamport.Amount(1000), p.CancelHistory[0].Amount)
	require.Equal(t, int64(1767229200), p.CancelHistory[0].CancelledAt.Unix())
	require.Equal(t, "c1", p.CancelHistory[0].CancellationID)
	require.Equal(t, "promotion-id-1", p.Promotion.ID)
	require.JSONEq(t, `{"REMITTER":"홍길동"}`, string(p.Extension))

	_, err = c.GetPayment(bg, "imp_100000000001", iamport.GetPaymentParams{IncludeSandbox: true, Extension: true})
	require.NoError(t, err)
	cs := m.calls(http.MethodGet, "/payments/imp_100000000001")
	require.Len(t, cs, 2)
	q, err := url.ParseQuery(cs[1].RawQuery)
	require.NoError(t, err)
	require.Equal(t, url.Values{"include_sandbox": {"true"}, "extension": {"true"}}, q)

	_, err = c.GetPayment(bg, "imp_100000000001", iamport.GetPaymentParams{}, iamport.GetPaymentParams{})
	var ve *iamport.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "params", ve.Field)
	require.Len(t, m.calls(http.MethodGet, "/payments/imp_100000000001"), 2)
}

func TestGetPaymentNotFound(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodGet, "/payments/imp_404", reply(404, failure(-1, "존재하지 않는 결제정보입니다.")))
	_, err := m.client().GetPayment(bg, "imp_404")
	require.ErrorIs(t, err, iamport.ErrNotFound)
	var ae *iamport.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 404, ae.StatusCode)
	require.Equal(t, "존재하지 않는 결제정보입니다.", ae.Message)
	require.Equal(t, http.MethodGet, ae.Method)
	require.Equal(t, "/payments/imp_404", ae.Path)
	require.Equal(t, 1, m.count(http.MethodGet, "/payments/imp_404"), "404 is not retried")
}

// An ID is always one escaped path segment: it cannot climb the path or
// start a query.
func TestPathEscaping(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	var mu sync.Mutex
	var paths []string
	m.mt.RegisterRegexpResponder(http.MethodGet, regexp.MustCompile(`^https://api\.iamport\.kr/`), func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		paths = append(paths, req.URL.EscapedPath()+"|"+req.URL.RawQuery)
		mu.Unlock()
		return jsonResponse(200, envelope(payment("x"))), nil
	})
	c := m.client()
	_, err := c.GetPayment(bg, "a/../b?x=1")
	require.NoError(t, err)
	_, err = c.FindPayment(bg, "주문#1 50%")
	require.NoError(t, err)
	_, err = c.GetSchedule(bg, "..a/b")
	require.NoError(t, err)
	require.Equal(t, []string{
		"/payments/a%2F..%2Fb%3Fx=1|",
		"/payments/find/%EC%A3%BC%EB%AC%B8%231%2050%25|",
		"/subscribe/payments/schedule/..a%2Fb|",
	}, paths)
}

func TestFindPayment(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodGet, findPrefix+"order-1", ok(payment("order-1")))
	m.on(http.MethodGet, findPrefix+"order-1/failed", ok(payment("order-1", "status", "failed", "paid_at", 0,
		"failed_at", 1767225601, "fail_reason", "한도초과")))
	c := m.client()

	p, err := c.FindPayment(bg, "order-1")
	require.NoError(t, err)
	require.Equal(t, "order-1", p.MerchantUID)
	require.Empty(t, m.only(http.MethodGet, findPrefix+"order-1").RawQuery)

	_, err = c.FindPayment(bg, "order-1", iamport.FindPaymentParams{Sorting: iamport.SortPaidDesc})
	require.NoError(t, err)
	cs := m.calls(http.MethodGet, findPrefix+"order-1")
	require.Len(t, cs, 2)
	require.Equal(t, "sorting=-paid", cs[1].RawQuery)

	p, err = c.FindPayment(bg, "order-1", iamport.FindPaymentParams{Status: iamport.PaymentStatusFailed, Sorting: iamport.SortStartedAsc})
	require.NoError(t, err)
	r := m.only(http.MethodGet, findPrefix+"order-1/failed")
	require.Equal(t, "sorting=started", r.RawQuery)
	require.Equal(t, iamport.PaymentStatusFailed, p.Status)
	require.Equal(t, "한도초과", p.FailReason)
	require.Equal(t, int64(1767225601), p.FailedAt.Unix())
}

func TestCancelPaymentLooksUpChecksum(t *testing.T) {
	t.Parallel()
	t.Run("by imp_uid", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", ok(payment("order-1", "imp_uid", "imp_1", "amount", 10000, "cancel_amount", 2500.5)))
		m.on(http.MethodPost, cancelPath, ok(payment("order-1", "imp_uid", "imp_1", "amount", 10000, "cancel_amount", 3500.5)))
		p, err := m.client().CancelPayment(bg, &iamport.CancelRequest{ImpUID: "imp_1", Amount: 1000, Reason: "부분 환불"})
		require.NoError(t, err)
		require.JSONEq(t, `{"imp_uid":"imp_1","amount":1000,"checksum":7499.5,"reason":"부분 환불"}`,
			m.only(http.MethodPost, cancelPath).Body)
		require.Equal(t, iamport.Amount(6499.5), p.Balance())
	})
	t.Run("by merchant_uid, full cancel", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, findPrefix+"order-2/paid", ok(payment("order-2", "imp_uid", "imp_2")))
		m.on(http.MethodGet, "/payments/imp_2", ok(payment("order-2", "imp_uid", "imp_2")))
		m.on(http.MethodPost, cancelPath, ok(payment("order-2", "imp_uid", "imp_2", "status", "cancelled", "cancel_amount", 8900)))
		req := &iamport.CancelRequest{MerchantUID: "order-2", FullRefund: true, Extra: &iamport.CancelExtra{Requester: "customer"}}
		p, err := m.client().CancelPayment(bg, req)
		require.NoError(t, err)
		// The cancel names exactly the payment whose balance was checked.
		require.JSONEq(t, `{"imp_uid":"imp_2","merchant_uid":"order-2","checksum":8900,"extra":{"requester":"customer"}}`,
			m.only(http.MethodPost, cancelPath).Body)
		require.Equal(t, iamport.PaymentStatusCancelled, p.Status)
		require.Zero(t, p.Balance())
		require.Nil(t, req.Checksum, "the caller's request is not modified")
		require.Empty(t, req.ImpUID)
	})
	t.Run("more than the balance", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_3", ok(payment("order-3", "imp_uid", "imp_3", "cancel_amount", 8000)))
		_, err := m.client().CancelPayment(bg, &iamport.CancelRequest{ImpUID: "imp_3", Amount: 1000})
		var ve *iamport.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Equal(t, "amount", ve.Field)
		require.Equal(t, 0, m.count(http.MethodPost, cancelPath))
	})
	t.Run("lookup fails", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_4", reply(404, failure(-1, "존재하지 않는 결제정보입니다.")))
		_, err := m.client().CancelPayment(bg, &iamport.CancelRequest{ImpUID: "imp_4", FullRefund: true})
		require.ErrorIs(t, err, iamport.ErrNotFound)
		require.Equal(t, 0, m.count(http.MethodPost, cancelPath))
	})
}

func TestCancelPaymentCallerChecksum(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodGet, findPrefix+"order-1/paid", ok(payment("order-1")))
	m.on(http.MethodGet, "/payments/imp_100000000001", ok(payment("order-1")))
	m.on(http.MethodPost, cancelPath, ok(payment("order-1", "cancel_amount", 8900, "status", "cancelled")))
	p, err := m.client().CancelPayment(bg, &iamport.CancelRequest{
		MerchantUID: "order-1", FullRefund: true, Checksum: iamport.Ptr(iamport.Amount(8900)), TaxFree: iamport.Ptr(iamport.Amount(0)),
		RefundHolder: "홍길동", RefundBank: "88", RefundAccount: "110123456789", EnableWebhook: iamport.Ptr(true),
	})
	require.NoError(t, err)
	require.JSONEq(t, `{"merchant_uid":"order-1","checksum":8900,"tax_free":0,"refund_holder":"홍길동",
		"refund_bank":"88","refund_account":"110123456789","enable_webhook":true}`, m.only(http.MethodPost, cancelPath).Body)
	require.Equal(t, 1, m.count(http.MethodGet, "/payments/imp_100000000001"), "the cancel history is read before sending")
	require.Equal(t, iamport.PaymentStatusCancelled, p.Status)
}

func TestCancelPaymentRefused(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodGet, "/payments/imp_1", ok(payment("order-1", "imp_uid", "imp_1", "amount", 100)))
	m.on(http.MethodPost, cancelPath, reply(200, failure(1, "취소할 결제건이 존재하지 않습니다.")))
	_, err := m.client().CancelPayment(bg, &iamport.CancelRequest{ImpUID: "imp_1", FullRefund: true, Checksum: iamport.Ptr(iamport.Amount(100))})
	var ae *iamport.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 1, ae.Code)
	require.Equal(t, "POST", ae.Method)
	require.Equal(t, cancelPath, ae.Path)
	require.Equal(t, 1, m.count(http.MethodPost, cancelPath))
}

// A cancel whose answer is lost is settled from the payment's balance and
// cancel history; the checksum makes a re-send safe.
func TestCancelPaymentLostAnswer(t *testing.T) {
	t.Parallel()
	before := func() map[string]any {
		return payment("order-1", "imp_uid", "imp_1", "amount", 8900, "cancel_amount", 0)
	}
	after := func() map[string]any {
		return payment("order-1", "imp_uid", "imp_1", "amount", 8900, "cancel_amount", 1000,
			"cancel_history", []any{map[string]any{"amount": 1000, "cancelled_at": time.Now().Unix()}})
	}
	t.Run("applied", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", seq(ok(before()), ok(after())))
		m.on(http.MethodPost, cancelPath, fail(lostAnswer))
		p, err := m.client().CancelPayment(bg, &iamport.CancelRequest{ImpUID: "imp_1", Amount: 1000})
		require.NoError(t, err)
		require.Equal(t, iamport.Amount(7900), p.Balance())
		require.Equal(t, 1, m.count(http.MethodPost, cancelPath))
	})
	t.Run("not shown yet: never re-sent", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", ok(before()))
		m.on(http.MethodPost, cancelPath, seq(raw(502, "text/html", "<html>502</html>"), ok(after())))
		_, err := m.client(iamport.WithReconcileTimeout(300*time.Millisecond)).CancelPayment(bg,
			&iamport.CancelRequest{ImpUID: "imp_1", Amount: 1000})
		var ou *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &ou, "the cancel may still run")
		require.Equal(t, "imp_1", ou.MerchantUID)
		require.Contains(t, err.Error(), "CancelHistory")
		require.Equal(t, 1, m.count(http.MethodPost, cancelPath))
		require.Greater(t, m.count(http.MethodGet, "/payments/imp_1"), 2, "looked up until the deadline")
	})
	t.Run("applied alongside another cancel", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		now := time.Now().Unix()
		m.on(http.MethodGet, "/payments/imp_1", seq(ok(before()), ok(payment("order-1", "imp_uid", "imp_1", "cancel_amount", 1500,
			"cancel_history", []any{map[string]any{"amount": 1000, "cancelled_at": now}, map[string]any{"amount": 500, "cancelled_at": now}}))))
		m.on(http.MethodPost, cancelPath, fail(lostAnswer))
		p, err := m.client().CancelPayment(bg, &iamport.CancelRequest{ImpUID: "imp_1", Amount: 1000})
		require.NoError(t, err)
		require.Equal(t, iamport.Amount(7400), p.Balance())
		require.Equal(t, 1, m.count(http.MethodPost, cancelPath))
	})
	t.Run("a refund answered without its imp_uid still counts", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", ok(before())) // lookups lag behind both refunds
		m.on(http.MethodPost, cancelPath, seq(ok(map[string]any{"cancel_amount": 1000}), fail(lostAnswer)))
		c := m.client(iamport.WithReconcileTimeout(300 * time.Millisecond))
		_, err := c.CancelPayment(bg, &iamport.CancelRequest{ImpUID: "imp_1", Amount: 1000})
		require.NoError(t, err)
		_, err = c.CancelPayment(bg, &iamport.CancelRequest{ImpUID: "imp_1", Amount: 1000})
		require.ErrorContains(t, err, "not sent", "a lookup without the first refund is not a base for the second")
		require.Equal(t, 1, m.count(http.MethodPost, cancelPath))
	})
	t.Run("another cancel took the checksum's balance first", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		now := time.Now().Unix()
		m.on(http.MethodGet, "/payments/imp_1", seq(ok(before()), ok(payment("order-1", "imp_uid", "imp_1", "cancel_amount", 1500,
			"cancel_history", []any{map[string]any{"amount": 500, "cancelled_at": now}, map[string]any{"amount": 1000, "cancelled_at": now}}))))
		m.on(http.MethodPost, cancelPath, fail(lostAnswer))
		_, err := m.client(iamport.WithReconcileTimeout(300*time.Millisecond)).CancelPayment(bg,
			&iamport.CancelRequest{ImpUID: "imp_1", Amount: 1000})
		var ou *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &ou, "the refund of 1000 was made from another balance than this cancel's checksum: not this one's")
		require.Equal(t, 1, m.count(http.MethodPost, cancelPath))
	})
	t.Run("an older cancel of the same amount does not count", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		older := map[string]any{"amount": 1000, "cancelled_at": 1767229200}
		m.on(http.MethodGet, "/payments/imp_1", seq(
			ok(payment("order-1", "imp_uid", "imp_1", "cancel_amount", 1000, "cancel_history", []any{older})),
			ok(payment("order-1", "imp_uid", "imp_1", "cancel_amount", 1500,
				"cancel_history", []any{older, map[string]any{"amount": 500, "cancelled_at": time.Now().Unix()}}))))
		m.on(http.MethodPost, cancelPath, fail(lostAnswer))
		_, err := m.client(iamport.WithReconcileTimeout(300*time.Millisecond)).CancelPayment(bg,
			&iamport.CancelRequest{ImpUID: "imp_1", Amount: 1000})
		var ou *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &ou, "no new refund of 1000 shows, and the cancel may still run")
		require.Equal(t, 1, m.count(http.MethodPost, cancelPath))
	})
	t.Run("balance changed by another cancel", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, findPrefix+"order-1/paid", ok(payment("order-1", "cancel_amount", 500)))
		m.on(http.MethodGet, "/payments/imp_100000000001", ok(payment("order-1", "cancel_amount", 500)))
		m.on(http.MethodPost, cancelPath, fail(lostAnswer))
		_, err := m.client().CancelPayment(bg, &iamport.CancelRequest{MerchantUID: "order-1", Amount: 1000,
			Checksum: iamport.Ptr(iamport.Amount(8900))})
		require.ErrorIs(t, err, syscall.ECONNRESET)
		require.Contains(t, err.Error(), "not applied")
		var ou *iamport.OutcomeUnknownError
		require.False(t, errors.As(err, &ou), "the checksum proves it can never apply")
		require.Equal(t, 1, m.count(http.MethodPost, cancelPath))
	})
	t.Run("lookups fail: outcome unknown", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", seq(ok(payment("order-1", "imp_uid", "imp_1")), reply(500, failure(-1, "internal"))))
		m.on(http.MethodPost, cancelPath, fail(lostAnswer))
		_, err := m.client(iamport.WithMaxRetries(0)).CancelPayment(bg, &iamport.CancelRequest{ImpUID: "imp_1",
			FullRefund: true, Checksum: iamport.Ptr(iamport.Amount(8900))})
		var ou *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &ou)
		require.Equal(t, "imp_1", ou.MerchantUID)
		require.Equal(t, 1, m.count(http.MethodPost, cancelPath))
	})
	t.Run("a lagging lookup is polled, never re-sent", func(t *testing.T) {
		t.Parallel()
		m := newMock(t)
		m.on(http.MethodGet, "/payments/imp_1", seq(ok(before()), ok(before()), ok(before()), ok(after())))
		m.on(http.MethodPost, cancelPath, seq(fail(lostAnswer), reply(200, failure(1, "checksum mismatch"))))
		p, err := m.client().CancelPayment(bg, &iamport.CancelRequest{ImpUID: "imp_1", Amount: 1000})
		require.NoError(t, err)
		require.Equal(t, iamport.Amount(7900), p.Balance())
		require.Equal(t, 1, m.count(http.MethodPost, cancelPath))
	})
}
