package taurustemporal

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/taurusdb-tools/taurusjob"
)

// Types of the application errors the activities return, to match with
// [temporal.ApplicationError.Type] in workflow code. Except [TypeNotDone],
// they are the wait's outcome ([taurusjob.Outcome]) and the errors are
// non-retryable: a retry would resume the same wait and end it the same way.
const (
	// TypeFailed: the job ended Failed; Result.FailReason says why.
	TypeFailed = "failed"
	// TypeCanceled: the job ended Canceled (on the TaurusDB side).
	TypeCanceled = "canceled"
	// TypeNotVisible: the job never appeared within the visibility grace
	// window: most likely a wrong id.
	TypeNotVisible = "not_visible"
	// TypeError: the API answered in a way retrying cannot fix (400,
	// 401 after a token refresh, 403); Result.Error holds the code.
	TypeError = "error"
	// TypeTimeout: the Waiter's own deadline (taurusjob.WithTimeout,
	// counted from the first attempt) passed. Temporal's own timeouts end
	// an attempt as Temporal timeouts instead (see [Activities.WaitForJob]).
	TypeTimeout = "timeout"
	// TypeInvalidInput: a malformed job id, or Activities without a Waiter;
	// nothing was sent.
	TypeInvalidInput = "invalid_input"
	// TypeNotDone: the retryable error of [Activities.PollJob] while the
	// job runs, with the next retry delay set to the next poll.
	TypeNotDone = "not_done"
)

// ending turns a finished wait into the activity's return values: the
// Result for a completed (or, with WithReturnOnPending, pending) job,
// otherwise a non-retryable application error of the outcome's type with
// the Result as its details.
func ending(p *taurusjob.Poller, u taurusjob.Update) (Result, error) {
	job, err := p.Result()
	if job == nil {
		job = u.Job
	}
	outcome := taurusjob.Outcome(job, err)
	r := newResult(outcome, p.JobID(), job, err, u)
	if err == nil {
		return r, nil
	}
	return Result{}, temporal.NewNonRetryableApplicationError(r.Error, outcome, nil, r)
}

// interrupted is the activity's error when its ctx ended before the wait
// did. A cancel asked by the workflow ends as Temporal's canceled error
// with the state so far as details. Anything else (the attempt's
// start-to-close deadline, a worker shutting down, a heartbeat refused
// after a heartbeat timeout) returns ctx's error: Temporal's timeouts and
// retry policy then decide, and a retry resumes from the last heartbeat.
func interrupted(ctx context.Context, p *taurusjob.Poller, u taurusjob.Update) error {
	r := newResult("interrupted", p.JobID(), u.Job, ctx.Err(), u)
	if errors.Is(ctx.Err(), context.Canceled) && temporal.IsCanceledError(context.Cause(ctx)) {
		return temporal.NewCanceledError(r)
	}
	return fmt.Errorf("taurustemporal: wait for job %s stopped after %d polls: %w", p.JobID(), u.Poll, ctx.Err())
}

// invalidInput is the error for a request that cannot start a wait.
func invalidInput(err error) error {
	return temporal.NewNonRetryableApplicationError(err.Error(), TypeInvalidInput, nil)
}
