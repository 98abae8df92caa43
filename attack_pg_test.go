package iamport_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// pgServer answers the PG-specific charges with a payment of the order it
// was sent, and the token request with a token that is already expired.
type pgServer struct {
	mu     sync.Mutex
	tokens int
	calls  map[string]int
}

func newPGServer(t *testing.T) (*pgServer, *iamport.Client) {
	s := &pgServer{calls: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(b, &body)
		s.mu.Lock()
		s.calls[r.Method+" "+r.URL.Path]++
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		var resp any
		switch r.URL.Path {
		case "/users/getToken":
			s.mu.Lock()
			s.tokens++
			s.mu.Unlock()
			resp = map[string]any{"access_token": "tok", "now": 1796155400, "expired_at": 1796155300}
		case "/cvs":
			resp = map[string]any{"imp_uid": "imp_cvs", "merchant_uid": body["merchant_uid"], "amount": body["amount"],
				"status": "ready", "started_at": 1796155401, "vbank_num": "1234"}
		default:
			resp = map[string]any{"imp_uid": body["imp_uid"], "merchant_uid": body["merchant_uid"], "amount": body["amount"],
				"status": "paid", "paid_at": 1796155401}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"code": 0, "response": resp})
	}))
	t.Cleanup(srv.Close)
	c, err := iamport.New("key", "secret", iamport.WithBaseURL(srv.URL))
	require.NoError(t, err)
	return s, c
}

// A token answer that is already expired serves the call it was fetched
// for: each PG-specific charge fetches one token, never two.
func TestAttackPGChargeFetchesOneToken(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	calls := map[string]func(c *iamport.Client) error{
		"cvs": func(c *iamport.Client) error {
			_, err := c.IssueCVSPayment(ctx, &iamport.CVSPaymentRequest{ChannelKey: "ch", MerchantUID: "cvs-1", Amount: 15000})
			return err
		},
		"kcpquick money": func(c *iamport.Client) error {
			_, err := c.PayKcpQuickMoney(ctx, &iamport.KcpQuickMoneyRequest{MemberID: "m", ChannelKey: "ch", MerchantUID: "kq-1",
				Name: "n", Amount: 9900, ImpUID: "imp_pin"})
			return err
		},
		"kcpquick autopay": func(c *iamport.Client) error {
			_, err := c.PayKcpQuickAutopay(ctx, &iamport.KcpQuickAutopayRequest{CustomerUID: "k", MerchantUID: "kq-2", Name: "n", BuyerName: "b", Amount: 9900})
			return err
		},
		"benepia": func(c *iamport.Client) error {
			_, err := c.PayBenepia(ctx, &iamport.BenepiaPaymentRequest{BenepiaUser: "u", BenepiaPassword: "p", ChannelKey: "ch",
				MerchantUID: "bn-1", Name: "n", Amount: 12000})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			s, c := newPGServer(t)
			require.NoError(t, call(c))
			require.NoError(t, call(c))
			s.mu.Lock()
			defer s.mu.Unlock()
			require.Equal(t, 2, s.tokens, "one token per call")
		})
	}
}

// The PG-specific charges are in KRW: an amount with a fraction is refused
// before sending, as for Onetime and Again.
func TestAttackPGChargeRefusesKRWFraction(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, c := newPGServer(t)
	errs := map[string]error{}
	_, errs["cvs"] = c.IssueCVSPayment(ctx, &iamport.CVSPaymentRequest{ChannelKey: "ch", MerchantUID: "cvs-1", Amount: 15000.5})
	_, errs["kcpquick money"] = c.PayKcpQuickMoney(ctx, &iamport.KcpQuickMoneyRequest{MemberID: "m", ChannelKey: "ch", MerchantUID: "kq-1",
		Name: "n", Amount: 9900.5, ImpUID: "imp_pin"})
	_, errs["kcpquick autopay"] = c.PayKcpQuickAutopay(ctx, &iamport.KcpQuickAutopayRequest{CustomerUID: "k", MerchantUID: "kq-2", Name: "n", BuyerName: "b", Amount: 9900.5})
	_, errs["benepia"] = c.PayBenepia(ctx, &iamport.BenepiaPaymentRequest{BenepiaUser: "u", BenepiaPassword: "p", ChannelKey: "ch",
		MerchantUID: "bn-1", Name: "n", Amount: 12000.5})
	for name, err := range errs {
		var ve *iamport.ValidationError
		require.ErrorAs(t, err, &ve, name)
		require.Equal(t, "amount", ve.Field, name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Equal(t, map[string]int{}, s.calls, "nothing sent")
}
