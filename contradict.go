package iamport

// Answers that contradict themselves.
//
// encoding/json matches object keys to struct fields regardless of case,
// and lets the last of two matching keys win. A body such as
// {"status":"failed","STATUS":"paid"} would decode as paid, while another
// reader (or iamport's own records) may say failed. For the keys that decide
// the outcome of a call, such a body is read as neither: decode reports it
// as an invalid response (ErrInvalidResponse), which a money-moving call
// treats as an answer that says nothing sure, and reconciles.
//
// The same holds for a failure that carries a success: iamport answers
// code != 0 with response null; a code != 0 answer to a money-moving call
// whose response holds a payment paid (or ready: still in progress) may hide
// a charge that was made.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/bits"
	"unicode/utf8"
)

// decisiveKeys are the keys of iamport's answers whose values decide what a
// call did: the envelope's, and those of the payments, schedules, billing
// keys and pages in it. At most 31.
var decisiveKeys = [...]string{
	"code", "response", "status", "amount", "cancel_amount", "currency", "merchant_uid", "imp_uid",
	"customer_uid", "paid_at", "failed_at", "cancelled_at", "cancel_history", "schedule_status",
	"payment_status", "schedule_at", "revoked_at", "executed_at", "list", "next", "access_token", "expired_at",
}

// inArray marks an array on ambiguousKey's stack: it has no keys.
const inArray = uint32(1) << 31

// ambiguousKey returns the first decisive key that appears twice in one
// object of body, in the same case or in different ones (as encoding/json
// folds case, Unicode folding included, and unescapes keys before it
// matches), or "" if there is none. body need not be valid JSON: what does
// not parse is for the decoder to report.
//
// It runs on every answer, so it reads as little as it can. Between strings
// it reads byte by byte, through a table (those runs are short: a colon, a
// comma, a number). At a string it reads the 16 bytes after the opening
// quote as two words: most keys, and many short values, end there in plain
// ASCII, and a key that does is looked up in decisiveTable from those words
// at once (plainDecisive). Any other string is crossed with bytes.IndexByte,
// and only a key with an escape or a non-ASCII byte in its first 16 is
// compared the slow way (decisiveIndex): a key whose first 16 bytes are plain
// ASCII is longer than every decisive key. byteAmbiguousKey in the tests is
// the same scan read byte by byte, and the two agree on every input.
func ambiguousKey(body []byte) string {
	var room [16]uint32
	stack := room[:0] // one entry per open object or array: the decisive keys seen
	for i := 0; i < len(body); i++ {
		switch scanClass[body[i]] {
		case 0:
			continue
		case '{':
			stack = append(stack, 0)
			continue
		case '[':
			stack = append(stack, inArray)
			continue
		case '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		// A string opens at i. plain is the length of its plain-ASCII start
		// among the 16 bytes after the quote (16 if all are), and end its
		// closing quote when it ends within them.
		end, plain := -1, 0
		var w0, w1 uint64
		if i+17 <= len(body) {
			w0, w1 = binary.LittleEndian.Uint64(body[i+1:]), binary.LittleEndian.Uint64(body[i+9:])
			if s := specialBytes(w0); s != 0 {
				plain = bits.TrailingZeros64(s) >> 3
			} else if s := specialBytes(w1); s != 0 {
				plain = 8 + bits.TrailingZeros64(s)>>3
			} else {
				plain = 16
			}
			if plain < 16 && body[i+1+plain] == '"' {
				end = i + 1 + plain
			}
		}
		if end < 0 {
			if end = stringEnd(body, i, i+1+plain); end < 0 {
				return ""
			}
		}
		k := end + 1
		if k < len(body) && body[k] != ':' {
			for k < len(body) && (body[k] == ' ' || body[k] == '\t' || body[k] == '\n' || body[k] == '\r') {
				k++
			}
		}
		if k < len(body) && body[k] == ':' && len(stack) > 0 && stack[len(stack)-1] != inArray {
			idx := -1
			switch {
			case end == i+1+plain && plain < 16:
				idx = plainDecisive(w0, w1, plain)
			case plain < 16:
				idx = decisiveIndex(body[i : end+1])
			}
			if idx >= 0 {
				bit := uint32(1) << idx
				if stack[len(stack)-1]&bit != 0 {
					return decisiveKeys[idx]
				}
				stack[len(stack)-1] |= bit
			}
		}
		i = end
	}
	return ""
}

// stringEnd returns the index of the quote that closes the JSON string
// opening at body[start], or -1: the first quote at or after from that an
// odd number of backslashes does not escape. The bytes between start and
// from hold no quote.
func stringEnd(body []byte, start, from int) int {
	for j := from; j < len(body); {
		k := bytes.IndexByte(body[j:], '"')
		if k < 0 {
			return -1
		}
		q := j + k
		if body[q-1] != '\\' {
			return q
		}
		escaped := false
		for p := q - 1; p > start && body[p] == '\\'; p-- {
			escaped = !escaped
		}
		if !escaped {
			return q
		}
		j = q + 1
	}
	return -1
}

// Eight bytes at a time: a word of body, read little-endian, has its bytes
// in order from the lowest. zeroBytes sets the high bit of the zero bytes
// of v (exactly for the lowest one; a borrow may mark a byte above it).
const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

func zeroBytes(v uint64) uint64 { return (v - lowBits) &^ v & highBits }

// specialBytes sets the high bit of the bytes of w that end a plain run of a
// string: a quote, a backslash, or a byte of a non-ASCII character (exactly
// for the lowest one, as zeroBytes).
func specialBytes(w uint64) uint64 {
	return zeroBytes(w^lowBits*'"') | zeroBytes(w^lowBits*'\\') | w&highBits
}

// scanClass sorts the bytes ambiguousKey reads between strings: 0 for those
// it passes over, '}' for both closing brackets, and the byte itself for an
// opening bracket or a quote.
var scanClass = [256]byte{'{': '{', '[': '[', '}': '}', ']': '}', '"': '"'}

// keyMasks[n] keeps the first n bytes of two words read little-endian.
var keyMasks = func() (m [16][2]uint64) {
	for n := range m {
		for b := range n {
			m[n][b/8] |= 0xff << (8 * (b % 8))
		}
	}
	return m
}()

// decisiveKeyBytes holds decisiveKeys as bytes, and decisiveByLen their
// indexes by length, to compare keys with without converting them;
// decisiveTable holds them by a hash of their words (see keyWords).
var (
	decisiveKeyBytes [len(decisiveKeys)][]byte
	decisiveByLen    [maxDecisiveLen + 1][]int
	decisiveTable    [1 << decisiveTableBits]decisiveEntry
	decisiveMul      uint64
)

// maxDecisiveLen is the length of the longest decisive key (init panics if
// a longer one is added without raising it past 16).
const maxDecisiveLen = len("schedule_status")

// decisiveTableBits sizes decisiveTable: 128 slots for 22 keys.
const decisiveTableBits = 7

// A decisiveEntry is a slot of decisiveTable: the words of a decisive key
// (its bytes, zero past its end), its length and its index, or an index of
// -1.
type decisiveEntry struct {
	w0, w1 uint64
	n      int8
	index  int8
}

func init() {
	for i, k := range decisiveKeys {
		decisiveKeyBytes[i] = []byte(k)
		decisiveByLen[len(k)] = append(decisiveByLen[len(k)], i)
	}
	// The first multiplier (of a fixed odd sequence) under which no two keys
	// share a slot.
	for try := range uint64(1000) {
		decisiveMul = 0x9e3779b97f4a7c15 + try*0x6a09e667f3bcc908
		clear(decisiveTable[:])
		ok := true
		for i, k := range decisiveKeys {
			padded := append([]byte(k), make([]byte, 16)...)
			w0, w1 := binary.LittleEndian.Uint64(padded), binary.LittleEndian.Uint64(padded[8:])
			e := &decisiveTable[decisiveSlot(w0, w1, len(k))]
			if e.n != 0 {
				ok = false
				break
			}
			*e = decisiveEntry{w0, w1, int8(len(k)), int8(i)}
		}
		if ok {
			for i := range decisiveTable {
				if decisiveTable[i].n == 0 {
					decisiveTable[i].index = -1
				}
			}
			return
		}
	}
	panic("iamport: no hash keeps the decisive keys apart")
}

func decisiveSlot(w0, w1 uint64, n int) uint64 {
	return ((w0 ^ w1<<1 ^ uint64(n)) * decisiveMul) >> (64 - decisiveTableBits)
}

// decisiveIndex returns the index in decisiveKeys of the quoted key, compared
// as encoding/json compares it, or -1. It allocates only for a key with an
// escape in it.
func decisiveIndex(quoted []byte) int {
	key := quoted[1 : len(quoted)-1]
	// A plain ASCII key folds only to a key of its own length.
	if len(key) <= maxDecisiveLen {
		for _, i := range decisiveByLen[len(key)] {
			if asciiFoldEqual(key, decisiveKeyBytes[i]) {
				return i
			}
		}
	}
	for _, c := range key {
		if c == '\\' || c >= utf8.RuneSelf {
			return foldedIndex(quoted)
		}
	}
	return -1
}

// plainDecisive is decisiveIndex for a key of n (below 16) plain ASCII
// bytes with no escape, read as the words w0 and w1 of the 16 bytes after its
// opening quote: its letters are folded to lower case word by word and it is
// looked up in decisiveTable once.
func plainDecisive(w0, w1 uint64, n int) int {
	m := &keyMasks[n&15]
	w0, w1 = lowerASCII(w0&m[0]), lowerASCII(w1&m[1])
	if e := &decisiveTable[decisiveSlot(w0, w1, n)]; e.w0 == w0 && e.w1 == w1 && int(e.n) == n {
		return int(e.index)
	}
	return -1
}

// lowerASCII sets the 0x20 bit of the bytes of w that are 'A' to 'Z'; every
// byte of w is below 0x80. (A byte at or above 'A' reaches 0x80 when 0x3f is
// added, one at or above '[' when 0x25 is; none carries into the next.)
func lowerASCII(w uint64) uint64 {
	upper := (w + 0x3f*lowBits) &^ (w + 0x25*lowBits) & highBits
	return w | upper>>2
}

// foldedIndex is decisiveIndex for a key with an escape or a non-ASCII
// character in it, which may fold to a shorter decisive key (U+017F folds
// to s).
func foldedIndex(quoted []byte) int {
	key := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(key, '\\') >= 0 {
		var s string
		if json.Unmarshal(quoted, &s) != nil {
			return -1
		}
		key = []byte(s)
	}
	for i, d := range decisiveKeyBytes {
		if bytes.EqualFold(key, d) {
			return i
		}
	}
	return -1
}

// asciiFoldEqual reports whether key equals d, a lower-case decisive key,
// with ASCII letters compared regardless of case.
func asciiFoldEqual(key, d []byte) bool {
	if len(key) != len(d) {
		return false
	}
	for i, c := range key {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != d[i] {
			return false
		}
	}
	return true
}

// responseClaimsPaid reports whether the response of an envelope holds a
// payment paid or still in progress, or a list with one: an object whose
// status or payment_status is "paid" or "ready" (a charge that may yet be
// paid).
func responseClaimsPaid(body []byte) bool {
	var env struct {
		Response json.RawMessage `json:"response"`
	}
	if json.Unmarshal(body, &env) != nil {
		return false
	}
	type claim struct {
		Status        PaymentStatus `json:"status"`
		PaymentStatus PaymentStatus `json:"payment_status"`
	}
	paid := func(cs ...claim) bool {
		for _, c := range cs {
			for _, st := range [...]PaymentStatus{c.Status, c.PaymentStatus} {
				if st == PaymentStatusPaid || st == PaymentStatusReady {
					return true
				}
			}
		}
		return false
	}
	var one claim
	var page struct {
		List []claim `json:"list"`
	}
	var list []claim
	return (json.Unmarshal(env.Response, &one) == nil && paid(one)) ||
		(json.Unmarshal(env.Response, &page) == nil && paid(page.List...)) ||
		(json.Unmarshal(env.Response, &list) == nil && paid(list...))
}

// duplicateKeyProblem describes a 2xx answer with a decisive key twice in
// one object, or returns "".
func duplicateKeyProblem(res attemptResult) string {
	if k := ambiguousKey(res.body); k != "" {
		return fmt.Sprintf("%s (the key %q appears twice in one object, in one case or two: the answer contradicts itself)",
			statusText(res.status), k)
	}
	return ""
}

// markPaidFailure makes e, the code != 0 failure of a 2xx answer to r, an
// invalid response when r moves money and the response holds a payment paid
// or in progress: the failure may hide a charge that was made.
func markPaidFailure(r *request, res attemptResult, e *APIError) *APIError {
	if r.money && responseClaimsPaid(res.body) {
		e.invalid = true
		e.Message = fmt.Sprintf("%s (code %d, but the response holds a payment paid or in progress: the answer contradicts itself)",
			e.Message, e.Code)
	}
	return e
}
