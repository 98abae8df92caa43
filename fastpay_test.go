package iamport

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fastRichPaymentJSON is a payment with every kind of value the one-pass
// reader decodes: a promotion, an extension object, deposits, two cancels,
// escapes of every kind, amounts and times written as strings and
// fractions.
const fastRichPaymentJSON = `{"imp_uid":"imp_rich","merchant_uid":"order\/1 \"q\" \\ \n\t\r\b\f \u00e9 \ud83d\ude00",` +
	`"pay_method":"vbank","status":"ready","amount":"9900.50","cancel_amount":1.5,"currency":"USD","card_type":1,` +
	`"card_quota":"3","vbank_date":"1700000000.25","vbank_issued_at":1.7e9,"sandbox":true,"escrow":null,` +
	`"promotion":{"id":"promo_1","discount":100},"extension":{"kcp":{"status":"x","list":[1,2,{"a":null}]}},` +
	`"deposit_history":[{"pg_tid":"d1","amount":1000,"depositor_name":"홍길동","deposited_at":1700000000},` +
	`{"pg_tid":"d2","amount":"8900.5","depositor_name":null,"deposited_at":null}],` +
	`"cancel_history":[{"pg_tid":"c1","amount":1,"cancelled_at":1700000001,"reason":"a"},{"amount":0.5,"unknown":[{}]}],` +
	`"cancel_receipt_urls":["https:\/\/x","",  "카드"], "cash_receipt_issued" : false , "name":"","buyer_name":null,` +
	`"future_field":{"nested":[true,false,null,-0.5e-3]},"customer_uid_usage":"payment.scheduled"}`

// fastBases are the answers the generated ones are made from.
var fastBases = []string{
	`{"code":0,"message":null,"response":` + benchPaymentJSON + `}`,
	`{"code":0,"message":null,"response":` + benchPaymentEscapedJSON + `}`,
	` {"code":0,"message":"","response":` + fastRichPaymentJSON + "}\n",
	`{"response":{},"code":0}`,
	`{"response":{"imp_uid":"imp_1","amount":8900,"status":"paid"},"extra":[1,{"x":"y"}]}`,
}

// fastValues are values put in place of others, or after a new key.
var fastValues = []string{
	`null`, `0`, `1`, `-0`, `01`, `1.`, `1.5`, `1.505`, `1e3`, `1E+2`, `-`, `"x"`, `""`, `"1.50"`, `"0"`, `"1"`,
	`true`, `false`, `tru`, `nul`, `{}`, `[]`, `[null]`, `["a","b"]`, `[{}]`, `[{"amount":1}]`, `{"amount":1,"amount":2}`,
	`{"a":{"status":1,"STATUS":2}}`, `[1,]`, `{"a":1,}`, `"\ud800"`, `"\udc00\ud800"`, `"\ud83d\ude00"`, `"\u00e9\n\t\"\\\/"`,
	"\"\xff\"", "\"a\x01\"", `"\x"`, `"\u12"`, `"\u12G4"`, `99999999999999999999`, `1e400`, `"카드"`, `{"id":"p","discount":100}`,
	`{"id":"p","id":"q"}`, `"paid"`, `"failed"`, `1700000000`, `"1700000000.5"`, `[` + benchPaymentJSON + `]`, "\"\xed\xa0\x80\"",
	`"\uFFFD"`, "\"\xef\xbf\xbd\"",
}

// fastKeys are keys put into an object: repeats of fields, other cases and
// spellings of them, unknown keys, decisive ones no object here has.
var fastKeys = []string{
	`"status"`, `"amount"`, `"imp_uid"`, `"code"`, `"response"`, `"message"`, `"Status"`, `"AMOUNT"`, `"Imp_uid"`,
	`"Response"`, `"foo"`, `"x_y"`, `"list"`, `"next"`, `"schedule_status"`, `"\u0073tatus"`, `"ſtatus"`, `"카드"`,
	`"` + strings.Repeat("k", 40) + `"`, `"cancel_history"`, `"promotion"`, `"extension"`, `"pg_tid"`, `"id"`, `"discount"`,
	`"reason"`, `"depositor_name"`, `""`, `"card_type"`, `"sandbox"`, `"cancel_receipt_urls"`,
}

// mutateAnswer changes body in one to three random ways: a value replaced,
// a member added, a byte deleted, doubled or changed, whitespace added, the
// body cut.
func mutateAnswer(r *rand.Rand, body []byte) []byte {
	b := bytes.Clone(body)
	for range 1 + r.IntN(3) {
		switch r.IntN(7) {
		case 0, 1: // replace the value of a member
			ends := keyEnds(b)
			if len(ends) == 0 {
				continue
			}
			at := ends[r.IntN(len(ends))] + 1
			d := fastReader{b: b, i: at}
			d.ws()
			start := d.i
			if !d.skip(0) {
				continue
			}
			b = append(b[:start:start], append([]byte(fastValues[r.IntN(len(fastValues))]), b[d.i:]...)...)
		case 2, 3: // add a member at the start of an object
			opens := indexesOf(b, '{')
			if len(opens) == 0 {
				continue
			}
			at := opens[r.IntN(len(opens))] + 1
			member := fastKeys[r.IntN(len(fastKeys))] + ":" + fastValues[r.IntN(len(fastValues))] + ","
			b = append(b[:at:at], append([]byte(member), b[at:]...)...)
		case 4: // whitespace anywhere
			at := r.IntN(len(b) + 1)
			b = append(b[:at:at], append([]byte([]string{" ", "\n", "\t", "\r", "\v"}[r.IntN(5)]), b[at:]...)...)
		case 5: // one byte deleted, doubled or changed
			if len(b) == 0 {
				continue
			}
			at := r.IntN(len(b))
			switch r.IntN(3) {
			case 0:
				b = append(b[:at:at], b[at+1:]...)
			case 1:
				b = append(b[:at+1:at+1], b[at:]...)
			default:
				b[at] = `{}[]":,\ 0an"`[r.IntN(13)]
			}
		case 6:
			if r.IntN(4) == 0 {
				b = b[:r.IntN(len(b)+1)]
			}
		}
	}
	return b
}

// keyEnds returns the indexes of the colons that follow a quote.
func keyEnds(b []byte) []int {
	var ends []int
	for i := 1; i < len(b); i++ {
		if b[i] == ':' && b[i-1] == '"' {
			ends = append(ends, i)
		}
	}
	return ends
}

func indexesOf(b []byte, c byte) []int {
	var at []int
	for i := range b {
		if b[i] == c {
			at = append(at, i)
		}
	}
	return at
}

// checkFastPayment decodes body both ways and fails t unless the two agree;
// it reports whether the one-pass reader read it. When that reader reads an
// answer, the general path must succeed on it with the same payment.
func checkFastPayment(t testing.TB, c *Client, body []byte) bool {
	t.Helper()
	r := &request{method: "POST", path: "/subscribe/payments/again", money: true}
	res := attemptResult{status: http.StatusOK, header: http.Header{}, body: body, sent: true}
	var fast, general Payment
	fastRead := fastPaymentAnswer(body, &fast)
	var generalErr error
	func() {
		defer func() {
			if v := recover(); v != nil {
				t.Fatalf("the general path panicked on %q: %v", body, v)
			}
		}()
		generalErr = c.decodeGeneral(r, res, &general)
	}()
	if fastRead {
		if generalErr != nil {
			t.Fatalf("the one-pass reader read %q; the general path says %v", body, generalErr)
		}
		if !reflect.DeepEqual(fast, general) {
			t.Fatalf("the two paths read %q differently:\none-pass: %#v\ngeneral:  %#v", body, fast, general)
		}
	}
	var viaDecode Payment
	err := c.decode(r, res, &viaDecode)
	if (err == nil) != (generalErr == nil) || err != nil && err.Error() != generalErr.Error() {
		t.Fatalf("decode(%q) = %v, the general path %v", body, err, generalErr)
	}
	if !reflect.DeepEqual(viaDecode, general) {
		t.Fatalf("decode read %q as %#v, the general path as %#v", body, viaDecode, general)
	}
	return fastRead
}

// The one-pass reader reads what the general path reads, to the same
// payment, on real answers and on thousands of answers changed at random in
// every way the reader has a rule for; it reads the usual ones itself.
func TestFastPaymentMatchesGeneralPath(t *testing.T) {
	t.Parallel()
	c := fuzzClient(t)
	for _, base := range fastBases {
		require.True(t, checkFastPayment(t, c, []byte(base)), "the one-pass reader does not read %s", base)
	}
	r := rand.New(rand.NewPCG(41, 7))
	read, general := 0, 0
	n := raceScaled(40000)
	for range n {
		body := mutateAnswer(r, []byte(fastBases[r.IntN(len(fastBases))]))
		if checkFastPayment(t, c, body) {
			read++
		} else {
			general++
		}
	}
	t.Logf("one-pass %d, general %d", read, general)
	require.Greater(t, read, n/10, "too few changed answers were read in one pass to test it")
	require.Greater(t, general, n/10)
}

// Every field of Payment and of what it holds is read by the one-pass
// reader: a field it had no case for would send every answer to the
// general path.
func TestFastPaymentReadsEveryField(t *testing.T) {
	t.Parallel()
	c := fuzzClient(t)
	for _, tc := range []struct {
		t    reflect.Type
		wrap string
	}{
		{reflect.TypeFor[Payment](), `%s`},
		{reflect.TypeFor[Cancel](), `{"cancel_history":[%s]}`},
		{reflect.TypeFor[Deposit](), `{"deposit_history":[%s]}`},
		{reflect.TypeFor[Promotion](), `{"promotion":%s}`},
	} {
		for i := range tc.t.NumField() {
			name, _, _ := strings.Cut(tc.t.Field(i).Tag.Get("json"), ",")
			obj := strings.Replace(tc.wrap, "%s", `{"`+name+`":null}`, 1)
			body := []byte(`{"code":0,"message":null,"response":` + obj + `}`)
			require.True(t, checkFastPayment(t, c, body), "%s.%s", tc.t.Name(), tc.t.Field(i).Name)
		}
	}
}

// The one-pass reader leaves to the general path what that path reads in
// its own way or refuses.
func TestFastPaymentLeavesTheRest(t *testing.T) {
	t.Parallel()
	c := fuzzClient(t)
	for _, body := range []string{
		`{"code":-1,"message":"카드 한도초과","response":null}`,
		`{"code":0,"response":null}`,
		`{"code":0}`,
		`{"code":"0","response":{}}`,
		`{"code":0,"response":{"status":"failed","STATUS":"paid"}}`,
		`{"code":0,"response":{"status":"failed","status":"paid"}}`,
		`{"code":0,"response":{"ſtatus":"paid"}}`,
		`{"code":0,"response":{"\u0073tatus":"paid"}}`,
		`{"code":0,"response":{"list":[]}}`,
		`{"code":0,"response":{"x":{"amount":1,"Amount":2}}}`,
		`{"code":0,"response":{"name":"\ud800"}}`,
		"{\"code\":0,\"response\":{\"name\":\"\xff\"}}",
		`{"code":0,"response":{"amount":1.005}}`,
		`{"code":0,"response":{"paid_at":"soon"}}`,
		`{"code":0,"response":{"status":7}}`,
		`{"code":0,"response":{"cancel_history":[null]}}`,
		`{"code":0,"response":{}} {}`,
		`{"code":0,"response":{"imp_uid":"a"`,
		`{"code":0,"response":{"imp_uid":"a"},}`,
		`{"code":0,"response":` + strings.Repeat(`{"x":`, 70) + `1` + strings.Repeat(`}`, 70) + `}`,
	} {
		require.False(t, checkFastPayment(t, c, []byte(body)), "%s", body)
	}
}

// A payment answer read in one pass allocates its strings and its lists and
// nothing else: no more than one allocation per string, list and object in
// the answer, and fewer than the general path; decode reads these answers
// in that pass.
func TestFastPaymentAllocations(t *testing.T) {
	c := fuzzClient(t)
	for _, base := range fastBases[:3] {
		body := []byte(base)
		fast := testing.AllocsPerRun(100, func() {
			var p Payment
			if !fastPaymentAnswer(body, &p) {
				panic("not read in one pass")
			}
		})
		res := attemptResult{status: 200, header: http.Header{}, body: body, sent: true}
		general := testing.AllocsPerRun(100, func() {
			var p Payment
			if c.decodeGeneral(&request{method: "GET", path: "/payments/x"}, res, &p) != nil {
				panic("not decoded")
			}
		})
		// decode takes the one pass for these answers: it allocates what
		// that pass does, not what the general path does.
		viaDecode := testing.AllocsPerRun(100, func() {
			var p Payment
			if c.decode(&request{method: "GET", path: "/payments/x"}, res, &p) != nil {
				panic("not decoded")
			}
		})
		require.Equal(t, fast, viaDecode, "%.40s", base)
		values := bytes.Count(body, []byte(`"`))/2 + bytes.Count(body, []byte(`[`)) + bytes.Count(body, []byte(`{`))
		require.LessOrEqual(t, fast, float64(values), "%.40s", base)
		require.Less(t, fast, general, "%.40s", base)
		t.Logf("%.40s: one-pass %.0f allocations, general %.0f", base, fast, general)
	}
}

// A string kept from a payment read in one pass keeps only its own bytes
// alive, not the rest of the answer: an imp_uid kept from each of 2,000
// answers of 2.3 KB costs about what the imp_uids do (a shared buffer per
// answer would keep 4.6 MB).
func TestFastPaymentKeptStringKeepsOnlyItself(t *testing.T) {
	const n = 2000
	body := []byte(fastBases[0])
	kept := make([]string, n)
	grown := heapGrowth(func() {
		for i := range kept {
			var p Payment
			require.True(t, fastPaymentAnswer(body, &p))
			kept[i] = p.ImpUID
		}
	})
	require.Less(t, grown, int64(n*len(body)/8), "%d imp_uids keep %d bytes alive", n, grown)
	runtime.KeepAlive(kept)
}

// raceScaled is n, or a quarter of it under the race detector.
func raceScaled(n int) int {
	if raceEnabled {
		return n / 4
	}
	return n
}

// heapGrowth returns how much the live heap grew while f ran, each measured
// after a collection: what f left reachable.
func heapGrowth(f func()) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

func FuzzFastPaymentMatchesGeneralPath(f *testing.F) {
	for _, b := range fastBases {
		f.Add([]byte(b))
	}
	r := rand.New(rand.NewPCG(43, 9))
	for range 20 {
		f.Add(mutateAnswer(r, []byte(fastBases[r.IntN(len(fastBases))])))
	}
	c := fuzzClient(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkFastPayment(t, c, body)
	})
}

// The payment the one-pass reader decodes encodes as the general path's
// does.
func TestFastPaymentEncodesAsGeneral(t *testing.T) {
	t.Parallel()
	c := fuzzClient(t)
	for _, base := range fastBases {
		var fast, general Payment
		require.True(t, fastPaymentAnswer([]byte(base), &fast))
		res := attemptResult{status: 200, header: http.Header{}, body: []byte(base), sent: true}
		require.NoError(t, c.decodeGeneral(&request{method: "GET", path: "/payments/x"}, res, &general))
		a, err := json.Marshal(&fast)
		require.NoError(t, err)
		b, err := json.Marshal(&general)
		require.NoError(t, err)
		require.JSONEq(t, string(b), string(a))
	}
}
