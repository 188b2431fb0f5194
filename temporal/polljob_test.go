package taurustemporal

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// pollJobEnv returns a workflow environment with PollJob registered behind
// a counter of its attempts, and a workflow "poll" that calls it with a
// retry policy whose own backoff is an hour: an attempt that comes sooner
// came at the delay the activity asked for. The workflow returns the
// Result and stores the workflow time the activity took in took.
// The job is added to the fake API when the first attempt starts.
func pollJobEnv(t *testing.T, f *fixture, job taurusjobtest.Job, attempts *atomic.Int32, took *time.Duration) (string, *testsuite.TestWorkflowEnvironment) {
	id, add := f.addOnFirstCall(job)
	env := testSuite(t).NewTestWorkflowEnvironment()
	env.RegisterActivityWithOptions(func(ctx context.Context, in WaitInput) (Result, error) {
		add()
		attempts.Add(1)
		return f.acts.PollJob(ctx, in)
	}, activity.RegisterOptions{Name: "PollJob"})
	env.RegisterWorkflowWithOptions(func(ctx workflow.Context, id string) (Result, error) {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout:    10 * time.Second,
			ScheduleToCloseTimeout: 24 * time.Hour,
			RetryPolicy: &temporal.RetryPolicy{
				InitialInterval: time.Hour, BackoffCoefficient: 1, MaximumInterval: time.Hour,
				MaximumAttempts: 1000, // the test environment's default is 10
			},
		})
		start := workflow.Now(ctx)
		var r Result
		err := workflow.ExecuteActivity(ctx, "PollJob", WaitInput{JobID: id}).Get(ctx, &r)
		*took = workflow.Now(ctx).Sub(start)
		return r, err
	}, workflow.RegisterOptions{Name: "poll"})
	return id, env
}

// Infrequent polling: each attempt makes one request, the token rides
// from attempt to attempt (the polls count on, the grace window of the
// first attempt holds), and the server brings each attempt back at the
// Waiter's next poll time, not at the retry policy's hour.
func TestPollJobOnePollPerAttempt(t *testing.T) {
	f := newFixture(t)
	var attempts atomic.Int32
	var took time.Duration
	id, env := pollJobEnv(t, f, taurusjobtest.Job{Invisible: 50 * time.Millisecond, Running: 250 * time.Millisecond},
		&attempts, &took)

	env.ExecuteWorkflow("poll", id)

	var got Result
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if err := env.GetWorkflowResult(&got); err != nil || got.Outcome != "completed" {
		t.Fatalf("result = %+v, %v; want completed", got, err)
	}
	n := int(attempts.Load())
	if n < 3 || got.Polls != n || f.srv.RequestCount(id) != n {
		t.Errorf("%d attempts, %d polls in the result, %d requests; want one poll per attempt, 3 or more",
			n, got.Polls, f.srv.RequestCount(id))
	}
	t.Logf("%d attempts over %v of workflow time", n, took)
	if took >= time.Hour {
		t.Errorf("the attempts took %v of workflow time: the retry policy's backoff, not the delay the activity set", took)
	}
}

// A job that fails ends the retries at once: the attempt that sees it
// fails non-retryably, with the reason.
func TestPollJobFailedJobStopsRetrying(t *testing.T) {
	f := newFixture(t)
	var attempts atomic.Int32
	var took time.Duration
	id, env := pollJobEnv(t, f, taurusjobtest.Job{Running: 100 * time.Millisecond, Outcome: taurusjobtest.Failed,
		FailReason: "insufficient quota"}, &attempts, &took)

	env.ExecuteWorkflow("poll", id)

	ae, r := appError(t, env.GetWorkflowError())
	if ae.Type() != TypeFailed || !ae.NonRetryable() || r.FailReason != "insufficient quota" {
		t.Errorf("error type %q, non-retryable %v, fail reason %q; want %q, non-retryable, the reason",
			ae.Type(), ae.NonRetryable(), r.FailReason, TypeFailed)
	}
	if n := int(attempts.Load()); r.Polls != n || f.srv.RequestCount(id) != n {
		t.Errorf("%d attempts, %d polls, %d requests; want no attempt after the failure", n, r.Polls, f.srv.RequestCount(id))
	}
}
