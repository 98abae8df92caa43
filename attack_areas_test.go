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
	"testing"
	"time"

	"github.com/iamport-go/iamport"
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
