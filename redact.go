package iamport

// Redaction of secrets and personal data.
//
// A request type that holds a secret (card number, expiry, birth date or
// business number, pwd_2digit, CVC, 3-D Secure token, refund account) or the
// personal data of a buyer (name, e-mail, telephone, address, IP address,
// refund holder and telephone) tags each such string field `redact:"true"`.
// Every encoder then shows "[REDACTED]" in its place, at the top level and
// nested in slices, maps, structs and pointers:
//
//   - fmt, every verb (%v %+v %#v %s %q %x ...), through Format;
//   - log/slog, top level through LogValue, and nested through encoding/json
//     (JSON handler) or fmt (text handler);
//   - encoding/json, through MarshalJSON.
//
// The SDK itself sends a private wire copy: an unexported type with the same
// fields and none of these methods, returned by the type's wire method, which
// Client.call encodes in place of the request. A request whose tagged field
// holds the placeholder itself (a redacted copy decoded and sent again) is
// refused before it is sent, so redaction never reaches iamport.
//
// To make a new request type redact, tag its fields and add, next to it:
//
//	type xxxFields XxxRequest // same fields, no methods
//
//	// MarshalJSON encodes r with its secrets and personal data redacted.
//	func (r XxxRequest) MarshalJSON() ([]byte, error) { return redactedJSON(xxxFields(r)) }
//
//	// Format prints r with its secrets and personal data redacted, for every verb.
//	func (r XxxRequest) Format(f fmt.State, verb rune) { formatRedacted[XxxRequest](f, verb, xxxFields(r)) }
//
//	// LogValue logs r with its secrets and personal data redacted.
//	func (r XxxRequest) LogValue() slog.Value { return logValueRedacted(xxxFields(r)) }
//
//	func (r XxxRequest) wire() any { return xxxFields(r) }
//
// and a row in the audit table of redact_test.go. A field whose type is
// itself a redacting type (ScheduleRequest.Schedules) redacts on its own in
// the printed forms; the wire method must then convert it to its wire type
// too (see ScheduleRequest.wire).
//
// What fmt cannot do: Go's fmt calls no method on a value it reaches through
// an unexported struct field (reflect forbids it), and prints such a value
// field by field. A request held by value in an unexported field of your own
// struct therefore prints its fields as they are, and so does one held there
// by pointer under a verb other than %v (fmt reports the bad verb with the
// value it points to; under %v it prints the address). Keep requests in
// exported fields, or give your struct a String or Format method. slog and
// encoding/json never look at unexported fields. Encoders that bypass all
// three methods (encoding/gob, encoding/xml) are not covered: do not encode
// requests with them.
//
// Response types (Payment, BillingKey, Schedule, ...) are not redacted in
// JSON: they hold no secret (iamport masks the card number it returns, and
// never returns an expiry, birth date, pwd_2digit or CVC), and their JSON
// form must stay a faithful copy of what iamport sent, for storage and
// re-encoding. The personal data some carry (a Payment's buyer contact data,
// virtual account and depositor names; a Certification's) prints and logs
// redacted all the same.

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// redacted is what a secret or personal field shows in every encoding.
const redacted = "[REDACTED]"

// redactString replaces a non-empty *s with the placeholder, for response
// types that redact nested fields by hand in their printed forms.
func redactString(s *string) {
	if *s != "" {
		*s = redacted
	}
}

// wirer is a request type whose JSON form is redacted: wire returns the copy
// the SDK sends, with the real values.
type wirer interface{ wire() any }

// redactFields returns w with every non-empty string field tagged
// `redact:"true"` replaced by the placeholder. w is a copy; the caller's
// values are left alone.
func redactFields[W any](w W) W {
	v := reflect.ValueOf(&w).Elem()
	t := v.Type()
	for i := range t.NumField() {
		f := v.Field(i)
		if t.Field(i).Tag.Get("redact") == "true" && f.Kind() == reflect.String && f.String() != "" {
			f.SetString(redacted)
		}
	}
	return w
}

// redactedJSON encodes w, a methodless copy of a request, redacted.
func redactedJSON[W any](w W) ([]byte, error) { return json.Marshal(redactFields(w)) }

// formatRedacted prints w, a methodless copy of a T, redacted, with the
// caller's verb and flags. %#v names T rather than the copy's type.
func formatRedacted[T, W any](f fmt.State, verb rune, w W) {
	r := redactFields(w)
	if verb == 'v' && f.Flag('#') {
		s := fmt.Sprintf("%#v", r)
		if i := strings.IndexByte(s, '{'); i >= 0 {
			s = reflect.TypeFor[T]().String() + s[i:]
		}
		fmt.Fprint(f, s)
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), r)
}

// logValueRedacted is the slog value of w, a methodless copy of a request,
// redacted: the JSON handler encodes it as an object, the text handler
// prints it with %+v.
func logValueRedacted[W any](w W) slog.Value { return slog.AnyValue(redactFields(w)) }

// wireBody returns what the SDK encodes for body: the wire copy of a
// redacting request, and any other body as it is. It refuses a redacting
// request whose tagged field holds the placeholder: sending it would put
// "[REDACTED]" into iamport's records.
func wireBody(body any) (any, error) {
	w, ok := body.(wirer)
	if !ok {
		return body, nil
	}
	wb := w.wire()
	if field := placeholderField(reflect.ValueOf(wb)); field != "" {
		return nil, invalid(field, "holds the redaction placeholder %s: a redacted copy of a request cannot be sent", redacted)
	}
	return wb, nil
}

// checkSendable refuses a body that wireBody would refuse. The calls that
// look something up before sending a money-moving request (a charge's
// earlier attempts, a cancel's payment) check it first, so that a request
// that will not be sent sends nothing at all.
func checkSendable(body any) error {
	_, err := wireBody(body)
	return err
}

// placeholderField returns the JSON name of the first field tagged
// `redact:"true"` in v, or in the structs it holds, whose value is the
// placeholder, or "". It looks only at the fields that are, or may hold,
// such a field (redactPlanOf), and names a field only once it has found it.
func placeholderField(v reflect.Value) string {
	path, _ := placeholderPath(v)
	return path
}

func placeholderPath(v reflect.Value) (string, bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "", false
		}
		return placeholderPath(v.Elem())
	case reflect.Slice, reflect.Array:
		if !mayHoldTagged(v.Type().Elem()) {
			return "", false
		}
		for i := range v.Len() {
			if p, ok := placeholderPath(v.Index(i)); ok {
				return joinPath("["+strconv.Itoa(i)+"]", p), true
			}
		}
	case reflect.Struct:
		for _, f := range redactPlanOf(v.Type()) {
			fv := v.Field(f.index)
			if f.tagged && fv.String() == redacted {
				return f.name, true
			}
			if !f.tagged {
				if p, ok := placeholderPath(fv); ok {
					if f.embedded {
						return p, true
					}
					return joinPath(f.name, p), true
				}
			}
		}
	}
	return "", false
}

// joinPath names the field inner of the field or element outer.
func joinPath(outer, inner string) string {
	switch {
	case inner == "":
		return outer
	case inner[0] == '[':
		return outer + inner
	case outer == "":
		return inner
	}
	return outer + "." + inner
}

// redactField is a field of a struct that placeholderField looks at: a
// string tagged `redact:"true"`, or a field that may hold one.
type redactField struct {
	index    int
	name     string // its JSON name
	tagged   bool   // a tagged string
	embedded bool   // an embedded struct, whose fields are named as its parent's
}

// redactPlans caches redactPlanOf: reflect.Type → []redactField.
var redactPlans sync.Map

// redactPlanOf returns the fields of the struct type t that placeholderField
// looks at, in order.
func redactPlanOf(t reflect.Type) []redactField {
	if p, ok := redactPlans.Load(t); ok {
		return p.([]redactField)
	}
	var plan []redactField
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.Anonymous && !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			name = sf.Name
		}
		f := redactField{index: i, name: name, embedded: sf.Anonymous}
		f.tagged = sf.Tag.Get("redact") == "true" && sf.Type.Kind() == reflect.String
		if f.tagged || mayHoldTagged(sf.Type) {
			plan = append(plan, f)
		}
	}
	p, _ := redactPlans.LoadOrStore(t, plan)
	return p.([]redactField)
}

// mayHoldTagged reports whether a value of type t may hold a string field
// tagged `redact:"true"`, in the structs, pointers, slices, arrays and
// interfaces placeholderField looks into.
func mayHoldTagged(t reflect.Type) bool {
	if h, ok := mayHold.Load(t); ok {
		return h.(bool)
	}
	h := holdsTagged(t, map[reflect.Type]bool{})
	mayHold.Store(t, h)
	return h
}

// mayHold caches mayHoldTagged: reflect.Type → bool.
var mayHold sync.Map

// holdsTagged is mayHoldTagged; seen holds the types being looked at, which
// a type that refers to itself adds nothing to.
func holdsTagged(t reflect.Type, seen map[reflect.Type]bool) bool {
	switch t.Kind() {
	case reflect.Interface:
		return true // what it holds is known only when it is sent
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsTagged(t.Elem(), seen)
	case reflect.Struct:
		if seen[t] {
			return false
		}
		seen[t] = true
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.Anonymous && !sf.IsExported() {
				continue
			}
			if (sf.Tag.Get("redact") == "true" && sf.Type.Kind() == reflect.String) || holdsTagged(sf.Type, seen) {
				return true
			}
		}
	}
	return false
}

// redactURL returns raw with its userinfo (user:password@) masked; a URL
// that does not parse is masked whole, since it may hold anything.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redacted
	}
	if u.User == nil {
		return raw
	}
	u.User = nil
	s := u.String()
	if i := strings.Index(s, "//"); i >= 0 {
		return s[:i+2] + redacted + "@" + s[i+2:]
	}
	return redacted
}

// formatPlain prints v, a redacted copy without methods, with the
// caller's verb and flags: for types that redact nested fields by hand.
func formatPlain(f fmt.State, verb rune, v any) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), v)
}

// logValueOf is the slog value of a type that redacts by hand in Format.
func logValueOf(v fmt.Formatter) slog.Value {
	return slog.StringValue(fmt.Sprintf("%+v", v))
}
