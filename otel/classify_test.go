package taurusjobotel

import (
	"errors"
	"testing"

	"github.com/taurusdb-tools/taurusjob"
)

// Every poll lands in the result an operator expects on the polls counter:
// a dashboard of throttled or permanent answers is only as good as this.
func TestPollResult(t *testing.T) {
	job := &taurusjob.Job{ID: "job-1", Status: taurusjob.StatusRunning}
	failed := &taurusjob.Job{ID: "job-1", Status: taurusjob.StatusFailed}
	api := func(code int) error { return &taurusjob.APIError{StatusCode: code} }
	tests := []struct {
		name string
		u    taurusjob.Update
		want string
	}{
		{"job seen", taurusjob.Update{Polled: true, Job: job, FirstSeen: true}, "visible"},
		{"404 inside the grace window", taurusjob.Update{Polled: true}, "not_visible"},
		{"404 after the job was seen", taurusjob.Update{Polled: true, Job: job, Err: api(404)}, "not_visible"},
		{"503", taurusjob.Update{Polled: true, Job: job, Err: api(503)}, "transient"},
		{"network error", taurusjob.Update{Polled: true, Err: &taurusjob.TransportError{Err: errors.New("reset")}}, "transient"},
		{"429", taurusjob.Update{Polled: true, Err: api(429)}, "throttled"},
		{"403 ends the wait", taurusjob.Update{Polled: true, Done: true, Err: &taurusjob.WaitError{Err: api(403)}}, "permanent"},
		{"404 past the grace window", taurusjob.Update{Polled: true, Done: true, Err: &taurusjob.NotVisibleError{JobID: "job-1"}}, "not_visible"},
		{"job failed", taurusjob.Update{Polled: true, Done: true, Job: failed, Err: &taurusjob.JobFailedError{Job: failed}}, "visible"},
		{"job completed", taurusjob.Update{Polled: true, Done: true, Job: job}, "visible"},
	}
	for _, tt := range tests {
		if got := pollResult(tt.u).String(); got != tt.want {
			t.Errorf("%s: %s; want %s", tt.name, got, tt.want)
		}
	}
}
