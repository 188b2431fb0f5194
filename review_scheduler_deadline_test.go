package taurusjob_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// "The deadline ... and the grace window are the Poller's own and end it":
// in WaitPollers a Poller ends at its deadline only when the scheduler can
// poll it, and ending it needs no request. With every request slot taken
// (here WithConcurrency(1) and a request that hangs), a Poller whose
// deadline passed is ended only when a slot frees: its final update (and
// its OnState token, its log line) comes 50 s late, at another Poller's
// deadline.
func TestReviewWaitPollersEndsAPollerAtItsDeadlineWhileSlotsAreBusy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var mu sync.Mutex
		ended := map[string]time.Duration{}
		g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			if id == "slow" {
				<-ctx.Done() // a request that hangs until the Poller's deadline
				return nil, &taurusjob.TransportError{Err: ctx.Err()}
			}
			return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 1}, nil
		})
		w := mustWaiter(t, g, taurusjob.WithConcurrency(1), taurusjob.WithTimeout(time.Minute),
			taurusjob.WithProgress(func(u taurusjob.Update) {
				if u.Done {
					mu.Lock()
					ended[u.JobID] = time.Since(start)
					mu.Unlock()
				}
			}))
		fast := mustPoller(t, w, "fast") // deadline at 1 min
		time.Sleep(50 * time.Second)
		slow := mustPoller(t, w, "slow") // deadline at 1 min 50 s
		w.WaitPollers(context.Background(), fast, slow)
		if ended["fast"] != time.Minute {
			t.Errorf("the Poller with a 1 min deadline ended at %s (the other's deadline: %s)", ended["fast"], ended["slow"])
		}
	})
}
