package taurusjob_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// A Poller is safe for concurrent use, and its callbacks may read the
// Poller (ResumeToken, Done, Result). Both together deadlocked when a
// callback ran holding the callback lock and wanted the state lock, while
// a second Poll held the state lock and wanted the callback lock; the
// locks are now always taken in one order. Here goroutine A's
// progress callback reads p.Done() (a callback saving p.ResumeToken()
// is the same) while goroutine B's Poll ends the wait at the deadline.
// Real time: a mutex deadlock is not "durably blocked" for synctest.
func TestReviewCallbackReadingPollerDuringConcurrentPollDoesNotDeadlock(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var pp atomic.Pointer[taurusjob.Poller]
	var calls atomic.Int32
	g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
		return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 1}, nil
	})
	w := mustWaiter(t, g, taurusjob.WithTimeout(300*time.Millisecond),
		taurusjob.WithProgress(func(u taurusjob.Update) {
			if calls.Add(1) == 1 {
				close(entered)
				<-release
			}
			_ = pp.Load().Done() // "may read the Poller"
		}))
	p := mustPoller(t, w, "job-1")
	pp.Store(p)

	aDone, bDone := make(chan struct{}), make(chan struct{})
	go func() { defer close(aDone); p.Poll(context.Background()) }()
	<-entered
	time.Sleep(400 * time.Millisecond) // past the Poller's deadline
	go func() { defer close(bDone); p.Poll(context.Background()) }()
	time.Sleep(100 * time.Millisecond) // let B block behind A (if it did not yet, the test proves less, never fails wrongly)
	close(release)
	timeout := time.After(3 * time.Second)
	for _, c := range []chan struct{}{aDone, bDone} {
		select {
		case <-c:
		case <-timeout:
			t.Fatal("deadlock: a callback reading the Poller blocks, and so does the concurrent Poll")
		}
	}
}
