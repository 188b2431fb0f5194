package taurusjob_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// job30m is a 30-minute job created when the script starts; percent gives
// its reported progress at each moment (-1 for none).
func job30m(name string, d time.Duration, percent func(e time.Duration) int) *scriptGetter {
	var g *scriptGetter
	g = newScript(func(e time.Duration) (*taurusjob.Job, error) {
		job := &taurusjob.Job{Name: name, Created: g.start, Status: taurusjob.StatusRunning, Progress: percent(e)}
		if e >= d {
			job.Status, job.Progress, job.Ended = taurusjob.StatusCompleted, -1, g.start.Add(d)
		}
		return job, nil
	})
	return g
}

func noPercent(time.Duration) int { return -1 }

// lagAndPolls runs one wait and returns how long after the job's end it
// returned, and the polls it made.
func lagAndPolls(t *testing.T, w *taurusjob.Waiter, g *scriptGetter, d time.Duration) (time.Duration, int) {
	t.Helper()
	job, err := w.Wait(context.Background(), "job-1")
	if err != nil || job.Status != taurusjob.StatusCompleted {
		t.Fatalf("Wait = %+v, %v", job, err)
	}
	return time.Since(g.start) - d, len(g.pollTimes())
}

// A percent that grows like a line lets the waiter sleep through the
// middle of the job and poll closely around its end: few calls, and the
// end noticed within seconds.
func TestWaitPredictsEndFromPercent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := 30*time.Minute + 17*time.Second
		g := job30m("CreateGaussDBforMySQLInstance", d, linear(d))
		lag, polls := lagAndPolls(t, mustWaiter(t, g), g, d)
		t.Logf("30-minute linear job: %d polls, lag %s", polls, lag)
		if polls > 28 || lag > 6*time.Second {
			t.Errorf("30-minute linear job: %d polls, noticed %s late; want <= 28 polls and <= 6s", polls, lag)
		}
	})
}

// Without a percent, a second job of a name the Waiter has seen complete
// (taking 2 % longer) is polled around the end its predecessor took, not
// all along the way: the 30 calls for a 30-minute job.
func TestWaitLearnsDurationByName(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		history := new(taurusjob.History)
		first := job30m("ResizeFlavor", 30*time.Minute, noPercent)
		_, blindPolls := lagAndPolls(t, mustWaiter(t, first, taurusjob.WithHistory(history)), first, 30*time.Minute)

		second := job30m("ResizeFlavor", 30*time.Minute+30*time.Second, noPercent)
		lag, polls := lagAndPolls(t, mustWaiter(t, second, taurusjob.WithHistory(history)), second, 30*time.Minute+30*time.Second)
		t.Logf("blind: %d polls; second job: %d polls, lag %s", blindPolls, polls, lag)
		if polls > 30 || polls >= blindPolls/3 || lag > 20*time.Second {
			t.Errorf("second job of a known name: %d polls (blind: %d), noticed %s late; want <= 30 polls and <= 20s",
				polls, blindPolls, lag)
		}
	})
}

// However confident the prediction, a job that fails early is noticed
// within half its age (at least the min interval): the waiter never sleeps
// through the middle blindly.
func TestWaitNoticesEarlyFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := 2 * time.Hour
		failAt := 40 * time.Minute
		var g *scriptGetter
		g = newScript(func(e time.Duration) (*taurusjob.Job, error) {
			job := &taurusjob.Job{Name: "CreateGaussDBforMySQLInstance", Created: g.start, Status: taurusjob.StatusRunning, Progress: int(100 * e / d)}
			if e >= failAt {
				job.Status, job.FailReason, job.Progress = taurusjob.StatusFailed, "disk full", -1
			}
			return job, nil
		})
		_, err := mustWaiter(t, g, taurusjob.WithTimeout(3*time.Hour)).Wait(context.Background(), "job-1")
		lag := time.Since(g.start) - failAt
		if err == nil || lag > failAt/2 {
			t.Errorf("failure at %s noticed %s late (err %v); want within half the job's age", failAt, lag, err)
		}
	})
}

// stuckAt99 climbs like a line to 99 % in a tenth of d, then stays there
// until the job completes at d: a job whose last step takes the time.
func stuckAt99(d time.Duration) func(time.Duration) int {
	return func(e time.Duration) int { return min(99, int(99*e/(d/10))) }
}

// A percent that stops moving must not fool the waiter: the line it drew
// is dropped once the job runs past the line's latest end, so a job stuck
// at 99 % for 27 minutes costs no more calls than a job with no percent at
// all (it cost 1,131 when each reading at 99 % slid the end forward), and
// no update carries an end window once the job has outlived a latest end
// an earlier update gave (an end that slides forward is one outlived).
func TestWaitDropsTheLineOfAStuckPercent(t *testing.T) {
	d := 30 * time.Minute
	calls := func(percent func(time.Duration) int) (polls, outlived int) {
		synctest.Test(t, func(t *testing.T) {
			g := job30m("ResizeFlavor", d, percent)
			var said time.Time // the earliest latest end an update gave
			w := mustWaiter(t, g, taurusjob.WithProgress(func(u taurusjob.Update) {
				if u.EndLatest.IsZero() {
					return
				}
				if !said.IsZero() && time.Now().After(said) {
					outlived++
				}
				if said.IsZero() || u.EndLatest.Before(said) {
					said = u.EndLatest
				}
			}))
			_, polls = lagAndPolls(t, w, g, d)
		})
		return polls, outlived
	}
	stuck, outlived := calls(stuckAt99(d))
	none, _ := calls(noPercent)
	t.Logf("30-minute job stuck at 99 %%: %d polls, %d updates with an outlived end; the same job without a percent: %d polls", stuck, outlived, none)
	if stuck > none || outlived > 0 {
		t.Errorf("stuck at 99 %%: %d polls (no percent: %d) and %d updates whose end window had passed; want at most %d and 0", stuck, none, outlived, none)
	}
}

// A Running job that stops reporting its percent (Progress -1) after a
// while must not keep the line it drew while it did: once the job runs
// past the line's latest end the waiter polls as it does without a
// percent (the blind interval, about 10 s), and no update reports an end
// window long past.
func TestWaitDropsTheLineWhenThePercentGoes(t *testing.T) {
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
			if !u.EndLatest.IsZero() && time.Now().After(u.EndLatest) {
				stale++
			}
		}))
		w.Wait(context.Background(), "job-1")
		late := 0
		for _, e := range g.pollTimes() {
			if e > 10*time.Minute {
				late++
			}
		}
		if stale > 0 || late > 70 {
			t.Errorf("%d updates trust an end window already past; %d polls in the last 10 min (blind: about 60)", stale, late)
		}
	})
}
