package taurustemporal

import (
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// pollJobEnv returns a workflow environment with the fixture's activities
// and a workflow "poll" that calls PollJob with a retry policy whose own
// backoff is an hour: an attempt that comes sooner came at the delay the
// activity asked for. The workflow returns the Result and stores the
// workflow time the activity took in took.
func pollJobEnv(t *testing.T, f *fixture, took *time.Duration) *testsuite.TestWorkflowEnvironment {
	env := workflowEnv(t)
	f.register(env)
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
	return env
}

// Infrequent polling: each attempt makes one request, the token rides
// from attempt to attempt (the polls count on, the grace window of the
// first attempt holds), and the server brings each attempt back at the
// Waiter's next poll time, not at the retry policy's hour.
func TestPollJobOnePollPerAttempt(t *testing.T) {
	f := newFixture(t)
	var took time.Duration
	env := pollJobEnv(t, f, &took)
	id := f.addAtStart(taurusjobtest.Job{Invisible: 50 * time.Millisecond, Running: 400 * time.Millisecond})

	env.ExecuteWorkflow("poll", id)

	var got Result
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if err := env.GetWorkflowResult(&got); err != nil || got.Outcome != "completed" {
		t.Fatalf("result = %+v, %v; want completed", got, err)
	}
	n := int(f.attempts.Load())
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
	var took time.Duration
	env := pollJobEnv(t, f, &took)
	id := f.addAtStart(taurusjobtest.Job{Running: 100 * time.Millisecond, Outcome: taurusjobtest.Failed,
		FailReason: "insufficient quota"})

	env.ExecuteWorkflow("poll", id)

	ae, r := appError(t, env.GetWorkflowError())
	if ae.Type() != TypeFailed || !ae.NonRetryable() || r.FailReason != "insufficient quota" {
		t.Errorf("error type %q, non-retryable %v, fail reason %q; want %q, non-retryable, the reason",
			ae.Type(), ae.NonRetryable(), r.FailReason, TypeFailed)
	}
	if n := int(f.attempts.Load()); r.Polls != n || f.srv.RequestCount(id) != n {
		t.Errorf("%d attempts, %d polls, %d requests; want no attempt after the failure", n, r.Polls, f.srv.RequestCount(id))
	}
}
