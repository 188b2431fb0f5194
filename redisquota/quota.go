// Package redisquota shares one tenant's request quota between processes
// through Redis: a [Limiter] given to taurusjob.WithLimiter in every
// worker or controller replica keeps all of their polls under one rate
// (GCRA, by github.com/go-redis/redis_rate), and a 429 seen by any of them
// holds them all for the cool-down (a Redis key that expires with it).
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379", ContextTimeoutEnabled: true})
//	q, err := redisquota.New(rdb, "tenant-a", 18, 1) // 18 requests a second, bursts of 1
//	w, err := taurusjob.NewWaiter(client, taurusjob.WithLimiter(q))
package redisquota

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"time"
	"unicode"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/taurusdb-tools/taurusjob"
)

// DefaultPrefix starts the name of every key a Limiter uses, unless
// [WithPrefix] says otherwise.
const DefaultPrefix = "taurusjob:quota:"

// Limiter is one tenant's quota, shared through Redis by every process
// that makes one with the same client address, prefix and tenant. It is a
// taurusjob.Limiter and a taurusjob.SharedCooldown, safe for concurrent
// use. Its keys are "rate:" + prefix + tenant + ":rate" (redis_rate adds
// "rate:"; it holds the GCRA's theoretical arrival time) and prefix +
// tenant + ":cooldown" (present while a 429 holds every process).
type Limiter struct {
	rdb      redis.UniversalClient
	gcra     *redis_rate.Limiter
	limit    rate.Limit
	burst    int
	interval time.Duration // one token's worth of time: 1/limit
	rateKey  string
	coolKey  string
}

// Option changes how [New] makes a Limiter.
type Option func(*settings)

type settings struct{ prefix string }

// WithPrefix starts every key name with prefix instead of [DefaultPrefix],
// for a Redis shared with other users. It must not be empty.
func WithPrefix(prefix string) Option { return func(s *settings) { s.prefix = prefix } }

// New returns the quota of tenant on rdb: rps requests a second in all
// the processes that share it, with bursts of at most burst, as
// rate.NewLimiter(rps, burst) gives one process. rps may be rate.Inf to
// share only the 429 cool-down. Processes sharing a tenant must agree on
// rps and burst; each request is granted by the rate its own process
// states. tenant names the quota (the API user whose requests the gateway
// counts), and must be 1 to 200 printable characters. A bad argument gives
// an error matching taurusjob.ErrInvalidInput. New makes no request:
// a Redis that is down shows at the first poll (taurusjob fails open).
func New(rdb redis.UniversalClient, tenant string, rps rate.Limit, burst int, opts ...Option) (*Limiter, error) {
	s := settings{prefix: DefaultPrefix}
	for _, o := range opts {
		o(&s)
	}
	switch {
	case rdb == nil || reflect.ValueOf(rdb).Kind() == reflect.Pointer && reflect.ValueOf(rdb).IsNil():
		return nil, invalid("the Redis client is nil")
	case tenant == "" || len(tenant) > 200 || !printable(tenant):
		return nil, invalid("tenant %q must be 1 to 200 printable characters", tenant)
	case s.prefix == "" || !printable(s.prefix):
		return nil, invalid("the key prefix %q must be printable and not empty", s.prefix)
	case rps != rate.Inf && (math.IsNaN(float64(rps)) || rps <= 0 || rps > 1e6):
		return nil, invalid("rps is %v; it must be above 0 and at most 1e6, or rate.Inf", float64(rps))
	case rps != rate.Inf && (burst < 1 || burst > 1e6):
		return nil, invalid("burst is %d; it must be 1 to 1e6", burst)
	}
	l := &Limiter{rdb: rdb, gcra: redis_rate.NewLimiter(rdb), limit: rps, burst: burst,
		rateKey: s.prefix + tenant + ":rate", coolKey: s.prefix + tenant + ":cooldown"}
	if rps != rate.Inf {
		l.interval = time.Duration(float64(time.Second) / float64(rps))
	}
	return l, nil
}

// Limit returns the rate of the quota, in requests a second.
func (l *Limiter) Limit() rate.Limit { return l.limit }

// Burst returns the largest burst of the quota.
func (l *Limiter) Burst() int { return l.burst }

// ReserveWithin reserves one request token, to be used after wait, if
// wait is at most within; otherwise it reserves nothing and reports !ok.
// A token reserved cannot be given back. It is one Redis call (a script)
// on Redis' own clock, so the processes' clocks need not agree.
//
// It is GCRA with a queue: redis_rate is asked with a burst widened by the
// tokens that fall due within `within`, so that a request is admitted into
// the queue rather than refused, and its place in it (how long after now
// the quota's next free moment is, ResetAfter, less the real burst) is
// when it may go. The stored state is the one redis_rate keeps, so any
// process, whatever its within, reads the same queue.
func (l *Limiter) ReserveWithin(ctx context.Context, within time.Duration) (time.Duration, bool, error) {
	if l.limit == rate.Inf {
		return 0, true, nil
	}
	queued := int64(within / l.interval) // tokens that fall due within `within`
	limit := redis_rate.Limit{Rate: 1, Period: l.interval, Burst: int(min(int64(l.burst)+queued, math.MaxInt32))}
	res, err := l.gcra.Allow(ctx, l.rateKey, limit)
	if err != nil {
		return 0, false, fmt.Errorf("redisquota: reserving a token of %s: %w", l.rateKey, err)
	}
	if res.Allowed == 0 {
		return 0, false, nil
	}
	return max(res.ResetAfter-time.Duration(l.burst)*l.interval, 0), true, nil
}

// holdAll sets the cool-down key to expire in ARGV[1] ms, unless it
// already expires later (a key with no expiry, set by hand, is replaced).
var holdAll = redis.NewScript(`
local ms = tonumber(ARGV[1])
if redis.call("PTTL", KEYS[1]) < ms then
  redis.call("SET", KEYS[1], ARGV[1], "PX", ms)
end
return 0
`)

// HoldAll holds every process sharing the quota until until: a 429 was
// seen. A hold that ends later is kept. The key expires with the hold, so
// nothing is left behind; until is turned into a time from now, so the
// processes' clocks need not agree.
func (l *Limiter) HoldAll(ctx context.Context, until time.Time) error {
	ms := time.Until(until).Milliseconds()
	if ms <= 0 {
		return nil
	}
	if err := holdAll.Run(ctx, l.rdb, []string{l.coolKey}, ms).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("redisquota: setting %s: %w", l.coolKey, err)
	}
	return nil
}

// HeldUntil returns when the hold a 429 set ends, or zero when none does.
func (l *Limiter) HeldUntil(ctx context.Context) (time.Time, error) {
	ttl, err := l.rdb.PTTL(ctx, l.coolKey).Result()
	if err != nil {
		return time.Time{}, fmt.Errorf("redisquota: reading %s: %w", l.coolKey, err)
	}
	if ttl <= 0 { // -2: no key; -1: no expiry, which HoldAll never sets
		return time.Time{}, nil
	}
	return time.Now().Add(ttl), nil
}

func printable(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) || r == ' ' {
			return false
		}
	}
	return true
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("redisquota: %s: %w", fmt.Sprintf(format, args...), taurusjob.ErrInvalidInput)
}

// The seams of taurusjob that a Limiter fills.
var (
	_ taurusjob.Limiter        = (*Limiter)(nil)
	_ taurusjob.SharedCooldown = (*Limiter)(nil)
)
