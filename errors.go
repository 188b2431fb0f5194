package taurusjob

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/clip"
	"github.com/taurusdb-tools/taurusjob/internal/jobid"
	"github.com/taurusdb-tools/taurusjob/internal/nojob"
)

// Sentinels to match with [errors.Is].
var (
	// ErrInvalidInput matches every error about a value given by the caller
	// (endpoint, project id, job id, credentials, options). No request is
	// sent when it is returned.
	ErrInvalidInput = errors.New("taurusjob: invalid input")
	// ErrJobFailed matches *JobFailedError: the job ended Failed or Canceled.
	ErrJobFailed = errors.New("taurusjob: job failed")
	// ErrTimeout matches *TimeoutError: the wait's deadline passed first.
	ErrTimeout = errors.New("taurusjob: wait timed out")
	// ErrNotVisible matches *NotVisibleError: the job never became visible
	// within the visibility grace window.
	ErrNotVisible = errors.New("taurusjob: job not visible")
	// ErrNoJob matches the error of a GetJob whose answer held no job (a
	// 2xx whose "job" is absent, null or empty). Like a 404 it says the job
	// is not there: "not visible yet" before the job was seen, a passing
	// fault after. A JobGetter of your own may return an error wrapping it.
	// It is not ErrNotVisible, which only the end of a wait matches.
	ErrNoJob = nojob.Err
)

// InputError is a bad value given by the caller. It names the field, never
// a secret's content, and matches [ErrInvalidInput].
type InputError struct {
	Field  string // "endpoint", "project id", "job id", ...
	Reason string
}

func (e *InputError) Error() string {
	return fmt.Sprintf("taurusjob: invalid %s: %s", e.Field, e.Reason)
}

// Is reports whether target is ErrInvalidInput.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

func invalid(field, format string, args ...any) error {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// APIError is an answer of the API other than 2xx, or a 2xx answer that
// could not be used.
type APIError struct {
	StatusCode int           // HTTP status
	Code       string        // the API's error_code, e.g. "DBS.200001" or "APIGW.0308"; "" when absent
	Message    string        // the API's error_msg, or a short description of the body
	RequestID  string        // the X-Request-Id header; "" when absent
	RetryAfter time.Duration // from the Retry-After header; 0 when absent or in the past
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "taurusjob: API answered HTTP %d", e.StatusCode)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	if h := e.hint(); h != "" {
		fmt.Fprintf(&b, "; %s", h)
	}
	return b.String()
}

// JobFailedError is returned by [Waiter.Wait] when the job ended Failed or
// Canceled. It matches [ErrJobFailed].
type JobFailedError struct {
	Job *Job
}

// Error says which job ended how, and why. The job's name, status and
// fail_reason come from the server: they are shown on one line of valid
// UTF-8 and clipped (Job keeps them as sent), so that a hostile answer
// cannot forge log lines, send terminal escapes or flood a log.
func (e *JobFailedError) Error() string {
	reason := e.Job.FailReason
	if reason == "" {
		reason = "no fail_reason given"
	}
	name := ""
	if e.Job.Name != "" {
		name = " (" + clip.Text(e.Job.Name, maxNameLen) + ")"
	}
	return fmt.Sprintf("taurusjob: job %s%s ended %s: %s", clip.Text(e.Job.ID, jobid.MaxLen), name,
		clip.Text(string(e.Job.Status), maxNameLen), clip.Text(reason, maxMessageLen))
}

// maxNameLen bounds a job's name or status in an error text.
const maxNameLen = 128

// Is reports whether target is ErrJobFailed.
func (e *JobFailedError) Is(target error) bool { return target == ErrJobFailed }

// TimeoutError is returned by [Waiter.Wait] when the deadline passed or ctx
// was canceled before the job ended. It keeps everything known so far.
// It matches [ErrTimeout], and the ctx error that ended the wait
// ([context.DeadlineExceeded] for a deadline, [context.Canceled] for a cancel).
type TimeoutError struct {
	JobID   string
	Last    *Job  // the last job seen; nil if it was never visible
	LastErr error // the last poll's error, if the last poll failed
	Polls   int
	Waited  time.Duration
	Cause   error // context.DeadlineExceeded or context.Canceled (or ctx's cause)

	// In a wait that reached its instance ([WithReady], [Waiter.WaitReady]):
	// the instance's id, and the instance as last read (nil if never found).
	InstanceID string
	Instance   *InstanceInfo
}

func (e *TimeoutError) Error() string {
	var b strings.Builder
	what := "timed out"
	if errors.Is(e.Cause, context.Canceled) {
		what = "was canceled"
	}
	fmt.Fprintf(&b, "taurusjob: wait for %s %s after %s and %s", waitSubject(e.JobID, e.InstanceID), what, e.Waited.Round(time.Millisecond), polls(e.Polls))
	switch {
	case e.InstanceID != "" && e.Instance != nil:
		fmt.Fprintf(&b, "; last instance status %s", clip.Text(e.Instance.Status, maxNameLen))
		if len(e.Instance.Actions) > 0 {
			fmt.Fprintf(&b, " with %d actions under way", len(e.Instance.Actions))
		}
	case e.InstanceID != "":
		b.WriteString("; the instance was never found")
	case e.Last != nil:
		fmt.Fprintf(&b, "; last status %s", clip.Text(string(e.Last.Status), maxNameLen))
		if e.Last.Progress >= 0 {
			fmt.Fprintf(&b, " at %d%%", e.Last.Progress)
		}
	default:
		b.WriteString("; the job was never seen")
	}
	if e.LastErr != nil {
		fmt.Fprintf(&b, "; last error: %s", unprefixed(e.LastErr))
	}
	return b.String()
}

// Is reports whether target is ErrTimeout.
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// Unwrap returns the ctx error that ended the wait and the last poll error.
func (e *TimeoutError) Unwrap() []error {
	errs := []error{e.Cause}
	if e.LastErr != nil {
		errs = append(errs, e.LastErr)
	}
	return errs
}

// NotVisibleError ends a wait whose job could not be found: every poll
// answered 404 (or an answer without a job) for longer than the visibility
// grace window. It matches [ErrNotVisible].
type NotVisibleError struct {
	JobID   string
	Polls   int
	Waited  time.Duration
	LastErr error // the last poll's answer: a 404 *APIError, an answer without a job, or nil
}

func (e *NotVisibleError) Error() string {
	s := fmt.Sprintf("taurusjob: job %s was not visible after %s and %s (jobs can be queried only for a month, and only a few seconds after creation)",
		e.JobID, e.Waited.Round(time.Millisecond), polls(e.Polls))
	if e.LastErr != nil {
		s += "; last answer: " + unprefixed(e.LastErr)
	}
	return s
}

// Is reports whether target is ErrNotVisible.
func (e *NotVisibleError) Is(target error) bool { return target == ErrNotVisible }

// Unwrap returns the last poll's error.
func (e *NotVisibleError) Unwrap() error { return e.LastErr }

// LastJob returns the last job seen, carried by any error [Waiter.Wait]
// returns; nil if the job was never seen or err carries none.
func LastJob(err error) *Job {
	var jf *JobFailedError
	if errors.As(err, &jf) {
		return jf.Job
	}
	var te *TimeoutError
	if errors.As(err, &te) {
		return te.Last
	}
	var we *WaitError
	if errors.As(err, &we) {
		return we.Last
	}
	return nil
}

// WaitError is returned by [Waiter.Wait] when a poll failed in a way retrying
// cannot fix (400, 401 after a token refresh, 403, invalid input). It keeps
// the state of the wait and unwraps to the poll's error, so errors.As finds
// the *APIError or *InputError.
type WaitError struct {
	JobID  string
	Last   *Job // the last job seen; nil if it was never visible
	Polls  int
	Waited time.Duration
	Err    error
	// InstanceID is the instance whose reading failed, in a wait that
	// reached its instance ([WithReady], [Waiter.WaitReady]); "" before.
	InstanceID string
}

func (e *WaitError) Error() string {
	return fmt.Sprintf("taurusjob: wait for %s stopped after %s: %s", waitSubject(e.JobID, e.InstanceID), polls(e.Polls), unprefixed(e.Err))
}

// waitSubject names what a wait waited for: its job, its instance alone,
// or its job's instance.
func waitSubject(jobID, instanceID string) string {
	switch {
	case instanceID == "":
		return "job " + jobID
	case jobID == "":
		return "instance " + instanceID
	}
	return "job " + jobID + "'s instance " + instanceID
}

// unprefixed is err's text without its "taurusjob: ", for an error that
// quotes it after its own: the prefix is said once.
func unprefixed(err error) string {
	if err == nil {
		return "<nil>"
	}
	return strings.TrimPrefix(err.Error(), "taurusjob: ")
}

// Unwrap returns the poll's error.
func (e *WaitError) Unwrap() error { return e.Err }

// polls says "1 poll" or "N polls".
func polls(n int) string {
	if n == 1 {
		return "1 poll"
	}
	return fmt.Sprintf("%d polls", n)
}

// Outcome names how a wait ended: "completed", "pending" (with
// [WithReturnOnPending]), "failed", "canceled", "timeout", "interrupted",
// "not_visible" or "error", from what [Waiter.Wait] returned; with
// [WithReady] or [Waiter.WaitReady], also "instance_failed" and
// "instance_not_found" (an [*InstanceError]). A WaitReady that ended
// well, (nil, nil), is "completed".
func Outcome(job *Job, err error) string {
	var (
		te *TimeoutError
		nv *NotVisibleError
	)
	switch {
	case err == nil && job != nil && job.Status == StatusPending:
		return "pending"
	case err == nil:
		return "completed"
	case errors.Is(err, ErrJobFailed) && job != nil && job.Status == StatusCanceled:
		return "canceled"
	case errors.Is(err, ErrJobFailed):
		return "failed"
	case errors.As(err, &te) && errors.Is(te.Cause, context.Canceled):
		return "interrupted"
	case errors.As(err, &te):
		return "timeout"
	case errors.As(err, &nv):
		return "not_visible"
	case errors.Is(err, ErrInstanceNotFound):
		return "instance_not_found"
	case errors.Is(err, ErrInstanceFailed):
		return "instance_failed"
	}
	return "error"
}
