package iamport_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// End-to-end tests of the virtual-account, receipt, certification, escrow,
// code and account endpoints, and of VerifyPayment, against iamporttest.

// webhookSink records the webhooks it receives.
type webhookSink struct {
	mu     sync.Mutex
	bodies []string
}

func (s *webhookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.bodies = append(s.bodies, string(b))
	s.mu.Unlock()
}

func (s *webhookSink) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

func issueTestVbank(t *testing.T, c *iamport.Client, srv *iamporttest.Server, merchantUID string) *iamport.Payment {
	t.Helper()
	p, err := c.IssueVbank(context.Background(), &iamport.VbankRequest{
		ChannelKey: "channel-key-1", MerchantUID: merchantUID, Amount: 15000, VbankCode: "004",
		VbankDue: srv.Now().Add(72 * time.Hour), VbankHolder: "홍길동상점", Name: "주문", BuyerName: "김구매",
	})
	require.NoError(t, err)
	return p
}

func TestE2EVbankIssueDepositAndReceipt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sink := &webhookSink{}
	hs := httptest.NewServer(sink)
	defer hs.Close()
	srv := iamporttest.NewInProcess(iamporttest.WithWebhookURL(hs.URL))
	defer srv.Close()
	c := srv.Client()

	p := issueTestVbank(t, c, srv, "order-vb-1")
	require.Equal(t, iamport.PaymentStatusReady, p.Status)
	require.Equal(t, "vbank", p.PayMethod)
	require.Equal(t, "004", p.VbankCode)
	require.Equal(t, "KB국민은행", p.VbankName)
	require.NotEmpty(t, p.VbankNum)
	require.Equal(t, "홍길동상점", p.VbankHolder)
	require.Equal(t, srv.Now().Add(72*time.Hour).Unix(), p.VbankDate.Unix())
	require.False(t, p.VbankIssuedAt.IsZero())

	// A receipt needs a paid cash payment.
	_, err := c.IssueReceipt(ctx, &iamport.ReceiptRequest{ImpUID: p.ImpUID, Identifier: "01012345678"})
	requireStatus(t, err, 400)

	// Change the amount and deadline while it waits.
	due := srv.Now().Add(96 * time.Hour)
	p, err = c.UpdateVbank(ctx, &iamport.UpdateVbankRequest{ImpUID: p.ImpUID, Amount: 16000, VbankDue: due})
	require.NoError(t, err)
	require.True(t, p.Amount.Equal(16000))
	require.Equal(t, due.Unix(), p.VbankDate.Unix())

	require.NoError(t, srv.Deposit(p.ImpUID))
	require.Error(t, srv.Deposit(p.ImpUID), "a paid account cannot be paid again")
	got, err := c.GetPayment(ctx, p.ImpUID)
	require.NoError(t, err)
	require.True(t, got.Paid())
	hooks := sink.received()
	require.Len(t, hooks, 1)
	require.JSONEq(t, `{"imp_uid":"`+p.ImpUID+`","merchant_uid":"order-vb-1","status":"paid"}`, hooks[0])

	// A paid account cannot be revoked or changed.
	_, err = c.RevokeVbank(ctx, &iamport.RevokeVbankRequest{ImpUID: p.ImpUID})
	requireStatus(t, err, 400)

	// The cash receipt, for the balance.
	rc, err := c.IssueReceipt(ctx, &iamport.ReceiptRequest{ImpUID: p.ImpUID, Identifier: "01012345678", IdentifierType: iamport.IdentifierPhone})
	require.NoError(t, err)
	require.Equal(t, p.ImpUID, rc.ImpUID)
	require.True(t, rc.Amount.Equal(16000))
	require.Equal(t, iamport.ReceiptTypePerson, rc.Type)
	require.NotEmpty(t, rc.ApplyNum)
	require.True(t, rc.CancelledAt.IsZero())
	_, err = c.IssueReceipt(ctx, &iamport.ReceiptRequest{ImpUID: p.ImpUID, Identifier: "01012345678"})
	requireStatus(t, err, 400) // one receipt per payment
	got, err = c.GetPayment(ctx, p.ImpUID)
	require.NoError(t, err)
	require.True(t, got.CashReceiptIssued)

	rc2, err := c.GetReceipt(ctx, p.ImpUID)
	require.NoError(t, err)
	require.Equal(t, rc.ApplyNum, rc2.ApplyNum)
	rc3, err := c.CancelReceipt(ctx, p.ImpUID)
	require.NoError(t, err)
	require.False(t, rc3.CancelledAt.IsZero())
	_, err = c.CancelReceipt(ctx, p.ImpUID)
	requireStatus(t, err, 400)

	_, err = c.GetReceipt(ctx, "imp_000000000000")
	require.ErrorIs(t, err, iamport.ErrNotFound)
}

func requireStatus(t *testing.T, err error, status int) {
	t.Helper()
	var apiErr *iamport.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, status, apiErr.StatusCode, "%v", err)
}

func TestE2EVbankRevokeAndHolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	c := srv.Client()

	p := issueTestVbank(t, c, srv, "order-vb-2")
	p, err := c.RevokeVbank(ctx, &iamport.RevokeVbankRequest{ImpUID: p.ImpUID, PGAPIKey: "inicis-api-key"})
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatusCancelled, p.Status)
	require.Error(t, srv.Deposit(p.ImpUID), "a revoked account takes no deposit")

	// An expired deadline takes no deposit either.
	p = issueTestVbank(t, c, srv, "order-vb-3")
	srv.Advance(73 * time.Hour)
	require.Error(t, srv.Deposit(p.ImpUID))

	// A past deadline and an unknown bank are refused.
	_, err = c.IssueVbank(ctx, &iamport.VbankRequest{ChannelKey: "k", MerchantUID: "order-vb-4", Amount: 1000, VbankCode: "004", VbankDue: srv.Now().Add(-time.Hour)})
	requireStatus(t, err, 400)
	_, err = c.IssueVbank(ctx, &iamport.VbankRequest{ChannelKey: "k", MerchantUID: "order-vb-4", Amount: 1000, VbankCode: "999", VbankDue: srv.Now().Add(time.Hour)})
	requireStatus(t, err, 400)

	// A paid order is refused another account.
	e2eOnetime(t, c, "order-vb-paid", iamporttest.CardApproved, 1000)
	_, err = c.IssueVbank(ctx, &iamport.VbankRequest{ChannelKey: "k", MerchantUID: "order-vb-paid", Amount: 1000, VbankCode: "004", VbankDue: srv.Now().Add(time.Hour)})
	var apiErr *iamport.APIError
	require.ErrorAs(t, err, &apiErr)
	require.NotZero(t, apiErr.Code)

	srv.AddBankAccount("088", "110-123-456789", "김환불")
	h, err := c.GetVbankHolder(ctx, &iamport.VbankHolderRequest{BankCode: "088", BankNum: "110123456789"})
	require.NoError(t, err)
	require.Equal(t, "김환불", h.BankHolder)
	_, err = c.GetVbankHolder(ctx, &iamport.VbankHolderRequest{BankCode: "088", BankNum: "999"})
	require.ErrorIs(t, err, iamport.ErrNotFound)
}

func TestE2EExternalReceipt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	c := srv.Client()
	req := &iamport.ExternalReceiptRequest{MerchantUID: "cash-sale-1", ChannelKey: "k", Name: "현장 결제", Amount: 11000,
		Identifier: "1234567890", IdentifierType: iamport.IdentifierBusiness, Type: iamport.ReceiptTypeCompany}
	rc, err := c.IssueExternalReceipt(ctx, req)
	require.NoError(t, err)
	require.Equal(t, "cash-sale-1", rc.MerchantUID)
	require.Equal(t, iamport.ReceiptTypeCompany, rc.Type)
	require.True(t, rc.Vat.Equal(1000))
	_, err = c.IssueExternalReceipt(ctx, req)
	requireStatus(t, err, 400)
	got, err := c.GetExternalReceipt(ctx, "cash-sale-1")
	require.NoError(t, err)
	require.Equal(t, rc.ApplyNum, got.ApplyNum)
	got, err = c.CancelExternalReceipt(ctx, "cash-sale-1")
	require.NoError(t, err)
	require.False(t, got.CancelledAt.IsZero())
	_, err = c.CancelExternalReceipt(ctx, "cash-sale-404")
	require.ErrorIs(t, err, iamport.ErrNotFound)
}

func TestE2ECertificationOTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	c := srv.Client()

	otp, err := c.RequestCertificationOTP(ctx, &iamport.CertificationOTPRequest{
		Name: "홍길동", Phone: "010-1234-5678", Birth: "880214", GenderDigit: "1", Carrier: iamport.CarrierSKT,
		ChannelKey: "channel-key-danal", MerchantUID: "cert-1",
	})
	require.NoError(t, err)
	require.NotEmpty(t, otp.ImpUID)

	pending, err := c.GetCertification(ctx, otp.ImpUID)
	require.NoError(t, err)
	require.False(t, pending.Certified)

	_, err = c.ConfirmCertificationOTP(ctx, otp.ImpUID, "000000")
	requireStatus(t, err, 400) // a wrong code is refused

	cert, err := c.ConfirmCertificationOTP(ctx, otp.ImpUID, iamporttest.TestOTP)
	require.NoError(t, err)
	require.True(t, cert.Certified)
	require.Equal(t, "홍길동", cert.Name)
	require.Equal(t, "01012345678", cert.Phone)
	require.Equal(t, "1988-02-14", cert.Birthday)
	require.Equal(t, "male", cert.Gender)
	require.False(t, cert.Foreigner)
	require.Equal(t, "cert-1", cert.MerchantUID)
	require.NotEmpty(t, cert.UniqueKey)
	require.NotEmpty(t, cert.UniqueInSite)
	require.False(t, cert.CertifiedAt.IsZero())

	_, err = c.ConfirmCertificationOTP(ctx, otp.ImpUID, iamporttest.TestOTP)
	requireStatus(t, err, 400) // already completed

	deleted, err := c.DeleteCertification(ctx, otp.ImpUID)
	require.NoError(t, err)
	require.Equal(t, otp.ImpUID, deleted.ImpUID)
	_, err = c.GetCertification(ctx, otp.ImpUID)
	require.ErrorIs(t, err, iamport.ErrNotFound)

	_, err = c.RequestCertificationOTP(ctx, &iamport.CertificationOTPRequest{
		Name: "홍길동", Phone: "010-1234-5678", Birth: "880214", GenderDigit: "1", Carrier: "XYZ", ChannelKey: "k"})
	requireStatus(t, err, 400)
}

func TestE2EEscrowLogis(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	c := srv.Client()
	p := e2eOnetime(t, c, "order-escrow", iamporttest.CardApproved, 30000)

	_, err := c.GetEscrowLogis(ctx, p.ImpUID)
	requireStatus(t, err, 409)
	sent := srv.Now().Add(-time.Hour)
	req := &iamport.EscrowLogisRequest{ImpUID: p.ImpUID,
		Sender:    iamport.EscrowParty{Name: "상점", Tel: "02-123-4567", Addr: "서울", Postcode: "04524", Relationship: "본인"},
		Receiver:  iamport.EscrowParty{Name: "홍길동", Tel: "010-1234-5678", Addr: "부산", Postcode: "48058"},
		Logis:     iamport.EscrowLogisInfo{Company: "CJGLS", Invoice: "123456789012", SentAt: sent},
		SendEmail: iamport.Ptr(false),
	}
	l, err := c.RegisterEscrowLogis(ctx, req)
	require.NoError(t, err)
	require.Equal(t, "CJGLS", l.Company)
	require.Equal(t, sent.Unix(), l.SentAt.Unix())
	_, err = c.RegisterEscrowLogis(ctx, req)
	requireStatus(t, err, 409)

	req.Logis.Invoice = "999999999999"
	l, err = c.UpdateEscrowLogis(ctx, req)
	require.NoError(t, err)
	require.Equal(t, "999999999999", l.Invoice)
	got, err := c.GetEscrowLogis(ctx, p.ImpUID)
	require.NoError(t, err)
	require.Equal(t, *l, *got)

	_, err = c.GetEscrowLogis(ctx, "imp_000000000000")
	require.ErrorIs(t, err, iamport.ErrNotFound)
}

func TestE2ECodesAndAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	c := srv.Client()

	banks, err := c.ListBankCodes(ctx)
	require.NoError(t, err)
	require.Contains(t, banks, iamport.StandardCode{Code: "004", Name: "KB국민은행"})
	b, err := c.GetBankCode(ctx, "088")
	require.NoError(t, err)
	require.Equal(t, "신한은행", b.Name)
	_, err = c.GetBankCode(ctx, "000")
	require.ErrorIs(t, err, iamport.ErrNotFound)
	cards, err := c.ListCardCodes(ctx)
	require.NoError(t, err)
	require.Contains(t, cards, iamport.StandardCode{Code: "361", Name: "BC카드"})
	cd, err := c.GetCardCode(ctx, "365")
	require.NoError(t, err)
	require.Equal(t, "삼성카드", cd.Name)
	_, err = c.GetCardCode(ctx, "999")
	require.ErrorIs(t, err, iamport.ErrNotFound)

	pgs, err := c.ListPGSettings(ctx)
	require.NoError(t, err)
	require.Len(t, pgs, 1)
	require.Equal(t, "nice", pgs[0].PGProvider)

	srv.AddTier("T01", "강남점")
	tier, err := c.GetTier(ctx, "T01")
	require.NoError(t, err)
	require.Equal(t, iamport.Tier{TierCode: "T01", TierName: "강남점"}, *tier)
	_, err = c.GetTier(ctx, "ZZZ")
	require.ErrorIs(t, err, iamport.ErrNotFound)

	p := e2eOnetime(t, c, "order-partner", iamporttest.CardApproved, 20000)
	res, err := c.RegisterPartnerReceipts(ctx, p.ImpUID, []iamport.PartnerReceipt{
		{BusinessRegistrationNumber: "123-45-67890", CompanyName: "입점사A", Amount: 12000},
		{BusinessRegistrationNumber: "234-56-78901", CompanyName: "입점사B", Amount: 8000, TaxFree: iamport.Ptr(iamport.Amount(0))},
	})
	require.NoError(t, err)
	require.NotEmpty(t, res.ReceiptURL)
	_, err = c.RegisterPartnerReceipts(ctx, p.ImpUID, []iamport.PartnerReceipt{
		{BusinessRegistrationNumber: "123-45-67890", CompanyName: "입점사A", Amount: 30000}})
	requireStatus(t, err, 400)
}

func TestE2EVerifyPayment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	c := srv.Client()

	good := e2eOnetime(t, c, "order-ok", iamporttest.CardApproved, 8900)
	p, err := c.VerifyPayment(ctx, &iamport.VerifyPaymentRequest{ImpUID: good.ImpUID, MerchantUID: "order-ok", Amount: 8900})
	require.NoError(t, err)
	require.Equal(t, good.ImpUID, p.ImpUID)

	// The browser paid 100 won for an 8,900 won order: refused and refunded.
	tampered := e2eOnetime(t, c, "order-tampered", iamporttest.CardApproved, 100)
	p, err = c.VerifyPayment(ctx, &iamport.VerifyPaymentRequest{ImpUID: tampered.ImpUID, MerchantUID: "order-tampered", Amount: 8900, CancelOnMismatch: true})
	require.Nil(t, p)
	require.ErrorIs(t, err, iamport.ErrPaymentMismatch)
	var mm *iamport.PaymentMismatchError
	require.ErrorAs(t, err, &mm)
	require.Equal(t, []string{"amount"}, mm.Fields)
	require.NoError(t, mm.CancelErr)
	require.NotNil(t, mm.Cancelled)
	require.Equal(t, iamport.PaymentStatusCancelled, mm.Cancelled.Status)
	after := paymentsOf(srv, "order-tampered")
	require.Len(t, after, 1)
	require.Len(t, after[0].CancelHistory, 1, "refunded exactly once")
	require.True(t, after[0].CancelAmount.Equal(100))

	// Another order's payment is reported, never refunded.
	p, err = c.VerifyPayment(ctx, &iamport.VerifyPaymentRequest{ImpUID: good.ImpUID, MerchantUID: "order-other", Amount: 8900, CancelOnMismatch: true})
	require.Nil(t, p)
	require.ErrorAs(t, err, &mm)
	require.Equal(t, []string{"merchant_uid"}, mm.Fields)
	require.Nil(t, mm.Cancelled)
	require.Empty(t, paymentsOf(srv, "order-ok")[0].CancelHistory)

	// A virtual account waiting for its deposit is ready, not paid.
	vb := issueTestVbank(t, c, srv, "order-vb-verify")
	_, err = c.VerifyPayment(ctx, &iamport.VerifyPaymentRequest{ImpUID: vb.ImpUID, MerchantUID: "order-vb-verify", Amount: 15000, CancelOnMismatch: true})
	require.ErrorAs(t, err, &mm)
	require.Equal(t, []string{"status"}, mm.Fields)
	require.Nil(t, mm.Cancelled, "nothing was paid, so nothing is refunded")
	_, err = c.VerifyPayment(ctx, &iamport.VerifyPaymentRequest{ImpUID: vb.ImpUID, MerchantUID: "order-vb-verify", Amount: 15000, Status: iamport.PaymentStatusReady})
	require.NoError(t, err)

	_, err = c.VerifyPayment(ctx, &iamport.VerifyPaymentRequest{ImpUID: "imp_000000000000", MerchantUID: "order-ok", Amount: 8900})
	require.ErrorIs(t, err, iamport.ErrNotFound)
	require.NotErrorIs(t, err, iamport.ErrPaymentMismatch)
}

// Sandbox payments are not found unless the caller allows them, so a test
// payment never fulfils a real order.
func TestE2EVerifyPaymentSandbox(t *testing.T) {
	t.Parallel()
	srv := iamporttest.NewInProcess(iamporttest.WithSandbox())
	defer srv.Close()
	c := srv.Client()
	p := e2eOnetime(t, c, "order-sb", iamporttest.CardApproved, 1000)
	_, err := c.VerifyPayment(context.Background(), &iamport.VerifyPaymentRequest{ImpUID: p.ImpUID, MerchantUID: "order-sb", Amount: 1000})
	require.ErrorIs(t, err, iamport.ErrNotFound)
	got, err := c.VerifyPayment(context.Background(), &iamport.VerifyPaymentRequest{ImpUID: p.ImpUID, MerchantUID: "order-sb", Amount: 1000, AllowSandbox: true})
	require.NoError(t, err)
	require.True(t, got.Sandbox)
}

// A paid virtual account is refunded to an account, which the cancel must
// name.
func TestE2EVbankRefundNeedsAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	c := srv.Client()
	p := issueTestVbank(t, c, srv, "order-vb-refund")
	require.NoError(t, srv.Deposit(p.ImpUID))

	_, err := c.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, Reason: "환불", FullRefund: true})
	var apiErr *iamport.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, 1, apiErr.Code)
	require.Contains(t, apiErr.Message, "refund_account")

	got, err := c.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, Reason: "환불", FullRefund: true,
		RefundHolder: "홍길동", RefundBank: "088", RefundAccount: "110123456789"})
	require.NoError(t, err)
	require.Equal(t, iamport.PaymentStatusCancelled, got.Status)
	require.Len(t, got.CancelHistory, 1, "refunded once")
}
