package taurusjob

import (
	"time"
)

// Update is what a wait knows after a call to [Poller.Poll]: returned by
// Poll, and passed to the [WithProgress] callback.
type Update struct {
	JobID string
	Job   *Job // the last job seen; nil while it has never been visible
	// Status and Progress are read without a nil check on Job, and
	// Progress is 100 once the job completed even when the API sent no
	// percent (Job.Progress keeps what it sent), so a progress bar ends full.
	Status   Status // Job.Status, or "" while not visible
	Progress int    // 0..100, or -1 when not reported; 100 once Completed
	Poll     int    // polls made so far, this one included
	Elapsed  time.Duration
	// Err is this poll's error when it is retried, and the final error
	// (what Wait returns) when Done; nil otherwise.
	Err  error
	Next time.Duration // how long to wait before the next Poll; 0 only when Done
	Done bool          // the wait is over: Poller.Result gives its answer

	// EndEarliest and EndLatest are when the job is predicted to end: the
	// window the schedule polls across, from a percent that grows like a
	// line or from how long earlier jobs of its name took. Both are zero
	// when nothing the schedule trusts predicts the end (no percent yet, a
	// percent off the line, a first job of its name), and EndLatest alone
	// is zero while only the earliest end is known. Set on polls of a
	// Running job only.
	EndEarliest, EndLatest time.Time

	// Polled says this call sent a request. When it did not and the wait
	// goes on, Held says why (the poll was not due, or the Waiter's quota
	// held it) and Next is the time left; Held is zero when ctx cut the
	// call short (Poll then returns ctx's error).
	Polled bool
	Held   Hold

	// What this poll changed compared to the previous one.
	FirstSeen       bool // the job became visible with this poll
	StatusChanged   bool // the status differs from the previous one seen
	ProgressChanged bool // the percent differs from the previous one seen
}

// Changed reports whether this update says something new: the job
// appeared, its status or percent moved, an error came, or the wait ended.
func (u Update) Changed() bool {
	return u.FirstSeen || u.StatusChanged || u.ProgressChanged || u.Err != nil || u.Done
}
