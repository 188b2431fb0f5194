package taurusjob_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// A short wait still polls through most of its last second: a job that
// completes 0.5 s before a 4 s deadline is noticed by polls every 200 ms.
// (With the schedule's old fixed one-second lead, every poll stopped a
// whole second before any deadline and this wait timed out.)
func TestShortTimeoutPollsToTheEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(lifecycle(0, 3500*time.Millisecond, taurusjob.StatusCompleted))
		w := mustWaiter(t, g, taurusjob.WithTimeout(4*time.Second), taurusjob.WithInterval(100*time.Millisecond, 200*time.Millisecond))
		job, err := w.Wait(context.Background(), "job-1")
		if err != nil || job.Status != taurusjob.StatusCompleted {
			t.Errorf("Wait = %v, %v; polls at %v", job, err, g.pollTimes())
		}
	})
}
