package taurusjob

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"time"
)

// waitState is everything one wait knows between its polls, in one plain
// value: the Poller holds it, [step] turns it into the next one, and the
// resume token is this value as JSON (statetoken.go). The unexported
// fields are what a token does not carry: the whole last job and the last
// error as the getter returned them; a token carries Seen and LastErr in
// their place, and a resumed wait rebuilds both from them.
//
// A waiting job costs this value and its last answer, so it is kept
// small (a Poller within 256 bytes): what only some waits use is behind a
// pointer, nil when unused (the percent's line, the instance phase, the
// trace context), and the counts and flags share one word.
type waitState struct {
	JobID    string    `json:"job"`
	Start    time.Time `json:"start"`     // when the wait started
	GraceEnd time.Time `json:"grace_end"` // "not visible yet" ends the wait from here on
	Deadline time.Time `json:"deadline"`  // the wait ends here
	Due      time.Time `json:"due"`       // no poll before this

	Polls      int32 `json:"polls,omitzero"`
	Errs       int16 `json:"errs,omitzero"` // failing answers in a row: the backoff's position
	HistBroken bool  `json:"hist_broken,omitzero"`
	Ready      bool  `json:"ready,omitzero"` // once the job completed, the wait goes on for its instance (ready.go)

	// Share is the due poll's share of a 429 cool-down's spread, drawn once
	// per poll (so a Poller rebuilt while held keeps its place); -1 until drawn.
	Share float64 `json:"share"`

	Seen    *seenJob       `json:"seen,omitzero"`  // in a token: the job as last seen; set by encodeState
	Track   *progressTrack `json:"track,omitzero"` // the percent's line (schedule.go); nil until a percent is read
	LastErr *savedErr      `json:"last_err,omitzero"`
	Inst    *instancePhase `json:"inst,omitzero"`  // the instance phase (ready.go); nil until the wait reads an instance
	Trace   *string        `json:"trace,omitzero"` // the trace context a hook recorded (trace.go); nil until one did

	last    *Job  // the last job seen, whole; nil until visible
	lastErr error // the most recent poll error
}

// key names the wait among its Waiter's: its job id, or its instance's
// for a wait on an instance alone.
func (st *waitState) key() string {
	if st.JobID != "" {
		return st.JobID
	}
	return "instance " + st.instanceID()
}

// instanceID is the instance the wait reads; "" before its instance phase.
func (st *waitState) instanceID() string {
	if st.Inst == nil {
		return ""
	}
	return st.Inst.ID
}

// lastInstance is the instance as last read; nil before it was found.
func (st *waitState) lastInstance() *InstanceInfo {
	if st.Inst == nil {
		return nil
	}
	return st.Inst.last
}

// Bounds of the server text a state keeps.
const (
	maxSavedName    = 256
	maxSavedStatus  = 64
	maxSavedErrText = 256
)

// maxErrRun caps the count of failing answers in a row: far past the step
// where the backoff reaches its max, within its int16.
const maxErrRun = 1<<15 - 1

// maxPolls caps the poll count within its int32; a token keeps at most
// maxSavedPolls.
const maxPolls = 1<<31 - 1

// newWaitState is the state of a wait for jobID that starts at now.
func newWaitState(jobID string, now time.Time, c *config) waitState {
	return waitState{JobID: jobID, Start: now, GraceEnd: now.Add(c.grace), Deadline: now.Add(c.timeout), Due: now, Share: -1, Ready: c.ready && jobID != ""}
}

// answer is what one poll brought, or why it brought nothing.
type answer struct {
	job  *Job
	inst *InstanceInfo // in the instance phase, instead of job
	err  error
	sent bool // a request was sent: the poll counts
	// cause ends the wait with a timeout: the deadline came (before or
	// during the request), or the driver's ctx ended.
	cause error
}

// stepIn is what a transition takes besides the state. It holds no clock
// and no source of randomness: the caller reads both.
type stepIn struct {
	now    time.Time
	limit  time.Time // the schedule's deadline: the wait's, or the driver's when earlier
	answer answer
	// jitter spreads the next sleep; it is drawn only when the wait goes
	// on, so that a simulation seeding the source replays a wait exactly.
	jitter func() float64
	hist   histWindow // how long earlier jobs of the answer's name took
	cfg    *config
}

// histWindow is the range of durations of earlier jobs of one name.
type histWindow struct {
	lo, hi time.Duration
	ok     bool
}

// outcome is what one transition decided.
type outcome struct {
	done   bool
	job    *Job  // when done: what Result returns
	err    error // when done: the final error; else this poll's retried error
	next   time.Duration
	window window // the predicted end the schedule trusts, for the update

	firstSeen, statusChanged, progressChanged bool

	unusual    bool          // the status became one to warn about
	learned    time.Duration // > 0: the job completed after this long, for its name's history
	jobName    string        // the name learned is for
	throttled  bool          // a 429: the Waiter's shared cool-down starts
	retryAfter time.Duration
	phased     bool // the job completed and the wait went on to its instance
}

// step is one transition of a wait: the state and what a poll brought
// give the next state and what happens next. It does no I/O, reads no
// clock and takes no lock.
func step(st waitState, in stepIn) (waitState, outcome) {
	a := in.answer
	if a.sent {
		st.Polls = min(st.Polls, maxPolls-1) + 1
		st.Share = -1
	}
	var o outcome
	if a.cause != nil {
		return st, o.ends(st.last, st.timeout(in.now, a.cause))
	}
	failing, done := st.take(in, &o)
	if done {
		return st, o
	}
	if o.phased { // the job completed: its instance is read at once
		o.next = time.Nanosecond
		st.Due = in.now.Add(o.next)
		return st, o
	}
	st.noteOutlived(in.now, in.hist)
	obs := st.observe(in, failing, o.retryAfter)
	if failing {
		st.Errs = min(st.Errs, maxErrRun-1) + 1
	}
	o.window = obs.end
	next, more := nextDelay(obs)
	if !more && !in.now.Before(st.Deadline) { // answered at the deadline: this poll ends the wait
		return st, o.ends(st.last, st.timeout(in.now, context.DeadlineExceeded))
	}
	o.next = max(next, time.Nanosecond) // past a driver's limit: come back at once, and end there
	st.Due = in.now.Add(o.next)
	return st, o
}

// take keeps what an answer says, by what it means (classify), and says
// whether it calls for the error backoff and whether it ends the wait.
func (st *waitState) take(in stepIn, o *outcome) (failing, done bool) {
	if st.Inst != nil {
		return st.takeInstance(in, o)
	}
	a := in.answer
	switch v := classify(a.job, a.err, st.last != nil); v {
	case visible:
		st.Errs = 0
		*o = st.see(in.now, a.job)
		job, err, done := st.settled(in.cfg.returnOnPending)
		if !done {
			return false, false
		}
		if job.Status.Succeeded() && !job.Created.IsZero() {
			o.learned, o.jobName = cmp.Or(job.Ended, in.now).Sub(job.Created), job.Name
		}
		if st.Ready && job.Status.Succeeded() {
			o.phased = st.toInstance(in.now, o, in.cfg)
			return !o.phased, !o.phased
		}
		o.ends(job, err)
		return false, true
	case notVisibleYet:
		st.setErr(a.err)
		if !in.now.Before(st.GraceEnd) {
			o.ends(nil, &NotVisibleError{JobID: st.JobID, Polls: int(st.Polls), Waited: st.waited(in.now), LastErr: a.err})
			return true, true
		}
		return true, false
	default:
		return true, st.fail(in, o, v)
	}
}

// fail keeps a failing answer's error and says whether it ends the wait:
// a transient one is retried (and a 429 starts the shared cool-down), any
// other ends it.
func (st *waitState) fail(in stepIn, o *outcome, v verdict) (done bool) {
	err := in.answer.err
	st.setErr(err)
	if v != transient {
		o.ends(st.last, st.waitError(in.now, err))
		return true
	}
	o.err = err
	var ae *APIError
	if errors.As(err, &ae) {
		o.retryAfter = ae.RetryAfter
		o.throttled = ae.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// line is the percent's line: a copy, zero when no percent was read.
func (st *waitState) line() progressTrack {
	if st.Track == nil {
		return progressTrack{}
	}
	return *st.Track
}

// ends makes o the outcome of a transition that ends the wait with (job, err).
func (o *outcome) ends(job *Job, err error) outcome {
	o.done, o.job, o.err = true, job, err
	return *o
}

// setErr keeps a poll's error, and its form for a token.
func (st *waitState) setErr(err error) {
	st.lastErr, st.LastErr = err, saveErr(err)
}

// see takes a visible job into the state and says what changed.
func (st *waitState) see(now time.Time, job *Job) outcome {
	prev := st.last
	if prev == nil && missing(st.lastErr) {
		st.setErr(nil) // "not there yet" was the past; a timeout must not report it
	}
	st.last = keep(prev, job)
	if job.Status == StatusRunning && (job.Progress >= 0 || st.Track != nil) {
		t := st.line() // a copy: step never changes the state it was given
		t.observe(now, job.Progress)
		st.Track = &t
	}
	o := outcome{firstSeen: prev == nil}
	o.statusChanged = prev == nil || prev.Status != job.Status
	o.progressChanged = prev != nil && prev.Progress != job.Progress
	o.unusual = o.statusChanged && (!job.Status.known() || job.Status == StatusUnauthorized)
	return o
}

// settled says whether the last job seen ends the wait, and with what.
func (st *waitState) settled(returnOnPending bool) (*Job, error, bool) {
	switch s := st.last.Status; {
	case s.Succeeded():
		return st.last, nil, true
	case s.Terminal():
		return st.last, &JobFailedError{Job: st.last}, true
	case s == StatusPending && returnOnPending:
		return st.last, nil, true
	}
	return nil, nil, false
}

// observe gathers what the schedule needs after a poll. After a failing
// answer the backoff is at the current run of errors, before this one
// counts.
func (st *waitState) observe(in stepIn, failing bool, retryAfter time.Duration) observation {
	c := in.cfg
	o := observation{
		now:        in.now,
		deadline:   in.limit,
		lead:       lastPollLead(in.limit.Sub(st.Start)),
		graceEnd:   st.GraceEnd,
		seen:       st.last != nil,
		age:        in.now.Sub(st.jobStart(in.now)),
		retryAfter: retryAfter,
		jitter:     in.jitter(),
		min:        c.minInterval,
		max:        c.maxInterval,
		blind:      clampDur(2*c.budget, c.minInterval, c.maxInterval),
	}
	if failing {
		o.backoff = backoffStep(c.minInterval, c.maxInterval, int(st.Errs))
	}
	if st.last != nil {
		o.status = st.last.Status
		o.end = st.endWindow(in.now, in.hist)
	}
	if st.Inst != nil {
		st.observeInstance(&o, c)
	}
	return o
}

// jobStart is when the job began: its created time when that is sane,
// else when the wait started.
func (st *waitState) jobStart(now time.Time) time.Time {
	if st.last != nil {
		if c := st.last.Created; saneCreated(c, now) {
			if c.After(now) {
				return now
			}
			return c
		}
	}
	return st.Start
}

// saneCreated reports whether a job's created time can be believed at now:
// not more than maxClockSkew ahead, not older than the API keeps jobs.
func saneCreated(c, now time.Time) bool {
	return !c.IsZero() && c.Before(now.Add(maxClockSkew)) && c.After(now.Add(-jobRetention))
}

// noteOutlived drops the predictions a Running job has outlived for the
// rest of the wait: its percent's line once it runs past the line's latest
// end, and its name's history once it runs past the longest earlier job of
// that name (the history is read only when the percent predicts nothing).
// So no update carries an end the job has already outlived.
func (st *waitState) noteOutlived(now time.Time, h histWindow) {
	if st.last == nil || st.last.Status != StatusRunning || st.Inst != nil {
		return
	}
	if t := st.line(); t.window().known() {
		if t.Said.IsZero() || !now.After(t.Said) {
			return // the percent's line still holds
		}
		t.Broken = true
		st.Track = &t
	}
	if w, ok := st.historyWindow(now, h); ok && now.After(w.hi) {
		st.HistBroken = true
	}
}

// endWindow predicts where a Running job ends: from its percent when that
// grows like a line, else from how long earlier jobs of its name took;
// nothing once the job outlived them.
func (st *waitState) endWindow(now time.Time, h histWindow) window {
	if st.last.Status != StatusRunning {
		return window{}
	}
	if t := st.line(); t.window().known() {
		return t.window()
	}
	if w, ok := st.historyWindow(now, h); ok && !now.After(w.hi) {
		return w
	}
	return window{}
}

// historyWindow is where the job ends if it takes as long as earlier jobs
// of its name did; false without such jobs, or once it outlived them.
func (st *waitState) historyWindow(now time.Time, h histWindow) (window, bool) {
	if st.HistBroken || !h.ok {
		return window{}, false
	}
	start := st.jobStart(now)
	return window{lo: start.Add(h.lo), hi: start.Add(h.hi)}, true
}

// waited is how long the wait has lasted at now; a wait past its deadline
// lasted until the deadline.
func (st *waitState) waited(now time.Time) time.Duration {
	if now.After(st.Deadline) {
		now = st.Deadline
	}
	return max(now.Sub(st.Start), 0) // a resumed start may be up to maxClockSkew ahead
}

func (st *waitState) timeout(now time.Time, cause error) *TimeoutError {
	return &TimeoutError{JobID: st.JobID, Last: st.last, Instance: st.lastInstance(), InstanceID: st.instanceID(),
		LastErr: st.lastErr, Polls: int(st.Polls), Waited: st.waited(now), Cause: cause}
}

func (st *waitState) waitError(now time.Time, err error) *WaitError {
	e := &WaitError{JobID: st.JobID, Last: st.last, Polls: int(st.Polls), Waited: st.waited(now), Err: err}
	e.InstanceID = st.instanceID()
	return e
}
