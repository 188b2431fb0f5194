package taurusjob

import "time"

// observation is everything the schedule may use to pick the next delay.
// Keeping it a plain value makes the decision a pure function that tests
// call with chosen inputs.
type observation struct {
	now      time.Time
	deadline time.Time // when the wait ends
	graceEnd time.Time // when "not visible yet" stops being an excuse
	seen     bool      // the job has been visible at least once

	backoff    time.Duration // the backoff's next step, jitter included
	retryAfter time.Duration // the last answer's Retry-After; 0 if none
	max        time.Duration // the configured max interval
}

// nextDelay returns how long to sleep before the next poll, and false when
// no poll fits before the deadline (the wait should then sleep until the
// deadline and time out).
//
// Rules, in order:
//  1. the backoff step, never above max;
//  2. a server's Retry-After is honoured, but capped by max: a hostile or
//     mistaken header cannot stall the wait;
//  3. before the job is seen, no sleep passes the end of the grace window,
//     so "not visible" is decided on time;
//  4. no sleep passes the deadline: the last poll lands finalLead before it.
func nextDelay(o observation) (time.Duration, bool) {
	d := min(o.backoff, o.max)
	if o.retryAfter > d {
		d = min(o.retryAfter, o.max)
	}
	if !o.seen && o.now.Before(o.graceEnd) {
		d = min(d, o.graceEnd.Sub(o.now))
	}
	left := o.deadline.Sub(o.now)
	if left <= finalLead {
		return max(left, 0), false
	}
	return max(min(d, left-finalLead), 0), true
}
