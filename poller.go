package taurusjob

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand" // the global source, which the simulation can seed to replay a wait exactly
	"reflect"
	"sync"
	"time"
)

// Poller is one wait as a step: each [Poller.Poll] makes at most one
// GetJob call, never sleeps, and says when to come back. [Waiter.Wait] is
// a loop of Poll and sleep; a Kubernetes controller or a workflow activity
// calls Poll itself, keeps [Poller.ResumeToken] in its own storage, and
// comes back after [Update.Next].
//
// The deadline ([WithTimeout]) and the visibility grace window
// ([WithVisibilityGrace]) count from [Waiter.NewPoller], and the polls of
// every Poller of one Waiter share its quota (the 429 cool-down and any
// rate limit). The Waiter's progress callback, state callback, logger and
// History see a Poller's polls exactly as they see those of Wait.
//
// A Poller is safe for concurrent use: its polls are serialised. Its
// callbacks must not call Poll on the same Poller.
type Poller struct {
	w     *Waiter
	jobID string

	// step is held for a whole Poll, callbacks included: polls are
	// serialised and one wait's callbacks never run concurrently. mu guards
	// the fields below and is released before the callbacks, which may read
	// the Poller. The order is always step, then mu.
	step sync.Mutex
	mu   sync.Mutex

	start    time.Time // when the wait started
	graceEnd time.Time // 404s past this, before the job was seen, end the wait
	deadline time.Time // the wait ends here
	due      time.Time // no poll before this

	polls   int
	errRun  int32 // failing answers in a row: the backoff's position
	last    *Job  // the last job seen, without the answer's buffer (see keep)
	lastErr error // the most recent poll error

	track      progressTrack // predicts the end from the percent
	histBroken bool          // the job outlived its name's history window

	share float32 // this poll's share of a cool-down's spread; -1 until drawn

	warned map[Status]bool // unusual statuses already warned about; nil until one is

	muted uint64 // guarded by step: the callbacks that panicked (see mutedProgress)

	end *ending // how the wait ended; nil while it goes on
}

// maxErrRun caps the count of failing answers in a row: far past the
// step where the backoff reaches its max, far below an overflow.
const maxErrRun = 1 << 20

// ending is what a finished wait returns, from every later call.
type ending struct {
	update Update
	job    *Job
	err    error
}

// Hold says why a call to [Poller.Poll] sent no request although the wait
// goes on.
type Hold uint8

const (
	// HoldNotDue: Poll was called before [Update.Next] had passed.
	HoldNotDue Hold = iota + 1
	// HoldCooldown: the Waiter's shared 429 cool-down holds every poll.
	HoldCooldown
	// HoldRateLimit: the Waiter's rate limit ([WithLimiter]) has no token
	// for this poll yet: one is reserved for it, unless it would come too
	// late for any poll before the deadline.
	HoldRateLimit
)

func (h Hold) String() string {
	switch h {
	case 0:
		return "not held"
	case HoldNotDue:
		return "not due"
	case HoldCooldown:
		return "429 cool-down"
	case HoldRateLimit:
		return "rate limit"
	}
	return fmt.Sprintf("Hold(%d)", uint8(h))
}

// ErrNotDone is returned by [Poller.Result] while the wait goes on.
var ErrNotDone = errors.New("taurusjob: the wait is not over: call Poll until Done")

// NewPoller starts a wait for jobID, without polling: the first
// [Poller.Poll] polls at once. The deadline and the grace window count from
// now. A malformed job id gives an error matching [ErrInvalidInput].
func (w *Waiter) NewPoller(jobID string) (*Poller, error) {
	if err := ValidateJobID(jobID); err != nil {
		return nil, err
	}
	p := w.newPoller(jobID)
	p.start = time.Now()
	p.graceEnd = p.start.Add(w.cfg.grace)
	p.deadline = p.start.Add(w.cfg.timeout)
	p.due = p.start
	return p, nil
}

func (w *Waiter) newPoller(jobID string) *Poller {
	return &Poller{w: w, jobID: jobID, share: -1}
}

// JobID returns the id of the job the Poller waits for.
func (p *Poller) JobID() string { return p.jobID }

// Deadline returns when the wait ends, unless it ends sooner.
func (p *Poller) Deadline() time.Time { p.mu.Lock(); defer p.mu.Unlock(); return p.deadline }

// Poll makes the next poll of the wait, if it is due and the Waiter's quota
// allows it, and returns what the wait knows now. It makes at most one
// GetJob call and never sleeps. [Update.Next] says when to call again;
// it is never zero while the wait goes on.
//
// Poll sends nothing, and returns an Update with Polled false and [Update.Held]
// saying why, when it is called before Next has passed or while the
// Waiter's 429 cool-down or rate limit holds the poll; Next is then the
// time left.
//
// The error is nil while the wait goes on, whatever this poll's answer
// (a retried error is in [Update.Err]). When the wait ends (a terminal
// status, an error retrying cannot fix, the grace window or the deadline
// over), [Poller.Done] becomes true and Poll returns the final update and
// the error [Waiter.Wait] would return, then and on every later call.
// When ctx ends during the call, Poll returns ctx's error and leaves the
// Poller as it was: that does not end the wait.
func (p *Poller) Poll(ctx context.Context) (Update, error) {
	return p.poll(ctx, time.Time{})
}

// poll is Poll with limit, an earlier deadline of the driver's (ctx's, for
// Wait and WaitAll) that the schedule also honours; zero for none.
func (p *Poller) poll(ctx context.Context, limit time.Time) (Update, error) {
	if p.w == nil {
		return Update{}, invalid("poller", "was not made by NewPoller or ResumePoller")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	p.step.Lock()
	defer p.step.Unlock()
	p.mu.Lock()
	if e := p.end; e != nil {
		p.mu.Unlock()
		u := e.update
		u.Polled = false // this call sent nothing
		return u, e.err
	}
	now := time.Now()
	if err := ctx.Err(); err != nil {
		u := p.heldUpdate(now, 0, p.retryIn(now))
		p.mu.Unlock()
		return u, err
	}
	if !now.Before(p.deadline) {
		return p.expire(ctx, now)
	}
	if now.Before(p.due) {
		u := p.heldUpdate(now, HoldNotDue, p.due.Sub(now))
		p.mu.Unlock()
		return u, nil
	}
	deadline := p.effectiveDeadline(limit)
	share := p.share
	hold, wait, err := p.admit(now, deadline)
	switch {
	case err != nil:
		return p.finish(ctx, Update{}, p.last, p.waitError(now, err))
	case hold != 0:
		return p.reportHold(ctx, now, hold, wait)
	}

	a := p.send(ctx)
	if a.cut { // by the caller: the Poller stays as it was
		p.share = share
		now = time.Now()
		u := p.heldUpdate(now, 0, p.retryIn(now))
		p.mu.Unlock()
		return u, ctx.Err()
	}
	p.polls++
	p.share = -1
	if a.expired {
		return p.finish(ctx, Update{Polled: true}, p.last, p.timeout(time.Now(), context.DeadlineExceeded))
	}
	return p.record(ctx, a.job, a.err, deadline)
}

// answer is what the one request of a poll brought.
type answer struct {
	job     *Job
	err     error
	cut     bool // the caller's ctx ended the request: not an answer
	expired bool // the Poller's deadline came during the request
}

// send makes a poll's one request, bounded by the Poller's deadline.
func (p *Poller) send(ctx context.Context) answer {
	reqCtx, cancel := ctx, context.CancelFunc(nil)
	if d, ok := ctx.Deadline(); !ok || d.After(p.deadline) { // Wait's ctx has it already
		reqCtx, cancel = context.WithDeadline(ctx, p.deadline)
	}
	a := answer{}
	a.job, a.err = p.get(reqCtx)
	// The deadline came during the request: by our ctx, or by the caller's
	// when it carries the same deadline (Wait's). Checked before cancel,
	// which sets reqCtx's error.
	a.expired = a.err != nil && reqCtx.Err() != nil && !time.Now().Before(p.deadline)
	if cancel != nil {
		cancel()
	}
	a.cut = a.err != nil && ctx.Err() != nil && !a.expired
	return a
}

// record takes one poll's answer: classify it, keep what it says, end the
// wait or pick the next delay, and report. p.mu is held; record releases it.
func (p *Poller) record(ctx context.Context, job *Job, err error, deadline time.Time) (Update, error) {
	now := time.Now()
	u := Update{Polled: true} // fill adds what the wait knows
	retryAfter := time.Duration(0)
	failing := true // this answer calls for the error backoff
	switch classify(job, err, p.last != nil) {
	case visible:
		failing = false
		p.errRun = 0
		p.see(now, job, &u)
		if result, ferr, done := p.settled(job); done {
			if job.Status.Succeeded() {
				p.learn(job) // how long it took, for the next job of its name
			}
			return p.finish(ctx, u, result, ferr)
		}
	case notVisibleYet:
		p.lastErr = err
		if !now.Before(p.graceEnd) {
			return p.finish(ctx, u, nil, &NotVisibleError{JobID: p.jobID, Polls: p.polls, Waited: p.waited(now), LastErr: err})
		}
	case transient:
		p.lastErr = err
		u.Err = err
		var ae *APIError
		if errors.As(err, &ae) {
			retryAfter = ae.RetryAfter
		}
		p.noteThrottle(now, err) // quota.go: a 429 holds every wait of the Waiter
	default:
		p.lastErr = err
		return p.finish(ctx, u, p.last, p.waitError(now, err))
	}

	if p.last != nil {
		p.noteOutlived(now)
	}
	o := p.observe(now, deadline, failing, retryAfter)
	if failing {
		p.errRun = min(p.errRun+1, maxErrRun)
	}
	u.EndEarliest, u.EndLatest = o.end.lo, o.end.hi // what the schedule itself trusts
	next, more := nextDelay(o)
	if !more && !now.Before(p.deadline) { // answered at the deadline: this poll ends the wait
		u.Err = nil
		return p.finish(ctx, u, p.last, p.timeout(now, context.DeadlineExceeded))
	}
	next = max(next, time.Nanosecond) // past a driver's limit: come back at once, and end there
	p.due = now.Add(next)
	u.Next = next
	return p.report(ctx, now, u)
}

// get makes one GetJob call. A panic in the getter, or an error that is a
// nil pointer (the typed-nil slip, var e *APIError; return nil, e, which
// would crash whoever reads it), becomes an error that ends the wait, never
// a crash of the caller.
func (p *Poller) get(ctx context.Context) (job *Job, err error) {
	defer func() {
		if r := recover(); r != nil {
			job, err = nil, fmt.Errorf("taurusjob: JobGetter.GetJob panicked: %v", r)
		}
	}()
	job, err = p.w.getter.GetJob(ctx, p.jobID)
	if v := reflect.ValueOf(err); err != nil && v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, fmt.Errorf("taurusjob: JobGetter.GetJob returned a nil %T as its error", err)
	}
	return job, err
}

// effectiveDeadline is the Poller's deadline, or the driver's limit when
// that comes first.
func (p *Poller) effectiveDeadline(limit time.Time) time.Time {
	if !limit.IsZero() && limit.Before(p.deadline) {
		return limit
	}
	return p.deadline
}

// retryIn is the Next of an update that sent nothing because ctx ended:
// the time left to the due poll, or the shortest interval when it is due.
func (p *Poller) retryIn(now time.Time) time.Duration {
	if d := p.due.Sub(now); d > 0 {
		return d
	}
	return p.w.cfg.minInterval
}

// waited is how long the wait has lasted at now; a wait past its deadline
// lasted until the deadline.
func (p *Poller) waited(now time.Time) time.Duration {
	if now.After(p.deadline) {
		now = p.deadline
	}
	return max(now.Sub(p.start), 0) // a resumed start may be up to maxClockSkew ahead
}

func (p *Poller) waitError(now time.Time, err error) *WaitError {
	return &WaitError{JobID: p.jobID, Last: p.last, Polls: p.polls, Waited: p.waited(now), Err: err}
}

// see records a visible job and fills what changed into u.
func (p *Poller) see(now time.Time, job *Job, u *Update) {
	prev := p.last
	p.last = p.keep(job)
	if job.Status == StatusRunning {
		p.track.observe(now, job.Progress)
	}
	u.FirstSeen = prev == nil
	u.StatusChanged = prev == nil || prev.Status != job.Status
	u.ProgressChanged = prev != nil && prev.Progress != job.Progress
	if u.StatusChanged {
		p.warnUnusual(job.Status)
	}
}

// keep returns the job as a Poller keeps it between polls, with nothing
// lost but as small as it can be: Raw copied out of the answer's buffer
// (which a waiting Poller would otherwise hold whole), Entities a part of
// that copy rather than a second copy of the same bytes, and the id the
// Poller's own string. A waiting job then costs about 1 KiB with
// real-shaped answers.
func (p *Poller) keep(job *Job) *Job {
	j := *job
	if j.ID == p.jobID {
		j.ID = p.jobID
	}
	j.Raw = append(json.RawMessage(nil), job.Raw...)
	if n := len(job.Entities); n > 0 {
		if i := bytes.Index(j.Raw, job.Entities); i >= 0 {
			j.Entities = j.Raw[i : i+n : i+n] // the same bytes: capped, so an append cannot reach Raw
		}
	}
	return &j
}

// settled says whether a visible job ends the wait, and with what.
func (p *Poller) settled(job *Job) (*Job, error, bool) {
	switch {
	case job.Status.Succeeded():
		return p.last, nil, true
	case job.Status.Terminal():
		return p.last, &JobFailedError{Job: p.last}, true
	case job.Status == StatusPending && p.w.cfg.returnOnPending:
		return p.last, nil, true
	}
	return nil, nil, false
}

// learn records how long a completed job took, for the next of its name.
func (p *Poller) learn(job *Job) {
	if job.Created.IsZero() {
		return
	}
	ended := job.Ended
	if ended.IsZero() {
		ended = time.Now()
	}
	p.w.cfg.history.Record(job.Name, ended.Sub(job.Created))
}

// observe gathers what the schedule needs after a poll: the sleep's jitter
// and, after a failing answer, the backoff's step at the current run of
// errors. It changes nothing; record counts the run.
func (p *Poller) observe(now, deadline time.Time, failing bool, retryAfter time.Duration) observation {
	cfg := &p.w.cfg
	o := observation{
		now:        now,
		deadline:   deadline,
		lead:       lastPollLead(deadline.Sub(p.start)),
		graceEnd:   p.graceEnd,
		seen:       p.last != nil,
		age:        now.Sub(p.jobStart(now)),
		retryAfter: retryAfter,
		jitter:     rand.Float64(),
		min:        cfg.minInterval,
		max:        cfg.maxInterval,
		blind:      clampDur(2*cfg.budget, cfg.minInterval, cfg.maxInterval),
	}
	if failing {
		o.backoff = backoffStep(cfg.minInterval, cfg.maxInterval, int(p.errRun))
	}
	if p.last != nil {
		o.status = p.last.Status
		o.end = p.endWindow(now)
	}
	return o
}

// jobStart is when the job began: its created time when that is sane,
// else when the wait started.
func (p *Poller) jobStart(now time.Time) time.Time {
	if p.last != nil {
		if c := p.last.Created; saneCreated(c, now) {
			if c.After(now) {
				return now
			}
			return c
		}
	}
	return p.start
}

// saneCreated reports whether a job's created time can be believed at now:
// not more than maxClockSkew ahead, not older than the API keeps jobs.
func saneCreated(c, now time.Time) bool {
	return !c.IsZero() && c.Before(now.Add(maxClockSkew)) && c.After(now.Add(-jobRetention))
}

// noteOutlived marks the predictions a Running job has outlived, so that
// they are not trusted again in this wait: its percent's line once the job
// runs past the line's latest end, and its name's history once it runs
// past the longest earlier job of that name (the history is read only
// when the percent predicts nothing).
func (p *Poller) noteOutlived(now time.Time) {
	if p.last.Status != StatusRunning {
		return
	}
	if w := p.track.window(); w.known() {
		if w.hi.IsZero() || !now.After(w.hi) {
			return // the percent's line still holds
		}
		p.track.broken = true
	}
	if w, ok := p.historyWindow(now); ok && now.After(w.hi) {
		p.histBroken = true
	}
}

// endWindow predicts where the job ends: from its percent when that grows
// like a line, else from how long earlier jobs of its name took; nothing
// once the job outlived them (see noteOutlived).
func (p *Poller) endWindow(now time.Time) window {
	if p.last.Status != StatusRunning {
		return window{}
	}
	if w := p.track.window(); w.known() {
		return w
	}
	if w, ok := p.historyWindow(now); ok && !now.After(w.hi) {
		return w
	}
	return window{}
}

// historyWindow is where the job ends if it takes as long as earlier jobs
// of its name did; false without such jobs, or once it outlived them.
func (p *Poller) historyWindow(now time.Time) (window, bool) {
	if p.histBroken {
		return window{}, false
	}
	lo, hi, ok := p.w.cfg.history.window(p.last.Name)
	if !ok {
		return window{}, false
	}
	start := p.jobStart(now)
	return window{lo: start.Add(lo), hi: start.Add(hi)}, true
}

// expire ends the wait at its deadline. p.mu is held; expire releases it.
func (p *Poller) expire(ctx context.Context, now time.Time) (Update, error) {
	return p.finish(ctx, Update{}, p.last, p.timeout(now, context.DeadlineExceeded))
}

func (p *Poller) timeout(now time.Time, cause error) *TimeoutError {
	return &TimeoutError{JobID: p.jobID, Last: p.last, LastErr: p.lastErr, Polls: p.polls,
		Waited: p.waited(now), Cause: cause}
}

// stop ends the wait because the driver's ctx ended (a cancel, or ctx's
// own deadline), with everything known so far; ctx's error is the cause. A wait already over keeps
// its ending.
func (p *Poller) stop(ctx context.Context) (*Job, error) {
	p.step.Lock()
	defer p.step.Unlock()
	p.mu.Lock()
	if p.end == nil {
		_, _ = p.finish(ctx, Update{}, p.last, p.timeout(time.Now(), ctx.Err()))
		p.mu.Lock()
	}
	e := p.end
	p.mu.Unlock()
	return e.job, e.err
}

// Done reports whether the wait is over: the job reached a terminal status
// (or Pending, with [WithReturnOnPending]), a poll failed in a way retrying
// cannot fix, the job stayed invisible past the grace window, or a poll was
// called at or after the deadline.
func (p *Poller) Done() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.end != nil
}

// Result returns what [Waiter.Wait] returns for this job, once [Poller.Done]
// is true; before that it returns (nil, [ErrNotDone]).
func (p *Poller) Result() (*Job, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.end == nil {
		return nil, ErrNotDone
	}
	return p.end.job, p.end.err
}

// ResumeToken returns the state of the wait as a token that
// [Waiter.ResumePoller] (or [Waiter.Resume]) continues from, in this
// process or another: its deadline and grace window, when the next poll is
// due, the polls made, the backoff's position, the job as last seen (name,
// status, percent, created time) and what the schedule learned. It works at
// any time, and never fails for a Poller made by this package; the error
// is for a Poller that was not (a zero Poller).
func (p *Poller) ResumeToken() (string, error) {
	if p.w == nil {
		return "", invalid("poller", "was not made by NewPoller or ResumePoller")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return encodeState(p.w.cfg.state.key, p.snapshot()), nil
}
