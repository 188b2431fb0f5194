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
	w := &workers{limit: s.limit, work: make(chan *Poller, s.limit), back: make(chan polled, s.limit)}
	w.deadline, _ = ctx.Deadline()
	defer w.close()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for s.pending > 0 && ctx.Err() == nil {
		now := time.Now()
		s.dispatch(ctx, now, w)
		var wake <-chan time.Time
		if at, ok := s.wakeAt(w); ok {
			timer.Reset(at.Sub(now))
			wake = timer.C
		}
		select {
		case r := <-w.back:
			w.inFlight--
			s.requeue(r)
		case <-wake:
		case <-ctx.Done():
		}
	}
	for ; w.inFlight > 0; w.inFlight-- {
		s.requeue(<-w.back)
	}
	// Latest due first: a held Poller's due is its reservation's time, and
	// x/time/rate gives a token back only when no later reservation
	// follows it, so the latest reservation must be cancelled first.
	slices.SortFunc(s.queue, func(a, b queued) int { return b.due.Compare(a.due) })
	for _, q := range s.queue {
		q.p.stop(ctx) // a no-op for the waits that are done
	}
}

// workers is the scheduler's pool: started as needed, at most limit, kept
// until run returns.
type workers struct {
	limit, started, inFlight int
	deadline                 time.Time // ctx's, which the schedule also honours
	work                     chan *Poller
	back                     chan polled
	wg                       sync.WaitGroup
}

func (w *workers) close() {
	close(w.work)
	w.wg.Wait()
}

// dispatch hands every Poller due at now to a worker, while one is free.
// A Poller past its deadline needs none: its poll sends nothing and ends
// it, here, even when every worker is busy.
func (s *scheduler) dispatch(ctx context.Context, now time.Time, w *workers) {
	for len(s.queue) > 0 && !s.queue[0].due.After(now) {
		p := s.queue[0].p
		if w.inFlight >= w.limit {
			if now.Before(p.Deadline()) {
				return
			}
			heap.Pop(&s.queue)
			u, _ := p.poll(ctx, w.deadline)
			s.requeue(polled{p, u.Next})
			continue
		}
		heap.Pop(&s.queue)
		if w.started == w.inFlight {
			w.started++
			w.wg.Go(func() { pollEach(ctx, w.deadline, w.work, w.back) })
		}
		w.inFlight++
		w.work <- p
	}
}

// wakeAt is when the scheduler next has something to do without a poll
// coming back: the first due poll, or, with every worker busy, the first
// deadline, since a wait past it is ended without a worker.
func (s *scheduler) wakeAt(w *workers) (time.Time, bool) {
	if len(s.queue) == 0 {
		return time.Time{}, false
	}
	at := s.queue[0].due
	if w.inFlight >= w.limit && at.Before(s.queue[0].p.Deadline()) {
		at = s.queue[0].p.Deadline()
	}
	return at, true
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
