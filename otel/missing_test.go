package taurusjobotel

import (
	"testing"

	"github.com/taurusdb-tools/taurusjob"
)

// otel names a poll's answer as the core reads it: a *NotVisibleError
// from a getter written before ErrNoJob, and an ErrNoJob answer, are
// "not_visible" like a 404, also after the job was seen.
func TestMissingAnswersAfterSeen(t *testing.T) {
	job := &taurusjob.Job{ID: "job-1", Status: taurusjob.StatusRunning}
	for name, err := range map[string]error{
		"*NotVisibleError": &taurusjob.NotVisibleError{JobID: "job-1"},
		"ErrNoJob":         taurusjob.ErrNoJob,
		"404":              &taurusjob.APIError{StatusCode: 404},
	} {
		u := taurusjob.Update{Polled: true, Job: job, Err: err}
		if got := pollResult(u).String(); got != "not_visible" {
			t.Errorf("%s: pollResult = %s; want not_visible", name, got)
		}
	}
}
