package taurusjob

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
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

// Known reports whether s is one of the six documented statuses.
func (s Status) Known() bool {
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
	Raw        json.RawMessage // the whole "job" object as received
}

// Instance names the instance a job works on.
type Instance struct {
	ID   string
	Name string
}

// wireJob is the "job" object on the wire. Strings are decoded as raw JSON
// so that a number where a string was expected does not fail the decode.
type wireJob struct {
	ID       json.RawMessage `json:"id"`
	Name     json.RawMessage `json:"name"`
	Status   json.RawMessage `json:"status"`
	Created  json.RawMessage `json:"created"`
	Ended    json.RawMessage `json:"ended"`
	Process  json.RawMessage `json:"process"`
	Progress json.RawMessage `json:"progress"`
	Instance *struct {
		ID   json.RawMessage `json:"id"`
		Name json.RawMessage `json:"name"`
	} `json:"instance"`
	Entities   json.RawMessage `json:"entities"`
	FailReason json.RawMessage `json:"fail_reason"`
}

// errNoJob reports a well-formed answer that holds no job: the job is not
// visible yet.
var errNoJob = errors.New("the answer holds no job")

// decodeJobBody decodes a 200 body of the get-job call. It returns errNoJob
// for a body without a job ("job" missing, null or {}), and a descriptive
// error for a body that is not the expected JSON.
func decodeJobBody(body []byte) (*Job, error) {
	var env struct {
		Job json.RawMessage `json:"job"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("malformed job body: %w", err)
	}
	raw := bytes.TrimSpace(env.Job)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, errNoJob
	}
	var w wireJob
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("malformed job object: %w", err)
	}
	job := &Job{
		ID:         jsonString(w.ID),
		Name:       jsonString(w.Name),
		Status:     canonicalStatus(jsonString(w.Status)),
		Created:    parseTimeOrZero(jsonString(w.Created)),
		Ended:      parseTimeOrZero(jsonString(w.Ended)),
		Progress:   -1,
		FailReason: jsonString(w.FailReason),
		Raw:        append(json.RawMessage(nil), raw...),
	}
	if p := parseProgress(jsonString(w.Process)); p >= 0 {
		job.Progress = p
	} else {
		job.Progress = parseProgress(jsonString(w.Progress))
	}
	if w.Instance != nil {
		job.Instance = Instance{ID: jsonString(w.Instance.ID), Name: jsonString(w.Instance.Name)}
	}
	if e := bytes.TrimSpace(w.Entities); len(e) > 0 && !bytes.Equal(e, []byte("null")) {
		job.Entities = append(json.RawMessage(nil), w.Entities...)
	}
	if job.ID == "" && job.Status == "" && job.Name == "" {
		return nil, errNoJob // "job": {} and its like
	}
	return job, nil
}

// jsonString returns the text of a JSON string, or the literal text of any
// other scalar (a number or a bool), or "" for null, absent, objects and arrays.
func jsonString(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return ""
	case '{', '[', 'n':
		return ""
	}
	return string(raw)
}

// parseProgress reads a percent such as "60%", "60", "60.5%" or " 60 % ".
// It returns -1 for an empty, malformed or out-of-range value. Fractions
// are rounded down: 99.9% is not done.
func parseProgress(s string) int {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	if s == "" {
		return -1
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 100 {
		return -1
	}
	return int(f)
}

// timeLayouts are the forms the API and its siblings use for times.
var timeLayouts = []string{
	"2006-01-02T15:04:05-0700", // the documented form: offset without a colon
	time.RFC3339Nano,           // +08:00 or Z
	"2006-01-02T15:04:05.999999999-0700",
	"2006-01-02T15:04:05", // no offset at all: taken as UTC
	"2006-01-02 15:04:05",
}

// parseTime reads a job time in any of timeLayouts. An empty string gives
// the zero time and no error.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised time %q", s)
}

func parseTimeOrZero(s string) time.Time {
	t, _ := parseTime(s)
	return t
}
