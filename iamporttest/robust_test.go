package iamporttest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
	"github.com/iamport-go/iamport/iamporttest"
)

// garbageBodies are bodies no endpoint should choke on.
func garbageBodies() []string {
	bodies := []string{
		"", "{", "}", "[]", "null", "123", `"str"`, "{}", `{"a":1}{"b":2}`,
		`{"amount":{"x":1},"merchant_uid":["a"],"customer_uid":{"k":[]}}`,
		`{"merchant_uid":"m","amount":"1e309","checksum":-1,"tax_free":"NaN"}`,
		`{"merchant_uid":"m","amount":1e300,"card_number":4242424242424242,"expiry":202512}`,
		`{"customer_uid":"c","schedules":"x"}`, `{"customer_uid":"c","schedules":[1,2,null]}`,
		`{"customer_uid":"c","schedules":[{"schedule_at":"abc","amount":[],"merchant_uid":{}}]}`,
		`{"customer_uid":"c","schedules":[{"schedule_at":1e20,"amount":1,"merchant_uid":"x"}]}`,
		`{"merchant_uid":[1,{"a":2}],"customer_uid":true}`, `{"enable_webhook":"maybe","imp_uid":"imp_1"}`,
		"a[b]=1&a=2&%zz", "schedules[0]=x&schedules[0][a]=b&schedules[]=c", "merchant_uid[][x]=1&amount[]=2",
		"imp_key=%&imp_secret=", strings.Repeat("[", 20000) + strings.Repeat("]", 20000),
		"\xff\xfe\x00garbage", `{"card_number":"4242-4242-4242-4242","expiry":"2030-12","birth":{"x":1}}`,
	}
	rnd := rand.New(rand.NewSource(1))
	for i := 0; i < 20; i++ {
		b := make([]byte, rnd.Intn(300))
		rnd.Read(b)
		bodies = append(bodies, string(b))
	}
	return bodies
}

func TestGarbageNeverPanics(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	saveKey(t, s.Client(), "c", iamporttest.CardApproved)
	_, err := s.Client().Onetime(context.Background(), onetime("m", iamporttest.CardApproved, 1000))
	require.NoError(t, err)
	token := getToken(t, s)
	paths := []struct{ method, path string }{
		{"POST", "/users/getToken"}, {"POST", "/subscribe/payments/onetime"}, {"POST", "/subscribe/payments/again"},
		{"POST", "/subscribe/payments/schedule"}, {"POST", "/subscribe/payments/unschedule"}, {"POST", "/payments/cancel"},
		{"POST", "/payments/prepare"}, {"PUT", "/payments/prepare"}, {"POST", "/subscribe/customers/c"},
		{"PUT", "/subscribe/payments/schedule/x"}, {"POST", "/subscribe/payments/schedule/x/reschedule"},
		{"POST", "/subscribe/payments/schedule/x/retry"}, {"DELETE", "/subscribe/customers/zz"},
		{"GET", "/payments/status/all?page=abc&limit=-1&from=x&to=1e99"}, {"GET", "/payments?imp_uid[]=&merchant_uid[][]=x"},
		{"GET", "/subscribe/payments/schedule?schedule_from=-1&schedule_to=99999999999999999999"},
		{"GET", "/subscribe/customers/c/schedules?from=1&to=0"}, {"GET", "/payments/findAll/m?page=99999999999"},
		{"GET", "/payments/%zz"}, {"GET", "//payments//"},
	}
	ok := map[int]bool{200: true, 207: true, 400: true, 401: true, 404: true, 405: true}
	for _, p := range paths {
		for _, b := range garbageBodies() {
			for _, ctype := range []string{"application/json", "application/x-www-form-urlencoded", "", "text/plain"} {
				req, err := http.NewRequest(p.method, s.URL+p.path, strings.NewReader(b))
				if err != nil {
					continue // a path the client itself refuses
				}
				if ctype != "" {
					req.Header.Set("Content-Type", ctype)
				}
				req.Header.Set("Authorization", token)
				resp, err := s.HTTPClient().Do(req)
				require.NoError(t, err)
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				require.True(t, ok[resp.StatusCode], "%s %s %q: %d %s", p.method, p.path, b, resp.StatusCode, body)
				var env map[string]any
				require.NoError(t, json.Unmarshal(body, &env), "%s %s", p.method, p.path)
				require.Contains(t, env, "code")
			}
		}
	}
}

func TestBodyCap(t *testing.T) {
	t.Parallel()
	modes(t, func(t *testing.T, s *iamporttest.Server) {
		big := `{"merchant_uid":"` + strings.Repeat("x", 2<<20) + `"}`
		req, _ := http.NewRequest("POST", s.URL+"/payments/cancel", strings.NewReader(big))
		req.Header.Set("Authorization", getToken(t, s))
		req.Header.Set("Content-Type", "application/json")
		resp, err := rawClient(s).Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, 413, resp.StatusCode)
	})
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	modes(t, func(t *testing.T, s *iamporttest.Server) {
		ctx := context.Background()
		cl := s.Client()
		const workers, each = 8, 5
		for w := 0; w < workers; w++ {
			saveKey(t, cl, fmt.Sprintf("c-%d", w), iamporttest.CardApproved)
		}
		var wg sync.WaitGroup
		errs := make(chan error, workers*each*4+10)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				uid := fmt.Sprintf("c-%d", w)
				for i := 0; i < each; i++ {
					p, err := cl.Again(ctx, &iamport.AgainRequest{CustomerUID: uid, MerchantUID: fmt.Sprintf("%s-%d", uid, i), Amount: 1000})
					if err != nil {
						errs <- err
						continue
					}
					if _, err := cl.GetPayment(ctx, p.ImpUID); err != nil {
						errs <- err
					}
					if _, err := cl.CancelPayment(ctx, &iamport.CancelRequest{ImpUID: p.ImpUID, Amount: 100}); err != nil {
						errs <- err
					}
					if _, err := cl.Schedule(ctx, &iamport.ScheduleRequest{CustomerUID: uid, Schedules: []iamport.ScheduleEntry{
						entry(fmt.Sprintf("%s-s%d", uid, i), s.Now().Add(time.Duration(i+1)*time.Hour), 500)}}); err != nil {
						errs <- err
					}
				}
			}(w)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Less than a token's lifetime in all, so no call is refused.
			for i := 0; i < 20; i++ {
				s.Advance(time.Minute)
				_ = s.Payments()
				_ = s.Webhooks()
				_ = s.Calls("", "/subscribe/payments/again")
			}
		}()
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		s.Advance(24 * time.Hour)
		require.Len(t, s.Payments(), 2*workers*each)
		for _, sc := range s.Schedules() {
			require.Equal(t, iamport.ScheduleStatusExecuted, sc.ScheduleStatus)
		}
		require.Equal(t, workers*each, s.Calls("POST", "/subscribe/payments/again"))
	})
}

func TestInProcessRequestIsNotModified(t *testing.T) {
	t.Parallel()
	s := newFake(t)
	body := []byte(`{"imp_key":"test_api_key","imp_secret":"test_api_secret"}`)
	req, _ := http.NewRequest("POST", s.URL+"/users/getToken", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Transport().RoundTrip(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "200 OK", resp.Status)
	require.Same(t, req, resp.Request)
	require.Equal(t, "application/json", req.Header.Get("Content-Type"))
}
