package iamport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// reuseServer answers GetPayment and Again with what each request asked
// for, checks that every request carries exactly the headers, query and
// body of its own call, and replaces its access token every rotateEvery
// calls, so that calls in flight get a 401 and replay with the next token.
type reuseServer struct {
	*httptest.Server
	t           *testing.T
	mu          sync.Mutex
	token       string
	tokens      int
	calls       int
	rotateEvery int
	bad         atomic.Value // the first thing found wrong, a string
}

func newReuseServer(t *testing.T, rotateEvery int) *reuseServer {
	s := &reuseServer{t: t, rotateEvery: rotateEvery}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /users/getToken", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.tokens++
		s.token = fmt.Sprintf("token-%d", s.tokens)
		tok := s.token
		s.mu.Unlock()
		fmt.Fprintf(w, `{"code":0,"response":{"access_token":%q,"now":0,"expired_at":0}}`, tok)
	})
	mux.HandleFunc("GET /payments/{imp_uid}", func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(w, r, false) {
			return
		}
		imp := r.PathValue("imp_uid")
		if want := strings.HasSuffix(imp, "-sandbox"); (r.URL.Query().Get("include_sandbox") == "true") != want || len(r.URL.Query()) > 1 {
			s.fail("GET %s came with query %q", imp, r.URL.RawQuery)
		}
		fmt.Fprintf(w, `{"code":0,"response":{"imp_uid":%q,"status":"paid","amount":1}}`, imp)
	})
	mux.HandleFunc("POST /subscribe/payments/again", func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(w, r, true) {
			return
		}
		var in struct {
			CustomerUID string  `json:"customer_uid"`
			MerchantUID string  `json:"merchant_uid"`
			Amount      float64 `json:"amount"`
		}
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &in); err != nil || in.CustomerUID != "cus_"+in.MerchantUID || int64(len(b)) != r.ContentLength {
			s.fail("Again body %q (Content-Length %d): %v", b, r.ContentLength, err)
		}
		fmt.Fprintf(w, `{"code":0,"response":{"imp_uid":"imp_%s","merchant_uid":%q,"status":"paid","amount":%v}}`,
			in.MerchantUID, in.MerchantUID, in.Amount)
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *reuseServer) fail(format string, args ...any) {
	s.bad.CompareAndSwap(nil, fmt.Sprintf(format, args...))
}

// authorized checks the headers of a call and answers 401 to a token that
// is not the current one, or when it is time to replace the token.
func (s *reuseServer) authorized(w http.ResponseWriter, r *http.Request, body bool) bool {
	h := r.Header
	if h.Get("Accept") != "application/json" || h.Get("User-Agent") != userAgent || h.Get("Tier") != "T1" ||
		(h.Get("Content-Type") == "application/json") != body || len(h.Values("Authorization")) != 1 {
		s.fail("%s %s came with headers %v", r.Method, r.URL.Path, h)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if h.Get("Authorization") != "Bearer "+s.token || s.calls%s.rotateEvery == 0 {
		s.token = "" // no token is valid until the next getToken
		w.WriteHeader(http.StatusUnauthorized)
		return false
	}
	return true
}

// TestSendReuseConcurrent makes GetPayment and Again calls from many
// goroutines at once through one Client, while the server keeps replacing
// the access token, and checks that every call sent its own path, query,
// headers and body and got its own answer. Run with -race, it also checks
// that the requests reused between calls and the header maps shared by the
// calls of one token are never written to while in use (see send.go; this
// is what to run on a resty upgrade).
func TestSendReuseConcurrent(t *testing.T) {
	t.Parallel()
	s := newReuseServer(t, 7)
	c, err := New("key", "secret", WithBaseURL(s.URL), WithTier("T1"), WithBearerAuth())
	require.NoError(t, err)
	ctx := context.Background()
	const goroutines, calls = 12, 40
	errs := make(chan error, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- reuseCalls(ctx, c, g, calls)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	if bad := s.bad.Load(); bad != nil {
		t.Fatal(bad)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Greater(t, s.tokens, 1, "the token was never replaced")
}

// reuseCalls makes n calls of each kind, alternating, and checks that each
// answer is the one for its own request.
func reuseCalls(ctx context.Context, c *Client, g, n int) error {
	for i := range n {
		imp := fmt.Sprintf("imp_%d_%d", g, i)
		var params []GetPaymentParams
		if i%3 == 0 {
			imp += "-sandbox"
			params = append(params, GetPaymentParams{IncludeSandbox: true})
		}
		var p *Payment
		err := untilAuthorized(func() (err error) {
			p, err = c.GetPayment(ctx, imp, params...)
			return err
		})
		if err != nil {
			return err
		}
		if p.ImpUID != imp {
			return fmt.Errorf("GetPayment(%s) answered %s", imp, p.ImpUID)
		}
		mid := fmt.Sprintf("order_%d_%d", g, i)
		req := &AgainRequest{CustomerUID: "cus_" + mid, MerchantUID: mid, Amount: Amount(1 + i), Name: "n"}
		err = untilAuthorized(func() (err error) {
			p, err = c.Again(ctx, req)
			return err
		})
		if err != nil {
			return err
		}
		if p.MerchantUID != mid || p.ImpUID != "imp_"+mid || p.Amount != Amount(1+i) {
			return fmt.Errorf("Again(%s, %d) answered %+v", mid, 1+i, p)
		}
	}
	return nil
}

// untilAuthorized calls f again while it fails with ErrUnauthorized: a call
// whose one replay found the token replaced once more fails so, as it
// should.
func untilAuthorized(f func() error) error {
	for range 50 {
		if err := f(); !errors.Is(err, ErrUnauthorized) {
			return err
		}
	}
	return errors.New("still unauthorized after 50 tries")
}
