package iamport

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sentinel errors, matched with errors.Is against the errors the Client
// returns.
var (
	// ErrUnauthorized matches an *APIError for HTTP 401: wrong API key or
	// secret, or an access token the server no longer accepts.
	ErrUnauthorized = errors.New("iamport: unauthorized")
	// ErrNotFound matches an *APIError for HTTP 404, and the HTTP 200 "no
	// such customer_uid" answer of the billing-key endpoints.
	ErrNotFound = errors.New("iamport: not found")
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

	notFound bool  // a 200 answer that means "not found" (billing keys)
	invalid  bool  // the body was not a usable envelope
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
	return b.String()
}

// Is reports whether e matches ErrUnauthorized, ErrNotFound or
// ErrInvalidResponse.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound || e.notFound
	case ErrInvalidResponse:
		return e.invalid
	}
	return false
}

// Unwrap returns the decoding error behind an invalid body, if any.
func (e *APIError) Unwrap() error { return e.cause }

// DeclinedError is returned, together with the Payment, when a call that
// charges a card (Onetime, Again, RetrySchedule) reached the card company and
// the payment was not approved: limit exceeded, suspended card, insufficient
// funds. The Payment's FailReason says why. No money moved.
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
// RegisterEscrowLogis) when the request may have reached iamport, its
// answer was lost, and the SDK could not find out what happened before its
// time ran out. The money may or may not have
// moved. Sending the same request again may charge (or refund) twice: look the
// payment up by MerchantUID first (Client.FindPayment), or retry the call with
// the same MerchantUID, which iamport refuses if it was already paid.
type OutcomeUnknownError struct {
	// MerchantUID names what the call was about: the order's merchant_uid;
	// for a cancel named only by imp_uid, that imp_uid; for SaveBillingKey,
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
		check = fmt.Sprintf("look it up with FindPayment(ctx, %q)", e.MerchantUID)
	}
	return fmt.Sprintf("iamport: outcome of %s unknown: %v; it may have been processed, and sending it again "+
		"may charge or refund twice: %s first", e.MerchantUID, e.Err, check)
}

// Unwrap returns the underlying failure, so errors.Is(err,
// context.DeadlineExceeded) holds for a call that ran out of time.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }
