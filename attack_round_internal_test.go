package iamport

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// roundRefKey is what ambiguousKey must return, computed the slow way: the
// body tokenised by encoding/json, each key unescaped and folded as
// encoding/json folds it (bytes.EqualFold), per object.
func roundRefKey(body []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	type frame struct {
		obj    bool
		seen   map[int]bool
		keyNow bool // the next string token is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return "", true
		}
		if err != nil {
			return "", false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		isKey := top != nil && top.obj && top.keyNow
		if top != nil && top.obj {
			top.keyNow = !top.keyNow
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, &frame{obj: true, seen: map[int]bool{}, keyNow: true})
			case '[':
				stack = append(stack, &frame{})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].obj {
					stack[len(stack)-1].keyNow = true
				}
			}
		case string:
			if isKey {
				for i, d := range decisiveKeys {
					if bytes.EqualFold([]byte(t), []byte(d)) {
						if top.seen[i] {
							return d, true
						}
						top.seen[i] = true
					}
				}
			}
		}
		// A value other than an object or array that ends a member makes
		// the next string a key again: keyNow was flipped above.
	}
}

// roundGen writes random valid JSON with many chances of decisive keys in
// odd spellings, nested, at the very end, beside long strings and escapes.
type roundGen struct {
	r *rand.Rand
	b strings.Builder
}

var roundSpellings = func() []string {
	var out []string
	for _, k := range decisiveKeys {
		out = append(out, k, strings.ToUpper(k))
	}
	return append(out, "st\\u0061tus", "\\u0073tatus", "ſtatus", "STATUſ", "amount\\u0000", "imp\\u005fuid",
		"merchant_uıd", "acceſs_token", "\\\"status", "status\\\\", "aMoUnT", "\\u0063ode", "ᏚTATUS", "cancel_amount ",
		"list", "LIST", "ne\\u0078t", "K", "response", "\\u0052esponse")
}()

func (g *roundGen) str(key bool) {
	g.b.WriteByte('"')
	switch n := g.r.Intn(10); {
	case key && n < 7:
		g.b.WriteString(roundSpellings[g.r.Intn(len(roundSpellings))])
	case n == 8:
		g.b.WriteString(strings.Repeat("x\\\\\\\"{[:,", g.r.Intn(300)))
	default:
		for i := g.r.Intn(24); i > 0; i-- {
			switch c := g.r.Intn(12); c {
			case 0:
				g.b.WriteString(`\"`)
			case 1:
				g.b.WriteString(`\\`)
			case 2:
				g.b.WriteString(`\u00e9`)
			case 3:
				g.b.WriteString("한")
			case 4:
				g.b.WriteString(`{\":`)
			default:
				g.b.WriteByte(byte('a' + g.r.Intn(26)))
			}
		}
	}
	g.b.WriteByte('"')
}

func (g *roundGen) ws() {
	for i := g.r.Intn(3); i > 0; i-- {
		g.b.WriteByte(" \t\n\r"[g.r.Intn(4)])
	}
}

func (g *roundGen) value(depth int) {
	g.ws()
	switch n := g.r.Intn(10); {
	case n < 3 && depth < 6:
		g.b.WriteByte('{')
		for i, m := 0, g.r.Intn(6); i < m; i++ {
			if i > 0 {
				g.b.WriteByte(',')
			}
			g.ws()
			g.str(true)
			g.ws()
			g.b.WriteByte(':')
			g.value(depth + 1)
		}
		g.ws()
		g.b.WriteByte('}')
	case n < 5 && depth < 6:
		g.b.WriteByte('[')
		for i, m := 0, g.r.Intn(4); i < m; i++ {
			if i > 0 {
				g.b.WriteByte(',')
			}
			g.value(depth + 1)
		}
		g.b.WriteByte(']')
	case n < 7:
		g.str(false)
	case n == 7:
		fmt.Fprintf(&g.b, "%d.5e1", g.r.Intn(1000))
	case n == 8:
		g.b.WriteString([]string{"true", "false", "null"}[g.r.Intn(3)])
	default:
		fmt.Fprint(&g.b, g.r.Intn(100000))
	}
	g.ws()
}

// The fast key scan agrees with encoding/json's own reading on random valid
// JSON: a decisive key twice in one object, in any spelling encoding/json
// folds together, is found, and nothing else is.
func TestRoundAmbiguousKeyAgreesWithDecoder(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	found, checked := 0, 0
	for i := 0; i < raceScaled(60000); i++ {
		g := &roundGen{r: r}
		g.b.WriteByte('{')
		for j, m := 0, 1+r.Intn(5); j < m; j++ {
			if j > 0 {
				g.b.WriteByte(',')
			}
			g.str(true)
			g.b.WriteByte(':')
			g.value(1)
		}
		g.b.WriteByte('}')
		body := []byte(g.b.String())
		if !json.Valid(body) {
			t.Fatalf("the generator wrote invalid JSON: %s", body)
		}
		want, ok := roundRefKey(body)
		if !ok {
			continue
		}
		if got := ambiguousKey(body); got != want {
			t.Fatalf("ambiguousKey(%s) = %q, encoding/json reads a duplicate %q", body, got, want)
		}
		checked++
		if want != "" {
			found++
		}
	}
	// The generator must exercise both answers, or the test proves little.
	if found < 500 || checked-found < 500 {
		t.Fatalf("%d of %d bodies had a duplicate key: the generator is off", found, checked)
	}
	t.Logf("%d of %d bodies had a duplicate decisive key", found, checked)
}

// Every spelling of a decisive key that encoding/json matches to it, as the
// second of two in one object, at the very end of the body or deep inside.
func TestRoundAmbiguousKeyEverySpelling(t *testing.T) {
	for _, k := range decisiveKeys {
		for _, sp := range roundFoldings(k) {
			for _, shape := range []string{`{"%s":1,"%s":2}`, `{"a":[{"b":{"%s":"x" ,  "%s"  :"y"}}]}`, "{\"%s\"\n:\t1,\n\"%s\"\r\n:2}"} {
				body := []byte(fmt.Sprintf(shape, k, sp))
				if !json.Valid(body) {
					t.Fatalf("invalid test body %s", body)
				}
				if got := ambiguousKey(body); got != k {
					t.Errorf("ambiguousKey(%s) = %q, want %q", body, got, k)
				}
			}
		}
	}
}

// roundFoldings lists spellings encoding/json folds to k: upper case, each
// letter escaped, and the non-ASCII runes that fold to an ASCII letter.
func roundFoldings(k string) []string {
	out := []string{strings.ToUpper(k), `\u00` + fmt.Sprintf("%02x", k[0]) + k[1:], k[:len(k)-1] + fmt.Sprintf(`\u%04X`, k[len(k)-1])}
	if i := strings.IndexByte(k, 's'); i >= 0 {
		out = append(out, k[:i]+"ſ"+k[i+1:], k[:i]+`\u017f`+k[i+1:])
	}
	if i := strings.IndexByte(k, 'k'); i >= 0 {
		out = append(out, k[:i]+"\u212a"+k[i+1:])
	}
	for _, s := range out {
		if !utf8.ValidString(s) {
			panic(s)
		}
	}
	return out
}

// The cancel memory, through many payments and hours: a cancel of unknown
// outcome and a cancel in progress are never forgotten, however old and
// however many other payments pass; the rest stays bounded.
func TestRoundCancelMemoryKeepsWhatProves(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := &cancelLocks{now: func() time.Time { return now }}
	pay := func(id string, cancelled int64) *Payment {
		return &Payment{ImpUID: id, Amount: AmountFromCents(100000), CancelAmount: AmountFromCents(cancelled),
			CancelHistory: []Cancel{{Amount: AmountFromCents(cancelled)}}}
	}
	l.saw(pay("imp_unknown", 1000))
	l.lost("imp_unknown", cancelTry{checksum: 99000, refund: 1000})
	l.saw(pay("imp_busy", 2000))
	unlock, err := l.lock(context.Background(), "imp_busy")
	require.NoError(t, err)
	l.saw(pay("imp_plain", 3000))
	peak := 0
	for hour := 0; hour < 5; hour++ {
		now = now.Add(memoryAge + time.Minute)
		for i := 0; i < 3*memoryKeep; i++ {
			l.saw(pay(fmt.Sprintf("imp_%d_%d", hour, i), 500))
			peak = max(peak, len(l.seen))
		}
	}
	require.Len(t, l.seenState("imp_unknown").unsettled, 1, "an unknown cancel was forgotten: its twin would be reported applied")
	require.Equal(t, int64(2000), l.seenState("imp_busy").cancelled, "a payment's memory was dropped under a cancel in progress")
	require.Zero(t, l.seenState("imp_plain").count)
	require.Less(t, peak, 8*memoryKeep, "the memory grew without bound")
	unlock()
}

// The order memory of charges and issues is bounded the same way, and never
// forgets an order being charged.
func TestRoundOrderMemoryBounded(t *testing.T) {
	var f inFlight
	require.NoError(t, f.claim("o-busy"))
	f.remember("o-busy", &Payment{ImpUID: "imp_busy", Status: PaymentStatusFailed})
	f.answered["o-busy"].touched = time.Now().Add(-2 * memoryAge)
	for i := 0; i < 3*memoryKeep; i++ {
		f.remember(fmt.Sprintf("o-%d", i), &Payment{ImpUID: fmt.Sprintf("imp_%d", i), Status: PaymentStatusPaid})
		if i%memoryKeep == 0 {
			for _, a := range f.answered {
				a.touched = a.touched.Add(-2 * memoryAge)
			}
		}
	}
	require.Less(t, len(f.answered), 2*memoryKeep+1)
	var before map[string]bool
	require.False(t, f.known("o-busy", &before))
	require.True(t, before["imp_busy"], "the memory of an order being charged was dropped")
	before = nil
	last := fmt.Sprintf("o-%d", 3*memoryKeep-1)
	require.True(t, f.known(last, &before))
	require.True(t, before[fmt.Sprintf("imp_%d", 3*memoryKeep-1)])
}
