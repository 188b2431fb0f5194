package taurusjob_test

import (
	"context"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// knownBug skips a test that shows a bug in a file another branch owns,
// unless TAURUSJOB_KNOWN_BUGS=1: the test fails until the fix lands, and
// then the skip goes.
func knownBug(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("TAURUSJOB_KNOWN_BUGS") != "1" {
		t.Skip("known bug, fix pending: " + what + " (TAURUSJOB_KNOWN_BUGS=1 runs it)")
	}
}

// A short wait still polls through its last second: a job that completes
// 0.5 s before a 4 s deadline is noticed by polls every 200 ms. The
// schedule's fixed finalLead (1 s, schedule.go) stops all polls a whole
// second before any deadline, so a wait of 1 s polls once, and this one
// times out although the job completed.
func TestShortTimeoutPollsToTheEnd(t *testing.T) {
	knownBug(t, "schedule.go finalLead is a fixed second, however short the wait")
	synctest.Test(t, func(t *testing.T) {
		g := newScript(lifecycle(0, 3500*time.Millisecond, taurusjob.StatusCompleted))
		w := mustWaiter(t, g, taurusjob.WithTimeout(4*time.Second), taurusjob.WithInterval(100*time.Millisecond, 200*time.Millisecond))
		job, err := w.Wait(context.Background(), "job-1")
		if err != nil || job.Status != taurusjob.StatusCompleted {
			t.Errorf("Wait = %v, %v; polls at %v", job, err, g.pollTimes())
		}
	})
}
