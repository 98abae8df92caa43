package iamport_test

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
	"github.com/iamport-go/iamport/iamporttest"
	"github.com/stretchr/testify/require"
)

// a3Server is an iamport that answers as the API reference says: a
// token endpoint, and the handler the test gives for everything else. It
// records every request it received.
type a3Server struct {
	mu    sync.Mutex
	calls map[string]int
	// bodies holds the raw bodies and queries received, per "METHOD path".
	bodies map[string][]string
}

func newA3Server(t *testing.T, h func(w http.ResponseWriter, r *http.Request, body []byte), opts ...iamport.Option) (*a3Server, *iamport.Client) {
	t.Helper()
	s := &a3Server{calls: map[string]int{}, bodies: map[string][]string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/users/getToken" {
			now := time.Now().Unix()
			fmt.Fprintf(w, `{"code":0,"message":null,"response":{"access_token":"tok","now":%d,"expired_at":%d}}`, now, now+1800)
			return
		}
		key := r.Method + " " + r.URL.Path
		s.mu.Lock()
		s.calls[key]++
		s.bodies[key] = append(s.bodies[key], string(body)+"?"+r.URL.RawQuery)
		s.mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/payments/findAll/") {
			// The order's earlier payments, listed before an issue: none,
			// as iamport answers, unless the test answers otherwise.
			rec := httptest.NewRecorder()
			h(rec, r, body)
			if rec.Body.Len() == 0 {
				w.WriteHeader(http.StatusNotFound)
				io.WriteString(w, `{"code":1,"message":"존재하지 않는 결제정보입니다.","response":null}`)
				return
			}
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		h(w, r, body)
	}))
	t.Cleanup(srv.Close)
	opts = append([]iamport.Option{iamport.WithBaseURL(srv.URL),
		iamport.WithReconcileTimeout(300 * time.Millisecond), iamport.WithTimeout(30 * time.Second)}, opts...)
	c, err := iamport.New("key", "secret", opts...)
	require.NoError(t, err)
	return s, c
}

func (s *a3Server) count(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[key]
}

func (s *a3Server) sent(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.bodies[key], "\n")
}

func a3Envelope(w http.ResponseWriter, status int, response string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"code":0,"message":null,"response":%s}`, response)
}

func a3VbankJSON(status string, startedAt int64) string {
	return fmt.Sprintf(`{"imp_uid":"imp_000000000001","merchant_uid":"vb-1","pay_method":"vbank","amount":10000,
	"status":%q,"started_at":%d,"vbank_num":"56211012345678","vbank_holder":"홍길동","vbank_name":"국민은행",
	"vbank_code":"004","vbank_date":%d,"buyer_name":"김철수","buyer_tel":"010-1234-5678",
	"deposit_history":[{"pg_tid":"t1","amount":10000,"depositor_name":"이영희","deposited_at":%d}]}`,
		status, startedAt, startedAt+86400, startedAt)
}

// a3LeakForms prints v every way the brief names, alone and nested.
func a3LeakForms(t *testing.T, v any) string {
	t.Helper()
	var b strings.Builder
	type holder struct {
		V   any
		Ptr any
	}
	nested := []any{v, []any{v}, map[string]any{"k": v}, holder{V: v, Ptr: &v}, &holder{V: v}}
	for _, n := range nested {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			fmt.Fprintf(&b, verb+"\n", n)
		}
		j, err := json.Marshal(n)
		if err == nil {
			b.Write(j)
		}
		var tb, jb bytes.Buffer
		slog.New(slog.NewTextHandler(&tb, nil)).Info("m", "v", n)
		slog.New(slog.NewJSONHandler(&jb, nil)).Info("m", "v", n)
		b.WriteString(tb.String())
		b.WriteString(jb.String())
	}
	return b.String()
}

func a3NoLeak(t *testing.T, out string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		require.NotContains(t, out, s)
	}
}

var _ = errors.New
var _ = context.Background

func TestA3LeakRequestsAndResults(t *testing.T) {
	birth := "900101"
	cases := []struct {
		name    string
		v       any
		secrets []string
	}{
		{"VbankRequest", iamport.VbankRequest{ChannelKey: "ch", MerchantUID: "m", Amount: 1000, VbankCode: "004", VbankDue: time.Unix(1900000000, 0),
			VbankHolder: "홍길동", VbankNum: "56211012345678", BuyerName: "김철수", BuyerTel: "01012345678", BuyerEmail: "a@b.kr",
			BuyerAddr: "서울시 강남구", BusinessRegistrationNumber: "1234567890", EscrowPassword: "pw-secret", PGAPIKey: "pgkey-secret"},
			[]string{"홍길동", "56211012345678", "김철수", "01012345678", "a@b.kr", "서울시", "1234567890", "pw-secret", "pgkey-secret"}},
		{"RevokeVbankRequest", iamport.RevokeVbankRequest{ImpUID: "imp_1", PGAPIKey: "pgkey-secret"}, []string{"pgkey-secret"}},
		{"VbankHolderRequest", iamport.VbankHolderRequest{BankCode: "004", BankNum: "56211012345678"}, []string{"56211012345678"}},
		{"VbankHolder", iamport.VbankHolder{BankHolder: "홍길동"}, []string{"홍길동"}},
		{"ReceiptRequest", iamport.ReceiptRequest{ImpUID: "imp_1", Identifier: "8001011234567", CompanyTel: "0212345678", CorpRegNo: "1234567890",
			BuyerName: "김철수", BuyerEmail: "a@b.kr", BuyerTel: "01012345678"},
			[]string{"8001011234567", "0212345678", "1234567890", "김철수", "a@b.kr", "01012345678"}},
		{"ExternalReceiptRequest", iamport.ExternalReceiptRequest{MerchantUID: "m", ChannelKey: "c", Name: "n", Amount: 1000, Identifier: "8001011234567",
			CorpRegNo: "1234567890", BuyerName: "김철수", BuyerEmail: "a@b.kr", BuyerTel: "01012345678"},
			[]string{"8001011234567", "1234567890", "김철수", "a@b.kr", "01012345678"}},
		{"CertificationOTPRequest", iamport.CertificationOTPRequest{Name: "홍길동", Phone: "01012345678", Birth: birth, GenderDigit: "1", Carrier: "SKT", ChannelKey: "c"},
			[]string{"홍길동", "01012345678", birth}},
		{"Certification", iamport.Certification{ImpUID: "imp_1", Name: "홍길동", Gender: "female", Birthday: "1990-01-01", Phone: "01012345678", Carrier: "SKT_MVNO",
			UniqueKey: "CI-secret-key", UniqueInSite: "DI-secret-key"},
			[]string{"홍길동", "female", "1990-01-01", "01012345678", "SKT_MVNO", "CI-secret-key", "DI-secret-key"}},
		{"EscrowLogisRequest", iamport.EscrowLogisRequest{ImpUID: "imp_1",
			Sender:   iamport.EscrowParty{Name: "홍길동", Tel: "01012345678", Addr: "서울시 강남구", Postcode: "06236", FormedAddress: &iamport.EscrowAddress{AddressLine1: "테헤란로 1", AddressLine2: "101호"}},
			Receiver: iamport.EscrowParty{Name: "김철수", Tel: "01099998888", Addr: "부산시 해운대구", Postcode: "48094"},
			Logis:    iamport.EscrowLogisInfo{Company: "CJ", Invoice: "1234", SentAt: time.Unix(1700000000, 0), Address: "대전시 유성구"}},
			[]string{"홍길동", "01012345678", "서울시", "06236", "테헤란로", "101호", "김철수", "01099998888", "부산시", "48094", "대전시"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := a3LeakForms(t, tc.v)
			a3NoLeak(t, out, tc.secrets...)
			// a pointer too
			out = a3LeakForms(t, &tc.v)
			a3NoLeak(t, out, tc.secrets...)
		})
	}
}

func TestA3LeakVbankPayment(t *testing.T) {
	var p iamport.Payment
	require.NoError(t, json.Unmarshal([]byte(a3VbankJSON("ready", 1700000000)), &p))
	// Its JSON form keeps the account for the merchant's own API (as
	// documented); every printed form hides it, nested or not.
	var b strings.Builder
	for _, n := range []any{p, &p, []iamport.Payment{p}, map[string]*iamport.Payment{"k": &p}, struct{ P iamport.Payment }{p}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			fmt.Fprintf(&b, verb+"\n", n)
		}
	}
	var tb, jb bytes.Buffer
	slog.New(slog.NewTextHandler(&tb, nil)).Info("m", "p", p, "pp", &p)
	slog.New(slog.NewJSONHandler(&jb, nil)).Info("m", "p", p, "pp", &p)
	a3NoLeak(t, b.String()+tb.String()+jb.String(), "56211012345678", "홍길동")
}

func TestA3LeakVbankDepositorName(t *testing.T) {
	var p iamport.Payment
	require.NoError(t, json.Unmarshal([]byte(a3VbankJSON("paid", 1700000000)), &p))
	require.Equal(t, "이영희", p.DepositHistory[0].DepositorName)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		require.NotContains(t, fmt.Sprintf(verb, p), "이영희", verb)
	}
	var tb bytes.Buffer
	slog.New(slog.NewTextHandler(&tb, nil)).Info("m", "p", p)
	require.NotContains(t, tb.String(), "이영희")
}

// a3Reset drops the connection without an answer, after reading the request.
func a3Reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("no hijacker")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

var a3LostAnswers = []struct {
	name   string
	answer func(w http.ResponseWriter)
}{
	{"500 html", func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(500)
		io.WriteString(w, "<html>Internal Server Error</html>")
	}},
	{"504 empty", func(w http.ResponseWriter) { w.WriteHeader(504) }},
	{"502 json code -1", func(w http.ResponseWriter) {
		w.WriteHeader(502)
		io.WriteString(w, `{"code":-1,"message":"bad gateway","response":null}`)
	}},
	{"reset", a3Reset},
	{"200 truncated", func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"code":0,"message":null,"response":{"imp_uid":"imp_0000`)
	}},
	{"200 html", func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html>ok</html>")
	}},
	{"200 null response", func(w http.ResponseWriter) {
		io.WriteString(w, `{"code":0,"message":null,"response":null}`)
	}},
}

func a3VbankReq() *iamport.VbankRequest {
	return &iamport.VbankRequest{ChannelKey: "channel-key-1", MerchantUID: "vb-1", Amount: 10000, VbankCode: "004",
		VbankDue: time.Now().Add(48 * time.Hour), VbankHolder: "홍길동", PGAPIKey: "pgkey"}
}

func TestA3IssueVbankLostAnswerNeverResentNorSuccess(t *testing.T) {
	for _, la := range a3LostAnswers {
		t.Run(la.name, func(t *testing.T) {
			s, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
				switch r.URL.Path {
				case "/vbanks":
					la.answer(w)
				default:
					w.WriteHeader(404)
					io.WriteString(w, `{"code":1,"message":"존재하지 않는 결제정보입니다.","response":null}`)
				}
			})
			p, err := c.IssueVbank(context.Background(), a3VbankReq())
			require.Nil(t, p)
			var u *iamport.OutcomeUnknownError
			require.ErrorAs(t, err, &u, "%v", err)
			require.Equal(t, 1, s.count("POST /vbanks"))
			require.NotContains(t, err.Error(), "pgkey")
			require.NotContains(t, fmt.Sprintf("%+v %#v", err, err), "pgkey")
		})
	}
}

func TestA3IssueVbankLostAnswerSettledByLookup(t *testing.T) {
	for _, la := range a3LostAnswers {
		t.Run(la.name, func(t *testing.T) {
			var issued time.Time
			s, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
				switch r.URL.Path {
				case "/vbanks":
					issued = time.Now()
					la.answer(w)
				case "/payments/find/vb-1":
					a3Envelope(w, 200, a3VbankJSON("ready", issued.Unix()))
				}
			})
			p, err := c.IssueVbank(context.Background(), a3VbankReq())
			require.NoError(t, err)
			require.Equal(t, "56211012345678", p.VbankNum)
			require.Equal(t, 1, s.count("POST /vbanks"))
		})
	}
}

func TestA3IssueVbankFailedPaymentIsNotSuccess(t *testing.T) {
	_, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		body := strings.Replace(a3VbankJSON("failed", time.Now().Unix()), `"vbank_num":"56211012345678"`, `"vbank_num":"","fail_reason":"가상계좌 발급 실패"`, 1)
		a3Envelope(w, 200, body)
	})
	p, err := c.IssueVbank(context.Background(), a3VbankReq())
	var d *iamport.DeclinedError
	require.ErrorAs(t, err, &d, "a failed issue reported as success: %+v", p)
	require.Equal(t, "가상계좌 발급 실패", d.Payment.FailReason)
	require.Contains(t, err.Error(), "가상계좌 발급 실패")
}

func TestA3RevokeVbankPaidMeanwhileIsNotSuccess(t *testing.T) {
	_, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		a3Envelope(w, 200, a3VbankJSON("paid", time.Now().Unix()))
	})
	p, err := c.RevokeVbank(context.Background(), &iamport.RevokeVbankRequest{ImpUID: "imp_000000000001"})
	require.ErrorIs(t, err, iamport.ErrVbankPaid, "a revoke whose payment shows paid reported as success: %+v", p)
	require.Equal(t, iamport.PaymentStatusPaid, p.Status)
}

func TestA3RevokeVbankRefusedAndLost(t *testing.T) {
	for _, la := range a3LostAnswers {
		t.Run(la.name, func(t *testing.T) {
			s, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) { la.answer(w) })
			p, err := c.RevokeVbank(context.Background(), &iamport.RevokeVbankRequest{ImpUID: "imp_000000000001", PGAPIKey: "pgkey"})
			require.Nil(t, p)
			require.Error(t, err)
			require.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), "pgkey")
			require.Equal(t, 1, s.count("DELETE /vbanks/imp_000000000001"))
		})
	}
	_, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.WriteHeader(400)
		io.WriteString(w, `{"code":1,"message":"가상계좌가 입금대기 상태가 아닙니다.","response":null}`)
	})
	_, err := c.RevokeVbank(context.Background(), &iamport.RevokeVbankRequest{ImpUID: "imp_000000000001"})
	var ae *iamport.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 400, ae.StatusCode)
}

func a3ReceiptJSON(applied, cancelled int64) string {
	return fmt.Sprintf(`{"imp_uid":"imp_000000000001","receipt_tid":"r1","apply_num":"123456789","type":"person","amount":10000,"vat":909,
	"receipt_url":"https://r.example/1","applied_at":%d,"cancelled_at":%d}`, applied, cancelled)
}

func TestA3ReceiptLostAnswers(t *testing.T) {
	for _, la := range a3LostAnswers {
		t.Run(la.name, func(t *testing.T) {
			ctx := context.Background()
			// Issue: nothing shows, then an older live receipt, then one of the call.
			var lookups int
			var issued time.Time
			s, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
				switch r.Method {
				case "POST":
					issued = time.Now()
					la.answer(w)
				case "GET":
					lookups++
					switch lookups {
					case 1:
						w.WriteHeader(404)
						io.WriteString(w, `{"code":1,"message":"현금영수증 발행된 내역이 없습니다","response":null}`)
					case 2:
						a3Envelope(w, 200, a3ReceiptJSON(issued.Unix()-3600, 0))
					default:
						a3Envelope(w, 200, a3ReceiptJSON(issued.Unix(), 0))
					}
				}
			}, iamport.WithReconcileTimeout(time.Minute))
			rc, err := c.IssueReceipt(ctx, &iamport.ReceiptRequest{ImpUID: "imp_000000000001", Identifier: "01012345678"})
			require.NoError(t, err)
			require.Equal(t, "123456789", rc.ApplyNum)
			require.GreaterOrEqual(t, lookups, 3)
			require.Equal(t, 1, s.count("POST /receipts/imp_000000000001"))
		})
	}
}

func TestA3ReceiptLostAnswerOnlyOlderReceipt(t *testing.T) {
	for _, la := range a3LostAnswers {
		t.Run(la.name, func(t *testing.T) {
			s, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
				switch r.Method {
				case "POST", "DELETE":
					la.answer(w)
				case "GET":
					a3Envelope(w, 200, a3ReceiptJSON(time.Now().Unix()-3600, 0))
				}
			})
			ctx := context.Background()
			rc, err := c.IssueReceipt(ctx, &iamport.ReceiptRequest{ImpUID: "imp_000000000001", Identifier: "01012345678"})
			var u *iamport.OutcomeUnknownError
			require.ErrorAs(t, err, &u, "%+v", rc)
			require.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), "01012345678")
			rc, err = c.CancelReceipt(ctx, "imp_000000000001")
			require.ErrorAs(t, err, &u, "%+v", rc)
			erc, err := c.IssueExternalReceipt(ctx, &iamport.ExternalReceiptRequest{MerchantUID: "ext-1", ChannelKey: "c", Name: "n", Amount: 1000, Identifier: "01012345678"})
			require.ErrorAs(t, err, &u, "%+v", erc)
			erc, err = c.CancelExternalReceipt(ctx, "ext-1")
			require.ErrorAs(t, err, &u, "%+v", erc)
			require.Equal(t, 1, s.count("POST /receipts/imp_000000000001"))
			require.Equal(t, 1, s.count("DELETE /receipts/imp_000000000001"))
			require.Equal(t, 1, s.count("POST /receipts/external/ext-1"))
			require.Equal(t, 1, s.count("DELETE /receipts/external/ext-1"))
		})
	}
}

func TestA3CancelReceiptLostAnswerSettled(t *testing.T) {
	s, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		switch r.Method {
		case "DELETE":
			w.WriteHeader(504)
		case "GET":
			a3Envelope(w, 200, a3ReceiptJSON(time.Now().Unix()-3600, time.Now().Unix()))
		}
	})
	rc, err := c.CancelReceipt(context.Background(), "imp_000000000001")
	require.NoError(t, err)
	require.False(t, rc.CancelledAt.IsZero())
	require.Equal(t, 1, s.count("DELETE /receipts/imp_000000000001"))
}

// iamport answers a refused write with HTTP 200 and a non-zero code, or 4xx.
func TestA3ReceiptRefusalsAreErrors(t *testing.T) {
	for _, ans := range []struct {
		status int
		body   string
	}{
		{200, `{"code":1,"message":"이미 현금영수증이 발행된 건입니다.","response":null}`},
		{400, `{"code":1,"message":"결제완료 상태가 아닙니다.","response":null}`},
		{501, `{"code":1,"message":"지원하지 않는 PG사입니다.","response":null}`},
	} {
		s, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
			if r.Method == "GET" {
				w.WriteHeader(404)
				io.WriteString(w, `{"code":1,"message":"없음","response":null}`)
				return
			}
			w.WriteHeader(ans.status)
			io.WriteString(w, ans.body)
		})
		rc, err := c.IssueReceipt(context.Background(), &iamport.ReceiptRequest{ImpUID: "imp_000000000001", Identifier: "01012345678"})
		require.Error(t, err, "%d %+v", ans.status, rc)
		require.Nil(t, rc)
		require.Equal(t, 1, s.count("POST /receipts/imp_000000000001"))
	}
}

func TestA3LeakDepositAlone(t *testing.T) {
	d := iamport.Deposit{PGTID: "t1", Amount: 1000, DepositorName: "이영희"}
	var b strings.Builder
	for _, n := range []any{d, &d, []iamport.Deposit{d}, map[string]iamport.Deposit{"k": d}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			fmt.Fprintf(&b, verb+"\n", n)
		}
	}
	var tb, jb bytes.Buffer
	slog.New(slog.NewTextHandler(&tb, nil)).Info("m", "d", d, "pd", &d)
	slog.New(slog.NewJSONHandler(&jb, nil)).Info("m", "d", d)
	a3NoLeak(t, b.String()+tb.String()+jb.String(), "이영희")
	require.Contains(t, b.String(), "t1")
	// Its JSON form is iamport's record, kept whole.
	j, err := json.Marshal(d)
	require.NoError(t, err)
	require.Contains(t, string(j), "이영희")
}

// The SDK sends the real values that every printed form hides.
func TestA3WireCarriesRealValues(t *testing.T) {
	s, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		switch {
		case r.URL.Path == "/vbanks" && r.Method == "POST":
			a3Envelope(w, 200, a3VbankJSON("ready", time.Now().Unix()))
		case strings.HasPrefix(r.URL.Path, "/vbanks/holder"):
			a3Envelope(w, 200, `{"bank_holder":"홍길동"}`)
		case strings.HasPrefix(r.URL.Path, "/vbanks/"):
			a3Envelope(w, 200, a3VbankJSON("cancelled", time.Now().Unix()))
		case strings.HasPrefix(r.URL.Path, "/receipts/external/"):
			a3Envelope(w, 200, strings.Replace(a3ReceiptJSON(time.Now().Unix(), 0), `"imp_uid":"imp_000000000001"`, `"merchant_uid":"ext/1"`, 1))
		case strings.HasPrefix(r.URL.Path, "/receipts/"):
			a3Envelope(w, 200, a3ReceiptJSON(time.Now().Unix(), 0))
		case r.URL.Path == "/certifications/otp/request":
			a3Envelope(w, 200, `{"imp_uid":"imp_cert_1"}`)
		case strings.HasPrefix(r.URL.Path, "/certifications/"):
			a3Envelope(w, 200, `{"imp_uid":"imp_cert_1","name":"홍길동","certified":true}`)
		case strings.HasPrefix(r.URL.Path, "/escrows/logis/"):
			a3Envelope(w, 200, `{"company":"CJ","invoice":"1234","sent_at":1700000000,"applied_at":1700000001}`)
		}
	})
	ctx := context.Background()
	vr := a3VbankReq()
	vr.BuyerTel, vr.BusinessRegistrationNumber, vr.TaxFree, vr.VatAmount = "01012345678", "1234567890", iamport.Ptr[iamport.Amount](0), iamport.Ptr[iamport.Amount](0)
	_, err := c.IssueVbank(ctx, vr)
	require.NoError(t, err)
	got := s.sent("POST /vbanks")
	for _, want := range []string{`"vbank_holder":"홍길동"`, `"buyer_tel":"01012345678"`, `"business_registration_number":"1234567890"`,
		`"tax_free":0`, `"vat_amount":0`, fmt.Sprintf(`"vbank_due":%d`, vr.VbankDue.Unix()), "pg_api_key=pgkey"} {
		require.Contains(t, got, want)
	}
	_, err = c.RevokeVbank(ctx, &iamport.RevokeVbankRequest{ImpUID: "imp_000000000001", PGAPIKey: "pgkey"})
	require.NoError(t, err)
	require.Contains(t, s.sent("DELETE /vbanks/imp_000000000001"), "pg_api_key=pgkey")
	h, err := c.GetVbankHolder(ctx, &iamport.VbankHolderRequest{BankCode: "004", BankNum: "56211012345678"})
	require.NoError(t, err)
	require.Equal(t, "홍길동", h.BankHolder)
	require.Contains(t, s.sent("GET /vbanks/holder"), "bank_num=56211012345678")

	_, err = c.IssueReceipt(ctx, &iamport.ReceiptRequest{ImpUID: "imp_000000000001", Identifier: "010-1234-5678", BuyerName: "김철수", CompanyTel: "0212345678"})
	require.NoError(t, err)
	got = s.sent("POST /receipts/imp_000000000001")
	require.Contains(t, got, `"identifier":"010-1234-5678"`)
	require.Contains(t, got, `"buyer_name":"김철수"`)
	require.Contains(t, got, `"company_tel":"0212345678"`)
	_, err = c.IssueExternalReceipt(ctx, &iamport.ExternalReceiptRequest{MerchantUID: "ext/1", ChannelKey: "c", Name: "n", Amount: 1000, Identifier: "8001011234567"})
	require.NoError(t, err)
	require.Contains(t, s.sent("POST /receipts/external/ext/1"), `"identifier":"8001011234567"`)

	otp, err := c.RequestCertificationOTP(ctx, &iamport.CertificationOTPRequest{Name: "홍길동", Phone: "010.1234.5678", Birth: "90-01-01", GenderDigit: "1",
		Carrier: iamport.CarrierSKT, ChannelKey: "c", IsMVNO: iamport.Ptr(true)})
	require.NoError(t, err)
	require.Equal(t, "imp_cert_1", otp.ImpUID)
	got = s.sent("POST /certifications/otp/request")
	for _, want := range []string{`"name":"홍길동"`, `"phone":"010.1234.5678"`, `"birth":"90-01-01"`, `"gender_digit":"1"`, `"is_mvno":true`} {
		require.Contains(t, got, want)
	}
	cert, err := c.ConfirmCertificationOTP(ctx, "imp_cert_1", "")
	require.NoError(t, err)
	require.Equal(t, "홍길동", cert.Name)
	require.NotContains(t, s.sent("POST /certifications/otp/confirm/imp_cert_1"), "otp")
	_, err = c.ConfirmCertificationOTP(ctx, "imp_cert_1", "123456")
	require.NoError(t, err)
	require.Contains(t, s.sent("POST /certifications/otp/confirm/imp_cert_1"), `"otp":"123456"`)

	er := &iamport.EscrowLogisRequest{ImpUID: "imp_000000000001",
		Sender:   iamport.EscrowParty{Name: "홍길동", Tel: "01012345678", FormedAddress: &iamport.EscrowAddress{AddressLine1: "테헤란로 1", AddressLine2: "101호"}},
		Receiver: iamport.EscrowParty{Name: "김철수", Postcode: "48094"},
		Logis:    iamport.EscrowLogisInfo{Company: "CJ", Invoice: "1234", SentAt: time.Unix(1700000000, 0), Address: "대전시 유성구"}}
	_, err = c.RegisterEscrowLogis(ctx, er)
	require.NoError(t, err)
	got = s.sent("POST /escrows/logis/imp_000000000001")
	for _, want := range []string{`"name":"홍길동"`, `"tel":"01012345678"`, `"address_line_1":"테헤란로 1"`, `"postcode":"48094"`, `"address":"대전시 유성구"`, `"sent_at":1700000000`} {
		require.Contains(t, got, want)
	}
	_, err = c.UpdateEscrowLogis(ctx, er)
	require.NoError(t, err)
	require.Contains(t, s.sent("PUT /escrows/logis/imp_000000000001"), `"name":"홍길동"`)
}

// Answers in the shapes the reference allows decode.
func TestA3DecodeLenient(t *testing.T) {
	answers := map[string]string{
		"/receipts/imp_1": `{"imp_uid":"imp_1","receipt_tid":null,"apply_num":"1","type":"anonymous","amount":"10000","vat":909.0,
			"receipt_url":null,"applied_at":"1700000000","cancelled_at":null,"new_field":{"x":1}}`,
		"/receipts/external/m1": `{"merchant_uid":"m1","apply_num":"1","type":"company","amount":10000.0,"vat":"909","applied_at":1700000000.5,"cancelled_at":0}`,
		"/certifications/imp_c": `{"imp_uid":"imp_c","merchant_uid":null,"pg_tid":null,"pg_provider":"kcp_v2","name":"홍길동","gender":"unknown",
			"birthday":"1990-01-01","birth":631152000,"foreigner":null,"foreigner_v2":null,"phone":null,"carrier":null,"certified":true,
			"certified_at":"1700000000","unique_key":"ci","unique_in_site":"di","origin":null,"extra":[1,2]}`,
		"/escrows/logis/imp_1": `{"company":"CJ","invoice":"1234","sent_at":"1700000000","applied_at":null}`,
		"/vbanks/holder":       `{"bank_holder":null}`,
	}
	_, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		a, ok := answers[r.URL.Path]
		if !ok {
			w.WriteHeader(404)
			return
		}
		a3Envelope(w, 200, a)
	})
	ctx := context.Background()
	rc, err := c.GetReceipt(ctx, "imp_1")
	require.NoError(t, err)
	require.Equal(t, iamport.Amount(10000), rc.Amount)
	require.Equal(t, iamport.Amount(909), rc.Vat)
	require.Equal(t, iamport.ReceiptType("anonymous"), rc.Type)
	require.Equal(t, int64(1700000000), rc.AppliedAt.Unix())
	require.True(t, rc.CancelledAt.IsZero())
	erc, err := c.GetExternalReceipt(ctx, "m1")
	require.NoError(t, err)
	require.Equal(t, iamport.Amount(909), erc.Vat)
	require.True(t, erc.CancelledAt.IsZero())
	cert, err := c.GetCertification(ctx, "imp_c")
	require.NoError(t, err)
	require.Nil(t, cert.ForeignerV2)
	require.Equal(t, "unknown", cert.Gender)
	require.Equal(t, int64(1700000000), cert.CertifiedAt.Unix())
	l, err := c.GetEscrowLogis(ctx, "imp_1")
	require.NoError(t, err)
	require.Equal(t, int64(1700000000), l.SentAt.Unix())
	require.True(t, l.AppliedAt.IsZero())
	h, err := c.GetVbankHolder(ctx, &iamport.VbankHolderRequest{BankCode: "004", BankNum: "1"})
	require.NoError(t, err)
	require.Equal(t, "", h.BankHolder)
}

// Requests the reference allows are sent.
func TestA3ValidRequestsAccepted(t *testing.T) {
	s, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		a3Envelope(w, 200, a3VbankJSON("ready", time.Now().Unix()))
	})
	ctx := context.Background()
	_, err := c.UpdateVbank(ctx, &iamport.UpdateVbankRequest{ImpUID: "imp_1", VbankDue: time.Unix(1900000000, 0)})
	require.NoError(t, err)
	require.JSONEq(t, `{"vbank_due":1900000000}`, strings.TrimSuffix(s.sent("PUT /vbanks/imp_1"), "?"))
	_, err = c.UpdateVbank(ctx, &iamport.UpdateVbankRequest{ImpUID: "imp_2", Amount: 20000})
	require.NoError(t, err)
	require.JSONEq(t, `{"amount":20000}`, strings.TrimSuffix(s.sent("PUT /vbanks/imp_2"), "?"))
	// Without the holder (PGs that use the merchant's name), with a fixed account.
	_, err = c.IssueVbank(ctx, &iamport.VbankRequest{ChannelKey: "c", MerchantUID: "vb-1", Amount: 10000, VbankCode: "004",
		VbankDue: time.Now().Add(time.Hour), VbankNum: "56211012345678", VbankKey: "k1", FixedUnlimitedVbank: iamport.Ptr(true), EscrowPassword: "pw"})
	require.NoError(t, err)
	got := s.sent("POST /vbanks")
	require.Contains(t, got, `"vbank_num":"56211012345678"`)
	require.Contains(t, got, `"vbank_key":"k1"`)
	require.Contains(t, got, `"escrow_password":"pw"`)
	require.Contains(t, got, `"fixed_unlimited_vbank":true`)
	// Escrow shipping without sender or receiver data (what is required depends on the PG).
	_, err = c.RegisterEscrowLogis(ctx, &iamport.EscrowLogisRequest{ImpUID: "imp_1", Logis: iamport.EscrowLogisInfo{Company: "CJ", Invoice: "1", SentAt: time.Unix(1700000000, 0)}})
	require.NoError(t, err)
}

// A redacted copy of a request (printed or JSON-encoded, then decoded and
// sent again) is refused before anything is sent: "[REDACTED]" must never
// become a holder name, a receipt identifier or a verified person's name
// at iamport.
func TestA3RedactedCopyIsNeverSent(t *testing.T) {
	s, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		a3Envelope(w, 200, `{}`)
	})
	ctx := context.Background()
	roundTrip := func(v, into any) {
		j, err := json.Marshal(v)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(j, into))
	}
	// VbankRequest encodes vbank_due as Unix seconds, which time.Time does
	// not decode: a copy taken from its printed form.
	vr := *a3VbankReq()
	vr.VbankHolder = "[REDACTED]"
	var rr iamport.ReceiptRequest
	roundTrip(iamport.ReceiptRequest{ImpUID: "imp_1", Identifier: "01012345678"}, &rr)
	rr.ImpUID = "imp_1"
	var er iamport.ExternalReceiptRequest
	roundTrip(iamport.ExternalReceiptRequest{ChannelKey: "c", Name: "n", Amount: 1000, Identifier: "01012345678"}, &er)
	er.MerchantUID = "ext-1"
	var or iamport.CertificationOTPRequest
	roundTrip(iamport.CertificationOTPRequest{Name: "홍길동", Phone: "01012345678", Birth: "900101", GenderDigit: "1", Carrier: "SKT", ChannelKey: "c"}, &or)
	var party iamport.EscrowParty
	roundTrip(iamport.EscrowParty{Name: "홍길동", Tel: "01012345678"}, &party)
	esc := &iamport.EscrowLogisRequest{ImpUID: "imp_1", Sender: party, Logis: iamport.EscrowLogisInfo{Company: "CJ", Invoice: "1", SentAt: time.Unix(1700000000, 0)}}

	calls := []struct {
		name  string
		field string
		call  func() error
	}{
		{"IssueVbank", "vbank_holder", func() error { _, err := c.IssueVbank(ctx, &vr); return err }},
		{"IssueReceipt", "identifier", func() error { _, err := c.IssueReceipt(ctx, &rr); return err }},
		{"IssueExternalReceipt", "identifier", func() error { _, err := c.IssueExternalReceipt(ctx, &er); return err }},
		{"RequestCertificationOTP", "name", func() error { _, err := c.RequestCertificationOTP(ctx, &or); return err }},
		{"RegisterEscrowLogis", "sender.name", func() error { _, err := c.RegisterEscrowLogis(ctx, esc); return err }},
		{"UpdateEscrowLogis", "sender.name", func() error { _, err := c.UpdateEscrowLogis(ctx, esc); return err }},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ve *iamport.ValidationError
			require.ErrorAs(t, err, &ve, "a redacted copy was sent")
			require.Equal(t, tc.field, ve.Field)
		})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Empty(t, s.calls, "nothing may be sent")
}

// With logging on, and through transport failures, no account number, key
// or personal data reaches a log line or an error.
func TestA3LogsAndTransportErrorsHoldNoPersonalData(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	lw := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return logs.Write(p) })
	logger := slog.New(slog.NewJSONHandler(lw, &slog.HandlerOptions{Level: slog.LevelDebug}))
	_, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		switch {
		case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/payments/find/"):
			a3Envelope(w, 200, a3VbankJSON("ready", time.Now().Unix()))
		case r.URL.Path == "/vbanks/holder":
			a3Reset(w)
		case r.Method == "GET":
			w.WriteHeader(404)
			io.WriteString(w, `{"code":1,"message":"없음","response":null}`)
		default:
			a3Reset(w)
		}
	}, iamport.WithLogger(logger), iamport.WithMaxRetries(0))
	ctx := context.Background()
	var errs []error
	vr := a3VbankReq()
	vr.BuyerTel = "01012345678"
	_, err := c.IssueVbank(ctx, vr)
	errs = append(errs, err)
	_, err = c.RevokeVbank(ctx, &iamport.RevokeVbankRequest{ImpUID: "imp_1", PGAPIKey: "pgkey"})
	errs = append(errs, err)
	_, err = c.GetVbankHolder(ctx, &iamport.VbankHolderRequest{BankCode: "004", BankNum: "56211012345678"})
	errs = append(errs, err)
	_, err = c.IssueReceipt(ctx, &iamport.ReceiptRequest{ImpUID: "imp_1", Identifier: "8001011234567"})
	errs = append(errs, err)
	_, err = c.RequestCertificationOTP(ctx, &iamport.CertificationOTPRequest{Name: "홍길동", Phone: "01012345678", Birth: "900101", GenderDigit: "1", Carrier: "SKT", ChannelKey: "c"})
	errs = append(errs, err)
	_, err = c.ConfirmCertificationOTP(ctx, "imp_1", "654321")
	errs = append(errs, err)
	var b strings.Builder
	require.NoError(t, errs[0]) // the lookup found the account
	for _, e := range errs[1:] {
		require.Error(t, e)
		fmt.Fprintf(&b, "%v %+v %#v %s\n", e, e, e, e)
		j, _ := json.Marshal(e)
		b.Write(j)
	}
	mu.Lock()
	b.WriteString(logs.String())
	mu.Unlock()
	a3NoLeak(t, b.String(), "pgkey", "56211012345678", "8001011234567", "홍길동", "01012345678", "900101", "654321", "secret", "tok")
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// A call whose context ends while iamport holds it is reported unknown,
// with the context's error, and not sent again.
func TestA3IssueDeadlineWhileProcessing(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	s, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.Method == "GET" {
			w.WriteHeader(404)
			io.WriteString(w, `{"code":1,"message":"없음","response":null}`)
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}, iamport.WithReconcileTimeout(time.Minute))
	for _, call := range []func(ctx context.Context) error{
		func(ctx context.Context) error { _, err := c.IssueVbank(ctx, a3VbankReq()); return err },
		func(ctx context.Context) error {
			_, err := c.IssueReceipt(ctx, &iamport.ReceiptRequest{ImpUID: "imp_1", Identifier: "x"})
			return err
		},
		func(ctx context.Context) error { _, err := c.CancelReceipt(ctx, "imp_1"); return err },
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		err := call(ctx)
		cancel()
		var u *iamport.OutcomeUnknownError
		require.ErrorAs(t, err, &u)
		require.ErrorIs(t, err, context.DeadlineExceeded)
	}
	require.Equal(t, 1, s.count("POST /vbanks"))
	require.Equal(t, 1, s.count("POST /receipts/imp_1"))
	require.Equal(t, 1, s.count("DELETE /receipts/imp_1"))
}

func TestA3FakeLostAnswersSettleOnce(t *testing.T) {
	faults := []iamporttest.Fault{
		{Kind: iamporttest.FaultDropAfterProcessing},
		{Kind: iamporttest.FaultStatusAfterProcessing, Status: 504},
		{Kind: iamporttest.FaultTruncateAfterProcessing},
	}
	for i, f := range faults {
		t.Run(f.Kind.String(), func(t *testing.T) {
			srv := iamporttest.NewServer()
			t.Cleanup(srv.Close)
			c := srv.Client(iamport.WithReconcileTimeout(time.Minute))
			ctx := context.Background()
			req := a3VbankReq()
			req.MerchantUID = fmt.Sprintf("vb-fake-%d", i)
			srv.InjectFault("POST", "/vbanks", 1, f)
			p, err := c.IssueVbank(ctx, req)
			require.NoError(t, err)
			require.Equal(t, iamport.PaymentStatusReady, p.Status)
			require.NotEmpty(t, p.VbankNum)
			require.Equal(t, 1, srv.Calls("POST", "/vbanks"))
			require.Len(t, srv.PaymentsOf(req.MerchantUID), 1)

			require.NoError(t, srv.Deposit(p.ImpUID))
			// Paid meanwhile: the revoke must not pass for one.
			_, err = c.RevokeVbank(ctx, &iamport.RevokeVbankRequest{ImpUID: p.ImpUID})
			require.Error(t, err)
			got, err := c.GetPayment(ctx, p.ImpUID)
			require.NoError(t, err)
			require.Equal(t, iamport.PaymentStatusPaid, got.Status)

			srv.InjectFault("POST", "/receipts/{imp_uid}", 1, f)
			rc, err := c.IssueReceipt(ctx, &iamport.ReceiptRequest{ImpUID: p.ImpUID, Identifier: "01012345678"})
			require.NoError(t, err)
			require.False(t, rc.AppliedAt.IsZero())
			require.Equal(t, 1, srv.Calls("POST", "/receipts/{imp_uid}"))

			srv.InjectFault("DELETE", "/receipts/{imp_uid}", 1, f)
			rc, err = c.CancelReceipt(ctx, p.ImpUID)
			require.NoError(t, err)
			require.False(t, rc.CancelledAt.IsZero())
			require.Equal(t, 1, srv.Calls("DELETE", "/receipts/{imp_uid}"))
		})
	}
}

// A live receipt of another type than the request's (issued by another
// call that raced this one) does not prove this call issued it.
func TestA3ReceiptLookupMustMatchRequest(t *testing.T) {
	for _, tc := range []struct {
		name, found string
	}{
		{"other type", `{"merchant_uid":"ext-1","apply_num":"9","type":"company","amount":1000,"vat":90,"applied_at":%d,"cancelled_at":0}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
				if r.Method == "POST" {
					w.WriteHeader(500)
					return
				}
				a3Envelope(w, 200, fmt.Sprintf(tc.found, time.Now().Unix()))
			})
			rc, err := c.IssueExternalReceipt(context.Background(), &iamport.ExternalReceiptRequest{MerchantUID: "ext-1", ChannelKey: "c", Name: "n",
				Amount: 1000, Identifier: "01012345678", Type: iamport.ReceiptTypePerson})
			var u *iamport.OutcomeUnknownError
			require.ErrorAs(t, err, &u, "another call's receipt reported as this one's: %+v", rc)
			require.Equal(t, 1, s.count("POST /receipts/external/ext-1"))
		})
	}
	// Type unset means person, as iamport defaults it.
	_, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.Method == "POST" {
			w.WriteHeader(500)
			return
		}
		a3Envelope(w, 200, fmt.Sprintf(`{"imp_uid":"imp_1","apply_num":"9","type":"company","amount":1000,"vat":90,"applied_at":%d,"cancelled_at":0}`, time.Now().Unix()))
	})
	rc, err := c.IssueReceipt(context.Background(), &iamport.ReceiptRequest{ImpUID: "imp_1", Identifier: "01012345678"})
	var u *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &u, "a company receipt reported as this person receipt: %+v", rc)
}

// A virtual account's payment (IssueVbank's result) prints and logs without
// the buyer's contact data, which its request hides too.
func TestA3LeakPaymentBuyer(t *testing.T) {
	var p iamport.Payment
	require.NoError(t, json.Unmarshal([]byte(a3VbankJSON("ready", 1700000000)), &p))
	p.BuyerEmail, p.BuyerAddr = "a@b.kr", "서울시 강남구"
	var b strings.Builder
	for _, n := range []any{p, &p, []*iamport.Payment{&p}, map[string]any{"k": p}, &iamport.DeclinedError{Payment: &p}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			fmt.Fprintf(&b, verb+"\n", n)
		}
	}
	var tb, jb bytes.Buffer
	slog.New(slog.NewTextHandler(&tb, nil)).Info("m", "p", p, "pp", &p)
	slog.New(slog.NewJSONHandler(&jb, nil)).Info("m", "p", p)
	a3NoLeak(t, b.String()+tb.String()+jb.String(), "김철수", "010-1234-5678", "a@b.kr", "서울시")
	require.Contains(t, b.String(), "vb-1")
	j, err := json.Marshal(p)
	require.NoError(t, err)
	require.Contains(t, string(j), "010-1234-5678", "the JSON form stays iamport's record")
}

func TestA3EscrowLostAnswers(t *testing.T) {
	req := &iamport.EscrowLogisRequest{ImpUID: "imp_1", Sender: iamport.EscrowParty{Name: "홍길동"},
		Logis: iamport.EscrowLogisInfo{Company: "CJ", Invoice: "1234", SentAt: time.Unix(1700000000, 0)}}
	for _, la := range a3LostAnswers {
		t.Run(la.name, func(t *testing.T) {
			for _, look := range []struct {
				status int
				body   string
				ok     bool
			}{
				{409, `{"code":1,"message":"등록된 배송정보가 존재하지 않습니다.","response":null}`, false},
				{200, `{"code":0,"message":null,"response":{"company":"CJ","invoice":"9999","sent_at":1700000000,"applied_at":1700000001}}`, false},
				{200, `{"code":0,"message":null,"response":{"company":"CJ","invoice":"1234","sent_at":1700000000,"applied_at":1700000001}}`, true},
			} {
				s, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
					if r.Method == "GET" {
						w.WriteHeader(look.status)
						io.WriteString(w, look.body)
						return
					}
					la.answer(w)
				})
				l, err := c.RegisterEscrowLogis(context.Background(), req)
				if look.ok {
					require.NoError(t, err)
					require.Equal(t, "1234", l.Invoice)
				} else {
					var u *iamport.OutcomeUnknownError
					require.ErrorAs(t, err, &u, "%+v", l)
					require.NotContains(t, fmt.Sprintf("%v %+v", err, err), "홍길동")
				}
				require.Equal(t, 1, s.count("POST /escrows/logis/imp_1"))
				_, err = c.UpdateEscrowLogis(context.Background(), req)
				require.Error(t, err)
				require.Equal(t, 1, s.count("PUT /escrows/logis/imp_1"))
			}
		})
	}
}

// Nil pointers of the redacting types print, log and encode without a panic.
func TestA3NilPointersPrint(t *testing.T) {
	for _, v := range []any{(*iamport.VbankRequest)(nil), (*iamport.RevokeVbankRequest)(nil), (*iamport.VbankHolderRequest)(nil),
		(*iamport.VbankHolder)(nil), (*iamport.ReceiptRequest)(nil), (*iamport.ExternalReceiptRequest)(nil),
		(*iamport.CertificationOTPRequest)(nil), (*iamport.Certification)(nil), (*iamport.EscrowLogisRequest)(nil),
		(*iamport.EscrowParty)(nil), (*iamport.EscrowAddress)(nil), (*iamport.EscrowLogisInfo)(nil), (*iamport.Payment)(nil), (*iamport.Deposit)(nil)} {
		require.NotPanics(t, func() {
			out := a3LeakForms(t, v)
			require.NotContains(t, out, "PANIC", "%T", v)
		}, "%T", v)
	}
}

// Any 2xx with code 0 (as an int, a float or a string) is success.
func TestA3AnyTwoXXIsSuccess(t *testing.T) {
	for i, env := range []struct {
		status int
		code   string
	}{{201, `0`}, {202, `0.0`}, {200, `"0"`}} {
		_, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
			w.WriteHeader(env.status)
			switch {
			case r.URL.Path == "/vbanks":
				fmt.Fprintf(w, `{"code":%s,"message":"","response":%s}`, env.code, a3VbankJSON("ready", time.Now().Unix()))
			case strings.HasPrefix(r.URL.Path, "/receipts/"):
				fmt.Fprintf(w, `{"code":%s,"message":"","response":%s}`, env.code, a3ReceiptJSON(time.Now().Unix(), time.Now().Unix()))
			default:
				fmt.Fprintf(w, `{"code":%s,"message":"","response":{"imp_uid":"imp_c"}}`, env.code)
			}
		})
		ctx := context.Background()
		p, err := c.IssueVbank(ctx, a3VbankReq())
		require.NoError(t, err, i)
		require.Equal(t, iamport.PaymentStatusReady, p.Status)
		rc, err := c.CancelReceipt(ctx, "imp_1")
		require.NoError(t, err, i)
		require.False(t, rc.CancelledAt.IsZero())
		otp, err := c.RequestCertificationOTP(ctx, &iamport.CertificationOTPRequest{Name: "a", Phone: "1", Birth: "900101", GenderDigit: "1", Carrier: "KT", ChannelKey: "c"})
		require.NoError(t, err, i)
		require.Equal(t, "imp_c", otp.ImpUID)
	}
}

// A spoiled answer holding personal data leaves none of it in the error.
func TestA3SpoiledAnswerErrorsHoldNoPersonalData(t *testing.T) {
	bodies := []string{
		`{"code":0,"message":null,"response":{"imp_uid":"imp_c","name":"홍길동","phone":"0101234`,
		`{"code":0,"message":null,"response":{"imp_uid":"imp_c","name":["홍길동"],"phone":"01012345678"}}`,
		`<html>홍길동 01012345678</html>`,
		`{"code":0,"message":null,"response":{"imp_uid":"imp_c","name":"홍길동","phone":"01012345678"}} trailing 홍길동`,
	}
	for _, body := range bodies {
		for _, status := range []int{200, 500} {
			_, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
				w.WriteHeader(status)
				io.WriteString(w, body)
			})
			cert, err := c.GetCertification(context.Background(), "imp_c")
			require.Error(t, err, "%s %+v", body, cert)
			var ae *iamport.APIError
			require.ErrorAs(t, err, &ae)
			j, _ := json.Marshal(err)
			out := fmt.Sprintf("%v %+v %#v %s %#v", err, err, err, j, ae)
			for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
				out += fmt.Sprintf("%v %#v", e, e)
			}
			a3NoLeak(t, out, "홍길동", "01012345678", "0101234")
		}
	}
}

// An account issued for the order shortly before this call (the merchant's
// previous IssueVbank, answered) does not prove that this call issued one:
// the order's payments are listed before sending, and only a new one counts.
func TestA3IssueVbankLostAnswerEarlierAccountOfOrder(t *testing.T) {
	var first int64
	var mu sync.Mutex
	s, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.URL.Path == "/vbanks" && first == 0:
			first = time.Now().Unix()
			a3Envelope(w, 200, a3VbankJSON("ready", first))
		case r.URL.Path == "/vbanks":
			w.WriteHeader(500) // this one was not processed
		case r.URL.Path == "/payments/find/vb-1":
			a3Envelope(w, 200, a3VbankJSON("ready", first))
		case r.URL.Path == "/payments/findAll/vb-1" && first != 0:
			a3Envelope(w, 200, `{"total":1,"previous":0,"next":0,"list":[`+a3VbankJSON("ready", first)+`]}`)
		}
	})
	p1, err := c.IssueVbank(context.Background(), a3VbankReq())
	require.NoError(t, err)
	p2, err := c.IssueVbank(context.Background(), a3VbankReq())
	require.Equal(t, 2, s.count("POST /vbanks"))
	var u *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &u, "the first call's account %s was reported as the second call's: %+v", p1.ImpUID, p2)
	require.Nil(t, p2)
}

// Two issues of one order at once on one Client: the second is refused
// before anything is sent, as a second charge would be.
func TestA3IssueVbankConcurrentIssueOfOneOrderIsRefused(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var posts atomic.Int32
	s, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.URL.Path == "/vbanks" {
			if posts.Add(1) == 1 { // the first issue is still running when the second starts
				close(entered)
				<-release
			}
			a3Envelope(w, 200, a3VbankJSON("ready", time.Now().Unix()))
		}
	})
	done := make(chan error, 1)
	go func() {
		_, err := c.IssueVbank(context.Background(), a3VbankReq())
		done <- err
	}()
	<-entered
	var once sync.Once
	let := func() { once.Do(func() { close(release) }) }
	t.Cleanup(let) // before the server closes, should an assertion fail first
	_, err := c.IssueVbank(context.Background(), a3VbankReq())
	require.ErrorIs(t, err, iamport.ErrChargeInFlight)
	let()
	require.NoError(t, <-done)
	require.Equal(t, 1, s.count("POST /vbanks"))
	require.Equal(t, 1, s.count("GET /payments/findAll/vb-1"), "the refused issue looked nothing up")
}

// A live receipt of another amount than requested (issued by another call
// that raced this one) does not prove this call issued it.
func TestA3ExternalReceiptLookupMustMatchAmount(t *testing.T) {
	s, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if r.Method == "POST" {
			w.WriteHeader(500)
			return
		}
		a3Envelope(w, 200, fmt.Sprintf(`{"merchant_uid":"ext-1","apply_num":"9","type":"person","amount":5000,"vat":454,"applied_at":%d,"cancelled_at":0}`, time.Now().Unix()))
	})
	rc, err := c.IssueExternalReceipt(context.Background(), &iamport.ExternalReceiptRequest{MerchantUID: "ext-1", ChannelKey: "c", Name: "n",
		Amount: 1000, Identifier: "01012345678"})
	var u *iamport.OutcomeUnknownError
	require.ErrorAs(t, err, &u, "another call's receipt reported as this one's: %+v", rc)
	require.Equal(t, 1, s.count("POST /receipts/external/ext-1"))
}

// iamport answers 501 (with its JSON envelope) to a cash receipt for a PG
// it does not support: a refusal, not a call that may be running.
func TestA3ReceiptNotImplementedIsARefusal(t *testing.T) {
	s, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(501)
		io.WriteString(w, `{"code":1,"message":"현재 포트원이 현금영수증 관련 지원하지 않는 PG사입니다.","response":null}`)
	}, iamport.WithReconcileTimeout(time.Minute))
	_, err := c.IssueReceipt(context.Background(), &iamport.ReceiptRequest{ImpUID: "imp_1", Identifier: "01012345678"})
	var ae *iamport.APIError
	require.ErrorAs(t, err, &ae)
	var u *iamport.OutcomeUnknownError
	require.False(t, errors.As(err, &u), "a refusal reported unknown: %v", err)
	require.Equal(t, 501, ae.StatusCode)
	require.Equal(t, 0, s.count("GET /receipts/imp_1"), "no lookup needed")
}

// An answer with personal data where a number belongs fails to decode
// without that data in the error: the value is described, never quoted.
func TestA3DecodeErrorHoldsNoValue(t *testing.T) {
	_, c := newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		a3Envelope(w, 200, `{"imp_uid":"imp_1","merchant_uid":"m","status":"paid","amount":1000,"paid_at":"홍길동 010-1234-5678"}`)
	})
	_, err := c.GetPayment(context.Background(), "imp_1")
	require.ErrorIs(t, err, iamport.ErrInvalidResponse)
	require.NotContains(t, err.Error(), "홍길동")
	require.NotContains(t, err.Error(), "010-1234-5678")
	require.Contains(t, err.Error(), "paid_at")

	_, c = newA3Server(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		a3Envelope(w, 200, `{"imp_uid":"imp_1","merchant_uid":"m","status":"paid","amount":1000,"card_quota":"010-1234-5678"}`)
	})
	_, err = c.GetPayment(context.Background(), "imp_1")
	require.ErrorIs(t, err, iamport.ErrInvalidResponse)
	require.NotContains(t, err.Error(), "1234")
	require.Contains(t, err.Error(), "card_quota: got a value of 13 bytes (not an integer)")
}
