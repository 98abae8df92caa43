package iamport

import (
	"math"
	"strings"
	"time"

	"github.com/iamport-go/iamport/internal/rules"
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

// The field rules themselves (lengths, digits, shapes) are in
// internal/rules, which the fake server in iamporttest enforces too.

// maxMerchantUID is the longest merchant_uid a new order may have, in
// characters.
const maxMerchantUID = rules.MaxMerchantUID

// charLen counts the characters (Unicode code points) of s: the one way the
// SDK measures a length.
func charLen(s string) int { return rules.CharLen(s) }

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
	case f >= rules.AmountLimit:
		return invalid(field, "is too large")
	case decimals(f) > rules.MaxDecimals:
		return invalid(field, "must have at most two decimal places")
	}
	return nil
}

// decimals counts the decimal places of f's shortest representation, which
// is what its JSON form sends.
func decimals(f float64) int { return rules.Decimals(f) }

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

// checkWhole refuses a fraction in an amount of a currency without a minor
// unit: iamport answers "원화(KRW) 결제금액은 정수여야 합니다." (or
// "취소금액은 정수여야 합니다." for a refund).
func checkWhole(field string, a Amount, currency string) error {
	if rules.WholeCurrency(currency) && a.Cents()%100 != 0 {
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

// digitsOnly reports whether s is non-empty and all ASCII digits.
func digitsOnly(s string) bool { return rules.DigitsOnly(s) }

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
	if b := *c.birth; b != "" && !rules.Birth.Valid(b) {
		return invalid(prefix+"birth", "must be 6 digits (YYMMDD) or a 10-digit business registration number")
	}
	if p := *c.pwd2; p != "" && !rules.Pwd2.Valid(p) {
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
	y, m, ok := rules.ExpiryMonth(expiry[:4], expiry[5:])
	if ok && rules.Expired(y, m, now) {
		return invalid(field, "is a month that has already passed: the card has expired")
	}
	return nil
}

func normalizeCardNumber(field, v string) (string, error) {
	if v == "" {
		return "", invalid(field, "is required")
	}
	s, ok := rules.CardDigits(v)
	if !ok {
		return "", invalid(field, "must contain only digits and dashes")
	}
	if !rules.CardLength(len(s)) {
		return "", invalid(field, "must have 14 to 19 digits (dashes allowed)")
	}
	// 16 and 15 digits are grouped as iamport documents; Diners (14) and
	// the longer UnionPay numbers have no common grouping: sent as digits.
	return rules.GroupCard(s), nil
}

func normalizeExpiry(field, v string) (string, error) {
	if v == "" {
		return "", invalid(field, "is required")
	}
	y, m, ok := rules.SplitExpiry(v)
	if !ok {
		return "", invalid(field, "must be YYYY-MM or YYYYMM")
	}
	if _, _, ok := rules.ExpiryMonth(y, m); !ok {
		return "", invalid(field, "must be YYYY-MM or YYYYMM with a month from 01 to 12")
	}
	return y + "-" + m, nil
}
