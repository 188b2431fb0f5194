package taurustemporal

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// cancelAfter returns a Waiter option that ends ctx with cause after the
// poll numbered n has been answered, and the context to run activities in.
func cancelAfter(n int, cause error) (context.Context, taurusjob.Option) {
	ctx, cancel := context.WithCancelCause(context.Background())
	return ctx, taurusjob.WithProgress(func(u taurusjob.Update) {
		if u.Polled && u.Poll == n {
			cancel(cause)
		}
	})
}

// A workflow that cancels the wait gets Temporal's canceled error at once,
// not at the next poll an hour later, with the state so far as details.
// (Temporal cancels an activity's ctx with a *temporal.CanceledError as
// cause when a heartbeat's answer says so; the test does the same.)
func TestWaitForJobCancelledEndsAtOnce(t *testing.T) {
	ctx, stopAfterFirst := cancelAfter(1, temporal.NewCanceledError())
	f := newFixture(t, taurusjob.WithInterval(time.Hour, time.Hour), stopAfterFirst)
	env := f.activityEnv(t)
	id := f.addAtStart(taurusjobtest.Job{Running: taurusjobtest.Forever})
	env.SetWorkerOptions(worker.Options{BackgroundActivityContext: ctx})

	start := time.Now()
	_, err := waitForJob(t, env, id)
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the cancelled activity returned after %v; the next poll was an hour away", took)
	}
	var ce *temporal.CanceledError
	if !errors.As(err, &ce) {
		t.Fatalf("error = %v (%T), want a *temporal.CanceledError", err, err)
	}
	var r Result
	if err := ce.Details(&r); err != nil {
		t.Fatalf("canceled error details: %v", err)
	}
	if r.Outcome != "interrupted" || r.Status != "Running" || r.Polls != 1 || r.JobID != id {
		t.Errorf("details = %+v; want interrupted, Running, 1 poll, job %s", r, id)
	}
	if n := f.srv.RequestCount(id); n != 1 {
		t.Errorf("the API saw %d requests; want 1", n)
	}
}
