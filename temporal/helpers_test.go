package taurustemporal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// The Temporal test environments run activities on real time, so the
// jobs here last a few hundred milliseconds and the Waiter polls every
// 10 to 50 ms.
const (
	testMinInterval = 10 * time.Millisecond
	testMaxInterval = 50 * time.Millisecond
)

// fixture is a fake job API (in memory, on real time) and Activities that
// poll it.
type fixture struct {
	srv      *taurusjobtest.Server
	waiter   *taurusjob.Waiter
	acts     *Activities
	attempts atomic.Int32 // activity attempts started

	mu      sync.Mutex
	atStart []taurusjobtest.Job // see addAtStart
	added   int                 // how many of atStart the API has
}

// newFixture makes the fake API and a Waiter over it with the test
// intervals; opts come after them, so they may override them.
func newFixture(t *testing.T, opts ...taurusjob.Option) *fixture {
	t.Helper()
	srv := taurusjobtest.NewInMemory()
	t.Cleanup(srv.Close)
	client, err := taurusjob.NewClient(taurusjob.ClientConfig{
		Endpoint: srv.URL(), ProjectID: srv.ProjectID(), Token: srv.Token(), HTTPClient: srv.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]taurusjob.Option{taurusjob.WithInterval(testMinInterval, testMaxInterval)}, opts...)
	w, err := taurusjob.NewWaiter(client, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, waiter: w, acts: &Activities{Waiter: w}}
}

// activityEnv returns a test environment that runs one activity
// synchronously, with the fixture's activities registered (see register).
func (f *fixture) activityEnv(t *testing.T) *testsuite.TestActivityEnvironment {
	env := testSuite(t).NewTestActivityEnvironment()
	env.SetTestTimeout(30 * time.Second)
	f.register(env)
	return env
}

// newActivityEnv returns a test environment that runs one activity of
// acts synchronously.
func newActivityEnv(t *testing.T, acts *Activities) *testsuite.TestActivityEnvironment {
	env := testSuite(t).NewTestActivityEnvironment()
	env.SetTestTimeout(30 * time.Second)
	env.RegisterActivity(acts)
	return env
}

// workflowEnv returns a workflow test environment that gives a test 30 s
// of real time rather than the default 3 s.
func workflowEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	env := testSuite(t).NewTestWorkflowEnvironment()
	env.SetTestTimeout(30 * time.Second)
	return env
}

// testSuite returns a test suite whose logs (warnings and errors only) go
// to the test's output, shown when it fails or with -v.
func testSuite(t *testing.T) *testsuite.WorkflowTestSuite {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))))
	return &s
}

// waitForJob runs WaitForJob for id in env and decodes its result.
func waitForJob(t *testing.T, env *testsuite.TestActivityEnvironment, id string) (Result, error) {
	t.Helper()
	val, err := env.ExecuteActivity("WaitForJob", WaitInput{JobID: id})
	if err != nil {
		return Result{}, err
	}
	var r Result
	if err := val.Get(&r); err != nil {
		t.Fatalf("decoding the result: %v", err)
	}
	return r, nil
}

// appError returns the application error inside err, its type and its
// Result details, failing the test when err holds none.
func appError(t *testing.T, err error) (*temporal.ApplicationError, Result) {
	t.Helper()
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) holds no *temporal.ApplicationError", err, err)
	}
	var r Result
	if ae.HasDetails() {
		if err := ae.Details(&r); err != nil {
			t.Fatalf("decoding the error's details: %v", err)
		}
	}
	return ae, r
}

// taurusWithInterval makes the Waiter poll every d, no sooner, no later.
func taurusWithInterval(d time.Duration) taurusjob.Option { return taurusjob.WithInterval(d, d) }

// addAtStart scripts a job that the fake API gets when the next activity
// starts, and returns its id. Test environments take up to a few hundred
// milliseconds to set up an activity; a job added as it starts lives the
// life its script says, whatever the machine's load.
func (f *fixture) addAtStart(job taurusjobtest.Job) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if job.ID == "" {
		job.ID = fmt.Sprintf("0b6b1f50-3c1e-4d9a-9f4e-%012d", len(f.atStart)+1)
	}
	f.atStart = append(f.atStart, job)
	return job.ID
}

// started adds the jobs of addAtStart that are not added yet.
func (f *fixture) started() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, j := range f.atStart[f.added:] {
		f.srv.AddJob(j)
	}
	f.added = len(f.atStart)
}

// register registers the fixture's WaitForJob and PollJob under their
// names, each adding the jobs of addAtStart first and counting its
// attempts.
func (f *fixture) register(r interface {
	RegisterActivityWithOptions(any, activity.RegisterOptions)
}) {
	r.RegisterActivityWithOptions(func(ctx context.Context, in WaitInput) (Result, error) {
		f.started()
		f.attempts.Add(1)
		return f.acts.WaitForJob(ctx, in)
	}, activity.RegisterOptions{Name: "WaitForJob"})
	r.RegisterActivityWithOptions(func(ctx context.Context, in WaitInput) (Result, error) {
		f.started()
		f.attempts.Add(1)
		return f.acts.PollJob(ctx, in)
	}, activity.RegisterOptions{Name: "PollJob"})
}

// lastHeartbeat records the heartbeats env sends, and returns a function
// that gives the last one (the zero Heartbeat before any).
func lastHeartbeat(t *testing.T, env *testsuite.TestActivityEnvironment) func() Heartbeat {
	var mu sync.Mutex
	var last Heartbeat
	env.SetOnActivityHeartbeatListener(func(_ *activity.Info, d converter.EncodedValues) {
		mu.Lock()
		defer mu.Unlock()
		if err := d.Get(&last); err != nil {
			t.Errorf("heartbeat details: %v", err)
		}
	})
	return func() Heartbeat {
		mu.Lock()
		defer mu.Unlock()
		return last
	}
}
