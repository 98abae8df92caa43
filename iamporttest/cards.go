package iamporttest

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iamport-go/iamport"
)

// Test cards. Any card number with 14 to 19 digits (dashes or spaces
// allowed) that is not listed here is approved. A billing key issued from a
// declining card is issued normally, and every charge of it (again,
// scheduled payments, retries) then declines with the card's reason.
//
// A declined charge is not an API error: the API answers code 0 with a
// Payment whose status is "failed", fail_reason set and failed_at set, which
// the SDK reports as an *iamport.DeclinedError.
const (
	// CardApproved is approved, like any valid-looking number not listed here.
	CardApproved = "4242-4242-4242-4242"
	// CardDeclinedLimit declines with fail_reason "한도초과" (limit exceeded).
	CardDeclinedLimit = "4000-0000-0000-0001"
	// CardDeclinedSuspended declines with "정지된 카드입니다" (suspended card).
	CardDeclinedSuspended = "4000-0000-0000-0002"
	// CardDeclinedFunds declines with "잔액이 부족합니다" (insufficient funds).
	CardDeclinedFunds = "4000-0000-0000-0003"
	// CardRejected is refused before any payment is made: issuing a billing
	// key from it, and onetime or schedule requests carrying it, answer HTTP
	// 200 with code -1 "카드정보 인증 및 빌키 발급에 실패하였습니다.".
	CardRejected = "4000-0000-0000-0009"
)

// Decline reasons of the test cards.
const (
	reasonLimit     = "한도초과"
	reasonSuspended = "정지된 카드입니다"
	reasonFunds     = "잔액이 부족합니다"
	msgCardRejected = "카드정보 인증 및 빌키 발급에 실패하였습니다."
)

// card is card data checked by the fake. Only the masked number and the
// test card's behaviour are kept.
type card struct {
	masked   string
	decline  string // fail_reason of charges; "" approves
	name     string
	code     string
	cardType iamport.CardType
}

// readCard reads and checks the card fields of a body. present is false
// when neither card_number nor expiry was sent. A refusal is the code -1
// answer; a missing required field is a 400.
func (c *core) readCard(body map[string]any, required bool) (cd *card, present bool, res *result) {
	num, err := getStr(body, "card_number")
	if err != nil {
		r := paramResult(err)
		return nil, true, &r
	}
	exp, err := getStr(body, "expiry")
	if err != nil {
		r := paramResult(err)
		return nil, true, &r
	}
	if num == "" && exp == "" && !required {
		return nil, false, nil
	}
	if num == "" {
		r := paramResult(missing("card_number"))
		return nil, true, &r
	}
	if exp == "" {
		r := paramResult(missing("expiry"))
		return nil, true, &r
	}
	refuse := func(why string) (*card, bool, *result) {
		r := business(-1, msgCardRejected+" ("+why+")")
		return nil, true, &r
	}
	digits, ok := cardDigits(num)
	if !ok {
		return refuse("유효하지않은 카드번호입니다.")
	}
	if !c.validExpiry(exp) {
		return refuse("유효기간이 올바르지 않거나 만료된 카드입니다.")
	}
	for _, f := range []struct {
		k    string
		lens []int
	}{{"birth", []int{6, 10}}, {"pwd_2digit", []int{2}}, {"cvc", []int{3, 4}}} {
		v, err := getStr(body, f.k)
		if err != nil {
			r := paramResult(err)
			return nil, true, &r
		}
		if v != "" && (!allDigits(v) || !slices.Contains(f.lens, len(v))) {
			return refuse(f.k + " 값이 올바르지 않습니다.")
		}
	}
	cd = &card{masked: maskCard(digits)}
	switch digits {
	case "4000000000000001":
		cd.decline = reasonLimit
	case "4000000000000002":
		cd.decline = reasonSuspended
	case "4000000000000003":
		cd.decline = reasonFunds
	case "4000000000000009": // CardRejected is refused outright
		r := business(-1, msgCardRejected)
		return nil, true, &r
	}
	switch digits[0] {
	case '4':
		cd.name, cd.code, cd.cardType = "신한카드", "366", iamport.CardTypeCredit
	case '5':
		cd.name, cd.code, cd.cardType = "KB국민카드", "381", iamport.CardTypeCheck
	case '3':
		cd.name, cd.code, cd.cardType = "현대카드", "367", iamport.CardTypeUnknown
	default:
		cd.name, cd.code, cd.cardType = "BC카드", "361", iamport.CardTypeCredit
	}
	return cd, true, nil
}

func cardDigits(num string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(num); i++ {
		switch ch := num[i]; {
		case ch >= '0' && ch <= '9':
			b.WriteByte(ch)
		case ch == '-' || ch == ' ':
		default:
			return "", false
		}
	}
	d := b.String()
	return d, len(d) >= 14 && len(d) <= 19
}

// maskCard masks digits 7 to 12, as iamport shows card numbers:
// 4242-42**-****-4242, or 3782-82****-*0005 for 15 digits.
func maskCard(d string) string {
	m := []byte(d)
	for i := 6; i < len(m)-4; i++ {
		m[i] = '*'
	}
	s := string(m)
	switch len(s) {
	case 16:
		return s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
	case 15:
		return s[0:4] + "-" + s[4:10] + "-" + s[10:15]
	}
	return s
}

// validExpiry accepts YYYY-MM or YYYYMM not before the fake clock's month.
func (c *core) validExpiry(v string) bool {
	var y, m string
	switch {
	case len(v) == 7 && v[4] == '-':
		y, m = v[:4], v[5:]
	case len(v) == 6:
		y, m = v[:4], v[4:]
	default:
		return false
	}
	if !allDigits(y) || !allDigits(m) {
		return false
	}
	yy, _ := strconv.Atoi(y)
	mm, _ := strconv.Atoi(m)
	if mm < 1 || mm > 12 {
		return false
	}
	now := c.now.In(kst)
	return yy > now.Year() || (yy == now.Year() && time.Month(mm) >= now.Month())
}

// kst is the zone iamport's calendar rules (months, expiry) are read in.
var kst = time.FixedZone("KST", 9*60*60)

func allDigits(s string) bool {
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

// DeclineCharges makes the next n charges of the billing key customerUID
// decline with reason (default "한도초과"): again, scheduled payments,
// retries, and onetime with that customer_uid. It may be called before the
// key exists. n <= 0 clears it. Declines set here are used before the test
// card's own behaviour.
func (s *Server) DeclineCharges(customerUID string, n int, reason string) {
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if n <= 0 {
		delete(c.declines, customerUID)
		return
	}
	if reason == "" {
		reason = reasonLimit
	}
	c.declines[customerUID] = &decline{n: n, reason: reason}
}

// declineReason decides a charge of customerUID with card behaviour
// cardDecline: "" approves. It consumes one DeclineCharges decline. Call
// with mu held.
func (c *core) declineReason(customerUID, cardDecline string) string {
	if customerUID != "" {
		if d, ok := c.declines[customerUID]; ok {
			d.n--
			if d.n <= 0 {
				delete(c.declines, customerUID)
			}
			return d.reason
		}
	}
	return cardDecline
}
