package taurusjob

import (
	"context"
	"errors"
	"fmt"
	"math/rand" // the global source, which the simulation can seed to replay a wait exactly
	"time"

	"github.com/cenkalti/backoff/v4"
	"go.uber.org/zap"
)

// backoffJitter spreads retries of waits that failed together by ±20 %.
const backoffJitter = 0.2

// backoffMultiplier doubles the delay after each error or not-visible
// answer in a row: 1, 2, 4, 8 s... A new job is usually visible within
// seconds; a longer outage is not hammered.
const backoffMultiplier = 2

// maxClockSkew is how far in the future a job's created time may be before
// it is taken as a clock error and ignored.
const maxClockSkew = time.Minute

// wait is the state of one Wait: everything known so far, so that any way
// it ends can report it.
type wait struct {
	cfg      *config
	getter   JobGetter
	log      *zap.Logger
	jobID    string
	start    time.Time
	graceEnd time.Time
	bo       *backoff.ExponentialBackOff

	polls   int
	last    *Job  // the last job seen
	lastErr error // the most recent poll error
	warned  map[Status]bool
	muted   bool // the progress callback panicked

	track      progressTrack // predicts the end from the percent
	histBroken bool          // the job outlived its name's history window

	// Shared quota and resume (cooldown.go, limiter.go, resume.go).
	quota      *quota     // the Waiter's limiter and 429 cool-down
	deadline   time.Time  // when the wait ends, unless ctx ends it first
	resumed    *savedWait // the token this wait resumes; nil for a fresh wait
	stateMuted bool       // the state callback panicked
}

func (w *Waiter) newWait(jobID string) *wait {
	bo := &backoff.ExponentialBackOff{
		InitialInterval:     w.cfg.minInterval,
		RandomizationFactor: backoffJitter,
		Multiplier:          backoffMultiplier,
		MaxInterval:         w.cfg.maxInterval,
		MaxElapsedTime:      0, // never stop: the deadline is ours, not the backoff's
		Stop:                backoff.Stop,
		Clock:               backoff.SystemClock,
	}
	bo.Reset()
	return &wait{
		cfg:    &w.cfg,
		getter: w.getter,
		log:    w.cfg.logger.With(zap.String("job_id", jobID)),
		jobID:  jobID,
		bo:     bo,
		warned: map[Status]bool{},
		quota:  w.quota,
	}
}

func (ws *wait) run(parent context.Context) (*Job, error) {
	ws.start = time.Now()
	ws.graceEnd = ws.start.Add(ws.cfg.grace)
	ws.deadline = ws.start.Add(ws.cfg.timeout)
	ws.restore() // resume.go: a resumed wait keeps its saved start, grace end, deadline, polls and job
	ctx, cancel := context.WithDeadline(parent, ws.deadline)
	defer cancel()
	deadline, _ := ctx.Deadline()

	for {
		if err := ws.throttle(ctx, deadline); err != nil { // limiter.go: 429 cool-down, then a token
			return ws.unthrottled(ctx, err)
		}
		job, err := ws.poll(ctx)
		if err != nil && ctx.Err() != nil {
			return ws.interrupted(ctx) // the poll was cut short by the deadline or a cancel
		}
		u := Update{JobID: ws.jobID, Poll: ws.polls}
		retryAfter := time.Duration(0)
		failing := true // this answer calls for the error backoff
		switch verdict := Classify(job, err); verdict {
		case VerdictVisible:
			failing = false
			ws.bo.Reset()
			ws.see(job, &u)
			if done, result, ferr := ws.settled(job); done {
				return ws.finish(u, result, ferr)
			}
		case VerdictNotVisible:
			ws.lastErr = err
			if ws.last == nil && !time.Now().Before(ws.graceEnd) {
				return ws.finish(u, nil, &NotVisibleError{JobID: ws.jobID, Polls: ws.polls, Waited: time.Since(ws.start), LastErr: err})
			}
			if ws.last != nil {
				u.Err = err // a job seen before and now missing: a passing fault
			}
		case VerdictTransient:
			ws.lastErr = err
			u.Err = err
			var ae *APIError
			if errors.As(err, &ae) {
				retryAfter = ae.RetryAfter
			}
			ws.noteThrottle(err) // cooldown.go: a 429 holds every wait of the Waiter
		default:
			ws.lastErr = err
			return ws.finish(u, ws.last, &WaitError{JobID: ws.jobID, Last: ws.last, Polls: ws.polls, Waited: time.Since(ws.start), Err: err})
		}

		next, more := nextDelay(ws.observe(deadline, failing, retryAfter))
		if !more {
			next = 0
		}
		ws.report(u, next, err)
		if !more {
			<-ctx.Done()
			return ws.interrupted(ctx)
		}
		if !sleep(ctx, next) {
			return ws.interrupted(ctx)
		}
	}
}

// observe gathers what the schedule needs after a poll.
func (ws *wait) observe(deadline time.Time, failing bool, retryAfter time.Duration) observation {
	now := time.Now()
	o := observation{
		now:        now,
		deadline:   deadline,
		lead:       lastPollLead(deadline.Sub(ws.start)),
		graceEnd:   ws.graceEnd,
		seen:       ws.last != nil,
		age:        now.Sub(ws.jobStart(now)),
		retryAfter: retryAfter,
		jitter:     rand.Float64(),
		min:        ws.cfg.minInterval,
		max:        ws.cfg.maxInterval,
		blind:      clampDur(2*ws.cfg.budget, ws.cfg.minInterval, ws.cfg.maxInterval),
	}
	if failing {
		o.backoff = ws.bo.NextBackOff()
	}
	if ws.last != nil {
		o.status = ws.last.Status
		o.end = ws.endWindow(now)
	}
	return o
}

// jobStart is when the job began: its created time when that is sane,
// else when the wait started.
func (ws *wait) jobStart(now time.Time) time.Time {
	if ws.last != nil {
		if c := ws.last.Created; !c.IsZero() && c.Before(now.Add(maxClockSkew)) && c.After(now.Add(-31*24*time.Hour)) {
			if c.After(now) {
				return now
			}
			return c
		}
	}
	return ws.start
}

// endWindow predicts where the job ends: from its percent when that grows
// like a line, else from how long earlier jobs of its name took.
func (ws *wait) endWindow(now time.Time) window {
	if ws.last.Status != StatusRunning {
		return window{}
	}
	if w := ws.track.window(); w.known() {
		return w
	}
	if ws.histBroken {
		return window{}
	}
	lo, hi, ok := ws.cfg.history.Window(ws.last.Name)
	if !ok {
		return window{}
	}
	start := ws.jobStart(now)
	w := window{lo: start.Add(lo), hi: start.Add(hi)}
	if now.After(w.hi) {
		ws.histBroken = true // this one runs longer than its name's history
		return window{}
	}
	return w
}

// poll makes one GetJob call. A panic in the getter becomes an error that
// ends the wait, never a crash of the caller.
func (ws *wait) poll(ctx context.Context) (job *Job, err error) {
	ws.polls++
	defer func() {
		if r := recover(); r != nil {
			job, err = nil, fmt.Errorf("taurusjob: JobGetter.GetJob panicked: %v", r)
		}
	}()
	return ws.getter.GetJob(ctx, ws.jobID)
}

// see records a visible job and fills what changed into u.
func (ws *wait) see(job *Job, u *Update) {
	prev := ws.last
	ws.last = job
	if job.Status == StatusRunning {
		ws.track.observe(time.Now(), job.Progress)
	}
	u.FirstSeen = prev == nil
	u.StatusChanged = prev == nil || prev.Status != job.Status
	u.ProgressChanged = prev != nil && prev.Progress != job.Progress
	if u.StatusChanged && (job.Status == StatusUnauthorized || !job.Status.Known()) && !ws.warned[job.Status] {
		ws.warned[job.Status] = true
		if job.Status == StatusUnauthorized {
			ws.log.Warn("job is waiting for an authorization; it will not progress until someone grants it",
				zap.String("status", clip(string(job.Status), 128)))
		} else {
			ws.log.Warn("job has a status taurusjob does not know; waiting on", zap.String("status", clip(string(job.Status), 128)))
		}
	}
}

// settled says whether a visible job ends the wait, and with what.
func (ws *wait) settled(job *Job) (bool, *Job, error) {
	switch {
	case job.Status.Succeeded():
		ws.learn(job)
		return true, job, nil
	case job.Status.Terminal():
		return true, job, &JobFailedError{Job: job}
	case job.Status == StatusPending && ws.cfg.returnOnPending:
		return true, job, nil
	}
	return false, nil, nil
}

// learn records how long a completed job took, for the next of its name.
func (ws *wait) learn(job *Job) {
	created := job.Created
	if created.IsZero() {
		return
	}
	ended := job.Ended
	if ended.IsZero() {
		ended = time.Now()
	}
	ws.cfg.history.Record(job.Name, ended.Sub(created))
}

// interrupted ends the wait because ctx ended: the deadline or a cancel.
func (ws *wait) interrupted(ctx context.Context) (*Job, error) {
	err := &TimeoutError{
		JobID:   ws.jobID,
		Last:    ws.last,
		LastErr: ws.lastErr,
		Polls:   ws.polls,
		Waited:  time.Since(ws.start),
		Cause:   ctx.Err(),
	}
	return ws.finish(Update{JobID: ws.jobID, Poll: ws.polls}, ws.last, err)
}

// finish reports the end of the wait, logs it and returns its result.
func (ws *wait) finish(u Update, job *Job, err error) (*Job, error) {
	u.Done = true
	ws.report(u, 0, err)
	fields := []zap.Field{
		zap.String("outcome", outcome(job, err)),
		zap.Int("polls", ws.polls),
		zap.Duration("elapsed", time.Since(ws.start)),
	}
	if ws.last != nil {
		fields = append(fields, zap.String("status", clip(string(ws.last.Status), 128)))
		if !ws.last.Ended.IsZero() && ws.last.Status.Terminal() {
			if lag := time.Since(ws.last.Ended); lag >= 0 {
				fields = append(fields, zap.Duration("detection_lag", lag))
			}
		}
	}
	if err != nil {
		fields = append(fields, zap.Error(err))
	}
	ws.log.Info("wait ended", fields...)
	return job, err
}

// report sends one update to the progress callback and the debug log.
func (ws *wait) report(u Update, next time.Duration, err error) {
	ws.emitState() // resume.go: the OnState callback, after each poll and at the end
	u.Job = ws.last
	u.Progress = -1
	if ws.last != nil {
		u.Status = ws.last.Status
		u.Progress = ws.last.Progress
	}
	u.Elapsed = time.Since(ws.start)
	u.Next = next
	if u.Done {
		u.Err = err
	}
	if ce := ws.log.Check(zap.DebugLevel, "poll"); ce != nil {
		fields := []zap.Field{zap.Int("poll", u.Poll), zap.String("status", clip(string(u.Status), 128)),
			zap.Int("progress", u.Progress), zap.Duration("next", next)}
		if err != nil {
			fields = append(fields, zap.Error(err))
		}
		ce.Write(fields...)
	}
	if ws.cfg.progress == nil || ws.muted {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			ws.muted = true
			ws.log.Error("progress callback panicked; it is not called again for this wait",
				zap.String("panic", fmt.Sprint(r)))
		}
	}()
	ws.cfg.progress(u)
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return ctx.Err() == nil
	case <-ctx.Done():
		return false
	}
}

// outcome names how a wait ended, for logs and the CLI.
func outcome(job *Job, err error) string {
	var (
		te *TimeoutError
		nv *NotVisibleError
	)
	switch {
	case err == nil && job != nil && job.Status == StatusPending:
		return "pending"
	case err == nil:
		return "completed"
	case errors.Is(err, ErrJobFailed) && job != nil && job.Status == StatusCanceled:
		return "canceled"
	case errors.Is(err, ErrJobFailed):
		return "failed"
	case errors.As(err, &te) && errors.Is(te.Cause, context.Canceled):
		return "interrupted"
	case errors.As(err, &te):
		return "timeout"
	case errors.As(err, &nv):
		return "not_visible"
	}
	return "error"
}

// Outcome names how a wait ended: "completed", "pending" (with
// [WithReturnOnPending]), "failed", "canceled", "timeout", "interrupted",
// "not_visible" or "error", from what [Waiter.Wait] returned.
func Outcome(job *Job, err error) string { return outcome(job, err) }
