package iamport_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// One node of an API gateway has a stale route table and answers the
// snapshot's findAll with its own JSON 404; the order has an earlier attempt
// declined by another process. The charge's answer is lost while it still
// runs: the older decline must not be reported as this charge's.
func TestRoundGatewayJSON404BlindsTheSnapshot(t *testing.T) {
	var findAlls atomic.Int32
	old := map[string]any{"imp_uid": "imp_old", "merchant_uid": "o-g", "amount": 1000, "status": "failed", "pay_method": "card",
		"customer_uid": "cus", "currency": "KRW", "started_at": time.Now().Add(-time.Second).Unix(), "failed_at": time.Now().Unix()}
	s, c := newRoundServer(t, func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case strings.HasPrefix(r.URL.Path, "/payments/findAll/"):
			if findAlls.Add(1) == 1 {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(404)
				_, _ = io.WriteString(w, `{"message":"no Route matched with those values"}`)
				return true
			}
			roundJSON(w, 200, map[string]any{"code": 0, "response": map[string]any{"total": 1, "next": 0, "list": []any{old}}})
			return true
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusGatewayTimeout) // the charge runs on, not visible in time
			return true
		}
		return false
	})
	_, err := c.Again(context.Background(), &iamport.AgainRequest{CustomerUID: "cus", MerchantUID: "o-g", Amount: iamport.AmountFromCents(100000), Name: "x"})
	var de *iamport.DeclinedError
	if errors.As(err, &de) {
		t.Fatalf("an older decline (%s) reported as this charge's: %v", de.Payment.ImpUID, err)
	}
	require.Error(t, err)
	require.LessOrEqual(t, s.postCount("/subscribe/payments/again"), 1)
}

// The same blind snapshot before an IssueVbank: the account a lookup shows
// after the lost answer may be an earlier call's, so the outcome is
// unknown, without waiting out the reconcile timeout, and never re-sent.
func TestRoundGatewayJSON404BlindsTheVbankSnapshot(t *testing.T) {
	s, c := newRoundServerTimeout(t, time.Minute, func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case strings.HasPrefix(r.URL.Path, "/payments/findAll/"):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(404)
			_, _ = io.WriteString(w, `{"message":"no Route matched with those values"}`)
			return true
		case strings.HasPrefix(r.URL.Path, "/payments/find/"):
			roundJSON(w, 200, map[string]any{"code": 0, "response": map[string]any{"imp_uid": "imp_other", "merchant_uid": "vb-g",
				"pay_method": "vbank", "status": "ready", "amount": 10000, "started_at": time.Now().Unix()}})
			return true
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusGatewayTimeout)
			return true
		}
		return false
	})
	p, err := c.IssueVbank(context.Background(), roundVbankReq("vb-g"))
	var u *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &u, "an account no snapshot tells from an earlier one reported as this call's: %+v", p)
	require.ErrorContains(t, err, "could not be listed before the call", "given up at once: nothing can prove it")
	require.Equal(t, 1, s.postCount("/vbanks"))
}
