package taurusjobotel_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	taurusjobotel "github.com/taurusdb-tools/taurusjob/otel"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// rig is a fake job API and an SDK whose spans and metrics stay in memory.
// Make it inside a synctest bubble: the fake API's time is then fake too.
type rig struct {
	srv    *taurusjobtest.Server
	client *taurusjob.Client
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{srv: taurusjobtest.NewInMemory(), spans: tracetest.NewSpanRecorder(),
		reader: sdkmetric.NewManualReader()}
	t.Cleanup(r.srv.Close)
	r.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(r.spans))
	r.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.reader))
	var err error
	r.client, err = taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: r.srv.URL(),
		ProjectID: r.srv.ProjectID(), Token: r.srv.Token(), HTTPClient: r.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// waiter returns a Waiter traced and measured into the rig.
func (r *rig) waiter(t *testing.T, otelOpts []taurusjobotel.Option, opts ...taurusjob.Option) *taurusjob.Waiter {
	t.Helper()
	otelOpts = append([]taurusjobotel.Option{taurusjobotel.WithTracerProvider(r.tp),
		taurusjobotel.WithMeterProvider(r.mp)}, otelOpts...)
	w, err := taurusjob.NewWaiter(r.client, append(opts, taurusjobotel.New(otelOpts...))...)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// ended returns the ended spans named taurusjob.wait.
func (r *rig) ended() []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range r.spans.Ended() {
		if s.Name() == taurusjobotel.SpanName {
			out = append(out, s)
		}
	}
	return out
}

// oneSpan returns the only wait span, failing the test otherwise.
func (r *rig) oneSpan(t *testing.T) sdktrace.ReadOnlySpan {
	t.Helper()
	spans := r.ended()
	if len(spans) != 1 {
		t.Fatalf("%d wait spans ended (%d started); want 1", len(spans), len(r.spans.Started()))
	}
	return spans[0]
}

// collect reads the metrics.
func (r *rig) collect(t *testing.T) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	return rm
}

// findMetric returns the metric named name, or nil.
func findMetric(rm metricdata.ResourceMetrics, name string) *metricdata.Metrics {
	for _, sm := range rm.ScopeMetrics {
		for i := range sm.Metrics {
			if sm.Metrics[i].Name == name {
				return &sm.Metrics[i]
			}
		}
	}
	return nil
}

// sum adds up the points of counter name whose attributes include want.
func sum(rm metricdata.ResourceMetrics, name string, want ...attribute.KeyValue) int64 {
	m := findMetric(rm, name)
	if m == nil {
		return 0
	}
	var n int64
	for _, p := range m.Data.(metricdata.Sum[int64]).DataPoints {
		if hasAll(p.Attributes, want) {
			n += p.Value
		}
	}
	return n
}

// histogram returns the count and sum of histogram name's points whose
// attributes include want.
func histogram(rm metricdata.ResourceMetrics, name string, want ...attribute.KeyValue) (count uint64, total float64) {
	m := findMetric(rm, name)
	if m == nil {
		return 0, 0
	}
	for _, p := range m.Data.(metricdata.Histogram[float64]).DataPoints {
		if hasAll(p.Attributes, want) {
			count += p.Count
			total += p.Sum
		}
	}
	return count, total
}

func hasAll(set attribute.Set, want []attribute.KeyValue) bool {
	for _, kv := range want {
		if v, ok := set.Value(kv.Key); !ok || v != kv.Value {
			return false
		}
	}
	return true
}

// attr returns a span's attribute named key.
func attr(s sdktrace.ReadOnlySpan, key attribute.Key) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// wantAttr checks a span's attribute.
func wantAttr(t *testing.T, s sdktrace.ReadOnlySpan, kv attribute.KeyValue) {
	t.Helper()
	if v, ok := attr(s, kv.Key); !ok || v != kv.Value {
		t.Errorf("span attribute %s = %v (present %v); want %v", kv.Key, v.Emit(), ok, kv.Value.Emit())
	}
}

// events returns a span's events named name.
func events(s sdktrace.ReadOnlySpan, name string) []sdktrace.Event {
	var out []sdktrace.Event
	for _, e := range s.Events() {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// eventAttr returns an event's attribute named key, as text.
func eventAttr(e sdktrace.Event, key attribute.Key) string {
	for _, kv := range e.Attributes {
		if kv.Key == key {
			return kv.Value.Emit()
		}
	}
	return ""
}

// faulted counts the recorded requests answered with the fault named name.
func faulted(srv *taurusjobtest.Server, name string) int {
	n := 0
	for _, req := range srv.Requests() {
		if strings.Contains(req.Fault, name) {
			n++
		}
	}
	return n
}

// within reports whether got is want, to a millisecond: the fake clock
// moves only when every goroutine of the bubble waits.
func within(got, want time.Duration) bool {
	d := got - want
	return d > -time.Millisecond && d < time.Millisecond
}
