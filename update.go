package taurusjob

import "time"

// Update is what a wait knows after one poll, passed to the [WithProgress]
// callback.
type Update struct {
	JobID    string
	Job      *Job   // the last job seen; nil while it has never been visible
	Status   Status // Job.Status, or "" while not visible
	Progress int    // 0..100, or -1 when not reported
	Poll     int    // polls made so far, this one included
	Elapsed  time.Duration
	Err      error         // this poll's error when it is retried; nil otherwise
	Next     time.Duration // the delay before the next poll; 0 when Done
	Done     bool          // the wait ends after this update

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

// Result is one job's outcome in [Waiter.WaitAll].
type Result struct {
	JobID string
	Job   *Job  // the last job seen (also on error); nil if never seen
	Err   error // what Wait returned for this job
}
