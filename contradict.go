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
// whose response holds a paid payment may hide a charge that was made.

import (
	"bytes"
	"encoding/json"
	"fmt"
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
func ambiguousKey(body []byte) string {
	var room [16]uint32
	stack := room[:0] // one entry per open object or array: the decisive keys seen
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
			end, plain := stringEnd(body, i)
			if end < 0 {
				return ""
			}
			k := end + 1
			for k < len(body) && (body[k] == ' ' || body[k] == '\t' || body[k] == '\n' || body[k] == '\r') {
				k++
			}
			if k < len(body) && body[k] == ':' && len(stack) > 0 && stack[len(stack)-1] != inArray {
				if idx := decisiveIndex(body[i:end+1], plain); idx >= 0 {
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

// stringEnd returns the index of the quote that closes the JSON string
// opening at body[start], or -1, and whether the string is known to be
// plain: no escape, ASCII only. Most strings are short: the first bytes are
// read one by one, the rest of a long string with bytes.IndexByte, taking
// the first quote that an odd number of backslashes does not escape.
func stringEnd(body []byte, start int) (end int, plain bool) {
	j := start + 1
	var seen byte // the bits of every byte read one by one
	for n := min(len(body), j+16); j < n; j++ {
		switch c := body[j]; c {
		case '\\':
			return escapedStringEnd(body, start, j), false
		case '"':
			return j, seen < utf8.RuneSelf
		default:
			seen |= c
		}
	}
	return escapedStringEnd(body, start, j), false
}

// escapedStringEnd is stringEnd for a string that is long or has an escape,
// from body[j] on.
func escapedStringEnd(body []byte, start, j int) int {
	for j < len(body) {
		k := bytes.IndexByte(body[j:], '"')
		if k < 0 {
			return -1
		}
		q := j + k
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

// decisiveKeyBytes holds decisiveKeys as bytes, and decisiveByLen their
// indexes by length, to compare keys with without converting them.
var (
	decisiveKeyBytes [len(decisiveKeys)][]byte
	decisiveByLen    [maxDecisiveLen + 1][]int
)

// maxDecisiveLen is the length of the longest decisive key (init panics if
// a longer one is added without raising it).
const maxDecisiveLen = len("schedule_status")

func init() {
	for i, k := range decisiveKeys {
		decisiveKeyBytes[i] = []byte(k)
		decisiveByLen[len(k)] = append(decisiveByLen[len(k)], i)
	}
}

// decisiveIndex returns the index in decisiveKeys of the quoted key, compared
// as encoding/json compares it, or -1; plain says the key is known to have
// no escape and no non-ASCII byte. It allocates only for a key with an
// escape in it.
func decisiveIndex(quoted []byte, plain bool) int {
	key := quoted[1 : len(quoted)-1]
	// A plain ASCII key folds only to a key of its own length.
	if len(key) <= maxDecisiveLen {
		for _, i := range decisiveByLen[len(key)] {
			if asciiFoldEqual(key, decisiveKeyBytes[i]) {
				return i
			}
		}
	}
	if plain {
		return -1
	}
	for _, c := range key {
		if c == '\\' || c >= utf8.RuneSelf {
			return foldedIndex(quoted)
		}
	}
	return -1
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
// paid payment, or a list with one: an object whose status or
// payment_status is "paid".
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
			if c.Status == PaymentStatusPaid || c.PaymentStatus == PaymentStatusPaid {
				return true
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
// invalid response when r moves money and the response holds a paid
// payment: the failure may hide a charge that was made.
func markPaidFailure(r *request, res attemptResult, e *APIError) *APIError {
	if r.money && responseClaimsPaid(res.body) {
		e.invalid = true
		e.Message = fmt.Sprintf("%s (code %d, but the response holds a paid payment: the answer contradicts itself)",
			e.Message, e.Code)
	}
	return e
}
