package iamport_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// The fault matrix of the calls that issue something: every fault the fake
// can inject, on the issue call. A nil error means it was issued exactly
// once, as reported; after a fault where the fake did nothing though the
// request may have been written, nothing the lookups show can prove it will
// not still run, so the outcome is an *OutcomeUnknownError and nothing was
// issued; the call is never sent twice once it may have been written.

type issueMethod struct {
	name  string
	route string
	setup func(t *testing.T, ctx context.Context, srv *iamporttest.Server, c *iamport.Client)
	run   func(ctx context.Context, srv *iamporttest.Server, c *iamport.Client) (any, error)
	check func(t *testing.T, srv *iamporttest.Server, c *iamport.Client, res any, err error)
}

// paidVbank issues a virtual account for merchantUID and pays into it.
func paidVbank(t *testing.T, ctx context.Context, srv *iamporttest.Server, c *iamport.Client, merchantUID string) *iamport.Payment {
	t.Helper()
	p, err := c.IssueVbank(ctx, &iamport.VbankRequest{ChannelKey: "ck", MerchantUID: merchantUID, Amount: 22000, VbankCode: "088",
		VbankDue: srv.Now().Add(24 * time.Hour)})
	require.NoError(t, err)
	require.NoError(t, srv.Deposit(p.ImpUID))
	return p
}

var issueMethods = []issueMethod{
	{
		name:  "IssueVbank",
		route: "/vbanks",
		setup: func(*testing.T, context.Context, *iamporttest.Server, *iamport.Client) {},
		run: func(ctx context.Context, srv *iamporttest.Server, c *iamport.Client) (any, error) {
			return c.IssueVbank(ctx, &iamport.VbankRequest{ChannelKey: "ck", MerchantUID: "order_vbank", Amount: 15000, VbankCode: "004",
				VbankDue: srv.Now().Add(72 * time.Hour)})
		},
		check: func(t *testing.T, srv *iamporttest.Server, _ *iamport.Client, res any, err error) {
			ps := paymentsOf(srv, "order_vbank")
			if err != nil {
				require.Empty(t, ps, "an error means no account was issued: %v", err)
				return
			}
			require.Len(t, ps, 1, "exactly one account")
			p := res.(*iamport.Payment)
			require.Equal(t, ps[0].ImpUID, p.ImpUID)
			require.Equal(t, ps[0].VbankNum, p.VbankNum)
			require.Equal(t, iamport.PaymentStatusReady, p.Status)
		},
	},
	{
		name:  "IssueReceipt",
		route: "/receipts/{imp_uid}",
		setup: func(t *testing.T, ctx context.Context, srv *iamporttest.Server, c *iamport.Client) {
			paidVbank(t, ctx, srv, c, "order_receipt")
		},
		run: func(ctx context.Context, srv *iamporttest.Server, c *iamport.Client) (any, error) {
			return c.IssueReceipt(ctx, &iamport.ReceiptRequest{ImpUID: paymentsOf(srv, "order_receipt")[0].ImpUID, Identifier: "01012345678"})
		},
		check: func(t *testing.T, srv *iamporttest.Server, c *iamport.Client, res any, err error) {
			imp := paymentsOf(srv, "order_receipt")[0].ImpUID
			got, lerr := c.GetReceipt(context.Background(), imp)
			if err != nil {
				require.ErrorIs(t, lerr, iamport.ErrNotFound, "an error means no receipt was issued: %v", err)
				return
			}
			require.NoError(t, lerr)
			require.Equal(t, got.ApplyNum, res.(*iamport.Receipt).ApplyNum)
			require.True(t, got.Amount.Equal(22000))
		},
	},
	{
		name:  "RegisterEscrowLogis",
		route: "/escrows/logis/{imp_uid}",
		setup: func(t *testing.T, ctx context.Context, srv *iamporttest.Server, c *iamport.Client) {
			paidVbank(t, ctx, srv, c, "order_escrow")
		},
		run: func(ctx context.Context, srv *iamporttest.Server, c *iamport.Client) (any, error) {
			return c.RegisterEscrowLogis(ctx, &iamport.EscrowLogisRequest{ImpUID: paymentsOf(srv, "order_escrow")[0].ImpUID,
				Logis: iamport.EscrowLogisInfo{Company: "CJGLS", Invoice: "555", SentAt: srv.Now()}})
		},
		check: func(t *testing.T, srv *iamporttest.Server, c *iamport.Client, res any, err error) {
			got, lerr := c.GetEscrowLogis(context.Background(), paymentsOf(srv, "order_escrow")[0].ImpUID)
			if err != nil {
				requireStatus(t, lerr, 409)
				return
			}
			require.NoError(t, lerr)
			require.Equal(t, *got, *res.(*iamport.EscrowLogis))
		},
	},
}

func TestIssueFaultMatrix(t *testing.T) {
	t.Parallel()
	for _, m := range issueMethods {
		for _, f := range matrixFaults {
			t.Run(m.name+"/"+f.name, func(t *testing.T) {
				t.Parallel()
				srv := iamporttest.NewServer()
				defer srv.Close()
				c := srv.Client(matrixClientOptions()...)
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				m.setup(t, ctx, srv, c)

				srv.InjectFault("POST", m.route, 1, f.fault)
				res, err := m.run(ctx, srv, c)
				require.NoError(t, ctx.Err(), "the call must return within its context deadline")
				// After every other fault the request was provably not sent
				// (and is sent again), replayed after a 401, or processed and
				// found by the lookups: the call succeeds.
				var unknown *iamport.OutcomeUnknownError
				if f.unmade {
					require.ErrorAs(t, err, &unknown, "nothing shows, and the request may still run: unknown")
					require.Nil(t, res, "no result with an unknown outcome")
				} else {
					require.NoError(t, err)
				}
				sent := srv.Calls("POST", m.route)
				if f.fault.Kind == iamporttest.FaultRefuseConnection || f.fault.Kind == iamporttest.FaultUnauthorized {
					require.Equal(t, 2, sent, "re-sent only because it provably never reached the fake, or was refused before processing")
				} else {
					require.Equal(t, 1, sent, "never sent twice")
				}
				m.check(t, srv, c, res, err)
			})
		}
	}
}
