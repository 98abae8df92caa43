package iamport

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The per-payment cancel memory stays bounded: past memoryKeep
// payments, those untouched for memoryAge are forgotten, except a
// payment with a cancel whose outcome is unknown and one being cancelled
// now; recent ones are all kept.
func TestCancelMemoryForgetsOldPayments(t *testing.T) {
	now := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &cancelLocks{now: func() time.Time { return now }}
	seen := func(id string) { l.saw(&Payment{ImpUID: id, Amount: 1000, CancelAmount: 100}) }

	for i := range memoryKeep - 10 {
		seen(fmt.Sprintf("imp_old_%d", i))
	}
	l.lost("imp_unsettled", cancelTry{checksum: 1000, refund: 100})
	l.held = map[string]chan struct{}{"imp_old_0": make(chan struct{})} // a cancel of it is running
	require.Len(t, l.seen, memoryKeep-9)

	now = now.Add(memoryAge - time.Minute)
	for i := range 5 {
		seen(fmt.Sprintf("imp_recent_%d", i))
	}
	require.Len(t, l.seen, memoryKeep-4, "nothing is old enough yet, and the memory is under its size")

	now = now.Add(2 * time.Minute) // the first ones are an hour old now
	for i := 5; i < 10; i++ {
		seen(fmt.Sprintf("imp_recent_%d", i))
	}
	// The update that reached memoryKeep dropped every old state but
	// the held and the unsettled one.
	require.Contains(t, l.seen, "imp_old_0")
	require.Contains(t, l.seen, "imp_unsettled")
	require.NotContains(t, l.seen, "imp_old_1")
	for i := range 10 {
		require.Contains(t, l.seen, fmt.Sprintf("imp_recent_%d", i))
	}
	require.Len(t, l.seen, 2+10)
	require.Equal(t, 1, len(l.seenState("imp_unsettled").unsettled))

	// Forgotten, a payment reads as new: a later cancel of it starts from a
	// lookup, as another process would.
	require.Equal(t, cancelSeen{}, l.seenState("imp_old_1"))

	// The next pass waits for the memory to reach its size again.
	for i := range 100 {
		seen(fmt.Sprintf("imp_more_%d", i))
	}
	require.Len(t, l.seen, 2+10+100)
}

// A payment the Client keeps touching is never forgotten, however many
// others come and go.
func TestCancelMemoryKeepsWhatIsInUse(t *testing.T) {
	now := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &cancelLocks{now: func() time.Time { return now }}
	for round := range 4 {
		for i := range memoryKeep {
			l.saw(&Payment{ImpUID: fmt.Sprintf("imp_%d_%d", round, i), Amount: 1000, CancelAmount: 1})
		}
		l.saw(&Payment{ImpUID: "imp_busy", Amount: 1000, CancelAmount: Amount(100 * (round + 1)),
			CancelHistory: make([]Cancel, round+1)})
		now = now.Add(memoryAge)
	}
	s := l.seenState("imp_busy")
	require.Equal(t, 4, s.count)
	require.Equal(t, int64(40000), s.cancelled)
	require.Less(t, len(l.seen), 3*memoryKeep, "the memory grows without bound")
}
