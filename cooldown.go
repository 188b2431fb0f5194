package taurusjob

import (
	"context"
	"errors"
	"math/rand" // the global source, which the simulation can seed to replay a wait exactly
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultThrottleCooldown is how long every wait of a [Waiter] holds its
// next poll after one of them was answered 429 without a Retry-After. A 429
// with a Retry-After holds them that long instead. Either is capped by the
// max interval ([WithInterval]), as a wait's own delays are, so a hostile
// header cannot stall the Waiter. The cool-down is always on: it is what
// keeps many waits from each finding the throttle on its own.
const DefaultThrottleCooldown = 5 * time.Second

// cooldownSpread spreads the end of a cool-down: each wait held by a
// cool-down of length d polls at a random moment up to cooldownSpread·d
// after it ends, so that a thousand waits released together do not all
// poll at the same instant.
const cooldownSpread = 0.2

// quota is what the waits of one Waiter share: the request limiter and the
// 429 cool-down. It is safe for concurrent use.
type quota struct {
	limiter *rate.Limiter // nil: no limit
	max     time.Duration // the longest cool-down

	mu    sync.Mutex
	until time.Time     // no poll before this
	span  time.Duration // the length of the cool-down that set until
}

func newQuota(c *config) *quota {
	return &quota{limiter: c.quota.limiter, max: c.maxInterval}
}

// note starts a cool-down of retryAfter (or DefaultThrottleCooldown when
// it is 0) at now, capped by max; a cool-down that already ends later is
// kept.
func (q *quota) note(now time.Time, retryAfter time.Duration) {
	d := retryAfter
	if d <= 0 {
		d = DefaultThrottleCooldown
	}
	d = min(d, q.max)
	end := now.Add(d)
	q.mu.Lock()
	defer q.mu.Unlock()
	if end.After(q.until) {
		q.until, q.span = end, d
	}
}

// current returns when the cool-down ends (zero or past when none) and its
// length.
func (q *quota) current() (time.Time, time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.until, q.span
}

// noteThrottle starts the Waiter's cool-down when err is a 429.
func (ws *wait) noteThrottle(err error) {
	var ae *APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusTooManyRequests {
		ws.quota.note(time.Now(), ae.RetryAfter)
	}
}

// coolDown holds the wait until the Waiter's cool-down is over, plus this
// wait's random share of the spread. It looks again after each sleep: a
// 429 met by another wait meanwhile extends the cool-down.
func (ws *wait) coolDown(ctx context.Context, deadline time.Time) error {
	share := rand.Float64() * cooldownSpread
	for {
		until, span := ws.quota.current()
		d := time.Until(until.Add(time.Duration(share * float64(span))))
		if d <= 0 {
			return nil
		}
		if !ws.fits(d, deadline) {
			return waitDeadline(ctx)
		}
		if err := ws.hold(ctx, d, "cooling down after a 429"); err != nil {
			return err
		}
	}
}
