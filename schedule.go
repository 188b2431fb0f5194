package taurusjob

import (
	"time"

	"github.com/cenkalti/backoff/v4"
)

// backoffJitter spreads retries of waits that failed together by ±20 %.
const backoffJitter = 0.2

// backoffMultiplier doubles the delay after each error or not-visible
// answer in a row: 1, 2, 4, 8 s... A new job is usually visible within
// seconds; a longer outage is not hammered.
const backoffMultiplier = 2

// maxClockSkew is how far in the future a job's created time may be before
// it is taken as a clock error and ignored.
const maxClockSkew = time.Minute

// jobRetention is how long the API keeps a job: a created time older than
// this is not believed.
const jobRetention = 31 * 24 * time.Hour

// observation is everything the schedule may use to pick the next delay.
// Keeping it a plain value makes the decision a pure function that tests
// call with chosen inputs.
type observation struct {
	now      time.Time
	deadline time.Time // when the wait ends
	graceEnd time.Time // when "not visible yet" stops being an excuse
	seen     bool      // the job has been visible at least once

	status Status        // the last status seen; "" before
	age    time.Duration // how long the job has existed (from its created time, else from the wait's start)
	end    window        // where the job is expected to end; zero when nothing predicts it

	backoff    time.Duration // after an error or a not-visible answer: the backoff's next step; else 0
	retryAfter time.Duration // the last answer's Retry-After; 0 if none
	jitter     float64       // in [0, 1): spreads the polls of waits started together

	lead  time.Duration // how long before the deadline the last poll lands
	min   time.Duration // the shortest sleep the waiter chooses
	max   time.Duration // the longest sleep the waiter chooses
	blind time.Duration // the interval when nothing predicts the end
}

// sleepJitter is how much sleeps are shortened at random (up to 10 %), so
// that waits started together do not keep polling together. Shortening
// only keeps every bound below true.
const sleepJitter = 0.1

// windowSteps is how many polls are spread over a predicted end window:
// the median detection lag is about a twelfth of the window.
const windowSteps = 6

// failureFloor is the shortest failure bound: polling a young job more
// often than every 5 s buys little, since a job's first seconds are
// spent becoming visible.
const failureFloor = 5 * time.Second

// nextDelay returns how long to sleep before the next poll, and false when
// no poll fits before the deadline (the wait should then sleep until the
// deadline and time out).
//
// The sleep is, by what is known:
//   - after an error or a not-visible answer: the backoff step;
//   - Pending or Unauthorized: the failure bound (nothing to predict);
//   - a predicted end window ahead: sleep to its start plus one step;
//   - inside the window: a step of a windowSteps-th of it, so the end is
//     noticed soon after it comes, never longer than the blind interval
//     (a prediction never makes the waiter slower to notice the end);
//   - nothing predicts the end: the blind interval.
//
// Every sleep the waiter chooses is capped by the failure bound: half the
// job's age, at least 5 s (or min) and at most max, so a job that fails
// early is noticed early. A server's Retry-After can lengthen a sleep, up to max.
// Before the job is seen no sleep passes the grace end, and no sleep
// passes the deadline: the last poll lands lead (lastPollLead) before it.
func nextDelay(o observation) (time.Duration, bool) {
	bound := failureBound(o.age, o.min, o.max)
	var d time.Duration
	switch {
	case o.backoff > 0:
		d = o.backoff
	case o.status == StatusPending || o.status == StatusUnauthorized:
		d = bound
	case o.end.known() && o.now.Before(o.end.lo):
		d = o.end.lo.Sub(o.now) + windowStep(o) // the end is rarely at the earliest bound
	case o.end.known() && !o.end.hi.IsZero():
		d = windowStep(o)
	default:
		d = o.blind
	}
	d = min(d, bound)
	d -= time.Duration(float64(d) * sleepJitter * o.jitter)
	if o.retryAfter > d {
		d = min(o.retryAfter, o.max) // never shortened: the server asked for it
	}
	if !o.seen && o.now.Before(o.graceEnd) {
		d = min(d, o.graceEnd.Sub(o.now))
	}
	left := o.deadline.Sub(o.now)
	if left <= o.lead {
		return max(left, 0), false
	}
	return max(min(d, left-o.lead), 0), true
}

// lastPollLead is how long before the deadline the last poll lands: a
// second, or a tenth of a wait shorter than 10 s, so short waits still
// poll more than once.
func lastPollLead(wait time.Duration) time.Duration {
	return max(min(finalLead, wait/10), 0)
}

// windowStep is the interval between polls inside a predicted end window.
func windowStep(o observation) time.Duration {
	if o.end.hi.IsZero() {
		return 0
	}
	return clampDur(o.end.hi.Sub(o.end.lo)/windowSteps, o.min, o.blind)
}

// failureBound is the longest sleep that keeps a failure noticed within
// half the job's age: age/2 within [failureFloor, max], and never under min.
func failureBound(age, minD, maxD time.Duration) time.Duration {
	return clampDur(age/2, clampDur(failureFloor, minD, maxD), maxD)
}

func clampDur(d, lo, hi time.Duration) time.Duration { return max(lo, min(d, hi)) }

// backoffStep is the backoff's delay after n failing answers in a row:
// min doubled n times, capped at max, with ±20 % jitter. It is the n-th
// step of cenkalti/backoff's ExponentialBackOff (no elapsed-time stop: the
// deadline is the wait's), built at that step so that a wait can carry its
// position in a resume token as a plain count.
func backoffStep(minD, maxD time.Duration, n int) time.Duration {
	interval := minD
	for i := 0; i < n && interval < maxD; i++ { // as ExponentialBackOff grows its interval
		if float64(interval) >= float64(maxD)/backoffMultiplier {
			interval = maxD
		} else {
			interval = time.Duration(float64(interval) * backoffMultiplier)
		}
	}
	bo := backoff.ExponentialBackOff{
		InitialInterval:     interval,
		RandomizationFactor: backoffJitter,
		Multiplier:          backoffMultiplier,
		MaxInterval:         maxD,
		MaxElapsedTime:      0,
		Stop:                backoff.Stop,
		Clock:               backoff.SystemClock,
	}
	bo.Reset()
	return bo.NextBackOff()
}

// window is a span of time in which the job is expected to end. hi may be
// zero when only a lower bound is known.
type window struct {
	lo, hi time.Time
}

func (w window) known() bool { return !w.lo.IsZero() }

// progressTrack predicts the end of a job from its percent, assuming the
// percent grows linearly. The API rounds the percent down, so a reading p
// means a true value in [p, p+1), and two readings bound the end exactly
// for a linear job. It keeps the first reading and the latest one, and the
// date the latest percent was first read (ReachedT).
//
// The window the schedule polls across comes from the latest reading. The
// line's life is held to what it said: dated from when the percent first
// reached its value, the readings give a latest end (latest) that a
// linear job cannot pass, the earliest of them is kept (Said), and a job
// that runs past it has broken the line (noteOutlived). So a percent that stops moving, whose window slides
// forward with every reading at the same value, is dropped once the job
// outlives the end its readings allowed.
//
// When a reading contradicts the line (the percent goes back, stalls past
// its predicted range, jumps ahead of it), or the job runs past the line's
// latest end, the track is broken for the rest of the wait and the
// schedule falls back to what it does without a percent: steps, stalls
// and front-loaded percents never make it worse than no percent at all.
type progressTrack struct {
	AnchorT  time.Time `json:"at,omitzero"`
	AnchorP  int       `json:"ap,omitzero"`
	LastT    time.Time `json:"lt,omitzero"`
	LastP    int       `json:"lp,omitzero"`
	ReachedT time.Time `json:"rt,omitzero"` // when LastP was first read
	// Said is the earliest latest end the readings have allowed: a later
	// reading may give a later one (rounding), but the line is held to this.
	Said   time.Time `json:"said,omitzero"`
	Broken bool      `json:"broken,omitzero"`
}

// observe takes one reading of a Running job at time now.
func (pt *progressTrack) observe(now time.Time, p int) {
	switch {
	case pt.Broken || p < 0:
	case pt.AnchorT.IsZero():
		pt.AnchorT, pt.AnchorP, pt.LastT, pt.LastP, pt.ReachedT = now, p, now, p, now
	case p < pt.LastP || !pt.fits(now, p):
		pt.Broken = true
	case p > pt.LastP:
		pt.LastT, pt.LastP, pt.ReachedT = now, p, now
		if l := pt.latest(); !l.IsZero() && (pt.Said.IsZero() || l.Before(pt.Said)) {
			pt.Said = l
		}
	default: // the same percent again
		pt.LastT = now
	}
}

// fits reports whether a reading agrees with the line the earlier
// readings predict, allowing one percent of slack for rounding.
func (pt *progressTrack) fits(now time.Time, p int) bool {
	w := pt.window()
	if !w.known() || w.hi.IsZero() {
		return true // too little seen to predict
	}
	span := now.Sub(pt.AnchorT).Seconds()
	// The slowest and the fastest lines through the anchor's range that
	// end inside the window.
	slow := float64(pt.AnchorP) + float64(100-pt.AnchorP)*span/w.hi.Sub(pt.AnchorT).Seconds()
	fast := float64(pt.AnchorP+1) + float64(99-pt.AnchorP)*span/w.lo.Sub(pt.AnchorT).Seconds()
	return float64(p) <= fast+1 && float64(p+1) >= slow-1
}

// window returns the bounds of the end that the readings give, or a zero
// window when they give none (no growth yet, or the track is broken).
func (pt *progressTrack) window() window {
	dp := pt.LastP - pt.AnchorP
	if pt.Broken || dp < 1 || pt.LastP >= 100 {
		return window{}
	}
	span := pt.LastT.Sub(pt.AnchorT).Seconds()
	// Earliest end: the anchor read low and the last reading high.
	lo := pt.LastT.Add(seconds(span * float64(99-pt.LastP) / float64(dp+1)))
	w := window{lo: lo}
	if dp >= 2 {
		// Latest end: the anchor read high and the last reading low.
		w.hi = pt.LastT.Add(seconds(span * float64(100-pt.LastP) / float64(dp-1)))
	}
	return w
}

// latest is the latest end a linear job can have, from the readings dated
// when each percent was first read: the anchor high, the latest percent
// low when it was first reached. Zero while the percent grew by less than
// two.
func (pt *progressTrack) latest() time.Time {
	dp := pt.LastP - pt.AnchorP
	if pt.Broken || dp < 2 || pt.LastP >= 100 {
		return time.Time{}
	}
	span := pt.ReachedT.Sub(pt.AnchorT).Seconds()
	return pt.ReachedT.Add(seconds(span * float64(100-pt.LastP) / float64(dp-1)))
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
