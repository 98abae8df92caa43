package iamport_test

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
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// roundServer is an iamport as the API reference describes it, with hooks:
// a token endpoint, and a handler per path prefix. It counts POSTs.
type roundServer struct {
	t     *testing.T
	mu    sync.Mutex
	posts map[string]int
	route func(w http.ResponseWriter, r *http.Request) bool
}

func newRoundServer(t *testing.T, route func(w http.ResponseWriter, r *http.Request) bool) (*roundServer, *iamport.Client) {
	return newRoundServerTimeout(t, 2*time.Second, route)
}

func newRoundServerTimeout(t *testing.T, reconcile time.Duration, route func(w http.ResponseWriter, r *http.Request) bool) (*roundServer, *iamport.Client) {
	t.Helper()
	s := &roundServer{t: t, posts: map[string]int{}, route: route}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	c, err := iamport.New("key", "secret", iamport.WithBaseURL(srv.URL), iamport.WithMaxRetries(0),
		iamport.WithReconcileTimeout(reconcile), iamport.WithTimeout(30*time.Second))
	require.NoError(t, err)
	return s, c
}

func (s *roundServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/users/getToken" {
		roundJSON(w, 200, map[string]any{"code": 0, "message": nil, "response": map[string]any{
			"access_token": "tok", "now": time.Now().Unix(), "expired_at": time.Now().Add(30 * time.Minute).Unix()}})
		return
	}
	if r.Method == http.MethodPost {
		s.mu.Lock()
		s.posts[r.URL.Path]++
		s.mu.Unlock()
	}
	if !s.route(w, r) {
		roundJSON(w, 404, map[string]any{"code": -1, "message": "존재하지 않는 결제정보입니다.", "response": nil})
	}
}

func (s *roundServer) postCount(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.posts[path]
}

func roundJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// gateway404s are 404 answers that are not iamport's: what API gateways,
// load balancers and web frameworks send for a route they do not know.
var gateway404s = map[string]struct{ ct, body string }{
	"html":       {"text/html", `<html><body><h1>404 Not Found</h1></body></html>`},
	"truncated":  {"application/json", `{"code":-1,"message":"존재하지`},
	"text":       {"text/plain", `404 page not found`},
	"empty":      {"", ``},
	"jsonstring": {"application/json", `"not found"`},
}

// A 404 that is not an iamport envelope proves nothing: not ErrNotFound,
// but ErrInvalidResponse, for a lookup; and a charge whose earlier-attempts
// lookup gets one is not sent.
func TestRoundGateway404IsNotProofOfAbsence(t *testing.T) {
	for name, g := range gateway404s {
		t.Run(name, func(t *testing.T) {
			gw := func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodGet {
					if g.ct != "" {
						w.Header().Set("Content-Type", g.ct)
					}
					w.WriteHeader(404)
					_, _ = w.Write([]byte(g.body))
					return true
				}
				roundJSON(w, 200, map[string]any{"code": 0, "response": map[string]any{
					"imp_uid": "imp_1", "merchant_uid": "o-1", "amount": 1000, "status": "paid", "paid_at": time.Now().Unix()}})
				return true
			}
			s, c := newRoundServer(t, gw)
			ctx := context.Background()
			_, err := c.GetPayment(ctx, "imp_1")
			require.Error(t, err)
			require.False(t, errors.Is(err, iamport.ErrNotFound), "a gateway's 404 read as not found: %v", err)
			require.ErrorIs(t, err, iamport.ErrInvalidResponse)
			_, err = c.FindPayment(ctx, "o-1")
			require.False(t, errors.Is(err, iamport.ErrNotFound), "%v", err)

			_, err = c.Again(ctx, &iamport.AgainRequest{CustomerUID: "cus", MerchantUID: "o-1", Amount: iamport.AmountFromCents(100000), Name: "x"})
			require.Error(t, err)
			require.Zero(t, s.postCount("/subscribe/payments/again"), "charged with no view of the order's earlier attempts")
			_, err = c.IssueVbank(ctx, &iamport.VbankRequest{ChannelKey: "ch", MerchantUID: "o-1", Amount: iamport.AmountFromCents(100000),
				VbankCode: "004", VbankDue: time.Now().Add(24 * time.Hour)})
			require.Error(t, err)
			require.Zero(t, s.postCount("/vbanks"), "issued with no view of the order's earlier payments")
		})
	}
}

// vbankWorld is one order's payments at a PG that lags: an account issued
// shows in lookups only after lagFind lookups of /payments/find, and in
// /payments/findAll only after lagAll lookups of it. Its answer to POST
// /vbanks is lost (HTTP 504) when lose is set, and the issue is made (or
// not, with none).
type vbankWorld struct {
	mu       sync.Mutex
	payments []map[string]any // oldest first
	visible  map[string]int   // imp_uid: lookups of find left before it shows
	visAll   map[string]int   // imp_uid: lookups of findAll left before it shows
	lagFind  int
	lagAll   int
	lose     bool
	none     bool // the lost issue was never made
	pageSize int
	issued   int
	release  chan struct{} // when set, POST /vbanks waits for it
	entered  chan struct{} // closed when a POST /vbanks arrives
}

func roundVbank(imp, merchant string, amount int, started time.Time) map[string]any {
	return map[string]any{"imp_uid": imp, "merchant_uid": merchant, "amount": amount, "status": "ready",
		"pay_method": "vbank", "started_at": started.Unix(), "vbank_num": "1234", "vbank_name": "국민은행",
		"vbank_date": time.Now().Add(24 * time.Hour).Unix(), "currency": "KRW"}
}

func (v *vbankWorld) route(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/subscribe/payments/again":
		v.accept(w, r, func(p map[string]any) {
			p["pay_method"], p["status"] = "card", "failed"
			p["failed_at"], p["fail_reason"] = time.Now().Unix(), "한도초과"
		})
		return true
	case r.Method == http.MethodPost && r.URL.Path == "/vbanks":
		if v.entered != nil {
			close(v.entered)
		}
		if v.release != nil {
			<-v.release
		}
		v.accept(w, r, func(map[string]any) {})
		return true
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/payments/findAll/"):
		v.mu.Lock()
		defer v.mu.Unlock()
		var shown []any
		for i := len(v.payments) - 1; i >= 0; i-- { // -started
			p := v.payments[i]
			id := p["imp_uid"].(string)
			if v.visAll[id] > 0 {
				v.visAll[id]--
				continue
			}
			shown = append(shown, p)
		}
		if len(shown) == 0 {
			return false // the API's 404
		}
		size := v.pageSize
		if size == 0 {
			size = 20
		}
		page := 1
		_, _ = fmt.Sscan(r.URL.Query().Get("page"), &page)
		from, to := min((page-1)*size, len(shown)), min(page*size, len(shown))
		next := 0
		if to < len(shown) {
			next = page + 1
		}
		roundJSON(w, 200, map[string]any{"code": 0, "response": map[string]any{
			"total": len(shown), "previous": page - 1, "next": next, "list": shown[from:to]}})
		return true
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/payments/find/"):
		v.mu.Lock()
		defer v.mu.Unlock()
		for i := len(v.payments) - 1; i >= 0; i-- { // the first by -started that shows
			p := v.payments[i]
			id := p["imp_uid"].(string)
			if v.visible[id] > 0 {
				v.visible[id]--
				continue
			}
			roundJSON(w, 200, map[string]any{"code": 0, "response": p})
			return true
		}
		return false
	}
	return false
}

// accept makes the payment a POST asks for (shaped by shape), visible
// after the world's lags, and answers it, or loses the answer.
func (v *vbankWorld) accept(w http.ResponseWriter, r *http.Request, shape func(p map[string]any)) {
	var req struct {
		MerchantUID string `json:"merchant_uid"`
		CustomerUID string `json:"customer_uid"`
		Amount      int    `json:"amount"`
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	v.mu.Lock()
	v.issued++
	p := roundVbank(fmt.Sprintf("imp_new_%d", v.issued), req.MerchantUID, req.Amount, time.Now())
	if req.CustomerUID != "" {
		p["customer_uid"] = req.CustomerUID
	}
	shape(p)
	if !v.lose || !v.none {
		v.payments = append(v.payments, p)
		v.visible[p["imp_uid"].(string)] = v.lagFind
		v.visAll[p["imp_uid"].(string)] = v.lagAll
	}
	lose := v.lose
	v.mu.Unlock()
	if lose {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusGatewayTimeout)
		_, _ = io.WriteString(w, "<html>504 Gateway Time-out</html>")
		return
	}
	roundJSON(w, 200, map[string]any{"code": 0, "message": nil, "response": p})
}

func newVbankWorld() *vbankWorld {
	return &vbankWorld{visible: map[string]int{}, visAll: map[string]int{}}
}

func roundVbankReq(m string) *iamport.VbankRequest {
	return &iamport.VbankRequest{ChannelKey: "ch", MerchantUID: m, Amount: iamport.AmountFromCents(1000000),
		VbankCode: "004", VbankDue: time.Now().Add(24 * time.Hour)}
}

// An order with an account issued a second ago (same amount, inside the
// clock slack): the issue's answer is lost, and lookups show the old
// account first and the new one late. The new one is the answer.
func TestRoundIssueVbankLostAnswerOldAccountShowsFirst(t *testing.T) {
	v := newVbankWorld()
	v.payments = append(v.payments, roundVbank("imp_old", "o-v1", 10000, time.Now().Add(-time.Second)))
	v.lose, v.lagFind = true, 3
	s, c := newRoundServerTimeout(t, time.Minute, v.route)
	p, err := c.IssueVbank(context.Background(), roundVbankReq("o-v1"))
	require.NoError(t, err)
	require.Equal(t, "imp_new_1", p.ImpUID)
	require.Equal(t, 1, s.postCount("/vbanks"))
}

// The order's earlier payments span pages of findAll, and the account
// issued a second ago is on the last page: a lost answer never takes it.
func TestRoundIssueVbankEarlierAccountOnALaterPage(t *testing.T) {
	v := newVbankWorld()
	for i := 0; i < 250; i++ {
		p := roundVbank(fmt.Sprintf("imp_fail_%d", i), "o-v2", 10000, time.Now().Add(-time.Hour))
		p["status"], p["pay_method"] = "failed", "card"
		v.payments = append(v.payments, p)
	}
	v.payments = append(v.payments[:1], v.payments...)
	v.payments[0] = roundVbank("imp_old", "o-v2", 10000, time.Now().Add(-time.Second)) // oldest by position, listed last
	v.lose, v.none, v.pageSize = true, true, 100
	s, c := newRoundServer(t, v.route)
	p, err := c.IssueVbank(context.Background(), roundVbankReq("o-v2"))
	require.Nil(t, p)
	var ue *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &ue, "%v", err)
	require.Equal(t, 1, s.postCount("/vbanks"))
}

// This Client issued an account of the order a moment ago (answered), and
// findAll does not show it yet when the next issue lists the order. The
// next issue's answer is lost and it made nothing: the earlier call's
// account must not be reported as this one's.
func TestRoundIssueVbankLaggingFindAllHidesOwnEarlierAccount(t *testing.T) {
	v := newVbankWorld()
	v.lagAll = 1 // the first findAll after an issue does not show it yet
	s, c := newRoundServer(t, v.route)
	ctx := context.Background()
	first, err := c.IssueVbank(ctx, roundVbankReq("o-v3"))
	require.NoError(t, err)
	v.mu.Lock()
	v.lose, v.none = true, true
	v.mu.Unlock()
	p, err := c.IssueVbank(ctx, roundVbankReq("o-v3"))
	if err == nil {
		t.Fatalf("the lost issue reported the earlier call's account %s (first call's: %s) as its own", p.ImpUID, first.ImpUID)
	}
	var ue *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &ue, "%v", err)
	require.Equal(t, 2, s.postCount("/vbanks"))
}

// As above for a charge: this Client's Again of the order was declined a
// moment ago, and findAll does not show that attempt to the next Again's
// snapshot. The next Again's answer is lost while it is still running (it
// never shows in time): the earlier decline is not this call's outcome.
func TestRoundAgainLaggingFindAllHidesOwnEarlierDecline(t *testing.T) {
	v := newVbankWorld()
	v.lagAll = 1
	s, c := newRoundServer(t, v.route)
	ctx := context.Background()
	req := &iamport.AgainRequest{CustomerUID: "cus", MerchantUID: "o-a1", Amount: iamport.AmountFromCents(1000000), Name: "x"}
	first, err := c.Again(ctx, req)
	var de *iamport.DeclinedError
	require.ErrorAs(t, err, &de)
	v.mu.Lock()
	v.lose, v.none = true, true
	v.mu.Unlock()
	p, err := c.Again(ctx, req)
	if errors.As(err, &de) {
		t.Fatalf("the lost charge reported the earlier call's decline %s (first call's: %s) as its own", p.ImpUID, first.ImpUID)
	}
	var ue *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &ue, "%v", err)
	require.Equal(t, 2, s.postCount("/subscribe/payments/again"))
}

// IssueVbank and a charge of one merchant_uid at once on one Client: the
// second is refused before anything is sent.
func TestRoundIssueVbankAndChargeOfOneOrderAtOnce(t *testing.T) {
	v := newVbankWorld()
	v.release, v.entered = make(chan struct{}), make(chan struct{})
	s, c := newRoundServer(t, v.route)
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		_, err := c.IssueVbank(ctx, roundVbankReq("o-v4"))
		done <- err
	}()
	<-v.entered
	_, err := c.Again(ctx, &iamport.AgainRequest{CustomerUID: "cus", MerchantUID: "o-v4", Amount: iamport.AmountFromCents(1000000), Name: "x"})
	require.ErrorIs(t, err, iamport.ErrChargeInFlight)
	_, err = c.Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: "o-v4", Amount: iamport.AmountFromCents(1000000),
		CardNumber: "4242-4242-4242-4242", Expiry: "2030-12", Birth: "800101", Name: "x"})
	require.ErrorIs(t, err, iamport.ErrChargeInFlight)
	_, err = c.IssueVbank(ctx, roundVbankReq("o-v4"))
	require.ErrorIs(t, err, iamport.ErrChargeInFlight)
	close(v.release)
	require.NoError(t, <-done)
	require.Zero(t, s.postCount("/subscribe/payments/again")+s.postCount("/subscribe/payments/onetime"))
	require.Equal(t, 1, s.postCount("/vbanks"))
}

// A findAll that never answers: the issue is not sent.
func TestRoundIssueVbankFindAllTimesOut(t *testing.T) {
	v := newVbankWorld()
	hang := func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasPrefix(r.URL.Path, "/payments/findAll/") {
			<-r.Context().Done()
			return true
		}
		return v.route(w, r)
	}
	s, c := newRoundServer(t, hang)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := c.IssueVbank(ctx, roundVbankReq("o-v5"))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Zero(t, s.postCount("/vbanks"))
}

// A proxy's HTML 404 where a cancel, an unschedule or a webhook reads "not
// found": none of them reads it as proof of absence.
func TestRoundProxy404WhereNotFoundDecides(t *testing.T) {
	html404 := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(404)
		_, _ = io.WriteString(w, "<html><body>404 Not Found</body></html>")
	}
	s, c := newRoundServer(t, func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case r.Method == http.MethodGet:
			html404(w)
		case r.URL.Path == "/subscribe/payments/unschedule":
			// Revoked one of the two named; the other is not listed.
			roundJSON(w, 200, map[string]any{"code": 0, "response": []any{map[string]any{
				"merchant_uid": "s-1", "customer_uid": "cus", "schedule_status": "revoked", "amount": 1000,
				"schedule_at": time.Now().Add(time.Hour).Unix()}}})
		default:
			roundJSON(w, 200, map[string]any{"code": 0, "response": map[string]any{"imp_uid": "imp_1"}})
		}
		return true
	})
	ctx := context.Background()
	_, err := c.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: "imp_1", Reason: "x"})
	require.Error(t, err)
	_, err = c.CancelPayment(ctx, &iamport.CancelRequest{MerchantUID: "o-1", Reason: "x"})
	require.Error(t, err)
	require.Zero(t, s.postCount("/payments/cancel"), "a cancel sent with no view of the payment")

	revoked, err := c.Unschedule(ctx, &iamport.UnscheduleRequest{CustomerUID: "cus", MerchantUIDs: []string{"s-1", "s-2"}})
	var ue *iamport.UnscheduleError
	require.ErrorAs(t, err, &ue)
	require.Len(t, revoked, 1)
	require.Empty(t, ue.NotRevoked, "a proxy 404 read as a schedule that does not exist")
	require.Equal(t, []string{"s-2"}, ue.Unknown)

	h := iamport.WebhookHandler(c, func(context.Context, *iamport.Payment, *iamport.WebhookEvent) error {
		t.Error("a webhook delivered without a verified payment")
		return nil
	}, iamport.WithLoopbackSources())
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(`{"imp_uid":"imp_1","merchant_uid":"o-1","status":"paid"}`))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = "127.0.0.1:5555"
	h.ServeHTTP(rec, req)
	require.GreaterOrEqual(t, rec.Code, 500, "a webhook the SDK could not verify must be delivered again")
}

// HTTP 501 to a money-moving call is a refusal returned at once; the other
// 5xx a gateway may answer (502, 503, 504, 505, 511) and 408 are "may still
// be running": never re-sent, never a decline, settled by lookups or
// reported unknown.
func TestRound5xxToACharge(t *testing.T) {
	for _, st := range []int{501, 500, 502, 503, 504, 505, 507, 511, 599, 408} {
		t.Run(fmt.Sprint(st), func(t *testing.T) {
			s, c := newRoundServer(t, func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == http.MethodPost {
					w.Header().Set("Content-Type", "text/html")
					w.WriteHeader(st)
					_, _ = io.WriteString(w, "<html>gateway</html>")
					return true
				}
				return false // no payments: the API's 404
			})
			p, err := c.Again(context.Background(), &iamport.AgainRequest{CustomerUID: "cus", MerchantUID: "o-5", Amount: iamport.AmountFromCents(100000), Name: "x"})
			require.Error(t, err)
			require.Nil(t, p)
			var de *iamport.DeclinedError
			require.False(t, errors.As(err, &de))
			var ue *iamport.OutcomeUnknownError
			require.Equal(t, st != 501, errors.As(err, &ue), "%v", err)
			require.Equal(t, 1, s.postCount("/subscribe/payments/again"))
		})
	}
}

// A payment answer with a decisive key twice, in another spelling, deep in
// the body or as its very last key: a lookup refuses it, and a charge does
// not take it as paid.
func TestRoundContradictingKeysEndToEnd(t *testing.T) {
	bodies := map[string]string{
		"long-s at end": `{"code":0,"message":null,"response":{"imp_uid":"imp_1","merchant_uid":"o-d","amount":1000,"customer_uid":"cus","status":"failed","ſtatus":"paid"}}`,
		"escaped":       `{"code":0,"response":{"imp_uid":"imp_1","merchant_uid":"o-d","amount":1000,"customer_uid":"cus","status":"paid","st\u0061tus":"failed"}}`,
		"upper amount":  `{"code":0,"response":{"imp_uid":"imp_1","merchant_uid":"o-d","AMOUNT":1,"customer_uid":"cus","status":"paid","amount":1000}}`,
		"envelope code": "{\"code\":0,\n\"response\":{\"imp_uid\":\"imp_1\",\"merchant_uid\":\"o-d\",\"amount\":1000,\"customer_uid\":\"cus\",\"status\":\"paid\"},\"CODE\"\t:\t-1}",
		"escaped imp":   `{"code":0,"response":{"imp_uid":"imp_1","merchant_uid":"o-d","amount":1000,"customer_uid":"cus","status":"paid","imp\u005Fuid":"imp_2"}}`,
		"long string":   `{"code":0,"response":{"name":"` + strings.Repeat(`\"status\":`, 500) + `","imp_uid":"imp_1","merchant_uid":"o-d","amount":1000,"customer_uid":"cus","status":"paid","Merchant_UID":"o-e"}}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			_, c := newRoundServer(t, func(w http.ResponseWriter, r *http.Request) bool {
				if strings.HasPrefix(r.URL.Path, "/payments/findAll/") {
					return false // no earlier attempts
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, body)
				return true
			})
			ctx := context.Background()
			_, err := c.GetPayment(ctx, "imp_1")
			require.ErrorIs(t, err, iamport.ErrInvalidResponse)
			p, err := c.Again(ctx, &iamport.AgainRequest{CustomerUID: "cus", MerchantUID: "o-d", Amount: iamport.AmountFromCents(100000), Name: "x"})
			require.Error(t, err, "a contradicting answer taken as %v", p)
			var ue *iamport.OutcomeUnknownError
			require.ErrorAs(t, err, &ue)
		})
	}
}

// IssueVbank answered with a payment of another order (a server that reads
// "o/1" as a path, a cache that serves another answer): that account is not
// this call's, and the lost outcome is settled as for a lost answer.
func TestRoundIssueVbankAnswerOfAnotherOrder(t *testing.T) {
	s, c := newRoundServer(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPost {
			roundJSON(w, 200, map[string]any{"code": 0, "response": roundVbank("imp_other", "o-other", 10000, time.Now())})
			return true
		}
		return false
	})
	p, err := c.IssueVbank(context.Background(), roundVbankReq("o-v6"))
	if err == nil {
		t.Fatalf("IssueVbank of o-v6 returned the account of %s (%s)", p.MerchantUID, p.ImpUID)
	}
	var ue *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &ue, "%v", err)
	require.Equal(t, 1, s.postCount("/vbanks"))
}

// A findAll whose pages never end (next points back at the same page, or
// every page says there is one more): the snapshot fails, and nothing is
// sent, instead of looping or sending with a partial view.
func TestRoundFindAllPagesThatNeverEnd(t *testing.T) {
	for name, next := range map[string]func(page int) int{
		"self":    func(page int) int { return page },
		"back":    func(int) int { return 1 },
		"forever": func(page int) int { return page + 1 },
	} {
		t.Run(name, func(t *testing.T) {
			s, c := newRoundServer(t, func(w http.ResponseWriter, r *http.Request) bool {
				if !strings.HasPrefix(r.URL.Path, "/payments/findAll/") {
					return false
				}
				page := 1
				_, _ = fmt.Sscan(r.URL.Query().Get("page"), &page)
				list := []any{}
				for i := 0; i < 100; i++ {
					p := roundVbank(fmt.Sprintf("imp_%d_%d", page, i), "o-p", 10000, time.Now().Add(-time.Hour))
					p["status"] = "failed"
					list = append(list, p)
				}
				roundJSON(w, 200, map[string]any{"code": 0, "response": map[string]any{"total": 1 << 30, "previous": page - 1, "next": next(page), "list": list}})
				return true
			})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, err := c.IssueVbank(ctx, roundVbankReq("o-p"))
			require.Error(t, err)
			require.NotErrorIs(t, err, context.DeadlineExceeded, "the snapshot looped until the deadline")
			require.Zero(t, s.postCount("/vbanks"))
		})
	}
}
