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
		backoff:  4 * time.Second,
		max:      time.Minute,
	}
	tests := []struct {
		name     string
		edit     func(o *observation)
		want     time.Duration
		wantMore bool
	}{
		{"the backoff step as it is", func(o *observation) {}, 4 * time.Second, true},
		{"a step above max is capped", func(o *observation) { o.backoff = 10 * time.Minute }, time.Minute, true},
		{"Retry-After longer than the step is honoured", func(o *observation) { o.retryAfter = 30 * time.Second }, 30 * time.Second, true},
		{"Retry-After shorter than the step does not shorten it", func(o *observation) { o.retryAfter = time.Second }, 4 * time.Second, true},
		{"a huge Retry-After is capped by max", func(o *observation) { o.retryAfter = 24 * time.Hour }, time.Minute, true},
		{"before the job is seen, no sleep passes the grace end", func(o *observation) {
			o.seen = false
			o.now = t0.Add(58 * time.Second)
		}, 2 * time.Second, true},
		{"once seen, the grace end does not matter", func(o *observation) {
			o.now = t0.Add(58 * time.Second)
		}, 4 * time.Second, true},
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
