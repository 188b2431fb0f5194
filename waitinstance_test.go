package taurusjob_test

import (
	"context"
	"iter"
	"testing"

	"github.com/taurusdb-tools/taurusjob"
)

// listerOf is a getter that lists jobs as given (a list that moved by more
// than a page between two requests gives a job twice) and finds each one
// completed.
type listerOf []*taurusjob.Job

func (l listerOf) GetJob(_ context.Context, id string) (*taurusjob.Job, error) {
	return &taurusjob.Job{ID: id, Status: taurusjob.StatusCompleted, Progress: 100}, nil
}

func (l listerOf) ListJobs(context.Context, taurusjob.JobFilter) iter.Seq2[*taurusjob.Job, error] {
	return func(yield func(*taurusjob.Job, error) bool) {
		for _, j := range l {
			if !yield(j, nil) {
				return
			}
		}
	}
}

// WaitInstanceJobs gives one result per unfinished job of the instance:
// a job the list gives twice is waited for and reported once, so that a
// caller counting the results (or "taurusjob wait --instance" printing
// them) sees each job once.
func TestWaitInstanceJobsReportsEachJobOnce(t *testing.T) {
	run := func(id string) *taurusjob.Job { return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning} }
	w := mustWaiter(t, listerOf{run("job-1"), run("job-2"), run("job-1")})
	res, err := w.WaitInstanceJobs(context.Background(), "inst1in07")
	if err != nil || len(res) != 2 || res[0].JobID != "job-1" || res[1].JobID != "job-2" {
		t.Fatalf("WaitInstanceJobs = %+v, %v; want job-1 and job-2, once each", res, err)
	}
}
