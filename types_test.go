package iamport_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

func TestAmountJSONRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"8900", "10.5", "0.1", "1234567.89", "0.01", "99999999.99", "0"} {
		var a iamport.Amount
		require.NoError(t, json.Unmarshal([]byte(s), &a))
		b, err := json.Marshal(a)
		require.NoError(t, err)
		require.Equal(t, s, string(b))
		require.Equal(t, s, a.String())
	}
	b, err := json.Marshal(struct {
		A iamport.Amount `json:"amount"`
	}{8900})
	require.NoError(t, err)
	require.JSONEq(t, `{"amount":8900}`, string(b))
}

func TestAmountArithmetic(t *testing.T) {
	t.Parallel()
	x, y := 0.1, 0.2
	require.NotEqual(t, 0.3, x+y, "float64 itself is not exact")
	sum := iamport.Amount(0.1).Add(0.2)
	require.Equal(t, int64(30), sum.Cents())
	require.Equal(t, iamport.Amount(0.3), sum)
	require.True(t, sum.Equal(0.3))
	require.Equal(t, iamport.Amount(0.1), iamport.Amount(0.3).Sub(0.2))
	require.Equal(t, int64(123456789), iamport.Amount(1234567.89).Cents())
	require.Equal(t, iamport.Amount(1234567.89), iamport.AmountFromCents(123456789))
	require.Equal(t, int64(-5), iamport.Amount(0.05).Sub(0.1).Cents())
	require.False(t, iamport.Amount(10.5).Equal(10.51))
	require.Equal(t, "1234567.89", iamport.Amount(1234567.89).String())

	// Summing many cents stays exact through Add.
	var total iamport.Amount
	for i := 0; i < 1000; i++ {
		total = total.Add(0.01)
	}
	require.Equal(t, iamport.Amount(10), total)
}

func TestPaymentBalance(t *testing.T) {
	t.Parallel()
	p := &iamport.Payment{Amount: 10.3, CancelAmount: 10.1}
	require.Equal(t, iamport.Amount(0.2), p.Balance())
	require.Equal(t, int64(20), p.Balance().Cents())
	p = &iamport.Payment{Amount: 8900, CancelAmount: 8900}
	require.Zero(t, p.Balance())
	var nilPayment *iamport.Payment
	require.False(t, nilPayment.Paid())
}

func TestTimeDecode(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want time.Time // zero means the zero Time
	}{
		{`0`, time.Time{}},
		{`null`, time.Time{}},
		{`""`, time.Time{}},
		{`"0"`, time.Time{}},
		{`0.0`, time.Time{}},
		{`1767225600`, time.Unix(1767225600, 0)},
		{`1767225600.0`, time.Unix(1767225600, 0)},
		{`1767225600.5`, time.Unix(1767225600, 500_000_000)},
		{`"1767225600"`, time.Unix(1767225600, 0)},
		{`" 1767225600 "`, time.Unix(1767225600, 0)},
		{`"1767225600.25"`, time.Unix(1767225600, 250_000_000)},
	} {
		var v struct {
			T iamport.Time `json:"t"`
		}
		require.NoError(t, json.Unmarshal([]byte(`{"t":`+tt.in+`}`), &v), tt.in)
		if tt.want.IsZero() {
			require.True(t, v.T.IsZero(), tt.in)
			require.Zero(t, v.T.Unix(), tt.in)
		} else {
			require.True(t, tt.want.Equal(v.T.Time), "%s decoded to %v", tt.in, v.T)
		}
	}
	for _, bad := range []string{`"yesterday"`, `true`, `1e300`, `"NaN"`} {
		var tm iamport.Time
		err := json.Unmarshal([]byte(bad), &tm)
		require.Error(t, err, bad)
		require.Contains(t, err.Error(), "Unix timestamp")
	}
	// A missing field stays zero.
	var s iamport.Schedule
	require.NoError(t, json.Unmarshal([]byte(`{}`), &s))
	require.True(t, s.RevokedAt.IsZero())
}

func TestTimeEncode(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(iamport.Unix(1767225600))
	require.NoError(t, err)
	require.Equal(t, "1767225600", string(b))
	b, err = json.Marshal(iamport.Time{})
	require.NoError(t, err)
	require.Equal(t, "0", string(b))
	require.True(t, iamport.Unix(0).IsZero())
	b, err = json.Marshal(iamport.Time{Time: time.Unix(1767225600, 900_000_000)})
	require.NoError(t, err)
	require.Equal(t, "1767225600", string(b))

	// Round trip through a Payment.
	p := iamport.Payment{PaidAt: iamport.Unix(1767225601)}
	b, err = json.Marshal(p)
	require.NoError(t, err)
	var back iamport.Payment
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, int64(1767225601), back.PaidAt.Unix())
	require.True(t, back.FailedAt.IsZero())
}

func TestIntLeniency(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]iamport.Int{
		`3`: 3, `3.0`: 3, `"3"`: 3, `null`: 0, `""`: 0, `-1`: -1, `"-1"`: -1, `1e3`: 1000, `9007199254740992`: 1 << 53,
		`3.5`: 3, `"3.9"`: 3, `-2.5`: -2,
	} {
		var n iamport.Int
		require.NoError(t, json.Unmarshal([]byte(in), &n), in)
		require.Equal(t, want, n, in)
	}
	for _, bad := range []string{`"three"`, `true`, `1e300`} {
		var n iamport.Int
		err := json.Unmarshal([]byte(bad), &n)
		require.Error(t, err, bad)
		require.Contains(t, err.Error(), "not an integer")
	}
	b, err := json.Marshal(iamport.Int(7))
	require.NoError(t, err)
	require.Equal(t, "7", string(b))
}

func TestCardType(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]iamport.CardType{
		`0`: iamport.CardTypeCredit, `1`: iamport.CardTypeCheck, `null`: iamport.CardTypeUnknown,
		`"null"`: iamport.CardTypeUnknown, `"0"`: iamport.CardTypeCredit, `"1"`: iamport.CardTypeCheck,
		`2`: iamport.CardType("2"), `"gift"`: iamport.CardType("gift"),
	} {
		var v struct {
			C iamport.CardType `json:"card_type"`
		}
		require.NoError(t, json.Unmarshal([]byte(`{"card_type":`+in+`}`), &v), in)
		require.Equal(t, want, v.C, in)
	}
	for ct, want := range map[iamport.CardType]string{
		iamport.CardTypeCredit: `0`, iamport.CardTypeCheck: `1`, iamport.CardTypeUnknown: `null`,
		iamport.CardType("2"): `2`, iamport.CardType("gift"): `"gift"`,
	} {
		b, err := json.Marshal(ct)
		require.NoError(t, err)
		require.Equal(t, want, string(b), string(ct))
	}
}

func TestPtr(t *testing.T) {
	t.Parallel()
	p := iamport.Ptr(3)
	require.Equal(t, 3, *p)
	a := iamport.Ptr(iamport.Amount(0))
	b, err := json.Marshal(struct {
		V *iamport.Amount `json:"vat_amount,omitempty"`
	}{a})
	require.NoError(t, err)
	require.JSONEq(t, `{"vat_amount":0}`, string(b), "a pointer to zero is sent")
	require.False(t, math.IsNaN(float64(*a)))
}

// Amount decodes leniently what it can hold exactly, and refuses what Cents
// would have to round: two different amounts would then compare as one.
func TestAmountDecodeRefusesWhatItCannotHoldExactly(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]iamport.Amount{
		`8900`: 8900, `8900.0`: 8900, `"8900"`: 8900, `" 10.5 "`: 10.5, `null`: 0, `""`: 0, `1e3`: 1000,
		`10.50`: 10.5, `-500`: -500, `90071992547409`: 90071992547409, `0.01`: 0.01,
	} {
		var a iamport.Amount
		require.NoError(t, json.Unmarshal([]byte(in), &a), in)
		require.Equal(t, want, a, in)
	}
	var z iamport.Amount
	require.NoError(t, json.Unmarshal([]byte(`-0`), &z))
	require.False(t, math.Signbit(float64(z)), "-0 reads as 0")
	for _, in := range []string{`"NaN"`, `"Inf"`, `"-Infinity"`, `"x"`, `true`, `{}`, `1e20`, `90071992547410`,
		`0.001`, `8900.005`, `"0.125"`} {
		var a iamport.Amount
		require.Error(t, json.Unmarshal([]byte(in), &a), in)
	}
	// In a payment, the whole decode fails: the answer is invalid.
	var p iamport.Payment
	require.Error(t, json.Unmarshal([]byte(`{"amount":8900.001}`), &p))
}

// Equal never calls two different amounts equal: it does not round.
func TestAmountEqualIsExact(t *testing.T) {
	t.Parallel()
	require.False(t, iamport.Amount(0.001).Equal(0))
	require.False(t, iamport.Amount(0).Equal(0.004))
	require.False(t, iamport.Amount(8900.004).Equal(8900))
	require.False(t, iamport.Amount(math.NaN()).Equal(iamport.Amount(math.NaN())))
	require.True(t, iamport.Amount(math.Copysign(0, -1)).Equal(0), "-0 and 0 are one amount")
	require.True(t, iamport.Amount(10.5).Equal(iamport.AmountFromCents(1050)))
	require.True(t, iamport.Amount(0.1).Add(0.2).Equal(0.3))
	x := 0.1
	require.False(t, iamport.Amount(x+0.2).Equal(0.3), "float arithmetic is not rounded")
	// For every amount of at most two decimals, Equal agrees with Cents.
	for c := int64(-1000); c <= 1000; c++ {
		a := iamport.AmountFromCents(c)
		require.True(t, a.Equal(iamport.Amount(float64(c)/100)))
		require.False(t, a.Equal(iamport.AmountFromCents(c+1)))
	}
}
