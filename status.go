package taurusjob

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// Status is a job's state as the API reports it. The known values are the
// constants below; any other string is kept as it came and is not terminal.
type Status string

// The statuses the task center and the official SDK are known to report.
const (
	StatusPending      Status = "Pending"      // queued, or scheduled for a maintenance window
	StatusRunning      Status = "Running"      // in progress; Job.Progress holds the percent
	StatusUnauthorized Status = "Unauthorized" // blocked until someone authorizes it
	StatusCompleted    Status = "Completed"    // success
	StatusFailed       Status = "Failed"       // failure; Job.FailReason says why
	StatusCanceled     Status = "Canceled"     // did not happen; a failure for the caller
)

// Terminal reports whether the job can no longer change: Completed, Failed or
// Canceled.
func (s Status) Terminal() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCanceled
}

// Succeeded reports whether the job completed.
func (s Status) Succeeded() bool { return s == StatusCompleted }

// known reports whether s is one of the six documented statuses.
func (s Status) known() bool {
	switch s {
	case StatusPending, StatusRunning, StatusUnauthorized, StatusCompleted, StatusFailed, StatusCanceled:
		return true
	}
	return false
}

// canonicalStatus spells a known status as documented whatever its case
// ("completed" is Completed: a waiter must not miss the end for a case), and
// keeps any other string as it came.
func canonicalStatus(s string) Status {
	for _, known := range []Status{StatusPending, StatusRunning, StatusUnauthorized, StatusCompleted, StatusFailed, StatusCanceled} {
		if strings.EqualFold(s, string(known)) {
			return known
		}
	}
	return Status(s)
}

// Job is one job as the API returned it.
type Job struct {
	ID         string
	Name       string
	Status     Status
	Created    time.Time // zero when absent or unparseable (the text stays in Raw)
	Ended      time.Time // zero while running
	Progress   int       // 0..100 from "process" (or "progress"); -1 when not reported
	Instance   Instance
	Entities   json.RawMessage // job-specific content, kept byte for byte; nil when absent
	FailReason string
	OrderID    string          // the prepaid order that started the job, where a job list gives "order_id"; "" otherwise
	Raw        json.RawMessage // the whole "job" object as received (for [Client.ListJobs], the list's item)
}

// Instance names the instance a job works on.
type Instance struct {
	ID   string
	Name string
}

// keep returns the job as a wait keeps it between polls: the getter's own
// job, which nothing here changes, or the kept one when the answer says
// the same, so that a job waiting without change allocates nothing that
// outlives its poll (and leaves no holes in the heap). The Client's
// decoder has already copied Raw out of the answer's buffer, with Entities
// a part of it.
func keep(prev, job *Job) *Job {
	if prev != nil && sameAnswer(prev, job) {
		return prev
	}
	return job
}

// sameAnswer reports whether two answers say the same of the job.
func sameAnswer(a, b *Job) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Status == b.Status && a.Progress == b.Progress &&
		a.Created.Equal(b.Created) && a.Ended.Equal(b.Ended) && a.Instance == b.Instance &&
		a.FailReason == b.FailReason && bytes.Equal(a.Raw, b.Raw) && bytes.Equal(a.Entities, b.Entities)
}
