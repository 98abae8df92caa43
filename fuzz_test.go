package iamport

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// The fuzz targets feed arbitrary server answers to the decoders. The
// properties: nothing panics; every failure is a typed *APIError; whatever
// decodes re-encodes and decodes to the same value. Seed corpora live in
// testdata/fuzz; .ci/run runs each target briefly.

func fuzzClient(t testing.TB) *Client {
	c, err := New("key", "secret")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func FuzzDecodePayment(f *testing.F) {
	f.Add(200, []byte(`{"code":0,"message":null,"response":{"imp_uid":"imp_1","merchant_uid":"m","amount":8900,"status":"paid","paid_at":1700000000,"card_type":null,"card_quota":3.0}}`))
	f.Add(200, []byte(`{"code":-1,"message":"카드정보 인증에 실패하였습니다.","response":null}`))
	f.Add(200, []byte(`{"code":0,"response":null}`))
	f.Add(200, []byte(`{"code":0,"response":{"imp_uid":"imp_1","amo`))
	f.Add(502, []byte(`<html><body>Bad Gateway</body></html>`))
	f.Add(404, []byte(`{"code":-1,"message":"존재하지 않는 결제정보입니다.","response":null}`))
	f.Add(200, []byte(``))
	f.Add(200, []byte(`{"code":"0","response":{"amount":"10.5","started_at":"1700000000.5","cancel_history":[{"amount":1}]}}`))
	c := fuzzClient(f)
	r := &request{method: "GET", path: "/payments/x"}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			status = 200 + (abs(status) % 400)
		}
		res := attemptResult{status: status, header: http.Header{}, body: body, sent: true}
		var p Payment
		err := c.decode(r, res, &p)
		if err != nil {
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("decode error is %T, not *APIError: %v", err, err)
			}
			if apiErr.StatusCode != status {
				t.Fatalf("APIError.StatusCode = %d, want %d", apiErr.StatusCode, status)
			}
			_ = apiErr.Error()
			return
		}
		if status < 200 || status > 299 {
			t.Fatalf("status %d decoded without error", status)
		}
		// What decoded must survive a round trip unchanged.
		enc, err := json.Marshal(&p)
		if err != nil {
			t.Fatalf("re-encoding a decoded Payment: %v", err)
		}
		var p2 Payment
		if err := json.Unmarshal(enc, &p2); err != nil {
			t.Fatalf("decoding a re-encoded Payment: %v\n%s", err, enc)
		}
		enc2, _ := json.Marshal(&p2)
		if string(enc) != string(enc2) {
			t.Fatalf("round trip changed the payment:\n%s\n%s", enc, enc2)
		}
	})
}

func FuzzTime(f *testing.F) {
	for _, s := range []string{`0`, `null`, `""`, `1700000000`, `1700000000.25`, `"1700000000"`, `-1`, `1e3`, `"abc"`, `9999999999999999999`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var tm Time
		if err := tm.UnmarshalJSON(b); err != nil {
			return
		}
		enc, err := tm.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON: %v", err)
		}
		var back Time
		if err := back.UnmarshalJSON(enc); err != nil {
			t.Fatalf("decoding %s: %v", enc, err)
		}
		if back.Unix() != tm.Unix() {
			t.Fatalf("round trip of %q: %d, then %d", b, tm.Unix(), back.Unix())
		}
	})
}

func FuzzAmount(f *testing.F) {
	for _, c := range []int64{0, 1, 10, 890000, 1050, 123456789, 99, 1} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, cents int64) {
		if cents < 0 {
			cents = -cents
		}
		cents %= 1e13 // amounts up to 100 billion with two decimals
		a := AmountFromCents(cents)
		if a.Cents() != cents {
			t.Fatalf("AmountFromCents(%d).Cents() = %d", cents, a.Cents())
		}
		enc, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		var back Amount
		if err := json.Unmarshal(enc, &back); err != nil {
			t.Fatal(err)
		}
		if math.Float64bits(float64(back)) != math.Float64bits(float64(a)) {
			t.Fatalf("round trip of %d cents: %s decoded to %v", cents, enc, back)
		}
		if string(enc) != a.String() {
			t.Fatalf("JSON %s differs from String %s", enc, a.String())
		}
		if want := strconv.FormatFloat(float64(cents)/100, 'f', -1, 64); a.String() != want {
			t.Fatalf("String() = %s, want %s", a.String(), want)
		}
		if got := a.Add(AmountFromCents(1)).Sub(AmountFromCents(1)); got.Cents() != cents {
			t.Fatalf("Add/Sub drifted: %d cents became %d", cents, got.Cents())
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func FuzzParseWebhook(f *testing.F) {
	f.Add("application/json", []byte(`{"imp_uid":"imp_123456789012","merchant_uid":"order-1","status":"paid"}`))
	f.Add("application/x-www-form-urlencoded", []byte(`imp_uid=imp_1&merchant_uid=order-1&status=failed`))
	f.Add("application/json", []byte(`{"imp_uid":"imp_1","merchant_uid":"m","status":"cancelled","cancellation_id":"c1","extra":{"a":[1,2]}}`))
	f.Add("", []byte(`{"imp_uid":"imp_1","merchant_uid":"m"`))
	f.Add("text/plain", []byte("imp_uid=a&imp_uid=b&merchant_uid=m"))
	f.Add("application/json", []byte(`[]`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		r, err := http.NewRequest(http.MethodPost, "/iamport/webhook", bytes.NewReader(body))
		if err != nil {
			t.Skip()
		}
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		ev, err := ParseWebhook(r)
		if err != nil {
			var we *WebhookError
			if !errors.As(err, &we) {
				t.Fatalf("ParseWebhook error is %T, not *WebhookError: %v", err, err)
			}
			if we.StatusCode < 400 || we.StatusCode > 499 {
				t.Fatalf("WebhookError.StatusCode = %d", we.StatusCode)
			}
			return
		}
		if ev.ImpUID == "" || ev.MerchantUID == "" {
			t.Fatalf("accepted a webhook without imp_uid or merchant_uid: %+v", ev)
		}
		if hasControl(ev.ImpUID) || hasControl(ev.MerchantUID) {
			t.Fatalf("accepted ids with control characters: %+v", ev)
		}
	})
}

func FuzzAmbiguousKey(f *testing.F) {
	for _, s := range []string{
		`{"code":0,"response":{"status":"failed","STATUS":"paid"}}`,
		`{"code":0,"response":{"status":"paid","note":"\"status\":{"}}`,
		`{"a":[{"status":"paid"},{"status":"failed"}],"b":"}{]["}`,
		`{"\u0073tatus":1,"status":2}`, `{"ſtatus":1,"status":2}`, `{"status`, `"\`, `[[[`, `}}]]`, ``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got := ambiguousKey([]byte(body)) // never panics
		// Two keys of one object that encoding/json would match to the
		// same decisive field are always found.
		var top map[string]json.RawMessage
		if json.Unmarshal([]byte(body), &top) != nil {
			return
		}
		seen := map[string]bool{}
		for k := range top {
			for _, d := range decisiveKeys {
				if strings.EqualFold(k, d) {
					if seen[d] && got == "" {
						t.Fatalf("%s holds %s twice, not found", body, d)
					}
					seen[d] = true
				}
			}
		}
	})
}

func TestAmbiguousKeyReadsStringsAndNesting(t *testing.T) {
	for body, want := range map[string]string{
		`{"status":"paid","note":"\"status\":\"failed\""}`:                 "",
		`{"list":[{"status":"paid"},{"status":"failed"}]}`:                 "",
		`{"response":{"status":"paid"},"status":"x"}`:                      "",
		`{"response":{"status":"paid","x":{"y":1},"Status":"failed"}}`:     "status",
		`{"code":0, "CODE" : -1}`:                                          "code",
		`{"a":"}","status":"paid","b":"{","status":"failed"}`:              "status",
		`{"response":[{"amount":1,"AMOUNT":2}]}`:                           "amount",
		`{"response":{"extension":{"k":"v"},"imp_uid":"a","Imp_Uid":"b"}}`: "imp_uid",
		`{"status":"paid"`: "",
	} {
		if got := ambiguousKey([]byte(body)); got != want {
			t.Errorf("ambiguousKey(%s) = %q, want %q", body, got, want)
		}
	}
}
