package iamport

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Sentinel errors, matched with errors.Is against the errors the Client
// returns.
var (
	// ErrUnauthorized matches an *APIError for HTTP 401: wrong API key or
	// secret, or an access token the server no longer accepts; also a 403
	// answer to the token request, which is how some iamport-compatible
	// servers refuse a wrong key.
	ErrUnauthorized = errors.New("iamport: unauthorized")
	// ErrNotFound matches an *APIError for HTTP 404 whose body is an
	// iamport answer, the HTTP 200 "no such customer_uid" answer of the
	// billing-key endpoints, and an unknown billing key refused by Again
	// ("등록되지 않은 구매자입니다.") or by Schedule without card data ("등록된
	// 고객정보가 없습니다."). A 404 whose body is not an iamport answer (a
	// proxy's or a load balancer's page, a wrong base URL) proves nothing
	// about what was asked for: it matches ErrInvalidResponse only, and the
	// SDK never reads it as "there is none".
	ErrNotFound = errors.New("iamport: not found")
	// ErrAlreadyPaid matches iamport's refusal of a charge whose
	// merchant_uid was already paid ("이미 결제완료된 주문번호(merchant_uid)
	// 입니다."): this call charged nothing; the order was paid before. Look
	// the payment up with FindPayment, or charge under a new merchant_uid.
	ErrAlreadyPaid = errors.New("iamport: merchant_uid already paid")
	// ErrCardRejected matches iamport's refusal of card data at
	// authentication (code -1 "카드정보 인증 및 빌키 발급에 실패하였습니다…",
	// "카드정보 인증에 실패하였습니다.", "유효하지않은 카드번호…") on Onetime,
	// SaveBillingKey or Schedule with card data: wrong number, expiry,
	// birth or password, or an expired card. No payment exists and no money
	// moved: ask the customer for another card. It is not a *DeclinedError,
	// which is a payment the card company declined.
	ErrCardRejected = errors.New("iamport: card rejected")
	// ErrNothingToRevoke matches iamport's answer to an Unschedule that
	// found no pending schedule to revoke ("취소할 예약결제 기록이 존재하지
	// 않습니다").
	ErrNothingToRevoke = errors.New("iamport: nothing to revoke")
	// ErrInvalidResponse matches an *APIError whose body was not the JSON
	// envelope iamport sends: empty, not JSON (an HTML page from a proxy),
	// truncated, or with a null response where one was required.
	ErrInvalidResponse = errors.New("iamport: invalid response")
)

// APIError is a failure the iamport server reported: HTTP 200 with a
// non-zero code, any 4xx or 5xx, or a body that is not a complete JSON
// envelope. It never holds the request body or any credential.
type APIError struct {
	StatusCode int    // HTTP status
	Code       int    // iamport's code; 0 when the body had none
	Message    string // iamport's message, or what was wrong with the body
	Method     string // HTTP method of the call
	Path       string // escaped request path, without the query
	// Field is the request field the server named as the one it refused,
	// when its answer names one (a validation answer's "path", with any
	// "$input." prefix removed): "customer_uid".
	Field string
	// Detail is what else the server said beside Message: a validation
	// answer's "reason", a gateway's "error" ("Not Found"). Empty when
	// there was nothing more.
	Detail string

	notFound bool  // a 200 answer that means "not found" (billing keys)
	invalid  bool  // the body was not a usable envelope
	bare     bool  // an HTTP 404 whose JSON carries no iamport code
	cause    error // decoding error, for Unwrap
}

// Error describes the failure: method, path, HTTP status, code and message.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("iamport: ")
	b.WriteString(e.Method)
	b.WriteByte(' ')
	b.WriteString(e.Path)
	fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
	if e.Code != 0 {
		fmt.Fprintf(&b, ", code %d", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Field != "" || e.Detail != "" {
		b.WriteString(" (")
		if e.Field != "" {
			b.WriteString("field ")
			b.WriteString(e.Field)
			if e.Detail != "" {
				b.WriteString(": ")
			}
		}
		b.WriteString(e.Detail)
		b.WriteByte(')')
	}
	if g := e.gloss(); g != "" {
		b.WriteString(" [")
		b.WriteString(g)
		b.WriteByte(']')
	}
	return b.String()
}

// Is reports whether e matches ErrUnauthorized, ErrNotFound,
// ErrInvalidResponse, ErrAlreadyPaid, ErrCardRejected or ErrNothingToRevoke.
// The last three, and ErrNotFound for an unknown billing key, are recognised
// from a non-zero code and iamport's message.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		// Some iamport-compatible servers refuse a wrong key with 403.
		return e.StatusCode == http.StatusUnauthorized ||
			(e.StatusCode == http.StatusForbidden && e.Path == "/users/getToken")
	case ErrNotFound:
		return (e.StatusCode == http.StatusNotFound && !e.invalid) || e.notFound || e.says(msgUnknownBuyer) || e.says(msgNoCustomer)
	case ErrInvalidResponse:
		return e.invalid
	case ErrAlreadyPaid:
		return e.says(msgAlreadyPaid)
	case ErrCardRejected:
		return slices.ContainsFunc(msgsCardRejected, e.says)
	case ErrNothingToRevoke:
		return e.StatusCode == http.StatusOK && e.says(msgNothingToRevoke)
	}
	return false
}

// iamport's messages for the refusals the sentinels stand for.
const (
	msgAlreadyPaid  = "이미 결제완료된 주문번호"
	msgUnknownBuyer = "등록되지 않은 구매자입니다"
	msgNoCustomer   = "등록된 고객정보가 없습니다"
	// msgNothingToRevoke is iamport's answer to an unschedule with nothing
	// left to revoke.
	msgNothingToRevoke = "취소할 예약결제 기록이 존재하지 않습니다"
)

var msgsCardRejected = []string{"카드정보 인증", "유효하지않은 카드번호", "유효하지 않은 카드번호"}

// says reports whether e is a refusal (non-zero code) whose message
// contains msg.
func (e *APIError) says(msg string) bool {
	return e.Code != 0 && strings.Contains(e.Message, msg)
}

// glosses are short English explanations of iamport's common messages.
var glosses = []struct{ msg, gloss string }{
	{msgAlreadyPaid, "this merchant_uid was already paid"},
	{msgUnknownBuyer, "no billing key is stored under this customer_uid"},
	{msgNoCustomer, "no billing key is stored under this customer_uid, and no card data was sent"},
	{msgNothingToRevoke, "no pending schedule left to revoke"},
	{"카드정보 인증", "the card was refused at authentication; no payment was made"},
	{"유효하지않은 카드번호", "invalid card number; no payment was made"},
	{"유효기간이 올바르지 않거나 만료된", "wrong or expired card expiry"},
	{"정수여야 합니다", "the amount must be a whole number in this currency"},
}

// gloss returns the English gloss of a known iamport message, or "".
func (e *APIError) gloss() string {
	if e.Code == 0 {
		return ""
	}
	for _, g := range glosses {
		if strings.Contains(e.Message, g.msg) {
			return g.gloss
		}
	}
	return ""
}

// Unwrap returns the decoding error behind an invalid body, if any.
func (e *APIError) Unwrap() error { return e.cause }

// DeclinedError is returned, together with the Payment, when a call that
// charges a card (Onetime, Again, RetrySchedule) reached the card company and
// the payment was not approved: limit exceeded, suspended card, insufficient
// funds; and by IssueVbank when the PG issued no account. The Payment's
// FailReason says why. No money moved.
type DeclinedError struct {
	Payment *Payment
}

// Error names the declined order, its status, imp_uid and fail reason.
func (e *DeclinedError) Error() string {
	if e.Payment == nil {
		return "iamport: payment declined"
	}
	p := e.Payment
	var b strings.Builder
	fmt.Fprintf(&b, "iamport: payment %s declined (status %s", p.MerchantUID, p.Status)
	if p.ImpUID != "" {
		fmt.Fprintf(&b, ", imp_uid %s", p.ImpUID)
	}
	b.WriteByte(')')
	if p.FailReason != "" {
		b.WriteString(": ")
		b.WriteString(p.FailReason)
	}
	return b.String()
}

// ValidationError reports input the SDK refused before sending anything.
// Field is the API's name for the parameter (schedules[1].merchant_uid);
// Reason states the rule. Neither ever holds the value itself.
type ValidationError struct {
	Field  string
	Reason string
}

// Error names the field and the rule it broke, never its value.
func (e *ValidationError) Error() string {
	return "iamport: invalid " + e.Field + ": " + e.Reason
}

func invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// OutcomeUnknownError is returned by a call that moves money or changes a
// schedule (Onetime, Again, RetrySchedule, CancelPayment, SaveBillingKey,
// Schedule, Unschedule, UpdateSchedule, RescheduleSchedule, and the Plan
// helpers built on Schedule), or that issues something (IssueVbank,
// IssueReceipt, CancelReceipt, IssueExternalReceipt, CancelExternalReceipt,
// RegisterEscrowLogis, IssueCVSPayment, the NaverPay refunds) when the request may have reached iamport, its
// answer was lost, and no lookup proved what happened before the reconcile
// timeout (WithReconcileTimeout) or the call's context ended. The request
// may still be running: the money may or may not have moved, and the SDK
// did not send it again.
//
// To settle it, look it up as Error says: for a charge, list the order's
// attempts (Client.FindPayments with the MerchantUID) and take the paid one,
// if any; a webhook for the order settles it too. Until then do not charge
// the order again under another merchant_uid. Sending the same request
// again is safe only where iamport refuses a duplicate: a charge with the
// same MerchantUID once it is paid (not while it is still running), a
// cancel with the same Checksum.
type OutcomeUnknownError struct {
	// MerchantUID names what the call was about: the order's merchant_uid;
	// for a cancel, the imp_uid of the payment cancelled; for SaveBillingKey,
	// the customer_uid; for Schedule and Unschedule, the merchant_uids
	// concerned, comma-separated (for an Unschedule of every pending
	// schedule of a billing key, its customer_uid; for IssueReceipt,
	// CancelReceipt and RegisterEscrowLogis, the payment's imp_uid).
	MerchantUID string
	Err         error // the failure that made the outcome unknown

	check string // how to find the outcome out
}

// Error says which call's outcome is unknown, why, and how to find it out.
func (e *OutcomeUnknownError) Error() string {
	check := e.check
	if check == "" {
		check = fmt.Sprintf("list its attempts with FindPayments(ctx, &FindPaymentsRequest{MerchantUID: %q}) "+
			"and take the paid one, if any, or wait for its webhook", e.MerchantUID)
	}
	return fmt.Sprintf("iamport: outcome of %s unknown: %v; it may have been processed or still be running, and "+
		"sending it again may charge or refund twice: %s first", e.MerchantUID, e.Err, check)
}

// Unwrap returns the underlying failure, so errors.Is(err,
// context.DeadlineExceeded) holds for a call that ran out of time.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }
