package taurusjobotel

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// No test of this package may set the global providers: this test relies
// on them being the unset stand-ins, as in a program that never set them.

// With no provider set, the hook does no work: it makes no span, keeps
// nothing per wait and allocates nothing, for a poll, a throttle or the
// end of a wait. That is what lets a library add New() for its users
// whether or not they trace.
func TestNoProviderNoWork(t *testing.T) {
	job := &taurusjob.Job{ID: "job-1", Name: "CreateGaussDBforMySQLInstance", Status: taurusjob.StatusFailed,
		Ended: time.Now().Add(-time.Second), FailReason: "insufficient quota"}
	updates := map[string]taurusjob.Update{
		"poll":   {JobID: "job-1", Job: job, Status: job.Status, Poll: 3, Polled: true, Next: time.Second, StatusChanged: true},
		"held":   {JobID: "job-1", Poll: 3, Held: taurusjob.HoldCooldown, Next: time.Second},
		"failed": {JobID: "job-1", Job: job, Poll: 4, Polled: true, Done: true, Err: &taurusjob.JobFailedError{Job: job}},
		"error":  {JobID: "job-1", Poll: 2, Polled: true, Next: time.Second, Err: errors.New("transient")},
	}
	for name, opts := range map[string][]Option{
		"global providers unset": nil,
		"no-op providers":        {WithTracerProvider(tracenoop.NewTracerProvider()), WithMeterProvider(metricnoop.NewMeterProvider())},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := defaultConfig()
			for _, o := range opts {
				o(&cfg)
			}
			h := &hook{metrics: newMetrics(cfg), tracing: newTracing(cfg)}
			if h.tracing.on() {
				t.Fatal("tracing is on with no provider set")
			}
			for what, u := range updates {
				if a := testing.AllocsPerRun(100, func() { h.observe(context.Background(), u) }); a != 0 {
					t.Errorf("%s: %.0f allocations per update; want none", what, a)
				}
			}
			if w := h.tracing.waits; w != nil && w.n != 0 {
				t.Errorf("%d waits kept; want none", w.n)
			}
		})
	}
}
