package taurusjob

import (
	"context"
	"math"
	"time"

	"go.uber.org/zap"
	"golang.org/x/time/rate"
)

// quotaConfig is the request quota part of a Waiter's config.
type quotaConfig struct {
	limiter *rate.Limiter // nil: no limit
}

// WithRateLimit makes all the waits of the Waiter share a limit of rps
// requests a second, with bursts of at most burst requests (a token bucket:
// see [rate.NewLimiter]). Each poll takes one token before it is sent. A
// token that would come too late for a poll before the deadline (the last
// poll is made a second before it) is given back to the other waits at
// once, and the wait ends at the deadline with a [*TimeoutError] carrying
// its state; a cancel while a wait waits for a token ends it at once, the
// same way. rps must be positive and finite, and burst at least 1.
//
// Default: no limit, because the tenant's quota is not known: Huawei
// Cloud's API gateway throttles each user at a rate set per tenant and not
// published for TaurusDB (RDS documents 60 calls a minute per user on some
// APIs), so without a limit only the Waiter's shared 429 cool-down (see
// [DefaultThrottleCooldown]) protects the quota. A program that waits for
// many jobs at once should set a limit a little below its quota, minus
// what its other calls spend, with a small burst; see [WithLimiter] to
// share one limit between several Waiters.
func WithRateLimit(rps float64, burst int) Option {
	return optionFunc(func(c *config) {
		if !(rps > 0) || math.IsInf(rps, 0) || burst < 1 {
			c.fail("WithRateLimit(%v, %d): need rps > 0 (finite) and burst >= 1", rps, burst)
			return
		}
		c.quota.limiter = rate.NewLimiter(rate.Limit(rps), burst)
	})
}

// WithLimiter makes every poll of the Waiter take a token from l before it
// is sent. Pass the same l to several Waiters (or to other code calling the
// same API) so that they share one quota. l is used through Reserve and
// Cancel only, so it may be shared with code calling its Wait or Allow.
// nil means no limit. A limiter whose burst is 0 (and limit not [rate.Inf])
// can never allow a request: NewWaiter refuses it, and a wait that finds
// it so later ends with a [*WaitError] matching [ErrInvalidInput].
func WithLimiter(l *rate.Limiter) Option {
	return optionFunc(func(c *config) {
		if l != nil && l.Limit() != rate.Inf && l.Burst() < 1 {
			c.fail("WithLimiter: the limiter's burst is %d; no request could ever be sent", l.Burst())
			return
		}
		c.quota.limiter = l
	})
}

// throttle holds the next poll until the Waiter's 429 cool-down is over
// and the limiter grants a token. It returns ctx's error when ctx ends
// first, or when the poll could only be made after the deadline (it then
// waits for the deadline, as a wait with no poll left does); any other
// error means the limiter can never grant a token.
func (ws *wait) throttle(ctx context.Context, deadline time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := ws.coolDown(ctx, deadline); err != nil {
		return err
	}
	lim := ws.quota.limiter
	if lim == nil {
		return nil
	}
	now := time.Now()
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return invalid("limiter", "its burst is %d; no request can ever be sent", lim.Burst())
	}
	if d := r.DelayFrom(now); d > 0 {
		if !ws.fits(d, deadline) {
			r.CancelAt(now) // give the token back to the other waits at once
			return waitDeadline(ctx)
		}
		if err := ws.hold(ctx, d, "waiting for a request token"); err != nil {
			r.Cancel()
			return err
		}
	}
	// A 429 may have come for another wait while this one waited for its
	// token: the token is kept, and the cool-down still holds.
	return ws.coolDown(ctx, deadline)
}

// fits reports whether a poll made after d still lands before the
// deadline with the lead the schedule's last poll keeps.
func (ws *wait) fits(d time.Duration, deadline time.Time) bool {
	return time.Now().Add(d).Before(deadline.Add(-lastPollLead(deadline.Sub(ws.start))))
}

// waitDeadline waits for ctx to end, when no poll fits before the deadline,
// and returns its error.
func waitDeadline(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// hold sleeps d before a poll, or until ctx ends, and returns ctx's error
// in that case.
func (ws *wait) hold(ctx context.Context, d time.Duration, why string) error {
	if ce := ws.log.Check(zap.DebugLevel, why); ce != nil {
		ce.Write(zap.Duration("delay", d))
	}
	if !sleep(ctx, d) {
		return ctx.Err()
	}
	return nil
}

// unthrottled ends a wait whose throttle returned err.
func (ws *wait) unthrottled(ctx context.Context, err error) (*Job, error) {
	if ctx.Err() != nil {
		return ws.interrupted(ctx)
	}
	return ws.finish(Update{JobID: ws.jobID, Poll: ws.polls}, ws.last,
		&WaitError{JobID: ws.jobID, Last: ws.last, Polls: ws.polls, Waited: time.Since(ws.start), Err: err})
}
