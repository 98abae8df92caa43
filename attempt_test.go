package iamport

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestStartAttemptUsesAnEarlierCallerDeadline(t *testing.T) {
	t.Parallel()
	c := &Client{timeout: time.Minute}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	a := c.startAttempt(ctx)
	require.Equal(t, ctx, a.ctx)
	require.Nil(t, a.cancel)
	require.Nil(t, a.shared)
	c.endAttempt(a)
	require.NoError(t, ctx.Err(), "ending the attempt cancelled the caller's context")
}

func TestStartAttemptOwnTimeoutUnderACancellableContext(t *testing.T) {
	t.Parallel()
	c := &Client{timeout: time.Minute}
	for _, later := range []bool{false, true} {
		parent, cancelParent := context.WithCancel(context.Background())
		ctx := parent
		if later { // a deadline later than the timeout does not bound the attempt
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(parent, time.Hour)
			defer cancel()
		}
		start := time.Now()
		a := c.startAttempt(ctx)
		require.Nil(t, a.shared)
		dl, ok := a.ctx.Deadline()
		require.True(t, ok)
		require.WithinRange(t, dl, start.Add(time.Minute), time.Now().Add(time.Minute))
		cancelParent()
		<-a.ctx.Done() // the caller's cancellation reaches the attempt
		c.endAttempt(a)
	}
}

// TestStartAttemptSharedDeadline checks an attempt under a context that is
// never cancelled: it keeps the caller's values, gets a deadline no more
// than attemptSlack late, and contexts derived from it (as net/http's)
// end with it.
func TestStartAttemptSharedDeadline(t *testing.T) {
	t.Parallel()
	type key struct{}
	c := &Client{timeout: time.Hour}
	ctx := context.WithValue(context.Background(), key{}, "v")
	start := time.Now()
	a := c.startAttempt(ctx)
	end := time.Now()
	require.NotNil(t, a.shared)
	require.Equal(t, "v", a.ctx.Value(key{}))
	dl, ok := a.ctx.Deadline()
	require.True(t, ok)
	require.WithinRange(t, dl, start.Add(time.Hour), end.Add(time.Hour+attemptSlack))
	require.NoError(t, a.ctx.Err())

	child, cancelChild := context.WithCancel(a.ctx)
	defer cancelChild()
	a.shared.cancel() // what the deadline does when it passes
	<-child.Done()
	require.ErrorIs(t, a.ctx.Err(), context.Canceled)
	require.ErrorIs(t, child.Err(), context.Canceled)
	c.endAttempt(a)
}

// TestDeadlinesShareAndRetire checks that attempts starting within
// attemptSlack of each other share a deadline, and that a deadline is
// cancelled (its timer stopped) once it is replaced and no attempt uses it,
// never before.
func TestDeadlinesShareAndRetire(t *testing.T) {
	t.Parallel()
	var d deadlines
	t0 := time.Now()
	a := d.acquire(t0, time.Hour)
	b := d.acquire(t0.Add(attemptSlack/2), time.Hour)
	require.Same(t, a, b, "attempts within attemptSlack did not share a deadline")
	dl, _ := a.ctx.Deadline()
	require.Equal(t, t0.Add(time.Hour+attemptSlack), dl)

	c := d.acquire(t0.Add(attemptSlack+time.Millisecond), time.Hour)
	require.NotSame(t, a, c, "a deadline more than attemptSlack late was shared")
	d.release(a)
	require.NoError(t, a.ctx.Err(), "a deadline still in use was cancelled")
	d.release(b)
	require.ErrorIs(t, a.ctx.Err(), context.Canceled, "a replaced deadline no one uses was kept")

	d.release(c)
	require.NoError(t, c.ctx.Err(), "the current deadline was cancelled")
	e := d.acquire(t0.Add(time.Second), time.Hour)
	require.ErrorIs(t, c.ctx.Err(), context.Canceled, "the replaced idle deadline was kept")
	d.release(e)
}

// TestSharedDeadlineEndsTheAttempt sends calls under context.Background
// to a server that never answers: the shared deadline ends each attempt
// with context.DeadlineExceeded, and the next call gets a fresh one.
func TestSharedDeadlineEndsTheAttempt(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/users/getToken" {
			_, _ = w.Write([]byte(`{"code":0,"response":{"access_token":"t","now":0,"expired_at":0}}`))
			return
		}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	c, err := New("key", "secret", WithBaseURL(srv.URL), WithTimeout(100*time.Millisecond), WithMaxRetries(0))
	require.NoError(t, err)
	for range 2 {
		_, err = c.GetPayment(context.Background(), "imp_1")
		require.ErrorIs(t, err, context.DeadlineExceeded)
	}
}
