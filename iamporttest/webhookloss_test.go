package iamporttest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// scheduleDaily books n daily charges of 1000 KRW on a new billing key, the
// first a day after the fake's start.
func scheduleDaily(t *testing.T, s *iamporttest.Server, customerUID string, n int) {
	t.Helper()
	cl := s.Client()
	saveKey(t, cl, customerUID, iamporttest.CardApproved)
	var es []iamport.ScheduleEntry
	for i := 1; i <= n; i++ {
		es = append(es, entry(fmt.Sprintf("%s-%d", customerUID, i), start.Add(time.Duration(i)*24*time.Hour), 1000))
	}
	_, err := cl.Schedule(context.Background(), &iamport.ScheduleRequest{CustomerUID: customerUID, Schedules: es})
	require.NoError(t, err)
}

func TestLoseNextWebhooks(t *testing.T) {
	t.Parallel()
	rc := &receiver{}
	hs := httptest.NewServer(rc)
	defer hs.Close()
	s := newFake(t, iamporttest.WithWebhookURL(hs.URL))
	scheduleDaily(t, s, "loss-1", 5)

	s.LoseWebhooks(iamporttest.WebhookLoss{Next: 2})
	s.Advance(3 * 24 * time.Hour)
	ds := s.Webhooks()
	require.Len(t, ds, 3)
	require.True(t, ds[0].Lost)
	require.True(t, ds[1].Lost)
	require.False(t, ds[2].Lost)
	require.Zero(t, ds[0].StatusCode, "lost on the network: no answer")
	require.Contains(t, ds[0].Err, "lost")
	require.Equal(t, "loss-1-1", ds[0].MerchantUID)
	require.Equal(t, http.StatusOK, ds[2].StatusCode)

	rc.mu.Lock()
	got := len(rc.bodies)
	rc.mu.Unlock()
	require.Equal(t, 1, got, "the receiver saw only the delivery that was not lost")

	lost := s.LostWebhooks()
	require.Len(t, lost, 2)
	require.Equal(t, []string{"loss-1-1", "loss-1-2"}, []string{lost[0].MerchantUID, lost[1].MerchantUID})
	require.NotEmpty(t, lost[0].Body, "the lost body is kept, so a test can deliver it later")
}

func TestLoseWebhooksToOneURLWithStatus(t *testing.T) {
	t.Parallel()
	good, bad := &receiver{}, &receiver{}
	hsGood, hsBad := httptest.NewServer(good), httptest.NewServer(bad)
	defer hsGood.Close()
	defer hsBad.Close()
	s := newFake(t, iamporttest.WithWebhookURL(hsGood.URL))
	cl := s.Client()
	saveKey(t, cl, "loss-2", iamporttest.CardApproved)
	e1, e2 := entry("loss-2-a", start.Add(time.Hour), 1000), entry("loss-2-b", start.Add(2*time.Hour), 1000)
	e2.NoticeURL = hsBad.URL
	_, err := cl.Schedule(context.Background(), &iamport.ScheduleRequest{CustomerUID: "loss-2", Schedules: []iamport.ScheduleEntry{e1, e2}})
	require.NoError(t, err)

	s.LoseWebhooks(iamporttest.WebhookLoss{URL: hsBad.URL, Status: http.StatusBadGateway})
	s.Advance(3 * time.Hour)
	ds := s.Webhooks()
	require.Len(t, ds, 2)
	require.False(t, ds[0].Lost, "another URL is not affected")
	require.True(t, ds[1].Lost)
	require.Equal(t, http.StatusBadGateway, ds[1].StatusCode)
	require.Contains(t, ds[1].Err, "502")
	bad.mu.Lock()
	require.Empty(t, bad.bodies)
	bad.mu.Unlock()

	// Every delivery to the URL is lost until cleared.
	e3 := entry("loss-2-c", start.Add(4*time.Hour), 1000)
	e3.NoticeURL = hsBad.URL
	_, err = cl.Schedule(context.Background(), &iamport.ScheduleRequest{CustomerUID: "loss-2", Schedules: []iamport.ScheduleEntry{e3}})
	require.NoError(t, err)
	s.ClearWebhookLoss()
	s.Advance(2 * time.Hour)
	require.Len(t, s.LostWebhooks(), 1)
	bad.mu.Lock()
	require.Len(t, bad.bodies, 1)
	bad.mu.Unlock()
}

func TestWebhookLossRateIsSeeded(t *testing.T) {
	t.Parallel()
	lostOf := func(seed uint64) []string {
		hs := httptest.NewServer(&receiver{})
		defer hs.Close()
		s := newFake(t, iamporttest.WithWebhookURL(hs.URL), iamporttest.WithWebhookLossRate(0.25, seed))
		scheduleDaily(t, s, "loss-3", 40)
		s.Advance(41 * 24 * time.Hour)
		require.Len(t, s.Webhooks(), 40)
		var out []string
		for _, d := range s.LostWebhooks() {
			out = append(out, d.MerchantUID)
		}
		return out
	}
	a, b := lostOf(7), lostOf(7)
	require.Equal(t, a, b, "same seed, same losses")
	require.NotEmpty(t, a)
	require.Less(t, len(a), 20, "about a quarter of 40")
	require.NotEqual(t, a, lostOf(8))
}

func TestDueSchedulesRunInOrderAfterMoves(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	cl := s.Client()
	ctx := context.Background()
	saveKey(t, cl, "due-1", iamporttest.CardApproved)
	es := []iamport.ScheduleEntry{
		entry("due-a", start.Add(3*time.Hour), 1000),
		entry("due-b", start.Add(1*time.Hour), 1000),
		entry("due-c", start.Add(2*time.Hour), 1000),
	}
	_, err := cl.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: "due-1", Schedules: es})
	require.NoError(t, err)
	// Move b after a, then back before c; revoke c.
	_, err = cl.UpdateSchedule(ctx, &iamport.UpdateScheduleRequest{MerchantUID: "due-b", ScheduleAt: start.Add(4 * time.Hour)})
	require.NoError(t, err)
	_, err = cl.UpdateSchedule(ctx, &iamport.UpdateScheduleRequest{MerchantUID: "due-b", ScheduleAt: start.Add(90 * time.Minute)})
	require.NoError(t, err)
	_, err = cl.Unschedule(ctx, &iamport.UnscheduleRequest{CustomerUID: "due-1", MerchantUIDs: []string{"due-c"}})
	require.NoError(t, err)
	s.Advance(5 * time.Hour)
	var order []string
	for _, p := range s.Payments() {
		order = append(order, p.MerchantUID)
	}
	require.Equal(t, []string{"due-b", "due-a"}, order, "each runs once, at its latest time; a revoked one never")
}
