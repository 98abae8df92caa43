package iamport

import (
	"context"
	"time"
)

// WithClock replaces the Client's local clock. Test-only: the token cache,
// Retry-After dates and the server-clock estimate read it.
func WithClock(now func() time.Time) Option {
	return func(c *Client) error {
		c.now = now
		return nil
	}
}

// WithSleep replaces how the Client waits between retries and between
// reconciliation lookups. Test-only: it makes backoff instant and lets a test
// record the waits it asked for.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) error {
		c.sleep = sleep
		return nil
	}
}
