package taurustemporal

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// instances is a getter whose instance answers the statuses in turn, one
// per read, the last one for good; its job completes at once.
type instances struct {
	mu       sync.Mutex
	statuses []string
	reads    int
}

func (g *instances) GetJob(ctx context.Context, id string) (*taurusjob.Job, error) {
	return &taurusjob.Job{ID: id, Status: taurusjob.StatusCompleted, Progress: 100, Instance: taurusjob.Instance{ID: "inst1in07"}}, nil
}

func (g *instances) GetInstance(ctx context.Context, id string) (*taurusjob.InstanceInfo, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.statuses[min(g.reads, len(g.statuses)-1)]
	g.reads++
	return &taurusjob.InstanceInfo{ID: id, Name: "orders-db", Status: s}, nil
}

func readyActivities(t *testing.T, g *instances, opts ...taurusjob.Option) *Activities {
	opts = append([]taurusjob.Option{taurusjob.WithInterval(testMinInterval, testMaxInterval), taurusjob.WithSettle(100 * time.Millisecond)}, opts...)
	w, err := taurusjob.NewWaiter(g, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &Activities{Waiter: w}
}

// A workflow waits for an instance alone and gets its last status; a
// status that needs a person is a non-retryable "instance_failed" with
// the status in its details.
func TestWaitForReady(t *testing.T) {
	g := &instances{statuses: []string{"BUILD", "BUILD", "ACTIVE"}}
	env := newActivityEnv(t, readyActivities(t, g))
	val, err := env.ExecuteActivity("WaitForReady", ReadyInput{InstanceID: "inst1in07"})
	if err != nil {
		t.Fatalf("WaitForReady: %v", err)
	}
	var r Result
	if err := val.Get(&r); err != nil {
		t.Fatal(err)
	}
	if r.Outcome != "ready" || r.InstanceID != "inst1in07" || r.InstanceStatus != "ACTIVE" || r.InstanceName != "orders-db" || r.Polls < 4 {
		t.Errorf("result %+v; want ready, ACTIVE, after at least 4 reads (the settle)", r)
	}

	g = &instances{statuses: []string{"BUILD", "FROZEN"}}
	env = newActivityEnv(t, readyActivities(t, g))
	_, err = env.ExecuteActivity("WaitForReady", ReadyInput{InstanceID: "inst1in07"})
	ae, details := appError(t, err)
	if ae.Type() != "instance_failed" || !ae.NonRetryable() || details.InstanceStatus != "FROZEN" {
		t.Errorf("error type %q (non-retryable %v), details %+v; want instance_failed with FROZEN", ae.Type(), ae.NonRetryable(), details)
	}
}

// WaitForJob with a Waiter made WithReady returns once the job's instance
// is ready, in one activity.
func TestWaitForJobThenReady(t *testing.T) {
	g := &instances{statuses: []string{"BACKING UP", "ACTIVE"}}
	env := newActivityEnv(t, readyActivities(t, g, taurusjob.WithReady()))
	r, err := waitForJob(t, env, "job1")
	if err != nil || r.Outcome != "completed" || r.InstanceStatus != "ACTIVE" || g.reads < 3 {
		t.Errorf("WaitForJob = %+v, %v after %d instance reads; want completed with its instance ACTIVE", r, err, g.reads)
	}
}
