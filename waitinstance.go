package taurusjob

import (
	"context"
	"fmt"
	"iter"
)

// jobLister is a getter that can also list jobs, as [*Client] does.
type jobLister interface {
	ListJobs(ctx context.Context, f JobFilter) iter.Seq2[*Job, error]
}

// WaitInstanceJobs waits for the jobs of one instance that have not ended
// yet (Pending, Running, or any other status that is not terminal), as
// [Waiter.WaitAll] does, and returns their results in the list's order,
// one per job, however often the list gives it. A
// job that had ended when the list was read is not waited for; no such job
// at all gives an empty slice and a nil error.
//
// The Waiter's getter must list jobs ([*Client] does, with
// [Client.ListJobs]); another gives an error matching [ErrInvalidInput],
// as an empty or malformed instance id does. An error of the listing ends
// the call before any wait, and says how many unfinished jobs it had
// found.
func (w *Waiter) WaitInstanceJobs(ctx context.Context, instanceID string) ([]Result, error) {
	if err := validateInstanceID(instanceID); err != nil {
		return nil, err
	}
	l, ok := w.getter.(jobLister)
	if !ok {
		return nil, invalid("job getter", "%T cannot list jobs: WaitInstanceJobs needs a getter such as *taurusjob.Client", w.getter)
	}
	var ids []string
	listed := map[string]bool{} // a list that moved by more than a page gives a job twice
	for job, err := range l.ListJobs(ctx, JobFilter{Instance: instanceID}) {
		if err != nil {
			return nil, fmt.Errorf("taurusjob: jobs of instance %s (%d unfinished found before the error): %w",
				instanceID, len(ids), err)
		}
		if !job.Status.Terminal() && !listed[job.ID] {
			listed[job.ID] = true
			ids = append(ids, job.ID)
		}
	}
	if len(ids) == 0 {
		return []Result{}, nil
	}
	return w.WaitAll(ctx, ids...), nil
}
