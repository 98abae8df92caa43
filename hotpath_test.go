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
	"unicode/utf8"

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
// short and long strings with escapes anywhere (across the point where it
// switches to bytes.IndexByte too), and says plain only of a string with
// no escape and no non-ASCII byte.
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
		end, plain := stringEnd(body, 0)
		require.Equal(t, byteStringEnd(body, 0), end, "%q", body)
		if plain {
			s := body[1:end]
			require.True(t, strings.IndexByte(string(s), '\\') < 0 && utf8.ValidString(string(s)) && len(s) == utf8.RuneCount(s), "%q", body)
		}
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
			for _, plain := range []bool{false, true} {
				if plain && !isPlain(quoted[1:len(quoted)-1]) {
					continue
				}
				require.Equal(t, want(quoted), decisiveIndex(quoted, plain), "%s", quoted)
			}
		}
	}
}

func isPlain(s []byte) bool {
	for _, c := range s {
		if c == '\\' || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
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
	require.Equal(t, errorBody{code: 1, message: "존재하지 않는 결제정보입니다."}, eb)
}
