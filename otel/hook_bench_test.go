package taurusjobotel

import (
	"context"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// BenchmarkHookUpdate: the hook's own CPU for one poll's update, without
// the poll around it: what the end-to-end benchmarks (bench_test.go)
// cannot resolve on a busy machine. With no provider set it must stay a
// few nanoseconds and allocate nothing.
func BenchmarkHookUpdate(b *testing.B) {
	job := &taurusjob.Job{ID: "job-1", Name: "CreateGaussDBforMySQLInstance", Status: taurusjob.StatusRunning, Progress: 40}
	u := taurusjob.Update{JobID: "job-1", Job: job, Status: job.Status, Progress: 40, Poll: 3,
		Polled: true, Next: 10 * time.Second}
	for name, opts := range map[string][]Option{
		"unset": nil,
		"noop":  {WithTracerProvider(tracenoop.NewTracerProvider()), WithMeterProvider(metricnoop.NewMeterProvider())},
	} {
		b.Run(name, func(b *testing.B) {
			cfg := defaultConfig()
			for _, o := range opts {
				o(&cfg)
			}
			h := &hook{metrics: newMetrics(cfg), tracing: newTracing(cfg)}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				h.observe(ctx, u)
			}
		})
	}
}
