package taurusjob_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"golang.org/x/time/rate"
)

// "A rate-limit token it reserved is given back when it ends", and
// WithLimiter's limiter may be shared with other code. A cancel of WaitAll
// ends waits that each hold a reservation (at 1, 2, 3, 4 min), but
// x/time/rate restores a cancelled reservation's token only when no later
// reservation was made after it: the scheduler stops its Pollers in heap
// order (earliest reservation first), so 3 of the 4 tokens stay spent and
// the other users of the limiter are held for minutes by waits that are
// over. Only one request was sent: 30 s after it the bucket should hold
// half a token.
func TestReviewWaitAllCancelGivesBackEveryReservedToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 1}, nil
		})
		lim := rate.NewLimiter(rate.Every(time.Minute), 1)
		w := mustWaiter(t, g, taurusjob.WithLimiter(lim), taurusjob.WithTimeout(time.Hour))
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(30*time.Second, cancel)
		w.WaitAll(ctx, jobIDs(5)...)
		if tokens := lim.Tokens(); tokens < 0.4 {
			t.Errorf("limiter holds %.2f tokens after the cancel; want about 0.5 (one request sent)", tokens)
		}
	})
}

// The same through concurrent Waits of one Waiter, ended by one cancel:
// which order they stop in is up to the goroutines, so the fix of the
// scheduler's order cannot apply; 2 or 3 of the 4 tokens stay spent.
func TestReviewConcurrentWaitsCancelGiveBackEveryReservedToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 1}, nil
		})
		lim := rate.NewLimiter(rate.Every(time.Minute), 1)
		w := mustWaiter(t, g, taurusjob.WithLimiter(lim), taurusjob.WithTimeout(time.Hour))
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(30*time.Second, cancel)
		var wg sync.WaitGroup
		for _, id := range jobIDs(5) {
			wg.Go(func() { w.Wait(ctx, id) })
		}
		wg.Wait()
		if tokens := lim.Tokens(); tokens < 0.4 {
			t.Errorf("limiter holds %.2f tokens after the cancel; want about 0.5 (one request sent)", tokens)
		}
	})
}
