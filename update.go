package taurusjob

import (
	"fmt"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/clip"
	"go.uber.org/zap"
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
	// InstanceID is the instance the wait reads, and Instance the instance
	// as last read, once the wait reads it ([WithReady], [Waiter.WaitReady]);
	// "" and nil before. In that phase FirstSeen and StatusChanged speak of
	// the instance. A wait for an instance alone has JobID "".
	InstanceID string
	Instance   *InstanceInfo

	p *Poller // for Trace and SetTrace (trace.go)

	FirstSeen       bool // the job became visible with this poll
	StatusChanged   bool // the status differs from the previous one seen
	ProgressChanged bool // the percent differs from the previous one seen
}

// Changed reports whether this update says something new: the job
// appeared, its status or percent moved, an error came, or the wait ended.
func (u Update) Changed() bool {
	return u.FirstSeen || u.StatusChanged || u.ProgressChanged || u.Err != nil || u.Done
}

// Hold says why a call to [Poller.Poll] sent no request although the wait
// goes on.
type Hold uint8

const (
	// HoldNotDue: Poll was called before [Update.Next] had passed.
	HoldNotDue Hold = iota + 1
	// HoldCooldown: the Waiter's shared 429 cool-down holds every poll.
	HoldCooldown
	// HoldRateLimit: the Waiter's rate limit ([WithLimiter]) has no token
	// for this poll yet: one is reserved for it, unless it would come too
	// late for any poll before the deadline.
	HoldRateLimit
	// holdInFlight: another Poll of the same Poller is under way (its
	// request or its callbacks); this one sent nothing and waited for
	// nothing. Unexported to keep the API within its budget of 60 names:
	// its String says "a poll in flight".
	holdInFlight
)

func (h Hold) String() string {
	switch h {
	case 0:
		return "not held"
	case HoldNotDue:
		return "not due"
	case HoldCooldown:
		return "429 cool-down"
	case HoldRateLimit:
		return "rate limit"
	case holdInFlight:
		return "a poll in flight"
	}
	return fmt.Sprintf("Hold(%d)", uint8(h))
}

// ending is what a finished wait returns, from every later call.
type ending struct {
	update Update
	job    *Job
	err    error
}

// pollFields are the debug log's fields of a poll's update.
func pollFields(u Update) []zap.Field {
	fields := []zap.Field{zap.String("job_id", u.JobID), zap.Int("poll", u.Poll),
		zap.String("status", clip.Text(string(u.Status), 128)), zap.Int("progress", u.Progress),
		zap.Duration("next", u.Next)}
	if u.Err != nil {
		fields = append(fields, zap.Error(u.Err))
	}
	return fields
}

// endFields are the info log's fields of the update that ends a wait.
func endFields(u Update, e *ending) []zap.Field {
	fields := []zap.Field{zap.String("job_id", u.JobID), zap.String("outcome", Outcome(e.job, e.err)),
		zap.Int("polls", u.Poll), zap.Duration("elapsed", u.Elapsed)}
	if last := u.Job; last != nil {
		fields = append(fields, zap.String("status", clip.Text(string(last.Status), 128)))
		if !last.Ended.IsZero() && last.Status.Terminal() {
			if lag := time.Since(last.Ended); lag >= 0 {
				fields = append(fields, zap.Duration("detection_lag", lag))
			}
		}
	}
	if e.err != nil {
		fields = append(fields, zap.Error(e.err))
	}
	return fields
}

// update is an Update with what the wait knows at now; p, its Poller,
// serves the Update's Trace and SetTrace. p.mu is held.
func (st *waitState) update(now time.Time, hold Hold, next time.Duration, p *Poller) Update {
	u := Update{JobID: st.JobID, Job: st.last, InstanceID: st.instanceID(), Instance: st.lastInstance(), Poll: int(st.Polls),
		Progress: -1, Elapsed: st.waited(now), Held: hold, Next: max(next, time.Nanosecond), p: p}
	if j := st.last; j != nil {
		u.Status, u.Progress = j.Status, j.Progress
		if u.Status == StatusCompleted && u.Progress < 0 {
			u.Progress = 100 // the API often drops the percent at the end
		}
	}
	return u
}

// retryIn is the Next of an update that sent nothing because ctx ended:
// the time left to the due poll, or the shortest interval (min) when it
// is due.
func (st *waitState) retryIn(now time.Time, min time.Duration) time.Duration {
	if d := st.Due.Sub(now); d > 0 {
		return d
	}
	return min
}

// callbacks is what a Poller keeps of its callbacks and warnings: the
// callbacks that panicked (a bit each: see mutedProgress), which are not
// called again for the wait, and the unusual statuses already warned
// about. Only the Poll that set busy touches it.
type callbacks struct {
	muted  uint64
	warned map[string]bool // nil until a warning
}

// The bits of callbacks.muted.
const (
	mutedProgress = iota // the progress callback
	mutedState           // the state callback
	mutedHook            // update hook i is bit mutedHook+i
)

// call calls f unless its bit is set; if f panics, the panic is logged
// and the bit set.
func (c *callbacks) call(bit int, what string, log *zap.Logger, jobID string, f func()) {
	if c.muted&(1<<bit) != 0 {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			c.muted |= 1 << bit
			log.Error(what+" panicked; it is not called again for this wait",
				zap.String("job_id", jobID), zap.String("panic", fmt.Sprint(r)))
		}
	}()
	f()
}

// warn warns once per wait about the status that made u unusual: the
// instance's, once the wait reads the instance, else the job's:
// Unauthorized, or one this package does not know.
func (c *callbacks) warn(log *zap.Logger, jobID string, u Update) {
	msg, s := "job has a status taurusjob does not know; waiting on", string(u.Status)
	switch {
	case u.Instance != nil:
		msg, s = "instance has a status taurusjob does not know; waiting on", u.Instance.Status
	case u.Status == StatusUnauthorized:
		msg = "job is waiting for an authorization; it will not progress until someone grants it"
	}
	if c.warned[msg+s] {
		return
	}
	if c.warned == nil {
		c.warned = map[string]bool{}
	}
	c.warned[msg+s] = true
	log.Warn(msg, zap.String("job_id", jobID), zap.String("status", clip.Text(s, 128)))
}
