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

// The README's advice for mock tests holds: a charge lists the order's
// attempts (GET /payments/findAll/{merchant_uid}) before it is sent; answered
// 500, it polls that lookup until WithReconcileTimeout ends, then reports
// *OutcomeUnknownError, and the charge itself is never re-sent.
func TestMockChargeLostAnswerLooksAttemptsUpThenEndsOutcomeUnknown(t *testing.T) {
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
	// The order's attempts, looked up before the charge and after its lost
	// answer: none, as iamport answers for an order it never saw.
	mt.RegisterResponder("GET", `=~^`+iamport.DefaultBaseURL+`/payments/findAll/order-1`,
		httpmock.NewStringResponder(http.StatusNotFound, `{"code":1,"message":"존재하지 않는 결제정보입니다.","response":null}`))

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

	calls := mt.GetCallCountInfo()
	require.Equal(t, 1, calls["POST "+iamport.DefaultBaseURL+"/subscribe/payments/again"], "never re-sent")
	require.GreaterOrEqual(t, calls["GET =~^"+iamport.DefaultBaseURL+"/payments/findAll/order-1"], 2,
		"the attempts are listed before sending, then polled after the lost answer")
	mu.Lock()
	defer mu.Unlock()
	require.Empty(t, unregistered, "a charge sends nothing but the token request, the attempts lookups and the charge")
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
