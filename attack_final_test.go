//go:build finalattack

// Outside attack of 2026-12-02, not yet mended: each failing test names a
// broken promise. Run with go test -tags finalattack -run TestFinal .
package iamport_test

// Outside attacks on the SDK's money-safety and secrecy promises, written
// without reading the SDK's own tests. Each test runs its own server (a
// world slower and stranger than iamporttest) and counts on the server how
// often each charge or cancel was executed.
//
// A test that FAILS names the README promise it breaks.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iamport-go/iamport"
	"github.com/stretchr/testify/require"
)

const finalSecret = "SUPERSECRET-imp-secret-9f8e7d"
const finalToken = "tok-ACCESS-7c6b5a4f3e2d"

// finalWorld is a programmable iamport: a token endpoint, and handlers a
// test sets per route.
type finalWorld struct {
	mu     sync.Mutex
	routes map[string]http.HandlerFunc // "METHOD /prefix"
	calls  map[string]int
	srv    *httptest.Server
}

func newFinalWorld(t *testing.T) *finalWorld {
	w := &finalWorld{routes: map[string]http.HandlerFunc{}, calls: map[string]int{}}
	w.srv = httptest.NewServer(http.HandlerFunc(w.serve))
	t.Cleanup(w.srv.Close)
	return w
}

func (w *finalWorld) handle(method, prefix string, h http.HandlerFunc) {
	w.mu.Lock()
	w.routes[method+" "+prefix] = h
	w.mu.Unlock()
}

func (w *finalWorld) count(method, prefix string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.calls[method+" "+prefix]
}

func (w *finalWorld) serve(rw http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/users/getToken" {
		now := time.Now().Unix()
		w.mu.Lock()
		h := w.routes["POST /users/getToken"]
		w.calls["POST /users/getToken"]++
		w.mu.Unlock()
		if h != nil {
			h(rw, r)
			return
		}
		finalJSON(rw, 200, fmt.Sprintf(`{"code":0,"message":null,"response":{"access_token":%q,"now":%d,"expired_at":%d}}`, finalToken, now, now+1800))
		return
	}
	w.mu.Lock()
	var best string
	for k := range w.routes {
		m, p, _ := strings.Cut(k, " ")
		if m == r.Method && strings.HasPrefix(r.URL.Path, p) && len(k) > len(best) {
			best = k
		}
	}
	h := w.routes[best]
	if best != "" {
		w.calls[best]++
	}
	w.mu.Unlock()
	if h == nil {
		finalJSON(rw, 404, `{"code":-1,"message":"no route","response":null}`)
		return
	}
	h(rw, r)
}

func finalJSON(rw http.ResponseWriter, status int, body string) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	_, _ = io.WriteString(rw, body)
}

func (w *finalWorld) client(t *testing.T, opts ...iamport.Option) *iamport.Client {
	all := append([]iamport.Option{
		iamport.WithBaseURL(w.srv.URL),
		iamport.WithMaxRetries(0),
		iamport.WithReconcileTimeout(1500 * time.Millisecond),
		iamport.WithTimeout(2 * time.Second),
	}, opts...)
	c, err := iamport.New("key-final", finalSecret, all...)
	require.NoError(t, err)
	return c
}

// finalPay is one payment as the fake shows it.
type finalPay struct {
	ImpUID, MerchantUID, CustomerUID, Status string
	Amount                                   int
	CancelAmount                             int
	Cancels                                  []int
}

func (p finalPay) json() string {
	paidAt := int64(0)
	failedAt := int64(0)
	fail := ""
	switch p.Status {
	case "paid", "cancelled":
		paidAt = time.Now().Unix() - 1
	case "failed":
		failedAt = time.Now().Unix() - 1
		fail = "한도초과"
	}
	hist := "["
	bal := p.Amount
	for i, c := range p.Cancels {
		if i > 0 {
			hist += ","
		}
		bal -= c
		hist += fmt.Sprintf(`{"pg_tid":"t%d","amount":%d,"cancelled_at":%d,"reason":"r"}`, i, c, time.Now().Unix())
	}
	hist += "]"
	return fmt.Sprintf(`{"imp_uid":%q,"merchant_uid":%q,"customer_uid":%q,"amount":%d,"cancel_amount":%d,"currency":"KRW","status":%q,"paid_at":%d,"failed_at":%d,"fail_reason":%q,"started_at":%d,"cancel_history":%s}`,
		p.ImpUID, p.MerchantUID, p.CustomerUID, p.Amount, p.CancelAmount, p.Status, paidAt, failedAt, fail, time.Now().Unix()-2, hist)
}

func finalList(ps []finalPay) string {
	if len(ps) == 0 {
		return `{"code":-1,"message":"존재하지 않는 결제정보입니다.","response":null}`
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.json()
	}
	return fmt.Sprintf(`{"code":0,"message":null,"response":{"total":%d,"previous":0,"next":0,"list":[%s]}}`, len(ps), strings.Join(parts, ","))
}

func serveList(rw http.ResponseWriter, ps []finalPay) {
	if len(ps) == 0 {
		finalJSON(rw, 404, finalList(nil))
		return
	}
	finalJSON(rw, 200, finalList(ps))
}

// ---------------------------------------------------------------------------
// 1. A lagging findAll hides an earlier declined attempt from the snapshot.

// The order was declined once before (by another process or a Client that
// restarted), and is charged again with the same merchant_uid, amount and
// billing key, as README allows ("a declined attempt and its successful
// retry"). findAll lags: the snapshot before the charge does not show the
// old declined attempt yet. The charge's answer is lost (504) while it
// keeps running and ends paid 400 ms later. The first lookup after the loss
// shows the OLD declined attempt, which the snapshot did not hold.
func TestFinalLaggingSnapshotOldDeclineReportedAsThisCallsDecline(t *testing.T) {
	w := newFinalWorld(t)
	old := finalPay{ImpUID: "imp_old_failed", MerchantUID: "ord-lag-1", CustomerUID: "cust-1", Status: "failed", Amount: 8900}
	var mu sync.Mutex
	var newPay *finalPay
	var executed atomic.Int32
	findCalls := 0
	w.handle("GET", "/payments/findAll/", func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		findCalls++
		if findCalls == 1 { // lagging: the old attempt is not visible yet
			serveList(rw, nil)
			return
		}
		ps := []finalPay{old}
		if newPay != nil {
			ps = append(ps, *newPay)
		}
		serveList(rw, ps)
	})
	w.handle("POST", "/subscribe/payments/again", func(rw http.ResponseWriter, r *http.Request) {
		executed.Add(1)
		go func() { // the PG finishes after the gateway gave up
			time.Sleep(400 * time.Millisecond)
			mu.Lock()
			newPay = &finalPay{ImpUID: "imp_new_paid", MerchantUID: "ord-lag-1", CustomerUID: "cust-1", Status: "paid", Amount: 8900}
			mu.Unlock()
		}()
		finalJSON(rw, 504, `<html><body>504 Gateway Time-out</body></html>`)
	})
	c := w.client(t)
	p, err := c.Again(context.Background(), &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "ord-lag-1", Amount: 8900, Name: "plan"})
	time.Sleep(500 * time.Millisecond)
	require.EqualValues(t, 1, executed.Load(), "the charge was re-sent")
	var declined *iamport.DeclinedError
	if errors.As(err, &declined) {
		t.Fatalf("BROKEN: README 'A declined card is never reported as success' / 'an outcome is never lost' / "+
			"reconciliation 'only an attempt that was not there before ... is this call's': Again returned a *DeclinedError "+
			"for payment %s (an older declined attempt that a lagging findAll hid from the snapshot), while this call's charge "+
			"%s ended paid; the merchant will charge the customer again. err=%v", p.ImpUID, "imp_new_paid", err)
	}
	var unk *iamport.OutcomeUnknownError
	if err != nil && !errors.As(err, &unk) {
		t.Fatalf("unexpected error type %T: %v", err, err)
	}
}

// ---------------------------------------------------------------------------
// 2. Two new paid attempts after a lost answer are reported as one charge.

// A gateway in front of iamport answers 502 and re-sends the POST upstream
// (nginx proxy_next_upstream non_idempotent, some LBs): the order is charged
// twice while the SDK sent once. After the loss, findAll shows two new paid
// attempts of the order. Promise 1: "A nil error from a call that moves money
// means it was done once, by this call, as reported."
func TestFinalTwoNewPaidAttemptsReportedAsChargedOnce(t *testing.T) {
	w := newFinalWorld(t)
	var mu sync.Mutex
	var made []finalPay
	var executed atomic.Int32
	w.handle("GET", "/payments/findAll/", func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		serveList(rw, made)
	})
	w.handle("POST", "/subscribe/payments/again", func(rw http.ResponseWriter, r *http.Request) {
		// the gateway forwards it twice
		for i := 0; i < 2; i++ {
			n := executed.Add(1)
			mu.Lock()
			made = append(made, finalPay{ImpUID: fmt.Sprintf("imp_dup_%d", n), MerchantUID: "ord-dup-1", CustomerUID: "cust-1", Status: "paid", Amount: 8900})
			mu.Unlock()
		}
		finalJSON(rw, 502, `<html>502 Bad Gateway</html>`)
	})
	c := w.client(t)
	p, err := c.Again(context.Background(), &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "ord-dup-1", Amount: 8900, Name: "plan"})
	require.Equal(t, 1, w.count("POST", "/subscribe/payments/again"), "the SDK re-sent the charge")
	if err == nil {
		t.Fatalf("BROKEN: README Reliability 1 'A nil error from a call that moves money means it was done once, by this call': "+
			"after a 502, findAll showed TWO new paid attempts of the order (server executed %d charges), and Again "+
			"returned nil with %s as if charged once; it should report the outcome as not proven (*OutcomeUnknownError)",
			executed.Load(), p.ImpUID)
	}
}

// ---------------------------------------------------------------------------
// 3. A code-0 cancel answer that shows no refund is taken as a refund made.

func TestFinalCancelCodeZeroWithoutRefundIsSuccess(t *testing.T) {
	for _, tc := range []struct{ name, answer string }{
		{"empty object", `{"code":0,"message":null,"response":{}}`},
		{"payment unchanged", `{"code":0,"message":null,"response":` +
			finalPay{ImpUID: "imp_c1", MerchantUID: "ord-c1", Status: "paid", Amount: 10000}.json() + `}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newFinalWorld(t)
			var refunded atomic.Int32
			pay := finalPay{ImpUID: "imp_c1", MerchantUID: "ord-c1", Status: "paid", Amount: 10000}
			w.handle("GET", "/payments/", func(rw http.ResponseWriter, r *http.Request) {
				finalJSON(rw, 200, `{"code":0,"message":null,"response":`+pay.json()+`}`)
			})
			w.handle("POST", "/payments/cancel", func(rw http.ResponseWriter, r *http.Request) {
				// the server did nothing, and says so in the payment it returns
				finalJSON(rw, 200, tc.answer)
			})
			c := w.client(t)
			p, err := c.CancelPayment(context.Background(), &iamport.CancelRequest{ImpUID: "imp_c1", Amount: 3000, Reason: "x"})
			if err == nil {
				t.Fatalf("BROKEN: README Reliability 1 'CancelPayment: the refund was made': a code-0 cancel answer whose payment "+
					"shows no refund (cancel_amount %v, %d history entries, status %q; server refunded %d times) returned a nil error",
					p.CancelAmount, len(p.CancelHistory), p.Status, refunded.Load())
			}
		})
	}
}

// ---------------------------------------------------------------------------
// 4. Secrets echoed by a server end up in errors and logs.

func finalNoSecret(t *testing.T, where, s string, secrets ...string) {
	t.Helper()
	for _, sec := range secrets {
		if strings.Contains(s, sec) {
			t.Errorf("BROKEN: README Secrets 'The API secret, the access token, card numbers, expiry dates, birth dates, pwd_2digit ... "+
				"never appear in log output or error messages' / APIError 'never holds the request body or a secret': %s contains %q: %s",
				where, sec, s)
		}
	}
}

// A gateway or WAF that quotes the refused request in its error page (a
// common shape: {"message":"invalid request: <body>"}).
func TestFinalEchoedSecretInTokenError(t *testing.T) {
	w := newFinalWorld(t)
	w.handle("POST", "/users/getToken", func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		msg, _ := json.Marshal("invalid credentials: " + string(b))
		finalJSON(rw, 401, `{"code":-1,"message":`+string(msg)+`,"response":null}`)
	})
	var logs bytes.Buffer
	c := w.client(t, iamport.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	_, err := c.GetPayment(context.Background(), "imp_1")
	require.Error(t, err)
	require.ErrorIs(t, err, iamport.ErrUnauthorized)
	finalNoSecret(t, "the error of GetPayment", err.Error(), finalSecret)
	finalNoSecret(t, "fmt %+v of the error", fmt.Sprintf("%+v", err), finalSecret)
	finalNoSecret(t, "the log", logs.String(), finalSecret)
}

func TestFinalEchoedCardInChargeError(t *testing.T) {
	const card, expiry, birth, pwd = "5376987612349876", "2031-07", "850317", "47"
	w := newFinalWorld(t)
	w.handle("GET", "/payments/findAll/", func(rw http.ResponseWriter, r *http.Request) { serveList(rw, nil) })
	w.handle("POST", "/subscribe/payments/onetime", func(rw http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		// a validation layer quoting the values it refused
		msg := fmt.Sprintf("card %v / expiry %v / birth %v / pwd %v rejected", body["card_number"], body["expiry"], body["birth"], body["pwd_2digit"])
		m, _ := json.Marshal(msg)
		finalJSON(rw, 400, `{"message":`+string(m)+`,"path":"$input.card_number","reason":`+string(m)+`}`)
	})
	var logs bytes.Buffer
	c := w.client(t, iamport.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	_, err := c.Onetime(context.Background(), &iamport.OnetimeRequest{MerchantUID: "ord-echo", Amount: 1000, CardNumber: card,
		Expiry: expiry, Birth: birth, Pwd2Digit: pwd, Name: "x"})
	require.Error(t, err)
	finalNoSecret(t, "the error of Onetime", err.Error(), card, "203107", birth)
	finalNoSecret(t, "the log", logs.String(), card, "203107", birth)
}

// ---------------------------------------------------------------------------
// 5. A 4xx answer that holds a paid payment of this order.

// The charge was made; an edge answers 409/400 with iamport's envelope and
// the paid payment inside (the shape README says it treats as "may have
// been made" for a 2xx). The SDK returns a plain *APIError, which README's
// own switch reads as "iamport said no".
func TestFinalFourXXWithPaidPaymentIsPlainRefusal(t *testing.T) {
	w := newFinalWorld(t)
	var mu sync.Mutex
	var made []finalPay
	w.handle("GET", "/payments/findAll/", func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		serveList(rw, made)
	})
	w.handle("POST", "/subscribe/payments/again", func(rw http.ResponseWriter, r *http.Request) {
		p := finalPay{ImpUID: "imp_4xx", MerchantUID: "ord-4xx", CustomerUID: "cust-1", Status: "paid", Amount: 8900}
		mu.Lock()
		made = append(made, p)
		mu.Unlock()
		finalJSON(rw, 409, `{"code":-1,"message":"처리 중 오류","response":`+p.json()+`}`)
	})
	c := w.client(t)
	_, err := c.Again(context.Background(), &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "ord-4xx", Amount: 8900, Name: "plan"})
	var apiErr *iamport.APIError
	var unk *iamport.OutcomeUnknownError
	if err != nil && errors.As(err, &apiErr) && !errors.As(err, &unk) {
		t.Fatalf("BROKEN: README 'an outcome is never lost' / 'never reported as ... ' : a charge that was made (its paid payment "+
			"is inside the HTTP 409 answer and findAll shows it) returned a plain *APIError (README's switch: 'iamport said no'): %v", err)
	}
}

// ---------------------------------------------------------------------------
// 6. Strange shapes of a charge that WAS made: never a decline, never a plain
// refusal; never re-sent.

func TestFinalStrangeShapesOfPaidCharge(t *testing.T) {
	paidNew := func(extra string) string {
		return `{"imp_uid":"imp_s1","merchant_uid":"ord-s","customer_uid":"cust-1","amount":8900,"currency":"KRW","paid_at":1700000000` + extra + `}`
	}
	for _, tc := range []struct {
		name   string
		status int
		ctype  string
		body   string
	}{
		{"fractional timestamps and string numbers", 200, "application/json",
			`{"code":"0","message":null,"response":{"imp_uid":"imp_s1","merchant_uid":"ord-s","customer_uid":"cust-1","amount":"8900","currency":"KRW","status":"paid","paid_at":1700000000.25,"started_at":"1700000000","unknown_field":{"x":[1,2]}}}`},
		{"long-s folded duplicate status", 200, "application/json",
			`{"code":0,"message":null,"response":` + paidNew(`,"status":"paid","ſtatus":"failed"`) + `}`},
		{"escaped duplicate status", 200, "application/json",
			`{"code":0,"message":null,"response":` + paidNew(`,"status":"paid","st\u0061tus":"failed"`) + `}`},
		{"duplicate response", 200, "application/json",
			`{"code":0,"message":null,"response":` + paidNew(`,"status":"paid"`) + `,"response":` + strings.Replace(paidNew(`,"status":"failed"`), "imp_s1", "imp_s1", 1) + `}`},
		{"duplicate code", 200, "application/json",
			`{"code":0,"code":-1,"message":"x","response":` + paidNew(`,"status":"paid"`) + `}`},
		{"Kelvin-folded code", 200, "application/json",
			`{"code":0,"message":"x","response":` + paidNew(`,"status":"paid"`) + `,"CODE":1}`},
		{"BOM", 200, "application/json",
			"\ufeff" + `{"code":0,"message":null,"response":` + paidNew(`,"status":"paid"`) + `}`},
		{"gzip without header", 200, "application/json", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xab\x56\x4a\xce\x4f\x49"},
		{"HTML 200", 200, "text/html", `<html><body>Service temporarily unavailable</body></html>`},
		{"HTML 500", 500, "text/html", `<html><body>Internal error</body></html>`},
		{"truncated", 200, "application/json", `{"code":0,"message":null,"response":{"imp_uid":"imp_s1","merchant_uid":"ord-s","status":"pa`},
		{"code -1 with paid payment", 200, "application/json",
			`{"code":-1,"message":"PG 통신 오류","response":` + paidNew(`,"status":"paid"`) + `}`},
		{"null response", 200, "application/json", `{"code":0,"message":null,"response":null}`},
		{"new enum status", 200, "application/json",
			`{"code":0,"message":null,"response":` + paidNew(`,"status":"partial_paid"`) + `}`},
		{"payment of another order", 200, "application/json",
			`{"code":0,"message":null,"response":{"imp_uid":"imp_other","merchant_uid":"ord-other","customer_uid":"cust-1","amount":8900,"status":"failed"}}`},
		{"uppercase FAILED status", 200, "application/json",
			`{"code":0,"message":null,"response":` + paidNew(`,"status":"FAILED"`) + `}`},
		{"response as array", 200, "application/json",
			`{"code":0,"message":null,"response":[` + paidNew(`,"status":"failed"`) + `]}`},
		{"status number", 200, "application/json",
			`{"code":0,"message":null,"response":` + paidNew(`,"status":0`) + `}`},
		{"code null failed", 200, "application/json",
			`{"code":null,"message":null,"response":` + paidNew(`,"status":"paid"`) + `}`},
		{"trailing garbage", 200, "application/json",
			`{"code":0,"message":null,"response":` + paidNew(`,"status":"paid"`) + `}{"code":-1,"response":` + paidNew(`,"status":"failed"`) + `}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newFinalWorld(t)
			var mu sync.Mutex
			var made []finalPay
			var executed atomic.Int32
			w.handle("GET", "/payments/findAll/", func(rw http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				serveList(rw, made)
			})
			w.handle("POST", "/subscribe/payments/again", func(rw http.ResponseWriter, r *http.Request) {
				executed.Add(1)
				mu.Lock()
				made = append(made, finalPay{ImpUID: "imp_s1", MerchantUID: "ord-s", CustomerUID: "cust-1", Status: "paid", Amount: 8900})
				mu.Unlock()
				rw.Header().Set("Content-Type", tc.ctype)
				rw.WriteHeader(tc.status)
				_, _ = io.WriteString(rw, tc.body)
			})
			c := w.client(t, iamport.WithReconcileTimeout(400*time.Millisecond))
			p, err := c.Again(context.Background(), &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "ord-s", Amount: 8900, Name: "plan"})
			require.EqualValues(t, 1, executed.Load(), "README 'never re-sent': the charge was executed %d times", executed.Load())
			var unk *iamport.OutcomeUnknownError
			switch {
			case err == nil:
				require.Equal(t, iamport.PaymentStatusPaid, p.Status)
				require.Equal(t, "imp_s1", p.ImpUID, "nil error with another payment than the one made")
			case errors.As(err, &unk):
			default:
				t.Fatalf("BROKEN: a charge that was made (paid, visible to findAll) under answer %q returned %T: %v "+
					"(README: an outcome is never lost; a declined card is never reported...)", tc.name, err, err)
			}
		})
	}
}

// The same shapes for a charge the card company DECLINED: never a nil error.
func TestFinalStrangeShapesOfDeclinedChargeNeverSucceed(t *testing.T) {
	failedNew := `{"imp_uid":"imp_f1","merchant_uid":"ord-f","customer_uid":"cust-1","amount":8900,"currency":"KRW","failed_at":1700000000,"fail_reason":"한도초과"`
	for _, tc := range []struct{ name, body string }{
		{"dup status paid last", `{"code":0,"response":` + failedNew + `,"status":"failed","status":"paid"}}`},
		{"case dup status", `{"code":0,"response":` + failedNew + `,"status":"failed","STATUS":"paid"}}`},
		{"long-s dup", `{"code":0,"response":` + failedNew + `,"status":"failed","ſtatus":"paid"}}`},
		{"escaped dup", `{"code":0,"response":` + failedNew + `,"status":"failed","\u0073tatus":"paid"}}`},
		{"paid_at set on failed", `{"code":0,"response":` + failedNew + `,"status":"failed","paid_at":1700000000}}`},
		{"dup response", `{"code":0,"response":` + failedNew + `,"status":"failed"},"response":` + failedNew + `,"status":"paid"}}`},
		{"dup response case", `{"code":0,"response":` + failedNew + `,"status":"failed"},"Response":` + failedNew + `,"status":"paid"}}`},
		{"paid with empty ids", `{"code":0,"response":{"status":"paid"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newFinalWorld(t)
			var mu sync.Mutex
			var made []finalPay
			w.handle("GET", "/payments/findAll/", func(rw http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				serveList(rw, made)
			})
			w.handle("POST", "/subscribe/payments/again", func(rw http.ResponseWriter, r *http.Request) {
				mu.Lock()
				made = append(made, finalPay{ImpUID: "imp_f1", MerchantUID: "ord-f", CustomerUID: "cust-1", Status: "failed", Amount: 8900})
				mu.Unlock()
				finalJSON(rw, 200, tc.body)
			})
			c := w.client(t, iamport.WithReconcileTimeout(400*time.Millisecond))
			p, err := c.Again(context.Background(), &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "ord-f", Amount: 8900, Name: "plan"})
			require.Equal(t, 1, w.count("POST", "/subscribe/payments/again"))
			if err == nil {
				t.Fatalf("BROKEN: README 'a declined card is never reported as success': the declined charge (answer %q) returned nil, payment %+v", tc.name, p)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// 7. Concurrency.

// Many goroutines charge the same order on one Client: iamport (this fake)
// charges every request that arrives while none is paid yet. Exactly one
// charge reaches the server, and exactly one caller is told "charged".
func TestFinalConcurrentSameOrderChargedOnce(t *testing.T) {
	w := newFinalWorld(t)
	var mu sync.Mutex
	var made []finalPay
	var executed atomic.Int32
	w.handle("GET", "/payments/findAll/", func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		serveList(rw, made)
	})
	w.handle("POST", "/subscribe/payments/again", func(rw http.ResponseWriter, r *http.Request) {
		n := executed.Add(1)
		time.Sleep(50 * time.Millisecond)
		p := finalPay{ImpUID: fmt.Sprintf("imp_cc_%d", n), MerchantUID: "ord-cc", CustomerUID: "cust-1", Status: "paid", Amount: 8900}
		mu.Lock()
		made = append(made, p)
		mu.Unlock()
		finalJSON(rw, 200, `{"code":0,"message":null,"response":`+p.json()+`}`)
	})
	c := w.client(t)
	var ok, inflight atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Again(context.Background(), &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "ord-cc", Amount: 8900, Name: "plan"})
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, iamport.ErrChargeInFlight):
				inflight.Add(1)
			}
		}()
	}
	wg.Wait()
	require.EqualValues(t, executed.Load(), ok.Load(), "callers told 'charged' differ from charges executed")
	// Later callers (after the first finished) are sent: the fake charges
	// them again (no already-paid check), so ok counts every execution.
	require.GreaterOrEqual(t, inflight.Load(), int32(1), "no caller was refused with ErrChargeInFlight")
}

// Concurrent partial refunds of one payment on one Client, against a payment
// lookup that lags behind refunds by 300 ms: the server refunds only when
// the checksum equals the balance; the total reported refunded must equal
// the total actually refunded, and never exceed the amount.
func TestFinalConcurrentCancelsWithLaggingLookup(t *testing.T) {
	w := newFinalWorld(t)
	type snap struct {
		at  time.Time
		pay finalPay
	}
	var mu sync.Mutex
	pay := finalPay{ImpUID: "imp_cx", MerchantUID: "ord-cx", Status: "paid", Amount: 10000}
	history := []snap{{time.Now().Add(-time.Hour), pay}}
	var refunds atomic.Int32
	w.handle("GET", "/payments/", func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		shown := history[0].pay
		for _, s := range history {
			if time.Since(s.at) >= 300*time.Millisecond {
				shown = s.pay
			}
		}
		finalJSON(rw, 200, `{"code":0,"message":null,"response":`+shown.json()+`}`)
	})
	w.handle("POST", "/payments/cancel", func(rw http.ResponseWriter, r *http.Request) {
		var body struct {
			Amount   float64 `json:"amount"`
			Checksum float64 `json:"checksum"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		defer mu.Unlock()
		bal := pay.Amount - pay.CancelAmount
		if int(body.Checksum) != bal || int(body.Amount) > bal {
			finalJSON(rw, 200, `{"code":1,"message":"checksum mismatch","response":null}`)
			return
		}
		refunds.Add(1)
		pay.CancelAmount += int(body.Amount)
		pay.Cancels = append(pay.Cancels, int(body.Amount))
		if pay.CancelAmount == pay.Amount {
			pay.Status = "cancelled"
		}
		history = append(history, snap{time.Now(), pay})
		finalJSON(rw, 200, `{"code":0,"message":null,"response":`+pay.json()+`}`)
	})
	c := w.client(t)
	var reported atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := c.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: "imp_cx", Amount: 1000, Reason: "r"}); err == nil {
				reported.Add(1)
			}
		}()
	}
	wg.Wait()
	require.Equal(t, refunds.Load(), reported.Load(), "refunds reported made differ from refunds executed")
	require.LessOrEqual(t, pay.CancelAmount, pay.Amount)
}

// ---------------------------------------------------------------------------
// 8. A charge answer lost to the client's own timeout while the charge
// completes later, with findAll lagging behind: never re-sent, never a
// decline, and the late paid payment is found when it shows within time.

func TestFinalTimeoutThenLateLaggingPaid(t *testing.T) {
	w := newFinalWorld(t)
	var mu sync.Mutex
	var visible []finalPay
	var executed atomic.Int32
	w.handle("GET", "/payments/findAll/", func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		serveList(rw, visible)
	})
	w.handle("POST", "/subscribe/payments/onetime", func(rw http.ResponseWriter, r *http.Request) {
		executed.Add(1)
		go func() {
			time.Sleep(700 * time.Millisecond) // processing + lookup lag
			mu.Lock()
			visible = append(visible, finalPay{ImpUID: "imp_late", MerchantUID: "ord-late", Status: "ready", Amount: 5000})
			mu.Unlock()
			time.Sleep(200 * time.Millisecond)
			mu.Lock()
			visible[0].Status = "paid"
			mu.Unlock()
		}()
		time.Sleep(600 * time.Millisecond) // longer than the client's timeout
		finalJSON(rw, 200, `{"code":0,"response":null}`)
	})
	c := w.client(t, iamport.WithTimeout(200*time.Millisecond), iamport.WithReconcileTimeout(2*time.Second))
	p, err := c.Onetime(context.Background(), &iamport.OnetimeRequest{MerchantUID: "ord-late", Amount: 5000, CardNumber: "4242424242424242",
		Expiry: "2035-01", Birth: "900101", Pwd2Digit: "00", Name: "x"})
	require.EqualValues(t, 1, executed.Load(), "the charge was re-sent after a timeout")
	require.NoError(t, err, "the late paid payment should have been found within the reconcile timeout")
	require.Equal(t, "imp_late", p.ImpUID)
	require.Equal(t, iamport.PaymentStatusPaid, p.Status)
}

// Connection cut after the request was written: never re-sent, even with
// retries enabled.
func TestFinalConnectionResetAfterWriteNotResent(t *testing.T) {
	w := newFinalWorld(t)
	var executed atomic.Int32
	w.handle("GET", "/payments/findAll/", func(rw http.ResponseWriter, r *http.Request) { serveList(rw, nil) })
	w.handle("POST", "/subscribe/payments/again", func(rw http.ResponseWriter, r *http.Request) {
		executed.Add(1)
		hj, ok := rw.(http.Hijacker)
		require.True(t, ok)
		conn, _, _ := hj.Hijack()
		_ = conn.Close()
	})
	c := w.client(t, iamport.WithMaxRetries(3), iamport.WithReconcileTimeout(300*time.Millisecond))
	_, err := c.Again(context.Background(), &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "ord-rst", Amount: 8900, Name: "plan"})
	require.EqualValues(t, 1, executed.Load(), "README 'never re-sent': a charge cut after writing was sent again")
	var unk *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &unk, "a lost answer must be *OutcomeUnknownError, got %T %v", err, err)
	require.Equal(t, "ord-rst", unk.MerchantUID)
}

// ---------------------------------------------------------------------------
// 9. Secrets in fmt/slog/JSON encodings of requests and in a panic value.

func TestFinalRequestEncodingsRedacted(t *testing.T) {
	const card, birth = "5376987612349876", "850317"
	req := &iamport.OnetimeRequest{MerchantUID: "o", Amount: 1, CardNumber: card, Expiry: "2031-07", Birth: birth, Pwd2Digit: "47", BuyerEmail: "kim@example.com"}
	type wrap struct {
		R  *iamport.OnetimeRequest
		V  iamport.OnetimeRequest
		M  map[string]any
		S  []iamport.OnetimeRequest
		Pp **iamport.OnetimeRequest
	}
	pp := &req
	v := wrap{R: req, V: *req, M: map[string]any{"r": req, "v": *req}, S: []iamport.OnetimeRequest{*req}, Pp: pp}
	var outs []string
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%T %v", "%d"} {
		outs = append(outs, fmt.Sprintf(f, v), fmt.Sprintf(f, req), fmt.Sprintf(f, *req))
	}
	j, err := json.Marshal(v)
	require.NoError(t, err)
	outs = append(outs, string(j))
	var lb bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&lb, nil), slog.NewTextHandler(&lb, nil)} {
		l := slog.New(h)
		l.Info("x", "req", req, "val", *req, "wrap", v, slog.Any("group", []any{req}))
	}
	outs = append(outs, lb.String())
	func() {
		defer func() { outs = append(outs, fmt.Sprint(recover())) }()
		panic(req)
	}()
	for _, o := range outs {
		for _, s := range []string{card, "203107", "2031-07", birth, "kim@example.com"} {
			require.NotContains(t, o, s, "README Secrets: a request printed/encoded shows a secret")
		}
		require.NotContains(t, o, `"47"`)
	}
}

// The Client itself, with a userinfo base URL and a fetched token, never
// shows the secret or the token.
func TestFinalClientPrintsNoSecretOrToken(t *testing.T) {
	w := newFinalWorld(t)
	w.handle("GET", "/payments/", func(rw http.ResponseWriter, r *http.Request) {
		finalJSON(rw, 200, `{"code":0,"response":`+finalPay{ImpUID: "imp_1", MerchantUID: "o", Status: "paid", Amount: 1}.json()+`}`)
	})
	u := strings.Replace(w.srv.URL, "http://", "http://admin:hunter2pass@", 1)
	var logs bytes.Buffer
	c, err := iamport.New("key-final", finalSecret, iamport.WithBaseURL(u), iamport.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	require.NoError(t, err)
	_, err = c.GetPayment(context.Background(), "imp_1")
	require.NoError(t, err)
	j, _ := json.Marshal(struct{ C *iamport.Client }{c})
	for _, o := range []string{fmt.Sprintf("%v %+v %#v %s", c, c, c, c), fmt.Sprintf("%+v", *c), string(j), logs.String()} {
		for _, s := range []string{finalSecret, finalToken, "hunter2pass"} {
			require.NotContains(t, o, s)
		}
	}
}

// A transport failure whose text comes from the server (a non-HTTP answer
// that begins with what it received) does not carry the secret.
func TestFinalMalformedEchoResponseNoSecret(t *testing.T) {
	// raw TCP echo: answer the first request with its own body as the
	// status line
	ln := httptest.NewUnstartedServer(nil)
	ln.Config.Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hj := rw.(http.Hijacker)
		conn, buf, _ := hj.Hijack()
		_, _ = buf.WriteString(string(b) + "\r\n\r\n")
		_ = buf.Flush()
		_ = conn.Close()
	})
	ln.Start()
	defer ln.Close()
	var logs bytes.Buffer
	c, err := iamport.New("key-final", finalSecret, iamport.WithBaseURL(ln.URL), iamport.WithMaxRetries(0),
		iamport.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	require.NoError(t, err)
	_, err = c.GetPayment(context.Background(), "imp_1")
	require.Error(t, err)
	finalNoSecret(t, "the error of GetPayment against an echoing server", err.Error(), finalSecret)
	finalNoSecret(t, "the log", logs.String(), finalSecret)
}
