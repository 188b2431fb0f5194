// Package nojob holds the error a job getter returns for an answer that
// holds no job (a 2xx with "job" absent, null or empty). The core's client
// and the SDK adapters return it; the waiter reads it, like a 404, as "not
// visible yet" before the job was seen and as a passing fault after.
//
// It is not the waiter's *NotVisibleError, which ends a wait: an empty
// answer must not match taurusjob.ErrNotVisible, or a wait that timed out
// after one would look as if the job had never been visible. It matches
// taurusjob.ErrNoJob instead.
package nojob

import (
	"errors"
	"fmt"
)

// Err is what every Error matches; the root package exports it as
// taurusjob.ErrNoJob, so that callers of GetJob can tell this answer.
var Err = errors.New("taurusjob: the answer holds no job")

// Error says the answer for a job held no job.
type Error struct {
	JobID string // already checked by the caller: an id the API accepts
}

func (e *Error) Error() string {
	return fmt.Sprintf("taurusjob: job %s is not visible (the answer holds no job)", e.JobID)
}

// Is reports whether target is Err.
func (e *Error) Is(target error) bool { return target == Err }
