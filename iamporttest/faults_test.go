package iamporttest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

const onetimePath = "/subscribe/payments/onetime"

// modes runs f against an in-process fake and a socket fake.
func modes(t *testing.T, f func(t *testing.T, s *iamporttest.Server)) {
	t.Run("in-process", func(t *testing.T) {
		t.Parallel()
		f(t, newFake(t))
	})
	t.Run("socket", func(t *testing.T) {
		t.Parallel()
		f(t, newSocketFake(t))
	})
}

// post sends a raw onetime payment through hc and returns the transport
// error, if any, and the answer.
func postOnetime(t *testing.T, s *iamporttest.Server, hc *http.Client, ctx context.Context, mid string) (*http.Response, []byte, error) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"merchant_uid": mid, "amount": 1000, "card_number": iamporttest.CardApproved, "expiry": "2030-12"})
	req, err := http.NewRequestWithContext(ctx, "POST", s.URL+onetimePath, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", getToken(t, s))
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// rawClient talks to s the way its mode does: in-process or over the socket.
func rawClient(s *iamporttest.Server) *http.Client {
	if strings.HasPrefix(s.URL, "http://127.") || strings.HasPrefix(s.URL, "http://[") {
		return &http.Client{Transport: &http.Transport{}}
	}
	return s.HTTPClient()
}

func TestFaultRefuseConnection(t *testing.T) {
	modes(t, func(t *testing.T, s *iamporttest.Server) {
		ctx := context.Background()
		cl := s.Client(iamport.WithMaxRetries(0))
		_, err := cl.GetPayment(ctx, "imp_000000000000") // fetches the token
		require.ErrorIs(t, err, iamport.ErrNotFound)

		s.InjectFault("GET", "/payments/{imp_uid}", 1, iamporttest.Fault{Kind: iamporttest.FaultRefuseConnection})
		_, err = cl.GetPayment(ctx, "imp_000000000000")
		var op *net.OpError
		require.ErrorAs(t, err, &op)
		require.Equal(t, "dial", op.Op)
		require.ErrorIs(t, err, syscall.ECONNREFUSED)
		require.Equal(t, 2, s.Calls("GET", "/payments/{imp_uid}"))

		// A money-moving call is safely re-sent after a refused dial.
		s.InjectFault("POST", onetimePath, 1, iamporttest.Fault{Kind: iamporttest.FaultRefuseConnection})
		p, err := fastClient(s).Onetime(ctx, onetime("refused", iamporttest.CardApproved, 1000))
		require.NoError(t, err)
		require.True(t, p.Paid())
		require.Equal(t, 2, s.Calls("POST", onetimePath))
		require.Len(t, s.Payments(), 1)
	})
}

func TestFaultRefuseInProcessTransport(t *testing.T) {
	t.Parallel()
	s := newSocketFake(t) // HTTPClient is in-process even for a socket fake
	s.InjectFault("", "", 1, iamporttest.Fault{Kind: iamporttest.FaultRefuseConnection})
	_, err := s.HTTPClient().Get(s.URL + "/payments/imp_1")
	var op *net.OpError
	require.ErrorAs(t, err, &op)
	require.Equal(t, "dial", op.Op)
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
}

func TestFaultDropBeforeProcessing(t *testing.T) {
	modes(t, func(t *testing.T, s *iamporttest.Server) {
		ctx := context.Background()
		s.InjectFault("POST", onetimePath, 1, iamporttest.Fault{Kind: iamporttest.FaultDropBeforeProcessing})
		_, _, err := postOnetime(t, s, rawClient(s), ctx, "raw")
		require.Error(t, err)
		if s.URL == "http://iamport.test" {
			var op *net.OpError
			require.ErrorAs(t, err, &op)
			require.Equal(t, "read", op.Op)
			require.ErrorIs(t, err, syscall.ECONNRESET)
		}
		require.Empty(t, s.Payments(), "nothing processed")

		// The SDK finds nothing, which proves nothing (the request may
		// still be running): it never sends it again, and says so.
		s.InjectFault("POST", onetimePath, 1, iamporttest.Fault{Kind: iamporttest.FaultDropBeforeProcessing})
		_, err = fastClient(s).Onetime(ctx, onetime("o-1", iamporttest.CardApproved, 1000))
		var unknown *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &unknown)
		require.Equal(t, 2, s.Calls("POST", onetimePath))
		require.Empty(t, s.Payments())
	})
}

func TestFaultDropAfterProcessing(t *testing.T) {
	modes(t, func(t *testing.T, s *iamporttest.Server) {
		ctx := context.Background()
		s.InjectFault("POST", onetimePath, 1, iamporttest.Fault{Kind: iamporttest.FaultDropAfterProcessing})
		_, _, err := postOnetime(t, s, rawClient(s), ctx, "raw")
		require.Error(t, err)
		if s.URL == "http://iamport.test" {
			require.ErrorIs(t, err, syscall.ECONNRESET)
		}
		require.Len(t, s.Payments(), 1, "processed and committed")

		// The SDK finds the payment instead of charging twice.
		s.InjectFault("POST", onetimePath, 1, iamporttest.Fault{Kind: iamporttest.FaultDropAfterProcessing})
		p, err := fastClient(s).Onetime(ctx, onetime("o-1", iamporttest.CardApproved, 1000))
		require.NoError(t, err)
		require.True(t, p.Paid())
		require.Equal(t, "o-1", p.MerchantUID)
		require.Equal(t, 2, s.Calls("POST", onetimePath))
		require.Len(t, s.Payments(), 2)
	})
}

func TestFaultStatus(t *testing.T) {
	modes(t, func(t *testing.T, s *iamporttest.Server) {
		ctx := context.Background()
		hc := rawClient(s)

		s.InjectFault("POST", onetimePath, 1, iamporttest.Fault{Kind: iamporttest.FaultStatusBeforeProcessing})
		resp, body, err := postOnetime(t, s, hc, ctx, "a")
		require.NoError(t, err)
		require.Equal(t, 502, resp.StatusCode)
		require.Equal(t, "text/html", resp.Header.Get("Content-Type"))
		require.Contains(t, string(body), "502 Bad Gateway")
		require.Empty(t, s.Payments())

		s.InjectFault("POST", onetimePath, 1, iamporttest.Fault{Kind: iamporttest.FaultStatusBeforeProcessing, Status: 503})
		resp, _, err = postOnetime(t, s, hc, ctx, "a")
		require.NoError(t, err)
		require.Equal(t, 503, resp.StatusCode)

		s.InjectFault("POST", onetimePath, 1, iamporttest.Fault{Kind: iamporttest.FaultStatusAfterProcessing})
		resp, body, err = postOnetime(t, s, hc, ctx, "a")
		require.NoError(t, err)
		require.Equal(t, 500, resp.StatusCode)
		require.Contains(t, string(body), "<html>")
		require.Len(t, s.Payments(), 1, "committed")

		// Through the SDK: a 502 on a read is retried; a 500 after an again
		// is reconciled, not re-sent.
		cl := fastClient(s)
		saveKey(t, cl, "k", iamporttest.CardApproved)
		s.InjectFault("GET", "/subscribe/customers/{customer_uid}", 1, iamporttest.Fault{Kind: iamporttest.FaultStatusBeforeProcessing})
		_, err = cl.GetBillingKey(ctx, "k")
		require.NoError(t, err)
		require.Equal(t, 2, s.Calls("GET", "/subscribe/customers/{customer_uid}"))

		s.InjectFault("POST", "/subscribe/payments/again", 1, iamporttest.Fault{Kind: iamporttest.FaultStatusAfterProcessing})
		p, err := cl.Again(ctx, &iamport.AgainRequest{CustomerUID: "k", MerchantUID: "g-1", Amount: 500})
		require.NoError(t, err)
		require.True(t, p.Paid())
		require.Equal(t, 1, s.Calls("POST", "/subscribe/payments/again"))

		// Nothing processed before a 502, but a 502 cannot prove it: the
		// SDK never sends it again, and says the outcome is unknown.
		s.InjectFault("POST", "/subscribe/payments/again", 1, iamporttest.Fault{Kind: iamporttest.FaultStatusBeforeProcessing})
		_, err = cl.Again(ctx, &iamport.AgainRequest{CustomerUID: "k", MerchantUID: "g-2", Amount: 500})
		var unknown *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &unknown)
		require.Equal(t, 2, s.Calls("POST", "/subscribe/payments/again"))
		require.Len(t, s.Payments(), 2)
	})
}

func TestFaultTruncateAfterProcessing(t *testing.T) {
	modes(t, func(t *testing.T, s *iamporttest.Server) {
		ctx := context.Background()
		s.InjectFault("POST", onetimePath, 1, iamporttest.Fault{Kind: iamporttest.FaultTruncateAfterProcessing})
		resp, body, err := postOnetime(t, s, rawClient(s), ctx, "t-raw")
		require.NoError(t, err)
		require.Equal(t, 200, resp.StatusCode)
		require.False(t, json.Valid(body))
		require.True(t, bytes.HasPrefix(body, []byte(`{"code":0,"message":null,"response":{`)), string(body))
		require.Len(t, s.Payments(), 1)

		s.InjectFault("POST", onetimePath, 1, iamporttest.Fault{Kind: iamporttest.FaultTruncateAfterProcessing})
		p, err := fastClient(s).Onetime(ctx, onetime("t-1", iamporttest.CardApproved, 1000))
		require.NoError(t, err)
		require.True(t, p.Paid())
		require.Equal(t, 2, s.Calls("POST", onetimePath))
		require.Len(t, s.Payments(), 2)

		// A truncated answer to a read is an invalid response.
		s.InjectFault("GET", "/payments/{imp_uid}", 1, iamporttest.Fault{Kind: iamporttest.FaultTruncateAfterProcessing})
		_, err = fastClient(s).GetPayment(ctx, p.ImpUID)
		var ae *iamport.APIError
		require.ErrorAs(t, err, &ae)
		require.ErrorIs(t, err, iamport.ErrInvalidResponse)
	})
}

func TestFaultDelay(t *testing.T) {
	modes(t, func(t *testing.T, s *iamporttest.Server) {
		ctx := context.Background()
		cl := s.Client()
		s.InjectFault("", onetimePath, 1, iamporttest.Fault{Kind: iamporttest.FaultDelayBeforeProcessing, Delay: 5 * time.Millisecond})
		_, err := cl.Onetime(ctx, onetime("d-1", iamporttest.CardApproved, 100))
		require.NoError(t, err)
		s.InjectFault("", onetimePath, 1, iamporttest.Fault{Kind: iamporttest.FaultDelayAfterProcessing, Delay: 5 * time.Millisecond})
		_, err = cl.Onetime(ctx, onetime("d-2", iamporttest.CardApproved, 100))
		require.NoError(t, err)
		require.Len(t, s.Payments(), 2)

		// The client gives up during the delay after processing: the
		// answer is lost, the payment made.
		s.InjectFault("", onetimePath, 1, iamporttest.Fault{Kind: iamporttest.FaultDelayAfterProcessing, Delay: time.Minute})
		tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		_, _, err = postOnetime(t, s, rawClient(s), tctx, "d-3")
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Len(t, s.Payments(), 3)

		// The SDK with a short timeout reconciles it.
		s.InjectFault("", onetimePath, 1, iamporttest.Fault{Kind: iamporttest.FaultDelayAfterProcessing, Delay: time.Minute})
		p, err := fastClient(s, iamport.WithTimeout(100*time.Millisecond)).Onetime(ctx, onetime("d-4", iamporttest.CardApproved, 100))
		require.NoError(t, err)
		require.True(t, p.Paid())
		require.Len(t, s.Payments(), 4)
	})
}

func TestFaultDelayBeforeGivesUp(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	s.InjectFault("", onetimePath, 1, iamporttest.Fault{Kind: iamporttest.FaultDelayBeforeProcessing, Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, _, err := postOnetime(t, s, s.HTTPClient(), ctx, "never")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Empty(t, s.Payments(), "the client gave up before it was processed")
}

func TestFaultUnauthorized(t *testing.T) {
	modes(t, func(t *testing.T, s *iamporttest.Server) {
		ctx := context.Background()
		cl := s.Client()
		p, err := cl.Onetime(ctx, onetime("u-1", iamporttest.CardApproved, 100))
		require.NoError(t, err)
		s.InjectFault("GET", "/payments/{imp_uid}", 1, iamporttest.Fault{Kind: iamporttest.FaultUnauthorized})
		_, err = cl.GetPayment(ctx, p.ImpUID)
		require.NoError(t, err, "the SDK fetches a token and replays")
		require.Equal(t, 2, s.Calls("POST", "/users/getToken"))
		require.Equal(t, 2, s.Calls("GET", "/payments/{imp_uid}"))

		s.InjectFault("POST", onetimePath, 1, iamporttest.Fault{Kind: iamporttest.FaultUnauthorized})
		resp, body, err := postOnetime(t, s, rawClient(s), ctx, "u-2")
		require.NoError(t, err)
		require.Equal(t, 401, resp.StatusCode)
		require.JSONEq(t, `{"code":-1,"message":"인증 Token이 전달되지 않았거나 유효하지 않습니다.","response":null}`, string(body))
		require.Len(t, s.Payments(), 1, "nothing processed")
	})
}

func TestFaultOrderAndMatching(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	token := getToken(t, s)
	s.InjectFault("", "/payments/{imp_uid}", 2, iamporttest.Fault{Kind: iamporttest.FaultStatusBeforeProcessing, Status: 503})
	s.InjectFault("get", "/payments/{imp_uid}", 1, iamporttest.Fault{Kind: iamporttest.FaultUnauthorized})
	s.InjectFault("POST", "/payments/{imp_uid}", 1, iamporttest.Fault{Kind: iamporttest.FaultUnauthorized})
	s.InjectFault("GET", "/payments/{imp_uid}", 0, iamporttest.Fault{Kind: iamporttest.FaultUnauthorized})

	require.Equal(t, 404, do(t, s, "GET", "/payments/find/x", token, nil).status, "other routes unaffected")
	var got []int
	for i := 0; i < 4; i++ {
		got = append(got, do(t, s, "GET", "/payments/imp_1", token, nil).status)
	}
	require.Equal(t, []int{503, 503, 401, 404}, got)
	require.Equal(t, 4, s.Calls("GET", "/payments/{imp_uid}"))
	require.Equal(t, "FaultUnauthorized", iamporttest.FaultUnauthorized.String())
	require.Equal(t, "FaultKind(42)", iamporttest.FaultKind(42).String())
}

func TestHandlerMountedByUser(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	token := getToken(t, s)

	req, _ := http.NewRequest("GET", hs.URL+"/payments/imp_1", nil)
	req.Header.Set("Authorization", token)
	resp, err := hs.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 404, resp.StatusCode)

	// A refusal that reaches the handler drops the connection instead.
	s.InjectFault("POST", "/payments/cancel", 1, iamporttest.Fault{Kind: iamporttest.FaultRefuseConnection})
	resp, err = hs.Client().Post(hs.URL+"/payments/cancel", "application/json", strings.NewReader(`{}`))
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err)

	// Without a Hijacker the handler aborts.
	s.InjectFault("POST", "/payments/cancel", 1, iamporttest.Fault{Kind: iamporttest.FaultDropAfterProcessing})
	rec := httptest.NewRecorder()
	require.PanicsWithValue(t, http.ErrAbortHandler, func() {
		s.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/payments/cancel", strings.NewReader(`{}`)))
	})
}

func TestClosedServer(t *testing.T) {
	t.Parallel()
	s := iamporttest.NewServer()
	in := iamporttest.NewInProcess()
	s.Close()
	in.Close()
	s.Close() // twice is fine
	_, err := s.Client(iamport.WithMaxRetries(0)).GetPayment(context.Background(), "imp_1")
	require.Error(t, err)
	_, err = in.HTTPClient().Get(in.URL + "/payments/imp_1")
	require.True(t, errors.Is(err, syscall.ECONNREFUSED), "%v", err)
}
