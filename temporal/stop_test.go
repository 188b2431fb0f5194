package taurustemporal

import (
	"errors"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// A worker that stops gracefully hands its waits on at once: the sleeping
// WaitForJob returns a retryable "worker stopping" error as soon as the
// worker's stop channel closes (not at the next poll an hour later, and not
// when the worker cancels it), after a heartbeat that carries the resume
// token, so that the server retries it on another worker right away rather
// than at the heartbeat timeout, and the retry goes on from that token.
func TestWaitForJobWorkerStopHandsTheWaitOn(t *testing.T) {
	stop := make(chan struct{})
	var once sync.Once
	stopAfterFirst := taurusjob.WithProgress(func(u taurusjob.Update) {
		if u.Polled && u.Poll == 1 {
			once.Do(func() { close(stop) })
		}
	})
	f := newFixture(t, taurusjob.WithInterval(time.Hour, time.Hour), stopAfterFirst)
	env := f.activityEnv(t)
	env.SetWorkerStopChannel(stop)
	last := lastHeartbeat(t, env)
	id := f.addAtStart(taurusjobtest.Job{Running: taurusjobtest.Forever})

	start := time.Now()
	_, err := waitForJob(t, env, id)
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the activity returned %v after its worker began to stop; the next poll was an hour away", took)
	}
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v (%T); want a retryable *temporal.ApplicationError", err, err)
	}
	if ae.Type() != typeWorkerStopping || ae.NonRetryable() {
		t.Errorf("error type %q, non-retryable %v; want %q, retryable", ae.Type(), ae.NonRetryable(), typeWorkerStopping)
	}
	if d := ae.NextRetryDelay(); d <= 0 || d > time.Second {
		t.Errorf("NextRetryDelay = %v; want a retry at once (a small positive delay), not the retry policy's backoff", d)
	}
	var r Result
	if err := ae.Details(&r); err != nil || r.Outcome != "interrupted" || r.Polls != 1 || r.Status != "Running" {
		t.Errorf("details = %+v (%v); want interrupted after 1 poll, Running", r, err)
	}
	hb := last()
	if hb.Token == "" || hb.Polls != 1 {
		t.Fatalf("last heartbeat = %+v; want the token of the wait after its first poll", hb)
	}

	// The retry, on another worker, goes on from that token (same start,
	// deadline and poll count: see the resume tests).
	if _, err := f.waiter.ResumePoller(id, hb.Token); err != nil {
		t.Errorf("the stop's heartbeat cannot be resumed: %v", err)
	}
	if n := f.srv.RequestCount(id); n != 1 {
		t.Errorf("the API saw %d requests; want 1", n)
	}
}

// A new wait heartbeats its token before its first poll: a worker that dies
// during that poll (a slow answer, a retried 5xx) leaves a heartbeat to
// resume from, so the next attempt keeps the wait's grace window and
// deadline instead of starting a new wait with new ones.
func TestWaitForJobHeartbeatsBeforeItsFirstPoll(t *testing.T) {
	f := newFixture(t)
	env := f.activityEnv(t)
	var mu sync.Mutex
	var first *Heartbeat
	requestsThen := -1
	env.SetOnActivityHeartbeatListener(func(_ *activity.Info, d converter.EncodedValues) {
		mu.Lock()
		defer mu.Unlock()
		if first != nil {
			return
		}
		first = new(Heartbeat)
		if err := d.Get(first); err != nil {
			t.Errorf("heartbeat details: %v", err)
		}
		requestsThen = f.srv.TotalRequests()
	})
	id := f.addAtStart(taurusjobtest.Job{Running: 100 * time.Millisecond})

	if _, err := waitForJob(t, env, id); err != nil {
		t.Fatalf("WaitForJob: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if first == nil || first.Token == "" || first.Polls != 0 || requestsThen != 0 {
		t.Fatalf("first heartbeat = %+v after %d requests; want a token before any request", first, requestsThen)
	}
	if _, err := f.waiter.ResumePoller(id, first.Token); err != nil {
		t.Errorf("the first heartbeat's token cannot be resumed: %v", err)
	}
}

// PollJob holding for a poll that is not due yet, when its worker begins to
// stop, ends the attempt at once with its usual "not done" and the time
// left as the next retry delay: nothing is lost and nothing polls early.
func TestPollJobWorkerStopComesBackWhenDue(t *testing.T) {
	const interval = 5 * time.Second
	f := newFixture(t, taurusWithInterval(interval))
	env := f.activityEnv(t)
	stop := make(chan struct{})
	close(stop) // the worker stops as the attempt starts
	env.SetWorkerStopChannel(stop)
	id := f.srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever})
	token := interruptedToken(t, f.waiter, id) // polled once: the next poll is 5 s away
	env.SetHeartbeatDetails(Heartbeat{Token: token, Polls: 1})

	start := time.Now()
	_, err := env.ExecuteActivity("PollJob", WaitInput{JobID: id})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the attempt took %v on a stopping worker; want it to end at once", took)
	}
	ae, r := appError(t, err)
	if ae.Type() != TypeNotDone || ae.NonRetryable() {
		t.Errorf("error type %q, non-retryable %v; want %q, retryable", ae.Type(), ae.NonRetryable(), TypeNotDone)
	}
	if d := ae.NextRetryDelay(); d < interval-2*time.Second || d > interval {
		t.Errorf("NextRetryDelay = %v; want the time left to the next poll (under %v)", d, interval)
	}
	if r.Polls != 1 || f.srv.RequestCount(id) != 1 {
		t.Errorf("%d polls in the details, %d requests; want 1 (no poll before it is due)", r.Polls, f.srv.RequestCount(id))
	}
}

// A worker that cancels its activities as it stops (at the end of its
// WorkerStopTimeout, or at once without one) hands the wait on in the same
// way, rather than failing it with "context canceled", which the retry
// policy would treat as any error.
func TestWaitForJobWorkerShutdownHandsTheWaitOn(t *testing.T) {
	ctx, shutDownAfterFirst := cancelAfter(1, worker.ErrWorkerShutdown)
	f := newFixture(t, taurusjob.WithInterval(time.Hour, time.Hour), shutDownAfterFirst)
	env := f.activityEnv(t)
	env.SetWorkerOptions(worker.Options{BackgroundActivityContext: ctx})
	id := f.addAtStart(taurusjobtest.Job{Running: taurusjobtest.Forever})

	_, err := waitForJob(t, env, id)
	ae, r := appError(t, err)
	if ae.Type() != typeWorkerStopping || ae.NonRetryable() || ae.NextRetryDelay() != stopRetryDelay {
		t.Errorf("error type %q, non-retryable %v, next retry delay %v; want %q, retryable, %v",
			ae.Type(), ae.NonRetryable(), ae.NextRetryDelay(), typeWorkerStopping, stopRetryDelay)
	}
	if r.Polls != 1 || r.Outcome != "interrupted" {
		t.Errorf("details = %+v; want interrupted after 1 poll", r)
	}
}
