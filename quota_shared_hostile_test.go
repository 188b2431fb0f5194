package taurusjob_test

import (
	"context"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// panickyShared is a shared limiter and cool-down with a bug: the call
// named by panics panics, as one built on a nil Redis client does.
type panickyShared struct {
	fakeShared
	panics string
}

func (f *panickyShared) ReserveWithin(ctx context.Context, within time.Duration) (time.Duration, bool, error) {
	f.maybe("ReserveWithin")
	return f.fakeShared.ReserveWithin(ctx, within)
}

func (f *panickyShared) HeldUntil(ctx context.Context) (time.Time, error) {
	f.maybe("HeldUntil")
	return f.fakeShared.HeldUntil(ctx)
}

func (f *panickyShared) HoldAll(ctx context.Context, until time.Time) error {
	f.maybe("HoldAll")
	return f.fakeShared.HoldAll(ctx, until)
}

func (f *panickyShared) maybe(call string) {
	if f.panics == call {
		panic("redis: nil client")
	}
}

// No panic reaches a caller, and a shared quota that cannot answer fails
// open: a user's limiter (or cool-down) whose call panics is taken as one
// that failed, so that Poll neither crashes the program nor leaves the
// Poller "a poll in flight" forever: the job is polled (a 429 retried),
// and the next poll goes.
func TestSharedLimiterPanicFailsOpen(t *testing.T) {
	for _, call := range []string{"ReserveWithin", "HeldUntil", "HoldAll"} {
		t.Run(call, func(t *testing.T) {
			throttled := true
			g := getterFunc(func(context.Context, string) (*taurusjob.Job, error) {
				if throttled { // a 429 first, so that HoldAll is called
					throttled = false
					return nil, &taurusjob.APIError{StatusCode: http.StatusTooManyRequests}
				}
				return &taurusjob.Job{Status: taurusjob.StatusCompleted, Progress: 100}, nil
			})
			p := mustPoller(t, mustWaiter(t, g, taurusjob.WithLimiter(&panickyShared{panics: call})), "job-1")
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("Poll panicked: %v", r)
				}
			}()
			u, err := p.Poll(context.Background())
			if err != nil || !u.Polled || u.Err == nil {
				t.Fatalf("first Poll = %+v, %v; want the job polled, the 429 retried", u, err)
			}
			if u, _ := p.Poll(context.Background()); u.Held.String() == "a poll in flight" {
				t.Fatalf("second Poll = %+v; want no poll in flight left behind", u)
			}
		})
	}
}

// A cool-down is capped by the max interval, as the package says, so
// that no hostile header can stall the Waiter: one read from the shared
// quota is too (a process with a longer max interval, a key set by hand
// with a long expiry), so that it cannot hold every wait of every process
// until its deadline: held once for at most that, then the polls go.
func TestSharedCooldownIsCappedByMaxInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeShared{held: time.Now().Add(24 * time.Hour)}
		w := mustWaiter(t, newScript(running), taurusjob.WithLimiter(f), taurusjob.WithInterval(time.Second, 30*time.Second))
		p := mustPoller(t, w, "job-1")
		u, err := p.Poll(context.Background())
		if err != nil || u.Held != taurusjob.HoldCooldown || u.Next > 30*time.Second*6/5 {
			t.Fatalf("Poll under a shared hold of 24h = %+v, %v; want held at most the max interval 30s (and its spread)", u, err)
		}
		time.Sleep(u.Next)
		if u, err := p.Poll(context.Background()); err != nil || !u.Polled {
			t.Errorf("Poll after the capped hold = %+v, %v; want a poll, not the same hold again", u, err)
		}
	})
}
