package taurusjobotel_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// A wait resumed in another process (a Temporal retry, a controller
// restart) continues the first process's trace: its span is in the same
// trace and links to the first span, through the resume token alone.
func TestResumedWaitContinuesTheTrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		first := newRig(t)
		id := first.srv.AddJob(taurusjobtest.Job{Running: 10 * time.Minute})
		p, err := first.waiter(t, nil).NewPoller(id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
		token, _ := p.ResumeToken() // the first process dies here
		started := first.spans.Started()
		if len(started) != 1 {
			t.Fatalf("%d spans started in the first process; want 1", len(started))
		}
		firstSpan := started[0].SpanContext()

		second := newRig(t) // another process: its own providers, the same API
		second.client = first.client
		job, err := second.waiter(t, nil).Resume(context.Background(), id, token)
		if err != nil || job.Status != taurusjob.StatusCompleted {
			t.Fatalf("Resume = %v, %v", job, err)
		}
		s := second.oneSpan(t)
		if s.SpanContext().TraceID() != firstSpan.TraceID() {
			t.Errorf("resumed span in trace %s; want the first span's, %s", s.SpanContext().TraceID(), firstSpan.TraceID())
		}
		if s.Parent().SpanID() != firstSpan.SpanID() {
			t.Errorf("resumed span's parent %s; want the first span %s", s.Parent().SpanID(), firstSpan.SpanID())
		}
		if links := s.Links(); len(links) != 1 || links[0].SpanContext.SpanID() != firstSpan.SpanID() || links[0].SpanContext.TraceID() != firstSpan.TraceID() {
			t.Errorf("resumed span's links %v; want one, to the first span %v", links, firstSpan)
		}
	})
}
