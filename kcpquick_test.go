package iamport_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

func kcpMember(id string) map[string]any {
	return map[string]any{"member_id": id, "pg_provider": "kcp_quick", "pg_id": nil, "inserted": 1767225600, "updated": 1767225600.0}
}

var kcpPrepareReq = iamport.KcpQuickPrepareRequest{MerchantUID: "kcp-order/1", BTID: "bt-1", CustIP: "203.0.113.7",
	CodeVerifier: codeVerifier, PrepaidAuthYN: "Y", PrepaidAmount: iamport.Ptr(iamport.LenientInt(5000)), VenderType: "VID2", RewardID: "R1"}

const kcpPrepareBody = `{"btid":"bt-1","cust_ip":"203.0.113.7","code_verifier":"` + codeVerifier +
	`","prepaid_auth_yn":"Y","prepaid_amount":5000,"vender_type":"VID2","reward_id":"R1"}`

var _ = registerArea(
	areaEndpoint{name: "DeleteKcpQuickMember", method: http.MethodDelete, path: "/kcpquick/members/m%2F1",
		query: url.Values{"site_code": {"IX0XX"}, "partner_type": {"IX99"}, "partner_subtype": {"99IX"}}, resp: kcpMember("m/1"),
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			m, err := c.DeleteKcpQuickMember(ctx, &iamport.DeleteKcpQuickMemberRequest{MemberID: "m/1", SiteCode: "IX0XX", PartnerType: "IX99", PartnerSubtype: "99IX"})
			return nilIfErr(m, err)
		}},
	areaEndpoint{name: "PrepareKcpQuick", method: http.MethodPost, path: "/kcpquick/prepare/kcp-order%2F1", body: kcpPrepareBody,
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			r := kcpPrepareReq
			return errOnly(c.PrepareKcpQuick(ctx, &r))
		}},
	areaEndpoint{name: "UpdateKcpQuickPrepare", method: http.MethodPut, path: "/kcpquick/prepare/kcp-order%2F1", body: kcpPrepareBody,
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			r := kcpPrepareReq
			return errOnly(c.UpdateKcpQuickPrepare(ctx, &r))
		}},
	areaEndpoint{name: "PayKcpQuickMoney", method: http.MethodPost, path: "/kcpquick/payment/money", money: true,
		body: `{"member_id":"m-1","channel_key":"ch-kcp","merchant_uid":"order-1","name":"선불머니","amount":8900,"imp_uid":"imp_pin_1"}`,
		resp: payment("order-1", "pg_provider", "kcp_quick"),
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			p, err := c.PayKcpQuickMoney(ctx, &iamport.KcpQuickMoneyRequest{MemberID: "m-1", ChannelKey: "ch-kcp", MerchantUID: "order-1",
				Name: "선불머니", Amount: 8900, ImpUID: "imp_pin_1"})
			return nilIfErr(p, err)
		}},
	areaEndpoint{name: "PayKcpQuickAutopay", method: http.MethodPost, path: "/kcpquick/payment/autopay", money: true,
		body: `{"customer_uid":"kcp-key-1","merchant_uid":"order-1","name":"정기결제","buyer_name":"` + personalName + `","amount":8900,"notice_url":"https://shop.example/hook"}`,
		resp: payment("order-1", "pg_provider", "kcp_quick", "buyer_name", nil),
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			p, err := c.PayKcpQuickAutopay(ctx, &iamport.KcpQuickAutopayRequest{CustomerUID: "kcp-key-1", MerchantUID: "order-1",
				Name: "정기결제", BuyerName: personalName, Amount: 8900, NoticeURL: "https://shop.example/hook"})
			return nilIfErr(p, err)
		}},
	areaEndpoint{name: "DeleteKcpQuickAutopayKey", method: http.MethodDelete, path: "/kcpquick/autopay/kcp-key-1",
		resp: map[string]any{"customer_uid": "kcp-key-1"},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			k, err := c.DeleteKcpQuickAutopayKey(ctx, "kcp-key-1")
			return nilIfErr(k, err)
		}},
	areaEndpoint{name: "ReleaseKcpQuickFido", method: http.MethodPost, path: "/kcpquick/members/m-1/fido/release",
		body: `{"channel_key":"ch-kcp"}`, resp: map[string]any{"member_id": "m-1"},
		call: func(ctx context.Context, c *iamport.Client) (any, error) {
			r, err := c.ReleaseKcpQuickFido(ctx, &iamport.KcpQuickFidoReleaseRequest{MemberID: "m-1", ChannelKey: "ch-kcp"})
			return nilIfErr(r, err)
		}},
)

var _ = iamport.RegisterSpecOps(
	iamport.SpecOp{Method: "delete", Path: "/kcpquick/members/{member_id}", Query: reflect.TypeFor[iamport.DeleteKcpQuickMemberRequest](),
		Response: "KcpQuickMemberAnnotation", Decoded: reflect.TypeFor[iamport.KcpQuickMember]()},
	iamport.SpecOp{Method: "post", Path: "/kcpquick/prepare/{merchant_uid}", Body: reflect.TypeFor[iamport.KcpQuickPrepareRequest]()},
	iamport.SpecOp{Method: "put", Path: "/kcpquick/prepare/{merchant_uid}", Body: reflect.TypeFor[iamport.KcpQuickPrepareRequest]()},
	iamport.SpecOp{Method: "post", Path: "/kcpquick/payment/money", Body: reflect.TypeFor[iamport.KcpQuickMoneyRequest](),
		Response: "PaymentAnnotation", Decoded: reflect.TypeFor[iamport.Payment]()},
	iamport.SpecOp{Method: "post", Path: "/kcpquick/payment/autopay", Body: reflect.TypeFor[iamport.KcpQuickAutopayRequest](),
		Response: "PaymentAnnotation", Decoded: reflect.TypeFor[iamport.Payment]()},
	iamport.SpecOp{Method: "delete", Path: "/kcpquick/autopay/{customer_uid}", Decoded: reflect.TypeFor[iamport.KcpQuickAutopayKey]()},
	iamport.SpecOp{Method: "post", Path: "/kcpquick/members/{member_id}/fido/release", Body: reflect.TypeFor[iamport.KcpQuickFidoReleaseRequest](),
		Decoded: reflect.TypeFor[iamport.KcpQuickFidoRelease]()},
)

var _ = registerRedacted(
	redactCase{kcpPrepareReq, "bt-1"},
	redactCase{&iamport.KcpQuickAutopayRequest{CustomerUID: "kcp-keep", BuyerName: personalName}, "kcp-keep"},
)

// A KCP Quick payment whose answer is lost is looked up by merchant_uid,
// like any charge: paid is success, and it is never sent twice.
func TestKcpQuickPaymentLostAnswerReconciled(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, "/kcpquick/payment/autopay", fail(syscall.ECONNRESET))
	m.on(http.MethodGet, findAllPrefix+"order-kcp", appears(payment("order-kcp", "pg_provider", "kcp_quick", "customer_uid", "k",
		"started_at", 0, "paid_at", 4102444800)))
	p, err := m.client().PayKcpQuickAutopay(bg, &iamport.KcpQuickAutopayRequest{CustomerUID: "k", MerchantUID: "order-kcp", Name: "n", BuyerName: "b", Amount: 8900})
	require.NoError(t, err)
	require.True(t, p.Paid())
	require.Equal(t, 1, m.count(http.MethodPost, "/kcpquick/payment/autopay"))
	require.GreaterOrEqual(t, m.count(http.MethodGet, findAllPrefix+"order-kcp"), 2, "one look before sending, one or more after")
}

func TestKcpQuickValidation(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	c := m.client()
	for _, tt := range []struct {
		field string
		err   error
	}{
		{"site_code", func() error {
			_, err := c.DeleteKcpQuickMember(bg, &iamport.DeleteKcpQuickMemberRequest{MemberID: "m"})
			return err
		}()},
		{"code_verifier", c.PrepareKcpQuick(bg, &iamport.KcpQuickPrepareRequest{MerchantUID: "o", BTID: "b", CustIP: "1.2.3.4"})},
		{"prepaid_amount", c.UpdateKcpQuickPrepare(bg, &iamport.KcpQuickPrepareRequest{MerchantUID: "o", BTID: "b", CustIP: "1.2.3.4", CodeVerifier: "v", PrepaidAmount: iamport.Ptr(iamport.LenientInt(-1))})},
		{"imp_uid", func() error {
			_, err := c.PayKcpQuickMoney(bg, &iamport.KcpQuickMoneyRequest{MemberID: "m", MerchantUID: "o", ChannelKey: "c", Name: "n", Amount: 1})
			return err
		}()},
		{"amount", func() error {
			_, err := c.PayKcpQuickAutopay(bg, &iamport.KcpQuickAutopayRequest{CustomerUID: "k", MerchantUID: "o", Name: "n", BuyerName: "b"})
			return err
		}()},
		{"channel_key", func() error {
			_, err := c.ReleaseKcpQuickFido(bg, &iamport.KcpQuickFidoReleaseRequest{MemberID: "m"})
			return err
		}()},
		{"customer_uid", func() error {
			_, err := c.DeleteKcpQuickAutopayKey(bg, "")
			return err
		}()},
	} {
		var ve *iamport.ValidationError
		require.ErrorAs(t, tt.err, &ve, tt.field)
		require.Equal(t, tt.field, ve.Field)
	}
	require.Zero(t, m.total())
}

func TestE2EKcpQuick(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewInProcess()
	defer srv.Close()
	c := srv.Client()
	var ae *iamport.APIError

	// Prepare, refuse a second registration, change it.
	req := kcpPrepareReq
	require.NoError(t, c.PrepareKcpQuick(ctx, &req))
	err := c.PrepareKcpQuick(ctx, &req)
	require.ErrorAs(t, err, &ae)
	require.Equal(t, http.StatusConflict, ae.StatusCode)
	require.NoError(t, c.UpdateKcpQuickPrepare(ctx, &req))
	other := req
	other.MerchantUID = "never-prepared"
	require.ErrorIs(t, c.UpdateKcpQuickPrepare(ctx, &other), iamport.ErrNotFound)

	// Prepaid money: the PIN-checked payment is paid once.
	srv.AddKcpQuickMember("member-1", "IX0XX", "IX99", "99IX")
	impUID := srv.KcpQuickPinCheck("member-1", "kcp-money-1", 12000)
	money := &iamport.KcpQuickMoneyRequest{MemberID: "member-1", ChannelKey: "ch", MerchantUID: "kcp-money-1", Name: "충전", Amount: 12000, ImpUID: impUID}
	p, err := c.PayKcpQuickMoney(ctx, money)
	require.NoError(t, err)
	require.True(t, p.Paid())
	require.Equal(t, impUID, p.ImpUID)
	_, err = c.PayKcpQuickMoney(ctx, money)
	require.ErrorAs(t, err, &ae, "a paid order is not paid again")

	// Autopay: approved, then declined.
	srv.AddKcpQuickAutopayKey("kcp-key-1")
	p, err = c.PayKcpQuickAutopay(ctx, &iamport.KcpQuickAutopayRequest{CustomerUID: "kcp-key-1", MerchantUID: "kcp-auto-1", Name: "정기", BuyerName: "구매자", Amount: 9900})
	require.NoError(t, err)
	require.Equal(t, "kcp_quick", p.PGProvider)
	srv.DeclineCharges("kcp-key-1", 1, "잔액 부족")
	p, err = c.PayKcpQuickAutopay(ctx, &iamport.KcpQuickAutopayRequest{CustomerUID: "kcp-key-1", MerchantUID: "kcp-auto-2", Name: "정기", BuyerName: "구매자", Amount: 9900})
	var declined *iamport.DeclinedError
	require.ErrorAs(t, err, &declined)
	require.Equal(t, iamport.PaymentStatusFailed, p.Status)
	_, err = c.PayKcpQuickAutopay(ctx, &iamport.KcpQuickAutopayRequest{CustomerUID: "unknown", MerchantUID: "kcp-auto-3", Name: "정기", BuyerName: "구매자", Amount: 9900})
	require.ErrorAs(t, err, &ae)

	// FIDO release, key and member deletion.
	rel, err := c.ReleaseKcpQuickFido(ctx, &iamport.KcpQuickFidoReleaseRequest{MemberID: "member-1", ChannelKey: "ch"})
	require.NoError(t, err)
	require.Equal(t, "member-1", rel.MemberID)
	k, err := c.DeleteKcpQuickAutopayKey(ctx, "kcp-key-1")
	require.NoError(t, err)
	require.Equal(t, "kcp-key-1", k.CustomerUID)
	_, err = c.DeleteKcpQuickAutopayKey(ctx, "kcp-key-1")
	require.ErrorIs(t, err, iamport.ErrNotFound)
	_, err = c.DeleteKcpQuickMember(ctx, &iamport.DeleteKcpQuickMemberRequest{MemberID: "member-1", SiteCode: "OTHER", PartnerType: "IX99", PartnerSubtype: "99IX"})
	require.ErrorIs(t, err, iamport.ErrNotFound, "the site code must match")
	mem, err := c.DeleteKcpQuickMember(ctx, &iamport.DeleteKcpQuickMemberRequest{MemberID: "member-1", SiteCode: "IX0XX", PartnerType: "IX99", PartnerSubtype: "99IX"})
	require.NoError(t, err)
	require.Equal(t, "kcp_quick", mem.PGProvider)
	_, err = c.ReleaseKcpQuickFido(ctx, &iamport.KcpQuickFidoReleaseRequest{MemberID: "member-1", ChannelKey: "ch"})
	require.ErrorAs(t, err, &ae)
}
