package taurusjob_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"golang.org/x/time/rate"
)

// A controller that keeps only the token (as ExamplePoller does) rebuilds
// its Poller at every reconcile. When a shared limiter holds a poll, each
// rebuilt Poller reserves a fresh token and is then dropped without giving
// it back: every step pushes the next token further out, so the wait never
// polls again and times out, while Wait on the same job completes.
// Issue 12: "a Poller rebuilt from its token on every step ... spends
// within one call of Wait on the same job with the same outcome" and "a
// rate-limit token it reserved is given back".
func TestReviewRebuiltPollerUnderRateLimitStillPolls(t *testing.T) {
	run := func(drive func(w *taurusjob.Waiter) (*taurusjob.Job, error)) (string, int) {
		var outcome string
		var calls int
		synctest.Test(t, func(t *testing.T) {
			g := newScript(lifecycle(0, 2*time.Minute, taurusjob.StatusCompleted))
			lim := rate.NewLimiter(rate.Every(10*time.Second), 1)
			lim.Allow() // other code on the same quota took the token
			w := mustWaiter(t, g, taurusjob.WithLimiter(lim), taurusjob.WithTimeout(10*time.Minute))
			job, err := drive(w)
			outcome, calls = taurusjob.Outcome(job, err), len(g.pollTimes())
		})
		return outcome, calls
	}
	waitOutcome, waitCalls := run(func(w *taurusjob.Waiter) (*taurusjob.Job, error) {
		return w.Wait(context.Background(), "job-1")
	})
	tokenOutcome, tokenCalls := run(func(w *taurusjob.Waiter) (*taurusjob.Job, error) {
		return rebuiltEachStep(t, w, "job-1")
	})
	if waitOutcome != tokenOutcome || abs(waitCalls-tokenCalls) > 1 {
		t.Errorf("Wait: %s after %d calls; rebuilt from its token at every step: %s after %d calls",
			waitOutcome, waitCalls, tokenOutcome, tokenCalls)
	}
}
