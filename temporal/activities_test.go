package taurustemporal

import (
	"net/http"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// A workflow gets a small, complete Result for a job that completed: what
// it needs to go on (the instance) and what it reports (polls, time).
func TestWaitForJobCompleted(t *testing.T) {
	f := newFixture(t)
	env := f.activityEnv(t)
	id := f.addAtStart(taurusjobtest.Job{
		Name:      "CreateGaussDBforMySQLInstance",
		Invisible: 100 * time.Millisecond,
		Running:   200 * time.Millisecond,
		Instance:  taurusjobtest.Instance{ID: "c3ec2c6148ad4c919a3b8a2ce0a3b9a4in07", Name: "orders-db"},
	})

	start := time.Now()
	got, err := waitForJob(t, env, id)
	took := time.Since(start)
	if err != nil {
		t.Fatalf("WaitForJob: %v", err)
	}
	want := Result{
		Outcome: "completed", JobID: id, Name: "CreateGaussDBforMySQLInstance", Status: "Completed",
		InstanceID: "c3ec2c6148ad4c919a3b8a2ce0a3b9a4in07", InstanceName: "orders-db",
		Polls: f.srv.RequestCount(id), Waited: got.Waited,
	}
	if got != want {
		t.Errorf("result = %+v\nwant     %+v", got, want)
	}
	if got.Polls < 2 {
		t.Errorf("Polls = %d: the job was invisible, then running, so it took more than one poll", got.Polls)
	}
	if got.Waited <= 0 || got.Waited > took {
		t.Errorf("Waited = %v; the activity ran for %v", got.Waited, took)
	}
}

// Every ending other than completion is a non-retryable application error
// whose type is the outcome and whose details say why: a retry would only
// end the same way, and the workflow must be able to tell them apart.
func TestWaitForJobEndings(t *testing.T) {
	tests := []struct {
		name       string
		opts       []taurusjob.Option
		job        taurusjobtest.Job
		rule       *taurusjobtest.Rule
		wantType   string
		wantStatus string
		wantReason string
	}{
		{
			name:       "failed",
			job:        taurusjobtest.Job{Running: 60 * time.Millisecond, Outcome: taurusjobtest.Failed, FailReason: "insufficient quota"},
			wantType:   TypeFailed,
			wantStatus: "Failed",
			wantReason: "insufficient quota",
		},
		{
			name:       "canceled",
			job:        taurusjobtest.Job{Running: 60 * time.Millisecond, Outcome: taurusjobtest.Canceled, FailReason: "canceled by user"},
			wantType:   TypeCanceled,
			wantStatus: "Canceled",
			wantReason: "canceled by user",
		},
		{
			name:     "never visible",
			opts:     []taurusjob.Option{taurusjob.WithVisibilityGrace(100 * time.Millisecond)},
			job:      taurusjobtest.Job{Invisible: taurusjobtest.Forever},
			wantType: TypeNotVisible,
		},
		{
			name:     "permanent API error",
			job:      taurusjobtest.Job{Running: taurusjobtest.Forever},
			rule:     &taurusjobtest.Rule{Fault: taurusjobtest.Answer(http.StatusForbidden, "", `{"error_code":"APIGW.0302","error_msg":"forbidden"}`)},
			wantType: TypeError,
		},
		{
			name:       "the waiter's deadline",
			opts:       []taurusjob.Option{taurusjob.WithTimeout(150 * time.Millisecond)},
			job:        taurusjobtest.Job{Running: taurusjobtest.Forever},
			wantType:   TypeTimeout,
			wantStatus: "Running",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.opts...)
			env := f.activityEnv(t)
			id := f.addAtStart(tt.job)
			if tt.rule != nil {
				f.srv.AddRule(*tt.rule)
			}

			_, err := waitForJob(t, env, id)
			ae, r := appError(t, err)
			if ae.Type() != tt.wantType || !ae.NonRetryable() {
				t.Errorf("error type %q, non-retryable %v; want %q, non-retryable", ae.Type(), ae.NonRetryable(), tt.wantType)
			}
			if r.Outcome != tt.wantType || r.JobID != id || r.Status != tt.wantStatus || r.FailReason != tt.wantReason {
				t.Errorf("details = %+v; want outcome %q, job %s, status %q, fail reason %q",
					r, tt.wantType, id, tt.wantStatus, tt.wantReason)
			}
			if r.Polls != f.srv.RequestCount(id) || r.Polls == 0 {
				t.Errorf("details count %d polls; the API saw %d", r.Polls, f.srv.RequestCount(id))
			}
			if r.Error == "" {
				t.Error("details carry no error text")
			}
		})
	}
}

// A malformed job id is refused before any request, without retries.
func TestWaitForJobInvalidInput(t *testing.T) {
	f := newFixture(t)
	_, err := waitForJob(t, f.activityEnv(t), "no spaces/allowed")
	ae, _ := appError(t, err)
	if ae.Type() != TypeInvalidInput || !ae.NonRetryable() {
		t.Errorf("error type %q, non-retryable %v; want %q, non-retryable", ae.Type(), ae.NonRetryable(), TypeInvalidInput)
	}
	if n := f.srv.TotalRequests(); n != 0 {
		t.Errorf("%d requests sent for a malformed id", n)
	}

	empty := &Activities{}
	_, err = waitForJob(t, newActivityEnv(t, empty), "f9959f52-aa4d-43f7-be74-44b6fc20b239")
	if ae, _ := appError(t, err); ae.Type() != TypeInvalidInput {
		t.Errorf("Activities without a Waiter: error type %q, want %q", ae.Type(), TypeInvalidInput)
	}
}
