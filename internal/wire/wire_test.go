package wire

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseFinite(t *testing.T) {
	for _, tc := range []struct {
		in string
		f  float64
		ok bool
	}{
		{"1000", 1000, true},
		{" 10.5 ", 10.5, true},
		{"1e3", 1000, true},
		{"-2", -2, true},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"-Infinity", 0, false},
		{"1e400", 0, false},
		{"", 0, false},
		{"12a", 0, false},
	} {
		f, ok := ParseFinite(tc.in)
		require.Equal(t, tc.ok, ok, tc.in)
		require.Equal(t, tc.f, f, tc.in)
		require.False(t, math.IsNaN(f))
	}
}

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Sleep(ctx, time.Hour, nil)
	require.ErrorIs(t, err, context.Canceled)
}

func TestSleepEndsWithStop(t *testing.T) {
	stop := make(chan struct{})
	close(stop)
	err := Sleep(context.Background(), time.Hour, stop)
	require.True(t, errors.Is(err, ErrStopped))
}

func TestSleepPasses(t *testing.T) {
	require.NoError(t, Sleep(context.Background(), time.Nanosecond, make(chan struct{})))
}
