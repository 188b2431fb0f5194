package taurusjob

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

// step is the whole decision of a poll, as a pure function: these cases
// pin what each answer does to a wait, the way smithy tests ComputeDelay.
// Each gives a state and an answer, and checks what happens next.
func TestStep(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	cfg := defaultConfig()
	fresh := newWaitState("job-1", t0, &cfg) // 60 s grace, 1 h deadline
	running := &Job{ID: "job-1", Status: StatusRunning, Progress: 10, Created: t0}
	seen, _ := step(fresh, stepIn{now: t0, limit: fresh.Deadline, answer: answer{job: running, sent: true}, jitter: half, cfg: &cfg})
	notFound := &APIError{StatusCode: http.StatusNotFound, Code: "DBS.200001"}
	unavailable := &APIError{StatusCode: http.StatusServiceUnavailable}
	throttled := &APIError{StatusCode: http.StatusTooManyRequests, RetryAfter: 7 * time.Second}

	tests := []struct {
		name  string
		st    waitState
		at    time.Duration // after t0
		a     answer
		check func(t *testing.T, st waitState, o outcome)
	}{
		{"first sight of a Running job: goes on, counted, first seen", fresh, 0, answer{job: running, sent: true},
			func(t *testing.T, st waitState, o outcome) {
				want(t, !o.done && o.firstSeen && o.statusChanged && st.Polls == 1 && st.Errs == 0 && o.next > 0, "%+v", o)
			}},
		{"Completed ends the wait with the job, and learns its duration", seen, 90 * time.Second,
			answer{job: &Job{ID: "job-1", Name: "n", Status: StatusCompleted, Created: t0, Ended: t0.Add(80 * time.Second)}, sent: true},
			func(t *testing.T, st waitState, o outcome) {
				want(t, o.done && o.err == nil && o.job.Status == StatusCompleted && o.learned == 80*time.Second, "%+v", o)
			}},
		{"Failed ends the wait with a JobFailedError", seen, time.Minute, answer{job: &Job{ID: "job-1", Status: StatusFailed, FailReason: "disk"}, sent: true},
			func(t *testing.T, st waitState, o outcome) {
				want(t, o.done && errors.Is(o.err, ErrJobFailed) && o.job.FailReason == "disk", "%+v", o)
			}},
		{"a 404 inside the grace window: not visible yet, backoff counts", fresh, 10 * time.Second, answer{err: notFound, sent: true},
			func(t *testing.T, st waitState, o outcome) {
				want(t, !o.done && st.Errs == 1 && o.next <= 50*time.Second && st.lastErr == notFound, "%+v %+v", o, st)
			}},
		{"a 404 past the grace window, never seen: NotVisibleError", fresh, 61 * time.Second, answer{err: notFound, sent: true},
			func(t *testing.T, st waitState, o outcome) {
				want(t, o.done && errors.Is(o.err, ErrNotVisible) && o.job == nil, "%+v", o)
			}},
		{"a 404 once seen: a passing fault, retried", seen, 5 * time.Minute, answer{err: notFound, sent: true},
			func(t *testing.T, st waitState, o outcome) {
				want(t, !o.done && errors.Is(o.err, notFound) && st.Errs == 1, "%+v", o)
			}},
		{"a 503: retried after the backoff, kept as the last error", seen, time.Minute, answer{err: unavailable, sent: true},
			func(t *testing.T, st waitState, o outcome) {
				want(t, !o.done && o.err == unavailable && st.lastErr == unavailable && st.LastErr.Status == 503 && o.next >= cfg.minInterval*7/10, "%+v", o) // the backoff step ±20 %, less the sleep jitter
			}},
		{"a 429: the shared cool-down starts, Retry-After honoured", seen, time.Minute, answer{err: throttled, sent: true},
			func(t *testing.T, st waitState, o outcome) {
				want(t, !o.done && o.throttled && o.retryAfter == 7*time.Second && o.next >= 7*time.Second, "%+v", o)
			}},
		{"a 403: a WaitError with the last job", seen, time.Minute, answer{err: &APIError{StatusCode: http.StatusForbidden}, sent: true},
			func(t *testing.T, st waitState, o outcome) {
				var we *WaitError
				want(t, o.done && errors.As(o.err, &we) && we.Last != nil && we.Polls == 2, "%+v", o)
			}},
		{"the deadline came: a TimeoutError with everything known", seen, time.Hour, answer{cause: context.DeadlineExceeded},
			func(t *testing.T, st waitState, o outcome) {
				var te *TimeoutError
				want(t, o.done && errors.As(o.err, &te) && te.Last != nil && te.Polls == 1 && te.Waited == time.Hour, "%+v", o)
			}},
		{"no poll fits before the deadline: come back at it", seen, time.Hour - time.Millisecond, answer{job: running, sent: true},
			func(t *testing.T, st waitState, o outcome) {
				want(t, !o.done && o.next == time.Millisecond, "%+v", o)
			}},
		{"answered at the deadline: this poll ends the wait", seen, time.Hour, answer{job: running, sent: true},
			func(t *testing.T, st waitState, o outcome) {
				want(t, o.done && errors.Is(o.err, ErrTimeout), "%+v", o)
			}},
		{"seen after 404s: the 404 is no longer the last error", func() waitState {
			st, _ := step(fresh, stepIn{now: t0, limit: fresh.Deadline, answer: answer{err: notFound, sent: true}, jitter: half, cfg: &cfg})
			return st
		}(), 5 * time.Second, answer{job: running, sent: true},
			func(t *testing.T, st waitState, o outcome) {
				want(t, !o.done && st.lastErr == nil && st.LastErr == nil && st.Errs == 0, "%+v", st)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			draws := 0
			jitter := func() float64 { draws++; return 0.5 }
			before := tt.st
			st, o := step(tt.st, stepIn{now: t0.Add(tt.at), limit: tt.st.Deadline, answer: tt.a, jitter: jitter, cfg: &cfg})
			tt.check(t, st, o)
			// The schedule draws the jitter once; an answer that ends the wait
			// by itself draws none, so a seeded simulation replays exactly.
			scheduled := !o.done || (tt.a.cause == nil && errors.Is(o.err, ErrTimeout))
			if scheduled && draws != 1 || !scheduled && draws != 0 {
				t.Errorf("jitter drawn %d times (scheduled %v); want once when the schedule is asked, else never", draws, scheduled)
			}
			if before.Polls != tt.st.Polls || before.last != tt.st.last {
				t.Error("step changed the state it was given")
			}
		})
	}
}

func half() float64 { return 0.5 }

func want(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Errorf("unexpected: "+format, args...)
	}
}
