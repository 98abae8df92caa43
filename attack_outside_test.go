package iamport_test

// Money safety seen from outside: a merchant's Client against servers that
// charge and then lose, mangle or contradict their answers, lookups that lag
// or answer in other shapes, and callers racing on one order. Each server
// records every charge it makes, so a test checks what moved, not what the
// SDK says moved.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// outsidePay is a payment as the outside server keeps it.
type outsidePay struct {
	ImpUID, MerchantUID, CustomerUID, Status, PayMethod string
	Amount                                              float64
	StartedAt                                           int64
}

func (p outsidePay) json() string {
	b, _ := json.Marshal(map[string]any{
		"imp_uid": p.ImpUID, "merchant_uid": p.MerchantUID, "customer_uid": p.CustomerUID,
		"status": p.Status, "amount": p.Amount, "currency": "KRW", "pay_method": p.PayMethod,
		"started_at": p.StartedAt, "paid_at": p.StartedAt,
	})
	return string(b)
}

// outsideServer is an iamport look-alike: it answers tokens, charges
// (again, onetime, vbanks) and order lookups (findAll, find). answer writes
// the answer of a charge it has made; list writes a findAll answer (nil:
// iamport's own shape).
type outsideServer struct {
	t   *testing.T
	srv *httptest.Server

	mu      sync.Mutex
	pays    []outsidePay
	charges map[string]int // POSTs of a charge per merchant_uid
	seq     int

	// answer writes the answer of a charge once it is made (p); nil: the
	// plain success.
	answer func(w http.ResponseWriter, p outsidePay)
	// status is the status a charge ends in; "" is paid.
	status string
	// hold, when set, is waited on before a charge answers.
	hold chan struct{}
	// arrived, when set, gets one value per charge received.
	arrived chan struct{}
	// list writes a findAll answer of ps; nil: iamport's shape.
	list func(w http.ResponseWriter, ps []outsidePay)
	// hidden hides the payments made by charges from lookups while set.
	hidden bool
	// late makes a charge go on after its answer: it shows (as ready when
	// readyFirst, else not at all) until late has passed, then ends.
	late       time.Duration
	readyFirst bool
	lateWG     sync.WaitGroup
}

func newOutsideServer(t *testing.T) *outsideServer {
	s := &outsideServer{t: t, charges: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// seed records a payment made before the test's call.
func (s *outsideServer) seed(p outsidePay) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pays = append(s.pays, p)
}

// first is the first payment s holds: the seeded earlier attempt.
func (s *outsideServer) first() outsidePay {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pays[0]
}

func (s *outsideServer) chargesOf(mu string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.charges[mu]
}

// client is a merchant's Client of s that gives up reconciling soon.
func (s *outsideServer) client(opts ...iamport.Option) *iamport.Client {
	s.t.Helper()
	all := append([]iamport.Option{
		iamport.WithBaseURL(s.srv.URL), iamport.WithHTTPClient(s.srv.Client()),
		iamport.WithMaxRetries(0), iamport.WithReconcileTimeout(700 * time.Millisecond),
		iamport.WithTimeout(10 * time.Second),
	}, opts...)
	c, err := iamport.New("key", "secret", all...)
	require.NoError(s.t, err)
	return c
}

// concurrently runs each subtest at once: most of them wait out a
// reconcile timeout, which t.Parallel would queue behind GOMAXPROCS others.
func concurrently(t *testing.T, names []string, run func(t *testing.T, i int)) {
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(name, func(t *testing.T) { run(t, i) })
		}()
	}
	wg.Wait()
}

// visibleAndHidden runs run for each case concurrently twice: with the
// payments charges make visible to lookups, and hidden from them.
// Case i is named name(i).
func visibleAndHidden(t *testing.T, n int, name func(i int) string, run func(t *testing.T, i int, visible bool)) {
	var names []string
	for i := 0; i < n; i++ {
		names = append(names, name(i)+"/visible", name(i)+"/hidden")
	}
	concurrently(t, names, func(t *testing.T, i int) { run(t, i/2, i%2 == 0) })
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

const outsideNotFound = `{"code":-1,"message":"존재하지 않는 결제정보입니다.","response":null}`

func (s *outsideServer) serve(w http.ResponseWriter, r *http.Request) {
	now := time.Now().Unix()
	switch {
	case r.URL.Path == "/users/getToken":
		writeJSON(w, 200, fmt.Sprintf(`{"code":0,"message":null,"response":{"access_token":"tok","now":%d,"expired_at":%d}}`, now, now+1800))
	case r.Method == "POST" && (r.URL.Path == "/subscribe/payments/again" || r.URL.Path == "/subscribe/payments/onetime" || r.URL.Path == "/vbanks" || r.URL.Path == "/cvs"):
		var req struct {
			MerchantUID string  `json:"merchant_uid"`
			CustomerUID string  `json:"customer_uid"`
			Amount      float64 `json:"amount"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeJSON(w, 400, `{"code":-1,"message":"bad body","response":null}`)
			return
		}
		s.mu.Lock()
		s.charges[req.MerchantUID]++
		s.seq++
		p := outsidePay{ImpUID: fmt.Sprintf("imp_%012d", s.seq), MerchantUID: req.MerchantUID, CustomerUID: req.CustomerUID,
			Status: "paid", Amount: req.Amount, StartedAt: now, PayMethod: "card"}
		switch r.URL.Path {
		case "/vbanks":
			p.Status, p.PayMethod = "ready", "vbank"
		case "/cvs":
			p.Status, p.PayMethod = "ready", "cvs"
		}
		if s.status != "" {
			p.Status = s.status
		}
		if s.late > 0 {
			final, idx := p, -1
			if s.readyFirst {
				p.Status = "ready"
				idx = len(s.pays)
				s.pays = append(s.pays, p)
			}
			s.lateWG.Add(1)
			time.AfterFunc(s.late, func() {
				defer s.lateWG.Done()
				s.mu.Lock()
				defer s.mu.Unlock()
				if idx >= 0 {
					s.pays[idx] = final
				} else {
					s.pays = append(s.pays, final)
				}
			})
		} else {
			s.pays = append(s.pays, p)
		}
		answer, hold, arrived := s.answer, s.hold, s.arrived
		s.mu.Unlock()
		if arrived != nil {
			arrived <- struct{}{}
		}
		if hold != nil {
			<-hold
		}
		if answer == nil {
			writeJSON(w, 200, `{"code":0,"message":null,"response":`+p.json()+`}`)
			return
		}
		answer(w, p)
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/payments/findAll/"):
		mu := strings.TrimPrefix(r.URL.Path, "/payments/findAll/")
		ps := s.visible(mu)
		if s.list != nil {
			s.list(w, ps)
			return
		}
		if len(ps) == 0 {
			writeJSON(w, 404, outsideNotFound)
			return
		}
		writeJSON(w, 200, `{"code":0,"message":null,"response":{"total":`+fmt.Sprint(len(ps))+`,"previous":0,"next":0,"list":[`+joinPays(ps)+`]}}`)
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/payments/find/"):
		ps := s.visible(strings.TrimPrefix(r.URL.Path, "/payments/find/"))
		if len(ps) == 0 {
			writeJSON(w, 404, outsideNotFound)
			return
		}
		writeJSON(w, 200, `{"code":0,"message":null,"response":`+ps[len(ps)-1].json()+`}`)
	default:
		writeJSON(w, 404, `{"code":-1,"message":"no route","response":null}`)
	}
}

// visible returns the payments of merchant_uid mu that lookups show.
func (s *outsideServer) visible(mu string) []outsidePay {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []outsidePay
	for i, p := range s.pays {
		if p.MerchantUID != mu {
			continue
		}
		if s.hidden && i >= s.seeded() {
			continue
		}
		out = append(out, p)
	}
	return out
}

// seeded counts the payments not made by a charge of the test (imp_uids of
// charges are numbered; seeds are named "old_...").
func (s *outsideServer) seeded() int {
	n := 0
	for _, p := range s.pays {
		if strings.HasPrefix(p.ImpUID, "old_") {
			n++
		}
	}
	return n
}

func joinPays(ps []outsidePay) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.json()
	}
	return strings.Join(parts, ",")
}

// resetConn drops the connection after the request was read: a reset
// after the write.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("no hijacker")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(err)
	}
	_ = conn.Close()
}

var outsideAgain = iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-x", Amount: 8900, Name: "plan"}

// checkChargeInvariant holds a charge's result to what the server did: a
// nil error means exactly one paid charge of exactly the reported payment;
// otherwise an outcome the server cannot disprove.
func checkChargeInvariant(t *testing.T, s *outsideServer, mu string, p *iamport.Payment, err error) {
	t.Helper()
	require.LessOrEqual(t, s.chargesOf(mu), 1, "a charge was sent twice")
	s.mu.Lock()
	var made []outsidePay
	for _, q := range s.pays {
		if q.MerchantUID == mu && !strings.HasPrefix(q.ImpUID, "old_") {
			made = append(made, q)
		}
	}
	s.mu.Unlock()
	if err == nil {
		require.Len(t, made, 1, "nil error, but the server made %d charges", len(made))
		require.Equal(t, iamport.PaymentStatusPaid, p.Status)
		require.Equal(t, made[0].ImpUID, p.ImpUID, "nil error for a payment this call did not make")
		require.Equal(t, made[0].Status, "paid", "nil error for a charge that did not pay")
		require.Equal(t, made[0].Amount, float64(p.Amount), "nil error reporting another amount than the one charged")
		if made[0].CustomerUID != "" {
			require.Equal(t, made[0].CustomerUID, p.CustomerUID, "nil error reporting another billing key than the one charged")
		}
		return
	}
	var declined *iamport.DeclinedError
	if errors.As(err, &declined) {
		for _, q := range made {
			require.NotEqual(t, "paid", q.Status, "a decline reported while this call paid: %v", err)
		}
	}
}

// paidBody is iamport's success answer holding p.
func paidBody(p outsidePay) string { return `{"code":0,"message":null,"response":` + p.json() + `}` }

// outsideAnswers are the ways a server loses or mangles the answer of a
// charge it made.
var outsideAnswers = []struct {
	name   string
	answer func(w http.ResponseWriter, p outsidePay)
}{
	{"reset after write", func(w http.ResponseWriter, p outsidePay) { resetConn(w) }},
	{"504 empty", func(w http.ResponseWriter, p outsidePay) { w.WriteHeader(504) }},
	{"502 html", func(w http.ResponseWriter, p outsidePay) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		_, _ = w.Write([]byte("<html><body>Bad Gateway</body></html>"))
	}},
	{"truncated 200", func(w http.ResponseWriter, p outsidePay) {
		b := paidBody(p)
		writeJSON(w, 200, b[:len(b)/2])
	}},
	{"200 trailing garbage", func(w http.ResponseWriter, p outsidePay) { writeJSON(w, 200, paidBody(p)+"garbage") }},
	{"200 second document", func(w http.ResponseWriter, p outsidePay) {
		writeJSON(w, 200, paidBody(p)+`{"code":-1,"message":"x","response":null}`)
	}},
	{"200 STATUS failed after status paid", func(w http.ResponseWriter, p outsidePay) {
		b := paidBody(p)
		writeJSON(w, 200, strings.Replace(b, `"status":"paid"`, `"status":"paid","STATUS":"failed"`, 1))
	}},
	{"200 long-s status", func(w http.ResponseWriter, p outsidePay) {
		b := paidBody(p)
		writeJSON(w, 200, strings.Replace(b, `"status":"paid"`, `"status":"failed","ſtatus":"paid"`, 1))
	}},
	{"200 escaped status twice", func(w http.ResponseWriter, p outsidePay) {
		b := paidBody(p)
		writeJSON(w, 200, strings.Replace(b, `"status":"paid"`, `"st\u0061tus":"failed","status":"paid"`, 1))
	}},
	{"200 amount twice", func(w http.ResponseWriter, p outsidePay) {
		b := paidBody(p)
		writeJSON(w, 200, strings.Replace(b, `"amount":8900`, `"amount":8900,"Amount":100`, 1))
	}},
	{"200 amount twice, kelvin-free string", func(w http.ResponseWriter, p outsidePay) {
		b := paidBody(p)
		writeJSON(w, 200, strings.Replace(b, `"amount":8900`, `"amount":"100","AMOUNT":8900`, 1))
	}},
	{"200 response twice", func(w http.ResponseWriter, p outsidePay) {
		writeJSON(w, 200, `{"code":0,"response":`+p.json()+`,"Response":null}`)
	}},
	{"200 code -1 after the paid payment", func(w http.ResponseWriter, p outsidePay) {
		writeJSON(w, 200, `{"response":`+p.json()+`,"code":-1,"message":"x"}`)
	}},
	{"200 escaped response key, code -1", func(w http.ResponseWriter, p outsidePay) {
		writeJSON(w, 200, `{"code":-1,"message":"x","res\u0070onse":`+p.json()+`}`)
	}},
	{"200 code twice", func(w http.ResponseWriter, p outsidePay) {
		writeJSON(w, 200, `{"code":-1,"Code":0,"response":`+p.json()+`}`)
	}},
	{"200 another merchant_uid", func(w http.ResponseWriter, p outsidePay) {
		p.MerchantUID = "order-other"
		writeJSON(w, 200, paidBody(p))
	}},
	{"200 another billing key", func(w http.ResponseWriter, p outsidePay) {
		p.CustomerUID = "cust-2"
		writeJSON(w, 200, paidBody(p))
	}},
	{"200 code -1 holding the paid payment", func(w http.ResponseWriter, p outsidePay) {
		writeJSON(w, 200, `{"code":-1,"message":"결제실패","response":`+p.json()+`}`)
	}},
	{"200 code -1 holding the payment still ready", func(w http.ResponseWriter, p outsidePay) {
		p.Status = "ready"
		writeJSON(w, 200, `{"code":-1,"message":"결제실패","response":`+p.json()+`}`)
	}},
	{"200 code \"-1\" holding the paid payment", func(w http.ResponseWriter, p outsidePay) {
		writeJSON(w, 200, `{"code":"-1","message":"결제실패","response":`+p.json()+`}`)
	}},
	{"200 code 1 holding the paid payment as a list", func(w http.ResponseWriter, p outsidePay) {
		writeJSON(w, 200, `{"code":1,"message":"x","response":[`+p.json()+`]}`)
	}},
	{"200 response a list", func(w http.ResponseWriter, p outsidePay) {
		writeJSON(w, 200, `{"code":0,"response":[`+p.json()+`]}`)
	}},
	{"200 null response", func(w http.ResponseWriter, p outsidePay) { writeJSON(w, 200, `{"code":0,"response":null}`) }},
	{"200 empty response", func(w http.ResponseWriter, p outsidePay) { writeJSON(w, 200, `{"code":0,"response":{}}`) }},
	{"204", func(w http.ResponseWriter, p outsidePay) { w.WriteHeader(204) }},
	{"200 status in upper case", func(w http.ResponseWriter, p outsidePay) {
		writeJSON(w, 200, strings.Replace(paidBody(p), `"status":"paid"`, `"status":"PAID"`, 1))
	}},
	{"200 BOM", func(w http.ResponseWriter, p outsidePay) { writeJSON(w, 200, "\ufeff"+paidBody(p)) }},
}

// TestOutsideLostChargeAnswers: a charge that was made and whose answer is
// lost or mangled in every way is sent once and is reported paid (once a
// lookup proves it) or unknown, never a plain error or a decline.
func TestOutsideLostChargeAnswers(t *testing.T) {
	t.Parallel()
	cases := outsideAnswers
	visibleAndHidden(t, len(cases), func(i int) string { return cases[i].name }, func(t *testing.T, i int, visible bool) {
		tc := cases[i]
		s := newOutsideServer(t)
		s.answer = tc.answer
		s.hidden = !visible
		req := outsideAgain
		p, err := s.client().Again(context.Background(), &req)
		checkChargeInvariant(t, s, req.MerchantUID, p, err)
		if err == nil {
			return
		}
		var unknown *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &unknown, "a charge that was made ended in neither success nor unknown: %v", err)
		if visible {
			require.Failf(t, "the lookup showed the paid charge, yet the call ended unknown", "%v", err)
		}
	})
}

// TestOutsideAnswerNamesAnEarlierAttempt: a code-0 answer to a charge that
// holds a payment the order had before the call (a server answering with
// the order's first payment, as GET /payments/find does) is not this call's
// outcome: an older paid attempt is no success of this call, and an older
// failed attempt no decline of it.
func TestOutsideAnswerNamesAnEarlierAttempt(t *testing.T) {
	t.Parallel()
	for _, old := range []string{"paid", "failed"} {
		for _, visible := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/visible=%v", old, visible), func(t *testing.T) {
				t.Parallel()
				s := newOutsideServer(t)
				s.seed(outsidePay{ImpUID: "old_1", MerchantUID: "order-x", CustomerUID: "cust-1", Status: old,
					Amount: 8900, StartedAt: time.Now().Add(-time.Hour).Unix(), PayMethod: "card"})
				s.hidden = !visible
				s.answer = func(w http.ResponseWriter, p outsidePay) {
					writeJSON(w, 200, `{"code":0,"message":null,"response":`+s.first().json()+`}`)
				}
				req := outsideAgain
				p, err := s.client().Again(context.Background(), &req)
				checkChargeInvariant(t, s, req.MerchantUID, p, err)
				var declined *iamport.DeclinedError
				require.False(t, errors.As(err, &declined), "an earlier attempt's decline taken for this call's: %v", err)
			})
		}
	}
}

func outsideVbank() *iamport.VbankRequest {
	return &iamport.VbankRequest{ChannelKey: "ch-1", MerchantUID: "order-v", Amount: 15000, VbankCode: "004",
		VbankDue: time.Now().Add(72 * time.Hour), VbankHolder: "My Shop"}
}

// checkVbankInvariant: a nil error from IssueVbank means this call issued
// exactly the account it reports, ready (or paid into).
func checkVbankInvariant(t *testing.T, s *outsideServer, p *iamport.Payment, err error) {
	t.Helper()
	require.LessOrEqual(t, s.chargesOf("order-v"), 1, "an issue was sent twice")
	if err != nil {
		return
	}
	s.mu.Lock()
	var made []outsidePay
	for _, q := range s.pays {
		if q.MerchantUID == "order-v" && !strings.HasPrefix(q.ImpUID, "old_") {
			made = append(made, q)
		}
	}
	s.mu.Unlock()
	require.Len(t, made, 1)
	require.Equal(t, made[0].ImpUID, p.ImpUID, "nil error for an account this call did not issue")
	require.Contains(t, []iamport.PaymentStatus{iamport.PaymentStatusReady, iamport.PaymentStatusPaid}, p.Status,
		"nil error for an issue that is neither ready nor paid")
}

// TestOutsideIssueVbankAnswers: IssueVbank's code-0 answers that do not show
// this call's account (an empty payment, one without a status, an earlier
// account of the order) are settled by lookups, and lost answers are never
// re-sent.
func TestOutsideIssueVbankAnswers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		answer func(s *outsideServer) func(w http.ResponseWriter, p outsidePay)
	}{
		{"empty payment", func(*outsideServer) func(http.ResponseWriter, outsidePay) {
			return func(w http.ResponseWriter, p outsidePay) { writeJSON(w, 200, `{"code":0,"response":{}}`) }
		}},
		{"no status", func(*outsideServer) func(http.ResponseWriter, outsidePay) {
			return func(w http.ResponseWriter, p outsidePay) {
				p.Status = ""
				writeJSON(w, 200, `{"code":0,"response":`+p.json()+`}`)
			}
		}},
		{"cancelled", func(*outsideServer) func(http.ResponseWriter, outsidePay) {
			return func(w http.ResponseWriter, p outsidePay) {
				p.Status = "cancelled"
				writeJSON(w, 200, `{"code":0,"response":`+p.json()+`}`)
			}
		}},
		{"an earlier account", func(s *outsideServer) func(http.ResponseWriter, outsidePay) {
			return func(w http.ResponseWriter, p outsidePay) {
				writeJSON(w, 200, `{"code":0,"response":`+s.first().json()+`}`)
			}
		}},
		{"reset", func(*outsideServer) func(http.ResponseWriter, outsidePay) {
			return func(w http.ResponseWriter, p outsidePay) { resetConn(w) }
		}},
		{"504", func(*outsideServer) func(http.ResponseWriter, outsidePay) {
			return func(w http.ResponseWriter, p outsidePay) { w.WriteHeader(504) }
		}},
	}
	visibleAndHidden(t, len(cases), func(i int) string { return cases[i].name }, func(t *testing.T, i int, visible bool) {
		tc := cases[i]
		s := newOutsideServer(t)
		s.seed(outsidePay{ImpUID: "old_v", MerchantUID: "order-v", Status: "ready", Amount: 15000,
			StartedAt: time.Now().Add(-time.Hour).Unix(), PayMethod: "vbank"})
		s.hidden = !visible
		s.answer = tc.answer(s)
		p, err := s.client().IssueVbank(context.Background(), outsideVbank())
		checkVbankInvariant(t, s, p, err)
		if err != nil {
			var unknown *iamport.OutcomeUnknownError
			require.ErrorAs(t, err, &unknown, "an issue that was made ended in neither success nor unknown: %v", err)
		}
	})
}

// settled waits until every charge that goes on after its answer has ended.
func (s *outsideServer) settled() { s.lateWG.Wait() }

// TestOutsideLookupShapes: after a lost answer (504) the order's lookups
// answer late, lag, or come in shapes other than iamport's. A nil error is
// only ever the one paid charge; a shape that cannot be read never passes
// for a decline or a plain error.
func TestOutsideLookupShapes(t *testing.T) {
	t.Parallel()
	page := func(items string) string {
		return `{"code":0,"message":null,"response":{"total":1,"previous":0,"next":0,"list":[` + items + `]}}`
	}
	camel := func(p outsidePay) string {
		return fmt.Sprintf(`{"impUid":%q,"merchantUid":%q,"customerUid":%q,"status":%q,"amount":%v,"currency":"KRW","paidAt":%d}`,
			p.ImpUID, p.MerchantUID, p.CustomerUID, p.Status, p.Amount, p.StartedAt)
	}
	cases := []struct {
		name string
		list func(w http.ResponseWriter, ps []outsidePay)
		// paid says the lookup proves the charge: the call must then end
		// in a nil error.
		paid bool
	}{
		{"iamport's shape", nil, true},
		{"camelCase keys", func(w http.ResponseWriter, ps []outsidePay) {
			if len(ps) == 0 {
				writeJSON(w, 404, outsideNotFound)
				return
			}
			writeJSON(w, 200, page(camel(ps[0])))
		}, false},
		{"amounts as strings, extra fields", func(w http.ResponseWriter, ps []outsidePay) {
			if len(ps) == 0 {
				writeJSON(w, 404, outsideNotFound)
				return
			}
			b := strings.Replace(ps[0].json(), `"amount":8900`, `"amount":"8900.00","new_field":{"a":[1,2]},"amount_v2":1`, 1)
			writeJSON(w, 200, page(b))
		}, true},
		{"code as a string", func(w http.ResponseWriter, ps []outsidePay) {
			if len(ps) == 0 {
				writeJSON(w, 404, outsideNotFound)
				return
			}
			writeJSON(w, 200, strings.Replace(page(ps[0].json()), `"code":0`, `"code":"0"`, 1))
		}, true},
		{"response a list", func(w http.ResponseWriter, ps []outsidePay) {
			if len(ps) == 0 {
				writeJSON(w, 404, outsideNotFound)
				return
			}
			writeJSON(w, 200, `{"code":0,"response":[`+ps[0].json()+`]}`)
		}, false},
		{"code -1 holding the paid payment", func(w http.ResponseWriter, ps []outsidePay) {
			if len(ps) == 0 {
				writeJSON(w, 404, outsideNotFound)
				return
			}
			writeJSON(w, 200, strings.Replace(page(ps[0].json()), `"code":0`, `"code":-1`, 1))
		}, false},
		{"status twice in a listed payment", func(w http.ResponseWriter, ps []outsidePay) {
			if len(ps) == 0 {
				writeJSON(w, 404, outsideNotFound)
				return
			}
			writeJSON(w, 200, page(strings.Replace(ps[0].json(), `"status":"paid"`, `"status":"failed","Status":"paid"`, 1)))
		}, false},
		{"merchant_uid of another case", func(w http.ResponseWriter, ps []outsidePay) {
			if len(ps) == 0 {
				writeJSON(w, 404, outsideNotFound)
				return
			}
			q := ps[0]
			q.MerchantUID = strings.ToUpper(q.MerchantUID)
			writeJSON(w, 200, page(q.json()))
		}, false},
		{"another amount", func(w http.ResponseWriter, ps []outsidePay) {
			if len(ps) == 0 {
				writeJSON(w, 404, outsideNotFound)
				return
			}
			q := ps[0]
			q.Amount = 8000
			writeJSON(w, 200, page(q.json()))
		}, false},
		{"every lookup after the charge answered 504", nil, false},
		{"another billing key", func(w http.ResponseWriter, ps []outsidePay) {
			if len(ps) == 0 {
				writeJSON(w, 404, outsideNotFound)
				return
			}
			q := ps[0]
			q.CustomerUID = "cust-2"
			writeJSON(w, 200, page(q.json()))
		}, false},
	}
	modes := []string{"at once", "late", "late, ready first"}
	var names []string
	for _, tc := range cases {
		for _, mode := range modes {
			names = append(names, tc.name+"/"+mode)
		}
	}
	concurrently(t, names, func(t *testing.T, i int) {
		tc, mode := cases[i/len(modes)], modes[i%len(modes)]
		s := newOutsideServer(t)
		s.list = tc.list
		if tc.name == "every lookup after the charge answered 504" {
			s.list = func(w http.ResponseWriter, ps []outsidePay) {
				if s.chargesOf(outsideAgain.MerchantUID) == 0 {
					writeJSON(w, 404, outsideNotFound) // the look before the charge
					return
				}
				w.WriteHeader(504)
			}
		}
		s.answer = func(w http.ResponseWriter, p outsidePay) { w.WriteHeader(504) }
		if mode != "at once" {
			s.late, s.readyFirst = 150*time.Millisecond, mode == "late, ready first"
		}
		req := outsideAgain
		p, err := s.client(iamport.WithReconcileTimeout(time.Second)).Again(context.Background(), &req)
		s.settled()
		checkChargeInvariant(t, s, req.MerchantUID, p, err)
		if tc.paid {
			require.NoError(t, err, "the lookup proved the charge paid")
			return
		}
		var unknown *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &unknown, "an unreadable or foreign lookup ended in neither unknown nor success: %v", err)
	})
}

// TestOutsideConcurrentChargesOfOneOrder: while one call charges an order,
// a second call of the same merchant_uid on the same Client (Again,
// Onetime or IssueVbank) is refused before anything is sent, and the first
// charge is the only one.
func TestOutsideConcurrentChargesOfOneOrder(t *testing.T) {
	t.Parallel()
	second := map[string]func(c *iamport.Client) (*iamport.Payment, error){
		"Again": func(c *iamport.Client) (*iamport.Payment, error) {
			req := outsideAgain
			return c.Again(context.Background(), &req)
		},
		"Onetime": func(c *iamport.Client) (*iamport.Payment, error) {
			return c.Onetime(context.Background(), &iamport.OnetimeRequest{MerchantUID: outsideAgain.MerchantUID, Amount: 8900,
				Name: "plan", CardNumber: "4242-4242-4242-4242", Expiry: "2099-12", Birth: "900101", Pwd2Digit: "00"})
		},
		"IssueVbank": func(c *iamport.Client) (*iamport.Payment, error) {
			req := outsideVbank()
			req.MerchantUID = outsideAgain.MerchantUID
			return c.IssueVbank(context.Background(), req)
		},
	}
	names := []string{"Again", "Onetime", "IssueVbank"}
	concurrently(t, names, func(t *testing.T, i int) {
		s := newOutsideServer(t)
		s.hold, s.arrived = make(chan struct{}), make(chan struct{}, 4)
		c := s.client()
		type result struct {
			p   *iamport.Payment
			err error
		}
		first := make(chan result, 1)
		go func() {
			req := outsideAgain
			p, err := c.Again(context.Background(), &req)
			first <- result{p, err}
		}()
		<-s.arrived // the first charge is at the server and runs
		p, err := second[names[i]](c)
		require.ErrorIs(t, err, iamport.ErrChargeInFlight, "a second charge of an order in flight: %v", err)
		require.Nil(t, p)
		close(s.hold)
		r := <-first
		require.NoError(t, r.err)
		checkChargeInvariant(t, s, outsideAgain.MerchantUID, r.p, r.err)
		require.Equal(t, 1, s.chargesOf(outsideAgain.MerchantUID))
	})
}

// TestOutsideOnetimeLostAnswers: Onetime, with and without a billing key to
// store, is reconciled like Again.
func TestOutsideOnetimeLostAnswers(t *testing.T) {
	t.Parallel()
	answers := []func(w http.ResponseWriter, p outsidePay){
		func(w http.ResponseWriter, p outsidePay) { resetConn(w) },
		func(w http.ResponseWriter, p outsidePay) {
			writeJSON(w, 200, `{"code":0,"response":`+strings.Replace(p.json(), `"status":"paid"`, `"status":"paid","sTaTuS":"failed"`, 1)+`}`)
		},
		func(w http.ResponseWriter, p outsidePay) {
			p.CustomerUID = "cust-other"
			writeJSON(w, 200, `{"code":-1,"message":"x","response":`+p.json()+`}`)
		},
	}
	var names []string
	for i := range answers {
		names = append(names, fmt.Sprintf("answer%d/with key", i), fmt.Sprintf("answer%d/without", i))
	}
	concurrently(t, names, func(t *testing.T, i int) {
		s := newOutsideServer(t)
		s.answer = answers[i/2]
		req := &iamport.OnetimeRequest{MerchantUID: "order-o", Amount: 8900, Name: "plan",
			CardNumber: "4242-4242-4242-4242", Expiry: "2099-12", Birth: "900101", Pwd2Digit: "00"}
		if i%2 == 0 {
			req.CustomerUID = "cust-1"
		}
		p, err := s.client().Onetime(context.Background(), req)
		checkChargeInvariant(t, s, "order-o", p, err)
		require.NoError(t, err, "the lookup showed the paid charge")
	})
}

// The README, claim by claim, checked from outside.

// TestOutsideReadmeMockTransportSnippet runs the README's httpmock example
// as written: the decline comes back as the failed payment with a
// *DeclinedError after exactly three requests; without the findAll
// responder the charge is never sent and the error is the lookup's, neither
// a *DeclinedError nor an *APIError.
func TestOutsideReadmeMockTransportSnippet(t *testing.T) {
	t.Parallel()
	build := func(withFindAll bool) (*httpmock.MockTransport, *iamport.Client) {
		mt := httpmock.NewMockTransport()
		mt.RegisterResponder("POST", "https://api.iamport.kr/users/getToken",
			httpmock.NewStringResponder(200, `{"code":0,"response":{"access_token":"t","now":1700000000,"expired_at":1700001800}}`))
		if withFindAll {
			mt.RegisterResponder("GET", "https://api.iamport.kr/payments/findAll/order-1",
				httpmock.NewStringResponder(404, `{"code":-1,"message":"존재하지 않는 결제정보입니다.","response":null}`))
		}
		mt.RegisterResponder("POST", "https://api.iamport.kr/subscribe/payments/again",
			httpmock.NewStringResponder(200, `{"code":0,"response":{"imp_uid":"imp_100000000001","merchant_uid":"order-1","customer_uid":"cust-1","amount":8900,"currency":"KRW","status":"failed","fail_reason":"한도초과"}}`))
		client, err := iamport.New("key", "secret",
			iamport.WithHTTPClient(&http.Client{Transport: mt}),
			iamport.WithReconcileTimeout(100*time.Millisecond),
			iamport.WithMaxRetries(0),
		)
		require.NoError(t, err)
		return mt, client
	}
	ctx := context.Background()
	mt, client := build(true)
	p, err := client.Again(ctx, &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-1", Amount: 8900, Name: "Monthly plan"})
	var declined *iamport.DeclinedError
	require.ErrorAs(t, err, &declined)
	require.Equal(t, iamport.PaymentStatusFailed, p.Status)
	require.Equal(t, "한도초과", p.FailReason)
	require.Equal(t, 3, mt.GetTotalCallCount(), "%v", mt.GetCallCountInfo())

	mt, client = build(false)
	_, err = client.Again(ctx, &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-1", Amount: 8900, Name: "Monthly plan"})
	require.Error(t, err)
	require.Contains(t, err.Error(), "charge of order-1 not sent: looking its earlier attempts up: ")
	require.Contains(t, err.Error(), "no responder found")
	var apiErr *iamport.APIError
	require.False(t, errors.As(err, &declined))
	require.False(t, errors.As(err, &apiErr))
	require.Zero(t, mt.GetCallCountInfo()["POST https://api.iamport.kr/subscribe/payments/again"])
}

// TestOutsideReadmeGlobalMockThroughOwnClient: "httpmock.ActivateNonDefault(hc)
// before iamport.New(..., WithHTTPClient(hc))" reaches the Client.
func TestOutsideReadmeGlobalMockThroughOwnClient(t *testing.T) {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	defer httpmock.DeactivateAndReset()
	httpmock.RegisterResponder("POST", "https://api.iamport.kr/users/getToken",
		httpmock.NewStringResponder(200, `{"code":0,"response":{"access_token":"t","now":1700000000,"expired_at":1700001800}}`))
	httpmock.RegisterResponder("GET", "https://api.iamport.kr/payments/imp_1",
		httpmock.NewStringResponder(200, `{"code":0,"response":{"imp_uid":"imp_1","merchant_uid":"o","status":"paid","amount":1000}}`))
	c, err := iamport.New("key", "secret", iamport.WithHTTPClient(hc))
	require.NoError(t, err)
	p, err := c.GetPayment(context.Background(), "imp_1")
	require.NoError(t, err)
	require.Equal(t, "imp_1", p.ImpUID)
}

// outsideLookup is a Client of a server answering GET /payments/imp_1 with
// body (and status) and tokens as iamport does.
func outsideLookup(t *testing.T, status int, body string, opts ...iamport.Option) (*iamport.Client, *int) {
	calls := new(int)
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now().Unix()
		if r.URL.Path == "/users/getToken" {
			writeJSON(w, 200, fmt.Sprintf(`{"code":0,"response":{"access_token":"tok","now":%d,"expired_at":%d}}`, now, now+1800))
			return
		}
		mu.Lock()
		*calls++
		mu.Unlock()
		writeJSON(w, status, body)
	}))
	t.Cleanup(srv.Close)
	c, err := iamport.New("key", "secret", append([]iamport.Option{iamport.WithBaseURL(srv.URL), iamport.WithMaxRetries(0)}, opts...)...)
	require.NoError(t, err)
	return c, calls
}

// TestOutsideReadmeDecoding: lenient where the README says so (unknown
// fields, int or float, strings, null, 0 as the zero time, UTC), loud where
// it says so (empty, HTML, truncated, trailing data, code != 0, null
// response, contradicting keys, amounts Cents cannot hold).
func TestOutsideReadmeDecoding(t *testing.T) {
	t.Parallel()
	lenient := map[string]string{
		"unknown fields":      `{"code":0,"message":null,"response":{"imp_uid":"imp_1","status":"paid","amount":1000,"new":{"x":[1,{"y":null}]},"paid_at":1700000000}}`,
		"float amount":        `{"code":0,"response":{"imp_uid":"imp_1","status":"paid","amount":1000.0,"paid_at":1700000000.0}}`,
		"string amount":       `{"code":0,"response":{"imp_uid":"imp_1","status":"paid","amount":"1000","paid_at":"1700000000"}}`,
		"nulls":               `{"code":0,"response":{"imp_uid":"imp_1","status":"paid","amount":1000,"paid_at":1700000000,"name":null,"card_quota":null,"cancel_history":null,"failed_at":null}}`,
		"other 2xx":           `{"code":0,"response":{"imp_uid":"imp_1","status":"paid","amount":1000,"paid_at":1700000000}}`,
		"escaped status":      `{"code":0,"response":{"imp_uid":"imp_1","status":"pa\u0069d","amount":1000,"paid_at":1700000000}}`,
		"camelCase extra key": `{"code":0,"response":{"imp_uid":"imp_1","status":"paid","amount":1000,"paid_at":1700000000,"impUid":"x"}}`,
	}
	for name, body := range lenient {
		status := 200
		if name == "other 2xx" {
			status = 203
		}
		c, _ := outsideLookup(t, status, body)
		p, err := c.GetPayment(context.Background(), "imp_1")
		require.NoError(t, err, name)
		require.Equal(t, iamport.PaymentStatusPaid, p.Status, name)
		require.True(t, p.Amount.Equal(1000), name)
		require.Equal(t, time.UTC, p.PaidAt.Location(), name)
		require.Equal(t, int64(1700000000), p.PaidAt.Unix(), name)
		require.True(t, p.FailedAt.IsZero(), name)
	}
	loud := map[string]struct {
		status  int
		body    string
		invalid bool
	}{
		"empty":              {200, ``, true},
		"html":               {200, `<html>ok</html>`, true},
		"truncated":          {200, `{"code":0,"response":{"imp_uid":"imp_1","status":"pa`, true},
		"trailing data":      {200, `{"code":0,"response":{"imp_uid":"imp_1","status":"paid"}} x`, true},
		"null response":      {200, `{"code":0,"response":null}`, true},
		"no response":        {200, `{"code":0}`, true},
		"status twice":       {200, `{"code":0,"response":{"imp_uid":"imp_1","status":"paid","Status":"failed"}}`, true},
		"amount twice, ſ":    {200, `{"code":0,"response":{"imp_uid":"imp_1","status":"paid","amount":1,"AMOUNT":2}}`, true},
		"three decimals":     {200, `{"code":0,"response":{"imp_uid":"imp_1","status":"paid","amount":10.001}}`, true},
		"2^45":               {200, `{"code":0,"response":{"imp_uid":"imp_1","status":"paid","amount":35184372088832}}`, true},
		"amount not number":  {200, `{"code":0,"response":{"imp_uid":"imp_1","status":"paid","amount":"ten"}}`, true},
		"code -1 on 200":     {200, `{"code":-1,"message":"존재하지 않는 결제정보입니다.","response":null}`, false},
		"html 404 of proxy":  {404, `<html>Not Found</html>`, true},
		"iamport 404":        {404, `{"code":-1,"message":"존재하지 않는 결제정보입니다.","response":null}`, false},
		"code as string -1":  {200, `{"code":"-1","message":"x","response":null}`, false},
		"response is a list": {200, `{"code":0,"response":[{"imp_uid":"imp_1","status":"paid"}]}`, true},
	}
	for name, tc := range loud {
		c, _ := outsideLookup(t, tc.status, tc.body)
		p, err := c.GetPayment(context.Background(), "imp_1")
		require.Error(t, err, name)
		require.Nil(t, p, name)
		var apiErr *iamport.APIError
		require.ErrorAs(t, err, &apiErr, name)
		require.Equal(t, tc.invalid, errors.Is(err, iamport.ErrInvalidResponse), "%s: %v", name, err)
		if name == "iamport 404" {
			require.ErrorIs(t, err, iamport.ErrNotFound)
		}
		if name == "html 404 of proxy" {
			require.NotErrorIs(t, err, iamport.ErrNotFound)
		}
	}
}

// TestOutsideReadmeRetriesAndResends: what README "Reliability" 3 and "Retry
// policy" say is sent again, and what is not.
func TestOutsideReadmeRetriesAndResends(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("a read answered 503 is retried twice by default", func(t *testing.T) {
		var mu sync.Mutex
		n := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			now := time.Now().Unix()
			if r.URL.Path == "/users/getToken" {
				writeJSON(w, 200, fmt.Sprintf(`{"code":0,"response":{"access_token":"tok","now":%d,"expired_at":%d}}`, now, now+1800))
				return
			}
			mu.Lock()
			n++
			k := n
			mu.Unlock()
			if k <= 2 {
				w.Header().Set("Retry-After", "0")
				writeJSON(w, 503, `<html>busy</html>`)
				return
			}
			writeJSON(w, 200, `{"code":0,"response":{"imp_uid":"imp_1","status":"paid","amount":1000}}`)
		}))
		defer srv.Close()
		c, err := iamport.New("key", "secret", iamport.WithBaseURL(srv.URL))
		require.NoError(t, err)
		_, err = c.GetPayment(ctx, "imp_1")
		require.NoError(t, err)
		require.Equal(t, 3, n)
	})
	t.Run("a charge answered 401 is replayed once with a new token", func(t *testing.T) {
		s := newOutsideServer(t)
		var mu sync.Mutex
		refused := false
		tokens := 0
		inner := s.srv.Config.Handler
		s.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			if r.URL.Path == "/users/getToken" {
				tokens++
			}
			first := r.URL.Path == "/subscribe/payments/again" && !refused
			if first {
				refused = true
			}
			mu.Unlock()
			if first {
				writeJSON(w, 401, `{"code":-1,"message":"Unauthorized","response":null}`)
				return
			}
			inner.ServeHTTP(w, r)
		})
		req := outsideAgain
		p, err := s.client().Again(ctx, &req)
		require.NoError(t, err)
		checkChargeInvariant(t, s, req.MerchantUID, p, err)
		require.Equal(t, 2, tokens)
	})
	t.Run("a charge answered 501, a 4xx HTML page or a redirect is a plain error, at once", func(t *testing.T) {
		for _, status := range []int{501, 400, 403, 429, 302, 307} {
			s := newOutsideServer(t)
			s.answer = func(w http.ResponseWriter, p outsidePay) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(status)
				_, _ = w.Write([]byte("<html>no</html>"))
			}
			s.hidden = true
			req := outsideAgain
			_, err := s.client(iamport.WithReconcileTimeout(time.Hour)).Again(ctx, &req)
			var apiErr *iamport.APIError
			require.ErrorAs(t, err, &apiErr, "%d", status)
			require.Equal(t, status, apiErr.StatusCode)
			var unknown *iamport.OutcomeUnknownError
			require.False(t, errors.As(err, &unknown), "%d", status)
			require.Equal(t, 1, s.chargesOf(req.MerchantUID))
		}
	})
	t.Run("a charge whose connection was refused is sent once it connects", func(t *testing.T) {
		s := newOutsideServer(t)
		var mu sync.Mutex
		refusals := 1
		tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			mu.Lock()
			refuse := refusals > 0
			refusals--
			mu.Unlock()
			if refuse {
				return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
			}
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}
		defer tr.CloseIdleConnections()
		c := s.client(iamport.WithHTTPClient(&http.Client{Transport: tr}), iamport.WithMaxRetries(2))
		req := outsideAgain
		p, err := c.Again(ctx, &req)
		require.NoError(t, err)
		checkChargeInvariant(t, s, req.MerchantUID, p, err)
	})
	t.Run("the context's deadline bounds a charge whose server never answers", func(t *testing.T) {
		s := newOutsideServer(t)
		s.hold = make(chan struct{})
		defer close(s.hold)
		cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		req := outsideAgain
		_, err := s.client(iamport.WithReconcileTimeout(time.Hour)).Again(cctx, &req)
		var unknown *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &unknown)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Equal(t, 1, s.chargesOf(req.MerchantUID))
	})
}

// TestOutsideReadmeTokens: one token request for many concurrent calls; a
// token answer already expired serves its call, and each call fetches its
// own, never two.
func TestOutsideReadmeTokens(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"valid", "expired", "server clock hours off"} {
		expired := mode == "expired"
		var mu sync.Mutex
		tokens := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			now := time.Now().Unix()
			if r.URL.Path == "/users/getToken" {
				mu.Lock()
				tokens++
				mu.Unlock()
				exp := now + 1800
				if expired {
					exp = now
				}
				if mode == "server clock hours off" {
					now -= 5 * 3600
					exp = now + 1800
				}
				writeJSON(w, 200, fmt.Sprintf(`{"code":0,"response":{"access_token":"tok","now":%d,"expired_at":%d}}`, now, exp))
				return
			}
			writeJSON(w, 200, `{"code":0,"response":{"imp_uid":"imp_1","status":"paid","amount":1000}}`)
		}))
		c, err := iamport.New("key", "secret", iamport.WithBaseURL(srv.URL))
		require.NoError(t, err)
		const calls = 16
		var wg sync.WaitGroup
		for range calls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.GetPayment(context.Background(), "imp_1")
				require.NoError(t, err)
			}()
		}
		wg.Wait()
		srv.Close()
		if expired {
			require.LessOrEqual(t, tokens, calls, "a call fetched two tokens")
			require.GreaterOrEqual(t, tokens, 1)
		} else {
			require.Equal(t, 1, tokens)
		}
	}
}

// TestOutsideReadmeSecrets: README "Secrets", against every encoder it
// names, nested, and the Client's own output.
func TestOutsideReadmeSecrets(t *testing.T) {
	t.Parallel()
	const card, expiry, birth, pwd, cvc = "5555-6666-7777-8888", "2031-07", "870305", "47", "913"
	req := iamport.OnetimeRequest{MerchantUID: "order-s", Amount: 1000, CardNumber: card, Expiry: expiry, Birth: birth,
		Pwd2Digit: pwd, CVC: cvc, BuyerName: "홍길동", BuyerTel: "010-9999-8888", BuyerEmail: "hong@example.com"}
	secrets := []string{"5555", "6666", "7777", "8888", "2031", "870305", "913", "홍길동", "9999", "hong@example.com"}
	type holder struct {
		Req   iamport.OnetimeRequest
		Ptr   *iamport.OnetimeRequest
		List  []iamport.OnetimeRequest
		Map   map[string]any
		Again []*iamport.AgainRequest
	}
	h := holder{Req: req, Ptr: &req, List: []iamport.OnetimeRequest{req}, Map: map[string]any{"r": req, "p": &req},
		Again: []*iamport.AgainRequest{{CustomerUID: "c", MerchantUID: "m", Amount: 1, BuyerName: "홍길동"}}}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		outs = append(outs, fmt.Sprintf(verb, h), fmt.Sprintf(verb, req), fmt.Sprintf(verb, &req))
	}
	b, err := json.Marshal(h)
	require.NoError(t, err)
	outs = append(outs, string(b))
	var text, js strings.Builder
	slog.New(slog.NewTextHandler(&text, nil)).Info("x", "h", h, "req", req, "any", any(&req))
	slog.New(slog.NewJSONHandler(&js, nil)).Info("x", "h", h, "req", req, "any", any(&req))
	outs = append(outs, text.String(), js.String())
	for _, out := range outs {
		for _, s := range secrets {
			require.NotContains(t, out, s)
		}
	}
	require.Contains(t, js.String(), "[REDACTED]")

	c, err := iamport.New("key", "very-secret", iamport.WithBaseURL("https://user:pa55word@proxy.example.com"))
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, c)
		require.NotContains(t, out, "pa55word")
		require.NotContains(t, out, "very-secret")
	}

	// A redacted copy of a request is refused before anything is sent.
	s := newOutsideServer(t)
	var copied iamport.OnetimeRequest
	raw, err := json.Marshal(req)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &copied))
	copied.MerchantUID = "order-s"
	_, err = s.client().Onetime(context.Background(), &copied)
	require.Error(t, err)
	require.Zero(t, s.chargesOf("order-s"))
}

// TestOutsideReadmeLogging: WithLogger logs method, path and status, and no
// body, header, token, secret or card data, also when a charge fails and is
// reconciled.
func TestOutsideReadmeLogging(t *testing.T) {
	t.Parallel()
	var buf strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(outsideWriter(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := newOutsideServer(t)
	s.answer = func(w http.ResponseWriter, p outsidePay) {
		writeJSON(w, 504, `{"message":"timeout","card_number":"4242"}`)
	}
	c, err := iamport.New("key", "very-secret", iamport.WithBaseURL(s.srv.URL), iamport.WithLogger(logger),
		iamport.WithReconcileTimeout(300*time.Millisecond), iamport.WithMaxRetries(0))
	require.NoError(t, err)
	p, err := c.Onetime(context.Background(), &iamport.OnetimeRequest{MerchantUID: "order-l", Amount: 1000,
		CardNumber: "4242-1111-2222-3333", Expiry: "2099-01", Birth: "900101", Pwd2Digit: "12"})
	checkChargeInvariant(t, s, "order-l", p, err)
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	require.Contains(t, out, "/subscribe/payments/onetime")
	require.Contains(t, out, "504")
	require.Contains(t, out, `"level":"WARN"`, "the reconciliation is logged at warn level")
	require.Contains(t, out, `"level":"DEBUG"`, "each request is logged at debug level")
	for _, secret := range []string{"very-secret", "tok", "1111", "2222", "3333", "2099", "900101", "Bearer", "Authorization"} {
		require.NotContains(t, out, secret)
	}
}

type outsideWriter func([]byte) (int, error)

func (f outsideWriter) Write(p []byte) (int, error) { return f(p) }

// TestOutsideReadmeChecksBeforeSending: a few rows of "What is checked
// before sending", in characters, and what is never refused.
func TestOutsideReadmeChecksBeforeSending(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newOutsideServer(t)
	c := s.client()
	card := func(mu string) *iamport.OnetimeRequest {
		return &iamport.OnetimeRequest{MerchantUID: mu, Amount: 1000, CardNumber: "4242 4242 4242 4242", Expiry: "209912",
			Birth: "1234567890", Pwd2Digit: "00", Name: strings.Repeat("이름", 200)}
	}
	hangul40 := strings.Repeat("주", 40)
	_, err := c.Onetime(ctx, card(hangul40))
	require.NoError(t, err, "40 characters (120 bytes) are allowed, and a long name is never refused")
	var v *iamport.ValidationError
	for _, bad := range []*iamport.OnetimeRequest{
		card(strings.Repeat("주", 41)),
		card(".."),
		card("a\nb"),
		func() *iamport.OnetimeRequest { r := card("o-1"); r.CardNumber = "4242"; return r }(),
		func() *iamport.OnetimeRequest { r := card("o-2"); r.Expiry = "2020-01"; return r }(),
		func() *iamport.OnetimeRequest { r := card("o-3"); r.Birth = "9001011"; return r }(),
		func() *iamport.OnetimeRequest { r := card("o-4"); r.Amount = 10.5; return r }(),
		func() *iamport.OnetimeRequest { r := card("o-5"); r.Pwd2Digit = "1"; return r }(),
	} {
		_, err := c.Onetime(ctx, bad)
		require.ErrorAs(t, err, &v)
		require.Zero(t, s.chargesOf(bad.MerchantUID))
	}
	_, err = c.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: "imp_1", Reason: "x"})
	require.ErrorAs(t, err, &v, "Amount 0 without FullRefund")
	_, err = c.Unschedule(ctx, &iamport.UnscheduleRequest{CustomerUID: "cust-1"})
	require.ErrorAs(t, err, &v, "no names and no All")
	_, err = iamport.New("", "secret")
	require.ErrorAs(t, err, &v)
	_, err = iamport.New("key", "secret", iamport.WithUserAgent("my shop", "1"))
	require.ErrorAs(t, err, &v)
}

// TestOutsideReadmeWebhookAnswers: the status codes README "Webhooks" gives
// WebhookHandler, each with a one-line reason, and a notification claiming
// paid for a failed payment reaching the function with the failed payment.
func TestOutsideReadmeWebhookAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewServer()
	defer srv.Close()
	client := srv.Client()
	paid, err := client.Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: "order-w1", Amount: 1000,
		CardNumber: iamporttest.CardApproved, Expiry: "2099-12", Birth: "900101", Pwd2Digit: "00"})
	require.NoError(t, err)
	failed, err := client.Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: "order-w2", Amount: 1000,
		CardNumber: iamporttest.CardDeclinedLimit, Expiry: "2099-12", Birth: "900101", Pwd2Digit: "00"})
	require.Error(t, err)
	var mu sync.Mutex
	seen := map[string]iamport.PaymentStatus{}
	fnFails := false
	h := iamport.WebhookHandler(client, func(ctx context.Context, p *iamport.Payment, ev *iamport.WebhookEvent) error {
		mu.Lock()
		defer mu.Unlock()
		seen[p.ImpUID] = p.Status
		if fnFails {
			return errors.New("db down")
		}
		return nil
	}, iamport.WithWebhookReadTimeout(200*time.Millisecond))
	hooks := httptest.NewServer(h)
	defer hooks.Close()
	post := func(body string, contentType string) (int, string) {
		resp, err := http.Post(hooks.URL, contentType, strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	ev := func(imp, mu, status string) string {
		return fmt.Sprintf(`{"imp_uid":%q,"merchant_uid":%q,"status":%q}`, imp, mu, status)
	}
	code, _ := post(ev(paid.ImpUID, "order-w1", "paid"), "application/json")
	require.Equal(t, 200, code)
	code, _ = post("imp_uid="+failed.ImpUID+"&merchant_uid=order-w2&status=paid", "application/x-www-form-urlencoded")
	require.Equal(t, 200, code)
	require.Equal(t, iamport.PaymentStatusFailed, seen[failed.ImpUID], "a paid claim reaches the function with the failed payment")
	checks := []struct {
		body   string
		status int
	}{
		{ev(paid.ImpUID, "order-other", "paid"), 409},
		{ev("imp_999999999999", "order-w1", "paid"), 503},
		{`{"imp_uid":`, 400},
		{`{"merchant_uid":"order-w1"}`, 400},
		{`{"imp_uid":"` + strings.Repeat("a", 70<<10) + `"}`, 413},
	}
	for _, c := range checks {
		code, reason := post(c.body, "application/json")
		require.Equal(t, c.status, code, c.body[:min(len(c.body), 60)])
		reason = strings.TrimSuffix(reason, "\n")
		require.NotEmpty(t, reason)
		require.NotContains(t, reason, "\n", "one line")
	}
	resp, err := http.Get(hooks.URL)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 405, resp.StatusCode)
	mu.Lock()
	fnFails = true
	mu.Unlock()
	code, _ = post(ev(paid.ImpUID, "order-w1", "paid"), "application/json")
	require.Equal(t, 500, code)

	// A body trickled slower than the read timeout is answered 408.
	pr, pw := io.Pipe()
	go func() { _, _ = pw.Write([]byte(`{"imp_uid":`)) }() // and nothing more until answered
	resp, err = http.Post(hooks.URL, "application/json", pr)
	require.NoError(t, err)
	resp.Body.Close()
	_ = pw.Close()
	require.Equal(t, 408, resp.StatusCode)

	allowed := httptest.NewServer(iamport.WebhookHandler(client, func(context.Context, *iamport.Payment, *iamport.WebhookEvent) error { return nil },
		iamport.WithAllowedSources(iamport.WebhookSourceIPs...)))
	defer allowed.Close()
	resp, err = http.Post(allowed.URL, "application/json", strings.NewReader(ev(paid.ImpUID, "order-w1", "paid")))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 403, resp.StatusCode)
}

// TestOutsideIssueCVSPaymentAnswers: IssueCVSPayment, like IssueVbank,
// takes as its outcome only a ready (or paid) payment of this order that was
// not there before the call: not a code-0 answer of another order or of an
// earlier payment, nor an empty one, and a failed issue is never a nil error.
func TestOutsideIssueCVSPaymentAnswers(t *testing.T) {
	t.Parallel()
	body := func(p outsidePay) string { return `{"code":0,"response":` + p.json() + `}` }
	cases := []struct {
		name   string
		status string // the status the server's issue ends in
		answer func(s *outsideServer) func(w http.ResponseWriter, p outsidePay)
	}{
		{"another order", "", func(*outsideServer) func(http.ResponseWriter, outsidePay) {
			return func(w http.ResponseWriter, p outsidePay) {
				p.MerchantUID = "order-other"
				writeJSON(w, 200, body(p))
			}
		}},
		{"an earlier payment", "", func(s *outsideServer) func(http.ResponseWriter, outsidePay) {
			return func(w http.ResponseWriter, p outsidePay) {
				writeJSON(w, 200, body(s.first()))
			}
		}},
		{"empty payment", "", func(*outsideServer) func(http.ResponseWriter, outsidePay) {
			return func(w http.ResponseWriter, p outsidePay) { writeJSON(w, 200, `{"code":0,"response":{}}`) }
		}},
		{"failed issue answered", "failed", func(*outsideServer) func(http.ResponseWriter, outsidePay) {
			return func(w http.ResponseWriter, p outsidePay) { writeJSON(w, 200, body(p)) }
		}},
		{"failed issue, answer lost", "failed", func(*outsideServer) func(http.ResponseWriter, outsidePay) {
			return func(w http.ResponseWriter, p outsidePay) { w.WriteHeader(504) }
		}},
	}
	visibleAndHidden(t, len(cases), func(i int) string { return cases[i].name }, func(t *testing.T, i int, visible bool) {
		tc := cases[i]
		s := newOutsideServer(t)
		s.seed(outsidePay{ImpUID: "old_c", MerchantUID: "order-c", Status: "ready", Amount: 15000,
			StartedAt: time.Now().Add(-time.Hour).Unix(), PayMethod: "cvs"})
		s.hidden = !visible
		s.status = tc.status
		s.answer = tc.answer(s)
		p, err := s.client().IssueCVSPayment(context.Background(), &iamport.CVSPaymentRequest{ChannelKey: "ch-1",
			MerchantUID: "order-c", Amount: 15000})
		require.LessOrEqual(t, s.chargesOf("order-c"), 1, "an issue was sent twice")
		if err != nil {
			return
		}
		s.mu.Lock()
		made := s.pays[len(s.pays)-1]
		s.mu.Unlock()
		require.Equal(t, made.ImpUID, p.ImpUID, "nil error for a payment this call did not issue")
		require.Equal(t, "order-c", p.MerchantUID, "nil error for an answer of another order")
		require.Equal(t, iamport.PaymentStatusReady, p.Status, "nil error for an issue that is not ready")
	})
}

// TestOutsideKcpQuickMoneyAnswers: PayKcpQuickMoney answered with code 0
// and a payment still ready, without a status, or of another order is no
// decline: the PIN check's payment is looked up, and pays meanwhile.
func TestOutsideKcpQuickMoneyAnswers(t *testing.T) {
	t.Parallel()
	pin := outsidePay{ImpUID: "imp_pin", MerchantUID: "order-k", Status: "ready", Amount: 5000, PayMethod: "point"}
	answers := map[string]string{
		"ready":         `{"code":0,"response":` + pin.json() + `}`,
		"no status":     `{"code":0,"response":{"imp_uid":"imp_pin","merchant_uid":"order-k"}}`,
		"another order": `{"code":0,"response":{"imp_uid":"imp_pin","merchant_uid":"order-other","status":"failed","amount":5000}}`,
	}
	var names []string
	for name := range answers {
		names = append(names, name)
	}
	concurrently(t, names, func(t *testing.T, i int) {
		var mu sync.Mutex
		state, posts := "ready", 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			now := time.Now().Unix()
			mu.Lock()
			defer mu.Unlock()
			switch {
			case r.URL.Path == "/users/getToken":
				writeJSON(w, 200, fmt.Sprintf(`{"code":0,"response":{"access_token":"tok","now":%d,"expired_at":%d}}`, now, now+1800))
			case r.URL.Path == "/kcpquick/payment/money":
				posts++
				writeJSON(w, 200, answers[names[i]])
				state = "paid" // the PG completes the payment after answering
			case r.URL.Path == "/payments/imp_pin":
				p := pin
				p.Status, p.StartedAt = state, now
				writeJSON(w, 200, `{"code":0,"response":`+p.json()+`}`)
			default:
				writeJSON(w, 404, outsideNotFound)
			}
		}))
		defer srv.Close()
		c, err := iamport.New("key", "secret", iamport.WithBaseURL(srv.URL), iamport.WithMaxRetries(0),
			iamport.WithReconcileTimeout(700*time.Millisecond))
		require.NoError(t, err)
		p, err := c.PayKcpQuickMoney(context.Background(), &iamport.KcpQuickMoneyRequest{MemberID: "m1", ChannelKey: "ch",
			MerchantUID: "order-k", Name: "n", Amount: 5000, ImpUID: "imp_pin"})
		require.Equal(t, 1, posts)
		require.NoError(t, err, "the PIN check's payment is paid")
		require.Equal(t, "imp_pin", p.ImpUID)
		require.Equal(t, iamport.PaymentStatusPaid, p.Status)
	})
}

// TestOutsideReadmeFakeAndAmounts: README claims about iamporttest's cards,
// the sentinels of everyday refusals, lists that stop when the loop does,
// Amount, and User-Agent.
func TestOutsideReadmeFakeAndAmounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var mu sync.Mutex
	var agents, paths []string
	srv := iamporttest.NewServer()
	defer srv.Close()
	spy := &http.Client{Transport: outsideRoundTrip(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		agents = append(agents, r.Header.Get("User-Agent"))
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		return srv.Transport().RoundTrip(r)
	})}
	client := srv.Client(iamport.WithHTTPClient(spy), iamport.WithUserAgent("myshop", "2.4.1"))
	card := func(mu, number string) *iamport.OnetimeRequest {
		return &iamport.OnetimeRequest{MerchantUID: mu, Amount: 1000, CardNumber: number, Expiry: "2099-12", Birth: "900101", Pwd2Digit: "00"}
	}
	_, err := client.Onetime(ctx, card("order-f1", iamporttest.CardApproved))
	require.NoError(t, err)
	_, err = client.Onetime(ctx, card("order-f1", iamporttest.CardApproved))
	require.ErrorIs(t, err, iamport.ErrAlreadyPaid)
	p, err := client.Onetime(ctx, card("order-f2", iamporttest.CardDeclinedLimit))
	var declined *iamport.DeclinedError
	require.ErrorAs(t, err, &declined)
	require.Equal(t, "한도초과", p.FailReason)
	_, err = client.Onetime(ctx, card("order-f3", iamporttest.CardRejected))
	require.ErrorIs(t, err, iamport.ErrCardRejected)
	require.False(t, errors.As(err, &declined))
	_, err = client.Again(ctx, &iamport.AgainRequest{CustomerUID: "nobody", MerchantUID: "order-f4", Amount: 1000, Name: "x"})
	require.ErrorIs(t, err, iamport.ErrNotFound)
	mu.Lock()
	for _, ua := range agents {
		require.True(t, strings.HasPrefix(ua, "iamport-go/") && strings.HasSuffix(ua, " myshop/2.4.1"), ua)
	}
	mu.Unlock()

	for i := range 3 {
		_, err := client.Onetime(ctx, card(fmt.Sprintf("order-l%d", i), iamporttest.CardApproved))
		require.NoError(t, err)
	}
	lists := func() int {
		mu.Lock()
		defer mu.Unlock()
		k := 0
		for _, p := range paths {
			if strings.HasPrefix(p, "/payments/status/") {
				k++
			}
		}
		return k
	}
	n := 0
	for p, err := range client.ListPaymentsByStatus(ctx, &iamport.ListPaymentsByStatusRequest{Status: iamport.PaymentStatusPaid, Limit: 1}) {
		require.NoError(t, err)
		require.NotNil(t, p)
		n++
		break
	}
	require.Equal(t, 1, n)
	require.Equal(t, 1, lists(), "breaking out of the loop sends no further request")

	require.False(t, iamport.Amount(0.001).Equal(0))
	require.True(t, iamport.Amount(0.1).Add(0.2).Equal(0.3))
	b, err := json.Marshal(iamport.Amount(10.5))
	require.NoError(t, err)
	require.Equal(t, "10.5", string(b))
	var back iamport.Amount
	require.NoError(t, json.Unmarshal(b, &back))
	require.True(t, back.Equal(10.5))
}

type outsideRoundTrip func(*http.Request) (*http.Response, error)

func (f outsideRoundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestOutsideRandomizedCharges mixes the lost and mangled answers with
// declines, charges that go on after their answer (invisible or ready
// meanwhile), hidden lookups, Again and Onetime, at once on many orders, and
// holds every call to the invariant. The seed is printed on failure.
func TestOutsideRandomizedCharges(t *testing.T) {
	t.Parallel()
	const ops = 96
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	type op struct {
		answer        int
		failed, late  bool
		ready, hidden bool
		onetime       bool
	}
	plan := make([]op, ops)
	names := make([]string, ops)
	for i := range plan {
		plan[i] = op{answer: rng.IntN(len(outsideAnswers) + 1), failed: rng.IntN(3) == 0, late: rng.IntN(2) == 0,
			ready: rng.IntN(2) == 0, hidden: rng.IntN(4) == 0, onetime: rng.IntN(2) == 0}
		names[i] = fmt.Sprintf("op%d", i)
	}
	concurrently(t, names, func(t *testing.T, i int) {
		o := plan[i]
		s := newOutsideServer(t)
		if o.answer < len(outsideAnswers) {
			s.answer = outsideAnswers[o.answer].answer
		}
		if o.failed {
			s.status = "failed"
		}
		if o.late {
			s.late, s.readyFirst = 100*time.Millisecond, o.ready
		}
		s.hidden = o.hidden
		c := s.client(iamport.WithReconcileTimeout(600 * time.Millisecond))
		mu := "order-r"
		var p *iamport.Payment
		var err error
		if o.onetime {
			p, err = c.Onetime(context.Background(), &iamport.OnetimeRequest{MerchantUID: mu, Amount: 8900, Name: "plan",
				CardNumber: "4242-4242-4242-4242", Expiry: "2099-12", Birth: "900101", Pwd2Digit: "00"})
		} else {
			req := outsideAgain
			req.MerchantUID = mu
			p, err = c.Again(context.Background(), &req)
		}
		s.settled()
		checkChargeInvariant(t, s, mu, p, err)
		var declined *iamport.DeclinedError
		if err != nil && !errors.As(err, &declined) && !o.failed { // a declined charge may also end in a plain error
			var unknown *iamport.OutcomeUnknownError
			require.ErrorAs(t, err, &unknown, "seed %d op %+v: %v", seed, o, err)
		}
		if errors.As(err, &declined) {
			require.True(t, o.failed, "seed %d op %+v: a decline of a paid charge", seed, o)
		}
	})
}

// TestOutsideReadmeVerifyAndOutcomeSwitch: VerifyPayment refunds a tampered
// payment of this order and never one of another order; the README's
// outcome switch compiles and sorts each outcome of the fake.
func TestOutsideReadmeVerifyAndOutcomeSwitch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := iamporttest.NewServer()
	defer srv.Close()
	client := srv.Client(iamport.WithReconcileTimeout(300 * time.Millisecond))
	pay := func(mu string) *iamport.Payment {
		p, err := client.Onetime(ctx, &iamport.OnetimeRequest{MerchantUID: mu, Amount: 1000,
			CardNumber: iamporttest.CardApproved, Expiry: "2099-12", Birth: "900101", Pwd2Digit: "00"})
		require.NoError(t, err)
		return p
	}
	a, b := pay("order-va"), pay("order-vb")
	var mm *iamport.PaymentMismatchError
	_, err := client.VerifyPayment(ctx, &iamport.VerifyPaymentRequest{ImpUID: a.ImpUID, MerchantUID: "order-vb", Amount: 1000, CancelOnMismatch: true})
	require.ErrorAs(t, err, &mm)
	require.Nil(t, mm.Cancelled, "a payment of another order is never refunded")
	require.Contains(t, mm.Fields, "merchant_uid")
	_, err = client.VerifyPayment(ctx, &iamport.VerifyPaymentRequest{ImpUID: b.ImpUID, MerchantUID: "order-vb", Amount: 2000, CancelOnMismatch: true})
	require.ErrorAs(t, err, &mm)
	require.NotNil(t, mm.Cancelled, "a tampered amount of this order is refunded")
	require.Equal(t, iamport.PaymentStatusCancelled, mm.Cancelled.Status)
	p, err := client.VerifyPayment(ctx, &iamport.VerifyPaymentRequest{ImpUID: a.ImpUID, MerchantUID: "order-va", Amount: 1000})
	require.NoError(t, err)
	require.Equal(t, a.ImpUID, p.ImpUID)

	bk, err := client.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: "cust_42_card_1",
		CardNumber: "1234-5678-9012-3456", Expiry: "2030-12", Birth: "900101", Pwd2Digit: "00"})
	require.NoError(t, err)
	require.Equal(t, "cust_42_card_1", bk.CustomerUID)
	srv.InjectFault("POST", "/subscribe/payments/again", 1, iamporttest.Fault{Kind: iamporttest.FaultDropAfterProcessing})
	srv.DeclineCharges("cust_42_card_1", 1, "한도초과")
	outcome := func(mu string) string {
		req := &iamport.AgainRequest{CustomerUID: "cust_42_card_1", MerchantUID: mu, Amount: 8900, Name: "Monthly plan"}
		p, err := client.Again(ctx, req)
		var (
			declined  *iamport.DeclinedError
			cancelled *iamport.ChargeCancelledError
			unknown   *iamport.OutcomeUnknownError
		)
		switch {
		case err == nil:
			require.Equal(t, iamport.PaymentStatusPaid, p.Status)
			return "paid"
		case errors.As(err, &declined):
			require.NotEmpty(t, p.FailReason)
			return "declined"
		case errors.As(err, &cancelled):
			return "cancelled"
		case errors.Is(err, iamport.ErrChargeInFlight):
			return "in flight"
		case errors.As(err, &unknown):
			return "unknown"
		}
		return err.Error()
	}
	// The fault drops the first charge's answer after processing, and that
	// first charge is the declined one: its decline is proven by lookup.
	require.Equal(t, "declined", outcome("order_0001"))
	require.Equal(t, "paid", outcome("order_0002"))
	require.Len(t, srv.PaymentsOf("order_0001"), 1)
}

// TestOutsideReadmeSnapshot404s: "a 404 that is not JSON fails the charge
// before it is sent, and a JSON 404 without iamport's code lets it go but
// leaves a lost answer unknown".
func TestOutsideReadmeSnapshot404s(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newOutsideServer(t)
	s.list = func(w http.ResponseWriter, ps []outsidePay) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(404)
		_, _ = w.Write([]byte("<html>404 Not Found</html>"))
	}
	req := outsideAgain
	_, err := s.client().Again(ctx, &req)
	require.ErrorIs(t, err, iamport.ErrInvalidResponse)
	require.NotErrorIs(t, err, iamport.ErrNotFound)
	require.Zero(t, s.chargesOf(req.MerchantUID), "the charge is not sent")

	s = newOutsideServer(t)
	s.list = func(w http.ResponseWriter, ps []outsidePay) {
		writeJSON(w, 404, `{"message":"no Route matched with those values"}`)
	}
	s.answer = func(w http.ResponseWriter, p outsidePay) { w.WriteHeader(504) }
	_, err = s.client(iamport.WithReconcileTimeout(time.Hour)).Again(ctx, &req)
	var unknown *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &unknown, "unknown at once, without waiting out the reconcile timeout")
	require.Equal(t, 1, s.chargesOf(req.MerchantUID))
}

// TestOutsideReadmeResultsPrintWithoutPersonalData: a Payment prints and
// logs without its buyer's data and keeps it in JSON; a ValidationError
// never holds the refused value.
func TestOutsideReadmeResultsPrintWithoutPersonalData(t *testing.T) {
	t.Parallel()
	p := iamport.Payment{ImpUID: "imp_1", BuyerName: "홍길동", BuyerEmail: "hong@example.com", BuyerTel: "010-1234-5678",
		BuyerAddr: "서울시 종로구", BuyerPostcode: "03000", VbankNum: "12345678901234", VbankHolder: "김예금"}
	var logs, nested strings.Builder
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "p", p, "ptr", &p)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "p", p, "list", []iamport.Payment{p})
	for _, out := range []string{fmt.Sprintf("%v %+v %#v", p, p, &p), fmt.Sprintf("%v", []iamport.Payment{p}), logs.String()} {
		for _, v := range []string{"홍길동", "hong@example.com", "1234-5678", "종로구", "03000", "12345678901234", "김예금"} {
			require.NotContains(t, out, v)
		}
	}
	b, err := json.Marshal(p)
	require.NoError(t, err)
	require.Contains(t, string(b), "홍길동", "a Payment's JSON stays a faithful copy")
	// As README "Secrets" says: nested in a slice, slog's JSON handler
	// uses that JSON.
	slog.New(slog.NewJSONHandler(&nested, nil)).Info("x", "list", []iamport.Payment{p})
	require.Contains(t, nested.String(), "홍길동")

	c, err := iamport.New("key", "secret", iamport.WithBaseURL("http://127.0.0.1:1"))
	require.NoError(t, err)
	_, err = c.Onetime(context.Background(), &iamport.OnetimeRequest{MerchantUID: "o", Amount: 1000,
		CardNumber: "4242-4242-4242-42429999", Expiry: "1999-01", Birth: "19900101", Pwd2Digit: "123"})
	var v *iamport.ValidationError
	require.ErrorAs(t, err, &v)
	for _, secret := range []string{"4242", "9999", "1999", "19900101", "123"} {
		require.NotContains(t, err.Error(), secret)
	}
}
