package taurusjob

import (
	"context"
	"fmt"
	"math/rand"
	"reflect"
	"sync"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/defaults"
	"go.uber.org/zap"
	"golang.org/x/time/rate"
)

// The 429 cool-down (defaults.ThrottleCooldown, 5 s) holds every wait of
// a Waiter after one of them was answered 429 without a Retry-After; a 429
// with a Retry-After holds them that long instead. Either is capped by the
// max interval ([WithInterval]), as a wait's own delays are, so a hostile
// header cannot stall the Waiter. The cool-down is always on: it is what
// keeps many waits from each finding the throttle on its own.

// cooldownSpread spreads the end of a cool-down: each wait held by a
// cool-down of length d polls at a random moment up to cooldownSpread·d
// after it ends, so that a thousand waits released together do not all
// poll at the same instant.
const cooldownSpread = 0.2

// quotaConfig is the request quota part of a Waiter's config.
type quotaConfig struct {
	limiter *rate.Limiter  // nil: no limit in this process
	remote  sharedLimiter  // nil: none shared between processes (quota_shared.go)
	cool    SharedCooldown // nil: the cool-down is the Waiter's own
}

// quota is what the waits of one Waiter share: the request limiter and the
// 429 cool-down. It is safe for concurrent use.
type quota struct {
	limiter *rate.Limiter  // nil: no limit in this process
	remote  sharedLimiter  // nil: none shared between processes
	cool    SharedCooldown // nil: no cool-down shared between processes
	max     time.Duration  // the longest cool-down
	logger  *zap.Logger

	mu       sync.Mutex
	until    time.Time     // no poll before this
	span     time.Duration // the length of the cool-down that set until
	warned   time.Time     // when a failing shared quota was last warned about
	followed time.Time     // the end of the last shared cool-down followed, as read

	// reserved holds the rate-limit token reserved for a job's next poll,
	// by job id: a Poller rebuilt from its token (a controller keeps no
	// Poller between steps) finds the reservation its previous self made,
	// rather than queueing a new one behind it.
	reserved map[string]reservation
	swept    time.Time // when reserved was last cleared of forgotten entries
}

// reservation is a rate-limit token reserved for a poll at a given time.
type reservation struct {
	r  *rate.Reservation // nil for a shared limiter's, which cannot be given back
	at time.Time
}

// forgotten is how long after its time a reservation nobody came back for
// is kept: its token is spent by then, and its Poller was dropped.
const forgotten = time.Minute

func newQuota(c *config) *quota {
	return &quota{limiter: c.quota.limiter, remote: c.quota.remote, cool: c.quota.cool, max: c.maxInterval, logger: c.logger}
}

// WithLimiter makes every poll of the Waiter take a token from l before
// it is sent: rate.NewLimiter(rps, burst) gives all the waits of the Waiter
// one limit of rps requests a second with bursts of at most burst; pass the
// same l to several Waiters (or to other code calling the same API) so that
// they share one quota. A *rate.Limiter is used through Reserve and Cancel
// only, so it may be shared with code calling its Wait or Allow. A token
// that would come too late for a poll before the deadline (the last poll
// is made a second before it) is given back at once, and the wait ends at
// the deadline with a [*TimeoutError] carrying its state; so is a token
// reserved by a wait that ends.
//
// To share one quota between processes, pass a shared [Limiter] instead
// (the redisquota module has one on Redis); one that implements
// [SharedCooldown] shares the 429 cool-down too. Its tokens cannot be given
// back. The Poller still never sleeps: a poll with no token free holds
// ([HoldRateLimit]) until the one reserved for it. A call to it that fails
// or takes over a second lets the poll go as if it had no limit, with a
// warning logged at most once a minute (fail-open): a quota server's
// outage never ends or stalls a wait, and the Waiter's own cool-down still
// holds its waits after a 429.
//
// Default: no limit (nil), because the tenant's quota is not known: Huawei
// Cloud's API gateway throttles each user at a rate set per tenant and not
// published for TaurusDB (RDS documents 60 calls a minute per user on some
// APIs), so without a limit only the Waiter's shared 429 cool-down
// protects the quota. A program that waits for many jobs at once should
// set a limit a little below its quota, minus what its other calls spend,
// with a small burst.
//
// A limiter with a limit of 0 or less, or a burst of 0 (unless its limit
// is [rate.Inf]), could not let every poll through: NewWaiter refuses it,
// as it refuses a Limiter that is neither a *rate.Limiter nor shared, and
// a wait that finds a *rate.Limiter so later ends with a [*WaitError]
// matching [ErrInvalidInput].
func WithLimiter(l Limiter) Option {
	return optionFunc(func(c *config) {
		if why := unusableLimiter(l); why != "" {
			c.fail("WithLimiter: %s", why)
			return
		}
		c.quota.limiter, c.quota.remote, c.quota.cool = nil, nil, nil
		switch l := l.(type) {
		case nil:
		case *rate.Limiter:
			c.quota.limiter = l
		case sharedLimiter:
			c.quota.remote = l
			c.quota.cool, _ = l.(SharedCooldown)
		}
	})
}

// unusableLimiter says why l could not let every poll through, or "": a
// limit of 0 or less holds polls forever once its burst is spent, a burst
// of 0 never lets one through (a limit of rate.Inf needs neither), and a
// Limiter that is neither a *rate.Limiter nor shared cannot be asked for a
// token. nil, no limit, is usable; so is a nil *rate.Limiter.
func unusableLimiter(l Limiter) string {
	if rl, ok := l.(*rate.Limiter); l == nil || ok && rl == nil {
		return ""
	}
	if v := reflect.ValueOf(l); v.Kind() == reflect.Pointer && v.IsNil() {
		return fmt.Sprintf("a nil %T", l)
	}
	switch l.(type) {
	case *rate.Limiter, sharedLimiter:
	default:
		return fmt.Sprintf("%T is neither a *rate.Limiter nor a shared limiter (it has no ReserveWithin method)", l)
	}
	if l.Limit() == rate.Inf || (l.Burst() >= 1 && l.Limit() > 0) {
		return ""
	}
	return fmt.Sprintf("its limit is %v and its burst %d; every poll needs a limit above 0 and a burst of at least 1", float64(l.Limit()), l.Burst())
}

// note starts a cool-down of retryAfter (or defaults.ThrottleCooldown when
// it is 0) at now, capped by max; a cool-down that already ends later is
// kept. A shared cool-down is told too, without holding a lock.
func (q *quota) note(ctx context.Context, now time.Time, retryAfter time.Duration) {
	d := retryAfter
	if d <= 0 {
		d = defaults.ThrottleCooldown
	}
	d = min(d, q.max)
	end := now.Add(d)
	q.mu.Lock()
	if end.After(q.until) {
		q.until, q.span = end, d
	}
	q.mu.Unlock()
	if q.cool != nil {
		q.holdAll(ctx, end)
	}
}

// current returns when the cool-down ends (zero or past when none) and its
// length.
func (q *quota) current() (time.Time, time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.until, q.span
}

// reservation returns when the token reserved for jobID's next poll may be
// used, if one is.
func (q *quota) reservation(jobID string) (time.Time, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	res, ok := q.reserved[jobID]
	return res.at, ok
}

// keep records a reservation for jobID, and clears, at most once a
// minute, the reservations nobody came back for.
func (q *quota) keep(jobID string, res reservation, now time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.reserved == nil {
		q.reserved = map[string]reservation{}
	}
	q.reserved[jobID] = res
	if now.Sub(q.swept) > forgotten {
		q.swept = now
		for id, old := range q.reserved {
			if now.Sub(old.at) > forgotten {
				delete(q.reserved, id)
			}
		}
	}
}

// take forgets jobID's reservation: its poll uses the token.
func (q *quota) take(jobID string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.reserved, jobID)
}

// release gives jobID's reserved token back to the other waits, when its
// wait ends before using it: as far as x/time/rate can, which restores a
// token only when no later reservation was made after it (the scheduler
// therefore ends its waits latest-due first).
func (q *quota) release(jobID string) {
	q.mu.Lock()
	res, ok := q.reserved[jobID]
	delete(q.reserved, jobID)
	q.mu.Unlock()
	if ok && res.r != nil {
		res.r.Cancel()
	}
}

// admit decides whether the Waiter's quota lets a due poll go at now. It
// returns the hold and how long it lasts when it does not, and an error
// when the limiter can never grant a token. A hold that would outlast the
// deadline lasts until the deadline, where the wait ends. It draws the
// wait's share of a cool-down into st when it has none; the Poller's mutex
// is held. v is what a shared quota answered for this poll (ask), the zero
// view when it has none.
//
// The cool-down comes first: a wait polls at its random share of the
// cool-down's spread after the end. Then a rate-limit token is reserved,
// once, and kept (by the Waiter, for the job) until its time comes, through
// any cool-down that starts meanwhile; a wait that ends gives it back.
func (q *quota) admit(now, deadline time.Time, st *waitState, v sharedView) (Hold, time.Duration, error) {
	if st.Share < 0 {
		st.Share = rand.Float64() * cooldownSpread
	}
	until, span := q.current() // a shared cool-down's too: ask made it the Waiter's
	if d := until.Add(time.Duration(st.Share * float64(span))).Sub(now); d > 0 {
		if !fits(now, d, deadline, st.Start) {
			d = deadline.Sub(now)
		}
		return HoldCooldown, d, nil
	}
	if q.limiter == nil && q.remote == nil {
		return 0, 0, nil
	}
	at, ok := q.reservation(st.key())
	if !ok {
		if q.remote != nil {
			return admitShared(now, deadline, v)
		}
		return q.reserveLocal(now, deadline, st)
	}
	if d := at.Sub(now); d > 0 {
		return HoldRateLimit, d, nil
	}
	q.take(st.key()) // this poll uses the token
	return 0, 0, nil
}

// reserveLocal reserves a token of the local limiter for st's poll and
// keeps it until its time, or gives it back at once when it would come too
// late for any poll; an error says the limiter can never grant one.
func (q *quota) reserveLocal(now, deadline time.Time, st *waitState) (Hold, time.Duration, error) {
	if why := unusableLimiter(q.limiter); why != "" { // it may have been changed since NewWaiter
		return 0, 0, invalid("limiter", "%s", why)
	}
	r := q.limiter.ReserveN(now, 1)
	if !r.OK() {
		return 0, 0, invalid("limiter", "its burst is %d; no request can ever be sent", q.limiter.Burst())
	}
	d := r.DelayFrom(now)
	switch {
	case d <= 0:
		return 0, 0, nil // this poll uses the token
	case !fits(now, d, deadline, st.Start):
		r.CancelAt(now) // too late for any poll: give the token back at once
		return HoldRateLimit, deadline.Sub(now), nil
	}
	q.keep(st.key(), reservation{r, now.Add(d)}, now)
	return HoldRateLimit, d, nil
}

// admitShared answers a due poll with no token reserved yet from what the
// shared limiter said (ask kept the token it reserved for later): go now,
// go without it (it failed: fail-open), or hold until the deadline (no
// token before the last poll). A poll it was not asked for, because a
// cool-down that held it when asked has ended since, holds a moment and
// asks again.
func admitShared(now, deadline time.Time, v sharedView) (Hold, time.Duration, error) {
	switch {
	case !v.asked:
		return HoldCooldown, time.Millisecond, nil
	case v.noRoom:
		return HoldRateLimit, deadline.Sub(now), nil
	}
	return 0, 0, nil // this poll uses the token, or the limiter failed
}

// fits reports whether a poll made after d still lands before the
// deadline with the lead the schedule's last poll keeps, in a wait that
// started at start.
func fits(now time.Time, d time.Duration, deadline, start time.Time) bool {
	return now.Add(d).Before(deadline.Add(-lastPollLead(deadline.Sub(start))))
}
