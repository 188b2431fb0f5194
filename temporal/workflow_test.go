package taurustemporal

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// provision is the workflow a user writes: create an instance, wait for
// its job, and configure the instance only once the job completed.
func provision(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		HeartbeatTimeout:    10 * time.Second,
	})
	var jobID string
	if err := workflow.ExecuteActivity(ctx, "CreateInstance", name).Get(ctx, &jobID); err != nil {
		return "", err
	}
	var acts *Activities
	var job Result
	if err := workflow.ExecuteActivity(ctx, acts.WaitForJob, WaitInput{JobID: jobID}).Get(ctx, &job); err != nil {
		return "", err
	}
	if err := workflow.ExecuteActivity(ctx, "ConfigureInstance", job.InstanceID).Get(ctx, nil); err != nil {
		return "", err
	}
	return job.InstanceID, nil
}

// configured records the instances ConfigureInstance was called for.
type configured struct {
	mu  sync.Mutex
	ids []string
}

func (c *configured) ConfigureInstance(_ context.Context, instanceID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ids = append(c.ids, instanceID)
	return nil
}

func (c *configured) calls() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.ids...)
}

// A workflow goes on to configure the instance when, and only when, its
// job completed; a failed job fails the workflow with the job's reason,
// and the next step never runs.
func TestProvisionWorkflowGoesOnOnlyWhenTheJobCompleted(t *testing.T) {
	const instanceID = "c3ec2c6148ad4c919a3b8a2ce0a3b9a4in07"
	tests := []struct {
		name    string
		outcome taurusjobtest.Outcome
	}{
		{"completed", taurusjobtest.Completed},
		{"failed", taurusjobtest.Failed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			env := workflowEnv(t)
			env.RegisterActivity(f.acts)
			env.RegisterActivityWithOptions(func(context.Context, string) (string, error) {
				return "", errors.New("CreateInstance is mocked")
			}, activity.RegisterOptions{Name: "CreateInstance"})
			var next configured
			env.RegisterActivity(next.ConfigureInstance)
			id := f.srv.AddJob(taurusjobtest.Job{Running: 150 * time.Millisecond, Outcome: tt.outcome,
				FailReason: "insufficient quota", Instance: taurusjobtest.Instance{ID: instanceID, Name: "orders-db"}})
			env.OnActivity("CreateInstance", mock.Anything, "orders-db").Return(id, nil).Once()

			env.ExecuteWorkflow(provision, "orders-db")

			if !env.IsWorkflowCompleted() {
				t.Fatal("the workflow did not complete")
			}
			env.AssertExpectations(t)
			err := env.GetWorkflowError()
			switch tt.outcome {
			case taurusjobtest.Completed:
				var got string
				if err != nil || env.GetWorkflowResult(&got) != nil || got != instanceID {
					t.Errorf("workflow = %q, %v; want %q", got, err, instanceID)
				}
				if calls := next.calls(); len(calls) != 1 || calls[0] != instanceID {
					t.Errorf("ConfigureInstance calls = %q; want one for %s", calls, instanceID)
				}
			default:
				ae, r := appError(t, err)
				if ae.Type() != TypeFailed || r.FailReason != "insufficient quota" {
					t.Errorf("workflow error type %q, fail reason %q; want %q, %q", ae.Type(), r.FailReason, TypeFailed, "insufficient quota")
				}
				if calls := next.calls(); len(calls) != 0 {
					t.Errorf("ConfigureInstance ran for a failed job: %q", calls)
				}
			}
		})
	}
}

// A heartbeat timeout shorter than the time between polls does not end the
// wait: the activity heartbeats while it sleeps. (The test environment
// times out an activity whose heartbeats stop for longer than
// HeartbeatTimeout, as the server does.)
func TestWaitForJobHeartbeatsWhileSleeping(t *testing.T) {
	// The SDK sends a heartbeat at most every 0.8 HeartbeatTimeout: a
	// second leaves 200 ms for a loaded machine, and a poll every 2 s
	// without heartbeats in between would be a certain timeout.
	const heartbeatTimeout, pollEvery = time.Second, 2 * time.Second
	f := newFixture(t, taurusWithInterval(pollEvery))
	env := workflowEnv(t)
	f.register(env)
	id := f.addAtStart(taurusjobtest.Job{Running: pollEvery + 300*time.Millisecond})
	wait := func(ctx workflow.Context, id string) (Result, error) {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: time.Minute,
			HeartbeatTimeout:    heartbeatTimeout,
			RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1}, // a timeout would end the test
		})
		var r Result
		err := workflow.ExecuteActivity(ctx, f.acts.WaitForJob, WaitInput{JobID: id}).Get(ctx, &r)
		return r, err
	}
	env.RegisterWorkflow(wait)

	env.ExecuteWorkflow(wait, id)

	var got Result
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("the wait ended with %v; it should outlive a %v heartbeat timeout between polls %v apart",
			err, heartbeatTimeout, pollEvery)
	}
	if err := env.GetWorkflowResult(&got); err != nil || got.Outcome != "completed" || got.Polls < 2 {
		t.Errorf("result = %+v, %v; want completed after 2 polls or more", got, err)
	}
}
