package iamport

// A differential attack on the single-pass payment reader: whenever
// fastPaymentAnswer accepts a body, the general path (decodeGeneral) must
// accept it too and decode the same Payment, which must print, log and
// encode as the general path's does. The bodies come from a generator of
// payment answers that mixes every shape the wire can take (key spellings,
// duplicates, escapes, numbers, nulls, wrong types, nesting, whitespace,
// trailing bytes) and from byte-level mutations of them; a fuzz target
// drives the same comparison.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fastAttackClient is the Client whose decodeGeneral the harness calls.
var fastAttackClient = func() *Client {
	c, err := New("attack-key", "attack-secret")
	if err != nil {
		panic(err)
	}
	return c
}()

// fastVsGeneral decodes body both ways and fails t when the fast path
// accepts a body the general path refuses or decodes otherwise. It reports
// whether the fast path accepted it.
func fastVsGeneral(t testing.TB, body []byte) bool {
	t.Helper()
	return compareFastGeneral(t, body, true)
}

// compareFastGeneral is fastVsGeneral, comparing how the Payments print
// only when print is set.
func compareFastGeneral(t testing.TB, body []byte, print bool) bool {
	t.Helper()
	orig := bytes.Clone(body)
	var fast Payment
	ok := fastPaymentAnswer(body, &fast)
	require.Equal(t, orig, body, "the fast path wrote into the body")
	if !ok {
		return false
	}
	r := &request{method: http.MethodGet, path: "/payments/imp_1"}
	res := attemptResult{status: http.StatusOK, header: http.Header{}, body: bytes.Clone(body)}
	var general Payment
	err := fastAttackClient.decodeGeneral(r, res, &general)
	if err != nil {
		t.Fatalf("fast path accepted a body the general path refuses (%v):\n%q", err, body)
	}
	if !reflect.DeepEqual(fast, general) {
		t.Fatalf("the two paths decode differently:\nbody    %q\nfast    %#v\ngeneral %#v", body, plainPayment(fast), plainPayment(general))
	}
	// What the fast path decoded outlives the body it was read from: the
	// buffer a call reads into is reused by the next one.
	var again Payment
	buf := bytes.Clone(body)
	require.True(t, fastPaymentAnswer(buf, &again))
	for i := range buf {
		buf[i] = 'X'
	}
	if !reflect.DeepEqual(again, general) {
		t.Fatalf("a fast-path Payment changed when its body was overwritten:\nbody %q", body)
	}
	if print {
		requireSamePrint(t, fast, general)
	}
	return true
}

// addresses matches the pointers %v and %#v print, which differ between
// any two decodes.
var addresses = regexp.MustCompile(`0x[0-9a-f]{6,}`)

// requireSamePrint checks that two Payments print, log and encode alike.
func requireSamePrint(t testing.TB, fast, general Payment) {
	t.Helper()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		f := addresses.ReplaceAllString(fmt.Sprintf(verb, fast), "0x")
		g := addresses.ReplaceAllString(fmt.Sprintf(verb, general), "0x")
		require.Equal(t, g, f, "printed with %s", verb)
		f = addresses.ReplaceAllString(fmt.Sprintf(verb, &fast), "0x")
		g = addresses.ReplaceAllString(fmt.Sprintf(verb, &general), "0x")
		require.Equal(t, g, f, "printed through a pointer with %s", verb)
	}
	var fl, gl bytes.Buffer
	slog.New(slog.NewJSONHandler(&fl, nil)).Info("p", "payment", fast)
	slog.New(slog.NewJSONHandler(&gl, nil)).Info("p", "payment", general)
	require.Equal(t, addresses.ReplaceAllString(cutTime(gl.String()), "0x"), addresses.ReplaceAllString(cutTime(fl.String()), "0x"))
	fj, ferr := json.Marshal(fast)
	gj, gerr := json.Marshal(general)
	require.Equal(t, gerr == nil, ferr == nil)
	require.Equal(t, string(gj), string(fj))
}

// cutTime drops the time slog writes first.
func cutTime(s string) string {
	if _, rest, ok := strings.Cut(s, `"level"`); ok {
		return rest
	}
	return s
}

// A payment answer generator. Each piece is written with random
// whitespace around its tokens.
type answerGen struct {
	r   *rand.Rand
	b   []byte
	bad int // per mille: how often a choice goes for an odd shape
}

func (g *answerGen) n(k int) int   { return g.r.IntN(k) }
func (g *answerGen) p(pc int) bool { return g.r.IntN(100) < pc }

// odd reports whether this choice should go for a shape the fast path may
// refuse (an invalid, misspelled, repeated or ill-typed one).
func (g *answerGen) odd() bool { return g.r.IntN(1000) < g.bad }

func (g *answerGen) ws() {
	if !g.p(15) {
		return
	}
	for range 1 + g.n(3) {
		g.b = append(g.b, " \t\r\n"[g.n(4)])
	}
}

func pick[T any](g *answerGen, xs []T) T { return xs[g.n(len(xs))] }

// strFragments are pieces of a JSON string's contents that decode the
// same way whoever reads them; oddFragments are those that do not (lone
// surrogates, invalid UTF-8, control bytes, unknown escapes).
var (
	strFragments = []string{
		"a", "imp_123", "홍길동", "é", "\u2028", "\u2029", "\x7f", "\U0001F600", "\uFFFD", "\xef\xbf\xbd",
		`\n`, `\t`, `\r`, `\b`, `\f`, `\/`, `\\`, `\"`, `\u0000`, `\u001f`, `\u00e9`, `\u00E9`, `\uFFFD`,
		`\ud83d\ude00`, `\uD83D\uDE00`, `\uDBFF\uDFFF`, `\ud800\udc00`, `\u2028`, `\u007f`, `\u0041`, `\u0022`, `\u005c`,
		" ", "paid", "0", "1", "ſ", "K", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xdf\xbf", "\xe0\xa0\x80",
	}
	oddFragments = []string{
		`\ud83d`, `\ude00`, `\ud83d\u0041`, `\udc00\ud800`, `\ud83d\\`, `\ud83d\ud83d`, `\ud83d"`, `\ud83d\n`,
		"\xff", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\x01", "\t", "\n", "\x00", "\x80",
		"\xf8\x88\x80\x80\x80", "\xe0\x80\x80", `\x`, `\u12`, `\u12g4`, `\U0041`, `\'`, `\`, `\u`,
	}
)

func (g *answerGen) str() {
	g.b = append(g.b, '"')
	for range g.n(5) {
		if g.p(60) {
			g.b = append(g.b, pick(g, []string{"a", "b", "x1", "paid", "KRW", " ", "-"})...)
		} else if g.odd() {
			g.b = append(g.b, pick(g, oddFragments)...)
		} else {
			g.b = append(g.b, pick(g, strFragments)...)
		}
	}
	if !g.odd() {
		g.b = append(g.b, '"')
	}
}

// numbers are JSON numbers every lenient type reads; oddNumbers are
// numbers some refuse, and things that look like numbers but are not JSON.
var (
	numbers = []string{
		"0", "-0", "1", "2", "3", "1.5", "1.50", "10.25", "0.1", "-0.0", "1e2", "1E+2", "1e-2", "1.5e1", "-1", "8900",
		"1000.00", "0e0", "0.0", "0E-5", "1700000000", "1700000000.5", "-0e+0", "100e-2", "12", "65535",
	}
	oddNumbers = []string{
		"01", "00", "-01", "1.005", "1e15", "1e16", "35184372088832", "35184372088831.99", "1e400", "-1e400",
		"12345678901234567890", "9007199254740993", "1e-400", "4.9e-324", "1e15000", "0.001", "1700000000.123456789",
		"-", "1.", "1e", "1e+", ".5", "+1", "0x10", "Infinity", "NaN", "1_000", "--1", "1.2.3", "0.", "-.5", "1e+-2",
	}
)

func (g *answerGen) number() {
	if g.odd() {
		g.b = append(g.b, pick(g, oddNumbers)...)
		return
	}
	g.b = append(g.b, pick(g, numbers)...)
}

// lenientValue is a value for a field of a lenient type.
func (g *answerGen) lenientValue() {
	switch g.n(10) {
	case 0, 1, 2, 3:
		g.number()
	case 4:
		g.b = append(g.b, '"')
		if g.p(30) {
			g.b = append(g.b, ' ')
		}
		g.number()
		if g.p(30) {
			g.b = append(g.b, " \t"[g.n(2)])
		}
		g.b = append(g.b, '"')
	case 5:
		g.b = append(g.b, pick(g, []string{`""`, `" "`, `"null"`, `"0"`, `"1"`, `"abc"`, `"\u0030"`, `"1\u0030"`, `"\"1\""`, `"\t1"`})...)
	case 6:
		g.b = append(g.b, "null"...)
	default:
		if g.odd() {
			g.value(0)
		} else {
			g.number()
		}
	}
}

// value writes any JSON value (or, now and then, something that is not).
func (g *answerGen) value(depth int) {
	g.ws()
	switch k := g.n(12); {
	case k < 3:
		g.str()
	case k < 5:
		g.number()
	case k == 5:
		if g.odd() {
			g.b = append(g.b, pick(g, []string{"nul", "True", "nulll", "t", "fals", "truee", "nan"})...)
		} else {
			g.b = append(g.b, pick(g, []string{"true", "false", "null"})...)
		}
	case k == 6 && depth < 70:
		g.b = append(g.b, '[')
		for i := range g.n(4) {
			if i > 0 {
				g.b = append(g.b, ',')
			}
			g.value(depth + 1)
		}
		g.ws()
		g.b = append(g.b, ']')
	case k <= 8 && depth < 70:
		g.object(depth+1, nil)
	case k == 9:
		// deep nesting, around the fast path's limit
		n := pick(g, []int{10, 20, 30, 40, 50, 55, 60})
		if g.odd() {
			n = pick(g, []int{61, 62, 63, 64, 65, 66, 100, 10001})
		}
		open := pick(g, []string{"[", `{"a":`, `{"status":`})
		for range n {
			g.b = append(g.b, open...)
		}
		g.b = append(g.b, '1')
		for range n {
			if open == "[" {
				g.b = append(g.b, ']')
			} else {
				g.b = append(g.b, '}')
			}
		}
	default:
		g.b = append(g.b, "null"...)
	}
	g.ws()
}

// keySpelling writes key as a JSON key, spelled as it is or in one of the
// ways encoding/json matches it regardless.
func (g *answerGen) keySpelling(key string) {
	g.ws()
	g.b = append(g.b, '"')
	variant := 99
	if g.odd() {
		variant = g.n(6)
	}
	switch variant {
	case 0:
		g.b = append(g.b, strings.ToUpper(key)...)
	case 1:
		if key != "" {
			i := g.n(len(key))
			g.b = append(g.b, key[:i]...)
			g.b = append(g.b, strings.ToUpper(key[i:i+1])...)
			g.b = append(g.b, key[i+1:]...)
		}
	case 2:
		if key != "" {
			i := g.n(len(key))
			g.b = append(g.b, key[:i]...)
			g.b = append(g.b, fmt.Sprintf(`\u%04x`, key[i])...)
			g.b = append(g.b, key[i+1:]...)
		}
	case 3:
		// Unicode folding: ſ folds to s, K (Kelvin) to k.
		r := strings.NewReplacer("s", "ſ", "k", "K")
		g.b = append(g.b, r.Replace(key)...)
	case 4:
		g.b = append(g.b, key...)
		g.b = append(g.b, pick(g, []string{" ", "_", "\\u0000", "\x00", "é"})...)
	case 5:
		g.b = append(g.b, pick(g, []string{"", "x", "list", "next", "code", "response", "status", "payment_status",
			"schedule_status", "access_token", "expired_at", "Status", "AMOUNT", "a_very_long_key_that_is_longer_than_thirty_two"})...)
	default:
		g.b = append(g.b, key...)
	}
	g.b = append(g.b, '"')
	g.ws()
	g.b = append(g.b, ':')
}

// field is a key and how to write its value.
type genField struct {
	key   string
	value func()
}

// object writes an object with the given fields, each maybe left out,
// repeated or misspelled, and unknown ones among them.
func (g *answerGen) object(depth int, fields []genField) {
	g.ws()
	g.b = append(g.b, '{')
	var all []genField
	for _, f := range fields {
		if g.p(70) {
			all = append(all, f)
		}
		if g.odd() {
			all = append(all, f)
		}
	}
	for range g.n(3) {
		key := pick(g, []string{"unknown", "x", "", "extra_field", "-", " ", "Name_", "a/b", "imp_uid_", "amount2", "~", "{"})
		if g.odd() {
			key = pick(g, []string{"list", "status", "amount", "code", "next", "imp_uid", "response", "message", "cancel_history"})
		}
		all = append(all, genField{key, func() { g.value(depth + 1) }})
	}
	g.r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	for i, f := range all {
		if i > 0 {
			g.ws()
			g.b = append(g.b, ',')
		}
		g.keySpelling(f.key)
		g.ws()
		f.value()
		g.ws()
	}
	if g.odd() {
		g.b = append(g.b, ',')
	}
	g.b = append(g.b, '}')
	g.ws()
}

// strValue is a value for a string field.
func (g *answerGen) strValue() {
	switch {
	case g.odd():
		g.value(0)
	case g.p(10):
		g.b = append(g.b, "null"...)
	default:
		g.str()
	}
}

func (g *answerGen) boolValue() {
	if g.odd() {
		g.value(0)
		return
	}
	g.b = append(g.b, pick(g, []string{"true", "false", "null"})...)
}

// listValue writes a list of elements, or null, or something else.
func (g *answerGen) listValue(elem func()) {
	switch g.n(10) {
	case 0:
		g.b = append(g.b, "null"...)
	case 1:
		g.b = append(g.b, pick(g, []string{"[]", "[ ]", "[\n]"})...)
	case 2:
		if g.odd() {
			g.value(0)
		} else {
			g.b = append(g.b, "null"...)
		}
	default:
		g.b = append(g.b, '[')
		for i := range g.n(4) {
			if i > 0 {
				g.b = append(g.b, ',')
			}
			g.ws()
			if g.odd() {
				g.b = append(g.b, "null"...)
			} else {
				elem()
			}
			g.ws()
		}
		if g.odd() {
			g.b = append(g.b, ',')
		}
		g.b = append(g.b, ']')
	}
}

func (g *answerGen) paymentFields() []genField {
	var fs []genField
	t := reflect.TypeFor[Payment]()
	for i := range t.NumField() {
		f := t.Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		var v func()
		switch key {
		case "cancel_history":
			v = func() {
				g.listValue(func() {
					g.object(2, []genField{{"pg_tid", g.strValue}, {"amount", g.lenientValue}, {"cancelled_at", g.lenientValue},
						{"reason", g.strValue}, {"cancellation_id", g.strValue}, {"receipt_url", g.strValue}})
				})
			}
		case "deposit_history":
			v = func() {
				g.listValue(func() {
					g.object(2, []genField{{"pg_tid", g.strValue}, {"amount", g.lenientValue},
						{"depositor_name", g.strValue}, {"deposited_at", g.lenientValue}})
				})
			}
		case "cancel_receipt_urls":
			v = func() { g.listValue(g.strValue) }
		case "promotion":
			v = func() {
				if g.odd() {
					g.value(1)
					return
				}
				if g.p(20) {
					g.b = append(g.b, "null"...)
					return
				}
				g.object(2, []genField{{"id", g.strValue}, {"discount", g.lenientValue}})
			}
		case "extension":
			v = func() { g.value(1) }
		default:
			switch f.Type.Kind() {
			case reflect.Bool:
				v = g.boolValue
			case reflect.String:
				if f.Type == reflect.TypeFor[CardType]() {
					v = g.lenientValue
				} else {
					v = g.strValue
				}
			default:
				v = g.lenientValue
			}
		}
		fs = append(fs, genField{key, v})
	}
	return fs
}

// answer writes one payment answer.
func (g *answerGen) answer() []byte {
	g.b = g.b[:0]
	g.bad = pick(g, []int{0, 0, 1, 3, 10, 30, 300})
	if g.odd() {
		g.b = append(g.b, "\xef\xbb\xbf"...)
	}
	code := func() {
		if !g.odd() {
			g.b = append(g.b, '0')
			return
		}
		g.b = append(g.b, pick(g, []string{"-0", "0.0", `"0"`, "1", "-1", "null", "0e0", "00", "1e400", `""`, "[]", "{}"})...)
	}
	message := func() {
		switch {
		case g.odd():
			g.value(0)
		case g.p(20):
			g.b = append(g.b, "null"...)
		default:
			g.str()
		}
	}
	response := func() {
		if g.odd() {
			g.value(0)
			return
		}
		g.object(1, g.paymentFields())
	}
	g.object(0, []genField{{"code", code}, {"message", message}, {"response", response}})
	if g.odd() {
		g.b = append(g.b, pick(g, []string{"x", "{}", "0", "\x00", " ", "\n", "\xef\xbb\xbf", "}", ","})...)
	}
	if g.odd() {
		g.mutate()
	}
	return g.b
}

// mutate changes a few bytes of the answer.
func (g *answerGen) mutate() {
	for range 1 + g.n(3) {
		if len(g.b) == 0 {
			return
		}
		i := g.n(len(g.b))
		switch g.n(5) {
		case 0:
			g.b = append(g.b[:i], g.b[i+1:]...)
		case 1:
			g.b = append(g.b[:i], append([]byte{pick(g, []byte(`{}[]",:\ 0-.eE`+"\x00\x80\xff"))}, g.b[i:]...)...)
		case 2:
			g.b[i] = byte(g.n(256))
		case 3:
			g.b = g.b[:i]
		case 4:
			j := g.n(len(g.b))
			g.b = append(g.b[:i], append(bytes.Clone(g.b[j:min(len(g.b), j+1+g.n(20))]), g.b[i:]...)...)
		}
	}
}

// fastAttackRounds is how many answers the generated test reads: a
// second's worth, or IAMPORT_FASTPAY_ROUNDS, which also gives every
// spelling of every key every place in TestAttackFastPayEveryFieldEveryValue.
func fastAttackRounds() int {
	if n, err := strconv.Atoi(os.Getenv("IAMPORT_FASTPAY_ROUNDS")); err == nil && n > 0 {
		return n
	}
	if testing.Short() {
		return 1000
	}
	return 6000
}

// TestAttackFastPayGenerated holds the fast path to the general path on
// generated payment answers, and checks that the generator reaches both
// outcomes often enough to mean something.
func TestAttackFastPayGenerated(t *testing.T) {
	t.Parallel()
	g := &answerGen{r: rand.New(rand.NewPCG(1, 2))}
	if s, err := strconv.ParseUint(os.Getenv("IAMPORT_FASTPAY_SEED"), 10, 64); err == nil {
		g.r = rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
	}
	accepted, refused := 0, 0
	for range fastAttackRounds() {
		if fastVsGeneral(t, g.answer()) {
			accepted++
		} else {
			refused++
		}
	}
	t.Logf("fast path accepted %d answers, left %d to the general path", accepted, refused)
	require.Greater(t, accepted, refused/20, "the generator hardly reaches the fast path")
	require.Greater(t, refused, accepted/20, "the generator hardly reaches the general path")
}

// FuzzAttackFastPay holds the fast path to the general path on any body.
func FuzzAttackFastPay(f *testing.F) {
	g := &answerGen{r: rand.New(rand.NewPCG(3, 4))}
	for range 200 {
		f.Add(bytes.Clone(g.answer()))
	}
	for _, s := range fastAttackCases {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fastVsGeneral(t, body)
	})
}

// fastAttackCases are hand-written answers at the edges the two paths must
// agree on.
var fastAttackCases = []string{
	`{"code":0,"message":"","response":{"imp_uid":"imp_1","status":"paid","amount":1000}}`,
	`{"code":0,"response":{}}`,
	`{"response":{}}`,
	` {"code":0,"response":{}} ` + "\n",
}

// TestAttackFastPayCases runs the hand-written answers.
func TestAttackFastPayCases(t *testing.T) {
	t.Parallel()
	for _, s := range fastAttackCases {
		fastVsGeneral(t, []byte(s))
	}
}

// fastAttackRawValues are the values every field is given in turn by
// TestAttackFastPayEveryFieldEveryValue.
var fastAttackRawValues = []string{
	`null`, `true`, `false`, `0`, `-0`, `1`, `-1`, `1.5`, `1.005`, `1e2`, `1E-2`, `-0.0`, `0e0`, `01`, `1.`, `.5`, `+1`,
	`1e400`, `12345678901234567890`, `9007199254740993`, `35184372088832`, `1700000000`, `1700000000.5`, `1e15`, `1e16`,
	`""`, `" "`, `"0"`, `"1"`, `" 1 "`, `"1.5"`, `"null"`, `"abc"`, `"\u0030"`, `"\""`, `"\\"`, `"\/"`, `"\u0000"`,
	`"\ud83d\ude00"`, `"\ud83d"`, `"\ude00"`, `"\ud83d\u0041"`, `"\uD800\uDC00"`, `"\uDBFF\uDFFF"`, `"\uFFFD"`, `"\u2028"`,
	"\"\xff\"", "\"\xed\xa0\x80\"", "\"\xc0\x80\"", "\"\x7f\"", "\"\x01\"", "\"\t\"", "\"\u2028\u2029\"", "\"\xef\xbf\xbd\"",
	`"\x"`, `"\u12"`, `"\U0041"`, `"`, `"a`, `[]`, `[ ]`, `{}`, `{ }`, `[null]`, `[1]`, `[""]`, `["a",null]`, `["a"]`,
	`[{}]`, `[{},{}]`, `[{"amount":1}]`, `[{"amount":1,"amount":2}]`, `[{"AMOUNT":1}]`, `[{"status":"paid","Status":"x"}]`,
	`{"id":"p","discount":10}`, `{"id":null,"discount":null}`, `{"discount":"1.5"}`, `{"discount":1.005}`,
	`{"status":1,"status":2}`, `{"st\u0061tus":1,"status":2}`, `{"ſtatus":1,"status":2}`, `{"a":1,"a":2}`,
	`{"pg_tid":"t","amount":100,"cancelled_at":1700000000,"reason":"r","cancellation_id":"c","receipt_url":"u"}`,
	`[{"pg_tid":"t","amount":100,"depositor_name":"n","deposited_at":1}]`, `[{"pg_tid":"t","pg_tid":"u"}]`,
	`[[[[[[[[[[1]]]]]]]]]]`, `{"a":{"b":{"c":[1,{"d":null}]}}}`, `[1,]`, `[,1]`, `{"a":1,}`, `{"a"}`, `{1:2}`, `nul`, `tru`,
	`truex`, `NaN`, `Infinity`, `-`, `--1`, `0x1`, `1_0`,
}

// fastAttackBase is a payment answer every field of which is replaced in
// turn; %s marks the place.
const fastAttackBase = `{"code":0,"message":"ok","response":{"imp_uid":"imp_1","merchant_uid":"m_1","status":"paid","amount":1000,%s}}`

// TestAttackFastPayEveryFieldEveryValue gives every field of a payment,
// of its cancels, deposits and promotion, and of the envelope, every value
// of fastAttackRawValues, spelled in several ways, and holds the two paths
// to the same result.
func TestAttackFastPayEveryFieldEveryValue(t *testing.T) {
	t.Parallel()
	keys := []string{"code", "message", "response"}
	for _, typ := range []reflect.Type{reflect.TypeFor[Payment](), reflect.TypeFor[Cancel](), reflect.TypeFor[Deposit](), reflect.TypeFor[Promotion]()} {
		for i := range typ.NumField() {
			k, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			keys = append(keys, k)
		}
	}
	keys = append(keys, decisiveKeys[:]...)
	keys = append(keys, "", "x", "unknown_field")
	spell := func(k string) []string {
		out := []string{k, strings.ToUpper(k)}
		if k != "" {
			out = append(out, strings.ToUpper(k[:1])+k[1:], fmt.Sprintf(`\u%04x`, k[0])+k[1:],
				strings.NewReplacer("s", "ſ", "k", "K").Replace(k), k+" ")
		}
		return out
	}
	_, full := os.LookupEnv("IAMPORT_FASTPAY_ROUNDS")
	accepted := 0
	for _, k := range keys {
		for si, sk := range spell(k) {
			for _, v := range fastAttackRawValues {
				field := `"` + sk + `":` + v
				bodies := []string{
					fmt.Sprintf(fastAttackBase, field),
					fmt.Sprintf(fastAttackBase, `"x":1,`+field+`,"y":2`),
					fmt.Sprintf(fastAttackBase, `"cancel_history":[{`+field+`}]`),
					fmt.Sprintf(fastAttackBase, `"deposit_history":[{"pg_tid":"t",`+field+`}]`),
					fmt.Sprintf(fastAttackBase, `"promotion":{`+field+`}`),
					fmt.Sprintf(fastAttackBase, `"extension":{`+field+`}`),
					`{"code":0,` + field + `,"response":{"imp_uid":"i"}}`,
					`{"response":{"imp_uid":"i"},` + field + `}`,
					`{` + field + `}`,
				}
				if si > 0 && !full {
					// Another spelling of the key: the fast path leaves it to
					// the general path wherever it is.
					bodies = []string{bodies[0], bodies[6]}
				}
				for _, b := range bodies {
					if compareFastGeneral(t, []byte(b), accepted%256 == 0) {
						accepted++
					}
				}
			}
		}
	}
	t.Logf("fast path accepted %d bodies", accepted)
	require.Positive(t, accepted)
}

// TestAttackFastPayKeepsNoLargeBuffer decodes answers that carry a large
// value the Payment does not hold, keeps one short string of each, and
// checks that what stays reachable is not the large values: the
// strings of a fast-path Payment share one buffer, which must not grow
// with what the Payment leaves out. It measures the live heap, so it does
// not run in parallel with other tests.
func TestAttackFastPayKeepsNoLargeBuffer(t *testing.T) {
	const (
		n     = 32
		large = 256 << 10
	)
	body := []byte(`{"code":0,"message":"` + strings.Repeat("m", large) + `","response":{"imp_uid":"imp_1","unknown":"` +
		strings.Repeat("u", large) + `","extra":[` + strings.Repeat(`"v",`, large/4) + `"v"],"status":"paid","amount":1000}}`)
	kept := make([]string, n)
	grown := heapGrowth(func() {
		for i := range kept {
			var p Payment
			require.True(t, fastPaymentAnswer(body, &p))
			kept[i] = p.ImpUID
		}
	})
	for _, s := range kept {
		require.Equal(t, "imp_1", s)
	}
	// n times the large values would mean they are kept.
	require.Less(t, grown, int64(n*large/4), "%d short strings keep %d bytes alive", n, grown)
	runtime.KeepAlive(kept)
}

// TestAttackFastPayPrintsNoPersonalData checks that a fast-path Payment
// prints and logs without the buyer's, the account's and the depositors'
// data, as a general-path one does, and encodes to the same JSON.
func TestAttackFastPayPrintsNoPersonalData(t *testing.T) {
	t.Parallel()
	secrets := map[string]string{
		"buyer_name": "SECRET-NAME-홍길동", "buyer_email": "secret-mail@example.com", "buyer_tel": "010-9999-8888",
		"buyer_addr": "SECRET-ADDR-서울", "buyer_postcode": "SECRET-POST-12345", "vbank_num": "SECRET-VBANK-56781234",
		"vbank_holder": "SECRET-HOLDER-김",
	}
	var b strings.Builder
	b.WriteString(`{"code":0,"message":"","response":{"imp_uid":"imp_1","status":"paid","amount":1000,`)
	for k, v := range secrets {
		fmt.Fprintf(&b, "%q:%q,", k, v)
	}
	b.WriteString(`"deposit_history":[{"pg_tid":"t","amount":1000,"depositor_name":"SECRET-DEPOSITOR-이","deposited_at":1700000000}],` +
		`"promotion":{"id":"promo","discount":100},"extension":{"k":"v"}}}`)
	body := []byte(b.String())
	require.True(t, fastVsGeneral(t, body), "the fast path should read this answer")
	var fast Payment
	require.True(t, fastPaymentAnswer(body, &fast))
	require.Equal(t, "SECRET-DEPOSITOR-이", fast.DepositHistory[0].DepositorName)
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("p", "payment", fast, "ptr", &fast, "deposit", fast.DepositHistory[0])
	slog.New(slog.NewTextHandler(&logged, nil)).Info("p", "payment", fast, "ptr", &fast)
	outs := []string{logged.String()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		outs = append(outs, fmt.Sprintf(verb, fast), fmt.Sprintf(verb, &fast), fmt.Sprintf(verb, []Payment{fast}),
			fmt.Sprintf(verb, fast.DepositHistory))
	}
	for _, out := range outs {
		for k, v := range secrets {
			require.NotContains(t, out, v, "%s printed", k)
			require.NotContains(t, out, fmt.Sprintf("%x", v), "%s printed in hex", k)
		}
		require.NotContains(t, out, "SECRET-DEPOSITOR")
		require.NotContains(t, out, fmt.Sprintf("%x", "SECRET-DEPOSITOR-이"))
	}
	// Its JSON form keeps them, for the merchant's own API, as the general
	// path's does.
	j, err := json.Marshal(fast)
	require.NoError(t, err)
	require.Contains(t, string(j), "SECRET-DEPOSITOR")
}

// FuzzAttackFastPayField holds the two paths to the same result on a
// payment answer with one fuzzed key and value, placed in the envelope, the
// payment, a cancel, a deposit, the promotion or the extension.
func FuzzAttackFastPayField(f *testing.F) {
	for i, v := range fastAttackRawValues {
		f.Add("amount", []byte(v), uint8(i))
		f.Add("imp_uid", []byte(v), uint8(i+1))
		f.Add("cancel_history", []byte(v), uint8(i+2))
	}
	f.Fuzz(func(t *testing.T, key string, value []byte, where uint8) {
		k, err := json.Marshal(key)
		if err != nil {
			return
		}
		if where&0x80 != 0 {
			k = append(append([]byte{'"'}, key...), '"') // as written, escapes and all
		}
		field := string(k) + ":" + string(value)
		var body string
		switch where % 7 {
		case 0:
			body = fmt.Sprintf(fastAttackBase, field)
		case 1:
			body = fmt.Sprintf(fastAttackBase, `"cancel_history":[{"amount":1},{`+field+`}]`)
		case 2:
			body = fmt.Sprintf(fastAttackBase, `"deposit_history":[{`+field+`,"amount":1}]`)
		case 3:
			body = fmt.Sprintf(fastAttackBase, `"promotion":{`+field+`}`)
		case 4:
			body = fmt.Sprintf(fastAttackBase, `"extension":{`+field+`}`)
		case 5:
			body = `{"code":0,` + field + `,"response":{"imp_uid":"i","status":"paid"}}`
		case 6:
			body = fmt.Sprintf(fastAttackBase, `"x":[`+string(value)+`]`)
		}
		fastVsGeneral(t, []byte(body))
	})
}
