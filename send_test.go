package iamport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
	mux.HandleFunc("GET /payments/findAll/{merchant_uid}", func(w http.ResponseWriter, r *http.Request) {
		// The look at an order's earlier attempts before each charge: none.
		if !s.authorized(w, r, false) {
			return
		}
		if r.URL.RawQuery != "limit=100" {
			s.fail("GET %s came with query %q", r.URL.Path, r.URL.RawQuery)
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"code":1,"message":"결제정보가 존재하지 않습니다.","response":null}`)
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
// is not the current one, and replaces the token every rotateEvery calls.
func (s *reuseServer) authorized(w http.ResponseWriter, r *http.Request, body bool) bool {
	h := r.Header
	if h.Get("Accept") != "application/json" || h.Get("User-Agent") != userAgent || h.Get("Tier") != "T1" ||
		(h.Get("Content-Type") == "application/json") != body || len(h.Values("Authorization")) != 1 {
		s.fail("%s %s came with headers %v", r.Method, r.URL.Path, h)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if h.Get("Authorization") != "Bearer "+s.token {
		// A token replaced since: refused, without touching the current one
		// (which would make every stale request in flight revoke the token
		// the others just fetched).
		w.WriteHeader(http.StatusUnauthorized)
		return false
	}
	if s.calls%s.rotateEvery == 0 {
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
//
// A call is refused when the token it fetched is replaced before its
// replay lands, which on a loaded machine can happen to the same goroutine
// many times in a row (the twelve stay in step): a short random pause
// between tries breaks the step.
func untilAuthorized(f func() error) error {
	var last error
	for range 500 {
		if last = f(); !errors.Is(last, ErrUnauthorized) {
			return last
		}
		time.Sleep(time.Duration(rand.IntN(500)) * time.Microsecond)
	}
	return fmt.Errorf("still unauthorized after 500 tries: %w", last)
}

// chunks is a body that comes in pieces of n bytes, without a length, as a
// chunked HTTP body does.
type chunks struct {
	s string
	n int
}

func (c *chunks) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.s)
	c.s = c.s[k:]
	return k, nil
}

func TestBodyBufferRead(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("0123456789", 1000)
	b := &bodyBuffer{}
	got, err := b.read(strings.NewReader(body), int64(len(body)))
	require.NoError(t, err)
	require.Equal(t, body, string(got))
	room := cap(b.b)

	// A shorter answer reuses the buffer; one without a length is read to
	// its end.
	got, err = b.read(&chunks{s: body[:5000], n: 700}, -1)
	require.NoError(t, err)
	require.Equal(t, body[:5000], string(got))
	require.Equal(t, room, cap(b.b), "the buffer was not reused")
	got, err = b.read(&chunks{s: body + body, n: 4096}, -1)
	require.NoError(t, err)
	require.Equal(t, body+body, string(got))

	// A body shorter than its length, or longer than the cap, fails.
	_, err = b.read(strings.NewReader(body[:10]), 11)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	huge := strings.Repeat("x", maxResponseBytes+1)
	_, err = b.read(&chunks{s: huge, n: 1 << 20}, -1)
	require.ErrorContains(t, err, "larger than")
	_, err = b.read(strings.NewReader(huge), int64(len(huge)))
	require.ErrorContains(t, err, "larger than")

	// A huge buffer is not kept for reuse.
	b.empty()
	require.Nil(t, b.b)
}

// TestWalkBufferIsUsedByOneCallAtATime checks that the buffer of a list walk
// serves one call at a time, and none once the walk is over: a call made
// while it is busy (as the token fetch a page's call waits for may be,
// after the walk gave up waiting) or after the walk gets a pooled one.
func TestWalkBufferIsUsedByOneCallAtATime(t *testing.T) {
	t.Parallel()
	ctx, end := withWalk(context.Background())
	w := walkOf(ctx)
	a := bodyBufferFor(ctx)
	require.Same(t, &w.buf, a)
	b := bodyBufferFor(ctx)
	require.NotSame(t, a, b, "the busy walk buffer was handed out twice")
	b.release()
	a.release()
	require.Same(t, a, bodyBufferFor(ctx), "the walk buffer was not handed back to the walk")

	// The walk ends while its buffer is busy: the buffer is left alone, and
	// nothing more gets it.
	end()
	a.b = append(a.b[:0], "still in use"...)
	a.release()
	require.Equal(t, "still in use", string(w.buf.b))
	c := bodyBufferFor(ctx)
	require.NotSame(t, a, c, "the walk buffer was handed out after the walk")
	c.release()
}

// TestDecodedValuesOutliveTheBuffer reads two answers into one buffer, as
// the pages of a list walk are, and checks that what was decoded from the
// first is intact after the second overwrote it: nothing decoded may point
// into the buffer (json.RawMessage fields included).
func TestDecodedValuesOutliveTheBuffer(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/users/getToken" {
			fmt.Fprint(w, `{"code":0,"response":{"access_token":"t","now":0,"expired_at":0}}`)
			return
		}
		id := strings.TrimPrefix(r.URL.Path, "/payments/")
		// Both answers have the same length, so the second overwrites
		// every byte of the first.
		fmt.Fprintf(w, `{"code":0,"response":{"imp_uid":%q,"name":"name %s","extension":{"k":%q},`+
			`"cancel_history":[{"reason":"reason %s"}],"cancel_receipt_urls":["url %s"]}}`, id, id, id, id, id)
	}))
	t.Cleanup(srv.Close)
	c, err := New("key", "secret", WithBaseURL(srv.URL))
	require.NoError(t, err)
	ctx, end := withWalk(context.Background())
	defer end()
	a, err := c.GetPayment(ctx, "imp_a")
	require.NoError(t, err)
	first := string(walkOf(ctx).buf.b)
	b, err := c.GetPayment(ctx, "imp_b")
	require.NoError(t, err)
	require.NotEqual(t, first, string(walkOf(ctx).buf.b), "the second answer did not overwrite the first")
	for _, p := range []struct {
		id string
		p  *Payment
	}{{"imp_a", a}, {"imp_b", b}} {
		require.Equal(t, p.id, p.p.ImpUID)
		require.Equal(t, "name "+p.id, p.p.Name)
		require.JSONEq(t, `{"k":"`+p.id+`"}`, string(p.p.Extension))
		require.Equal(t, "reason "+p.id, p.p.CancelHistory[0].Reason)
		require.Equal(t, []string{"url " + p.id}, p.p.CancelReceiptURLs)
	}
}

// TestWalkPagesWithRoom walks pages decoded into lists given room for the
// last page's length: every item stays intact after the walk, an empty
// page ends it, and a page whose response is absent fails it.
func TestWalkPagesWithRoom(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, last string
		wantErr    string
	}{
		{"empty last page", `{"code":0,"response":{"total":4,"previous":2,"next":0,"list":[]}}`, ""},
		{"absent response", `{"code":0,"message":null}`, "response is null"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch page := r.URL.Query().Get("page"); {
				case r.URL.Path == "/users/getToken":
					fmt.Fprint(w, `{"code":0,"response":{"access_token":"t","now":0,"expired_at":0}}`)
				case page == "1" || page == "2":
					next := map[string]int{"1": 2, "2": 3}[page]
					fmt.Fprintf(w, `{"code":0,"response":{"total":4,"next":%d,"list":[{"imp_uid":"imp_%s_1"},{"imp_uid":"imp_%s_2"}]}}`,
						next, page, page)
				default:
					fmt.Fprint(w, tc.last)
				}
			}))
			t.Cleanup(srv.Close)
			c, err := New("key", "secret", WithBaseURL(srv.URL))
			require.NoError(t, err)
			var got []*Payment
			var walkErr error
			for p, err := range c.ListPaymentsByStatus(context.Background(), &ListPaymentsByStatusRequest{Limit: 2}) {
				if err != nil {
					walkErr = err
					break
				}
				got = append(got, p)
			}
			ids := make([]string, len(got))
			for i, p := range got {
				ids[i] = p.ImpUID
			}
			require.Equal(t, []string{"imp_1_1", "imp_1_2", "imp_2_1", "imp_2_2"}, ids)
			if tc.wantErr == "" {
				require.NoError(t, walkErr)
			} else {
				require.ErrorContains(t, walkErr, tc.wantErr)
				require.ErrorIs(t, walkErr, ErrInvalidResponse)
			}
		})
	}
}
