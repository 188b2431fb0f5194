package taurusjob_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// A request still in flight at the deadline: Result must be what Wait
// returns (issue 12). Wait puts the Poller's deadline on its ctx, so poll
// takes the cut request for a caller's cancel and does not count it; a
// caller's own Poll counts it (the "expired" path). The TimeoutErrors
// then differ in Polls for the same requests sent.
func TestReviewRequestSpanningDeadlineCountedAlikeByWaitAndPoll(t *testing.T) {
	hanging := func() (taurusjob.JobGetter, *atomic.Int32) {
		var calls atomic.Int32
		return getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			if calls.Add(1) == 1 {
				return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 1}, nil
			}
			<-ctx.Done() // hangs past the deadline
			return nil, &taurusjob.TransportError{Err: ctx.Err()}
		}), &calls
	}
	var waitErr, pollErr error
	var waitCalls, pollCalls int32
	synctest.Test(t, func(t *testing.T) {
		g, calls := hanging()
		_, waitErr = mustWaiter(t, g, taurusjob.WithTimeout(time.Minute)).Wait(context.Background(), "job-1")
		waitCalls = calls.Load()
	})
	synctest.Test(t, func(t *testing.T) {
		g, calls := hanging()
		_, pollErr = driveByHand(mustPoller(t, mustWaiter(t, g, taurusjob.WithTimeout(time.Minute)), "job-1"))
		pollCalls = calls.Load()
	})
	var wt, pt *taurusjob.TimeoutError
	if !errors.As(waitErr, &wt) || !errors.As(pollErr, &pt) {
		t.Fatalf("Wait: %v; Poll: %v; want timeouts", waitErr, pollErr)
	}
	if waitCalls != pollCalls || wt.Polls != pt.Polls {
		t.Errorf("same %d/%d requests sent; Wait's TimeoutError says %d polls, the Poller's %d",
			waitCalls, pollCalls, wt.Polls, pt.Polls)
	}
}
