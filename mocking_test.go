package iamport_test

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// The README's advice for mock tests holds: a charge answered 500, with no
// responder for the lookup that follows, reconciles by
// GET /payments/find/{merchant_uid} until WithReconcileTimeout ends, then
// reports *OutcomeUnknownError, and the charge itself is never re-sent.
func TestMockChargeWithoutLookupResponderEndsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	var mu sync.Mutex
	var unregistered []string
	mt.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		unregistered = append(unregistered, r.Method+" "+r.URL.Path)
		mu.Unlock()
		return nil, errors.New("no responder")
	})
	mt.RegisterResponder("POST", iamport.DefaultBaseURL+"/users/getToken", tokenResponder(testToken, 0, 1800))
	mt.RegisterResponder("POST", iamport.DefaultBaseURL+"/subscribe/payments/again",
		httpmock.NewStringResponder(http.StatusInternalServerError, "<html>500 Internal Server Error</html>"))

	client, err := iamport.New(testKey, testSecret,
		iamport.WithHTTPClient(&http.Client{Transport: mt}),
		iamport.WithReconcileTimeout(300*time.Millisecond),
		iamport.WithMaxRetries(0),
	)
	require.NoError(t, err)
	p, err := client.Again(bg, &iamport.AgainRequest{CustomerUID: "cust_1", MerchantUID: "order-1", Amount: 8900, Name: "plan"})
	require.Nil(t, p)
	var unknown *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown)
	require.Equal(t, "order-1", unknown.MerchantUID)

	require.Equal(t, 1, mt.GetCallCountInfo()["POST "+iamport.DefaultBaseURL+"/subscribe/payments/again"], "never re-sent")
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, unregistered)
	for _, r := range unregistered {
		require.Equal(t, "GET /payments/find/order-1", r)
	}
}

// httpmock's global mock reaches the Client through ActivateNonDefault on
// the http.Client handed to WithHTTPClient, when it is activated before New.
// Not parallel: it uses httpmock's global transport.
func TestMockActivateNonDefaultReachesClient(t *testing.T) {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	defer httpmock.DeactivateAndReset()
	httpmock.RegisterResponder("POST", iamport.DefaultBaseURL+"/users/getToken", tokenResponder(testToken, 0, 1800))
	httpmock.RegisterResponder("GET", iamport.DefaultBaseURL+"/payments/imp_1",
		ok(map[string]any{"imp_uid": "imp_1", "merchant_uid": "order-1", "status": "paid", "amount": 8900}))

	client, err := iamport.New(testKey, testSecret, iamport.WithHTTPClient(hc), iamport.WithMaxRetries(0))
	require.NoError(t, err)
	p, err := client.GetPayment(bg, "imp_1")
	require.NoError(t, err)
	require.Equal(t, "order-1", p.MerchantUID)
	require.Equal(t, 2, httpmock.GetTotalCallCount())
}
