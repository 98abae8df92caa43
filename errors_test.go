package iamport_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

func TestAPIError(t *testing.T) {
	t.Parallel()
	e := &iamport.APIError{StatusCode: 200, Code: -1, Message: "등록되지 않은 구매자입니다.", Method: "POST", Path: againPath}
	require.Equal(t, "iamport: POST /subscribe/payments/again: HTTP 200, code -1: 등록되지 않은 구매자입니다. "+
		"[no billing key is stored under this customer_uid]", e.Error())
	require.ErrorIs(t, e, iamport.ErrNotFound, "an unknown billing key on Again is not found")
	require.NotErrorIs(t, e, iamport.ErrUnauthorized)
	require.NotErrorIs(t, e, iamport.ErrInvalidResponse)
	require.Nil(t, e.Unwrap())

	e = &iamport.APIError{StatusCode: 404, Method: "GET", Path: "/payments/x"}
	require.Equal(t, "iamport: GET /payments/x: HTTP 404", e.Error())
	require.ErrorIs(t, e, iamport.ErrNotFound)
	require.NotErrorIs(t, e, context.Canceled)

	e = &iamport.APIError{StatusCode: 401, Method: "GET", Path: "/payments/x"}
	require.ErrorIs(t, fmt.Errorf("wrapped: %w", e), iamport.ErrUnauthorized)

	var ae *iamport.APIError
	require.ErrorAs(t, fmt.Errorf("wrapped: %w", e), &ae)
	require.Equal(t, 401, ae.StatusCode)
}

func TestDeclinedError(t *testing.T) {
	t.Parallel()
	require.Equal(t, "iamport: payment declined", (&iamport.DeclinedError{}).Error())
	e := &iamport.DeclinedError{Payment: &iamport.Payment{MerchantUID: "order-1", Status: iamport.PaymentStatusFailed}}
	require.Equal(t, "iamport: payment order-1 declined (status failed)", e.Error())
	e.Payment.ImpUID = "imp_1"
	e.Payment.FailReason = "한도초과"
	require.Equal(t, "iamport: payment order-1 declined (status failed, imp_uid imp_1): 한도초과", e.Error())
}

func TestOutcomeUnknownError(t *testing.T) {
	t.Parallel()
	cause := fmt.Errorf("iamport: POST /subscribe/payments/again: %w", context.DeadlineExceeded)
	e := &iamport.OutcomeUnknownError{MerchantUID: "order-1", Err: cause}
	require.ErrorIs(t, e, context.DeadlineExceeded)
	require.Same(t, cause, errors.Unwrap(e))
	require.Contains(t, e.Error(), "outcome of order-1 unknown")
	require.Contains(t, e.Error(), `FindPayments(ctx, &FindPaymentsRequest{MerchantUID: "order-1"})`, "it says how to settle it")
	require.Contains(t, e.Error(), "context deadline exceeded")
}

func TestValidationError(t *testing.T) {
	t.Parallel()
	e := &iamport.ValidationError{Field: "schedules[1].merchant_uid", Reason: "is required"}
	require.Equal(t, "iamport: invalid schedules[1].merchant_uid: is required", e.Error())
}

func TestChargeCancelledError(t *testing.T) {
	t.Parallel()
	require.Equal(t, "iamport: payment paid and then cancelled", (&iamport.ChargeCancelledError{}).Error())
	e := &iamport.ChargeCancelledError{Payment: &iamport.Payment{MerchantUID: "order-1", ImpUID: "imp_1", Amount: 8900, CancelAmount: 8900}}
	require.Equal(t, "iamport: payment order-1 (imp_uid imp_1) was paid and then cancelled: 8900 charged, 8900 cancelled", e.Error())
}

func TestUnscheduleError(t *testing.T) {
	t.Parallel()
	cause := &iamport.OutcomeUnknownError{MerchantUID: "cust-1", Err: context.DeadlineExceeded}
	e := &iamport.UnscheduleError{All: true, Err: cause}
	require.Contains(t, e.Error(), "every pending schedule: which were revoked is unknown")
	var ou *iamport.OutcomeUnknownError
	require.ErrorAs(t, e, &ou)
	require.ErrorIs(t, e, context.DeadlineExceeded)
	e = &iamport.UnscheduleError{
		Revoked:    []iamport.Schedule{{MerchantUID: "a"}},
		NotRevoked: []iamport.Schedule{{MerchantUID: "b", ScheduleStatus: iamport.ScheduleStatusExecuted}, {MerchantUID: "c"}},
		Unknown:    []string{"d"},
		Err:        errors.New("lost"),
	}
	require.Equal(t, "iamport: unschedule; revoked: a; not revoked: b (executed),c (not found); unknown: d: lost", e.Error())
}
