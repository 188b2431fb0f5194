package taurusjob_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/defaults"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
	"golang.org/x/time/rate"
)

// A *rate.Limiter is a Limiter as it is: users' WithLimiter(rate.NewLimiter(…))
// compiles and works unchanged.
var _ taurusjob.Limiter = rate.NewLimiter(1, 1)

// fakeShared is a limiter shared between processes, as the core sees one:
// reserve answers ReserveWithin (nil: a token now), and it records the
// calls and the cool-downs it is told of.
type fakeShared struct {
	reserve func(ctx context.Context, within time.Duration) (time.Duration, bool, error)

	mu       sync.Mutex
	reserves int
	held     time.Time   // what HeldUntil answers
	holdAlls []time.Time // the holds HoldAll was given
}

func (f *fakeShared) Limit() rate.Limit { return 20 }
func (f *fakeShared) Burst() int        { return 1 }

func (f *fakeShared) ReserveWithin(ctx context.Context, within time.Duration) (time.Duration, bool, error) {
	f.mu.Lock()
	f.reserves++
	f.mu.Unlock()
	if f.reserve == nil {
		return 0, true, nil
	}
	return f.reserve(ctx, within)
}

func (f *fakeShared) HoldAll(ctx context.Context, until time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.holdAlls = append(f.holdAlls, until)
	if until.After(f.held) {
		f.held = until
	}
	return nil
}

func (f *fakeShared) HeldUntil(ctx context.Context) (time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.held, nil
}

func (f *fakeShared) counts() (reserves, holdAlls int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reserves, len(f.holdAlls)
}

func running(time.Duration) (*taurusjob.Job, error) {
	return &taurusjob.Job{Status: taurusjob.StatusRunning, Progress: -1}, nil
}

// A token the shared limiter reserves for later holds the poll until then,
// as a local one does: Poll returns at once with HoldRateLimit and Next the
// time left, the limiter is not asked again for the same poll, and the poll
// goes at its time.
func TestSharedLimiterHoldsUntilReserved(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeShared{reserve: func(context.Context, time.Duration) (time.Duration, bool, error) {
			return 3 * time.Second, true, nil
		}}
		g := newScript(running)
		p := mustPoller(t, mustWaiter(t, g, taurusjob.WithLimiter(f)), "job-1")
		for range 2 {
			u, err := p.Poll(context.Background())
			if err != nil || u.Polled || u.Held != taurusjob.HoldRateLimit || u.Next != 3*time.Second {
				t.Fatalf("Poll = %+v, %v; want held by the rate limit for 3s", u, err)
			}
		}
		time.Sleep(3 * time.Second)
		if u, err := p.Poll(context.Background()); err != nil || !u.Polled {
			t.Fatalf("Poll at the reserved time = %+v, %v; want a poll", u, err)
		}
		if n, _ := f.counts(); n != 1 {
			t.Errorf("the shared limiter was asked %d times for one poll; want once", n)
		}
	})
}

// The shared limiter is called with no lock of the Poller held, as any
// request is: while it answers, Done, ResumeToken and another Poll answer
// at once (the Poll as "a poll in flight").
func TestSharedLimiterCalledWithoutLock(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	f := &fakeShared{reserve: func(context.Context, time.Duration) (time.Duration, bool, error) {
		close(entered)
		<-release
		return 0, true, nil
	}}
	g := getterFunc(func(context.Context, string) (*taurusjob.Job, error) { return running(0) })
	p := mustPoller(t, mustWaiter(t, g, taurusjob.WithLimiter(f)), "job-1")
	first := make(chan taurusjob.Update)
	go func() { u, _ := p.Poll(context.Background()); first <- u }()
	<-entered
	if p.Done() {
		t.Error("Done during the limiter call; want false")
	}
	if _, err := p.ResumeToken(); err != nil {
		t.Errorf("ResumeToken during the limiter call: %v", err)
	}
	if u, err := p.Poll(context.Background()); err != nil || u.Polled || u.Held == 0 {
		t.Errorf("a second Poll during the limiter call = %+v, %v; want held, a poll in flight", u, err)
	}
	close(release)
	if u := <-first; !u.Polled {
		t.Errorf("the first Poll = %+v; want it polled once the limiter answered", u)
	}
}

// A shared limiter that fails, or hangs, never ends or stalls a wait: each
// call is bounded by a second, the poll then goes as if there were no
// limit (fail-open), and one warning says so, not one per poll.
func TestSharedLimiterFailsOpen(t *testing.T) {
	for name, reserve := range map[string]func(context.Context, time.Duration) (time.Duration, bool, error){
		"error": func(context.Context, time.Duration) (time.Duration, bool, error) {
			return 0, false, errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
		},
		"hangs": func(ctx context.Context, _ time.Duration) (time.Duration, bool, error) {
			<-ctx.Done()
			return 0, false, ctx.Err()
		},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				core, logs := observer.New(zapcore.WarnLevel)
				g := newScript(running)
				w := mustWaiter(t, g, taurusjob.WithLimiter(&fakeShared{reserve: reserve}), taurusjob.WithLogger(zap.New(core)))
				for _, id := range []string{"job-1", "job-2"} {
					start := time.Now()
					u, err := mustPoller(t, w, id).Poll(context.Background())
					if err != nil || !u.Polled || time.Since(start) > time.Second {
						t.Fatalf("Poll(%s) = %+v, %v after %s; want a poll within a second", id, u, err, time.Since(start))
					}
				}
				if n := logs.FilterMessageSnippet("shared quota failed").Len(); n != 1 {
					t.Errorf("%d warnings about the failing limiter; want 1", n)
				}
			})
		})
	}
}

// A shared limiter with no token before the wait's last poll holds it to
// its deadline, where it ends, as a local one does.
func TestSharedLimiterNoRoomHoldsToDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var asked time.Duration
		f := &fakeShared{reserve: func(_ context.Context, within time.Duration) (time.Duration, bool, error) {
			asked = within
			return 0, false, nil
		}}
		p := mustPoller(t, mustWaiter(t, newScript(running), taurusjob.WithLimiter(f), taurusjob.WithTimeout(time.Minute)), "job-1")
		u, err := p.Poll(context.Background())
		if err != nil || u.Polled || u.Held != taurusjob.HoldRateLimit || u.Next != time.Minute {
			t.Errorf("Poll = %+v, %v; want held by the rate limit to the deadline, 1m", u, err)
		}
		if asked <= 0 || asked >= time.Minute {
			t.Errorf("ReserveWithin was given %s; want the time to the last poll, under 1m", asked)
		}
	})
}

// The 429 cool-down is shared through a limiter that implements
// SharedCooldown: a 429 seen here holds all (HoldAll, 5 s without a
// Retry-After), and a hold set elsewhere holds this process's waits.
func TestSharedCooldown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeShared{}
		throttled := newScript(func(time.Duration) (*taurusjob.Job, error) {
			return nil, &taurusjob.APIError{StatusCode: 429, Code: "APIGW.0308"}
		})
		start := time.Now()
		if u, err := mustPoller(t, mustWaiter(t, throttled, taurusjob.WithLimiter(f)), "job-1").Poll(context.Background()); err != nil || !u.Polled {
			t.Fatalf("Poll = %+v, %v; want a poll answered 429", u, err)
		}
		if _, n := f.counts(); n != 1 || !f.holdAlls[0].Equal(start.Add(defaults.ThrottleCooldown)) {
			t.Fatalf("HoldAll calls = %v; want one, until %s", f.holdAlls, start.Add(defaults.ThrottleCooldown))
		}
		other := mustWaiter(t, newScript(running), taurusjob.WithLimiter(f)) // another process's Waiter
		u, err := mustPoller(t, other, "job-2").Poll(context.Background())
		if err != nil || u.Polled || u.Held != taurusjob.HoldCooldown ||
			u.Next < defaults.ThrottleCooldown || u.Next > defaults.ThrottleCooldown*6/5 {
			t.Errorf("Poll of another Waiter = %+v, %v; want held by the shared cool-down for 5s to 6s", u, err)
		}
	})
}

// A Limiter that is neither a *rate.Limiter nor shared, a nil one of a
// shared type, or a shared one with no usable rate is refused by NewWaiter.
func TestLimiterSeamValidation(t *testing.T) {
	var nilShared *fakeShared
	for name, l := range map[string]taurusjob.Limiter{
		"rate and burst only": rateOnly{},
		"nil shared":          nilShared,
		"zero rate shared":    zeroShared{},
	} {
		if _, err := taurusjob.NewWaiter(newScript(running), taurusjob.WithLimiter(l)); !errors.Is(err, taurusjob.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
	var nilRate *rate.Limiter
	if _, err := taurusjob.NewWaiter(newScript(running), taurusjob.WithLimiter(nilRate)); err != nil {
		t.Errorf("a nil *rate.Limiter, no limit as before: err = %v", err)
	}
}

type rateOnly struct{}

func (rateOnly) Limit() rate.Limit { return 1 }
func (rateOnly) Burst() int        { return 1 }

type zeroShared struct{ rateOnly }

func (zeroShared) Limit() rate.Limit { return 0 }
func (zeroShared) ReserveWithin(context.Context, time.Duration) (time.Duration, bool, error) {
	return 0, true, nil
}

// A token that came due while a shared cool-down held the poll is not used
// at the cool-down's end but reserved anew, so that the waits a cool-down
// held do not all poll as it ends (a burst the gateway answers 429 again).
func TestSharedCooldownRequeuesHeldTokens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeShared{reserve: func(context.Context, time.Duration) (time.Duration, bool, error) {
			return 2 * time.Second, true, nil
		}}
		p := mustPoller(t, mustWaiter(t, newScript(running), taurusjob.WithLimiter(f)), "job-1")
		if u, _ := p.Poll(context.Background()); u.Held != taurusjob.HoldRateLimit {
			t.Fatalf("first Poll = %+v; want held by the rate limit", u)
		}
		_ = f.HoldAll(context.Background(), time.Now().Add(5*time.Second)) // another process saw a 429
		time.Sleep(2 * time.Second)
		u, _ := p.Poll(context.Background())
		if u.Held != taurusjob.HoldCooldown {
			t.Fatalf("Poll at the token's time, under the cool-down = %+v; want held by it", u)
		}
		time.Sleep(u.Next)
		if u, _ := p.Poll(context.Background()); u.Polled || u.Held != taurusjob.HoldRateLimit {
			t.Errorf("Poll at the cool-down's end = %+v; want held by a new reservation, not a poll", u)
		}
		if n, _ := f.counts(); n != 2 {
			t.Errorf("the limiter was asked %d times; want 2 (the token that came due under the cool-down, then anew)", n)
		}
	})
}
