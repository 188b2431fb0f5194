//go:debug randseednop=0

package main

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

// waitTimeout is long enough for every job of the grid: the sim measures
// polling, not the default one-hour timeout.
const waitTimeout = 24 * time.Hour

// waiterFunc returns a WaitFunc that runs the real Waiter, through the
// real Client, on an in-memory API inside a fresh synctest bubble per
// trial, so that every trial starts at the same fake instant.
//
// Trials run one after another and reseed math/rand's global source with
// the trial's seed (see the go:debug line above): the Waiter's jitter
// comes from it (cenkalti/backoff v4), so each trial is reproducible no
// matter which trials ran before.
func waiterFunc(t *testing.T) WaitFunc {
	return func(tr Trial, warm bool) Result {
		var res Result
		synctest.Test(t, func(t *testing.T) {
			mrand.Seed(int64(tr.Seed))
			api := newMemAPI()
			client, err := taurusjob.NewClient(taurusjob.ClientConfig{
				Endpoint:   memEndpoint,
				ProjectID:  memProject,
				Token:      memToken,
				HTTPClient: &http.Client{Transport: api},
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
				id := jobID(tr, 1)
				api.add(jobSpec{ID: id, Created: time.Now(), V: tr.V, Planned: tr.Warm, End: tr.Warm,
					Outcome: Completed, Profile: tr.Profile})
				if _, err := w.Wait(ctx, id); err != nil {
					t.Fatalf("warm-up wait of %s: %v", tr.Cell, err)
				}
				// The API's times have whole seconds: start the measured
				// job on one, so that its "created" is exact.
				time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
			}
			id := jobID(tr, 0)
			api.add(jobSpec{ID: id, Created: time.Now(), V: tr.V, Planned: tr.Planned, End: tr.End,
				Outcome: tr.Outcome, Profile: tr.Profile})
			start := time.Now()
			job, err := w.Wait(ctx, id)
			res = Result{Calls: api.callsFor(id), Returned: time.Since(start), Got: gotOf(job, err)}
		})
		return res
	}
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
