package taurusjobotel

import (
	"context"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/taurusdb-tools/taurusjob/otel"

// New returns the option that makes a [taurusjob.Waiter] trace and measure
// its waits: give it to [taurusjob.NewWaiter]. The tracer and the
// instruments are made once, here; one option may serve several Waiters.
//
// With the default (global) providers left unset, or with no-op ones, each
// update costs a few atomic loads and no allocation: nothing is recorded
// and no state is kept per wait. Errors of the OpenTelemetry SDK go to
// otel.Handle, as the OpenTelemetry API asks of instrumentation; they never
// reach the wait.
func New(opts ...Option) taurusjob.Option {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	h := &hook{metrics: newMetrics(cfg), tracing: newTracing(cfg)}
	return taurusjob.WithUpdateHook(h.observe)
}

// hook is what New gives the Waiter: it sees every update, with the ctx of
// the call that made it.
type hook struct {
	metrics *metrics
	tracing *tracing
}

func (h *hook) observe(ctx context.Context, u taurusjob.Update) {
	if h.tracing.on() {
		h.tracing.waits.update(ctx, u, time.Now())
	}
	h.metrics.record(ctx, &u)
}

// tracing is the tracer and the waits with an open span.
type tracing struct {
	tracer  trace.Tracer         // nil when the provider is a no-op one
	standIn trace.TracerProvider // the global stand-in, while New saw no global provider set
	live    atomic.Bool          // spans can be made: a provider was given, or the global one set
	waits   *table
}

func newTracing(cfg config) *tracing {
	t := &tracing{}
	tp := cfg.tracerProvider
	switch tp.(type) {
	case tracenoop.TracerProvider, *tracenoop.TracerProvider:
		return t // off for good
	case nil:
		tp = otel.GetTracerProvider()
		if isStandIn(tp) {
			t.standIn = tp
		}
	}
	t.live.Store(t.standIn == nil)
	t.tracer = tp.Tracer(ScopeName) // the stand-in's tracer follows the provider set later
	t.waits = newTable(t.tracer, cfg)
	return t
}

// on reports whether spans can be made. Until the program sets a global
// provider, the global one is a stand-in that makes only non-recording
// spans, each an allocation: a wait is then not traced at all.
func (t *tracing) on() bool {
	switch {
	case t.tracer == nil:
		return false
	case t.live.Load():
		return true
	case otel.GetTracerProvider() != t.standIn:
		t.live.Store(true) // the stand-in is never put back
		return true
	}
	return false
}

// standInPkg is the package of the global TracerProvider's stand-in.
const standInPkg = "go.opentelemetry.io/otel/internal/global"

// isStandIn reports whether tp is the stand-in that otel.GetTracerProvider
// returns before otel.SetTracerProvider is called. The OpenTelemetry API
// has no such query; the stand-in is the only provider of its internal
// package, so its type tells. Should a later version move it, this says
// "no" and the waits are traced with non-recording spans: slower, never
// wrong.
func isStandIn(tp trace.TracerProvider) bool {
	t := reflect.TypeOf(tp)
	return t != nil && t.Kind() == reflect.Pointer && t.Elem().PkgPath() == standInPkg
}
