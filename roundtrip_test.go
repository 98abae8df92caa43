package iamport_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// oddIDs are identifiers a server may hand out: long, non-ASCII, with
// characters that mean something in a URL. Only what the SDK refuses for
// every identifier is left out: control characters, "." and "..".
func oddIDs(rng *rand.Rand, n int) []string {
	ids := []string{
		strings.Repeat("i", 36), "imp_" + strings.Repeat("가", 40), strings.Repeat("m", 200),
		"a/../b", "x?y=1#z", " padded ", "100%", "order 1", strings.Repeat("😀", 30), "ünïcödé-ID",
		`"quoted"`, "back\\slash", "semi;colon", "...", "./x",
	}
	pool := []rune("abcXYZ0129-_/?#%&=+ .~:@!$'()*,;가나다😀ü\\\"")
	for range n {
		r := make([]rune, 1+rng.IntN(120))
		for i := range r {
			r[i] = pool[rng.IntN(len(pool))]
		}
		if s := string(r); s != "." && s != ".." {
			ids = append(ids, s)
		}
	}
	return ids
}

// Every identifier the API returns, in every response type that carries
// one, is accepted when it is sent back through every method that takes it:
// none gives a *ValidationError.
func TestReturnedIDsAreNeverRefused(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(20261201, 10))
	m := newMock(t)
	m.mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		// Any call the SDK makes is answered with a refusal: only what the
		// SDK refuses before sending matters here.
		return jsonResponse(http.StatusOK, failure(-1, "refused by the server")), nil
	})
	c := m.client(iamport.WithMaxRetries(0))
	ctx := context.Background()
	future := time.Now().Add(24 * time.Hour)
	for _, id := range oddIDs(rng, 150) {
		// Decode the id from each response type, as a server would send it.
		quoted, err := json.Marshal(id)
		require.NoError(t, err)
		q := string(quoted)
		var p iamport.Payment
		require.NoError(t, json.Unmarshal([]byte(`{"imp_uid":`+q+`,"merchant_uid":`+q+`,"customer_uid":`+q+`}`), &p))
		var bk iamport.BillingKey
		require.NoError(t, json.Unmarshal([]byte(`{"customer_uid":`+q+`}`), &bk))
		var sc iamport.Schedule
		require.NoError(t, json.Unmarshal([]byte(`{"customer_uid":`+q+`,"merchant_uid":`+q+`,"imp_uid":`+q+`}`), &sc))
		var pp iamport.Page[iamport.Payment]
		require.NoError(t, json.Unmarshal([]byte(`{"total":1,"list":[{"imp_uid":`+q+`,"merchant_uid":`+q+`}]}`), &pp))
		var ps iamport.Page[iamport.Schedule]
		require.NoError(t, json.Unmarshal([]byte(`{"total":1,"list":[{"customer_uid":`+q+`,"merchant_uid":`+q+`}]}`), &ps))
		var prep iamport.PreparedPayment
		require.NoError(t, json.Unmarshal([]byte(`{"merchant_uid":`+q+`,"amount":1000}`), &prep))

		imps := []string{p.ImpUID, sc.ImpUID, pp.List[0].ImpUID}
		mids := []string{p.MerchantUID, sc.MerchantUID, pp.List[0].MerchantUID, ps.List[0].MerchantUID, prep.MerchantUID}
		cus := []string{p.CustomerUID, bk.CustomerUID, sc.CustomerUID, ps.List[0].CustomerUID}

		var calls []func() error
		for _, imp := range imps {
			calls = append(calls,
				func() error {
					_, err := c.GetPayment(ctx, imp, iamport.GetPaymentParams{IncludeSandbox: true})
					return err
				},
				func() error { _, err := c.GetPaymentBalance(ctx, imp); return err },
				func() error {
					_, err := c.GetPayments(ctx, &iamport.GetPaymentsRequest{ImpUIDs: []string{imp}})
					return err
				},
				func() error {
					_, err := c.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: imp, Amount: 100, Checksum: iamport.Ptr(iamport.Amount(1000))})
					return err
				},
				func() error {
					_, err := c.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: imp, FullRefund: true})
					return err
				},
			)
		}
		for _, mid := range mids {
			calls = append(calls,
				func() error { _, err := c.FindPayment(ctx, mid); return err },
				func() error {
					_, err := c.FindPaymentsPage(ctx, &iamport.FindPaymentsRequest{MerchantUID: mid})
					return err
				},
				func() error {
					_, err := c.GetPayments(ctx, &iamport.GetPaymentsRequest{MerchantUIDs: []string{mid}})
					return err
				},
				func() error {
					_, err := c.CancelPayment(ctx, &iamport.CancelRequest{MerchantUID: mid, FullRefund: true, Checksum: iamport.Ptr(iamport.Amount(1000))})
					return err
				},
				func() error { _, err := c.GetPreparedPayment(ctx, mid); return err },
				func() error {
					_, err := c.UpdatePreparedPayment(ctx, &iamport.PreparePaymentRequest{MerchantUID: mid, Amount: 2000})
					return err
				},
				func() error { _, err := c.GetSchedule(ctx, mid); return err },
				func() error {
					_, err := c.UpdateSchedule(ctx, &iamport.UpdateScheduleRequest{MerchantUID: mid, ScheduleAt: future})
					return err
				},
				func() error {
					_, err := c.RescheduleSchedule(ctx, &iamport.RescheduleScheduleRequest{MerchantUID: mid, ScheduleAt: future})
					return err
				},
				func() error { _, err := c.RetrySchedule(ctx, mid); return err },
				func() error {
					_, err := c.Unschedule(ctx, &iamport.UnscheduleRequest{CustomerUID: cus[0], MerchantUIDs: []string{mid}})
					return err
				},
			)
		}
		for _, cu := range cus {
			calls = append(calls,
				func() error { _, err := c.GetBillingKey(ctx, cu); return err },
				func() error { _, err := c.DeleteBillingKey(ctx, cu); return err },
				func() error {
					_, err := c.GetBillingKeys(ctx, &iamport.GetBillingKeysRequest{CustomerUIDs: []string{cu}})
					return err
				},
				func() error {
					_, err := c.ListBillingKeyPaymentsPage(ctx, &iamport.ListBillingKeyPaymentsRequest{CustomerUID: cu})
					return err
				},
				func() error {
					_, err := c.ListCustomerSchedulesPage(ctx, &iamport.ListCustomerSchedulesRequest{CustomerUID: cu, From: future.Add(-time.Hour), To: future})
					return err
				},
				func() error {
					_, err := c.ListBillingKeySchedulesPage(ctx, &iamport.ListCustomerSchedulesRequest{CustomerUID: cu, From: future.Add(-time.Hour), To: future})
					return err
				},
				func() error {
					_, err := c.Again(ctx, &iamport.AgainRequest{CustomerUID: cu, MerchantUID: "order-rt", Amount: 1000})
					return err
				},
				func() error {
					_, err := c.Onetime(ctx, &iamport.OnetimeRequest{CustomerUID: cu, MerchantUID: "order-rt", Amount: 1000, CardNumber: cardDashed, Expiry: expiryWire})
					return err
				},
				func() error {
					_, err := c.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: cu, CardNumber: cardDashed, Expiry: expiryWire})
					return err
				},
				func() error {
					_, err := c.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: cu, Schedules: []iamport.ScheduleEntry{{MerchantUID: "order-rt", ScheduleAt: future, Amount: 1000}}})
					return err
				},
				func() error {
					_, err := c.Unschedule(ctx, &iamport.UnscheduleRequest{CustomerUID: cu, All: true})
					return err
				},
				func() error {
					return (&iamport.Plan{CustomerUID: cu, Amount: 1000, Anchor: future}).Validate()
				},
			)
		}
		calls = append(calls, func() error {
			_, err := c.VerifyWebhook(ctx, &iamport.WebhookEvent{ImpUID: p.ImpUID, MerchantUID: p.MerchantUID})
			return err
		}, func() error {
			r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(`{"imp_uid":`+q+`,"merchant_uid":`+q+`}`))
			r.Header.Set("Content-Type", "application/json")
			ev, err := iamport.ParseWebhook(r)
			if err == nil && (ev.ImpUID != id || ev.MerchantUID != id) {
				return errors.New("the webhook's ids changed")
			}
			return err
		})
		for i, call := range calls {
			err := call()
			var ve *iamport.ValidationError
			require.False(t, errors.As(err, &ve), "call %d refused the returned id %q: %v", i, id, err)
			var we *iamport.WebhookError
			require.False(t, errors.As(err, &we), "call %d refused the returned id %q: %v", i, id, err)
		}
	}
}
