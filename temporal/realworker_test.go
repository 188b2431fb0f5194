package taurustemporal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/taurusdb-tools/taurusjob"
)

// The real-server test (realserver_unix_test.go) runs its activity
// workers as processes of their own: this test binary, started again with
// realWorkerEnv set to the worker's name, runs realWorkerMain instead of
// the tests (see TestMain). The rest of its settings come in the
// environment too.
const (
	realWorkerEnv   = "TAURUSJOB_TEMPORAL_TEST_WORKER"      // the worker's name: run as a worker
	realHostPortEnv = "TAURUSJOB_TEMPORAL_TEST_HOSTPORT"    // the server's frontend
	realAPIEnv      = "TAURUSJOB_TEMPORAL_TEST_API"         // the fake API: URL, project id, token (JSON)
	realThrottleEnv = "TAURUSJOB_TEMPORAL_TEST_HB_THROTTLE" // the workers' MaxHeartbeatThrottleInterval
)

// The settings of the real-server run, shared by the test and its workers.
const (
	realActivityQueue = "taurusjob-activities"
	realWorkflowQueue = "taurusjob-workflows"

	realMinInterval = time.Second // the Waiters' WithInterval
	realMaxInterval = 2 * time.Second
	realGrace       = 10 * time.Second // WithVisibilityGrace
	realHeartbeat   = 3 * time.Second  // the activities' HeartbeatTimeout
	// realThrottle is the MaxHeartbeatThrottleInterval README recommends,
	// and the workers' unless realThrottleEnv says otherwise ("0" is the
	// SDK's default: 0.8 × HeartbeatTimeout, at most 60 s; see throttleOf).
	realThrottle = 100 * time.Millisecond
	// realStopTimeout is the workers' WorkerStopTimeout: what a stopping
	// worker may wait for its activities. They hand their waits on at
	// once, so the stop takes far less.
	realStopTimeout = 10 * time.Second
	// realPollRetry is PollJob's retry policy interval: far shorter than
	// the Waiter's, so an attempt that comes a second after the last one
	// came at the NextRetryDelay the activity asked for.
	realPollRetry = 100 * time.Millisecond
)

// realAPI is how a worker reaches the fake job API.
type realAPI struct {
	URL, ProjectID, Token string
}

// realWait is the input of realWaitWorkflow.
type realWait struct {
	JobID    string
	Activity string // "WaitForJob" or "PollJob"
}

// realWaitWorkflow runs one wait the way the README advises: WaitForJob
// with a heartbeat timeout and a retry policy without an attempt limit,
// PollJob with a ScheduleToClose bound and a retry interval shorter than
// the Waiter's (NextRetryDelay overrides it).
func realWaitWorkflow(ctx workflow.Context, in realWait) (Result, error) {
	opts := workflow.ActivityOptions{
		TaskQueue:           realActivityQueue,
		HeartbeatTimeout:    realHeartbeat,
		WaitForCancellation: true, // the workflow gets the activity's own canceled error, with details
	}
	switch in.Activity {
	case "WaitForJob":
		opts.StartToCloseTimeout = 2 * time.Minute
		opts.RetryPolicy = &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, MaximumInterval: time.Second}
	default:
		opts.StartToCloseTimeout = 20 * time.Second
		opts.ScheduleToCloseTimeout = 2 * time.Minute
		opts.RetryPolicy = &temporal.RetryPolicy{InitialInterval: realPollRetry, BackoffCoefficient: 1, MaximumInterval: realPollRetry}
	}
	var r Result
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), in.Activity, WaitInput{JobID: in.JobID}).Get(ctx, &r)
	return r, err
}

// realEvent is a line a worker writes on its standard output.
type realEvent struct {
	Worker   string    `json:"worker"`
	Event    string    `json:"event"` // ready, start, end, stopped
	Activity string    `json:"activity,omitempty"`
	JobID    string    `json:"job_id,omitempty"`
	Attempt  int32     `json:"attempt,omitempty"`
	Resumed  int       `json:"resumed,omitempty"` // start: the polls of the heartbeat it resumes from
	Error    string    `json:"error,omitempty"`   // end: the error's type ("" for none, "canceled", or an application error's type)
	At       time.Time `json:"at"`
}

// realWorkerMain runs an activity worker until SIGINT: it reports every
// attempt's start and end on its standard output.
func realWorkerMain(name string) int {
	var api realAPI
	if err := json.Unmarshal([]byte(os.Getenv(realAPIEnv)), &api); err != nil {
		fmt.Fprintln(os.Stderr, "worker: no API settings:", err)
		return 2
	}
	throttle := realThrottle
	if s := os.Getenv(realThrottleEnv); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			return 2
		}
		throttle = d
	}
	logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	c, err := client.Dial(client.Options{HostPort: os.Getenv(realHostPortEnv), Logger: logger})
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker: dial:", err)
		return 1
	}
	defer c.Close()
	tc, err := taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: api.URL, ProjectID: api.ProjectID, Token: api.Token})
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	waiter, err := taurusjob.NewWaiter(tc, taurusjob.WithInterval(realMinInterval, realMaxInterval),
		taurusjob.WithVisibilityGrace(realGrace), taurusjob.WithTimeout(2*time.Minute))
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	out := &eventWriter{worker: name, enc: json.NewEncoder(os.Stdout)}
	acts := &Activities{Waiter: waiter}
	w := worker.New(c, realActivityQueue, worker.Options{
		WorkerStopTimeout:            realStopTimeout,
		MaxHeartbeatThrottleInterval: throttle,
	})
	for name, run := range map[string]func(context.Context, WaitInput) (Result, error){
		"WaitForJob": acts.WaitForJob, "PollJob": acts.PollJob,
	} {
		w.RegisterActivityWithOptions(func(ctx context.Context, in WaitInput) (Result, error) {
			info := activity.GetInfo(ctx)
			start := realEvent{Event: "start", Activity: name, JobID: in.JobID, Attempt: info.Attempt}
			var hb Heartbeat
			if activity.HasHeartbeatDetails(ctx) && activity.GetHeartbeatDetails(ctx, &hb) == nil {
				start.Resumed = hb.Polls
			}
			out.write(start)
			r, err := run(ctx, in)
			out.write(realEvent{Event: "end", Activity: name, JobID: in.JobID, Attempt: info.Attempt, Error: errorType(err)})
			return r, err
		}, activity.RegisterOptions{Name: name})
	}
	if err := w.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "worker: start:", err)
		return 1
	}
	out.write(realEvent{Event: "ready"})
	<-worker.InterruptCh()
	w.Stop()
	out.write(realEvent{Event: "stopped"})
	return 0
}

// errorType names an activity's error for the test: "" for none.
func errorType(err error) string {
	var ae *temporal.ApplicationError
	switch {
	case err == nil:
		return ""
	case temporal.IsCanceledError(err):
		return "canceled"
	case errors.As(err, &ae):
		return ae.Type()
	}
	return err.Error()
}

// eventWriter writes a worker's events, one JSON line each.
type eventWriter struct {
	worker string
	mu     sync.Mutex
	enc    *json.Encoder
}

func (w *eventWriter) write(e realEvent) {
	e.Worker, e.At = w.worker, time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	_ = w.enc.Encode(e)
}
