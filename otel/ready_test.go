package taurusjobotel_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	taurusjobotel "github.com/taurusdb-tools/taurusjob/otel"
	"go.opentelemetry.io/otel/codes"
)

// instanceGetter answers BUILD for an instance's first minute, then its
// status for good; an instance id ending in "x" is not found.
type instanceGetter struct {
	mu     sync.Mutex
	start  time.Time
	status string
}

func (g *instanceGetter) GetJob(ctx context.Context, id string) (*taurusjob.Job, error) {
	return nil, errors.New("no jobs here")
}

func (g *instanceGetter) GetInstance(ctx context.Context, id string) (*taurusjob.InstanceInfo, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.status
	if time.Since(g.start) < time.Minute {
		s = "BUILD"
	}
	return &taurusjob.InstanceInfo{ID: id, Status: s}, nil
}

// Each instance wait is its own span, named by its instance: outcome
// "ready" and status Unset when it became ready, instance_failed with
// status Error when it froze; poll events carry the instance's status.
func TestInstanceWaitSpans(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		tel := taurusjobotel.New(taurusjobotel.WithTracerProvider(r.tp), taurusjobotel.WithMeterProvider(r.mp))
		for _, c := range []struct{ status, outcome string }{{"ACTIVE", "ready"}, {"FROZEN", "instance_failed"}} {
			g := &instanceGetter{start: time.Now(), status: c.status}
			w, err := taurusjob.NewWaiter(g, tel, taurusjob.WithSettle(30*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for _, id := range []string{"a1in07", "b2in07"} {
				wg.Go(func() { _, _ = w.WaitReady(context.Background(), id) })
			}
			wg.Wait()
			spans := r.ended()
			if len(spans) != 2 {
				t.Fatalf("%s: %d spans for two instance waits; want 2", c.status, len(spans))
			}
			for _, s := range spans {
				wantAttr(t, s, taurusjobotel.KeyOutcome.String(c.outcome))
				wantAttr(t, s, taurusjobotel.KeyInstanceStatus.String(c.status))
				if _, ok := attr(s, taurusjobotel.KeyInstanceID); !ok {
					t.Errorf("span without %s", taurusjobotel.KeyInstanceID)
				}
				if failed := s.Status().Code == codes.Error; failed != (c.outcome != "ready") {
					t.Errorf("%s: span status %v", c.outcome, s.Status())
				}
				if evs := events(s, taurusjobotel.EventPoll); len(evs) == 0 || eventAttr(evs[0], taurusjobotel.KeyInstanceStatus) != "BUILD" {
					t.Errorf("%s: poll events %v; want the first to carry BUILD", c.outcome, evs)
				}
			}
			r.spans.Reset()
		}
	})
}
