package iamport_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/iamport-go/iamport"
)

// clock is a local clock a test moves by hand.
type clock struct{ off atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) advance(d time.Duration) { c.off.Add(int64(d)) }

func TestTokenFetchedOnceAndReused(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodGet, "/payments/imp_1", ok(payment("order-1")))
	m.on(http.MethodGet, findPrefix+"order-1", ok(payment("order-1")))
	c := m.client()
	for i := 0; i < 5; i++ {
		_, err := c.GetPayment(bg, "imp_1")
		require.NoError(t, err)
		_, err = c.FindPayment(bg, "order-1")
		require.NoError(t, err)
	}
	require.Equal(t, 1, m.tokenCalls())
	tok := m.only(http.MethodPost, "/users/getToken")
	require.JSONEq(t, `{"imp_key":"imp_key_7301","imp_secret":"`+testSecret+`"}`, tok.Body)
	for _, r := range m.calls(http.MethodGet, "/payments/imp_1") {
		require.Equal(t, testToken, r.Header.Get("Authorization"))
	}
}

// However many goroutines make their first call at once, one token request
// is made.
func TestTokenSingleFlight(t *testing.T) {
	t.Parallel()
	const n = 1000
	m := newMock(t)
	var started sync.WaitGroup
	started.Add(n)
	allStarted := make(chan struct{})
	go func() {
		started.Wait()
		close(allStarted)
	}()
	m.on(http.MethodPost, "/users/getToken", func(req *http.Request) (*http.Response, error) {
		select {
		case <-allStarted:
		case <-time.After(5 * time.Second):
			t.Error("not every goroutine started")
		}
		return tokenResponder(testToken, 0, 1800)(req)
	})
	m.on(http.MethodGet, "/payments/imp_1", ok(payment("order-1")))
	c := m.client()

	errs := make(chan error, n)
	var done sync.WaitGroup
	for i := 0; i < n; i++ {
		done.Add(1)
		go func() {
			defer done.Done()
			started.Done()
			_, err := c.GetPayment(bg, "imp_1")
			errs <- err
		}()
	}
	done.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, 1, m.tokenCalls())
	require.Equal(t, n, m.count(http.MethodGet, "/payments/imp_1"))
}

// A caller that gives up waiting for the token returns at once; the fetch it
// started still serves the others.
func TestTokenWaiterCancelled(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	arrived := make(chan struct{})
	release := make(chan struct{})
	m.on(http.MethodPost, "/users/getToken", func(req *http.Request) (*http.Response, error) {
		close(arrived)
		<-release
		return tokenResponder(testToken, 0, 1800)(req)
	})
	m.on(http.MethodGet, "/payments/imp_1", ok(payment("order-1")))
	c := m.client()

	ctx, cancel := context.WithCancel(bg)
	first := make(chan error, 1)
	go func() {
		_, err := c.GetPayment(ctx, "imp_1")
		first <- err
	}()
	<-arrived // the first caller started the fetch
	second := make(chan error, 1)
	go func() {
		_, err := c.GetPayment(bg, "imp_1")
		second <- err
	}()

	cancel()
	select {
	case err := <-first:
		require.ErrorIs(t, err, context.Canceled)
		require.Contains(t, err.Error(), "waiting for access token")
	case <-time.After(5 * time.Second):
		t.Fatal("the cancelled caller is still waiting for the token")
	}
	close(release)
	require.NoError(t, <-second)
	require.Equal(t, 1, m.tokenCalls())
	require.Equal(t, 1, m.count(http.MethodGet, "/payments/imp_1"))
}

func TestTokenReplayAfter401(t *testing.T) {
	t.Parallel()
	for _, ep := range endpoints() {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(http.MethodPost, "/users/getToken", seq(tokenResponder(testToken, 0, 1800), tokenResponder(testToken2, 0, 1800)))
			m.on(http.MethodGet, "/payments/imp_1", ok(payment("order-1", "imp_uid", "imp_1"))) // a cancel's look before
			m.on(ep.method, ep.path, func(req *http.Request) (*http.Response, error) {
				if req.Header.Get("Authorization") == testToken {
					return jsonResponse(401, failure(-1, "Unauthorized")), nil
				}
				return ok(ep.resp)(req)
			})
			require.NoError(t, ep.call(bg, m.client()))
			cs := m.calls(ep.method, ep.path)
			require.Len(t, cs, 2)
			require.Equal(t, testToken, cs[0].Header.Get("Authorization"))
			require.Equal(t, testToken2, cs[1].Header.Get("Authorization"))
			require.Equal(t, cs[0].Body, cs[1].Body)
			require.Equal(t, 2, m.tokenCalls())
		})
	}
}

func TestTokenSecond401IsReturned(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, "/users/getToken", seq(tokenResponder(testToken, 0, 1800), tokenResponder(testToken2, 0, 1800)))
	m.on(http.MethodPost, againPath, reply(401, failure(-1, "Unauthorized")))
	_, err := m.client().Again(bg, &iamport.AgainRequest{CustomerUID: "cust-1", MerchantUID: "order-1", Amount: 100})
	require.ErrorIs(t, err, iamport.ErrUnauthorized)
	var ae *iamport.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, 401, ae.StatusCode)
	require.Equal(t, 2, m.count(http.MethodPost, againPath), "replayed once, no loop")
	require.Equal(t, 2, m.tokenCalls())
	require.Equal(t, 1, m.count(http.MethodGet, findAllPrefix+"order-1"), "only the look before: a 401 is not an unknown outcome")
	requireNoSecrets(t, err.Error(), "error")
}

// Only the server's own clock decides how long a token lives.
func TestTokenSkewedClock(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		server time.Duration // server clock minus real time
		local  time.Duration // local clock minus real time
	}{
		{"server years behind", -3 * 365 * 24 * time.Hour, 0},
		{"local years ahead", 0, 5 * 365 * 24 * time.Hour},
		{"local years behind", 0, -20 * 365 * 24 * time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(http.MethodPost, "/users/getToken", tokenResponder(testToken, tt.server, 1800))
			m.on(http.MethodGet, "/payments/imp_1", ok(payment("order-1")))
			clk := &clock{}
			clk.advance(tt.local)
			c := m.client(iamport.WithClock(clk.now))
			for i := 0; i < 3; i++ {
				_, err := c.GetPayment(bg, "imp_1")
				require.NoError(t, err)
			}
			require.Equal(t, 1, m.tokenCalls())
			clk.advance(29 * time.Minute)
			_, err := c.GetPayment(bg, "imp_1")
			require.NoError(t, err)
			require.Equal(t, 2, m.tokenCalls(), "refreshed by the server's 30 minutes, not the local date")
		})
	}
}

func TestTokenRefreshMargin(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, "/users/getToken", seq(tokenResponder(testToken, -2*365*24*time.Hour, 1800),
		tokenResponder(testToken2, -2*365*24*time.Hour, 1800)))
	m.on(http.MethodGet, "/payments/imp_1", ok(payment("order-1")))
	clk := &clock{}
	c := m.client(iamport.WithClock(clk.now))

	_, err := c.GetPayment(bg, "imp_1")
	require.NoError(t, err)
	clk.advance(1800*time.Second - 62*time.Second) // 62 s left
	_, err = c.GetPayment(bg, "imp_1")
	require.NoError(t, err)
	require.Equal(t, 1, m.tokenCalls())

	clk.advance(4 * time.Second) // 58 s left
	_, err = c.GetPayment(bg, "imp_1")
	require.NoError(t, err)
	require.Equal(t, 2, m.tokenCalls())
	cs := m.calls(http.MethodGet, "/payments/imp_1")
	require.Equal(t, testToken2, cs[len(cs)-1].Header.Get("Authorization"))
}

func TestTokenWrongCredentials(t *testing.T) {
	t.Parallel()
	m := newMock(t)
	m.on(http.MethodPost, "/users/getToken", reply(401, failure(-1, "Unauthorized")))
	c := m.client()
	for _, ep := range endpoints() {
		err := ep.call(bg, c)
		require.ErrorIs(t, err, iamport.ErrUnauthorized, ep.name)
		var ae *iamport.APIError
		require.ErrorAs(t, err, &ae)
		require.Equal(t, "/users/getToken", ae.Path)
		requireNoSecrets(t, err.Error(), ep.name+" error")
	}
	require.Equal(t, len(endpoints()), m.tokenCalls(), "a failed token is not cached")
	require.Equal(t, m.tokenCalls(), m.total(), "no API call without a token")
}

func TestTokenBadAnswers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		body    string
		invalid bool
		code    int
	}{
		{"missing parameters", failure(-1, "imp_key, imp_secret 파라메터가 누락되었습니다."), false, -1},
		{"no access_token", envelope(map[string]any{"now": 1, "expired_at": 1801}), true, 0},
		{"null response", `{"code":0,"response":null}`, true, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(http.MethodPost, "/users/getToken", reply(200, tt.body))
			_, err := m.client().GetPayment(bg, "imp_1")
			var ae *iamport.APIError
			require.ErrorAs(t, err, &ae)
			require.Equal(t, tt.code, ae.Code)
			require.Equal(t, "/users/getToken", ae.Path)
			require.Equal(t, tt.invalid, errors.Is(err, iamport.ErrInvalidResponse))
			require.Equal(t, 1, m.total())
		})
	}
}

// A token answer without now or expired_at still yields a usable token with a
// sane lifetime, and does not move the server-clock estimate to 1970 (which
// would make every schedule look like it is in the past).
func TestTokenAnswerWithoutTimestamps(t *testing.T) {
	t.Parallel()
	for name, resp := range map[string]map[string]any{
		"no now":        {"access_token": "tok-a", "expired_at": time.Now().Add(30 * time.Minute).Unix()},
		"no expired_at": {"access_token": "tok-b", "now": time.Now().Unix()},
		"neither":       {"access_token": "tok-c"},
	} {
		resp := resp
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := newMock(t)
			m.on(http.MethodPost, "/users/getToken", ok(resp))
			m.on(http.MethodGet, "/payments/imp_1", ok(payment("order-1")))
			at := time.Now().Add(time.Hour)
			m.on(http.MethodPost, "/subscribe/payments/schedule", ok([]any{schedule("cust-1", "order-s", at.Unix(), "amount", 1000)}))
			c := m.client()
			for i := 0; i < 3; i++ {
				_, err := c.GetPayment(bg, "imp_1")
				require.NoError(t, err)
			}
			require.Equal(t, 1, m.tokenCalls(), "the token is cached")
			_, err := c.Schedule(bg, &iamport.ScheduleRequest{CustomerUID: "cust-1", Schedules: []iamport.ScheduleEntry{
				{MerchantUID: "order-s", ScheduleAt: at, Amount: 1000},
			}})
			require.NoError(t, err, "a schedule an hour ahead is still in the future")
		})
	}
}
