package taurustemporal

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// A worker that dies mid-wait loses nothing: the next attempt starts with
// the last heartbeat the first one sent, and goes on with its polls.
// The first attempt is stopped after its third poll as a worker that shuts
// down is (ctx cancelled without a cancel from the workflow); the second
// starts with the details that attempt's last heartbeat carried.
func TestWaitForJobResumesFromItsLastHeartbeat(t *testing.T) {
	ctx, stopAfterThird := cancelAfter(3, errors.New("worker shutting down"))
	f := newFixture(t, stopAfterThird)
	first, second := f.activityEnv(t), f.activityEnv(t)
	id := f.addAtStart(taurusjobtest.Job{Running: taurusjobtest.Forever})

	first.SetWorkerOptions(worker.Options{BackgroundActivityContext: ctx})
	last := lastHeartbeat(t, first)
	_, err := waitForJob(t, first, id)
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || ae.NonRetryable() {
		t.Fatalf("first attempt: %v; want a retryable failure (the worker stopped, the job did not end)", err)
	}
	hb := last()
	if hb.Polls != 3 || hb.Status != "Running" || hb.Token == "" {
		t.Fatalf("last heartbeat of the first attempt = %+v; want 3 polls, Running, a token", hb)
	}

	f.srv.AddJob(taurusjobtest.Job{ID: id, Running: 100 * time.Millisecond}) // the job now ends soon (its request count starts again)
	second.SetHeartbeatDetails(hb)
	got, err := waitForJob(t, second, id)
	if err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if got.Outcome != "completed" || got.Polls != f.srv.TotalRequests() || got.Polls <= 3 {
		t.Errorf("result = %+v; want completed, polls counted on from 3 to the API's %d", got, f.srv.TotalRequests())
	}
}

// interruptedToken starts a wait for id on w, polls it once, and returns
// its resume token: the state a crashed attempt's heartbeat would hold.
func interruptedToken(t *testing.T, w *taurusjob.Waiter, id string) string {
	t.Helper()
	p, err := w.NewPoller(id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Poll(context.Background()); err != nil || p.Done() {
		t.Fatalf("first poll: %v, done %v", err, p.Done())
	}
	token, err := p.ResumeToken()
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// A retry does not open a new visibility grace window: a wrong id is
// reported when the first attempt's window ends, however many attempts
// it took, not one window after every crash.
func TestWaitForJobResumeKeepsTheGraceWindow(t *testing.T) {
	const grace = 500 * time.Millisecond // long enough for the first poll to come inside it
	f := newFixture(t, taurusjob.WithVisibilityGrace(grace))
	env := f.activityEnv(t)
	id := f.srv.AddJob(taurusjobtest.Job{Invisible: taurusjobtest.Forever})
	token := interruptedToken(t, f.waiter, id)
	time.Sleep(grace + 50*time.Millisecond) // the worker is down for longer than the window
	env.SetHeartbeatDetails(Heartbeat{Token: token, Polls: 1})
	_, err := waitForJob(t, env, id)
	ae, r := appError(t, err)
	if ae.Type() != TypeNotVisible {
		t.Fatalf("error type %q, want %q", ae.Type(), TypeNotVisible)
	}
	if r.Polls != 2 || f.srv.RequestCount(id) != 2 {
		t.Errorf("%d polls in the details, %d requests; want 2 (the window had ended: one 404 ends it)",
			r.Polls, f.srv.RequestCount(id))
	}
	if r.Waited < grace {
		t.Errorf("Waited = %v; it counts from the first attempt, more than %v ago", r.Waited, grace)
	}
}

// A retry remembers that the job was seen: a 404 after the crash is a
// passing fault of the API, not "this job does not exist", even with no
// grace window at all.
func TestWaitForJobResumeRemembersTheJobWasSeen(t *testing.T) {
	f := newFixture(t, taurusjob.WithVisibilityGrace(0))
	env := f.activityEnv(t)
	id := f.srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever})
	token := interruptedToken(t, f.waiter, id)
	f.srv.AddJob(taurusjobtest.Job{ID: id, Running: 100 * time.Millisecond}) // the job now ends soon (its request count starts again)
	f.srv.AddRule(taurusjobtest.Rule{JobID: id, Limit: 2, Fault: taurusjobtest.Answer(http.StatusNotFound, "",
		`{"error_code":"DBS.200823","error_msg":"The job does not exist."}`)})

	env.SetHeartbeatDetails(Heartbeat{Token: token, Polls: 1})
	got, err := waitForJob(t, env, id)
	if err != nil {
		t.Fatalf("WaitForJob after a crash, then two 404s: %v", err)
	}
	if got.Outcome != "completed" || got.Polls != f.srv.TotalRequests() || got.Polls < 4 {
		t.Errorf("result = %+v; want completed after 1 + 2 (404) + 1 polls or more, as the API saw (%d)",
			got, f.srv.TotalRequests())
	}
}

// A heartbeat that cannot be resumed (another state key after a deploy)
// starts a new wait rather than failing the workflow.
func TestWaitForJobUnusableHeartbeatStartsAfresh(t *testing.T) {
	f := newFixture(t)
	env := f.activityEnv(t)
	id := f.srv.AddJob(taurusjobtest.Job{Running: 50 * time.Millisecond})
	env.SetHeartbeatDetails(Heartbeat{Token: "tjs1.not-a-token"})
	got, err := waitForJob(t, env, id)
	if err != nil || got.Outcome != "completed" || got.Polls != f.srv.RequestCount(id) {
		t.Errorf("result = %+v, %v; want completed, polls counted from 0", got, err)
	}
}
