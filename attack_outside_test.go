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
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
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
	case r.Method == "POST" && (r.URL.Path == "/subscribe/payments/again" || r.URL.Path == "/subscribe/payments/onetime" || r.URL.Path == "/vbanks"):
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
		if r.URL.Path == "/vbanks" {
			p.Status, p.PayMethod = "ready", "vbank"
		}
		if s.status != "" {
			p.Status = s.status
		}
		s.pays = append(s.pays, p)
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
		return
	}
	var declined *iamport.DeclinedError
	if errors.As(err, &declined) {
		for _, q := range made {
			require.NotEqual(t, "paid", q.Status, "a decline reported while this call paid: %v", err)
		}
	}
}

// TestOutsideLostChargeAnswers: a charge that was made and whose answer is
// lost or mangled in every way is sent once and is reported paid (once a
// lookup proves it) or unknown, never a plain error or a decline.
func TestOutsideLostChargeAnswers(t *testing.T) {
	t.Parallel()
	paidBody := func(p outsidePay) string { return `{"code":0,"message":null,"response":` + p.json() + `}` }
	cases := []struct {
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
		{"200 code twice", func(w http.ResponseWriter, p outsidePay) {
			writeJSON(w, 200, `{"code":-1,"Code":0,"response":`+p.json()+`}`)
		}},
		{"200 another merchant_uid", func(w http.ResponseWriter, p outsidePay) {
			p.MerchantUID = "order-other"
			writeJSON(w, 200, paidBody(p))
		}},
		{"200 code -1 holding the paid payment", func(w http.ResponseWriter, p outsidePay) {
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
	for _, tc := range cases {
		for _, visible := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/visible=%v", tc.name, visible), func(t *testing.T) {
				t.Parallel()
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
	}
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
					s.mu.Lock()
					first := s.pays[0]
					s.mu.Unlock()
					writeJSON(w, 200, `{"code":0,"message":null,"response":`+first.json()+`}`)
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
				s.mu.Lock()
				first := s.pays[0]
				s.mu.Unlock()
				writeJSON(w, 200, `{"code":0,"response":`+first.json()+`}`)
			}
		}},
		{"reset", func(*outsideServer) func(http.ResponseWriter, outsidePay) {
			return func(w http.ResponseWriter, p outsidePay) { resetConn(w) }
		}},
		{"504", func(*outsideServer) func(http.ResponseWriter, outsidePay) {
			return func(w http.ResponseWriter, p outsidePay) { w.WriteHeader(504) }
		}},
	}
	for _, tc := range cases {
		for _, visible := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/visible=%v", tc.name, visible), func(t *testing.T) {
				t.Parallel()
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
	}
}
