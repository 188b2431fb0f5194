package taurusjobotel_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	taurusjobotel "github.com/taurusdb-tools/taurusjob/otel"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// drive polls p until it is done, sleeping Next between polls, as a
// controller does, and returns the last update.
func drive(t *testing.T, p *taurusjob.Poller) taurusjob.Update {
	t.Helper()
	for {
		u, _ := p.Poll(context.Background())
		if u.Done {
			return u
		}
		time.Sleep(u.Next)
	}
}

// spanOf returns the ended wait span of jobID that started at start.
func spanOf(t *testing.T, r *rig, jobID string, start time.Time) sdktrace.ReadOnlySpan {
	t.Helper()
	for _, s := range r.ended() {
		if v, _ := attr(s, taurusjobotel.KeyJobID); v.AsString() == jobID && s.StartTime().Equal(start) {
			return s
		}
	}
	t.Fatalf("no span ended for job %s started at %v", jobID, start)
	return nil
}

// A Poller dropped before its end does not keep its span open forever:
// once it has been silent for the idle limit past its next poll, its span
// ends, at its last update, as abandoned.
func TestAbandonedWaitEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		dropped := r.srv.AddJob(taurusjobtest.Job{Running: time.Hour})
		w := r.waiter(t, []taurusjobotel.Option{taurusjobotel.WithIdleLimit(10 * time.Minute)})
		p, _ := w.NewPoller(dropped)
		start := time.Now()
		if _, err := p.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Minute)
		other := r.srv.AddJob(taurusjobtest.Job{Running: time.Minute})
		if _, err := w.Wait(context.Background(), other); err != nil {
			t.Fatal(err)
		}
		if n := len(r.ended()); n != 1 {
			t.Fatalf("%d spans ended; want only the other wait's: the dropped one is not silent long enough yet", n)
		}
		time.Sleep(time.Hour)
		if _, err := w.Wait(context.Background(), other); err != nil {
			t.Fatal(err)
		}
		s := spanOf(t, r, dropped, start)
		wantAttr(t, s, taurusjobotel.KeyOutcome.String(taurusjobotel.OutcomeAbandoned))
		wantAttr(t, s, taurusjobotel.KeyPolls.Int(1))
		if !s.EndTime().Equal(start) || s.Status().Code != codes.Error {
			t.Errorf("abandoned span ends at %v with %v; want at its only poll, %v, with Error", s.EndTime(), s.Status(), start)
		}
	})
}

// At most WithMaxWaits spans are open: a new wait ends the span of the
// wait silent longest as abandoned, and the others go on untouched.
func TestMaxWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		w := r.waiter(t, []taurusjobotel.Option{taurusjobotel.WithMaxWaits(2)})
		var pollers []*taurusjob.Poller
		var starts []time.Time
		for range 3 {
			p, _ := w.NewPoller(r.srv.AddJob(taurusjobtest.Job{Running: 10 * time.Minute}))
			starts = append(starts, time.Now())
			p.Poll(context.Background())
			pollers = append(pollers, p)
			time.Sleep(time.Second)
		}
		if n := len(r.ended()); n != 1 {
			t.Fatalf("%d spans ended after 3 waits with room for 2; want 1", n)
		}
		s := spanOf(t, r, pollers[0].JobID(), starts[0])
		wantAttr(t, s, taurusjobotel.KeyOutcome.String(taurusjobotel.OutcomeAbandoned))
		for i, p := range pollers[1:] {
			u := drive(t, p)
			s := spanOf(t, r, p.JobID(), starts[i+1])
			wantAttr(t, s, taurusjobotel.KeyOutcome.String("completed"))
			wantAttr(t, s, taurusjobotel.KeyPolls.Int(u.Poll))
		}
	})
}

// Two waits for one job, one after the other or at the same time, are two
// spans, each with its own start and its own polls: the hook tells waits
// apart by their start, not only by their job id.
func TestTwoWaitsOneJob(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		id := r.srv.AddJob(taurusjobtest.Job{Running: 20 * time.Minute})
		w := r.waiter(t, nil)
		first, _ := w.NewPoller(id)
		firstStart := time.Now()
		first.Poll(context.Background())
		time.Sleep(30 * time.Second)
		second, _ := w.NewPoller(id)
		secondStart := time.Now()

		done := make(chan taurusjob.Update)
		go func() { done <- drive(t, first) }()
		u2 := drive(t, second)
		u1 := <-done
		if n := len(r.ended()); n != 2 {
			t.Fatalf("%d spans for 2 concurrent waits of one job", n)
		}
		wantAttr(t, spanOf(t, r, id, firstStart), taurusjobotel.KeyPolls.Int(u1.Poll))
		wantAttr(t, spanOf(t, r, id, secondStart), taurusjobotel.KeyPolls.Int(u2.Poll))

		thirdStart := time.Now()
		if _, err := w.Wait(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		wantAttr(t, spanOf(t, r, id, thirdStart), taurusjobotel.KeyPolls.Int(1))
		if n := len(r.ended()); n != 3 {
			t.Errorf("%d spans for 3 waits", n)
		}
	})
}

// A wait resumed in another process from its token gets a span there that
// starts where the wait started, not where the process took it up, and
// ends with the wait's outcome and all its polls.
func TestResumedWaitSpan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		id := r.srv.AddJob(taurusjobtest.Job{Running: 20 * time.Minute})
		crashed := r.waiter(t, nil)
		p, _ := crashed.NewPoller(id)
		start := time.Now()
		for range 3 {
			u, _ := p.Poll(context.Background())
			time.Sleep(u.Next)
		}
		token, _ := p.ResumeToken()

		restarted := r.waiter(t, nil)
		q, err := restarted.ResumePoller(id, token)
		if err != nil {
			t.Fatal(err)
		}
		u := drive(t, q)
		s := r.oneSpan(t) // the crashed process's span never ends
		if !s.StartTime().Equal(start) {
			t.Errorf("resumed span starts at %v; want the wait's start %v", s.StartTime(), start)
		}
		wantAttr(t, s, taurusjobotel.KeyOutcome.String("completed"))
		wantAttr(t, s, taurusjobotel.KeyPolls.Int(u.Poll))
	})
}

// A Poller polled long after its deadline ends its own span, although its
// Elapsed stopped at the deadline: the span still starts at the wait's
// start, and no second span is made.
func TestLatePollAfterDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		id := r.srv.AddJob(taurusjobtest.Job{Running: 2 * time.Hour})
		w := r.waiter(t, nil, taurusjob.WithTimeout(10*time.Minute))
		p, _ := w.NewPoller(id)
		start := time.Now()
		p.Poll(context.Background())
		time.Sleep(time.Hour)
		if u, _ := p.Poll(context.Background()); !u.Done {
			t.Fatal("a poll an hour after a 10-minute deadline did not end the wait")
		}
		s := r.oneSpan(t)
		if !s.StartTime().Equal(start) || len(r.spans.Started()) != 1 {
			t.Errorf("span starts at %v (%d started); want one span, from %v", s.StartTime(), len(r.spans.Started()), start)
		}
		wantAttr(t, s, taurusjobotel.KeyOutcome.String("timeout"))
	})
}
