package taurusjob_test

import (
	"context"
	mrand "math/rand"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// etaRecord waits for job on the in-memory fake and returns every update
// and the instant the API first answered Completed.
func etaRecord(t *testing.T, job taurusjobtest.Job) ([]taurusjob.Update, time.Time) {
	t.Helper()
	var updates []taurusjob.Update
	srv, c := fakeAPI(t)
	created := time.Now()
	id := srv.AddJob(job)
	w := mustWaiter(t, c, taurusjob.WithTimeout(3*time.Hour),
		taurusjob.WithProgress(func(u taurusjob.Update) { updates = append(updates, u) }))
	if _, err := w.Wait(context.Background(), id); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	return updates, created.Add(job.Invisible + job.Running)
}

// A user shown "ETA 3m10s–3m40s" relies on it: on a job whose percent
// grows linearly, every window the waiter gives holds the job's true end,
// in every trial of a seeded grid of durations, invisible times and
// jitters; and the waiter does give one.
func TestETAHoldsTheTrueEnd(t *testing.T) {
	for _, d := range []time.Duration{2 * time.Minute, 10 * time.Minute, 30 * time.Minute, 2 * time.Hour} {
		for _, v := range []time.Duration{0, 8 * time.Second} {
			for seed := range int64(10) {
				synctest.Test(t, func(t *testing.T) {
					mrand.Seed(seed)
					running := time.Duration(float64(d) * (0.9 + 0.2*mrand.Float64())).Truncate(time.Second)
					updates, end := etaRecord(t, taurusjobtest.Job{Invisible: v, Running: running})
					windows := 0
					for _, u := range updates {
						if u.EndEarliest.IsZero() {
							continue
						}
						windows++
						if end.Before(u.EndEarliest) || (!u.EndLatest.IsZero() && end.After(u.EndLatest)) {
							t.Errorf("D %s, V %s, seed %d, poll %d: ETA [%s, %s] misses the end at %s", d, v, seed, u.Poll,
								u.EndEarliest.Sub(end), u.EndLatest.Sub(end), running+v)
						}
					}
					if windows == 0 {
						t.Errorf("D %s, V %s, seed %d: no update gave an ETA for a linear job", d, v, seed)
					}
				})
			}
		}
	}
}

// A percent that goes back lies about the end: from that poll on, the
// waiter shows no ETA, and no update of an ended job has one.
func TestETAAbsentWhenThePercentLies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lies := func(elapsed, total time.Duration) int {
			p := int(100 * elapsed / total)
			if p >= 50 {
				p -= 20 // back to 30 % at half time, then on
			}
			return p
		}
		updates, _ := etaRecord(t, taurusjobtest.Job{Running: 30 * time.Minute, Profile: lies})
		lied, before := false, 0
		for _, u := range updates {
			if !lied && u.Progress >= 30 && u.Progress < 50 && u.Elapsed > 15*time.Minute {
				lied = true
			}
			switch {
			case !lied && !u.EndEarliest.IsZero():
				before++
			case lied && (!u.EndEarliest.IsZero() || !u.EndLatest.IsZero()):
				t.Errorf("poll %d at %d%%, after the percent went back: ETA [%s, %s]", u.Poll, u.Progress,
					u.EndEarliest, u.EndLatest)
			}
		}
		if !lied || before == 0 {
			t.Errorf("the script did not run as planned: lied %v, %d updates with an ETA before", lied, before)
		}
		if last := updates[len(updates)-1]; !last.Done || !last.EndEarliest.IsZero() || last.Progress != 100 {
			t.Errorf("final update %+v; want Done, no ETA, progress 100 on Completed", last)
		}
	})
}
