package iamporttest

import (
	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/internal/rules"
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
	digits, ok := rules.CardDigits(num)
	if !ok || !rules.CardLength(len(digits)) {
		return refuse("유효하지않은 카드번호입니다.")
	}
	if !c.validExpiry(exp) {
		return refuse("유효기간이 올바르지 않거나 만료된 카드입니다.")
	}
	for _, f := range rules.CardFields {
		v, err := getStr(body, f.Name)
		if err != nil {
			r := paramResult(err)
			return nil, true, &r
		}
		if v != "" && !f.Valid(v) {
			return refuse(f.Name + " 값이 올바르지 않습니다.")
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

// maskCard masks digits 7 to 12, as iamport shows card numbers:
// 4242-42**-****-4242, or 3782-82****-*0005 for 15 digits.
func maskCard(d string) string {
	m := []byte(d)
	for i := 6; i < len(m)-4; i++ {
		m[i] = '*'
	}
	return rules.GroupCard(string(m))
}

// validExpiry accepts YYYY-MM or YYYYMM not before the fake clock's month.
func (c *core) validExpiry(v string) bool {
	ys, ms, ok := rules.SplitExpiry(v)
	if !ok {
		return false
	}
	y, m, ok := rules.ExpiryMonth(ys, ms)
	return ok && !rules.Expired(y, m, c.now)
}

// kst is the zone iamport's calendar rules (months, expiry) are read in.
var kst = rules.KST

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
