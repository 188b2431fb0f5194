package taurusjob

import (
	"container/heap"
	"context"
	"slices"
	"time"
)

// scheduler drives many Pollers from one goroutine: a heap orders them by
// their next poll time, and at most limit polls run at once, each on a
// short-lived goroutine. A waiting Poller costs its heap entry and nothing
// else: no goroutine, no timer.
type scheduler struct {
	limit   int
	queue   pollQueue
	pending int // pollers not done
}

// polled is a finished Poll, sent back to the scheduler.
type polled struct {
	p    *Poller
	next time.Duration
}

func newScheduler(limit, n int) *scheduler {
	return &scheduler{limit: max(limit, 1), queue: make(pollQueue, 0, n)}
}

// add schedules p's first poll at its due time.
func (s *scheduler) add(p *Poller) {
	p.mu.Lock()
	due := p.due
	done := p.end != nil
	p.mu.Unlock()
	if !done {
		s.queue = append(s.queue, queued{due: due, p: p})
		s.pending++
	}
}

// run polls every Poller until it is done, or until ctx ends: then it
// waits for the polls in flight and ends every other wait with ctx's error,
// as Wait does.
func (s *scheduler) run(ctx context.Context) {
	heap.Init(&s.queue)
	limit, _ := ctx.Deadline()
	back := make(chan polled, s.limit)
	inFlight := 0
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for s.pending > 0 && ctx.Err() == nil {
		now := time.Now()
		for len(s.queue) > 0 && !s.queue[0].due.After(now) {
			p := s.queue[0].p
			if inFlight >= s.limit && now.Before(p.Deadline()) {
				break // no slot; a wait past its deadline needs none: its poll sends nothing
			}
			heap.Pop(&s.queue)
			inFlight++
			go func() {
				u, _ := p.poll(ctx, limit)
				back <- polled{p, u.Next}
			}()
		}
		var wake <-chan time.Time
		if len(s.queue) > 0 {
			at := s.queue[0].due
			if inFlight >= s.limit && at.Before(s.queue[0].p.Deadline()) {
				at = s.queue[0].p.Deadline() // then it is ended without a slot
			}
			timer.Reset(at.Sub(now))
			wake = timer.C
		}
		select {
		case r := <-back:
			inFlight--
			s.requeue(r)
		case <-wake:
		case <-ctx.Done():
		}
	}
	for ; inFlight > 0; inFlight-- {
		s.requeue(<-back)
	}
	// Latest due first: a held Poller's due is its reservation's time, and
	// x/time/rate gives a token back only when no later reservation
	// follows it, so the latest reservation must be cancelled first.
	slices.SortFunc(s.queue, func(a, b queued) int { return b.due.Compare(a.due) })
	for _, q := range s.queue {
		q.p.stop(ctx) // a no-op for the waits that are done
	}
}

// requeue puts a polled Poller back in the queue, unless it is done.
func (s *scheduler) requeue(r polled) {
	if r.p.Done() {
		s.pending--
		return
	}
	heap.Push(&s.queue, queued{due: time.Now().Add(r.next), p: r.p})
}

// queued is a Poller waiting in the scheduler for its next poll.
type queued struct {
	due time.Time
	p   *Poller
}

// pollQueue is a min-heap of queued Pollers by due time.
type pollQueue []queued

func (q pollQueue) Len() int           { return len(q) }
func (q pollQueue) Less(i, j int) bool { return q[i].due.Before(q[j].due) }
func (q pollQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *pollQueue) Push(x any)        { *q = append(*q, x.(queued)) }
func (q *pollQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	old[len(old)-1] = queued{}
	*q = old[:len(old)-1]
	return x
}
