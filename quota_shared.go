package taurusjob

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"
	"golang.org/x/time/rate"
)

// Limiter is the request rate [WithLimiter] takes: a [*rate.Limiter],
// which the waits of this process take tokens from, or a limiter shared
// between processes (the redisquota module has one on Redis), so that many
// workers or controller replicas of one tenant keep to its one quota.
//
// Limit and Burst describe the quota; a poll takes one request token. A
// shared limiter is any other type that also has the method
//
//	ReserveWithin(ctx context.Context, within time.Duration) (wait time.Duration, ok bool, err error)
//
// which reserves one token for a request made after wait, if wait is at
// most within, and reports ok; when no token is free that soon it reserves
// nothing and reports !ok. A reservation cannot be given back. It is called
// with no lock held, under a ctx that ends after at most a second; it must
// honour ctx. A shared limiter that also implements [SharedCooldown] shares
// the 429 cool-down too.
type Limiter interface {
	Limit() rate.Limit
	Burst() int
}

// SharedCooldown is the 429 cool-down shared between processes: a
// [Limiter] given to [WithLimiter] that implements it holds every wait of
// every process that uses it when any of them is answered 429, as a Waiter
// holds its own waits. Each call is made with no lock held, under a ctx
// that ends after at most a second.
type SharedCooldown interface {
	// HoldAll says that a 429 was seen: no poll before until. A hold
	// that already ends later is kept.
	HoldAll(ctx context.Context, until time.Time) error
	// HeldUntil returns when the hold ends: zero or past when there is none.
	HeldUntil(ctx context.Context) (time.Time, error)
}

// sharedLimiter is a Limiter shared between processes (see Limiter).
type sharedLimiter interface {
	Limiter
	ReserveWithin(ctx context.Context, within time.Duration) (time.Duration, bool, error)
}

// sharedCallTimeout bounds each call to a shared limiter or cool-down, so
// that a quota server that hangs delays a poll by a second at most.
const sharedCallTimeout = time.Second

// sharedWarnEvery spaces the warnings about a shared quota that fails, so
// that a Redis outage under a thousand waits logs once a minute, not per poll.
const sharedWarnEvery = time.Minute

// sharedView is what a shared quota answered for one due poll, asked
// without the Poller's mutex (ask) and used under it (admit).
type sharedView struct {
	asked  bool // the limiter was asked for a token
	noRoom bool // it has no token free before the wait's last poll
	failed bool // it could not answer: the poll goes on without it
}

// shared reports whether the quota has a part outside the process, which
// Poll must ask without holding the Poller's mutex.
func (q *quota) shared() bool { return q.remote != nil || q.cool != nil }

// ask asks the shared cool-down when it ends (a hold set by another
// process becomes the Waiter's own, as if it had seen the 429) and, when
// nothing holds the poll and no token is reserved for jobID, the shared
// limiter for one, kept in q.reserved as a local one is when it comes
// later. A call that fails is answered as no hold and no limit
// (fail-open), with a warning: polls go on at the schedule's pace, and the
// Waiter's own 429 cool-down still protects the quota, so a Redis outage
// never ends or stalls a wait.
//
// A token that came due while a cool-down held the poll is not used at
// the cool-down's end but reserved anew: the waits a cool-down held would
// otherwise all poll together as it ends, a burst that is answered 429
// again, and so on while the queue is long.
func (q *quota) ask(ctx context.Context, now, deadline, start time.Time, jobID string) (v sharedView) {
	if q.cool != nil {
		cctx, cancel := context.WithTimeout(ctx, sharedCallTimeout)
		var until time.Time
		err := guard(func() (err error) { until, err = q.cool.HeldUntil(cctx); return err })
		cancel()
		if err != nil {
			q.failed(ctx, "reading the shared 429 cool-down", err)
		} else {
			q.follow(now, until)
		}
	}
	until, _ := q.current()
	if q.remote == nil || until.After(now) {
		return v
	}
	if at, kept := q.reservation(jobID); kept {
		if !at.Before(until) {
			return v // its time is to come, or came after the last cool-down: admit uses it
		}
		q.take(jobID) // it came due under the cool-down: a new place in the queue
	}
	v.asked = true
	within := deadline.Add(-lastPollLead(deadline.Sub(start))).Sub(now)
	if within <= 0 {
		v.noRoom = true
		return v
	}
	cctx, cancel := context.WithTimeout(ctx, sharedCallTimeout)
	defer cancel()
	var wait time.Duration
	var ok bool
	err := guard(func() (err error) { wait, ok, err = q.remote.ReserveWithin(cctx, within); return err })
	switch {
	case err != nil:
		v.failed = true
		q.failed(ctx, "reserving a token from the shared limiter", err)
	case !ok:
		v.noRoom = true
	case wait > 0: // counted from the answer, so that a slow call makes the poll late, never early
		q.keep(jobID, reservation{at: time.Now().Add(wait)}, now)
	}
	return v
}

// follow makes a shared cool-down that ends at until, later than the
// Waiter's own, the Waiter's: its length, for the spread of the waits it
// releases, is what is left of it at now. It is capped by the max
// interval, as the Waiter's own is, and followed once: a hold longer than
// that (a process with a longer max interval, a key set by hand) would
// otherwise stall every wait until its deadline. A hold reads a little
// later at each call (its end is now plus the time to live), so only one
// ending over a second later than the last followed is a new one.
func (q *quota) follow(now, until time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !until.After(q.followed.Add(time.Second)) {
		return
	}
	q.followed = until
	if limit := now.Add(q.max); until.After(limit) {
		until = limit
	}
	if until.After(q.until) && until.After(now) {
		q.until, q.span = until, until.Sub(now)
	}
}

// holdAll shares a cool-down that ends at end with the other processes.
func (q *quota) holdAll(ctx context.Context, end time.Time) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sharedCallTimeout)
	defer cancel()
	if err := guard(func() error { return q.cool.HoldAll(cctx, end) }); err != nil {
		q.failed(ctx, "sharing a 429 cool-down", err)
	}
}

// guard makes a call into a shared quota, a panic of which becomes its
// error: a faulty quota fails open as one that errs does, and neither
// crashes the caller of Poll nor leaves its Poller busy for good.
func guard(call func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panicked: %v", r)
		}
	}()
	return call()
}

// failed warns, at most once a minute, that the shared quota did not
// answer; the caller's own ctx ending is no failure of it.
func (q *quota) failed(ctx context.Context, what string, err error) {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return
	}
	now := time.Now()
	q.mu.Lock()
	quiet := now.Sub(q.warned) < sharedWarnEvery
	if !quiet {
		q.warned = now
	}
	q.mu.Unlock()
	if !quiet {
		q.logger.Warn("shared quota failed; polling without it until it answers (the Waiter's own 429 cool-down still holds)",
			zap.String("while", what), zap.Error(err))
	}
}
