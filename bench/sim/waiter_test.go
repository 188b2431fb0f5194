//go:debug randseednop=0

package main

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// waitTimeout is long enough for every job of the grid: the sim measures
// polling, not the default one-hour timeout.
const waitTimeout = 24 * time.Hour

// waiterFunc returns a WaitFunc that runs the real Waiter, through the
// real Client, against the fake job API (taurusjobtest, in memory), inside
// a fresh synctest bubble per trial, so that every trial starts at the
// same fake instant. driver is how the measured wait is driven: "wait"
// calls Waiter.Wait; "token" rebuilds a Poller from its resume token at
// every step (see byToken). The warm-up wait always uses Wait.
//
// Trials run one after another and reseed math/rand's global source with
// the trial's seed (see the go:debug line above), so that a Waiter drawing
// its jitter from that source is replayed exactly, whichever trials ran
// before. A Waiter drawing from math/rand/v2 cannot be replayed; see
// replayable.
func waiterFunc(t *testing.T, driver string) WaitFunc {
	return func(tr Trial, warm bool) Result {
		var res Result
		synctest.Test(t, func(t *testing.T) {
			mrand.Seed(int64(tr.Seed))
			api := taurusjobtest.NewInMemory(taurusjobtest.WithMaxRecords(0))
			defer api.Close()
			client, err := taurusjob.NewClient(taurusjob.ClientConfig{
				Endpoint:   api.URL(),
				ProjectID:  api.ProjectID(),
				Token:      api.Token(),
				HTTPClient: api.Client(),
			})
			if err != nil {
				t.Fatal(err)
			}
			w, err := taurusjob.NewWaiter(client, taurusjob.WithTimeout(waitTimeout))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if warm {
				id := api.AddJob(fakeJob(tr, jobID(tr, 1), tr.Warm, tr.Warm, Completed))
				if _, err := w.Wait(ctx, id); err != nil {
					t.Fatalf("warm-up wait of %s: %v", tr.Cell, err)
				}
				// The API's times have whole seconds: start the measured
				// job on one, so that its "created" is exact.
				time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
			}
			id := api.AddJob(fakeJob(tr, jobID(tr, 0), tr.Planned, tr.End, tr.Outcome))
			start := time.Now()
			var job *taurusjob.Job
			if driver == "token" {
				job, err = byToken(t, w, id)
			} else {
				job, err = w.Wait(ctx, id)
			}
			res = Result{Calls: api.RequestCount(id), Returned: time.Since(start), Got: gotOf(job, err)}
		})
		return res
	}
}

// byToken waits for id as a controller that keeps nothing but the wait's
// token between its steps: rebuild the Poller, Poll once, save the token,
// sleep Next.
func byToken(t *testing.T, w *taurusjob.Waiter, id string) (*taurusjob.Job, error) {
	p, err := w.NewPoller(id)
	if err != nil {
		t.Fatal(err)
	}
	for {
		token, err := p.ResumeToken()
		if err == nil {
			p, err = w.ResumePoller(id, token)
		}
		if err != nil {
			t.Fatalf("rebuilding the Poller of %s: %v", id, err)
		}
		u, _ := p.Poll(context.Background())
		if p.Done() {
			return p.Result()
		}
		time.Sleep(u.Next)
	}
}

// fakeJob scripts a trial's job, created now: invisible for V, then
// Running until end with the trial's progress profile reported against
// the planned duration (a job failing early fails part-way), then its
// outcome.
func fakeJob(tr Trial, id string, planned, end time.Duration, o Outcome) taurusjobtest.Job {
	profile := fakeProfile(tr.Profile)
	total := planned - tr.V
	j := taurusjobtest.Job{
		ID:        id,
		Created:   time.Now(),
		Invisible: tr.V,
		Phases: []taurusjobtest.Phase{{
			Status:  "Running",
			For:     end - tr.V, // 0 or less: the job is terminal as soon as it is visible
			Profile: func(elapsed, _ time.Duration) int { return profile(elapsed, total) },
		}},
		Outcome: taurusjobtest.Completed,
	}
	if o == Failed {
		j.Outcome = taurusjobtest.Failed
	}
	return j
}

func fakeProfile(p Profile) taurusjobtest.Profile {
	switch p {
	case ProfileLinear:
		return taurusjobtest.Linear
	case ProfileSteps:
		return taurusjobtest.Steps(20)
	case ProfileStall:
		return taurusjobtest.StallThenJump
	case ProfileFront:
		return taurusjobtest.FrontLoaded
	case ProfileStuck:
		return taurusjobtest.StuckAt(99)
	}
	return taurusjobtest.NoProgress
}

// replayable reports whether the Waiter gives the same result twice on
// the same trial: true when all its randomness comes from math/rand's
// global source, which waiterFunc reseeds. The probe is a 10-min job
// without progress, the case where schedules jitter the most.
func replayable(t *testing.T) bool {
	wait := waiterFunc(t, "wait")
	tr := Trials(Cell{D: 10 * time.Minute, Profile: ProfileNone, Outcome: Completed}, 1)[0]
	return wait(tr, false) == wait(tr, false)
}

// jobID makes a UUID-shaped id from the trial's seed.
func jobID(tr Trial, n uint64) string {
	r := tr.rng(1000 + n)
	a, b := r.Uint64(), r.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(a>>32), uint16(a>>16), a&0xfff, b>>52, b&0xffffffffffff)
}

// gotOf classifies what Wait returned.
func gotOf(job *taurusjob.Job, err error) Got {
	var jf *taurusjob.JobFailedError
	switch {
	case err == nil && job != nil && job.Status == taurusjob.StatusCompleted:
		return GotCompleted
	case errors.As(err, &jf):
		return GotFailed
	}
	return GotError
}
