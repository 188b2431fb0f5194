package taurusjob_test

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// A controller that keeps only the token times out with the same error
// Wait gives: after a run of 502s, Wait's TimeoutError says why
// (LastErr); a Poller rebuilt from its token at every step ends at the
// deadline with LastErr nil ("timed out" with no reason), since the token
// does not carry the last error.
func TestReviewRebuiltPollerTimeoutKeepsLastErr(t *testing.T) {
	script := func(time.Duration) (*taurusjob.Job, error) {
		return nil, &taurusjob.APIError{StatusCode: http.StatusBadGateway, Message: "bad gateway"}
	}
	var waitErr, tokenErr error
	synctest.Test(t, func(t *testing.T) {
		mrand.Seed(3)
		_, waitErr = mustWaiter(t, newScript(script), taurusjob.WithTimeout(10*time.Minute)).
			Wait(context.Background(), "job-1")
	})
	synctest.Test(t, func(t *testing.T) {
		mrand.Seed(3)
		w := mustWaiter(t, newScript(script), taurusjob.WithTimeout(10*time.Minute))
		_, tokenErr = rebuiltEachStep(t, w, "job-1")
	})
	var wt, pt *taurusjob.TimeoutError
	if !errors.As(waitErr, &wt) || !errors.As(tokenErr, &pt) {
		t.Fatalf("Wait: %v; rebuilt: %v; want timeouts", waitErr, tokenErr)
	}
	if fmt.Sprint(wt.LastErr) != fmt.Sprint(pt.LastErr) {
		t.Errorf("LastErr: Wait %v; rebuilt from its token at every step %v", wt.LastErr, pt.LastErr)
	}
}
