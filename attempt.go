package iamport

import (
	"context"
	"sync"
	"time"
)

// attemptSlack is how much longer than c.timeout an attempt that shares a
// deadline may run: attempts that start within attemptSlack of each other
// share one deadline (see deadlines).
const attemptSlack = 2 * time.Millisecond

// attempt is the context of one HTTP attempt and what ending it takes.
type attempt struct {
	ctx    context.Context
	cancel context.CancelFunc // nil when there is nothing to cancel
	shared *sharedDeadline    // nil unless the deadline is shared
}

// startAttempt bounds one HTTP attempt by c.timeout:
//   - when the deadline of ctx comes first, ctx already bounds it, and no
//     context is made;
//   - when ctx is never cancelled (no Done channel, as context.Background),
//     the attempt shares one deadline, c.timeout to c.timeout+attemptSlack
//     away, with the attempts that start at about the same time, and keeps
//     the values of ctx;
//   - otherwise it gets a context of its own, as context.WithTimeout makes.
//
// endAttempt must be called once the response body has been read.
func (c *Client) startAttempt(ctx context.Context) attempt {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= c.timeout {
		return attempt{ctx: ctx}
	}
	if ctx.Done() == nil {
		d := c.deadlines.acquire(time.Now(), c.timeout)
		return attempt{ctx: &sharedDeadlineCtx{Context: ctx, shared: d.ctx}, shared: d}
	}
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	return attempt{ctx: actx, cancel: cancel}
}

func (c *Client) endAttempt(a attempt) {
	if a.cancel != nil {
		a.cancel()
	}
	if a.shared != nil {
		c.deadlines.release(a.shared)
	}
}

// deadlines hands out shared deadlines: a context.WithDeadline, its timer
// and its Done channel serve every attempt that starts within attemptSlack
// of the first, instead of one each. A deadline no attempt uses any more is
// cancelled as soon as a newer one has replaced it, so no more are alive
// than attempts are in flight.
type deadlines struct {
	mu  sync.Mutex
	cur *sharedDeadline
}

// sharedDeadline is one deadline and the number of attempts using it.
type sharedDeadline struct {
	ctx    context.Context
	cancel context.CancelFunc
	at     time.Time
	users  int // guarded by deadlines.mu
}

// acquire returns a deadline between timeout and timeout+attemptSlack after
// now, to be released once the attempt is over.
func (d *deadlines) acquire(now time.Time, timeout time.Duration) *sharedDeadline {
	earliest := now.Add(timeout)
	d.mu.Lock()
	s := d.cur
	if s == nil || s.at.Before(earliest) {
		if s != nil && s.users == 0 {
			s.cancel()
		}
		at := earliest.Add(attemptSlack)
		ctx, cancel := context.WithDeadline(context.Background(), at)
		s = &sharedDeadline{ctx: ctx, cancel: cancel, at: at}
		d.cur = s
	}
	s.users++
	d.mu.Unlock()
	return s
}

func (d *deadlines) release(s *sharedDeadline) {
	d.mu.Lock()
	s.users--
	if s.users == 0 && s != d.cur {
		s.cancel()
	}
	d.mu.Unlock()
}

// sharedDeadlineCtx is the context of an attempt whose caller's context is
// never cancelled: the values of that context, the deadline and
// cancellation of a shared one.
type sharedDeadlineCtx struct {
	context.Context                 // the caller's
	shared          context.Context // from deadlines
}

func (c *sharedDeadlineCtx) Deadline() (time.Time, bool) { return c.shared.Deadline() }
func (c *sharedDeadlineCtx) Done() <-chan struct{}       { return c.shared.Done() }
func (c *sharedDeadlineCtx) Err() error                  { return c.shared.Err() }

// Value looks key up in the caller's context, then in the shared one. The
// context package finds the cancellable parent of a context derived from
// this one (net/http derives one per request) through Value; found, the
// child is registered with it rather than watched by a goroutine of its own.
func (c *sharedDeadlineCtx) Value(key any) any {
	if v := c.Context.Value(key); v != nil {
		return v
	}
	return c.shared.Value(key)
}
