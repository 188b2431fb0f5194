// Package taurustemporal runs taurusjob waits as Temporal activities, so that
// a wait for a TaurusDB job outlives the worker that started it.
//
// Register an [Activities] holding a [taurusjob.Waiter] on a worker, and call
// one of its activities from a workflow:
//
//	w.RegisterActivity(&taurustemporal.Activities{Waiter: waiter})
//
//	// in the workflow:
//	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
//		StartToCloseTimeout: 2 * time.Hour,
//		HeartbeatTimeout:    time.Minute,
//	})
//	var acts *taurustemporal.Activities // names the activity; the worker's runs it
//	var res taurustemporal.Result
//	err := workflow.ExecuteActivity(ctx, acts.WaitForJob, taurustemporal.WaitInput{JobID: id}).Get(ctx, &res)
//
// [Activities.WaitForJob] is Temporal's "frequent polling": one activity that
// polls with the Waiter's schedule and heartbeats the wait's resume token
// after every poll and while it sleeps. A retry (a worker crash, a heartbeat
// timeout, a worker that stops and hands its waits on at once) resumes from
// the last heartbeat with the same deadline and grace window, the job
// remembered as seen and the backoff where it was.
//
// [Activities.PollJob] is "infrequent polling": each attempt polls once and,
// while the job runs, fails retryably with the next retry delay set to the
// Waiter's next poll time, so a two-hour job holds no worker slot between
// polls. The token rides from attempt to attempt in the heartbeat details.
//
// Either ends with a [Result] when the job completed, and otherwise with a
// non-retryable [temporal.ApplicationError] whose type is the wait's outcome
// ([TypeFailed], [TypeCanceled], [TypeNotVisible], [TypeError],
// [TypeTimeout], [TypeInvalidInput]) and whose details hold the Result.
package taurustemporal
