package iamport

// Benchmarks; see BENCHMARKS.md for how to run them and the numbers.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// benchPaymentJSON is a realistic card payment with one partial cancel.
const benchPaymentJSON = `{"imp_uid":"imp_123456789012","merchant_uid":"order_20240101_000123","pay_method":"card",` +
	`"channel":"api","pg_provider":"nice","emb_pg_provider":null,"pg_tid":"nictest04m0101240101123456789",` +
	`"pg_id":"nictest04m","sandbox":false,"escrow":false,"apply_num":"30012345","bank_code":null,"bank_name":null,` +
	`"card_code":"361","card_name":"BC카드","card_issuer_code":null,"card_issuer_name":null,"card_publisher_code":null,` +
	`"card_publisher_name":null,"card_quota":0,"card_number":"4242-42**-****-4242","card_type":0,"vbank_code":null,` +
	`"vbank_name":null,"vbank_num":null,"vbank_holder":null,"vbank_date":0,"vbank_issued_at":0,"name":"월간 구독 (1월)",` +
	`"amount":9900,"cancel_amount":1000,"currency":"KRW","buyer_name":"홍길동","buyer_email":"buyer@example.com",` +
	`"buyer_tel":"010-1234-5678","buyer_addr":"서울특별시 강남구 테헤란로 1","buyer_postcode":"06236",` +
	`"custom_data":"{\"plan\":\"monthly\"}","user_agent":"sorry_not_supported","status":"paid","started_at":1704067200,` +
	`"paid_at":1704067201,"failed_at":0,"cancelled_at":1704153600,"fail_reason":null,"cancel_reason":"부분 환불",` +
	`"receipt_url":"https://npg.nicepay.co.kr/issue/IssueLoader.do?TID=nictest04m0101240101123456789&type=0",` +
	`"cancel_history":[{"pg_tid":"nictest04m0101240102123456789","amount":1000,"cancelled_at":1704153600,` +
	`"reason":"부분 환불","cancellation_id":"cancel_0123456789","receipt_url":"https://npg.nicepay.co.kr/issue/c"}],` +
	`"deposit_history":[],"cancel_receipt_urls":["https://npg.nicepay.co.kr/issue/c"],"cash_receipt_issued":false,` +
	`"customer_uid":"cus_1234","customer_uid_usage":"payment","promotion":null}`

// benchPaymentEscapedJSON is benchPaymentJSON as iamport itself writes it:
// every non-ASCII character as a \u escape and every slash as \/ (the
// escapes of PHP's json_encode, which its answers carry).
var benchPaymentEscapedJSON = phpEscape(benchPaymentJSON)

// phpEscape writes the non-ASCII characters of a JSON text as \u escapes
// and its slashes as \/.
func phpEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '/':
			b.WriteString(`\/`)
		case r >= utf8.RuneSelf:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04x`, u)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// benchServer is a local iamport: tokens, one payment, and generated pages
// of payments by status.
type benchServer struct {
	*httptest.Server
	tokens  atomic.Int64 // getToken requests
	charges atomic.Int64 // Again requests, numbering the payments they make
	total   atomic.Int64 // payments listed by status, a multiple of 1000
	list    []byte       // the items of a full page, without brackets
}

func newBenchServer(b testing.TB) *benchServer {
	s := &benchServer{}
	payment := []byte(`{"code":0,"message":null,"response":` + benchPaymentJSON + `}`)
	items := make([]string, maxPageLimit)
	for i := range items {
		items[i] = strings.Replace(benchPaymentJSON, "imp_123456789012", fmt.Sprintf("imp_%012d", i), 1)
	}
	s.list = []byte(strings.Join(items, ","))
	mux := http.NewServeMux()
	mux.HandleFunc("POST /users/getToken", func(w http.ResponseWriter, r *http.Request) {
		s.tokens.Add(1)
		now := time.Now().Unix()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"code":0,"message":null,"response":{"access_token":"bench-token","now":%d,"expired_at":%d}}`, now, now+1800)
	})
	// answer answers a request made with the token with status and body.
	answer := func(status int, body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "bench-token" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}
	}
	mux.HandleFunc("GET /payments/{imp_uid}", answer(http.StatusOK, payment))
	mux.HandleFunc("GET /payments/imp_escaped", answer(http.StatusOK,
		[]byte(`{"code":0,"message":null,"response":`+benchPaymentEscapedJSON+`}`)))
	// A charge makes a payment of its own, as iamport does: a new imp_uid,
	// and the merchant_uid the request names. An SDK rightly refuses to take
	// an answer naming a payment its order had before the call for this
	// call's charge, so a server answering every charge with one payment
	// cannot be charged twice for an order.
	mux.HandleFunc("POST /subscribe/payments/again", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "bench-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var in struct {
			MerchantUID string `json:"merchant_uid"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		body := make([]byte, 0, len(payment)+len(in.MerchantUID))
		body = fmt.Appendf(body, `{"code":0,"message":null,"response":{"imp_uid":"imp_%012d","merchant_uid":`, s.charges.Add(1))
		body = strconv.AppendQuote(body, in.MerchantUID) // the benchmarks' orders are ASCII
		body = append(body, benchPaymentJSON[len(benchPaymentHead):]...)
		body = append(body, '}')
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})
	// An order charged for the first time has no earlier attempts: findAll
	// answers as iamport does for an unknown merchant_uid.
	mux.HandleFunc("GET /payments/findAll/{merchant_uid}", answer(http.StatusNotFound,
		[]byte(`{"code":1,"message":"존재하지 않는 결제정보입니다.","response":null}`)))
	// GET /payments/status/all pages s.total payments, 1000 at a time.
	mux.HandleFunc("GET /payments/status/all", func(w http.ResponseWriter, r *http.Request) {
		total := int(s.total.Load())
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		next := page + 1
		if page*maxPageLimit >= total {
			next = 0
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"code":0,"message":null,"response":{"total":%d,"previous":%d,"next":%d,"list":[`, total, page-1, next)
		_, _ = w.Write(s.list)
		_, _ = io.WriteString(w, `]}}`)
	})
	s.Server = httptest.NewServer(mux)
	b.Cleanup(s.Close)
	return s
}

func newBenchClient(b testing.TB, s *benchServer) *Client {
	c, err := New("bench_key", "bench_secret", WithBaseURL(s.URL))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.token(context.Background()); err != nil { // warm the token
		b.Fatal(err)
	}
	return c
}

// handPayment is Payment as a hand-written client would decode it: the same
// fields, Unix-second int64 timestamps and float64 amounts.
type handPayment struct {
	ImpUID            string  `json:"imp_uid"`
	MerchantUID       string  `json:"merchant_uid"`
	PayMethod         string  `json:"pay_method"`
	Channel           string  `json:"channel"`
	PGProvider        string  `json:"pg_provider"`
	EmbPGProvider     string  `json:"emb_pg_provider"`
	PGTID             string  `json:"pg_tid"`
	PGID              string  `json:"pg_id"`
	Sandbox           bool    `json:"sandbox"`
	Escrow            bool    `json:"escrow"`
	ApplyNum          string  `json:"apply_num"`
	BankCode          string  `json:"bank_code"`
	BankName          string  `json:"bank_name"`
	CardCode          string  `json:"card_code"`
	CardName          string  `json:"card_name"`
	CardIssuerCode    string  `json:"card_issuer_code"`
	CardIssuerName    string  `json:"card_issuer_name"`
	CardPublisherCode string  `json:"card_publisher_code"`
	CardPublisherName string  `json:"card_publisher_name"`
	CardQuota         int     `json:"card_quota"`
	CardNumber        string  `json:"card_number"`
	CardType          *int    `json:"card_type"`
	VbankCode         string  `json:"vbank_code"`
	VbankName         string  `json:"vbank_name"`
	VbankNum          string  `json:"vbank_num"`
	VbankHolder       string  `json:"vbank_holder"`
	VbankDate         int64   `json:"vbank_date"`
	VbankIssuedAt     int64   `json:"vbank_issued_at"`
	Name              string  `json:"name"`
	Amount            float64 `json:"amount"`
	CancelAmount      float64 `json:"cancel_amount"`
	Currency          string  `json:"currency"`
	BuyerName         string  `json:"buyer_name"`
	BuyerEmail        string  `json:"buyer_email"`
	BuyerTel          string  `json:"buyer_tel"`
	BuyerAddr         string  `json:"buyer_addr"`
	BuyerPostcode     string  `json:"buyer_postcode"`
	CustomData        string  `json:"custom_data"`
	UserAgent         string  `json:"user_agent"`
	Status            string  `json:"status"`
	StartedAt         int64   `json:"started_at"`
	PaidAt            int64   `json:"paid_at"`
	FailedAt          int64   `json:"failed_at"`
	CancelledAt       int64   `json:"cancelled_at"`
	FailReason        string  `json:"fail_reason"`
	CancelReason      string  `json:"cancel_reason"`
	ReceiptURL        string  `json:"receipt_url"`
	CancelHistory     []struct {
		PGTID          string  `json:"pg_tid"`
		Amount         float64 `json:"amount"`
		CancelledAt    int64   `json:"cancelled_at"`
		Reason         string  `json:"reason"`
		CancellationID string  `json:"cancellation_id"`
		ReceiptURL     string  `json:"receipt_url"`
	} `json:"cancel_history"`
	DepositHistory []struct {
		PGTID         string  `json:"pg_tid"`
		Amount        float64 `json:"amount"`
		DepositorName string  `json:"depositor_name"`
		DepositedAt   int64   `json:"deposited_at"`
	} `json:"deposit_history"`
	CancelReceiptURLs []string `json:"cancel_receipt_urls"`
	CashReceiptIssued bool     `json:"cash_receipt_issued"`
	CustomerUID       string   `json:"customer_uid"`
	CustomerUIDUsage  string   `json:"customer_uid_usage"`
	Promotion         *struct {
		ID       string  `json:"id"`
		Discount float64 `json:"discount"`
	} `json:"promotion"`
	Extension json.RawMessage `json:"extension"`
}

// handGetPayment is GET /payments/{imp_uid} written by hand with net/http and
// encoding/json: the baseline the SDK is measured against.
func handGetPayment(ctx context.Context, hc *http.Client, base, token, impUID string) (*handPayment, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/payments/"+escape(impUID), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	return handDo(hc, req)
}

// benchAgainRequest is the charge the Again benchmarks make, each call for
// an order of its own (benchOrders); the server answers benchPaymentJSON
// with a new imp_uid and the call's merchant_uid.
var benchAgainRequest = AgainRequest{CustomerUID: "cus_1234", MerchantUID: "order_20240101_000123", Amount: 9900, Name: "월간 구독 (1월)"}

// benchPaymentHead is the start of benchPaymentJSON up to its merchant_uid.
const benchPaymentHead = `{"imp_uid":"imp_123456789012","merchant_uid":"order_20240101_000123"`

// benchOrders numbers the orders the Again benchmarks charge, on both sides.
var benchOrders atomic.Int64

// benchOrder is the merchant_uid of a new order.
func benchOrder() string { return "order_bench_" + strconv.FormatInt(benchOrders.Add(1), 10) }

// handAgainRequest is the body a hand-written client sends for Again.
type handAgainRequest struct {
	CustomerUID string  `json:"customer_uid"`
	MerchantUID string  `json:"merchant_uid"`
	Amount      float64 `json:"amount"`
	Name        string  `json:"name,omitempty"`
}

// handAgain is POST /subscribe/payments/again written by hand with net/http
// and encoding/json.
func handAgain(ctx context.Context, hc *http.Client, base, token string, in *handAgainRequest) (*handPayment, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/subscribe/payments/again", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	return handDo(hc, req)
}

// handAgainChecked is handAgain after handFindAll, the two requests an SDK
// Again makes: a hand-written client that can tell a lost answer from an
// older attempt has to look first too.
func handAgainChecked(ctx context.Context, hc *http.Client, base, token string, in *handAgainRequest) (*handPayment, error) {
	if err := handFindAll(ctx, hc, base, token, in.MerchantUID); err != nil {
		return nil, err
	}
	return handAgain(ctx, hc, base, token, in)
}

// handFindAll looks the earlier attempts of an order up by hand (GET
// /payments/findAll/{merchant_uid}), and fails unless there are none.
func handFindAll(ctx context.Context, hc *http.Client, base, token, merchantUID string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/payments/findAll/"+escape(merchantUID)+"?limit=100", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return err
	}
	var env struct {
		Code     int    `json:"code"`
		Message  string `json:"message"`
		Response *struct {
			List []handPayment `json:"list"`
		} `json:"response"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusNotFound && (resp.StatusCode != http.StatusOK || env.Code != 0 || env.Response == nil) {
		return fmt.Errorf("HTTP %d, code %d: %s", resp.StatusCode, env.Code, env.Message)
	}
	if env.Response != nil && len(env.Response.List) > 0 {
		return fmt.Errorf("%d earlier attempts", len(env.Response.List))
	}
	return nil
}

// handDo sends req and decodes the payment it answers, as handGetPayment.
func handDo(hc *http.Client, req *http.Request) (*handPayment, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, err
	}
	var env struct {
		Code     int          `json:"code"`
		Message  string       `json:"message"`
		Response *handPayment `json:"response"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || env.Code != 0 || env.Response == nil {
		return nil, fmt.Errorf("HTTP %d, code %d: %s", resp.StatusCode, env.Code, env.Message)
	}
	return env.Response, nil
}

// benchPair is one operation done by the SDK and by hand, for the
// interleaved benchmarks.
type benchPair struct {
	sdk, hand func() error
}

func benchPairs(b testing.TB, s *benchServer) map[string]benchPair {
	ctx := context.Background()
	c := newBenchClient(b, s)
	hc := &http.Client{Transport: defaultTransport()}
	hreq := &handAgainRequest{CustomerUID: benchAgainRequest.CustomerUID, MerchantUID: benchAgainRequest.MerchantUID,
		Amount: float64(benchAgainRequest.Amount), Name: benchAgainRequest.Name}
	check := func(amount float64, err error) error {
		if err == nil && amount != 9900 {
			err = fmt.Errorf("amount %v", amount)
		}
		return err
	}
	// An SDK Again is two requests: the look at the order's earlier attempts
	// every charge makes first, then the charge.
	sdkAgain := func() error {
		req := benchAgainRequest
		req.MerchantUID = benchOrder()
		p, err := c.Again(ctx, &req)
		if err != nil {
			return err
		}
		return check(float64(p.Amount), nil)
	}
	return map[string]benchPair{
		"GetPayment": {
			sdk: func() error {
				p, err := c.GetPayment(ctx, "imp_123456789012")
				if err != nil {
					return err
				}
				return check(float64(p.Amount), nil)
			},
			hand: func() error {
				p, err := handGetPayment(ctx, hc, s.URL, "bench-token", "imp_123456789012")
				if err != nil {
					return err
				}
				return check(p.Amount, nil)
			},
		},
		"GetPaymentEscaped": {
			sdk: func() error {
				p, err := c.GetPayment(ctx, "imp_escaped")
				if err != nil {
					return err
				}
				if p.BuyerName != "홍길동" {
					return fmt.Errorf("buyer_name %q", p.BuyerName)
				}
				return check(float64(p.Amount), nil)
			},
			hand: func() error {
				p, err := handGetPayment(ctx, hc, s.URL, "bench-token", "imp_escaped")
				if err != nil {
					return err
				}
				return check(p.Amount, nil)
			},
		},
		"Again": {
			sdk: sdkAgain,
			hand: func() error {
				req := *hreq
				req.MerchantUID = benchOrder()
				p, err := handAgain(ctx, hc, s.URL, "bench-token", &req)
				if err != nil {
					return err
				}
				return check(p.Amount, nil)
			},
		},
		"AgainFindAll": {
			sdk: sdkAgain,
			hand: func() error {
				req := *hreq
				req.MerchantUID = benchOrder()
				p, err := handAgainChecked(ctx, hc, s.URL, "bench-token", &req)
				if err != nil {
					return err
				}
				return check(p.Amount, nil)
			},
		},
	}
}

// BenchmarkGetPayment compares GetPayment with the same request written by
// hand, against the same local server over the same kind of pooled
// keep-alive transport (the SDK's default one), one side after the other:
// on a busy machine, BenchmarkInterleaved is the comparison to trust.
func BenchmarkGetPayment(b *testing.B) { benchSides(b, "GetPayment") }

// BenchmarkAgain is BenchmarkGetPayment for Again, a POST with a JSON body.
func BenchmarkAgain(b *testing.B) { benchSides(b, "Again") }

// BenchmarkAgainFindAll is BenchmarkAgain against a hand-written look at
// the order's attempts and charge, the two requests an SDK Again makes.
func BenchmarkAgainFindAll(b *testing.B) { benchSides(b, "AgainFindAll") }

func benchSides(b *testing.B, name string) {
	pair := benchPairs(b, newBenchServer(b))[name]
	for _, side := range []struct {
		name string
		op   func() error
	}{{"sdk", pair.sdk}, {"handwritten", pair.hand}} {
		b.Run(side.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := side.op(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestBenchPairs runs each side of every benchmark pair a few times, in the
// order BenchmarkInterleaved runs them against one server and one client,
// so that a change to the SDK's rules which makes a benchmark fail (and the
// commands in BENCHMARKS.md with it) fails here first.
func TestBenchPairs(t *testing.T) {
	pairs := benchPairs(t, newBenchServer(t))
	for _, name := range []string{"GetPayment", "GetPaymentEscaped", "Again", "AgainFindAll"} {
		for i := 0; i < 3; i++ {
			require.NoError(t, pairs[name].sdk(), "%s, SDK, call %d", name, i+1)
			require.NoError(t, pairs[name].hand(), "%s, by hand, call %d", name, i+1)
		}
	}
}

// benchBlock is how many calls one side makes before the other side takes
// its turn in the interleaved benchmarks.
const benchBlock = 100

// BenchmarkInterleaved compares GetPayment and Again with the same calls
// written by hand. An SDK Again first looks the order's earlier attempts up
// (GET /payments/findAll), then charges: Again compares it with a
// hand-written charge alone (one POST), AgainFindAll with a hand-written
// look and charge, the same two requests. The two sides take turns in blocks of benchBlock calls,
// and the side that goes first alternates from one pair of blocks to the
// next, so that drift on a busy machine affects both alike. Each side's
// time and allocations are counted over its own blocks only (allocations
// process-wide: the in-process server's share is the same for both).
// sdk/hand-time is the ratio of the totals; sdk/hand-time-median-block the
// median of the ratios of each pair of blocks, which a burst of load from
// elsewhere that hits a few blocks does not move; sdk/hand-cpu the ratio of
// the CPU time the process used (client, server and garbage collector),
// which waiting for a core another process holds does not count. b.N is the number of
// calls per side.
func BenchmarkInterleaved(b *testing.B) {
	s := newBenchServer(b)
	pairs := benchPairs(b, s)
	for _, name := range []string{"GetPayment", "GetPaymentEscaped", "Again", "AgainFindAll"} {
		pair := pairs[name]
		b.Run(name, func(b *testing.B) {
			var took, cpu [2]time.Duration
			var allocs, bytes [2]uint64
			var ratios []float64 // sdk/hand time of each pair of blocks
			var ms runtime.MemStats
			sides := [2]func() error{pair.sdk, pair.hand}
			b.ResetTimer()
			for block, done := 0, 0; done < b.N; block++ {
				n := min(benchBlock, b.N-done)
				var t [2]time.Duration
				for k := 0; k < 2; k++ {
					side := k ^ (block & 1)
					runtime.ReadMemStats(&ms)
					m0, b0 := ms.Mallocs, ms.TotalAlloc
					c0, t0 := processCPU(), time.Now()
					for i := 0; i < n; i++ {
						if err := sides[side](); err != nil {
							b.Fatal(err)
						}
					}
					t[side] = time.Since(t0)
					cpu[side] += processCPU() - c0
					runtime.ReadMemStats(&ms)
					allocs[side] += ms.Mallocs - m0
					bytes[side] += ms.TotalAlloc - b0
				}
				took[0] += t[0]
				took[1] += t[1]
				ratios = append(ratios, float64(t[0])/float64(t[1]))
				done += n
			}
			b.StopTimer()
			per := func(v float64) float64 { return v / float64(b.N) }
			b.ReportMetric(per(float64(took[0].Nanoseconds())), "sdk-ns/call")
			b.ReportMetric(per(float64(took[1].Nanoseconds())), "hand-ns/call")
			b.ReportMetric(float64(took[0])/float64(took[1]), "sdk/hand-time")
			b.ReportMetric(median(ratios), "sdk/hand-time-median-block")
			if cpu[1] > 0 {
				b.ReportMetric(float64(cpu[0])/float64(cpu[1]), "sdk/hand-cpu")
			}
			b.ReportMetric(per(float64(allocs[0])), "sdk-allocs/call")
			b.ReportMetric(per(float64(allocs[1])), "hand-allocs/call")
			b.ReportMetric(float64(allocs[0])/float64(allocs[1]), "sdk/hand-allocs")
			b.ReportMetric(per(float64(bytes[0])), "sdk-B/call")
			b.ReportMetric(per(float64(bytes[1])), "hand-B/call")
		})
	}
}

// median returns the median of v, which it sorts.
func median(v []float64) float64 {
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// BenchmarkThroughput runs GetPayment from 8 and 64 goroutines at once, the
// SDK and the hand-written call taking turns in blocks of
// throughputBlock calls per goroutine (the first side alternating), and
// reports the calls per second of each side over its own blocks, and the
// median of the ratios of each pair of blocks. b.N is the number of calls
// per side.
func BenchmarkThroughput(b *testing.B) {
	s := newBenchServer(b)
	pair := benchPairs(b, s)["GetPayment"]
	sides := [2]func() error{pair.sdk, pair.hand}
	for _, g := range []int{8, 64} {
		b.Run(fmt.Sprintf("goroutines=%d", g), func(b *testing.B) {
			var took [2]time.Duration
			var calls [2]int
			var ratios []float64 // sdk/hand throughput of each pair of blocks
			b.ResetTimer()
			for block := 0; calls[0] < b.N; block++ {
				n := max(1, min(throughputBlock*g, b.N-calls[0]))
				var t [2]time.Duration
				for k := 0; k < 2; k++ {
					side := k ^ (block & 1)
					t0 := time.Now()
					benchParallel(b, g, n, sides[side])
					t[side] = time.Since(t0)
					calls[side] += n
				}
				took[0] += t[0]
				took[1] += t[1]
				ratios = append(ratios, float64(t[1])/float64(t[0]))
			}
			b.StopTimer()
			sdk := float64(calls[0]) / took[0].Seconds()
			hand := float64(calls[1]) / took[1].Seconds()
			b.ReportMetric(sdk, "sdk-calls/s")
			b.ReportMetric(hand, "hand-calls/s")
			b.ReportMetric(median(ratios), "sdk/hand-throughput-median-block")
			b.ReportMetric(sdk/hand, "sdk/hand-throughput")
		})
	}
}

// throughputBlock is how many calls each goroutine makes in one block of
// BenchmarkThroughput: blocks short enough (a tenth of a second or so) that
// the load of a shared machine changes little from one to the next.
const throughputBlock = 10

// benchParallel runs op n times in all, split across g goroutines.
func benchParallel(b *testing.B, g, n int, op func() error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, g)
	for range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := op(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

// benchGoroutines runs op b.N times in all, split across n goroutines.
func benchGoroutines(b *testing.B, n int, op func() error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := time.Now()
	for g := 0; g < n; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if err := op(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkTokenCache measures calls with a warm token from 1, 8 and 64
// goroutines: the token lookup alone (token), and whole GetPayment calls
// (GetPayment). token-requests counts the getToken requests the server saw
// during the run: a warm cache makes none.
func BenchmarkTokenCache(b *testing.B) {
	s := newBenchServer(b)
	ctx := context.Background()
	for _, n := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("token/goroutines=%d", n), func(b *testing.B) {
			c := newBenchClient(b, s)
			before := s.tokens.Load()
			b.ReportAllocs()
			b.ResetTimer()
			benchGoroutines(b, n, func() error {
				_, err := c.token(ctx)
				return err
			})
			b.ReportMetric(float64(s.tokens.Load()-before), "token-requests")
		})
		b.Run(fmt.Sprintf("GetPayment/goroutines=%d", n), func(b *testing.B) {
			c := newBenchClient(b, s)
			before := s.tokens.Load()
			b.ReportAllocs()
			b.ResetTimer()
			benchGoroutines(b, n, func() error {
				_, err := c.GetPayment(ctx, "imp_123456789012")
				return err
			})
			b.ReportMetric(float64(s.tokens.Load()-before), "token-requests")
		})
	}
}

// BenchmarkIteratePayments walks 10,000 and 100,000 payments (and
// 1,000,000 with IAMPORT_BENCH_MILLION set) through
// ListPaymentsByStatus, 1,000 to a page generated by the server, and reports
// allocations and bytes per item, the peak heap in use, sampled every
// 5,000 items (it does not grow with the number of items), and the number
// of garbage collections per walk.
func BenchmarkIteratePayments(b *testing.B) {
	s := newBenchServer(b)
	sizes := []int{10_000, 100_000}
	if os.Getenv("IAMPORT_BENCH_MILLION") != "" {
		sizes = append(sizes, 1_000_000)
	}
	for _, total := range sizes {
		b.Run(fmt.Sprintf("items=%d", total), func(b *testing.B) {
			c := newBenchClient(b, s)
			s.total.Store(int64(total))
			req := &ListPaymentsByStatusRequest{Limit: maxPageLimit}
			ctx := context.Background()
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			mallocs, bytes, gcs := ms.Mallocs, ms.TotalAlloc, ms.NumGC
			var peak uint64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				n := 0
				for p, err := range c.ListPaymentsByStatus(ctx, req) {
					if err != nil {
						b.Fatal(err)
					}
					if p.Amount != 9900 {
						b.Fatal("bad item")
					}
					if n++; n%5000 == 0 {
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapInuse)
					}
				}
				if n != total {
					b.Fatalf("got %d items, want %d", n, total)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&ms)
			items := float64(b.N) * float64(total)
			b.ReportMetric(float64(ms.Mallocs-mallocs)/items, "allocs/item")
			b.ReportMetric(float64(ms.TotalAlloc-bytes)/items, "B/item")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(ms.NumGC-gcs)/float64(b.N), "GCs/op")
		})
	}
}
