package iamporttest

import (
	"container/heap"

	"github.com/iamport-go/iamport"
)

// dueEntry is a pending schedule as queued at schedule_at at. An entry goes
// stale when its schedule runs, is revoked or moves; stale entries are
// dropped when they reach the front.
type dueEntry struct {
	at, seq int64
	sc      *schedule
}

// dueQueue is a min-heap of pending schedules by (schedule_at, seq): the
// order runDue runs them in, found without scanning every schedule, so that
// moving the clock over 100,000 schedules stays linear.
type dueQueue []dueEntry

func (q dueQueue) Len() int { return len(q) }
func (q dueQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q dueQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *dueQueue) Push(x any)   { *q = append(*q, x.(dueEntry)) }
func (q *dueQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = dueEntry{}
	*q = old[:len(old)-1]
	return e
}

// queueDue queues sc, pending at its schedule_at. Call with mu held whenever
// a schedule becomes pending or moves.
func (c *core) queueDue(sc *schedule) {
	heap.Push(&c.due, dueEntry{at: sc.ScheduleAt.Unix(), seq: sc.seq, sc: sc})
}

// nextDue returns the earliest pending schedule, or nil, dropping stale
// entries on the way. Call with mu held.
func (c *core) nextDue() *schedule {
	for c.due.Len() > 0 {
		e := c.due[0]
		if e.sc.ScheduleStatus == iamport.ScheduleStatusScheduled && e.sc.ScheduleAt.Unix() == e.at {
			return e.sc
		}
		heap.Pop(&c.due)
	}
	return nil
}
