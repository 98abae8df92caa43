package iamport_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// The fault matrix of the PG-specific calls that refund, charge or issue:
// under every fault the fake can inject, with lookups working, the money
// moves at most once, the request is never re-sent once it may have been
// written, and the SDK reports exactly what the fake did. After a fault that
// left the fake untouched (unmade), nothing proves that the request will not
// still run, so the outcome is an *OutcomeUnknownError.
var pgMatrix = []struct {
	name, method, route string
	// run prepares the fake and makes the call under test. It returns a
	// check of the fake's truth against the SDK's answer when the fake did
	// the work, one that the fake did nothing, after an unmade fault, and
	// the call's error.
	run func(ctx context.Context, t *testing.T, srv *iamporttest.Server, c *iamport.Client) (made, unmade func(), err error)
}{
	{"NaverCancel", "POST", "/payments/{imp_uid}/naver/cancel", func(ctx context.Context, t *testing.T, srv *iamporttest.Server, c *iamport.Client) (func(), func(), error) {
		p := srv.NaverPayment("naver-matrix", iamport.NaverProductOrder{ProductOrderID: "po-m1", ProductAmount: 7000},
			iamport.NaverProductOrder{ProductOrderID: "po-m2", ProductAmount: 3000})
		os, err := c.NaverCancel(ctx, &iamport.NaverCancelRequest{NaverProductOrderTarget: iamport.NaverProductOrderTarget{
			ImpUID: p.ImpUID, ProductOrderIDs: []string{"po-m1"}}})
		return func() {
				got := paymentsOf(srv, "naver-matrix")
				require.Len(t, got, 1)
				require.Len(t, got[0].CancelHistory, 1, "refunded exactly once")
				require.Equal(t, iamport.Amount(7000), got[0].CancelAmount)
				require.NoError(t, err, "the refund was made, so the SDK must report success")
				require.Len(t, os, 1)
				require.Equal(t, iamport.NaverCanceled, os[0].ProductOrderStatus)
			}, func() {
				got := paymentsOf(srv, "naver-matrix")
				require.Len(t, got, 1)
				require.Empty(t, got[0].CancelHistory, "no refund")
			}, err
	}},
	{"PayBenepia", "POST", "/benepia/payment", func(ctx context.Context, t *testing.T, srv *iamporttest.Server, c *iamport.Client) (func(), func(), error) {
		srv.SetBenepiaAccount("emp-m", "pw", 10000)
		p, err := c.PayBenepia(ctx, &iamport.BenepiaPaymentRequest{BenepiaUser: "emp-m", BenepiaPassword: "pw", ChannelKey: "ch",
			MerchantUID: "bnp-matrix", Name: "n", Amount: 4000})
		points := func() iamport.Amount {
			pt, perr := c.GetBenepiaPoint(ctx, &iamport.BenepiaPointRequest{BenepiaUser: "emp-m", BenepiaPassword: "pw", ChannelKey: "ch"})
			require.NoError(t, perr)
			return pt.Point
		}
		return func() {
				requireOneCharge(t, srv, "bnp-matrix", p, err)
				require.Equal(t, iamport.Amount(6000), points(), "points spent once")
			}, func() {
				require.Empty(t, paymentsOf(srv, "bnp-matrix"))
				require.Equal(t, iamport.Amount(10000), points(), "no points spent")
			}, err
	}},
	{"PayKcpQuickAutopay", "POST", "/kcpquick/payment/autopay", func(ctx context.Context, t *testing.T, srv *iamporttest.Server, c *iamport.Client) (func(), func(), error) {
		srv.AddKcpQuickAutopayKey("kcp-m")
		p, err := c.PayKcpQuickAutopay(ctx, &iamport.KcpQuickAutopayRequest{CustomerUID: "kcp-m", MerchantUID: "kcp-matrix", Name: "n", BuyerName: "b", Amount: 9900})
		return func() { requireOneCharge(t, srv, "kcp-matrix", p, err) },
			func() { require.Empty(t, paymentsOf(srv, "kcp-matrix")) }, err
	}},
	{"PayKcpQuickMoney", "POST", "/kcpquick/payment/money", func(ctx context.Context, t *testing.T, srv *iamporttest.Server, c *iamport.Client) (func(), func(), error) {
		srv.AddKcpQuickMember("member-m", "s", "t", "u")
		imp := srv.KcpQuickPinCheck("member-m", "kcpm-matrix", 5000)
		p, err := c.PayKcpQuickMoney(ctx, &iamport.KcpQuickMoneyRequest{MemberID: "member-m", ChannelKey: "ch", MerchantUID: "kcpm-matrix", Name: "n", Amount: 5000, ImpUID: imp})
		return func() { requireOneCharge(t, srv, "kcpm-matrix", p, err) }, func() {
			got := paymentsOf(srv, "kcpm-matrix")
			require.Len(t, got, 1)
			require.Equal(t, iamport.PaymentStatusReady, got[0].Status, "the PIN-checked payment is still unpaid")
		}, err
	}},
	{"IssueCVSPayment", "POST", "/cvs", func(ctx context.Context, t *testing.T, srv *iamporttest.Server, c *iamport.Client) (func(), func(), error) {
		p, err := c.IssueCVSPayment(ctx, &iamport.CVSPaymentRequest{ChannelKey: "ch", MerchantUID: "cvs-matrix", Amount: 15000})
		return func() {
				got := paymentsOf(srv, "cvs-matrix")
				require.Len(t, got, 1, "one number issued")
				require.NoError(t, err)
				require.Equal(t, got[0].ImpUID, p.ImpUID)
				require.Equal(t, got[0].VbankNum, p.VbankNum)
			}, func() {
				require.Empty(t, paymentsOf(srv, "cvs-matrix"), "no number issued")
			}, err
	}},
	{"RevokeCVSPayment", "DELETE", "/cvs/{imp_uid}", func(ctx context.Context, t *testing.T, srv *iamporttest.Server, c *iamport.Client) (func(), func(), error) {
		issued, err := srv.Client().IssueCVSPayment(ctx, &iamport.CVSPaymentRequest{ChannelKey: "ch", MerchantUID: "cvs-matrix-2", Amount: 15000})
		require.NoError(t, err)
		p, err := c.RevokeCVSPayment(ctx, issued.ImpUID)
		status := func() iamport.PaymentStatus {
			got := paymentsOf(srv, "cvs-matrix-2")
			require.Len(t, got, 1)
			return got[0].Status
		}
		return func() {
				require.Equal(t, iamport.PaymentStatusCancelled, status())
				require.NoError(t, err)
				require.Equal(t, iamport.PaymentStatusCancelled, p.Status)
			}, func() {
				require.Equal(t, iamport.PaymentStatusReady, status(), "the number is not revoked")
			}, err
	}},
}

func TestFaultMatrixPG(t *testing.T) {
	t.Parallel()
	for _, m := range pgMatrix {
		for _, f := range matrixFaults {
			t.Run(m.name+"/"+f.name, func(t *testing.T) {
				t.Parallel()
				srv := iamporttest.NewServer()
				defer srv.Close()
				c := srv.Client(matrixClientOptions()...)
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				srv.InjectFault(m.method, m.route, 1, f.fault)
				// Preparing the fake never calls the faulted route.
				made, unmade, err := m.run(ctx, t, srv, c)
				require.NoError(t, ctx.Err(), "the call must return within its context deadline")
				require.Equal(t, 1, srv.Calls(m.method, m.route)-f.resent(), "a request that may have been written is never re-sent")
				var unknown *iamport.OutcomeUnknownError
				if f.unmade {
					require.ErrorAs(t, err, &unknown, "nothing shows, and the request may still run: unknown")
					unmade()
					return
				}
				require.False(t, errors.As(err, &unknown), "lookups work, so the outcome is knowable: %v", err)
				made()
			})
		}
	}
}

// With the lookups failing too, a lost NaverPay refund is reported as an
// *OutcomeUnknownError, and the fake shows at most one refund.
func TestNaverCancelUnknownWhenLookupsFail(t *testing.T) {
	t.Parallel()
	srv := iamporttest.NewServer()
	defer srv.Close()
	c := srv.Client(matrixClientOptions()...)
	p := srv.NaverPayment("naver-unknown", iamport.NaverProductOrder{ProductOrderID: "po-u", ProductAmount: 7000})
	srv.InjectFault("POST", "/payments/{imp_uid}/naver/cancel", 1, iamporttest.Fault{Kind: iamporttest.FaultDropAfterProcessing})
	srv.InjectFault("GET", "/payments/{imp_uid}/naver/product-orders", 1000, iamporttest.Fault{Kind: iamporttest.FaultStatusBeforeProcessing, Status: 503})
	_, err := c.NaverCancel(context.Background(), &iamport.NaverCancelRequest{NaverProductOrderTarget: iamport.NaverProductOrderTarget{ImpUID: p.ImpUID}})
	var unknown *iamport.OutcomeUnknownError
	require.True(t, errors.As(err, &unknown), "%v", err)
	require.Len(t, paymentsOf(srv, "naver-unknown")[0].CancelHistory, 1)
	require.Equal(t, 1, srv.Calls("POST", "/payments/{imp_uid}/naver/cancel"))
}
