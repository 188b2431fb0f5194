package taurusjob

import (
	"context"
	"errors"
	"strings"
	"sync"
)

// Waiter waits for jobs through a [JobGetter]. It is safe for concurrent
// use: many goroutines may call Wait at once, and their waits share one
// 429 cool-down ([DefaultThrottleCooldown]) and any rate limit
// ([WithRateLimit]).
type Waiter struct {
	getter JobGetter
	cfg    config
	quota  *quota // the rate limit and 429 cool-down its waits share (cooldown.go)
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
		cfg.history = NewHistory()
	}
	w := &Waiter{getter: g, cfg: cfg}
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
func (w *Waiter) Wait(ctx context.Context, jobID string) (*Job, error) {
	if err := ValidateJobID(jobID); err != nil {
		return nil, err
	}
	return w.newWait(jobID).run(ctx)
}

// WaitAll waits for every job, at most [WithConcurrency] at once, and
// returns one [Result] per id, in order. An argument may hold several ids
// joined by commas, as read-replica creation returns them; an id given twice
// is waited for once. Every job's own result is kept: one failing does not
// stop the others.
func (w *Waiter) WaitAll(ctx context.Context, jobIDs ...string) []Result {
	ids := SplitJobIDs(jobIDs...)
	results := make([]Result, len(ids))
	first := make(map[string]int, len(ids)) // id -> index of its first place
	var todo []int
	for i, id := range ids {
		results[i].JobID = id
		if _, dup := first[id]; !dup {
			first[id] = i
			todo = append(todo, i)
		}
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(w.cfg.concurrency, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				job, err := w.Wait(ctx, ids[i])
				if job == nil {
					job = LastJob(err)
				}
				results[i].Job, results[i].Err = job, err
			}
		}()
	}
	for _, i := range todo {
		work <- i
	}
	close(work)
	wg.Wait()
	for i := range results {
		if j := first[ids[i]]; j != i {
			results[i].Job, results[i].Err = results[j].Job, results[j].Err
		}
	}
	return results
}

// SplitJobIDs splits comma-joined ids and trims spaces around each. Empty
// pieces are kept, so that a malformed list gives an error for its place.
func SplitJobIDs(args ...string) []string {
	var ids []string
	for _, a := range args {
		for _, id := range strings.Split(a, ",") {
			ids = append(ids, strings.TrimSpace(id))
		}
	}
	return ids
}
