package rules

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCardDigitsAndLength(t *testing.T) {
	for _, tc := range []struct {
		in     string
		digits string
		ok     bool
		card   bool
	}{
		{"4242-4242-4242-4242", "4242424242424242", true, true},
		{"4242 4242 4242 4242", "4242424242424242", true, true},
		{"3056-930902-5904", "30569309025904", true, true},         // Diners, 14
		{"6212345678901234567", "6212345678901234567", true, true}, // 19
		{"1234567890123", "1234567890123", true, false},            // 13
		{"62123456789012345678", "62123456789012345678", true, false},
		{"4242/4242/4242/4242", "", false, false},
		{"４２４２", "", false, false}, // full-width digits are not digits
		{"", "", true, false},
	} {
		d, ok := CardDigits(tc.in)
		require.Equal(t, tc.ok, ok, tc.in)
		require.Equal(t, tc.digits, d, tc.in)
		require.Equal(t, tc.card, ok && CardLength(len(d)), tc.in)
	}
}

func TestGroupCard(t *testing.T) {
	require.Equal(t, "4242-4242-4242-4242", GroupCard("4242424242424242"))
	require.Equal(t, "3782-822463-10005", GroupCard("378282246310005"))
	require.Equal(t, "4242-42**-****-4242", GroupCard("424242******4242"))
	require.Equal(t, "30569309025904", GroupCard("30569309025904"))
}

func TestExpiry(t *testing.T) {
	for _, tc := range []struct {
		in    string
		shape bool
		ok    bool
		y     int
		m     time.Month
	}{
		{"2030-12", true, true, 2030, time.December},
		{"203001", true, true, 2030, time.January},
		{"2030-13", true, false, 0, 0},
		{"203000", true, false, 0, 0},
		{"20a0-01", true, false, 0, 0},
		{"2030/01", false, false, 0, 0},
		{"30-01", false, false, 0, 0},
		{"", false, false, 0, 0},
	} {
		ys, ms, shape := SplitExpiry(tc.in)
		require.Equal(t, tc.shape, shape, tc.in)
		if !shape {
			continue
		}
		y, m, ok := ExpiryMonth(ys, ms)
		require.Equal(t, tc.ok, ok, tc.in)
		require.Equal(t, tc.y, y, tc.in)
		require.Equal(t, tc.m, m, tc.in)
	}
}

func TestExpiredIsJudgedInKorea(t *testing.T) {
	// 2026-05-31 15:30 UTC is already June 1st in Korea.
	now := time.Date(2026, time.May, 31, 15, 30, 0, 0, time.UTC)
	require.True(t, Expired(2026, time.May, now))
	require.False(t, Expired(2026, time.June, now))
	require.True(t, Expired(2025, time.December, now))
	require.False(t, Expired(2027, time.January, now))
	before := time.Date(2026, time.May, 31, 14, 59, 0, 0, time.UTC)
	require.False(t, Expired(2026, time.May, before))
}

func TestDigitFields(t *testing.T) {
	require.True(t, Birth.Valid("900101"))
	require.True(t, Birth.Valid("1234567890"))
	require.False(t, Birth.Valid("9001011"))
	require.False(t, Birth.Valid("90010a"))
	require.False(t, Birth.Valid(""))
	require.True(t, Pwd2.Valid("00"))
	require.False(t, Pwd2.Valid("0"))
	require.True(t, CVC.Valid("123"))
	require.True(t, CVC.Valid("1234"))
	require.False(t, CVC.Valid("12345"))
	require.Equal(t, []string{"birth", "pwd_2digit", "cvc"}, []string{CardFields[0].Name, CardFields[1].Name, CardFields[2].Name})
}

func TestTextRules(t *testing.T) {
	require.Equal(t, 3, CharLen("주문1"))
	require.Equal(t, 0, CharLen(""))
	require.True(t, HasControl("a\nb"))
	require.True(t, HasControl("a\x7fb"))
	require.False(t, HasControl("주문-1 (a)"))
	require.True(t, DigitsOnly("0123"))
	require.False(t, DigitsOnly(""))
	require.False(t, DigitsOnly("12-3"))
}

func TestAmountRules(t *testing.T) {
	for _, c := range []string{"", "krw", "KRW", "JPY", "jpy"} {
		require.True(t, WholeCurrency(c), c)
	}
	for _, c := range []string{"USD", "EUR", "KRWX"} {
		require.False(t, WholeCurrency(c), c)
	}
	require.Equal(t, 0, Decimals(1000))
	require.Equal(t, 1, Decimals(10.5))
	require.Equal(t, 2, Decimals(10.25))
	require.Equal(t, 3, Decimals(1.005))
	a, b := 0.1, 0.2
	require.Greater(t, Decimals(a+b), MaxDecimals) // 0.30000000000000004 as sent

}
