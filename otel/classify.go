package taurusjobotel

import (
	"errors"
	"net/http"

	"github.com/taurusdb-tools/taurusjob"
)

// result is what one poll's answer was, as the polls counter names it.
type result uint8

const (
	resultVisible    result = iota // the job was returned
	resultNotVisible               // 404 or no job: not visible yet, or missing after it was seen
	resultTransient                // retried: 5xx, network, timeout, malformed answer
	resultThrottled                // retried: 429
	resultPermanent                // ended the wait: 400, 401, 403, invalid input
	numResults
)

var resultNames = [numResults]string{"visible", "not_visible", "transient", "throttled", "permanent"}

func (r result) String() string { return resultNames[r] }

// pollResult classifies the answer of an update that sent a request
// (u.Polled). Every case follows from what the Poller put in the update:
// Err is this poll's retried error while the wait goes on, and the final
// error when it is Done.
func pollResult(u taurusjob.Update) result {
	if u.Done {
		var (
			nv *taurusjob.NotVisibleError
			we *taurusjob.WaitError
		)
		switch {
		case errors.As(u.Err, &we):
			return resultPermanent
		case errors.As(u.Err, &nv):
			return resultNotVisible
		}
		return resultVisible // a terminal status (or Pending, WithReturnOnPending)
	}
	switch {
	case u.Err == nil && u.Job == nil:
		return resultNotVisible // inside the grace window
	case u.Err == nil:
		return resultVisible
	case throttled(u.Err):
		return resultThrottled
	case missing(u.Err):
		return resultNotVisible // a 404 after the job was seen: retried
	}
	return resultTransient
}

// missing reports whether err is an answer that the job is not there, as
// the core reads it: a 404, an answer without a job (ErrNoJob), or a
// *NotVisibleError from a getter written before ErrNoJob. (The core decides
// what that means for the wait; this only names the answer.)
func missing(err error) bool {
	var ae *taurusjob.APIError
	return errors.Is(err, taurusjob.ErrNoJob) || errors.Is(err, taurusjob.ErrNotVisible) ||
		(errors.As(err, &ae) && ae != nil && ae.StatusCode == http.StatusNotFound)
}

// throttled reports whether err is a 429 answer.
func throttled(err error) bool {
	var ae *taurusjob.APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusTooManyRequests
}

// holdName names a hold of the Waiter's shared quota, as the refused
// counter and the throttle events do; "" for a hold that is not a refusal.
func holdName(h taurusjob.Hold) string {
	switch h {
	case taurusjob.HoldCooldown:
		return "cooldown"
	case taurusjob.HoldRateLimit:
		return "rate_limit"
	}
	return ""
}
