package taurusjob_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/defaults"
	"golang.org/x/time/rate"
)

// runningUntil answers Running until end, then Completed.
func runningUntil(end, e time.Duration, id string) *taurusjob.Job {
	if e < end {
		return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: int(100 * e / end)}
	}
	return &taurusjob.Job{ID: id, Status: taurusjob.StatusCompleted, Progress: -1}
}

// waitAllCompleted runs one Wait per id concurrently on w and fails the
// test unless every one completes.
func waitAllCompleted(t *testing.T, w *taurusjob.Waiter, ids []string) {
	t.Helper()
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			job, err := w.Wait(context.Background(), id)
			if err != nil || job.Status != taurusjob.StatusCompleted {
				t.Errorf("Wait(%s) = %+v, %v; want Completed", id, job, err)
			}
		})
	}
	wg.Wait()
}

// One wait answered 429 holds every wait of the Waiter: none polls until
// the cool-down (Retry-After, capped by the max interval, or
// defaults.ThrottleCooldown without one) is over, and each is released within
// a fifth of the cool-down after it ends, not much later.
func TestCooldownIsShared(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter time.Duration
		opts       []taurusjob.Option
		want       time.Duration
	}{
		{"Retry-After 30s", 30 * time.Second, nil, 30 * time.Second},
		{"no Retry-After", 0, nil, defaults.ThrottleCooldown},
		{"Retry-After capped by max interval", 24 * time.Hour,
			[]taurusjob.Option{taurusjob.WithInterval(time.Second, 20*time.Second)}, 20 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				log := newPollLog()
				var mu sync.Mutex
				throttledAt := time.Duration(-1)
				g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
					e := log.record(id)
					mu.Lock()
					throttle := id == "job-000" && e >= 5*time.Second && throttledAt < 0
					if throttle {
						throttledAt = e
					}
					mu.Unlock()
					if throttle {
						return nil, &taurusjob.APIError{StatusCode: 429, Code: "APIGW.0308", RetryAfter: tt.retryAfter}
					}
					return runningUntil(2*time.Minute, e, id), nil
				})
				ids := jobIDs(4)
				waitAllCompleted(t, mustWaiter(t, g, tt.opts...), ids)
				if throttledAt < 0 {
					t.Fatal("the 429 was never answered")
				}
				end := throttledAt + tt.want
				for _, id := range ids {
					polls := log.of(id)
					i := slices.IndexFunc(polls, func(p time.Duration) bool { return p > throttledAt })
					if i < 0 {
						t.Fatalf("%s never polled after the 429 at %s", id, throttledAt)
					}
					if next := polls[i]; next < end || next > end+tt.want/5+time.Millisecond {
						t.Errorf("%s polled at %s after a 429 at %s; want within [%s, %s]",
							id, next, throttledAt, end, end+tt.want/5)
					}
				}
			})
		})
	}
}

// Waits held by one cool-down are released spread out, not all at the
// instant it ends: a thousand waits would otherwise stampede the quota.
func TestCooldownReleaseIsSpread(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 50
		log := newPollLog()
		var once sync.Once
		g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			e := log.record(id)
			throttled := false
			if e >= 5*time.Second {
				once.Do(func() { throttled = true })
			}
			if throttled {
				return nil, &taurusjob.APIError{StatusCode: 429, RetryAfter: 30 * time.Second}
			}
			return runningUntil(2*time.Minute, e, id), nil
		})
		waitAllCompleted(t, mustWaiter(t, g), jobIDs(n))
		var released []time.Duration
		for _, id := range jobIDs(n) {
			polls := log.of(id)
			if i := slices.IndexFunc(polls, func(p time.Duration) bool { return p > 30*time.Second }); i >= 0 {
				released = append(released, polls[i])
			}
		}
		slices.Sort(released)
		if len(released) != n {
			t.Fatalf("%d waits polled after the cool-down, want %d", len(released), n)
		}
		if spread := released[n-1] - released[0]; spread < 2*time.Second {
			t.Errorf("the first polls after the cool-down span %s (%v); want them spread over at least 2s", spread, released)
		}
		if distinct := len(slices.Compact(released)); distinct < n/2 {
			t.Errorf("the first polls after the cool-down fall on %d instants for %d waits", distinct, n)
		}
	})
}

// Waits started together for jobs that report no percent do not keep
// polling together: once the schedule polls at its blind interval, its
// jitter spreads them. (Their first few polls, capped at 5, 10, 15, 22.5 s
// by the failure bound, still fall at the same instants: with many waits,
// the rate limit or the 429 cool-down is what spreads those.)
func TestBlindPollsOfWaitsStartedTogetherAreSpread(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 50
		log := newPollLog()
		g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			if log.record(id) < 3*time.Minute {
				return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: -1}, nil
			}
			return &taurusjob.Job{ID: id, Status: taurusjob.StatusCompleted, Progress: -1}, nil
		})
		waitAllCompleted(t, mustWaiter(t, g), jobIDs(n))
		checked := 0
		for k := 1; ; k++ {
			var kth []time.Duration
			for _, id := range jobIDs(n) {
				if polls := log.of(id); len(polls) > k {
					kth = append(kth, polls[k])
				}
			}
			if len(kth) < n {
				break
			}
			slices.Sort(kth)
			if kth[0] < 30*time.Second || kth[n-1] > 3*time.Minute {
				continue
			}
			checked++
			if spread := kth[n-1] - kth[0]; spread < time.Second {
				t.Errorf("poll %d of %d waits spans %s (%s to %s); want at least 1s", k+1, n, spread, kth[0], kth[n-1])
			}
		}
		if checked < 5 {
			t.Errorf("only %d polls checked between 30s and 3m; want the blind polls of a 3-minute job", checked)
		}
	})
}

// With a rate limit, the polls of many waits stay within it in every
// window, the limit is used (not starved), and every wait completes.
func TestRateLimitIsShared(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const rps, burst = 5.0, 5
		log := newPollLog()
		g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			return runningUntil(90*time.Second, log.record(id), id), nil
		})
		waitAllCompleted(t, mustWaiter(t, g, taurusjob.WithLimiter(rate.NewLimiter(rate.Limit(rps), burst))), jobIDs(100))
		polls := log.times()
		for _, win := range []time.Duration{time.Second, 10 * time.Second, time.Minute} {
			checkRate(t, polls, rps, burst, win)
		}
		if n := len(log.times()); n < int(0.9*rps*90) {
			t.Errorf("%d polls in the jobs' 90s; the limit of %v/s was not used", n, rps)
		}
	})
}

// Several Waiters given one limiter share its quota.
func TestLimiterSharedBetweenWaiters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log := newPollLog()
		g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			return runningUntil(time.Minute, log.record(id), id), nil
		})
		lim := rate.NewLimiter(4, 2)
		var wg sync.WaitGroup
		for i := range 3 {
			w := mustWaiter(t, g, taurusjob.WithLimiter(lim))
			wg.Go(func() { waitAllCompleted(t, w, jobIDs(60)[20*i:20*(i+1)]) })
		}
		wg.Wait()
		checkRate(t, log.times(), 4, 2, time.Second)
		checkRate(t, log.times(), 4, 2, 10*time.Second)
	})
}

// A cancel while a wait waits for a token ends it at once, with its state;
// a deadline it cannot reach with a token ends it at the deadline, not
// after, and gives the token back.
func TestTokenWaitEnds(t *testing.T) {
	running := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
		return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 40}, nil
	})
	t.Run("cancel", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			lim := rate.NewLimiter(rate.Every(time.Hour), 1)
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(10*time.Second, cancel)
			start := time.Now()
			job, err := mustWaiter(t, running, taurusjob.WithLimiter(lim)).Wait(ctx, "job-1")
			var te *taurusjob.TimeoutError
			if !errors.As(err, &te) || !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v; want a *TimeoutError matching context.Canceled", err)
			}
			if time.Since(start) != 10*time.Second || te.Polls != 1 || job == nil || job.Progress != 40 {
				t.Errorf("returned after %s with %d polls, job %+v; want at the cancel, 1 poll, the Running job",
					time.Since(start), te.Polls, job)
			}
		})
	})
	t.Run("deadline", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			lim := rate.NewLimiter(rate.Every(time.Hour), 1)
			start := time.Now()
			job, err := mustWaiter(t, running, taurusjob.WithLimiter(lim), taurusjob.WithTimeout(10*time.Minute)).
				Wait(context.Background(), "job-1")
			var te *taurusjob.TimeoutError
			if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, taurusjob.ErrTimeout) {
				t.Fatalf("err = %v; want a *TimeoutError matching DeadlineExceeded", err)
			}
			if time.Since(start) != 10*time.Minute || te.Polls != 1 || job == nil || taurusjob.LastJob(err) != job {
				t.Errorf("returned after %s with %d polls, job %+v; want at the deadline, 1 poll, the Running job",
					time.Since(start), te.Polls, job)
			}
			if tokens := lim.Tokens(); tokens <= 0 {
				t.Errorf("limiter has %.3f tokens after the wait gave up; the unused token was not given back", tokens)
			}
		})
	})
	// A wait that cannot poll before its deadline does not hold a token
	// the other waits could use meanwhile.
	t.Run("no token held past reach", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			log := newPollLog()
			g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
				log.record(id)
				return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 40}, nil
			})
			lim := rate.NewLimiter(rate.Every(20*time.Second), 1)
			short := mustWaiter(t, g, taurusjob.WithLimiter(lim), taurusjob.WithTimeout(30*time.Second))
			long := mustWaiter(t, g, taurusjob.WithLimiter(lim), taurusjob.WithTimeout(2*time.Minute))
			var wg sync.WaitGroup
			wg.Go(func() { _, _ = short.Wait(context.Background(), "short") })
			time.Sleep(25 * time.Second)
			wg.Go(func() { _, _ = long.Wait(context.Background(), "long") })
			wg.Wait()
			// rate.Limiter rounds its delays to a nanosecond or so.
			near := func(a, b time.Duration) bool { return (a - b).Abs() < time.Millisecond }
			if got := log.of("short"); len(got) != 2 || got[0] != 0 || !near(got[1], 20*time.Second) {
				t.Errorf("short wait polled at %v; want 0 and 20s (the 40s token is past its deadline)", got)
			}
			if got := log.of("long"); len(got) == 0 || !near(got[0], 40*time.Second) {
				t.Errorf("long wait polled first at %v; want at 40s, with the token the short wait could not use", got)
			}
		})
	})
}

// Bad limits are refused by NewWaiter; a limiter that can never grant a
// token ends the wait with an error, not a silent hang until the timeout.
func TestRateLimitValidation(t *testing.T) {
	g := newScript(nil)
	bad := map[string]taurusjob.Option{
		"zero rps":     taurusjob.WithLimiter(rate.NewLimiter(0, 1)),
		"negative rps": taurusjob.WithLimiter(rate.NewLimiter(-1, 1)),
		"zero burst":   taurusjob.WithLimiter(rate.NewLimiter(1, 0)),
	}
	for name, opt := range bad {
		if _, err := taurusjob.NewWaiter(g, opt); !errors.Is(err, taurusjob.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
	for name, opt := range map[string]taurusjob.Option{
		"nil limiter":   taurusjob.WithLimiter(nil),
		"infinite rate": taurusjob.WithLimiter(rate.NewLimiter(rate.Inf, 0)),
	} {
		if _, err := taurusjob.NewWaiter(g, opt); err != nil {
			t.Errorf("%s: err = %v, want none", name, err)
		}
	}
	synctest.Test(t, func(t *testing.T) {
		lim := rate.NewLimiter(1, 1)
		w := mustWaiter(t, g, taurusjob.WithLimiter(lim))
		lim.SetBurst(0)
		start := time.Now()
		_, err := w.Wait(context.Background(), "job-1")
		var we *taurusjob.WaitError
		if !errors.As(err, &we) || !errors.Is(err, taurusjob.ErrInvalidInput) || time.Since(start) != 0 || len(g.pollTimes()) != 0 {
			t.Errorf("err = %v after %s and %d polls; want a *WaitError matching ErrInvalidInput at once, no poll",
				err, time.Since(start), len(g.pollTimes()))
		}
	})
}
