package iamport

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The charge proof, on random lists of attempts: whatever outcome it picks
// is an attempt that was not there before the call and matches the request
// exactly; a decline is picked only when no attempt of the order is paid or
// still running. A failing seed is printed.
func TestChargeOutcomeOnlyProvesThisCall(t *testing.T) {
	t.Parallel()
	statuses := []PaymentStatus{PaymentStatusPaid, PaymentStatusFailed, PaymentStatusCancelled, PaymentStatusReady, "pending"}
	decided := map[PaymentStatus]int{}
	for seed := uint64(1); seed <= 2000; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		amount := Amount(8900)
		o := &chargeOrder{merchantUID: "order-1", amount: &amount, customerUID: "cust-1", before: map[string]bool{}}
		var ps []Payment
		for i := range r.IntN(6) {
			p := Payment{ImpUID: "imp_" + strconv.Itoa(i), MerchantUID: "order-1", Amount: 8900, Currency: "KRW",
				CustomerUID: "cust-1", Status: statuses[r.IntN(len(statuses))]}
			switch r.IntN(6) {
			case 0:
				p.MerchantUID = "order-1/paid"
			case 1:
				p.Amount = 9900
			case 2:
				p.CustomerUID = "cust-2"
			case 3:
				p.Currency = "USD"
			}
			if p.Status == PaymentStatusPaid || (p.Status == PaymentStatusCancelled && r.IntN(2) == 0) {
				p.PaidAt = Time{time.Unix(1767225600, 0)}
			}
			if r.IntN(3) == 0 {
				o.before[p.ImpUID] = true
				o.paidBefore = o.paidBefore || p.Status == PaymentStatusPaid
			}
			ps = append(ps, p)
		}
		got := o.outcome(ps)
		if got == nil {
			continue
		}
		decided[got.Status]++
		if o.before[got.ImpUID] || o.mismatch(got) != "" {
			t.Fatalf("seed %d: %s proves nothing about this call (before %v, mismatch %q)", seed, got.ImpUID, o.before[got.ImpUID], o.mismatch(got))
		}
		if got.Status == PaymentStatusCancelled && got.PaidAt.IsZero() {
			t.Fatalf("seed %d: a cancelled attempt never paid taken as charged", seed)
		}
		if got.Status == PaymentStatusFailed {
			for _, p := range ps {
				if p.MerchantUID == o.merchantUID && p.Status == PaymentStatusPaid {
					t.Fatalf("seed %d: a decline reported while %s is paid", seed, p.ImpUID)
				}
				if !o.before[p.ImpUID] && o.mismatch(&p) == "" && p.Status != PaymentStatusFailed && p.Status != PaymentStatusCancelled {
					t.Fatalf("seed %d: a decline reported while %s is still %s", seed, p.ImpUID, p.Status)
				}
			}
		}
	}
	for _, st := range []PaymentStatus{PaymentStatusPaid, PaymentStatusCancelled, PaymentStatusFailed} {
		if decided[st] == 0 {
			t.Errorf("no random case was decided %s: the generator misses it", st)
		}
	}
}

// The cancel proof: only a refund of the amount beyond the snapshot whose
// balance before it was the checksum proves the cancel; an older refund of
// the same amount, a new one of another amount, or one made from another
// balance does not.
func TestRefundedFromChecksumAndAmount(t *testing.T) {
	t.Parallel()
	refund := func(a Amount) Cancel { return Cancel{Amount: a} }
	pay := func(total Amount, h ...Cancel) *Payment {
		return &Payment{Amount: 10000, CancelAmount: total, CancelHistory: h}
	}
	for _, tc := range []struct {
		name          string
		before, after *Payment
		checksum      Amount
		want          bool
	}{
		{"one new refund of the amount", pay(0), pay(3000, refund(3000)), 10000, true},
		{"after another one, from the checksum", pay(500, refund(500)), pay(3500, refund(500), refund(3000)), 9500, true},
		{"another refund took the checksum's balance first", pay(0), pay(3500, refund(500), refund(3000)), 10000, false},
		{"an older refund of the same amount", pay(3000, refund(3000)), pay(3000, refund(3000)), 7000, false},
		{"the snapshot's own refund", pay(3000, refund(3000)), pay(6000, refund(3000), refund(3000)), 10000, false},
		{"a new refund of another amount", pay(3000, refund(3000)), pay(3500, refund(3000), refund(500)), 7000, false},
		{"a checksum above the snapshot's balance", pay(3000, refund(3000)), pay(6000, refund(3000), refund(3000)), 9000, false},
		{"no history: the total alone", pay(0), pay(3000), 10000, true},
		{"no history: another total", pay(0), pay(2000), 10000, false},
		{"no history: the same refund from another balance", pay(1000), pay(5000), 9000, false},
	} {
		if got := refundedFrom(tc.before, tc.after, tc.checksum.Cents(), 300000); got != tc.want {
			t.Errorf("%s: refundedFrom = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The look at an order's earlier attempts walks every page, 100 at a time,
// keeps only the order's own payments, reads a 404 as none, and refuses
// pages that would keep it going forever, as FindPayments does.
func TestAttemptsWalksPages(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var queries []string
	pages := map[string]string{} // raw query → response
	item := func(imp, merchant string) string {
		return fmt.Sprintf(`{"imp_uid":%q,"merchant_uid":%q,"status":"failed"}`, imp, merchant)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /users/getToken", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"code":0,"response":{"access_token":"tok","now":0,"expired_at":0}}`)
	})
	mux.HandleFunc("GET /payments/findAll/{merchant_uid}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.PathValue("merchant_uid")+"?"+r.URL.RawQuery)
		body, ok := pages[r.PathValue("merchant_uid")+"?"+r.URL.RawQuery]
		mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"code":1,"message":"존재하지 않는 결제정보입니다.","response":null}`)
			return
		}
		fmt.Fprint(w, `{"code":0,"response":`+body+`}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := New("k", "s", WithBaseURL(srv.URL), WithMaxRetries(0))
	require.NoError(t, err)

	var first []string
	for i := range attemptsPageLimit {
		first = append(first, item(fmt.Sprintf("imp_%d", i), "o-1"))
	}
	first[7] = item("imp_other", "o-1/paid") // another order's, passed off by a lenient server
	pages["o-1?limit=100"] = `{"total":101,"previous":0,"next":2,"list":[` + strings.Join(first, ",") + `]}`
	pages["o-1?limit=100&page=2"] = `{"total":101,"previous":1,"next":0,"list":[` + item("imp_last", "o-1") + `]}`
	pages["o-empty?limit=100"] = `{"total":1,"previous":0,"next":2,"list":[]}`
	pages["o-back?limit=100"] = `{"total":2,"previous":0,"next":2,"list":[` + item("imp_a", "o-back") + `]}`
	pages["o-back?limit=100&page=2"] = `{"total":2,"previous":1,"next":1,"list":[` + item("imp_b", "o-back") + `]}`

	ps, err := c.attempts(context.Background(), "o-1")
	require.NoError(t, err)
	require.Len(t, ps, attemptsPageLimit)
	require.Equal(t, "imp_last", ps[len(ps)-1].ImpUID)
	for _, p := range ps {
		require.Equal(t, "o-1", p.MerchantUID)
	}
	require.Equal(t, []string{"o-1?limit=100", "o-1?limit=100&page=2"}, queries)
	require.Equal(t, url.Values{"limit": {"100"}}, attemptsFirstPage, "the shared query is never written to")

	ps, err = c.attempts(context.Background(), "o-none")
	require.NoError(t, err)
	require.Empty(t, ps)

	for _, uid := range []string{"o-empty", "o-back"} {
		_, err = c.attempts(context.Background(), uid)
		require.ErrorIs(t, err, ErrInvalidResponse, uid)
	}
}
