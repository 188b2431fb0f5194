package taurusjobotel_test

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	taurusjobotel "github.com/taurusdb-tools/taurusjob/otel"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
	"go.opentelemetry.io/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

const globalChild = "TAURUSJOBOTEL_GLOBAL_CHILD"

// With the default options, the providers a program sets globally, even
// after New, trace and measure the waits: the hook that did nothing while
// they were unset starts working. It runs in a child process, because the
// global providers cannot be unset and TestNoProviderNoWork needs them
// unset.
func TestGlobalProvidersSetAfterNew(t *testing.T) {
	if os.Getenv(globalChild) != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestGlobalProvidersSetAfterNew$", "-test.count=1")
		cmd.Env = append(os.Environ(), globalChild+"=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		w, err := taurusjob.NewWaiter(r.client, taurusjobotel.New())
		if err != nil {
			t.Fatal(err)
		}
		before := r.srv.AddJob(taurusjobtest.Job{Running: time.Minute})
		if _, err := w.Wait(context.Background(), before); err != nil {
			t.Fatal(err)
		}
		spans := tracetest.NewSpanRecorder()
		otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)))
		reader := sdkmetric.NewManualReader()
		otel.SetMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)))

		after := r.srv.AddJob(taurusjobtest.Job{Running: time.Minute})
		if _, err := w.Wait(context.Background(), after); err != nil {
			t.Fatal(err)
		}
		if n := len(spans.Ended()); n != 1 {
			t.Errorf("%d spans ended; want 1, for the wait after the global provider was set", n)
		}
		r.reader = reader
		if n := sum(r.collect(t), taurusjobotel.MetricWaits); n != 1 {
			t.Errorf("waits = %d; want 1, for the wait after the global provider was set", n)
		}
	})
}
