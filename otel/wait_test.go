package taurusjobotel_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	taurusjobotel "github.com/taurusdb-tools/taurusjob/otel"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
	"go.opentelemetry.io/otel/codes"
	"golang.org/x/time/rate"
)

// A failed job is one span from the start of the wait to its end, with
// what an operator looks for (job, outcome, fail reason, polls, lag),
// status Error, an event when the job appeared and when its status
// changed; the metrics count every poll by its answer and the wait by its
// outcome, with its duration and lag.
func TestFailedJob(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		id := r.srv.AddJob(taurusjobtest.Job{Name: "CreateGaussDBforMySQLInstance", Invisible: 5 * time.Second,
			Running: 30 * time.Minute, Outcome: taurusjobtest.Failed, FailReason: "insufficient quota"})
		w := r.waiter(t, nil)
		start := time.Now()
		_, err := w.Wait(context.Background(), id)
		if !errors.Is(err, taurusjob.ErrJobFailed) {
			t.Fatalf("Wait = %v; want a failed job", err)
		}
		waited := time.Since(start)
		end, _, _ := r.srv.JobEnd(id)
		polls := r.srv.RequestCount(id)

		s := r.oneSpan(t)
		wantAttr(t, s, taurusjobotel.KeyJobID.String(id))
		wantAttr(t, s, taurusjobotel.KeyJobName.String("CreateGaussDBforMySQLInstance"))
		wantAttr(t, s, taurusjobotel.KeyService.String(taurusjobotel.DefaultService))
		wantAttr(t, s, taurusjobotel.KeyOutcome.String("failed"))
		wantAttr(t, s, taurusjobotel.KeyJobStatus.String("Failed"))
		wantAttr(t, s, taurusjobotel.KeyFailReason.String("insufficient quota"))
		wantAttr(t, s, taurusjobotel.KeyPolls.Int(polls))
		wantAttr(t, s, taurusjobotel.KeyDetectionLag.Float64(time.Since(end).Seconds()))
		if s.Status().Code != codes.Error {
			t.Errorf("span status %v; want Error for a failed job", s.Status())
		}
		if !s.StartTime().Equal(start) || !s.EndTime().Equal(start.Add(waited)) {
			t.Errorf("span from %v to %v; want the wait's, %v to %v", s.StartTime(), s.EndTime(), start, start.Add(waited))
		}
		polled := taurusjobotel.EventPoll
		evs := events(s, polled)
		if len(evs) < 2 || len(evs) >= polls {
			t.Fatalf("%d poll events for %d polls; want one per poll that changed something, not one per poll", len(evs), polls)
		}
		if got := eventAttr(evs[0], taurusjobotel.KeyJobStatus); got != "Running" {
			t.Errorf("first poll event has status %q; want Running, when the job appeared", got)
		}

		rm := r.collect(t)
		visible := sum(rm, taurusjobotel.MetricPolls, taurusjobotel.KeyPollResult.String("visible"))
		notVisible := sum(rm, taurusjobotel.MetricPolls, taurusjobotel.KeyPollResult.String("not_visible"))
		if notVisible < 1 || visible < 1 || visible+notVisible != int64(polls) {
			t.Errorf("polls counted: %d visible, %d not visible; the API saw %d (some 404s first)", visible, notVisible, polls)
		}
		if n := sum(rm, taurusjobotel.MetricWaits, taurusjobotel.KeyOutcome.String("failed"),
			taurusjobotel.KeyJobName.String("CreateGaussDBforMySQLInstance")); n != 1 {
			t.Errorf("waits{outcome=failed} = %d; want 1", n)
		}
		if n, total := histogram(rm, taurusjobotel.MetricWaitDuration); n != 1 || !within(time.Duration(total*float64(time.Second)), waited) {
			t.Errorf("wait duration: %d points, sum %.3fs; want 1 of %s", n, total, waited)
		}
		if n, total := histogram(rm, taurusjobotel.MetricDetectionLag); n != 1 || total < 0 || total > 5*60 {
			t.Errorf("detection lag: %d points, sum %.3fs; want 1, within the 5-minute failure bound", n, total)
		}
	})
}

// A throttled run shows every 429 answer as a throttled poll, in the
// counter and as an event, and every poll the shared 429 cool-down held
// as a refusal, so that an operator sees the quota, not only slowness.
func TestThrottledRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		var ids []string
		for range 4 {
			ids = append(ids, r.srv.AddJob(taurusjobtest.Job{Running: 20 * time.Minute}))
		}
		r.srv.AddRule(taurusjobtest.Rule{Fault: taurusjobtest.Throttle(20 * time.Second), Every: 4})
		w := r.waiter(t, nil)
		for _, res := range w.WaitAll(context.Background(), ids...) {
			if res.Err != nil {
				t.Fatalf("job %s: %v; 429s are retried", res.JobID, res.Err)
			}
		}
		answered429 := faulted(r.srv, "throttle")
		if answered429 == 0 {
			t.Fatal("the fake sent no 429: the test proves nothing")
		}

		spans := r.ended()
		if len(spans) != len(ids) {
			t.Fatalf("%d spans for %d waits", len(spans), len(ids))
		}
		var events429, eventsHeld int
		for _, s := range spans {
			wantAttr(t, s, taurusjobotel.KeyOutcome.String("completed"))
			if s.Status().Code == codes.Error {
				t.Errorf("span status %v; want not Error for a completed job", s.Status())
			}
			for _, e := range events(s, taurusjobotel.EventThrottled) {
				switch eventAttr(e, taurusjobotel.KeyThrottle) {
				case "429":
					events429++
				case "cooldown":
					eventsHeld++
				default:
					t.Errorf("throttle event %v: unknown kind", e.Attributes)
				}
			}
		}
		if events429 != answered429 {
			t.Errorf("%d 429 events; the fake answered %d 429s", events429, answered429)
		}

		rm := r.collect(t)
		if n := sum(rm, taurusjobotel.MetricPolls, taurusjobotel.KeyPollResult.String("throttled")); n != int64(answered429) {
			t.Errorf("polls{result=throttled} = %d; the fake answered %d 429s", n, answered429)
		}
		if n := sum(rm, taurusjobotel.MetricPolls); n != int64(r.srv.TotalRequests()) {
			t.Errorf("polls = %d; the fake saw %d requests", n, r.srv.TotalRequests())
		}
		held := sum(rm, taurusjobotel.MetricQuotaRefused, taurusjobotel.KeyThrottle.String("cooldown"))
		if held == 0 || held != int64(eventsHeld) {
			t.Errorf("quota.refused{cooldown} = %d, cool-down events %d; want the same, above 0 (4 waits share one cool-down)", held, eventsHeld)
		}
		if n := sum(rm, taurusjobotel.MetricWaits, taurusjobotel.KeyOutcome.String("completed")); n != int64(len(ids)) {
			t.Errorf("waits{completed} = %d; want %d", n, len(ids))
		}
	})
}

// Polls held by the Waiter's rate limit are counted as refused by it.
func TestRateLimitRefusals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		var ids []string
		for range 5 {
			ids = append(ids, r.srv.AddJob(taurusjobtest.Job{Running: 2 * time.Minute}))
		}
		w := r.waiter(t, nil, taurusjob.WithLimiter(rate.NewLimiter(0.5, 1)))
		w.WaitAll(context.Background(), ids...)
		rm := r.collect(t)
		held := sum(rm, taurusjobotel.MetricQuotaRefused, taurusjobotel.KeyThrottle.String("rate_limit"))
		var evs int
		for _, s := range r.ended() {
			for _, e := range events(s, taurusjobotel.EventThrottled) {
				if eventAttr(e, taurusjobotel.KeyThrottle) == "rate_limit" {
					evs++
				}
			}
		}
		if held == 0 || held != int64(evs) {
			t.Errorf("quota.refused{rate_limit} = %d, rate-limit events %d; want the same, above 0 (5 waits, 1 request per 2 s)", held, evs)
		}
	})
}

// A timeout ends the span at the deadline with status Error and outcome
// timeout; its duration is the timeout, and no detection lag is claimed
// for a job that has not ended.
func TestTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		id := r.srv.AddJob(taurusjobtest.Job{Running: 2 * time.Hour})
		w := r.waiter(t, nil, taurusjob.WithTimeout(10*time.Minute))
		start := time.Now()
		_, err := w.Wait(context.Background(), id)
		if !errors.Is(err, taurusjob.ErrTimeout) {
			t.Fatalf("Wait = %v; want a timeout", err)
		}
		s := r.oneSpan(t)
		wantAttr(t, s, taurusjobotel.KeyOutcome.String("timeout"))
		wantAttr(t, s, taurusjobotel.KeyJobStatus.String("Running"))
		wantAttr(t, s, taurusjobotel.KeyPolls.Int(r.srv.RequestCount(id)))
		if _, ok := attr(s, taurusjobotel.KeyDetectionLag); ok {
			t.Error("a detection lag on a job that has not ended")
		}
		if s.Status().Code != codes.Error {
			t.Errorf("span status %v; want Error", s.Status())
		}
		if d := s.EndTime().Sub(s.StartTime()); !within(d, 10*time.Minute) || !s.StartTime().Equal(start) {
			t.Errorf("span lasted %s from %v; want 10m from %v", d, s.StartTime(), start)
		}
		rm := r.collect(t)
		if n := sum(rm, taurusjobotel.MetricWaits, taurusjobotel.KeyOutcome.String("timeout")); n != 1 {
			t.Errorf("waits{timeout} = %d; want 1", n)
		}
		if n, total := histogram(rm, taurusjobotel.MetricWaitDuration); n != 1 || !within(time.Duration(total*float64(time.Second)), 10*time.Minute) {
			t.Errorf("wait duration: %d points, sum %.3fs; want 1 of 600s", n, total)
		}
		if n, _ := histogram(rm, taurusjobotel.MetricDetectionLag); n != 0 {
			t.Errorf("detection lag recorded %d times for a job that has not ended", n)
		}
	})
}

// The span in the caller's ctx is the parent of the wait span, for Wait
// and for every job of WaitAll: a wait shows up inside the request or the
// workflow step that made it.
func TestParentSpan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		a := r.srv.AddJob(taurusjobtest.Job{Running: time.Minute})
		b := r.srv.AddJob(taurusjobtest.Job{Running: 2 * time.Minute})
		w := r.waiter(t, nil)
		ctx, parent := r.tp.Tracer("provisioning").Start(context.Background(), "provision")
		if _, err := w.Wait(ctx, a); err != nil {
			t.Fatal(err)
		}
		w.WaitAll(ctx, a, b)
		parent.End()
		spans := r.ended()
		if len(spans) != 3 {
			t.Fatalf("%d wait spans; want 3", len(spans))
		}
		for _, s := range spans {
			if s.Parent().SpanID() != parent.SpanContext().SpanID() || s.SpanContext().TraceID() != parent.SpanContext().TraceID() {
				t.Errorf("wait span's parent %v; want the caller's span %v", s.Parent().SpanID(), parent.SpanContext().SpanID())
			}
		}
	})
}
