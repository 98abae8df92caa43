package iamport_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// TestSweepEndToEndLostWebhooks runs a year of monthly billing for many
// customers with a quarter of the webhooks lost, some cycles declined (some
// of them on every retry), and the sweep run at random moments on two
// replicas at once, while duplicate webhooks arrive. Every cycle must be
// paid exactly once or have exhausted its retries, no cycle scheduled twice,
// and no chain may end before its last cycle unless a cycle exhausted its
// retries.
func TestSweepEndToEndLostWebhooks(t *testing.T) {
	t.Parallel()
	const (
		customers = 20
		cycles    = 12
		seed      = 20300201
	)
	rng := rand.New(rand.NewPCG(seed, 1))
	seoul := time.FixedZone("KST", 9*60*60)
	start := time.Date(2030, 1, 25, 0, 0, 0, 0, seoul)

	mux := http.NewServeMux()
	hs := httptest.NewServer(mux)
	defer hs.Close()
	srv := iamporttest.NewServer(iamporttest.WithStartTime(start), iamporttest.WithWebhookURL(hs.URL+"/a"),
		iamporttest.WithWebhookLossRate(0.25, seed))
	defer srv.Close()

	plans := make([]*iamport.Plan, customers)
	declines := make([][]int, customers) // declines[i][cycle]: declined charges before it pays; 4 exhausts
	for i := range plans {
		plans[i] = &iamport.Plan{CustomerUID: fmt.Sprintf("e2e_sweep_%03d", i), Amount: 8900, Name: "Monthly subscription",
			Anchor: time.Date(2030, 2, 1+i%28, 10, 0, 0, 0, seoul), Location: seoul, Cycles: cycles}
		if i%2 == 1 {
			plans[i].NoticeURL = hs.URL + "/b"
		}
		declines[i] = make([]int, cycles+1)
		for c := 1; c <= cycles; c++ {
			switch x := rng.IntN(100); {
			case x < 10:
				declines[i][c] = 1
			case x < 14:
				declines[i][c] = 2
			case x < 15:
				declines[i][c] = 4
			}
		}
	}
	shop := newSweepShop(plans...)
	// Two replicas of the merchant's service, each with its own Client,
	// sharing one database (the shop).
	replicas := make([]*iamport.Sweeper, 2)
	for i := range replicas {
		c := srv.Client(iamport.WithClock(srv.Now)) // the fake's clock is the server's
		replicas[i] = shop.sweeper(c)
	}
	mux.Handle("/a", replicas[0].WebhookHandler(iamport.WithAllowedSources("127.0.0.1", "::1")))
	mux.Handle("/b", replicas[1].WebhookHandler(iamport.WithAllowedSources("127.0.0.1", "::1")))

	ctx := context.Background()
	setup := replicas[0].Client
	for _, p := range plans {
		_, err := setup.SaveBillingKey(ctx, &iamport.SaveBillingKeyRequest{CustomerUID: p.CustomerUID,
			CardNumber: iamporttest.CardApproved, Expiry: "2035-12", Birth: "900101", Pwd2Digit: "00"})
		require.NoError(t, err)
		_, err = setup.ScheduleCycle(ctx, p, 1)
		require.NoError(t, err)
	}

	var mu sync.Mutex
	var sweepFailures []string
	sweeps := 0
	// sweepAll runs both replicas' sweeps at once, while the latest
	// delivered webhooks arrive once more.
	sweepAll := func() {
		var wg sync.WaitGroup
		for _, sw := range replicas {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rep, err := sw.Run(ctx)
				mu.Lock()
				defer mu.Unlock()
				sweeps++
				if err != nil {
					sweepFailures = append(sweepFailures, fmt.Sprintf("%s: %v", srv.Now().Format(time.DateTime), err))
				}
				_ = rep
			}()
		}
		ds := srv.Webhooks()
		for _, d := range ds[max(0, len(ds)-3):] {
			if d.Lost {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := http.Post(d.URL, d.ContentType, bytes.NewReader(d.Body))
				if err == nil {
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
	}

	last := plans[customers-1].BillingTime(cycles).Add(10 * 24 * time.Hour)
	for day := start; day.Before(last); day = day.Add(24 * time.Hour) {
		// Declines for the cycles that bill today.
		for i, p := range plans {
			for c := 1; c <= cycles; c++ {
				if bt := p.BillingTime(c); !bt.Before(day) && bt.Before(day.Add(24*time.Hour)) && declines[i][c] > 0 {
					srv.DeclineCharges(p.CustomerUID, declines[i][c], "한도초과")
				}
			}
		}
		// One or two random moments of the day.
		moments := []time.Duration{time.Duration(rng.IntN(24*60)) * time.Minute}
		if rng.IntN(3) == 0 {
			moments = append(moments, time.Duration(rng.IntN(24*60))*time.Minute)
		}
		if len(moments) == 2 && moments[1] < moments[0] {
			moments[0], moments[1] = moments[1], moments[0]
		}
		for _, m := range moments {
			srv.Advance(day.Add(m).Sub(srv.Now()))
			sweepAll()
		}
		srv.Advance(day.Add(24 * time.Hour).Sub(srv.Now()))
	}
	sweepAll()
	require.Empty(t, sweepFailures, "no sweep failed")
	lost := srv.LostWebhooks()
	total := len(srv.Webhooks())
	require.Greater(t, len(lost), total/6, "about a quarter of %d webhooks lost", total)
	require.Less(t, len(lost), total/3, "about a quarter of %d webhooks lost", total)

	// Every payment the fake made, by plan, cycle and attempt.
	type key struct{ plan, cycle, attempt int }
	payments := map[key][]iamport.Payment{}
	byUID := map[string]int{}
	for i, p := range plans {
		byUID[p.CustomerUID] = i
	}
	for _, p := range srv.Payments() {
		i := byUID[p.CustomerUID]
		c, a, err := plans[i].ParseMerchantUID(p.MerchantUID)
		require.NoError(t, err)
		payments[key{i, c, a}] = append(payments[key{i, c, a}], p)
	}
	scheduled := map[string]int{}
	for _, s := range srv.Schedules() {
		scheduled[s.MerchantUID]++
		require.NotEqual(t, iamport.ScheduleStatusScheduled, s.ScheduleStatus, "nothing left pending: %s", s.MerchantUID)
	}
	shop.mu.Lock()
	defer shop.mu.Unlock()
	exhaustedChains := 0
	for i, p := range plans {
		ended := false
		for c := 1; c <= cycles; c++ {
			if ended {
				require.Zero(t, scheduled[p.MerchantUID(c, 0)], "%s: nothing after an exhausted cycle", p.MerchantUID(c, 0))
				continue
			}
			d := declines[i][c]
			paid := 0
			for a := 0; a <= 3; a++ {
				mid := p.MerchantUID(c, a)
				require.LessOrEqual(t, scheduled[mid], 1, "%s scheduled twice", mid)
				ps := payments[key{i, c, a}]
				switch {
				case a < min(d, 4):
					require.Len(t, ps, 1, "%s: the declined attempt ran once", mid)
					require.Equal(t, iamport.PaymentStatusFailed, ps[0].Status, mid)
				case a == d:
					require.Len(t, ps, 1, "%s: the chain reached the attempt that pays", mid)
					require.True(t, ps[0].Paid(), mid)
					paid++
				default:
					require.Empty(t, ps, "%s: nothing after the attempt that paid", mid)
					require.Zero(t, scheduled[mid], "%s: no retry after the cycle was paid", mid)
				}
				for _, x := range ps {
					_, ok := shop.records[x.ImpUID+"/"+string(x.Status)]
					require.True(t, ok, "%s (%s) reached the merchant", mid, x.Status)
				}
			}
			if d >= 4 {
				require.Zero(t, paid)
				require.True(t, shop.exhausted[p.MerchantUID(c, 3)], "%s: exhaustion reported", p.MerchantUID(c, 3))
				ended = true
				exhaustedChains++
				continue
			}
			require.Equal(t, 1, paid, "%s: paid exactly once", p.MerchantUID(c, 0))
		}
	}
	require.Positive(t, exhaustedChains, "the seed declines some cycle on every retry")
	require.Less(t, exhaustedChains, customers, "most chains run the whole year")
	t.Logf("%d webhooks, %d lost, %d sweeps, %d chains ended by exhausted retries", total, len(lost), sweeps, exhaustedChains)
}
