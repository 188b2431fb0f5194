package taurustemporal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"

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

// typeWorkerStopping is the type of the retryable error a wait ends its
// attempt with when its worker begins to stop (see [workerStopping]).
// Workflows never see it unless the retry policy runs out of attempts.
const typeWorkerStopping = "worker_stopping"

// stopRetryDelay is the next retry delay of a wait handed on by a stopping
// worker: "at once" (a zero delay would mean "as the retry policy says",
// which grows with every attempt). The retry goes to a worker still
// polling; the resumed wait then polls when its schedule says, not sooner.
const stopRetryDelay = 10 * time.Millisecond

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
	if err == nil && p.JobID() == "" {
		outcome = "ready" // WaitForReady's instance
	}
	if u.Instance == nil {
		u.Instance = p.Instance()
	}
	r := newResult(outcome, p.JobID(), job, err, u)
	if err == nil {
		return r, nil
	}
	return Result{}, temporal.NewNonRetryableApplicationError(r.Error, outcome, nil, r)
}

// interrupted is the activity's error when its ctx ended before the wait
// did. A cancel asked by the workflow ends as Temporal's canceled error
// with the state so far as details; a worker that cancels its activities
// at the end of its WorkerStopTimeout gets [workerStopping]. Anything else
// (the attempt's start-to-close deadline, a heartbeat refused after a
// heartbeat timeout) returns ctx's error: Temporal's timeouts and retry
// policy then decide, and a retry resumes from the last heartbeat.
func interrupted(ctx context.Context, p *taurusjob.Poller, u taurusjob.Update) error {
	r := newResult("interrupted", p.JobID(), u.Job, ctx.Err(), u)
	cause := context.Cause(ctx)
	if errors.Is(ctx.Err(), context.Canceled) && temporal.IsCanceledError(cause) {
		return temporal.NewCanceledError(r)
	}
	if errors.Is(cause, worker.ErrWorkerShutdown) {
		return workerStopping(ctx, p, u)
	}
	return fmt.Errorf("taurustemporal: wait for %s stopped after %d polls: %w", subject(p), u.Poll, ctx.Err())
}

// workerStopping hands a wait on when its worker begins to stop: it
// heartbeats the resume token (the SDK sends the last heartbeat before it
// reports the failure) and returns a retryable error that the server
// retries at once, on a worker still polling, which resumes the wait from
// that token. Without it a stopping worker's waits would sit until their
// heartbeat timeout.
func workerStopping(ctx context.Context, p *taurusjob.Poller, u taurusjob.Update) error {
	heartbeat(ctx, p, u)
	r := newResult("interrupted", p.JobID(), u.Job, nil, u)
	return temporal.NewApplicationErrorWithOptions(
		fmt.Sprintf("taurustemporal: the worker is stopping; the wait for %s goes on in the next attempt after %d polls",
			subject(p), u.Poll),
		typeWorkerStopping,
		temporal.ApplicationErrorOptions{
			NextRetryDelay: stopRetryDelay,
			Details:        []any{r},
			Category:       temporal.ApplicationErrorCategoryBenign,
		})
}

// invalidInput is the error for a request that cannot start a wait.
func invalidInput(err error) error {
	return temporal.NewNonRetryableApplicationError(err.Error(), TypeInvalidInput, nil)
}

// subject names what p waits for: its job, or its instance alone.
func subject(p *taurusjob.Poller) string {
	if p.JobID() == "" {
		return "instance " + p.InstanceID()
	}
	return "job " + p.JobID()
}
