package iamport

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
)

// Certification is the result of an identity verification (본인인증)
// (CertificationAnnotation). It is personal data: Name, Gender, Birthday,
// Phone, Carrier, UniqueKey and UniqueInSite are redacted in fmt, slog and
// JSON output, so that logging a Certification never records who was
// verified. Read the fields directly.
type Certification struct {
	ImpUID      string `json:"imp_uid"`
	MerchantUID string `json:"merchant_uid"`
	PGTID       string `json:"pg_tid"`
	PGProvider  string `json:"pg_provider"` // "danal" or "kcp_v2"
	Name        string `json:"name" redact:"true"`
	Gender      string `json:"gender" redact:"true"`   // "male" or "female"
	Birthday    string `json:"birthday" redact:"true"` // YYYY-MM-DD
	Foreigner   bool   `json:"foreigner"`
	// ForeignerV2 is the foreigner flag that is null when the contract does
	// not include it.
	ForeignerV2 *bool  `json:"foreigner_v2"`
	Phone       string `json:"phone" redact:"true"`   // digits only; absent without the carrier's approval
	Carrier     string `json:"carrier" redact:"true"` // SKT, KT, LGT, or the MVNO variants
	Certified   bool   `json:"certified"`
	CertifiedAt Time   `json:"certified_at"`
	// UniqueKey is the person's CI, the same for every merchant.
	UniqueKey string `json:"unique_key" redact:"true"`
	// UniqueInSite is the person's DI, unique within the merchant's MID.
	UniqueInSite string `json:"unique_in_site" redact:"true"`
	Origin       string `json:"origin"` // the page the verification ran on
}

type plainCertification Certification

func (c Certification) redacted() plainCertification {
	c = redactFields(c)
	return plainCertification(c)
}

// Format prints c with its personal data redacted, for every verb.
func (c Certification) Format(f fmt.State, verb rune) { formatPlain(f, verb, c.redacted()) }

// LogValue logs c with its personal data redacted.
func (c Certification) LogValue() slog.Value { return logValueOf(c) }

// MarshalJSON encodes c with its personal data redacted. Store the fields
// you need explicitly.
func (c Certification) MarshalJSON() ([]byte, error) { return json.Marshal(c.redacted()) }

// Carrier codes of CertificationOTPRequest.
const (
	CarrierSKT = "SKT"
	CarrierKT  = "KT"
	CarrierLGT = "LGT"
)

// CertificationOTPRequest starts an identity verification by SMS (POST
// /certifications/otp/request): the carrier checks the person's data and
// sends a 6-digit code, which ConfirmCertificationOTP completes. Only
// merchants approved by the carriers may use it (danal, kcp_v2). Name,
// Phone, Birth and GenderDigit are redacted in fmt, slog and JSON output.
type CertificationOTPRequest struct {
	Name  string `json:"name" redact:"true"`  // required
	Phone string `json:"phone" redact:"true"` // required; symbols are ignored
	Birth string `json:"birth" redact:"true"` // required, YYMMDD; symbols are ignored
	// GenderDigit is the 7th digit of the resident registration number
	// (1-4 for Koreans, 5-8 for foreigners). Required.
	GenderDigit string `json:"gender_digit" redact:"true"`
	Carrier     string `json:"carrier"`     // required: SKT, KT or LGT
	ChannelKey  string `json:"channel_key"` // required
	// IsMVNO marks a budget (MVNO) line on Carrier's network.
	IsMVNO      *bool  `json:"is_mvno,omitempty"`
	Company     string `json:"company,omitempty"` // the service name the SMS shows
	MerchantUID string `json:"merchant_uid,omitempty"`
	// PG is "danal.{MID}" for accounts with several danal MIDs.
	//
	// Deprecated: use ChannelKey.
	PG string `json:"pg,omitempty"`
	// VerificationMethod is "SMS" or "APP" (kcp_v2).
	VerificationMethod string `json:"verification_method,omitempty"`
	Bypass             string `json:"bypass,omitempty"` // PG-specific parameters as a JSON string
}

type plainCertificationOTPRequest CertificationOTPRequest

func (r CertificationOTPRequest) redacted() plainCertificationOTPRequest {
	r = redactFields(r)
	return plainCertificationOTPRequest(r)
}

// Format prints r with its personal data redacted, for every verb.
func (r CertificationOTPRequest) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, r.redacted())
}

// LogValue logs r with its personal data redacted.
func (r CertificationOTPRequest) LogValue() slog.Value { return logValueOf(r) }

// MarshalJSON encodes r with its personal data redacted; the SDK sends the
// real values.
func (r CertificationOTPRequest) MarshalJSON() ([]byte, error) { return json.Marshal(r.redacted()) }

func (r CertificationOTPRequest) wire() any { return plainCertificationOTPRequest(r) }

// CertificationOTP is the verification RequestCertificationOTP started
// (CertificationOTPAnnotation).
type CertificationOTP struct {
	ImpUID string `json:"imp_uid"` // pass it to ConfirmCertificationOTP
}

// RequestCertificationOTP sends the person of req a verification code by
// SMS (or app) and returns the verification's imp_uid (POST
// /certifications/otp/request). Data the carrier does not confirm is
// refused (HTTP 400).
func (c *Client) RequestCertificationOTP(ctx context.Context, req *CertificationOTPRequest) (*CertificationOTP, error) {
	if req == nil {
		return nil, invalid("request", "is required")
	}
	for _, f := range []struct{ field, v string }{
		{"name", req.Name}, {"phone", req.Phone}, {"birth", req.Birth}, {"gender_digit", req.GenderDigit},
		{"carrier", req.Carrier}, {"channel_key", req.ChannelKey},
	} {
		if f.v == "" {
			return nil, invalid(f.field, "is required")
		}
	}
	var otp CertificationOTP
	if err := c.call(ctx, &request{method: "POST", path: "/certifications/otp/request", body: req}, &otp); err != nil {
		return nil, err
	}
	return &otp, nil
}

// ConfirmCertificationOTP completes the verification impUID with the code
// the person received, and returns its result (POST
// /certifications/otp/confirm/{imp_uid}). A wrong code, or a verification
// already completed, is refused (HTTP 400). otp may be empty for kcp_v2's
// APP method. The code is never logged or put in an error. Like every write
// it is not re-sent after it may have reached iamport: after an error,
// GetCertification shows whether the verification completed.
func (c *Client) ConfirmCertificationOTP(ctx context.Context, impUID, otp string) (*Certification, error) {
	if err := checkID("imp_uid", impUID); err != nil {
		return nil, err
	}
	body := struct {
		OTP string `json:"otp,omitempty"`
	}{otp}
	var cert Certification
	if err := c.call(ctx, &request{method: "POST", path: "/certifications/otp/confirm/" + escape(impUID), body: &body}, &cert); err != nil {
		return nil, err
	}
	return &cert, nil
}

// GetCertification returns the result of the identity verification impUID
// (GET /certifications/{imp_uid}), whether made in the browser (IMP.certification)
// or with RequestCertificationOTP. An unknown impUID gives an error matching
// ErrNotFound. Check Certified before you trust it.
func (c *Client) GetCertification(ctx context.Context, impUID string) (*Certification, error) {
	return c.certification(ctx, "GET", impUID)
}

// DeleteCertification deletes the result of the identity verification
// impUID from iamport and returns what was deleted (DELETE
// /certifications/{imp_uid}).
func (c *Client) DeleteCertification(ctx context.Context, impUID string) (*Certification, error) {
	return c.certification(ctx, "DELETE", impUID)
}

func (c *Client) certification(ctx context.Context, method, impUID string) (*Certification, error) {
	if err := checkID("imp_uid", impUID); err != nil {
		return nil, err
	}
	var cert Certification
	if err := c.call(ctx, &request{method: method, path: "/certifications/" + escape(impUID)}, &cert); err != nil {
		return nil, err
	}
	return &cert, nil
}
