package iamport

import (
	"math"
	"strconv"
	"strings"
)

// Length limits of the API's identifiers.
const (
	maxMerchantUID = 40
	maxCustomerUID = 80
	maxImpUID      = 32
)

// checkID validates an identifier that goes into a path or body.
func checkID(field, v string, max int) error {
	switch {
	case v == "":
		return invalid(field, "is required")
	case len(v) > max:
		return invalid(field, "must be at most %d characters (got %d)", max, len(v))
	case v == "." || v == "..":
		return invalid(field, `must not be "." or ".."`)
	case strings.TrimSpace(v) != v:
		return invalid(field, "must not start or end with white space")
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return invalid(field, "must not contain control characters")
		}
	}
	return nil
}

// optID validates an identifier that may be empty.
func optID(field, v string, max int) error {
	if v == "" {
		return nil
	}
	return checkID(field, v, max)
}

// checkAmount requires a positive amount with at most two decimals.
func checkAmount(field string, a Amount) error {
	if err := checkNonNegative(field, a); err != nil {
		return err
	}
	if a <= 0 {
		return invalid(field, "must be greater than 0")
	}
	return nil
}

// checkNonNegative requires a finite amount >= 0 with at most two decimals.
func checkNonNegative(field string, a Amount) error {
	f := float64(a)
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return invalid(field, "must be a finite number")
	case f < 0:
		return invalid(field, "must not be negative")
	case f >= 1e13:
		return invalid(field, "is too large")
	case decimals(f) > 2:
		return invalid(field, "must have at most two decimal places")
	}
	return nil
}

// decimals counts the decimal places of f's shortest representation, which
// is what its JSON form sends.
func decimals(f float64) int {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

func checkOptAmount(field string, a *Amount) error {
	if a == nil {
		return nil
	}
	return checkNonNegative(field, *a)
}

// checkMaxLen checks the documented length limit of an optional string.
func checkMaxLen(field, v string, max int) error {
	if n := len([]rune(v)); n > max {
		return invalid(field, "must be at most %d characters (got %d)", max, n)
	}
	return nil
}

func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// card holds the key-in card fields shared by onetime, billing-key and
// schedule requests.
type card struct {
	number, expiry, birth, pwd2, cvc *string
}

// check validates the card fields (required says whether the number and
// expiry must be present) and rewrites them into the forms the API
// documents: card number dddd-dddd-dddd-dddd, expiry YYYY-MM. It never puts a
// value into an error.
func (c card) check(prefix string, required bool) error {
	if *c.number == "" && *c.expiry == "" && !required {
		if *c.birth != "" || *c.pwd2 != "" || *c.cvc != "" {
			return invalid(prefix+"card_number", "is required when other card fields are set")
		}
		return nil
	}
	n, err := normalizeCardNumber(prefix+"card_number", *c.number)
	if err != nil {
		return err
	}
	e, err := normalizeExpiry(prefix+"expiry", *c.expiry)
	if err != nil {
		return err
	}
	if b := *c.birth; b != "" && (!digitsOnly(b) || (len(b) != 6 && len(b) != 10)) {
		return invalid(prefix+"birth", "must be 6 digits (YYMMDD) or a 10-digit business registration number")
	}
	if p := *c.pwd2; p != "" && (!digitsOnly(p) || len(p) != 2) {
		return invalid(prefix+"pwd_2digit", "must be exactly 2 digits")
	}
	if v := *c.cvc; v != "" && (!digitsOnly(v) || (len(v) != 3 && len(v) != 4)) {
		return invalid(prefix+"cvc", "must be 3 or 4 digits")
	}
	*c.number, *c.expiry = n, e
	return nil
}

func normalizeCardNumber(field, v string) (string, error) {
	if v == "" {
		return "", invalid(field, "is required")
	}
	var d strings.Builder
	for i := 0; i < len(v); i++ {
		switch ch := v[i]; {
		case ch >= '0' && ch <= '9':
			d.WriteByte(ch)
		case ch == '-' || ch == ' ':
		default:
			return "", invalid(field, "must contain only digits and dashes")
		}
	}
	s := d.String()
	switch len(s) {
	case 16:
		return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16], nil
	case 15:
		return s[0:4] + "-" + s[4:10] + "-" + s[10:15], nil
	}
	return "", invalid(field, "must have 15 or 16 digits (dashes allowed)")
}

func normalizeExpiry(field, v string) (string, error) {
	var y, m string
	switch {
	case len(v) == 7 && v[4] == '-':
		y, m = v[:4], v[5:]
	case len(v) == 6:
		y, m = v[:4], v[4:]
	case v == "":
		return "", invalid(field, "is required")
	default:
		return "", invalid(field, "must be YYYY-MM or YYYYMM")
	}
	if !digitsOnly(y) || !digitsOnly(m) || m < "01" || m > "12" {
		return "", invalid(field, "must be YYYY-MM or YYYYMM with a month from 01 to 12")
	}
	return y + "-" + m, nil
}

// buyer holds the buyer fields whose lengths the API limits.
func checkBuyer(prefix, name, email, tel, addr, postcode string) error {
	for _, f := range []struct {
		field, v string
		max      int
	}{
		{"buyer_name", name, 16}, {"buyer_email", email, 64}, {"buyer_tel", tel, 16},
		{"buyer_addr", addr, 128}, {"buyer_postcode", postcode, 8},
	} {
		if err := checkMaxLen(prefix+f.field, f.v, f.max); err != nil {
			return err
		}
	}
	return nil
}

func checkQuota(field string, q *int) error {
	if q != nil && (*q < 0 || *q > 60) {
		return invalid(field, "must be between 0 (lump sum) and 60 months")
	}
	return nil
}
