// Package wire holds the helpers of the HTTP exchange that both the SDK and
// the fake server in iamporttest need: lenient reading of numbers and
// waiting that ends with a context or a shutdown.
package wire

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseFinite reads s, a number's text with optional surrounding spaces,
// as a finite float64; ok is false for anything else, NaN and infinities
// included.
func ParseFinite(s string) (f float64, ok bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// ErrStopped is what Sleep returns when stop closed before d passed.
var ErrStopped = errors.New("stopped")

// Sleep waits d, or until ctx ends (returning ctx.Err()) or stop closes
// (returning ErrStopped); a nil stop never closes. It returns nil once d has
// passed.
func Sleep(ctx context.Context, d time.Duration, stop <-chan struct{}) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-stop:
		return ErrStopped
	}
}
