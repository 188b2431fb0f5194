package taurustemporal_test

import (
	"context"
	"errors"
	"log"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/taurusdb-tools/taurusjob"
	taurustemporal "github.com/taurusdb-tools/taurusjob/temporal"
)

// CreateInstance and ConfigureInstance stand for a program's own
// activities: one calls the TaurusDB create API and returns the job id,
// the other goes on once the instance exists.
func CreateInstance(ctx context.Context, name string) (string, error) {
	return "", errors.New("example")
}
func ConfigureInstance(ctx context.Context, instanceID string) error { return errors.New("example") }

// Provision creates an instance, waits for its job in a WaitForJob
// activity, and configures it only once the job completed.
func Provision(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Hour, // at least the Waiter's WithTimeout
		HeartbeatTimeout:    time.Minute,   // a dead worker is noticed within a minute
	})
	var jobID string
	if err := workflow.ExecuteActivity(ctx, CreateInstance, name).Get(ctx, &jobID); err != nil {
		return "", err
	}
	var acts *taurustemporal.Activities
	var job taurustemporal.Result
	err := workflow.ExecuteActivity(ctx, acts.WaitForJob, taurustemporal.WaitInput{JobID: jobID}).Get(ctx, &job)
	if err != nil {
		return "", err // a failed job: ApplicationError of type "failed", details hold the reason
	}
	return job.InstanceID, workflow.ExecuteActivity(ctx, ConfigureInstance, job.InstanceID).Get(ctx, nil)
}

// A worker registers one Activities for all its waits, so that they share
// the Waiter's quota. (Not run: it needs a Temporal server.)
func Example() {
	c, err := client.Dial(client.Options{HostPort: client.DefaultHostPort})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	var getter taurusjob.JobGetter // a *taurusjob.Client, in a real program
	waiter, err := taurusjob.NewWaiter(getter, taurusjob.WithTimeout(2*time.Hour))
	if err != nil {
		log.Fatal(err)
	}
	w := worker.New(c, "provisioning", worker.Options{})
	w.RegisterActivity(&taurustemporal.Activities{Waiter: waiter})
	w.RegisterActivity(CreateInstance)
	w.RegisterActivity(ConfigureInstance)
	w.RegisterWorkflow(Provision)
	if err := w.Run(worker.InterruptCh()); err != nil {
		log.Fatal(err)
	}
}
