package taurusjob

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
)

// The instance phase of a wait: after its job completed ([WithReady]), or
// from the start ([Waiter.WaitReady]), a wait reads the instance until it
// is ready and stays so for the settle time. It is the same wait: one
// deadline, one progress stream, one state, and a token taken in this
// phase resumes in it.

// defaultSettle is how long a ready status must hold, unbroken, before a
// wait calls the instance ready. TaurusDB (and openGauss) start a backup
// right after an instance they created turns ACTIVE, and an instance that
// is backing up refuses most changes: the Terraform provider sleeps six
// minutes and waits again for that. Two minutes of ACTIVE across several
// polls catches a backup that starts soon after, without the fixed sleep.
const defaultSettle = 2 * time.Minute

// maxSettle bounds WithSettle: a settle longer than an hour is a timeout.
const maxSettle = time.Hour

// WithReady makes every job wait of the Waiter go on, once its job
// completed, until the job's instance (Job.Instance.ID) is ready for the
// next change, within the same deadline: [Waiter.Wait] then returns the
// job when its instance is ready, and an [*InstanceError] when the
// instance failed, needs a person, or is not there. The Waiter's getter
// must be an [InstanceGetter] too ([Client] is).
func WithReady() Option {
	return optionFunc(func(c *config) { c.ready = true })
}

// WithSettle sets how long a ready status must hold without a break before
// an instance counts as ready (default 2 min: TaurusDB backs a new
// instance up right after it turns ACTIVE). Zero takes the first ready
// reading.
func WithSettle(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d < 0 || d > maxSettle {
			c.fail("WithSettle(%s): must be between 0 and %s", d, maxSettle)
		}
		c.settle = d
	})
}

// WithReadyForConnections makes "ready" mean ready for connections rather
// than for the next change: an instance that is backing up counts as
// ready, since it serves connections meanwhile.
func WithReadyForConnections() Option {
	return optionFunc(func(c *config) { c.forConnections = true })
}

// WaitReady waits until the instance is ready for the next change (see
// [WithSettle] and [WithReadyForConnections]) and returns it as last read.
// It ends with an [*InstanceError] when the instance failed, needs a
// person, or is not there (after the grace window, or at once once it was
// seen), and with a [*TimeoutError] at the deadline. The schedule, quota,
// callbacks and tokens are a job wait's; an instance has no percent, so
// nothing predicts its end.
func (w *Waiter) WaitReady(ctx context.Context, instanceID string) (*InstanceInfo, error) {
	p, err := w.NewReadyPoller(instanceID)
	if err != nil {
		return nil, err
	}
	_, err = drive(ctx, p)
	return p.Instance(), err
}

// NewReadyPoller starts a wait for the instance to be ready, without
// polling, as [Waiter.NewPoller] does for a job. Its [Poller.JobID] is "".
func (w *Waiter) NewReadyPoller(instanceID string) (*Poller, error) {
	if w.instances == nil {
		return nil, invalid("instance getter", "the Waiter's getter (%T) has no GetInstance", w.getter)
	}
	if err := validateInstanceID(instanceID); err != nil {
		return nil, err
	}
	st := newWaitState("", time.Now(), &w.cfg)
	st.Inst = &instancePhase{ID: instanceID, Start: st.Start}
	return &Poller{w: w, st: st}, nil
}

// instancePhase is what a wait knows in its instance phase; a token
// carries it (Seen in place of last).
type instancePhase struct {
	ID    string    `json:"id"`
	Start time.Time `json:"start"` // when the phase began: the wait's start, or the job's completion
	// ReadySince is when the instance was first read ready in the run of
	// ready readings that goes on; zero when the last one was not ready.
	ReadySince time.Time     `json:"ready_since,omitzero"`
	Seen       *seenInstance `json:"seen,omitzero"` // in a token: the instance as last read; set by encodeState

	last *InstanceInfo // the instance as last read; nil until found
}

// toInstance moves a wait whose job just completed to its instance. It
// reports false, and ends the wait, when the job names no usable instance.
func (st *waitState) toInstance(now time.Time, o *outcome, c *config) bool {
	id := st.last.Instance.ID
	if err := validateInstanceID(id); err != nil {
		o.ends(st.last, st.waitError(now, errors.New("the job completed, but names no instance to wait for: "+err.Error())))
		return false
	}
	st.Inst = &instancePhase{ID: id, Start: now}
	st.GraceEnd = now.Add(c.grace) // the instance may show a few seconds after its job
	st.Errs = 0
	return true
}

// takeInstance is take for a wait in its instance phase.
func (st *waitState) takeInstance(in stepIn, o *outcome) (failing, done bool) {
	ph := *st.Inst // a copy: step never changes the state it was given
	st.Inst = &ph
	a := in.answer
	switch {
	case a.err == nil && a.inst != nil:
		st.Errs = 0
		return false, st.readInstance(in, o)
	case a.err == nil || errors.Is(a.err, ErrInstanceNotFound):
		if a.err == nil {
			a.err = ErrInstanceNotFound
		}
		st.setErr(a.err)
		if ph.last != nil || !in.now.Before(st.GraceEnd) {
			o.ends(st.last, &InstanceError{InstanceID: ph.ID, Instance: ph.last, NotFound: true, Polls: int(st.Polls)})
			return true, true
		}
		return true, false
	}
	return true, st.fail(in, o, classify(nil, a.err, true))
}

// readInstance takes an instance's reading into the state and says
// whether it ends the wait: ready for the settle time, or a status it
// will not leave by itself.
func (st *waitState) readInstance(in stepIn, o *outcome) (done bool) {
	ph := st.Inst
	inst, prev := in.answer.inst, ph.last
	ph.last = inst
	if prev == nil && errors.Is(st.lastErr, ErrInstanceNotFound) {
		st.setErr(nil)
	}
	o.firstSeen = prev == nil
	o.statusChanged = prev == nil || prev.Status != inst.Status || !slices.Equal(prev.Actions, inst.Actions)
	r := judge(inst, in.cfg.forConnections)
	if r != instReady {
		ph.ReadySince = time.Time{}
	}
	switch r {
	case instReady:
		if ph.ReadySince.IsZero() {
			ph.ReadySince = in.now
		}
		if in.now.Sub(ph.ReadySince) >= in.cfg.settle {
			o.ends(st.last, nil)
			return true
		}
	case instFailed, instNeedsAction:
		o.ends(st.last, &InstanceError{InstanceID: ph.ID, Instance: inst, Status: inst.Status,
			NeedsAction: r == instNeedsAction, Polls: int(st.Polls)})
		return true
	case instUnknown:
		o.unusual = o.statusChanged
	}
	return false
}

// observeInstance is observe for the instance phase: no percent and no
// history predict an instance, so the blind interval and the failure
// bound (from when this phase began) apply; a settling instance is read
// again when its settle time is over.
func (st *waitState) observeInstance(o *observation, c *config) {
	ph := st.Inst
	o.seen = ph.last != nil
	o.status, o.end = "", window{}
	o.age = o.now.Sub(ph.Start)
	if !ph.ReadySince.IsZero() {
		left := ph.ReadySince.Add(c.settle).Sub(o.now)
		o.blind = min(o.blind, max(left, c.minInterval))
	}
}

// seenInstance is what a token keeps of the instance as last read.
type seenInstance struct {
	Name    string   `json:"name,omitzero"`
	Status  string   `json:"status,omitzero"`
	Actions []string `json:"actions,omitzero"`
}

// maxSavedActions bounds the actions under way a token keeps.
const maxSavedActions = 16

// checkInstance refuses an instance phase no wait could have saved; job
// is the status of the job as last seen. A job wait reaches its
// instance only with WithReady and once its job completed (so that it
// ends with that job); a wait for an instance alone sees no job; an
// instance is named only in the phase that reads it, and ready since a
// time only once read.
func (st *waitState) checkInstance(job Status) error {
	in := func(t time.Time) bool { return !t.Before(st.Start) && !t.After(st.Deadline) }
	var bad []string
	ph := st.Inst
	switch {
	case ph == nil && st.JobID == "", st.Ready && st.JobID == "":
		bad = append(bad, "no job and no instance to wait for")
	case ph == nil:
		return nil
	case validateInstanceID(ph.ID) != nil:
		bad = append(bad, "an invalid instance id")
	}
	if ph != nil && (st.JobID != "" && (!st.Ready || job != StatusCompleted) || st.JobID == "" && (st.Seen != nil || st.last != nil) ||
		!ph.ReadySince.IsZero() && seenOf(ph) == nil) {
		bad = append(bad, "an instance phase no wait reaches")
	}
	if ph != nil && (!in(ph.Start) || !ph.ReadySince.IsZero() && (!in(ph.ReadySince) || ph.ReadySince.Before(ph.Start))) {
		bad = append(bad, "impossible instance times")
	}
	if s := seenOf(ph); s != nil {
		ok := len(s.Name) <= maxSavedName+32 && !hasControl(s.Name) && len(s.Status) <= maxSavedStatus+32 && !hasControl(s.Status) &&
			len(s.Actions) <= maxSavedActions
		for _, a := range s.Actions {
			ok = ok && len(a) <= maxSavedStatus+32 && !hasControl(a)
		}
		if !ok {
			bad = append(bad, "a malformed instance")
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return invalid("state token", "holds %s", strings.Join(bad, " and "))
}

// seenOf is what a token's instance phase says of the instance: its Seen,
// or (for a state not decoded from a token) the instance as last read.
func seenOf(ph *instancePhase) *seenInstance {
	switch {
	case ph == nil:
		return nil
	case ph.Seen != nil:
		return ph.Seen
	case ph.last != nil:
		return &seenInstance{Name: ph.last.Name, Status: ph.last.Status, Actions: ph.last.Actions}
	}
	return nil
}
