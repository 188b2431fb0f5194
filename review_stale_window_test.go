package taurusjob_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// progressTrack's doc: the track is marked broken when "the predicted end
// passes". It is only re-checked on a reading with a percent: a Running
// job that stops reporting its percent (Progress -1) keeps a predicted end
// window that is long past, and the Poller keeps polling at the window's
// step (here about 5 s) instead of the blind interval (10 s), reporting
// EndLatest in the past, until the deadline.
func TestReviewPassedEndWindowIsNotTrustedWithoutPercent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(func(e time.Duration) (*taurusjob.Job, error) {
			p := -1
			if e < 40*time.Second {
				p = int(100 * e / (100 * time.Second)) // 1 % a second, then the API drops the percent
			}
			return &taurusjob.Job{Status: taurusjob.StatusRunning, Progress: p}, nil
		})
		var stale int
		w := mustWaiter(t, g, taurusjob.WithTimeout(20*time.Minute), taurusjob.WithProgress(func(u taurusjob.Update) {
			if !u.EndLatest.IsZero() && time.Now().After(u.EndLatest.Add(time.Minute)) {
				stale++
			}
		}))
		w.Wait(context.Background(), "job-1")
		polls := g.pollTimes()
		late := 0
		for _, e := range polls {
			if e > 10*time.Minute {
				late++
			}
		}
		if stale > 0 || late > 70 {
			t.Errorf("%d updates trust an end window over a minute past; %d polls in the last 10 min (blind: about 60)", stale, late)
		}
	})
}
