package main

import "time"

// Got is what a wait reported at its end.
type Got int

// The ends of a wait.
const (
	GotCompleted Got = iota // the job completed
	GotFailed               // the job failed (with or without its reason)
	GotGaveUp               // stopped polling without a terminal status: a time or attempt limit
	GotError                // ended on an error: a 404 taken as fatal, a timeout, anything else
)

func (g Got) String() string {
	switch g {
	case GotCompleted:
		return "completed"
	case GotFailed:
		return "failed"
	case GotGaveUp:
		return "gave up"
	}
	return "error"
}

// Result is one wait of one trial.
type Result struct {
	Calls    int           // API calls made
	Returned time.Duration // when the wait returned, since the job's creation
	Got      Got
}

// Correct reports whether the wait told the truth: a completed job gives
// success, a failed one a failure.
func (r Result) Correct(t Trial) bool {
	if t.Outcome == Failed {
		return r.Got == GotFailed
	}
	return r.Got == GotCompleted
}

// Lag is how long after the job's terminal status became visible the wait
// returned.
func (r Result) Lag(t Trial) time.Duration { return r.Returned - t.Observable() }
