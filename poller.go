package taurusjob

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand" // the global source, which the simulation can seed to replay a wait exactly
	"reflect"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Poller is one wait as a step: each [Poller.Poll] makes at most one
// GetJob call, never sleeps, and says when to come back. [Waiter.Wait] is
// a loop of Poll and sleep; a Kubernetes controller or a workflow activity
// calls Poll itself, keeps [Poller.ResumeToken] in its own storage, and
// comes back after [Update.Next].
//
// The deadline ([WithTimeout]) and the visibility grace window
// ([WithVisibilityGrace]) count from [Waiter.NewPoller], and the Pollers of
// one Waiter share its quota (the 429 cool-down and any rate limit). The
// Waiter's callbacks, logger and History see a Poller's polls as Wait's.
//
// A Poller is safe for concurrent use. [Poller.Done], [Poller.Result],
// [Poller.ResumeToken], [Poller.Deadline] and [Poller.JobID] answer at
// once, whatever a Poll in another goroutine is doing: no lock is held
// across a request or a callback. A Poll made while another is under way
// sends nothing and returns at once, with [Update.Held] set (its String
// says "a poll in flight") and Next the shortest interval. One wait's
// callbacks run in order, never concurrently.
type Poller struct {
	w     *Waiter
	jobID string // st.JobID, kept apart: it never changes, so it is read without mu

	mu   sync.Mutex // guards the fields below for a few lines at a time
	st   waitState
	end  *ending // how the wait ended; nil while it goes on
	busy bool    // a Poll is under way, from its request to its callbacks

	cb callbacks // touched only by the Poll that set busy, so not under mu
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
	return &Poller{w: w, jobID: jobID, st: newWaitState(jobID, time.Now(), &w.cfg)}, nil
}

// JobID returns the id of the job the Poller waits for.
func (p *Poller) JobID() string { return p.jobID }

// Deadline returns when the wait ends, unless it ends sooner.
func (p *Poller) Deadline() time.Time { p.mu.Lock(); defer p.mu.Unlock(); return p.st.Deadline }

// Poll makes the next poll of the wait, if it is due and the Waiter's quota
// allows it, and returns what the wait knows now. It makes at most one
// GetJob call and never sleeps. [Update.Next] says when to call again;
// it is never zero while the wait goes on.
//
// Poll sends nothing, and returns an Update with Polled false and [Update.Held]
// saying why, when it is called before Next has passed, while the Waiter's
// 429 cool-down or rate limit holds the poll, or while another Poll of this
// Poller is under way; Next is then the time left.
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
	p.mu.Lock()
	now := time.Now()
	if limit.IsZero() || limit.After(p.st.Deadline) {
		limit = p.st.Deadline
	}
	u, over, asked, err := p.due(ctx, &now, limit) // notNow, then a shared quota asked without p.mu (quota_shared.go)
	if over {
		return u, err
	}
	share, deadline := p.st.Share, p.st.Deadline
	instance := "" // the instance to read, in the instance phase
	if p.st.Inst != nil {
		instance = p.st.Inst.ID
	}
	hold, wait, err := p.w.quota.admit(now, limit, &p.st, asked)
	switch {
	case err != nil:
		return p.apply(ctx, now, limit, answer{err: err})
	case hold != 0:
		u := p.st.update(now, hold, wait, p)
		p.busy = true
		p.mu.Unlock()
		if ce := p.w.cfg.logger.Check(zap.DebugLevel, "poll held"); ce != nil {
			ce.Write(zap.String("job_id", u.JobID), zap.Stringer("by", hold), zap.Duration("next", u.Next))
		}
		p.deliver(ctx, u, "", nil)
		return u, nil
	}
	p.busy = true
	p.mu.Unlock()

	a := p.send(ctx, deadline, instance)

	p.mu.Lock()
	if a.sent && a.cause == nil && a.err != nil && ctx.Err() != nil { // cut by the caller: not an answer
		p.st.Share = share
		p.busy = false
		return p.held(time.Now(), 0, p.st.retryIn(time.Now(), p.w.cfg.minInterval), ctx.Err())
	}
	return p.apply(ctx, time.Now(), limit, a)
}

// due answers a Poll that sends nothing, as notNow does (true). When
// the poll may go and the Waiter's quota has a shared part, it asks that
// part first without holding p.mu, which no network call may be made
// under: p.busy is set meanwhile, so that no other Poll changes the wait
// (they answer "a poll in flight"), and notNow is asked again once p.mu is
// taken back, with *now the time then, since a stop or ctx's end may have
// come meanwhile. A quota with no shared part is not asked, and p.mu is
// kept throughout, as before. p.mu is held; when it answers, due has
// released it.
func (p *Poller) due(ctx context.Context, now *time.Time, limit time.Time) (Update, bool, sharedView, error) {
	q := p.w.quota
	if u, over, err := p.notNow(ctx, *now, limit); over || !q.shared() {
		return u, over, sharedView{}, err
	}
	jobID, start := p.st.key(), p.st.Start
	p.busy = true
	p.mu.Unlock()
	v := q.ask(ctx, *now, limit, start, jobID)
	p.mu.Lock()
	p.busy = false
	*now = time.Now()
	u, over, err := p.notNow(ctx, *now, limit)
	return u, over, v, err
}

// notNow answers a Poll that sends no request (true): the wait is over,
// another Poll is under way, ctx ended, the deadline came, or the poll is
// not due. p.mu is held; when it answers, notNow has released it.
func (p *Poller) notNow(ctx context.Context, now, limit time.Time) (Update, bool, error) {
	var u Update
	var err error
	switch {
	case p.end != nil:
		u, err = p.end.update, p.end.err
		p.mu.Unlock()
		u.Polled = false // this call sent nothing
	case p.busy:
		u, err = p.held(now, holdInFlight, p.st.retryIn(now, p.w.cfg.minInterval), nil)
	case ctx.Err() != nil:
		u, err = p.held(now, 0, p.st.retryIn(now, p.w.cfg.minInterval), ctx.Err())
	case !now.Before(p.st.Deadline):
		u, err = p.apply(ctx, now, limit, answer{cause: context.DeadlineExceeded})
	case now.Before(p.st.Due):
		u, err = p.held(now, HoldNotDue, p.st.Due.Sub(now), nil)
	default:
		return Update{}, false, nil
	}
	return u, true, err
}

// held returns the update of a call that sent nothing and reports nothing.
// p.mu is held; held releases it.
func (p *Poller) held(now time.Time, hold Hold, next time.Duration, err error) (Update, error) {
	u := p.st.update(now, hold, next, p)
	p.mu.Unlock()
	return u, err
}

// send makes a poll's one request, bounded by the wait's deadline, without
// holding p.mu. A panic in the getter, or an error that is a nil pointer
// (the typed-nil slip, var e *APIError; return nil, e, which would crash
// whoever reads it), becomes an error that ends the wait, never a crash of
// the caller.
func (p *Poller) send(ctx context.Context, deadline time.Time, instance string) (a answer) {
	reqCtx := ctx
	if d, ok := ctx.Deadline(); !ok || d.After(deadline) { // Wait's ctx has it already
		var cancel context.CancelFunc
		reqCtx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	call := "JobGetter.GetJob"
	if instance != "" {
		call = "InstanceGetter.GetInstance"
	}
	defer func() {
		if r := recover(); r != nil {
			a.job, a.err = nil, fmt.Errorf("%s panicked: %v", call, r)
		}
	}()
	a.sent = true
	if instance != "" {
		a.inst, a.err = p.w.instances.GetInstance(reqCtx, instance)
	} else {
		a.job, a.err = p.w.getter.GetJob(reqCtx, p.jobID)
	}
	if v := reflect.ValueOf(a.err); a.err != nil && v.Kind() == reflect.Pointer && v.IsNil() {
		a.job, a.err = nil, fmt.Errorf("%s returned a nil %T as its error", call, a.err)
	}
	// The deadline came during the request: by reqCtx, or by the caller's
	// ctx when it carries the same deadline (Wait's).
	if a.err != nil && reqCtx.Err() != nil && !time.Now().Before(deadline) {
		a.cause = context.DeadlineExceeded
	}
	return a
}

// apply takes a's transition, ends the wait or schedules the next poll,
// and reports. p.mu is held; apply releases it, and runs the callbacks
// after it (with p.busy set, so that they run one Poll at a time).
func (p *Poller) apply(ctx context.Context, now, limit time.Time, a answer) (Update, error) {
	if p.end != nil { // the driver stopped the wait while this poll was out
		p.busy = false
		u, err := p.end.update, p.end.err
		p.mu.Unlock()
		return u, err
	}
	in := stepIn{now: now, limit: limit, answer: a, jitter: rand.Float64, cfg: &p.w.cfg}
	if j := a.job; j != nil {
		in.hist.lo, in.hist.hi, in.hist.ok = p.w.cfg.history.window(j.Name)
	} else if p.st.last != nil {
		in.hist.lo, in.hist.hi, in.hist.ok = p.w.cfg.history.window(p.st.last.Name)
	}
	st, o := step(p.st, in)
	p.st = st
	u := p.st.update(now, 0, o.next, p)
	u.Polled, u.Err = a.sent, o.err
	u.FirstSeen, u.StatusChanged, u.ProgressChanged = o.firstSeen, o.statusChanged, o.progressChanged
	u.EndEarliest, u.EndLatest = o.window.lo, o.window.hi
	if o.done {
		u.Done, u.Next, u.Err = true, 0, o.err
		p.end = &ending{update: u, job: o.job, err: o.err}
	}
	end, key := p.end, p.st.key()
	token := ""
	if p.w.cfg.state.fn != nil {
		token = encodeState(p.w.cfg.state.key, &p.st)
	}
	p.busy = true
	p.mu.Unlock()

	if o.throttled {
		p.w.quota.note(ctx, now, o.retryAfter) // a 429 holds every wait of the Waiter
	}
	if o.learned > 0 {
		p.w.cfg.history.Record(o.jobName, o.learned) // how long it took, for the next job of its name
	}
	if o.done && p.w.quota.limiter != nil {
		p.w.quota.release(key) // a token reserved for this wait goes back to the others
	}
	if o.unusual {
		p.cb.warn(p.w.cfg.logger, p.jobID, u)
	}
	p.deliver(ctx, u, token, end)
	if end != nil {
		return u, end.err
	}
	return u, nil // a retried error rides in u.Err
}

// deliver gives an update to the state callback (with its token, when
// there is one), the log, the update hooks and the progress callback, in
// that order, each unless it panicked before in this wait; end is set when
// the update ends the wait. p.busy is set, and cleared when it returns.
func (p *Poller) deliver(ctx context.Context, u Update, token string, end *ending) {
	cfg := &p.w.cfg
	if token != "" {
		p.cb.call(mutedState, "state callback", cfg.logger, p.jobID, func() { cfg.state.fn(cmp.Or(u.JobID, u.InstanceID), token) })
	}
	if ce := cfg.logger.Check(zap.DebugLevel, "poll"); ce != nil && u.Polled {
		ce.Write(pollFields(u)...)
	}
	if ce := cfg.logger.Check(zap.InfoLevel, "wait ended"); ce != nil && end != nil {
		ce.Write(endFields(u, end)...)
	}
	for i, hook := range cfg.hooks {
		p.cb.call(mutedHook+i, "update hook", cfg.logger, p.jobID, func() { hook(ctx, u) })
	}
	if f := cfg.progress; f != nil {
		p.cb.call(mutedProgress, "progress callback", cfg.logger, p.jobID, func() { f(u) })
	}
	p.mu.Lock()
	p.busy = false
	p.mu.Unlock()
}

// stop ends the wait because the driver's ctx ended (a cancel, or ctx's
// own deadline), with everything known so far; ctx's error is the cause.
// A wait already over keeps its ending. A Poll still under way in another
// goroutine finds the wait over when it comes back, and reports nothing.
func (p *Poller) stop(ctx context.Context) (*Job, error) {
	p.mu.Lock()
	switch {
	case p.end != nil:
	case p.busy: // its callbacks may be running: end the wait without reporting
		err := p.st.timeout(time.Now(), ctx.Err())
		u := p.st.update(time.Now(), 0, 0, p)
		u.Done, u.Next, u.Err = true, 0, err
		p.end = &ending{update: u, job: p.st.last, err: err}
	default:
		_, _ = p.apply(ctx, time.Now(), p.st.Deadline, answer{cause: ctx.Err()})
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
	return encodeState(p.w.cfg.state.key, &p.st), nil
}

// Instance returns the instance as last read; nil for a job wait that has
// not reached its instance, or before the instance was found.
func (p *Poller) Instance() *InstanceInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st.lastInstance()
}

// InstanceID returns the id of the instance the wait reads: from the
// start for [Waiter.NewReadyPoller]'s, once the job completed for a job
// wait with [WithReady]; "" before.
func (p *Poller) InstanceID() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.st.instanceID()
}
