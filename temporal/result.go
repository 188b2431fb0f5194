package taurustemporal

import (
	"cmp"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/clip"
)

// Result is how a wait ended, small and serialisable: it is what the
// activities return for a completed job, and the details of every error they
// end with. It never holds the job's raw body, which can be large and is not
// Temporal's to keep in a workflow's history.
//
// Text from the server (name, status, fail reason, instance) is clipped with
// the core's clip.Text to one line of bounded length, so that a hostile or
// oversized answer cannot flood the history.
type Result struct {
	// Outcome is [taurusjob.Outcome]: "completed", "pending" (with
	// taurusjob.WithReturnOnPending), "failed", "canceled", "timeout",
	// "not_visible", "error"; "interrupted" when the activity was cancelled
	// or stopped before the wait ended; "not_done" in the details of
	// PollJob's retryable error while the job runs.
	Outcome string `json:"outcome"`

	JobID      string `json:"job_id"`
	Name       string `json:"name,omitempty"`
	Status     string `json:"status,omitempty"` // the job's last status seen; "" when never visible
	FailReason string `json:"fail_reason,omitempty"`

	InstanceID   string `json:"instance_id,omitempty"`
	InstanceName string `json:"instance_name,omitempty"`
	// InstanceStatus is the instance's last status, once the wait read it
	// (WaitForReady, or WaitForJob with taurusjob.WithReady).
	InstanceStatus string `json:"instance_status,omitempty"`

	Polls  int           `json:"polls"`  // requests made for this wait, over every attempt
	Waited time.Duration `json:"waited"` // since the wait started, over every attempt (nanoseconds in JSON)

	// Error is the wait's final error as text; "" when the job completed.
	Error string `json:"error,omitempty"`
}

// Bounds of the server's text kept in a Result.
const (
	maxShortText  = 256  // name, status, instance id and name
	maxFailReason = 2048 // the fail reason, which can be a paragraph
	maxErrorText  = 2048
)

// newResult describes the wait in u, with job the last job seen (nil if
// never) and err the wait's error, nil while it goes on or when it completed.
func newResult(outcome, jobID string, job *taurusjob.Job, err error, u taurusjob.Update) Result {
	r := Result{Outcome: outcome, JobID: jobID, Polls: u.Poll, Waited: u.Elapsed}
	if job != nil {
		r.Name = clip.Text(job.Name, maxShortText)
		r.Status = clip.Text(string(job.Status), maxShortText)
		r.FailReason = clip.Text(job.FailReason, maxFailReason)
		r.InstanceID = clip.Text(job.Instance.ID, maxShortText)
		r.InstanceName = clip.Text(job.Instance.Name, maxShortText)
	}
	if i := u.Instance; i != nil {
		r.InstanceID = clip.Text(i.ID, maxShortText)
		r.InstanceName = cmp.Or(r.InstanceName, clip.Text(i.Name, maxShortText))
		r.InstanceStatus = clip.Text(i.Status, maxShortText)
	}
	if err != nil {
		r.Error = clip.Text(err.Error(), maxErrorText)
	}
	return r
}
