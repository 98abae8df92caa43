// Package rules holds the iamport API's field rules and limits: the one
// table the SDK checks requests against before sending and the fake server
// in iamporttest enforces, so the two agree by construction. It says what a
// value must look like; each side words its own refusal (the SDK's
// *ValidationError, the fake's Korean answers).
package rules

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of identifiers and amounts, in characters where they are lengths.
const (
	// MaxMerchantUID is the longest merchant_uid a new order may have.
	MaxMerchantUID = 40
	// MaxCustomerUID is the longest customer_uid (billing key) iamport takes.
	MaxCustomerUID = 80
	// MinCardDigits and MaxCardDigits bound the digits of a card number:
	// Diners has 14, Amex 15, most cards 16, some UnionPay cards up to 19.
	MinCardDigits = 14
	MaxCardDigits = 19
	// MaxDecimals is the most decimal places an amount may have.
	MaxDecimals = 2
	// AmountLimit is the first amount too large to be one.
	AmountLimit = 1e13
)

// DigitField is a card field made only of digits, of one of a few lengths.
type DigitField struct {
	// Name is the field's name on the wire.
	Name string
	// Lens are the lengths the field may have.
	Lens []int
}

// Valid reports whether v is all digits and of one of f's lengths.
func (f DigitField) Valid(v string) bool {
	if !DigitsOnly(v) {
		return false
	}
	for _, n := range f.Lens {
		if len(v) == n {
			return true
		}
	}
	return false
}

// The card fields beside the number and expiry.
var (
	// Birth is YYMMDD, or a 10-digit business registration number for a
	// corporate card.
	Birth = DigitField{Name: "birth", Lens: []int{6, 10}}
	// Pwd2 is the first two digits of the card's password.
	Pwd2 = DigitField{Name: "pwd_2digit", Lens: []int{2}}
	// CVC is the card's 3- or 4-digit security code.
	CVC = DigitField{Name: "cvc", Lens: []int{3, 4}}
)

// CardFields lists the digit fields of key-in card data, in the order they
// are checked.
var CardFields = []DigitField{Birth, Pwd2, CVC}

// CharLen counts the characters (Unicode code points) of s: the one way a
// length is measured.
func CharLen(s string) int { return utf8.RuneCountInString(s) }

// HasControl reports whether s contains an ASCII control character.
func HasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// DigitsOnly reports whether s is non-empty and all ASCII digits.
func DigitsOnly(s string) bool {
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

// CardDigits returns the digits of a card number written with optional
// dashes or spaces; ok is false when it holds any other character. The
// number of digits is not checked: see CardLength.
func CardDigits(v string) (digits string, ok bool) {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch ch := v[i]; {
		case ch >= '0' && ch <= '9':
			b.WriteByte(ch)
		case ch == '-' || ch == ' ':
		default:
			return "", false
		}
	}
	return b.String(), true
}

// CardLength reports whether n digits make a card number.
func CardLength(n int) bool { return n >= MinCardDigits && n <= MaxCardDigits }

// GroupCard writes a card number's digits (or masked digits) in the groups
// iamport shows: dddd-dddd-dddd-dddd for 16, dddd-dddddd-ddddd for 15.
// Other lengths have no common grouping and are returned as they are.
func GroupCard(s string) string {
	switch len(s) {
	case 16:
		return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
	case 15:
		return s[0:4] + "-" + s[4:10] + "-" + s[10:15]
	}
	return s
}

// SplitExpiry splits an expiry written YYYY-MM or YYYYMM into its year and
// month text; ok is false for any other shape. The parts are not checked:
// see ExpiryMonth.
func SplitExpiry(v string) (year, month string, ok bool) {
	switch {
	case len(v) == 7 && v[4] == '-':
		return v[:4], v[5:], true
	case len(v) == 6:
		return v[:4], v[4:], true
	}
	return "", "", false
}

// ExpiryMonth reads the parts SplitExpiry returned; ok is false unless both
// are digits and the month is 01 to 12.
func ExpiryMonth(year, month string) (y int, m time.Month, ok bool) {
	if !DigitsOnly(year) || !DigitsOnly(month) {
		return 0, 0, false
	}
	y, _ = strconv.Atoi(year)
	mm, _ := strconv.Atoi(month)
	if mm < 1 || mm > 12 {
		return 0, 0, false
	}
	return y, time.Month(mm), true
}

// KST is Korea's time zone, in which iamport reads calendar rules (card
// expiry months, schedule days). Korea has kept UTC+9 without daylight
// saving since 1988.
var KST = time.FixedZone("KST", 9*60*60)

// Expired reports whether a card valid through month m of year y has
// expired at now: its month has passed in Korea.
func Expired(y int, m time.Month, now time.Time) bool {
	k := now.In(KST)
	return y < k.Year() || (y == k.Year() && m < k.Month())
}

// WholeCurrency reports whether currency has no minor unit in iamport:
// KRW (also the default when none is given) and JPY.
func WholeCurrency(currency string) bool {
	switch strings.ToUpper(currency) {
	case "", "KRW", "JPY":
		return true
	}
	return false
}

// Decimals counts the decimal places of f's shortest representation, which
// is what its JSON form sends.
func Decimals(f float64) int {
	if f == math.Trunc(f) {
		return 0 // a whole number (or an infinity) formats without a point
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}
