//go:build unix

package taurustemporal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// The measurement behind README's "A server-side rate limit for PollJob":
// what a task queue's rate limit does to PollJob's traffic and to how late
// a wait sees its job end.
const (
	measureEnv  = "TAURUSJOB_MEASURE"   // "1" runs the measurement
	measureNEnv = "TAURUSJOB_MEASURE_N" // the waits per run; measureN unless set
	measureN    = 100
	measureRPS  = 5 // the queue's rate limit in run (b), requests a second
	// measureWindow is the window the attempt rates are counted in.
	measureWindow = 10 * time.Second
)

// measureJobs scripts one run: n jobs of 20 to 60 s, visible at once,
// every fifth failing. (The worker's Waiter gives up 2 min after a
// wait's first attempt, which leaves a minute for the lag.)
func measureJobs(n int) []taurusjobtest.Job {
	jobs := make([]taurusjobtest.Job, n)
	for i := range jobs {
		jobs[i] = taurusjobtest.Job{Running: 20*time.Second + time.Duration(i%41)*time.Second}
		if i%5 == 4 {
			jobs[i].Outcome, jobs[i].FailReason = taurusjobtest.Failed, fmt.Sprintf("measured failure %d", i)
		}
	}
	return jobs
}

// TestMeasurePollJobQueueLimit measures, on the temporal CLI's dev server
// with two worker processes (the real-server test's), N PollJob waits on
// one task queue: (a) without a queue rate limit, (b) with
// `temporal task-queue config set --queue-rps-limit 5`. For each it logs
// PollJob's attempts a second (mean, and peak per 10 s window) and the
// detection lag, from the job's end on the fake API's clock to the end of
// the activity that saw it (median, p95, max).
//
// It is a measurement, not a check of behaviour: it takes minutes, and it
// is skipped unless TAURUSJOB_MEASURE=1 (CI never sets it). It needs
// TAURUSJOB_TEMPORAL_BIN as TestRealServer does. It fails only when a wait
// did not end as its job did, or the CLI refused the limit.
func TestMeasurePollJobQueueLimit(t *testing.T) {
	if os.Getenv(measureEnv) != "1" {
		t.Skip("a measurement of minutes: " + measureEnv + "=1 " + realBinEnv + "=$(go env GOPATH)/bin/temporal " +
			"go test -run TestMeasurePollJobQueueLimit -v -timeout 30m .")
	}
	bin := os.Getenv(realBinEnv)
	if bin == "" {
		t.Skip("the measurement needs the temporal CLI in " + realBinEnv + " (see TestRealServer)")
	}
	n := measureN
	if s := os.Getenv(measureNEnv); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", measureNEnv, s)
		}
	}
	hostPort := startDevServer(t, bin)
	c := dialServer(t, hostPort)
	api := taurusjobtest.NewServer()
	t.Cleanup(api.Close)
	var events eventLog
	for _, name := range []string{"A", "B"} {
		startMeasureWorker(t, name, hostPort, api, &events)
	}
	startMeasureWorkflows(t, c)

	a := measureRun(t, c, api, &events, "a", n)
	setQueueLimit(t, bin, hostPort, measureRPS)
	b := measureRun(t, c, api, &events, "b", n)
	t.Logf("%d PollJob waits per run, jobs of 20-60 s (every fifth failing), 2 workers, Waiter interval %v-%v",
		n, realMinInterval, realMaxInterval)
	t.Logf("(a) no queue limit:     %s", a)
	t.Logf("(b) --queue-rps-limit %d: %s", measureRPS, b)
	if len(events.bad) > 0 {
		t.Errorf("workers wrote lines that are not events: %q", events.bad)
	}
}

// startMeasureWorker starts an activity worker process, as TestRealServer
// does, and waits until it is ready.
func startMeasureWorker(t *testing.T, name, hostPort string, api *taurusjobtest.Server, events *eventLog) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	settings := realAPI{URL: api.URL(), ProjectID: api.ProjectID(), Token: api.Token()}
	cmd.Env = append(workerEnv(name, hostPort, settings), realThrottleEnv+"="+realThrottle.String())
	cmd.Stdout = events.writer()
	startProc(t, "worker "+name, cmd)
	waitUntil(t, 30*time.Second, "worker "+name+" is not ready", func() bool {
		return len(eventsOf(events.all(), func(e realEvent) bool { return e.Worker == name && e.Event == "ready" })) > 0
	})
}

// startMeasureWorkflows runs measurePollWorkflow in the test's process.
func startMeasureWorkflows(t *testing.T, c client.Client) {
	t.Helper()
	w := worker.New(c, realWorkflowQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(measurePollWorkflow, workflow.RegisterOptions{Name: "measurePoll"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
}

// measurePollWorkflow runs PollJob as realWaitWorkflow does, with room
// for the queue: ScheduleToClose 10 min (a wait queued behind the limit
// must not time out before its Waiter does).
func measurePollWorkflow(ctx workflow.Context, jobID string) (Result, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              realActivityQueue,
		HeartbeatTimeout:       realHeartbeat,
		StartToCloseTimeout:    20 * time.Second,
		ScheduleToCloseTimeout: 10 * time.Minute,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: realPollRetry, BackoffCoefficient: 1, MaximumInterval: realPollRetry},
	})
	var r Result
	err := workflow.ExecuteActivity(ctx, "PollJob", WaitInput{JobID: jobID}).Get(ctx, &r)
	return r, err
}

// setQueueLimit sets the activity task queue's server-side rate limit.
func setQueueLimit(t *testing.T, bin, hostPort string, rps int) {
	t.Helper()
	out, err := exec.Command(bin, "task-queue", "config", "set", "--address", hostPort,
		"--task-queue", realActivityQueue, "--task-queue-type", "activity",
		"--queue-rps-limit", strconv.Itoa(rps), "--queue-rps-limit-reason", "measurement").CombinedOutput()
	if err != nil {
		t.Fatalf("temporal task-queue config set: %v\n%s", err, out)
	}
	t.Logf("temporal task-queue config set --queue-rps-limit %d:\n%s", rps, out)
}

// measured is what one run measured.
type measured struct {
	took             time.Duration
	attempts         int
	mean, peak       float64 // attempts a second: over the run, and in its busiest full window
	median, p95, max time.Duration
}

func (m measured) String() string {
	return fmt.Sprintf("%d attempts in %v: %.1f/s mean, %.1f/s peak per %v window; detection lag median %v, p95 %v, max %v",
		m.attempts, m.took.Round(time.Second), m.mean, m.peak, measureWindow,
		m.median.Round(100*time.Millisecond), m.p95.Round(100*time.Millisecond), m.max.Round(100*time.Millisecond))
}

// measureRun starts n waits at once, waits for them all to end, checks
// that each ended as its job did, and measures the run.
func measureRun(t *testing.T, c client.Client, api *taurusjobtest.Server, events *eventLog, label string, n int) measured {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	started := time.Now()
	runs := map[string]client.WorkflowRun{}
	for i, job := range measureJobs(n) {
		id := api.AddJob(job)
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("measure-%s-%03d", label, i),
			TaskQueue: realWorkflowQueue}, "measurePoll", id)
		if err != nil {
			t.Fatalf("starting wait %d of run %s: %v", i, label, err)
		}
		runs[id] = run
	}
	for id, run := range runs {
		checkMeasuredOutcome(t, api, id, run.Get(ctx, new(Result)))
	}
	m := measured{took: time.Since(started)}
	evs := eventsOf(events.all(), func(e realEvent) bool { return runs[e.JobID] != nil })
	m.attempts, m.mean, m.peak = attemptRates(evs)
	m.median, m.p95, m.max = lagQuantiles(detectionLags(t, api, evs))
	return m
}

// checkMeasuredOutcome fails the test unless a wait ended as its job did:
// completed, or failed non-retryably.
func checkMeasuredOutcome(t *testing.T, api *taurusjobtest.Server, id string, err error) {
	t.Helper()
	_, outcome, _ := api.JobEnd(id)
	var appErr *temporal.ApplicationError
	switch {
	case outcome == taurusjobtest.Completed && err == nil:
	case outcome == taurusjobtest.Failed && errors.As(err, &appErr) && appErr.Type() == TypeFailed:
	default:
		t.Errorf("job %s ended %v; its wait: %v", id, outcome, err)
	}
}

// attemptRates counts the PollJob attempts that started: their number,
// the mean rate from the first to the last, and the peak rate over full
// windows of measureWindow from the first.
func attemptRates(evs []realEvent) (n int, mean, peak float64) {
	starts := eventsOf(evs, func(e realEvent) bool { return e.Event == "start" })
	if len(starts) < 2 {
		return len(starts), 0, 0
	}
	sort.Slice(starts, func(a, b int) bool { return starts[a].At.Before(starts[b].At) })
	first, last := starts[0].At, starts[len(starts)-1].At
	windows := make([]int, int(last.Sub(first)/measureWindow)) // the full ones
	for _, e := range starts {
		if w := int(e.At.Sub(first) / measureWindow); w < len(windows) {
			windows[w]++
		}
	}
	for _, c := range windows {
		peak = max(peak, float64(c)/measureWindow.Seconds())
	}
	return len(starts), float64(len(starts)) / last.Sub(first).Seconds(), peak
}

// detectionLags returns, for each job, how long after its end (on the
// fake API's clock) the attempt that saw it ended: the wait's last end
// event, which a not_done does not close.
func detectionLags(t *testing.T, api *taurusjobtest.Server, evs []realEvent) []time.Duration {
	t.Helper()
	done := map[string]time.Time{}
	for _, e := range eventsOf(evs, func(e realEvent) bool { return e.Event == "end" && e.Error != TypeNotDone }) {
		if e.At.After(done[e.JobID]) {
			done[e.JobID] = e.At
		}
	}
	var lags []time.Duration
	for id, at := range done {
		end, _, ok := api.JobEnd(id)
		if !ok {
			t.Errorf("job %s: no end on the fake API", id)
			continue
		}
		lags = append(lags, at.Sub(end))
	}
	return lags
}

// lagQuantiles returns the median, the 95th percentile (nearest rank) and
// the largest of ds.
func lagQuantiles(ds []time.Duration) (median, p95, largest time.Duration) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	sort.Slice(ds, func(a, b int) bool { return ds[a] < ds[b] })
	rank := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))+0.5)-1)] }
	return rank(0.5), rank(0.95), ds[len(ds)-1]
}
