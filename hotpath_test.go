package iamport

// The code every call runs (the scan for contradicting keys, the placeholder
// check of a request, the reading of an error answer): fast paths that must
// answer as the plain ways of computing the same thing do, and keep their
// allocation counts. Allocation counts do not depend on the machine's load.

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// byteStringEnd is stringEnd read byte by byte, as the scan first did.
func byteStringEnd(body []byte, start int) int {
	for j := start + 1; j < len(body); j++ {
		switch body[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}

// stringEnd finds the end of every string as a byte-by-byte read does, on
// short and long strings with escapes anywhere.
func TestStringEndMatchesByteScan(t *testing.T) {
	t.Parallel()
	alphabet := []string{"a", "Z", `"`, `\`, `\\`, `\"`, "é", "_", " ", "0"}
	r := rand.New(rand.NewPCG(13, 1))
	for n := 0; n < 20000; n++ {
		var b strings.Builder
		b.WriteByte('"')
		for range r.IntN(48) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		if r.IntN(4) > 0 {
			b.WriteByte('"')
		}
		body := []byte(b.String())
		require.Equal(t, byteStringEnd(body, 0), stringEnd(body, 0, 1), "%q", body)
	}
}

// decisiveIndex matches a key to a decisive key exactly when encoding/json
// would: any case, escapes, and the two non-ASCII runes that fold to ASCII
// letters (U+017F to s, U+212A to k).
func TestDecisiveIndexFoldsAsEncodingJSON(t *testing.T) {
	t.Parallel()
	want := func(quoted []byte) int {
		var key string
		if json.Unmarshal(quoted, &key) != nil {
			return -1
		}
		for i, d := range decisiveKeys {
			if strings.EqualFold(key, d) {
				return i
			}
		}
		return -1
	}
	variants := func(r *rand.Rand, k string) string {
		var b strings.Builder
		for _, c := range k {
			switch x := r.IntN(8); {
			case x == 0 && c == 's':
				b.WriteString("ſ")
			case x == 0 && c == 'k':
				b.WriteString("\u212a")
			case x == 1:
				b.WriteString(`\u00` + strings.ToUpper(string("0123456789abcdef"[c>>4])) + string("0123456789abcdef"[c&15]))
			case x < 5:
				b.WriteString(strings.ToUpper(string(c)))
			default:
				b.WriteRune(c)
			}
		}
		if r.IntN(10) == 0 {
			b.WriteString("x") // a longer key is another key
		}
		return b.String()
	}
	r := rand.New(rand.NewPCG(17, 3))
	for _, k := range append(decisiveKeys[:], "imp_uids", "statu", "pg_tid", "name", "") {
		for range 200 {
			quoted := []byte(`"` + variants(r, k) + `"`)
			require.Equal(t, want(quoted), decisiveIndex(quoted), "%s", quoted)
			// ambiguousKey reads the key as words when 16 bytes follow its
			// opening quote, whatever those bytes are, and the slow way
			// near the end of a body: the key twice in one object is a
			// contradiction exactly when it is decisive.
			for _, after := range []string{"", "}", `}"STATUS\u00e9"}`, strings.Repeat("Z", 17)} {
				body := []byte(`{` + string(quoted) + `:1,` + string(quoted) + `:2` + after)
				dup := ""
				if i := want(quoted); i >= 0 {
					dup = decisiveKeys[i]
				}
				require.Equal(t, dup, ambiguousKey(body), "%s", body)
			}
		}
	}
}

// placeholderField names the tagged field holding the placeholder wherever
// it is: top level, embedded, behind pointers, in slices and in interfaces,
// in a type that refers to itself, and looks nowhere else.
func TestPlaceholderFieldNamesTheField(t *testing.T) {
	t.Parallel()
	type node struct {
		Secret string `json:"secret" redact:"true"`
		Next   *node  `json:"next"`
	}
	type Embedded struct {
		Tel string `json:"tel,omitempty" redact:"true"`
	}
	type outer struct {
		Embedded
		Name  string          `json:"name"` // not tagged: never refused
		Items []node          `json:"items"`
		Any   any             `json:"any"`
		Map   map[string]node `json:"map"` // maps are not looked into
		Plain struct {
			N int `json:"n"`
		} `json:"plain"`
	}
	for want, v := range map[string]any{
		"":                          outer{Name: redacted, Map: map[string]node{"a": {Secret: redacted}}},
		"tel":                       outer{Embedded: Embedded{Tel: redacted}},
		"items[1].next.next.secret": outer{Items: []node{{}, {Next: &node{Next: &node{Secret: redacted}}}}},
		"any.secret":                &outer{Any: &node{Secret: redacted}},
		"any[0].tel":                outer{Any: []Embedded{{Tel: redacted}}},
		"secret":                    node{Secret: redacted, Next: &node{Secret: redacted}},
		"next.secret":               &node{Secret: "real", Next: &node{Secret: redacted}},
	} {
		require.Equal(t, want, placeholderField(reflect.ValueOf(v)), "%#v", v)
	}
}

// The scan of an answer and the placeholder check of a request allocate
// nothing, and an error answer costs a few allocations (the decoder's, and
// its message), not one per field read again.
func TestHotPathsAllocations(t *testing.T) {
	payment := []byte(`{"code":0,"message":null,"response":` + benchPaymentJSON + `}`)
	notFound := []byte(`{"code":1,"message":"존재하지 않는 결제정보입니다.","response":null}`)
	wire := reflect.ValueOf(againFields(benchAgainRequest))
	require.Zero(t, testing.AllocsPerRun(100, func() { _ = ambiguousKey(payment) }))
	require.Zero(t, testing.AllocsPerRun(100, func() { _ = placeholderField(wire) }))
	require.LessOrEqual(t, testing.AllocsPerRun(100, func() { _, _ = readErrorBody(notFound) }), 6.0)
	eb, ok := readErrorBody(notFound)
	require.True(t, ok)
	require.Equal(t, errorBody{code: 1, coded: true, message: "존재하지 않는 결제정보입니다."}, eb)
}

// byteAmbiguousKey is ambiguousKey read one byte at a time, as the scan
// first did: the word-at-a-time scan must give the same answer on every
// body.
func byteAmbiguousKey(body []byte) string {
	var stack []uint32
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '{':
			stack = append(stack, 0)
		case '[':
			stack = append(stack, inArray)
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case '"':
			end := byteStringEnd(body, i)
			if end < 0 {
				return ""
			}
			k := end + 1
			for k < len(body) && strings.IndexByte(" \t\n\r", body[k]) >= 0 {
				k++
			}
			if k < len(body) && body[k] == ':' && len(stack) > 0 && stack[len(stack)-1] != inArray {
				quoted := body[i : end+1]
				if idx := decisiveIndex(quoted); idx >= 0 {
					bit := uint32(1) << idx
					if stack[len(stack)-1]&bit != 0 {
						return decisiveKeys[idx]
					}
					stack[len(stack)-1] |= bit
				}
			}
			i = end
		}
	}
	return ""
}

// randomScanBody builds a JSON-like body from pieces that exercise the scan:
// decisive keys in several cases and spellings, brackets and quotes inside
// strings, escapes, non-ASCII text, whitespace before colons, long strings
// across the word and IndexByte boundaries, and bodies cut anywhere.
func randomScanBody(r *rand.Rand) []byte {
	pieces := []string{
		`{`, `}`, `[`, `]`, `,`, `:`, ` : `, "\t:", `"status"`, `"STATUS"`, `"Status"`, `"ſtatus"`, `"\u0073tatus"`,
		`"amount"`, `"Amount"`, `"imp_uid"`, `"cancel_history"`, `"list"`, `"code"`, `"x"`, `"name"`,
		`"a}b"`, `"{["`, `"\"status\":"`, `"\\"`, `"\\\""`, `"카드"`, `"é"`, `1000`, `null`, `true`, `-1.5e3`,
		`"` + strings.Repeat("a", 7) + `"`, `"` + strings.Repeat("b", 31) + `\"x"`, `"` + strings.Repeat("c", 40) + `"`,
		`"` + strings.Repeat("d", 15) + "한" + `"`, `"\`, `"`, " ", "\n",
	}
	var b []byte
	for range r.IntN(60) {
		b = append(b, pieces[r.IntN(len(pieces))]...)
	}
	if r.IntN(3) == 0 && len(b) > 0 {
		b = b[:r.IntN(len(b))]
	}
	return b
}

// The word-at-a-time scan answers as the byte-at-a-time one does, on
// random bodies, on every prefix and suffix of a real payment answer, and
// on answers with a contradiction planted anywhere.
func TestAmbiguousKeyMatchesByteScan(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(29, 5))
	for n := 0; n < 50000; n++ {
		body := randomScanBody(r)
		require.Equal(t, byteAmbiguousKey(body), ambiguousKey(body), "%q", body)
	}
	payment := []byte(`{"code":0,"message":null,"response":` + benchPaymentJSON + `}`)
	for i := range payment {
		require.Equal(t, byteAmbiguousKey(payment[:i]), ambiguousKey(payment[:i]), "prefix %d", i)
		require.Equal(t, byteAmbiguousKey(payment[i:]), ambiguousKey(payment[i:]), "suffix %d", i)
	}
	for _, at := range []string{`"status":`, `"amount":`, `"imp_uid":`, `"cancel_amount":`} {
		for _, dup := range []string{`"STATUS":"x",`, `"Amount":1,`, `"imp_Uid":"y",`, `"ſtatus":"z",`} {
			body := []byte(strings.Replace(string(payment), at, dup+at, 1))
			require.Equal(t, byteAmbiguousKey(body), ambiguousKey(body), "%s before %s", dup, at)
		}
	}
	require.Equal(t, "status", ambiguousKey([]byte(strings.Replace(string(payment), `"status":`, `"STATUS":"failed","status":`, 1))))
}

func FuzzAmbiguousKeyMatchesByteScan(f *testing.F) {
	f.Add([]byte(`{"code":0,"response":{"status":"failed","STATUS":"paid"}}`))
	f.Add([]byte(`{"a":"` + strings.Repeat("x", 30) + `\"","status":1,"Status":2}`))
	f.Add([]byte(`{"response":` + benchPaymentJSON + `}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if got, want := ambiguousKey(body), byteAmbiguousKey(body); got != want {
			t.Fatalf("ambiguousKey(%q) = %q, the byte scan says %q", body, got, want)
		}
	})
}

// BenchmarkAmbiguousKey times the scan of one payment answer, word at a
// time against byte at a time, in turns (blocks of 200 scans each), and
// reports the ratio of the two.
func BenchmarkAmbiguousKey(b *testing.B) {
	payment := []byte(`{"code":0,"message":null,"response":` + benchPaymentJSON + `}`)
	scans := [2]func([]byte) string{ambiguousKey, byteAmbiguousKey}
	var took [2]time.Duration
	b.SetBytes(int64(len(payment)))
	for done := 0; done < b.N; done += 200 {
		for k := range 2 {
			side := k ^ (done / 200 & 1)
			t0 := time.Now()
			for range 200 {
				if scans[side](payment) != "" {
					b.Fatal("found a duplicate")
				}
			}
			took[side] += time.Since(t0)
		}
	}
	n := float64(b.N/200*200 + 200)
	b.ReportMetric(float64(took[0].Nanoseconds())/n, "words-ns/scan")
	b.ReportMetric(float64(took[1].Nanoseconds())/n, "bytes-ns/scan")
	b.ReportMetric(float64(took[0])/float64(took[1]), "words/bytes")
}
