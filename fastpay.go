package iamport

// A single-pass reader for the answer every charge and payment look-up gets:
// {"code":0,"message":...,"response":{a payment}}.
//
// encoding/json reads a body twice (once to check that it is JSON, once to
// decode it) and finds each field by reflection; the duplicate-key scan
// (ambiguousKey) reads it a third time. fastPaymentAnswer reads it once.
//
// It decodes only what it can decode exactly as the general path would:
// valid JSON, keys spelled as the fields' tags are (any other key that
// folds to a field's, or to a decisive key, is left to the general path,
// which matches keys regardless of case), string fields holding strings or
// null, lists of objects, values of the lenient types given to their own
// UnmarshalJSON as encoding/json gives them. On anything else (an escape it
// would have to guess at, invalid UTF-8, a key twice in one object, a value
// of another shape, code != 0, a null response) it returns false, and decode
// starts again from scratch on the general path, which gives the answer its
// usual result or typed error. The tests hold the two paths to the same
// result on generated and fuzzed answers (TestFastPaymentMatchesGeneralPath).

import (
	"bytes"
	"reflect"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxFastDepth bounds the nesting of a value fastPaymentAnswer skips over;
// deeper ones are left to the general path (encoding/json allows 10,000).
const maxFastDepth = 64

// fastReader reads one body: b, from i on. buf is room to unquote a string
// with escapes in.
type fastReader struct {
	b   []byte
	i   int
	buf []byte
}

// fastPaymentAnswer decodes body, a 2xx answer, into p, which is zero, and
// reports whether it could. When it returns false, p may hold part of the
// answer: the caller zeroes it before decoding body the general way.
func fastPaymentAnswer(body []byte, p *Payment) bool {
	d := fastReader{b: body}
	response := false
	ok := d.fields(envelopeFolds, func(key []byte) (uint64, bool) {
		switch string(key) {
		case "code":
			// The success the fast path is for; any other code is a failure
			// the general path reads.
			raw, ok := d.raw()
			return 1 << 0, ok && string(raw) == "0"
		case "message": // a string or null, not read on a success
			switch d.peek() {
			case 'n':
				return 1 << 1, d.literal("null")
			case '"':
				return 1 << 1, d.skipString()
			}
			return 1 << 1, false
		case "response":
			response = true
			return 1 << 2, d.payment(p)
		}
		return 0, false
	})
	if !ok || !response {
		return false
	}
	d.ws()
	return d.i == len(d.b)
}

// payment decodes a payment object into p; a null is left to the general
// path (a null response is a failure).
func (d *fastReader) payment(p *Payment) bool {
	return d.fields(paymentFolds, func(key []byte) (uint64, bool) {
		switch string(key) {
		case "imp_uid":
			return 1 << 0, d.str(&p.ImpUID)
		case "merchant_uid":
			return 1 << 1, d.str(&p.MerchantUID)
		case "pay_method":
			return 1 << 2, d.str(&p.PayMethod)
		case "channel":
			return 1 << 3, d.str(&p.Channel)
		case "pg_provider":
			return 1 << 4, d.str(&p.PGProvider)
		case "emb_pg_provider":
			return 1 << 5, d.str(&p.EmbPGProvider)
		case "pg_tid":
			return 1 << 6, d.str(&p.PGTID)
		case "pg_id":
			return 1 << 7, d.str(&p.PGID)
		case "sandbox":
			return 1 << 8, d.boolean(&p.Sandbox)
		case "escrow":
			return 1 << 9, d.boolean(&p.Escrow)
		case "apply_num":
			return 1 << 10, d.str(&p.ApplyNum)
		case "bank_code":
			return 1 << 11, d.str(&p.BankCode)
		case "bank_name":
			return 1 << 12, d.str(&p.BankName)
		case "card_code":
			return 1 << 13, d.str(&p.CardCode)
		case "card_name":
			return 1 << 14, d.str(&p.CardName)
		case "card_issuer_code":
			return 1 << 15, d.str(&p.CardIssuerCode)
		case "card_issuer_name":
			return 1 << 16, d.str(&p.CardIssuerName)
		case "card_publisher_code":
			return 1 << 17, d.str(&p.CardPublisherCode)
		case "card_publisher_name":
			return 1 << 18, d.str(&p.CardPublisherName)
		case "card_quota":
			return 1 << 19, lenient(d, &p.CardQuota)
		case "card_number":
			return 1 << 20, d.str(&p.CardNumber)
		case "card_type":
			return 1 << 21, lenient(d, &p.CardType)
		case "vbank_code":
			return 1 << 22, d.str(&p.VbankCode)
		case "vbank_name":
			return 1 << 23, d.str(&p.VbankName)
		case "vbank_num":
			return 1 << 24, d.str(&p.VbankNum)
		case "vbank_holder":
			return 1 << 25, d.str(&p.VbankHolder)
		case "vbank_date":
			return 1 << 26, lenient(d, &p.VbankDate)
		case "vbank_issued_at":
			return 1 << 27, lenient(d, &p.VbankIssuedAt)
		case "name":
			return 1 << 28, d.str(&p.Name)
		case "amount":
			return 1 << 29, lenient(d, &p.Amount)
		case "cancel_amount":
			return 1 << 30, lenient(d, &p.CancelAmount)
		case "currency":
			return 1 << 31, d.str(&p.Currency)
		case "buyer_name":
			return 1 << 32, d.str(&p.BuyerName)
		case "buyer_email":
			return 1 << 33, d.str(&p.BuyerEmail)
		case "buyer_tel":
			return 1 << 34, d.str(&p.BuyerTel)
		case "buyer_addr":
			return 1 << 35, d.str(&p.BuyerAddr)
		case "buyer_postcode":
			return 1 << 36, d.str(&p.BuyerPostcode)
		case "custom_data":
			return 1 << 37, d.str(&p.CustomData)
		case "user_agent":
			return 1 << 38, d.str(&p.UserAgent)
		case "status":
			return 1 << 39, d.str((*string)(&p.Status))
		case "started_at":
			return 1 << 40, lenient(d, &p.StartedAt)
		case "paid_at":
			return 1 << 41, lenient(d, &p.PaidAt)
		case "failed_at":
			return 1 << 42, lenient(d, &p.FailedAt)
		case "cancelled_at":
			return 1 << 43, lenient(d, &p.CancelledAt)
		case "fail_reason":
			return 1 << 44, d.str(&p.FailReason)
		case "cancel_reason":
			return 1 << 45, d.str(&p.CancelReason)
		case "receipt_url":
			return 1 << 46, d.str(&p.ReceiptURL)
		case "cancel_history":
			return 1 << 47, d.cancels(&p.CancelHistory)
		case "deposit_history":
			return 1 << 48, d.deposits(&p.DepositHistory)
		case "cancel_receipt_urls":
			return 1 << 49, d.strings(&p.CancelReceiptURLs)
		case "cash_receipt_issued":
			return 1 << 50, d.boolean(&p.CashReceiptIssued)
		case "customer_uid":
			return 1 << 51, d.str(&p.CustomerUID)
		case "customer_uid_usage":
			return 1 << 52, d.str(&p.CustomerUIDUsage)
		case "promotion":
			return 1 << 53, d.promotion(&p.Promotion)
		case "extension":
			return 1 << 54, lenient(d, &p.Extension)
		}
		return 0, false
	})
}

// cancels decodes a payment's cancel history. An element that is not an
// object (a null) is left to the general path, as in deposits.
func (d *fastReader) cancels(dst *[]Cancel) bool {
	return d.list(func() bool {
		*dst = append(*dst, Cancel{})
		c := &(*dst)[len(*dst)-1]
		return d.fields(cancelFolds, func(key []byte) (uint64, bool) {
			switch string(key) {
			case "pg_tid":
				return 1 << 0, d.str(&c.PGTID)
			case "amount":
				return 1 << 1, lenient(d, &c.Amount)
			case "cancelled_at":
				return 1 << 2, lenient(d, &c.CancelledAt)
			case "reason":
				return 1 << 3, d.str(&c.Reason)
			case "cancellation_id":
				return 1 << 4, d.str(&c.CancellationID)
			case "receipt_url":
				return 1 << 5, d.str(&c.ReceiptURL)
			}
			return 0, false
		})
	}, func() { *dst = []Cancel{} })
}

// deposits decodes a virtual account's deposit history.
func (d *fastReader) deposits(dst *[]Deposit) bool {
	return d.list(func() bool {
		*dst = append(*dst, Deposit{})
		e := &(*dst)[len(*dst)-1]
		return d.fields(depositFolds, func(key []byte) (uint64, bool) {
			switch string(key) {
			case "pg_tid":
				return 1 << 0, d.str(&e.PGTID)
			case "amount":
				return 1 << 1, lenient(d, &e.Amount)
			case "depositor_name":
				return 1 << 2, d.str(&e.DepositorName)
			case "deposited_at":
				return 1 << 3, lenient(d, &e.DepositedAt)
			}
			return 0, false
		})
	}, func() { *dst = []Deposit{} })
}

// promotion decodes a payment's promotion, or its null.
func (d *fastReader) promotion(dst **Promotion) bool {
	if d.peek() == 'n' {
		*dst = nil
		return d.literal("null")
	}
	if d.peek() != '{' {
		return false
	}
	pr := new(Promotion)
	*dst = pr
	return d.fields(promotionFolds, func(key []byte) (uint64, bool) {
		switch string(key) {
		case "id":
			return 1 << 0, d.str(&pr.ID)
		case "discount":
			return 1 << 1, lenient(d, &pr.Discount)
		}
		return 0, false
	})
}

// strings decodes a list of strings, or its null.
func (d *fastReader) strings(dst *[]string) bool {
	return d.list(func() bool {
		if d.peek() != '"' { // a null in the list is left to the general path
			return false
		}
		*dst = append(*dst, "")
		return d.str(&(*dst)[len(*dst)-1])
	}, func() { *dst = []string{} })
}

// list reads a JSON array, calling elem at the start of each element, or a
// null, which leaves the list as it is (nil). empty is called for [] (which
// encoding/json decodes as an empty list, not nil).
func (d *fastReader) list(elem func() bool, empty func()) bool {
	switch d.peek() {
	case 'n':
		return d.literal("null")
	case '[':
	default:
		return false
	}
	d.i++
	d.ws()
	if d.peek() == ']' {
		d.i++
		empty()
		return true
	}
	for {
		d.ws()
		if !elem() {
			return false
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			return true
		default:
			return false
		}
	}
}

// object reads a JSON object, calling field with each key (see key) when the
// reader is at its value.
func (d *fastReader) object(field func(key []byte, plain bool) bool) bool {
	d.ws()
	if d.peek() != '{' {
		return false
	}
	d.i++
	d.ws()
	if d.peek() == '}' {
		d.i++
		return true
	}
	for {
		d.ws()
		key, plain, ok := d.key()
		if !ok {
			return false
		}
		d.ws()
		if !field(key, plain) {
			return false
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

// fields reads an object with field, which decodes the value of a key the
// object has a field for and returns the field's bit, or returns 0 for a key
// it has none for, whose value is then skipped (see unknown). A field twice
// in one object is left to the general path.
func (d *fastReader) fields(folds map[string]bool, field func(key []byte) (bit uint64, ok bool)) bool {
	var seen uint64
	return d.object(func(key []byte, plain bool) bool {
		if !plain {
			return false // it may fold to a field's key
		}
		bit, ok := field(key)
		if bit == 0 {
			return d.unknown(key, folds)
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		return true
	})
}

// key reads an object key and its colon, and returns the key as written
// (between its quotes) and whether it is plain: printable ASCII, with no
// escape. A key that is not plain is read over as any string is.
func (d *fastReader) key() (key []byte, plain, ok bool) {
	if d.peek() != '"' {
		return nil, false, false
	}
	start := d.i + 1
	j := start
	for j < len(d.b) && plainKeyByte[d.b[j]] {
		j++
	}
	if plain = j < len(d.b) && d.b[j] == '"'; plain {
		d.i = j + 1
	} else if !d.skipString() {
		return nil, false, false
	}
	key = d.b[start : d.i-1]
	d.ws()
	if d.peek() != ':' {
		return nil, false, false
	}
	d.i++
	return key, plain, true
}

// plainKeyByte holds the bytes a plain key is made of: printable ASCII but
// the quote and the backslash.
var plainKeyByte = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// unknown skips the value of a key its object has no field for. A key that
// folds to one of the object's fields or to a decisive key, and a value
// holding an object with a decisive key twice, are left to the general
// path.
func (d *fastReader) unknown(key []byte, folds map[string]bool) bool {
	if len(key) <= maxFoldKey {
		var low [maxFoldKey]byte
		for i, c := range key {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			low[i] = c
		}
		if folds[string(low[:len(key)])] {
			return false
		}
	}
	_, ok := d.raw()
	return ok
}

// maxFoldKey is longer than every field's key and every decisive key.
const maxFoldKey = 32

// The keys, in lower case, that the general path would match to a field of
// each object, or that are decisive (see decisiveKeys).
var (
	envelopeFolds  = foldsOf(reflect.TypeFor[envelope]())
	paymentFolds   = foldsOf(reflect.TypeFor[Payment]())
	cancelFolds    = foldsOf(reflect.TypeFor[Cancel]())
	depositFolds   = foldsOf(reflect.TypeFor[Deposit]())
	promotionFolds = foldsOf(reflect.TypeFor[Promotion]())
)

func foldsOf(t reflect.Type) map[string]bool {
	m := map[string]bool{}
	for _, k := range decisiveKeys {
		m[k] = true
	}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if len(name) > maxFoldKey {
			panic("iamport: a key longer than maxFoldKey")
		}
		m[strings.ToLower(name)] = true
	}
	return m
}

// str decodes a JSON string into dst, or a null, which leaves dst as it is.
// A string with invalid UTF-8 or a lone surrogate escape, which
// encoding/json would change to U+FFFD, is left to the general path.
func (d *fastReader) str(dst *string) bool {
	switch d.peek() {
	case 'n':
		return d.literal("null")
	case '"':
	default:
		return false
	}
	d.i++
	start := d.i
	escaped := false
	out := d.buf[:0] // the string unquoted, once it has an escape
	for {
		run := d.i
		for d.i < len(d.b) && strByte[d.b[d.i]] == 0 {
			d.i++
		}
		if d.i >= len(d.b) {
			return false
		}
		switch strByte[d.b[d.i]] {
		case strQuote:
			s := d.b[start:d.i]
			if escaped {
				out = append(out, d.b[run:d.i]...)
				s, d.buf = out, out
			}
			d.i++
			if !utf8.Valid(s) {
				return false
			}
			*dst = string(s)
			return true
		case strEscape:
			escaped = true
			out = append(out, d.b[run:d.i]...)
			var ok bool
			if out, ok = d.escape(out); !ok {
				return false
			}
		default: // a control character: not JSON
			return false
		}
	}
}

// The bytes of a string that str stops at: the quote, the backslash and
// the control characters. Bytes of non-ASCII characters are checked once
// the string is read.
const (
	strQuote = 1 + iota
	strEscape
	strControl
)

var strByte = func() (t [256]uint8) {
	for c := range 0x20 {
		t[c] = strControl
	}
	t['"'], t['\\'] = strQuote, strEscape
	return t
}()

// escape appends what the escape at d.i stands for to out.
func (d *fastReader) escape(out []byte) ([]byte, bool) {
	if d.i+1 >= len(d.b) {
		return out, false
	}
	c := d.b[d.i+1]
	d.i += 2
	switch c {
	case '"', '\\', '/':
		return append(out, c), true
	case 'b':
		return append(out, '\b'), true
	case 'f':
		return append(out, '\f'), true
	case 'n':
		return append(out, '\n'), true
	case 'r':
		return append(out, '\r'), true
	case 't':
		return append(out, '\t'), true
	case 'u':
		r, ok := d.hex4()
		if !ok {
			return out, false
		}
		if utf16.IsSurrogate(r) {
			if d.i+1 >= len(d.b) || d.b[d.i] != '\\' || d.b[d.i+1] != 'u' {
				return out, false
			}
			d.i += 2
			r2, ok := d.hex4()
			if !ok {
				return out, false
			}
			if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
				return out, false
			}
		}
		return utf8.AppendRune(out, r), true
	}
	return out, false
}

// hex4 reads the four hex digits of a \u escape.
func (d *fastReader) hex4() (rune, bool) {
	if d.i+4 > len(d.b) {
		return 0, false
	}
	var r rune
	for _, c := range d.b[d.i : d.i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	d.i += 4
	return r, true
}

// boolean decodes true or false into dst, or a null, which leaves it.
func (d *fastReader) boolean(dst *bool) bool {
	switch d.peek() {
	case 't':
		*dst = true
		return d.literal("true")
	case 'f':
		*dst = false
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	return false
}

// lenient gives the value at d.i, as it is written, to the UnmarshalJSON of
// dst, as encoding/json does (a null included); an error is left to the
// general path, which reports it with the field's name.
func lenient[T any, PT interface {
	*T
	UnmarshalJSON([]byte) error
}](d *fastReader, dst PT) bool {
	raw, ok := d.raw()
	return ok && dst.UnmarshalJSON(raw) == nil
}

// raw returns the value at d.i as it is written, checked to be JSON, and,
// when it holds objects, to hold none with a decisive key twice.
func (d *fastReader) raw() ([]byte, bool) {
	start := d.i
	if !d.skip(0) {
		return nil, false
	}
	v := d.b[start:d.i]
	if (v[0] == '{' || v[0] == '[') && ambiguousKey(v) != "" {
		return nil, false
	}
	return v, true
}

// skip reads over one JSON value, checking that it is one.
func (d *fastReader) skip(depth int) bool {
	switch c := d.peek(); {
	case c == '"':
		return d.skipString()
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '{' && depth < maxFastDepth:
		return d.object(func([]byte, bool) bool { return d.skip(depth + 1) })
	case c == '[' && depth < maxFastDepth:
		return d.list(func() bool { return d.skip(depth + 1) }, func() {})
	}
	return false
}

// skipString reads over a JSON string: no control character, and only the
// escapes JSON has. Its bytes are not otherwise checked, as encoding/json
// does not check them until it decodes them.
func (d *fastReader) skipString() bool {
	for j := d.i + 1; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '"':
			d.i = j + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if j+1 >= len(d.b) {
				return false
			}
			switch d.b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if j+6 > len(d.b) {
					return false
				}
				for _, h := range d.b[j+2 : j+6] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return false
					}
				}
				j += 5
			default:
				return false
			}
		}
	}
	return false
}

// number reads over a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *fastReader) number() bool {
	j := d.i
	if j < len(d.b) && d.b[j] == '-' {
		j++
	}
	switch {
	case j < len(d.b) && d.b[j] == '0':
		j++
	case j < len(d.b) && '1' <= d.b[j] && d.b[j] <= '9':
		for j < len(d.b) && '0' <= d.b[j] && d.b[j] <= '9' {
			j++
		}
	default:
		return false
	}
	digits := func() bool {
		k := j
		for j < len(d.b) && '0' <= d.b[j] && d.b[j] <= '9' {
			j++
		}
		return j > k
	}
	if j < len(d.b) && d.b[j] == '.' {
		j++
		if !digits() {
			return false
		}
	}
	if j < len(d.b) && (d.b[j] == 'e' || d.b[j] == 'E') {
		j++
		if j < len(d.b) && (d.b[j] == '+' || d.b[j] == '-') {
			j++
		}
		if !digits() {
			return false
		}
	}
	d.i = j
	return true
}

// literal reads over lit (true, false or null).
func (d *fastReader) literal(lit string) bool {
	if !bytes.HasPrefix(d.b[d.i:], []byte(lit)) {
		return false
	}
	d.i += len(lit)
	return true
}

// peek returns the byte at d.i, or 0 at the end.
func (d *fastReader) peek() byte {
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

// ws reads over JSON whitespace.
func (d *fastReader) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}
