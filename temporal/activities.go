package taurustemporal

import (
	"context"
	"errors"

	"go.temporal.io/sdk/activity"

	"github.com/taurusdb-tools/taurusjob"
)

// Activities waits for TaurusDB jobs as Temporal activities. Register it on
// a worker (worker.RegisterActivity(&Activities{Waiter: w})) and call its
// methods from workflows; its methods are safe for concurrent use, and all
// the waits of one Activities share the Waiter's quota (its 429 cool-down
// and rate limit) across the worker.
type Activities struct {
	// Waiter polls the jobs. Its options apply to waits that start on this
	// worker; a wait resumed from a heartbeat keeps the deadline and grace
	// window it started with (see [taurusjob.Waiter.ResumePoller]).
	// Its OnState and WithProgress callbacks see every poll, as for Wait.
	Waiter *taurusjob.Waiter
}

// WaitInput is the input of [Activities.WaitForJob] and [Activities.PollJob].
type WaitInput struct {
	// JobID is the job to wait for, as the create or resize call returned
	// it (one id, not a comma-joined list).
	JobID string `json:"job_id"`
}

// WaitForJob waits for a job in one long activity (Temporal's frequent
// polling): it polls on the Waiter's schedule, and heartbeats the wait's
// resume token (see [Heartbeat]) after every poll and, while it sleeps, at
// least every half HeartbeatTimeout (or [DefaultHeartbeatEvery] without
// one), so a heartbeat timeout shorter than the time between polls does not
// end it. Heartbeats are also how a cancel reaches an activity, so they bound
// how soon a cancel is seen.
//
// A new wait heartbeats its token before its first poll. An attempt that
// follows another (a worker crash, a graceful stop, a heartbeat or
// start-to-close timeout) resumes from the last heartbeat the server
// received: the same deadline and grace window, the job remembered as seen,
// the polls counted on and the backoff where they were at that heartbeat
// (the SDK throttles heartbeats: see the README on
// MaxHeartbeatThrottleInterval).
//
// It returns the [Result] when the job completed, and otherwise:
//   - a non-retryable application error whose type is [TypeFailed],
//     [TypeCanceled], [TypeNotVisible], [TypeError] (an API error retrying
//     cannot fix), [TypeTimeout] (the Waiter's WithTimeout deadline) or
//     [TypeInvalidInput], with the Result as its details;
//   - Temporal's canceled error, with the Result so far as details, when
//     the workflow cancels the activity (seen at the next heartbeat sent);
//   - when its worker begins to stop (activity.GetWorkerStopChannel), at
//     once, a retryable application error of type "worker_stopping" with a
//     10 ms next retry delay, after a heartbeat of the token: the server
//     retries it on another worker, which resumes the wait;
//   - ctx's error when the attempt's own deadline passes: Temporal's
//     timeouts and retry policy decide what follows.
//
// Transient API errors (5xx, 429, network) are retried inside the wait, as
// Wait does; they never fail the attempt.
//
// With a Waiter made with [taurusjob.WithReady], the wait goes on, once
// the job completed, until its instance is ready, in the same activity
// and heartbeats: a retry during the instance phase resumes there.
func (a *Activities) WaitForJob(ctx context.Context, in WaitInput) (Result, error) {
	p, fresh, err := a.poller(ctx, in.JobID)
	if err != nil {
		return Result{}, err
	}
	return run(ctx, p, fresh)
}

// ReadyInput is the input of [Activities.WaitForReady].
type ReadyInput struct {
	// InstanceID is the instance to wait for.
	InstanceID string `json:"instance_id"`
}

// WaitForReady waits until an instance is ready for the next change (see
// [taurusjob.Waiter.WaitReady]: a ready status held for the settle time),
// as WaitForJob waits for a job: the same heartbeats, resumption, cancel
// and worker-stop handling. It returns the [Result] (Outcome "ready",
// InstanceStatus) when the instance is ready, and otherwise a
// non-retryable application error of type "instance_failed" (a failure
// status, or one a person must act on: Result.InstanceStatus says which),
// "instance_not_found", [TypeTimeout], [TypeError] or [TypeInvalidInput].
// The Waiter's getter must read instances ([taurusjob.Client] does).
func (a *Activities) WaitForReady(ctx context.Context, in ReadyInput) (Result, error) {
	p, fresh, err := a.readyPoller(ctx, in.InstanceID)
	if err != nil {
		return Result{}, err
	}
	return run(ctx, p, fresh)
}

// run is the loop of WaitForJob and WaitForReady: poll, heartbeat, sleep
// until the wait ends, ctx ends or the worker stops.
func run(ctx context.Context, p *taurusjob.Poller, fresh bool) (Result, error) {
	if fresh {
		// Before the first poll: an attempt that dies during it (a slow
		// answer, a worker killed) leaves this wait to resume, with its
		// grace window and deadline, rather than none.
		heartbeat(ctx, p, taurusjob.Update{JobID: p.JobID(), Progress: -1})
	}
	every := heartbeatEvery(activity.GetInfo(ctx).HeartbeatTimeout)
	stop := activity.GetWorkerStopChannel(ctx)
	for {
		u, err := p.Poll(ctx)
		switch {
		case p.Done():
			return ending(p, u)
		case err != nil:
			return Result{}, interrupted(ctx, p, u)
		}
		heartbeat(ctx, p, u)
		switch err := sleep(ctx, stop, u.Next, every, func() { heartbeat(ctx, p, u) }); {
		case errors.Is(err, errWorkerStopping):
			return Result{}, workerStopping(ctx, p, u)
		case err != nil:
			return Result{}, interrupted(ctx, p, u)
		}
	}
}
