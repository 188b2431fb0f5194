package taurusjob

import (
	"container/heap"
	"context"
	"slices"
	"sync"
	"time"
)

// scheduler drives many Pollers: a heap orders them by their next poll
// time, and a fixed pool of workers (at most limit, started as needed and
// kept for the scheduler's whole life) makes the polls. A waiting Poller
// costs its heap entry and nothing else: no goroutine, no timer; a poll
// starts no goroutine, so a worker's stack, once grown, serves every poll.
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
	due, done := p.st.Due, p.end != nil
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
	work := make(chan *Poller, s.limit)
	back := make(chan polled, s.limit)
	var workers sync.WaitGroup
	defer func() {
		close(work)
		workers.Wait()
	}()
	started, inFlight := 0, 0
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for s.pending > 0 && ctx.Err() == nil {
		now := time.Now()
		for len(s.queue) > 0 && !s.queue[0].due.After(now) {
			p := s.queue[0].p
			if inFlight >= s.limit {
				if now.Before(p.Deadline()) {
					break // no worker free; a wait past its deadline needs none:
				}
				heap.Pop(&s.queue)
				u, _ := p.poll(ctx, limit) // its poll sends nothing and ends it
				s.requeue(polled{p, u.Next})
				continue
			}
			heap.Pop(&s.queue)
			if started == inFlight {
				started++
				workers.Go(func() { pollEach(ctx, limit, work, back) })
			}
			inFlight++
			work <- p
		}
		var wake <-chan time.Time
		if len(s.queue) > 0 {
			at := s.queue[0].due
			if inFlight >= s.limit && at.Before(s.queue[0].p.Deadline()) {
				at = s.queue[0].p.Deadline() // then it is ended without a worker
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

// pollEach is a worker: it polls each Poller it is given and sends it back.
func pollEach(ctx context.Context, limit time.Time, work <-chan *Poller, back chan<- polled) {
	for p := range work {
		u, _ := p.poll(ctx, limit)
		back <- polled{p, u.Next}
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
