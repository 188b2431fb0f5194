package taurusjob

import (
	"context"
	"fmt"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/defaults"
	"go.uber.org/zap"
)

const (
	// maxTimeout bounds WithTimeout and WithVisibilityGrace: the API keeps
	// a job for a month, so a longer wait cannot be meant, and a state
	// token that claims one is forged or damaged.
	maxTimeout = 366 * 24 * time.Hour
	// finalLead is how long before the deadline the last poll is made, so
	// that it can still be answered; a tenth of the wait for waits shorter
	// than 10 s (see lastPollLead).
	finalLead = time.Second
)

// Option configures a [Waiter].
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	timeout         time.Duration
	grace           time.Duration
	minInterval     time.Duration
	maxInterval     time.Duration
	budget          time.Duration
	history         *History
	progress        func(Update)
	hooks           []func(context.Context, Update) // at most maxHooks
	logger          *zap.Logger
	returnOnPending bool
	concurrency     int
	errs            []error

	ready          bool          // WithReady (ready.go)
	settle         time.Duration // WithSettle
	forConnections bool          // WithReadyForConnections

	quota quotaConfig // quota.go
	state stateConfig // resume.go
}

func defaultConfig() config {
	return config{
		timeout:     defaults.Timeout,
		grace:       defaults.VisibilityGrace,
		minInterval: defaults.MinInterval,
		maxInterval: defaults.MaxInterval,
		budget:      defaults.LatencyBudget,
		logger:      zap.NewNop(),
		concurrency: defaults.Concurrency,
		settle:      defaultSettle,
	}
}

func (c *config) fail(format string, args ...any) {
	c.errs = append(c.errs, &InputError{Field: "option", Reason: fmt.Sprintf(format, args...)})
}

// WithTimeout bounds each wait (default 1 h: creating an instance takes
// minutes, not hours). ctx's own deadline also counts: the earlier one
// ends the wait.
func WithTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 || d > maxTimeout {
			c.fail("WithTimeout(%s): must be positive and at most %s (the API keeps a job for a month)", d, maxTimeout)
		}
		c.timeout = d
	})
}

// WithVisibilityGrace sets how long after Wait starts a 404 or an empty
// answer means "not visible yet" (default 60 s: the API shows a new job
// after a few seconds, and a minute covers a slow region without hiding a
// wrong id for long). Past it, Wait returns a [*NotVisibleError]. Zero
// fails on the first 404.
func WithVisibilityGrace(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d < 0 || d > maxTimeout {
			c.fail("WithVisibilityGrace(%s): must be between 0 and %s", d, maxTimeout)
		}
		c.grace = d
	})
}

// WithInterval bounds the delays between polls (defaults 1 s and 5 min):
// min is the shortest delay and the first one after an error, max the
// longest, whatever predicts the job's end and whatever Retry-After a
// server sends, so a job that fails is noticed within max however long it
// runs. The first poll is always made at once.
func WithInterval(min, max time.Duration) Option {
	return optionFunc(func(c *config) {
		if min <= 0 || max < min {
			c.fail("WithInterval(%s, %s): need 0 < min <= max", min, max)
		}
		c.minInterval, c.maxInterval = min, max
	})
}

// WithProgress calls f with the [Update] of every poll, of every due poll
// the Waiter's shared quota holds ([Update.Held]), and of the end of the
// wait, whoever drives the wait: [Waiter.Wait], [Waiter.WaitAll] or a
// caller's own [Poller.Poll] (a Poll that is not due yet is not reported).
// f runs synchronously inside Poll, never concurrently for one wait (but
// concurrently for concurrent waits of one Waiter); a slow f delays the
// next poll. If f panics, the panic is recovered and logged at error
// level, f is not called again for that wait, and the wait goes on.
func WithProgress(f func(Update)) Option {
	return optionFunc(func(c *config) { c.progress = f })
}

// maxHooks bounds WithUpdateHook: a Poller keeps one bit per hook (see
// mutedHook).
const maxHooks = 64 - mutedHook

// WithUpdateHook adds f, called with every [Update] the [WithProgress]
// callback gets (before it), and with the ctx of the call that made the
// update (Wait, WaitAll, WaitPollers or Poll), so that instrumentation can
// find the caller's trace span in ctx: it is the hook of the
// OpenTelemetry module. Unlike WithProgress it may be given several times
// (up to 62); the hooks run in order, synchronously, never concurrently for
// one wait. If f panics, the panic is recovered and logged, f is not
// called again for that wait, and the wait goes on.
func WithUpdateHook(f func(ctx context.Context, u Update)) Option {
	return optionFunc(func(c *config) {
		switch {
		case f == nil:
			c.fail("WithUpdateHook(nil)")
		case len(c.hooks) >= maxHooks:
			c.fail("WithUpdateHook: more than %d hooks", maxHooks)
		default:
			c.hooks = append(c.hooks, f)
		}
	})
}

// WithLogger logs through l: debug for each poll, info at the end of each
// wait, warn for an unknown or Unauthorized status. Default: no logging.
func WithLogger(l *zap.Logger) Option {
	return optionFunc(func(c *config) {
		if l == nil {
			l = zap.NewNop()
		}
		c.logger = l
	})
}

// WithReturnOnPending makes Wait return (job, nil) as soon as the job is
// Pending: provisioning code that only needs the job queued (a job
// scheduled for a maintenance window may wait days) checks job.Status.
func WithReturnOnPending() Option {
	return optionFunc(func(c *config) { c.returnOnPending = true })
}

// WithConcurrency bounds how many requests one [Waiter.WaitAll] (or
// [Waiter.WaitPollers]) has in flight at once (default 16). It does not
// bound the waits: every job is waited for from the start, and a job
// between polls costs memory only.
func WithConcurrency(n int) Option {
	return optionFunc(func(c *config) {
		if n <= 0 {
			c.fail("WithConcurrency(%d): must be positive", n)
		}
		c.concurrency = n
	})
}

// WithLatencyBudget sets the median detection lag accepted when nothing
// predicts the job's end (default 5 s, the lag of the common 10 s loops):
// the waiter then polls every two budgets, within the bounds of
// [WithInterval]. A smaller
// budget notices completion sooner and spends more calls, in proportion.
func WithLatencyBudget(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 {
			c.fail("WithLatencyBudget(%s): must be positive", d)
		}
		c.budget = d
	})
}

// WithHistory makes the Waiter learn how long completed jobs took, by job
// name, in h (shared with other Waiters, or loaded from an earlier run);
// the next job of the same name is then polled around its likely end. By
// default each Waiter has a history of its own.
func WithHistory(h *History) Option {
	return optionFunc(func(c *config) {
		if h == nil {
			c.fail("WithHistory(nil)")
		}
		c.history = h
	})
}
