package taurusjob

import (
	"testing"
	"time"
)

// The delay decision is a pure function: these cases pin each rule of
// nextDelay with chosen inputs.
func TestNextDelay(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	base := observation{
		now:      t0.Add(10 * time.Minute),
		deadline: t0.Add(time.Hour),
		graceEnd: t0.Add(time.Minute),
		seen:     true,
		lead:     time.Second,
		status:   StatusRunning,
		age:      10 * time.Minute,
		min:      time.Second,
		max:      5 * time.Minute,
		blind:    10 * time.Second,
	}
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	tests := []struct {
		name     string
		edit     func(o *observation)
		want     time.Duration
		wantMore bool
	}{
		{"nothing known: the blind interval", func(o *observation) {}, 10 * time.Second, true},
		{"jitter shortens a sleep by up to 10%", func(o *observation) { o.jitter = 0.5 }, 9*time.Second + 500*time.Millisecond, true},
		{"jitter never shortens a Retry-After", func(o *observation) {
			o.jitter, o.retryAfter = 0.99, 30*time.Second
		}, 30 * time.Second, true},
		{"after an error: the backoff step", func(o *observation) { o.backoff = 4 * time.Second }, 4 * time.Second, true},
		{"a backoff step above the failure bound is capped", func(o *observation) { o.backoff = time.Hour }, 5 * time.Minute, true},
		{"a young job's failure bound is half its age", func(o *observation) {
			o.backoff = time.Hour
			o.age = 40 * time.Second
		}, 20 * time.Second, true},
		{"the failure bound is never under 5s", func(o *observation) {
			o.age = 0
		}, 5 * time.Second, true},
		{"nor under min", func(o *observation) {
			o.age, o.min = 0, 8*time.Second
		}, 8 * time.Second, true},
		{"Pending: the failure bound, nothing to predict", func(o *observation) { o.status = StatusPending }, 5 * time.Minute, true},
		{"Unauthorized: the failure bound", func(o *observation) {
			o.status = StatusUnauthorized
			o.age = 3 * time.Minute
		}, 90 * time.Second, true},
		{"a predicted end ahead: sleep to its start and one step in", func(o *observation) {
			o.end = window{lo: at(12 * time.Minute), hi: at(12*time.Minute + 18*time.Second)}
		}, 2*time.Minute + 3*time.Second, true},
		{"an end ahead with no upper bound: sleep to its start", func(o *observation) {
			o.end = window{lo: at(12 * time.Minute)}
		}, 2 * time.Minute, true},
		{"a predicted end far ahead: capped by the failure bound", func(o *observation) {
			o.end = window{lo: at(50 * time.Minute), hi: at(51 * time.Minute)}
		}, 5 * time.Minute, true},
		{"inside the window: a sixth of it", func(o *observation) {
			o.end = window{lo: at(9 * time.Minute), hi: at(9*time.Minute + 18*time.Second)}
		}, 3 * time.Second, true},
		{"inside a wide window: at most 1.5 blind intervals", func(o *observation) {
			o.end = window{lo: at(9 * time.Minute), hi: at(20 * time.Minute)}
		}, 15 * time.Second, true},
		{"inside a window with no upper bound: blind", func(o *observation) {
			o.end = window{lo: at(9 * time.Minute)}
		}, 10 * time.Second, true},
		{"Retry-After longer than the step is honoured", func(o *observation) { o.retryAfter = 30 * time.Second }, 30 * time.Second, true},
		{"Retry-After shorter than the step does not shorten it", func(o *observation) { o.retryAfter = time.Second }, 10 * time.Second, true},
		{"a huge Retry-After is capped by max", func(o *observation) { o.retryAfter = 24 * time.Hour }, 5 * time.Minute, true},
		{"before the job is seen, no sleep passes the grace end", func(o *observation) {
			o.seen, o.status = false, ""
			o.now = t0.Add(58 * time.Second)
			o.backoff = 16 * time.Second
		}, 2 * time.Second, true},
		{"once seen, the grace end does not matter", func(o *observation) {
			o.now = t0.Add(58 * time.Second)
		}, 10 * time.Second, true},
		{"the last poll lands finalLead before the deadline", func(o *observation) {
			o.now = o.deadline.Add(-3 * time.Second)
		}, 2 * time.Second, true},
		{"Retry-After is cut by the time left", func(o *observation) {
			o.now = o.deadline.Add(-10 * time.Second)
			o.retryAfter = 50 * time.Second
		}, 9 * time.Second, true},
		{"inside finalLead no poll fits: sleep to the deadline", func(o *observation) {
			o.now = o.deadline.Add(-500 * time.Millisecond)
		}, 500 * time.Millisecond, false},
		{"a short wait keeps a shorter lead", func(o *observation) {
			o.lead = lastPollLead(2 * time.Second)
			o.now = o.deadline.Add(-time.Second)
		}, 800 * time.Millisecond, true},
		{"past the deadline: nothing", func(o *observation) {
			o.now = o.deadline.Add(time.Second)
		}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := base
			tt.edit(&o)
			got, more := nextDelay(o)
			if got != tt.want || more != tt.wantMore {
				t.Errorf("nextDelay = %s, %v; want %s, %v", got, more, tt.want, tt.wantMore)
			}
		})
	}
}
