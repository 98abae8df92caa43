package iamport

import (
	"context"
	"fmt"
	"log/slog"
)

// KCP Quick (KCP 퀵페이) is KCP's simple-payment service with its prepaid
// money (선불머니): buyers registered as members pay from their prepaid
// money after a PIN check in the browser, or automatically with an autopay
// key (a billing key).

// KcpQuickMember is a buyer registered with KCP Quick
// (KcpQuickMemberAnnotation).
type KcpQuickMember struct {
	MemberID   string `json:"member_id"`
	PGProvider string `json:"pg_provider"`
	PGID       string `json:"pg_id"`
	Inserted   Time   `json:"inserted"`
	Updated    Time   `json:"updated"`
}

// DeleteKcpQuickMemberRequest deletes a KCP Quick member (DELETE
// /kcpquick/members/{member_id}). Every field is required: the site code,
// partner type and subtype the member was registered with.
type DeleteKcpQuickMemberRequest struct {
	MemberID       string `url:"-"` // goes into the path
	SiteCode       string `url:"site_code"`
	PartnerType    string `url:"partner_type"`
	PartnerSubtype string `url:"partner_subtype"`
}

// DeleteKcpQuickMember deletes a KCP Quick member and returns it (DELETE
// /kcpquick/members/{member_id}). An unknown member gives an error matching
// ErrNotFound.
func (c *Client) DeleteKcpQuickMember(ctx context.Context, req *DeleteKcpQuickMemberRequest) (*KcpQuickMember, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if err := checkID("member_id", req.MemberID); err != nil {
		return nil, err
	}
	for _, f := range [][2]string{{"site_code", req.SiteCode}, {"partner_type", req.PartnerType}, {"partner_subtype", req.PartnerSubtype}} {
		if err := requireField(f[0], f[1]); err != nil {
			return nil, err
		}
	}
	var m KcpQuickMember
	r := &request{method: "DELETE", path: "/kcpquick/members/" + escape(req.MemberID), query: queryOf(req)}
	if err := c.call(ctx, r, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// KcpQuickPrepareRequest registers, or changes, a KCP prepaid-money
// transaction before the browser opens it (POST and PUT
// /kcpquick/prepare/{merchant_uid}). CodeVerifier is a secret: it is
// redacted in fmt and slog output.
type KcpQuickPrepareRequest struct {
	MerchantUID  string `json:"-"`                           // required; goes into the path
	BTID         string `json:"btid"`                        // required: the merchant's transaction registration number
	CustIP       string `json:"cust_ip" redact:"true"`       // required: the buyer's IP address
	CodeVerifier string `json:"code_verifier" redact:"true"` // required: the random string that proves the requester
	// PrepaidAuthYN is "Y" or "N": whether prepaid-money authentication is
	// used.
	PrepaidAuthYN string      `json:"prepaid_auth_yn,omitempty"`
	PrepaidAmount *LenientInt `json:"prepaid_amount,omitempty"` // prepaid-money amount
	VenderType    string      `json:"vender_type,omitempty"`    // barcode issuer (VID2, VID3)
	RewardID      string      `json:"reward_id,omitempty"`
}

type kcpQuickPrepareRequestFields KcpQuickPrepareRequest // same fields, no methods

// MarshalJSON encodes r with CodeVerifier redacted.
func (r KcpQuickPrepareRequest) MarshalJSON() ([]byte, error) {
	return redactedJSON(kcpQuickPrepareRequestFields(r))
}

// Format prints r with CodeVerifier redacted, for every verb.
func (r KcpQuickPrepareRequest) Format(f fmt.State, verb rune) {
	formatRedacted[KcpQuickPrepareRequest](f, verb, kcpQuickPrepareRequestFields(r))
}

// LogValue logs r with CodeVerifier redacted.
func (r KcpQuickPrepareRequest) LogValue() slog.Value {
	return logValueRedacted(kcpQuickPrepareRequestFields(r))
}

func (r KcpQuickPrepareRequest) wire() any { return kcpQuickPrepareRequestFields(r) }

func (r *KcpQuickPrepareRequest) check() error {
	if err := checkNewMerchantUID("merchant_uid", r.MerchantUID); err != nil {
		return err
	}
	for _, f := range [][2]string{{"btid", r.BTID}, {"cust_ip", r.CustIP}, {"code_verifier", r.CodeVerifier}} {
		if err := requireField(f[0], f[1]); err != nil {
			return err
		}
	}
	if r.PrepaidAmount != nil && *r.PrepaidAmount < 0 {
		return invalid("prepaid_amount", "must not be negative")
	}
	return nil
}

// PrepareKcpQuick registers a KCP prepaid-money transaction (POST
// /kcpquick/prepare/{merchant_uid}). A merchant_uid registered before is
// refused with HTTP 409: use UpdateKcpQuickPrepare.
func (c *Client) PrepareKcpQuick(ctx context.Context, req *KcpQuickPrepareRequest) error {
	return c.kcpQuickPrepare(ctx, "POST", req)
}

// UpdateKcpQuickPrepare changes a registered KCP prepaid-money transaction
// (PUT /kcpquick/prepare/{merchant_uid}). An unregistered merchant_uid gives
// an error matching ErrNotFound.
func (c *Client) UpdateKcpQuickPrepare(ctx context.Context, req *KcpQuickPrepareRequest) error {
	return c.kcpQuickPrepare(ctx, "PUT", req)
}

func (c *Client) kcpQuickPrepare(ctx context.Context, method string, req *KcpQuickPrepareRequest) error {
	if req == nil {
		return invalid("request", "is required")
	}
	w := *req
	if err := w.check(); err != nil {
		return err
	}
	return c.call(ctx, &request{method: method, path: "/kcpquick/prepare/" + escape(w.MerchantUID), body: &w}, nil)
}

// KcpQuickMoneyRequest pays a transaction whose PIN check the buyer passed
// with KCP prepaid money (POST /kcpquick/payment/money).
type KcpQuickMoneyRequest struct {
	MemberID    string `json:"member_id"`    // required: the buyer's KCP Quick member ID
	ChannelKey  string `json:"channel_key"`  // required
	MerchantUID string `json:"merchant_uid"` // required
	Name        string `json:"name"`         // required: order name
	Amount      Amount `json:"amount"`       // required, > 0, whole (KRW)
	ImpUID      string `json:"imp_uid"`      // required: the transaction of the PIN check
	NoticeURL   string `json:"notice_url,omitempty"`
}

func (r *KcpQuickMoneyRequest) check() error {
	if err := checkID("member_id", r.MemberID); err != nil {
		return err
	}
	if err := checkNewMerchantUID("merchant_uid", r.MerchantUID); err != nil {
		return err
	}
	if err := checkID("imp_uid", r.ImpUID); err != nil {
		return err
	}
	for _, f := range [][2]string{{"channel_key", r.ChannelKey}, {"name", r.Name}} {
		if err := requireField(f[0], f[1]); err != nil {
			return err
		}
	}
	return checkKRWAmount("amount", r.Amount)
}

// PayKcpQuickMoney pays with KCP prepaid money the transaction whose PIN
// check made the payment req.ImpUID (POST /kcpquick/payment/money). A nil
// error means the payment is paid; a decline returns the failed Payment and
// a *DeclinedError. If the answer is lost, PayKcpQuickMoney looks the payment
// up by ImpUID: paid is the answer, paid and cancelled since a
// *ChargeCancelledError, failed since the call a *DeclinedError; the request
// is never sent again, and a payment still ready at the reconcile timeout is
// an *OutcomeUnknownError.
func (c *Client) PayKcpQuickMoney(ctx context.Context, req *KcpQuickMoneyRequest) (*Payment, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	if err := w.check(); err != nil {
		return nil, err
	}
	r := &request{method: "POST", path: "/kcpquick/payment/money", body: &w, money: true}
	ctx = withCallToken(ctx)
	sentAt, err := c.sendTime(ctx)
	if err != nil {
		return nil, err
	}
	var p Payment
	err = c.call(ctx, r, &p)
	if err == nil {
		// Another order's payment, or one neither paid nor failed (the PIN
		// check's payment still ready, no status): no outcome, and no decline.
		err = unsettled(r, &p, &chargeOrder{merchantUID: w.MerchantUID})
	}
	if err == nil {
		return chargeResult(&p)
	}
	if !isAmbiguous(err) {
		return nil, err
	}
	// The PIN check made the payment, ready, before this call: finding it
	// by merchant_uid proves nothing, its status does.
	found, err := settle(c, ctx, w.MerchantUID, "", err, func(ctx context.Context) (*Payment, verdict, error) {
		p, err := c.GetPayment(ctx, w.ImpUID, GetPaymentParams{IncludeSandbox: true})
		switch {
		case err != nil:
			return nil, lookupFailed, err
		case p.MerchantUID != w.MerchantUID:
			return nil, pending, nil
		case p.Status == PaymentStatusPaid || (p.Status == PaymentStatusCancelled && !p.PaidAt.IsZero()):
			return p, decided, nil
		case p.Status == PaymentStatusFailed && !p.FailedAt.Before(sentAt.Add(-clockSlack)):
			return p, decided, nil
		}
		return nil, pending, nil // still ready: not yet, or never; never sent again
	})
	if err != nil {
		return nil, err
	}
	return chargeResult(found)
}

// KcpQuickAutopayRequest charges a KCP Quick autopay key (POST
// /kcpquick/payment/autopay). BuyerName is personal data: it is redacted in
// fmt and slog output.
type KcpQuickAutopayRequest struct {
	CustomerUID string `json:"customer_uid"`             // required: the autopay key
	MerchantUID string `json:"merchant_uid"`             // required
	Name        string `json:"name"`                     // required: order name
	BuyerName   string `json:"buyer_name" redact:"true"` // required
	Amount      Amount `json:"amount"`                   // required, > 0, whole (KRW)
	NoticeURL   string `json:"notice_url,omitempty"`
}

type kcpQuickAutopayRequestFields KcpQuickAutopayRequest // same fields, no methods

// MarshalJSON encodes r with BuyerName redacted.
func (r KcpQuickAutopayRequest) MarshalJSON() ([]byte, error) {
	return redactedJSON(kcpQuickAutopayRequestFields(r))
}

// Format prints r with BuyerName redacted, for every verb.
func (r KcpQuickAutopayRequest) Format(f fmt.State, verb rune) {
	formatRedacted[KcpQuickAutopayRequest](f, verb, kcpQuickAutopayRequestFields(r))
}

// LogValue logs r with BuyerName redacted.
func (r KcpQuickAutopayRequest) LogValue() slog.Value {
	return logValueRedacted(kcpQuickAutopayRequestFields(r))
}

func (r KcpQuickAutopayRequest) wire() any { return kcpQuickAutopayRequestFields(r) }

func (r *KcpQuickAutopayRequest) check() error {
	if err := checkID("customer_uid", r.CustomerUID); err != nil {
		return err
	}
	if err := checkNewMerchantUID("merchant_uid", r.MerchantUID); err != nil {
		return err
	}
	for _, f := range [][2]string{{"name", r.Name}, {"buyer_name", r.BuyerName}} {
		if err := requireField(f[0], f[1]); err != nil {
			return err
		}
	}
	return checkKRWAmount("amount", r.Amount)
}

// PayKcpQuickAutopay charges a KCP Quick autopay key (POST
// /kcpquick/payment/autopay). It settles like Again: a nil error means the
// payment is paid, a decline returns the failed Payment and a
// *DeclinedError; a lost answer is never sent again but settled by listing
// the order's attempts (an *OutcomeUnknownError if none proves the outcome
// before the reconcile timeout). A second concurrent charge of one
// MerchantUID on one Client is refused with ErrChargeInFlight.
func (c *Client) PayKcpQuickAutopay(ctx context.Context, req *KcpQuickAutopayRequest) (*Payment, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	w := *req
	if err := w.check(); err != nil {
		return nil, err
	}
	o := &chargeOrder{merchantUID: w.MerchantUID, amount: &w.Amount, customerUID: w.CustomerUID}
	return c.charge(ctx, o, &request{method: "POST", path: "/kcpquick/payment/autopay", body: &w, money: true})
}

// KcpQuickAutopayKey names a deleted KCP Quick autopay key.
type KcpQuickAutopayKey struct {
	CustomerUID string `json:"customer_uid"`
}

// DeleteKcpQuickAutopayKey deletes a KCP Quick autopay key (DELETE
// /kcpquick/autopay/{customer_uid}). An unknown key gives an error matching
// ErrNotFound.
func (c *Client) DeleteKcpQuickAutopayKey(ctx context.Context, customerUID string) (*KcpQuickAutopayKey, error) {
	if err := checkID("customer_uid", customerUID); err != nil {
		return nil, err
	}
	var k KcpQuickAutopayKey
	if err := c.call(ctx, &request{method: "DELETE", path: "/kcpquick/autopay/" + escape(customerUID)}, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// KcpQuickFidoReleaseRequest turns biometric authentication (FIDO) off for a
// KCP Quick member (POST /kcpquick/members/{member_id}/fido/release).
type KcpQuickFidoReleaseRequest struct {
	MemberID   string `json:"-"`           // required; goes into the path
	ChannelKey string `json:"channel_key"` // required
}

// KcpQuickFidoRelease names the member whose FIDO use was turned off.
type KcpQuickFidoRelease struct {
	MemberID string `json:"member_id"`
}

// ReleaseKcpQuickFido turns biometric authentication off for a KCP Quick
// member (POST /kcpquick/members/{member_id}/fido/release). A refusal by KCP
// is an *APIError with iamport's code and message.
func (c *Client) ReleaseKcpQuickFido(ctx context.Context, req *KcpQuickFidoReleaseRequest) (*KcpQuickFidoRelease, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	if err := checkID("member_id", req.MemberID); err != nil {
		return nil, err
	}
	if err := requireField("channel_key", req.ChannelKey); err != nil {
		return nil, err
	}
	w := *req
	var out KcpQuickFidoRelease
	if err := c.call(ctx, &request{method: "POST", path: "/kcpquick/members/" + escape(w.MemberID) + "/fido/release", body: &w}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
