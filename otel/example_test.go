package taurusjobotel_test

import (
	"context"
	"fmt"

	"github.com/taurusdb-tools/taurusjob"
	taurusjobotel "github.com/taurusdb-tools/taurusjob/otel"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// A Waiter made with New traces each wait as a span. A program passes its
// own providers (or sets the global ones and passes none); here the spans
// stay in memory so that the example can print them.
func ExampleNew() {
	srv := taurusjobtest.NewInMemory() // a fake API whose job has already completed
	defer srv.Close()
	id := srv.AddJob(taurusjobtest.Job{ID: "job-1", Name: "CreateGaussDBforMySQLInstance"})
	client, _ := taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: srv.URL(),
		ProjectID: srv.ProjectID(), Token: srv.Token(), HTTPClient: srv.Client()})

	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	waiter, _ := taurusjob.NewWaiter(client, taurusjobotel.New(taurusjobotel.WithTracerProvider(tp)))

	if _, err := waiter.Wait(context.Background(), id); err != nil {
		fmt.Println(err)
	}
	for _, s := range spans.Ended() {
		fmt.Println(s.Name())
		for _, kv := range s.Attributes() {
			if kv.Key == taurusjobotel.KeyDetectionLag {
				fmt.Printf("  %s = (seconds from the job's end to this poll)\n", kv.Key)
				continue
			}
			fmt.Printf("  %s = %s\n", kv.Key, kv.Value.Emit())
		}
	}
	// Output:
	// taurusjob.wait
	//   taurusjob.job.id = job-1
	//   taurusjob.service = taurusdb
	//   taurusjob.job.name = CreateGaussDBforMySQLInstance
	//   taurusjob.outcome = completed
	//   taurusjob.polls = 1
	//   taurusjob.job.status = Completed
	//   taurusjob.detection_lag = (seconds from the job's end to this poll)
}
