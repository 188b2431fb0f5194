package taurusjob

import (
	"context"
	"errors"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/jobid"
)

// Waiter waits for jobs through a [JobGetter]. It is safe for concurrent
// use: many goroutines may call Wait at once, and their waits share one
// 429 cool-down and any rate limit ([WithLimiter]).
type Waiter struct {
	getter    JobGetter
	instances InstanceGetter // getter, when it reads instances too; else nil
	cfg       config
	quota     *quota // the rate limit and 429 cool-down its waits share (quota.go)
}

// NewWaiter returns a Waiter that polls g. Options are checked here: a bad
// one gives an error matching [ErrInvalidInput], never a panic.
func NewWaiter(g JobGetter, opts ...Option) (*Waiter, error) {
	if g == nil {
		return nil, invalid("job getter", "is nil")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	if len(cfg.errs) > 0 {
		return nil, errors.Join(cfg.errs...)
	}
	if cfg.history == nil {
		cfg.history = new(History)
	}
	w := &Waiter{getter: g, cfg: cfg}
	w.instances, _ = g.(InstanceGetter)
	if cfg.ready && w.instances == nil {
		return nil, invalid("option", "WithReady: the getter (%T) has no GetInstance to read the job's instance with", g)
	}
	w.quota = newQuota(&w.cfg)
	return w, nil
}

// Wait polls the job until it ends, and returns:
//   - (job, nil) when it Completed (or is Pending, with [WithReturnOnPending]);
//   - (job, [*JobFailedError]) when it Failed or was Canceled;
//   - (nil, [*NotVisibleError]) when it stayed invisible past the grace window;
//   - (last job, [*WaitError]) on an error retrying cannot fix: 400, 401,
//     403, invalid input; errors.As finds the [*APIError] inside;
//   - (last job, [*TimeoutError]) when the deadline ([WithTimeout] or ctx's)
//     passed, matching [context.DeadlineExceeded], or ctx was canceled,
//     matching [context.Canceled].
//
// Transient errors (5xx, 429, network, malformed answers) are retried until
// the deadline and kept in the final error. [LastJob] returns the last job
// seen from any of these errors. No goroutine started by Wait outlives it.
//
// Wait is a loop over a [Poller]: [Waiter.NewPoller], then [Poller.Poll]
// and a sleep of [Update.Next] until the wait is over.
func (w *Waiter) Wait(ctx context.Context, jobID string) (*Job, error) {
	p, err := w.NewPoller(jobID)
	if err != nil {
		return nil, err
	}
	return drive(ctx, p)
}

// drive polls p and sleeps until it is done or ctx ends, and returns its
// result. ctx's deadline, when earlier than the Poller's, also counts.
func drive(ctx context.Context, p *Poller) (*Job, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	limit, _ := ctx.Deadline()
	// The Poller's own deadline bounds every request: set once for the
	// whole wait, rather than by each Poll.
	ctx, cancel := context.WithDeadline(ctx, p.Deadline())
	defer cancel()
	for {
		u, err := p.poll(ctx, limit)
		if p.Done() {
			return p.Result()
		}
		if err != nil || !sleep(ctx, u.Next) {
			return p.stop(ctx)
		}
	}
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return ctx.Err() == nil
	case <-ctx.Done():
		return false
	}
}

// WaitAll waits for every job and returns one [Result] per id, in order.
// An argument may hold several ids joined by commas, as read-replica
// creation returns them; an id given twice is waited for once, and a
// malformed id gets its error in its place. Every job is waited for from
// the start, with the deadline of [WithTimeout] counted from the call; the
// requests in flight are bounded by [WithConcurrency]. One job failing
// does not stop the others; a cancel of ctx ends every wait with its state.
func (w *Waiter) WaitAll(ctx context.Context, jobIDs ...string) []Result {
	ids := jobid.Split(jobIDs...)
	pollers := make([]*Poller, len(ids))
	errs := make([]error, len(ids))
	first := make(map[string]int, len(ids)) // an id's first place
	for i, id := range ids {
		if j, ok := first[id]; ok {
			pollers[i], errs[i] = pollers[j], errs[j] // a malformed id keeps its error
			continue
		}
		pollers[i], errs[i] = w.NewPoller(id)
		first[id] = i
	}
	results := w.WaitPollers(ctx, pollers...)
	for i := range results {
		results[i].JobID = ids[i]
		if errs[i] != nil {
			results[i].Err = errs[i]
		}
	}
	return results
}

// WaitPollers drives the given Pollers, new or resumed ([Waiter.ResumePoller]),
// until each is done, on one scheduler: a heap of next-poll times and at
// most [WithConcurrency] requests in flight, no goroutine per waiting job.
// It returns one [Result] per Poller, in order; a Poller given twice is
// driven once, and a nil one gets an error in its place. ctx's deadline,
// when earlier than a Poller's, also counts; a cancel ends every wait with
// its state.
func (w *Waiter) WaitPollers(ctx context.Context, pollers ...*Poller) []Result {
	if ctx == nil {
		ctx = context.Background()
	}
	results := make([]Result, len(pollers))
	s := newScheduler(w.cfg.concurrency, len(pollers))
	seen := make(map[*Poller]bool, len(pollers))
	for i, p := range pollers {
		switch {
		case p == nil || p.w == nil:
			results[i].Err = invalid("poller", "is nil or was not made by NewPoller or ResumePoller")
		case !seen[p]:
			seen[p] = true
			results[i].JobID = p.jobID
			s.add(p)
		}
	}
	s.run(ctx)
	for i, p := range pollers {
		if p != nil && p.w != nil {
			job, err := p.Result()
			if job == nil {
				job = LastJob(err)
			}
			results[i] = Result{JobID: p.jobID, Job: job, Instance: p.Instance(), Err: err}
		}
	}
	return results
}

// Result is one job's outcome in [Waiter.WaitAll].
type Result struct {
	JobID string
	Job   *Job  // the last job seen (also on error); nil if never seen
	Err   error // what Wait returned for this job
	// Instance is the job's instance as last read, with [WithReady]; nil
	// before the wait reached it.
	Instance *InstanceInfo
}
