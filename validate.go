package iamport

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The validation policy. The SDK refuses before sending only
//
//   - (a) a field the endpoint requires that is missing or empty;
//   - (b) a value iamport or the card networks certainly refuse: an amount
//     of 0 or less, not finite, or with more than two decimals; a KRW or JPY
//     amount with a fraction; a card number outside 14 to 19 digits; an
//     expiry not YYYY-MM or YYYYMM, or a month already passed in Korea; a
//     birth not 6 or 10 digits; a pwd_2digit not 2 digits; a schedule time
//     not in the future on the server's clock;
//   - (c) what would break the SDK's own guarantees: a new merchant_uid over
//     40 characters (it is the key a lost answer is looked up by), an
//     identifier with control characters or that is "." or "..".
//
// Descriptive text (name, buyer_*, customer_*, custom_data, reasons) is
// never refused for its length, and an identifier read from a response is
// never refused when it is sent back. The README's "What is checked before
// sending" lists every rule.

// maxMerchantUID is the longest merchant_uid a new order may have, in
// characters.
const maxMerchantUID = 40

// charLen counts the characters (Unicode code points) of s: the one way the
// SDK measures a length.
func charLen(s string) int { return utf8.RuneCountInString(s) }

// checkID validates an identifier that goes into a path or body: it must
// be present, must not be "." or "..", and must not hold control
// characters. Its length is not limited: an ID the API returned is sent
// back as it is.
func checkID(field, v string) error {
	switch {
	case v == "":
		return invalid(field, "is required")
	case v == "." || v == "..":
		return invalid(field, `must not be "." or ".."`)
	case hasControl(v):
		return invalid(field, "must not contain control characters")
	}
	return nil
}

// checkNewMerchantUID validates the merchant_uid of a new order: an
// identifier of at most 40 characters.
func checkNewMerchantUID(field, v string) error {
	if err := checkID(field, v); err != nil {
		return err
	}
	if n := charLen(v); n > maxMerchantUID {
		return invalid(field, "must be at most %d characters (got %d)", maxMerchantUID, n)
	}
	return nil
}

// optID validates an identifier that may be empty.
func optID(field, v string) error {
	if v == "" {
		return nil
	}
	return checkID(field, v)
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
	case f < 0 || math.Signbit(f):
		return invalid(field, "must not be negative") // -0 included: it encodes as "-0"
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
	if f == math.Trunc(f) {
		return 0 // a whole number (or an infinity) formats without a point
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// checkKRWAmount requires a positive whole amount: the amount of a call
// that charges in KRW only, with no currency field.
func checkKRWAmount(field string, a Amount) error {
	if err := checkAmount(field, a); err != nil {
		return err
	}
	return checkWhole(field, a, "KRW")
}

func checkOptAmount(field string, a *Amount) error {
	if a == nil {
		return nil
	}
	return checkNonNegative(field, *a)
}

// wholeCurrency reports whether currency has no minor unit in iamport:
// KRW (also the default when none is given) and JPY.
func wholeCurrency(currency string) bool {
	switch strings.ToUpper(currency) {
	case "", "KRW", "JPY":
		return true
	}
	return false
}

// checkWhole refuses a fraction in an amount of a currency without a minor
// unit: iamport answers "원화(KRW) 결제금액은 정수여야 합니다." (or
// "취소금액은 정수여야 합니다." for a refund).
func checkWhole(field string, a Amount, currency string) error {
	if wholeCurrency(currency) && a.Cents()%100 != 0 {
		cur := strings.ToUpper(currency)
		if cur == "" {
			cur = "KRW"
		}
		return invalid(field, "must be a whole number in %s", cur)
	}
	return nil
}

func checkOptWhole(field string, a *Amount, currency string) error {
	if a == nil {
		return nil
	}
	return checkWhole(field, *a, currency)
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
	*c.number, *c.expiry = n, e
	return nil
}

// checkExpiry refuses an expiry (already normalised to YYYY-MM) whose month
// has passed in Korea at now, the server's clock: iamport answers "카드정보
// 인증 및 빌키 발급에 실패하였습니다. (유효기간이 올바르지 않거나 만료된
// 카드입니다.)". An empty expiry passes.
func checkExpiry(field, expiry string, now time.Time) error {
	if len(expiry) != 7 {
		return nil
	}
	y, _ := strconv.Atoi(expiry[:4])
	m, _ := strconv.Atoi(expiry[5:])
	k := now.In(seoulLocation())
	if y < k.Year() || (y == k.Year() && time.Month(m) < k.Month()) {
		return invalid(field, "is a month that has already passed: the card has expired")
	}
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
	switch n := len(s); {
	case n == 16:
		return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16], nil
	case n == 15:
		return s[0:4] + "-" + s[4:10] + "-" + s[10:15], nil
	case n >= 14 && n <= 19:
		// Diners (14) and the longer UnionPay numbers have no common
		// grouping: sent as digits.
		return s, nil
	}
	return "", invalid(field, "must have 14 to 19 digits (dashes allowed)")
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
