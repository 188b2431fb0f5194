//go:build unix

package taurustemporal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"sort"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// realBinEnv names the temporal CLI the real-server test starts.
const realBinEnv = "TAURUSJOB_TEMPORAL_BIN"

// realJob is one wait of the real-server run and how it must end.
type realJob struct {
	name     string
	activity string
	job      taurusjobtest.Job
	want     string // the outcome: completed, failed, canceled, not_visible; "interrupted" for a wait the test cancels
	id       string
	run      client.WorkflowRun
}

// realJobs scripts the run: for each activity, 16 jobs of 4 to 14 s (seen
// after 1 s), two failing and two canceled on the TaurusDB side with their
// reasons, two never visible; and two endless waits that the test cancels.
func realJobs() []*realJob {
	var jobs []*realJob
	for _, act := range []string{"WaitForJob", "PollJob"} {
		for i := range 16 {
			j := &realJob{name: fmt.Sprintf("%s-%02d", act, i), activity: act, want: "completed",
				job: taurusjobtest.Job{Invisible: time.Second, Running: time.Duration(4+2*(i%6)) * time.Second}}
			switch {
			case i == 7 || i == 15:
				j.job, j.want = taurusjobtest.Job{Invisible: taurusjobtest.Forever}, TypeNotVisible
			case i%8 == 3:
				j.job.Outcome, j.job.FailReason, j.want = taurusjobtest.Failed, "insufficient quota for "+j.name, TypeFailed
			case i%8 == 5:
				j.job.Outcome, j.job.FailReason, j.want = taurusjobtest.Canceled, "canceled by user for "+j.name, TypeCanceled
			}
			jobs = append(jobs, j)
		}
	}
	for i := range 2 {
		jobs = append(jobs, &realJob{name: fmt.Sprintf("cancelled-%d", i), activity: "WaitForJob", want: "interrupted",
			job: taurusjobtest.Job{Running: taurusjobtest.Forever}})
	}
	return jobs
}

// On a real Temporal server (the temporal CLI's dev server), with worker
// processes that crash and stop: every wait ends as its job did, failures
// non-retryable with their reasons, the polls counted as the API saw them,
// and a wait whose worker goes away resumes on another one, from its last
// heartbeat, within the heartbeat timeout after a crash (SIGKILL) and at
// once after a graceful stop (SIGINT), without a new visibility grace
// window and without an early poll. PollJob's attempts come at the
// Waiter's delay, not at its retry policy's far shorter interval.
//
// It needs the CLI (see the skip message); .ci/run provides it. It runs
// on real time, with real processes and loopback sockets, so it is not in
// a synctest bubble; it takes about 30 s.
func TestRealServer(t *testing.T) {
	bin := os.Getenv(realBinEnv)
	if bin == "" {
		t.Skip("the real-server test needs the temporal CLI: go install github.com/temporalio/cli/cmd/temporal@v1.5.1, " +
			"then " + realBinEnv + "=$(go env GOPATH)/bin/temporal go test -run TestRealServer . (.ci/run does both)")
	}
	hostPort := startDevServer(t, bin)
	c := dialServer(t, hostPort)

	api := taurusjobtest.NewServer()
	t.Cleanup(api.Close)
	settings := realAPI{URL: api.URL(), ProjectID: api.ProjectID(), Token: api.Token()}
	var events eventLog
	workers := map[string]*proc{}
	startWorker := func(name string) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(workerEnv(name, hostPort, settings), realThrottleEnv+"="+throttleOf(name))
		cmd.Stdout = events.writer()
		workers[name] = startProc(t, "worker "+name, cmd)
		waitUntil(t, 30*time.Second, "worker "+name+" is not ready", func() bool {
			return len(eventsOf(events.all(), func(e realEvent) bool { return e.Worker == name && e.Event == "ready" })) > 0
		})
	}
	startWorker("A")
	startWorker("B")
	startWorkflowWorker(t, c)

	jobs := realJobs()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	for _, j := range jobs {
		j.id = api.AddJob(j.job)
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: j.name, TaskQueue: realWorkflowQueue},
			"realWait", realWait{JobID: j.id, Activity: j.activity})
		if err != nil {
			t.Fatalf("starting %s: %v", j.name, err)
		}
		j.run = run
	}
	started := time.Now()
	waitUntil(t, 20*time.Second, "not every wait has started", func() bool {
		return len(firstAttempts(events.all())) == len(jobs)
	})

	// Mid-wait, worker A crashes; C replaces it.
	time.Sleep(time.Until(started.Add(3 * time.Second)))
	mustRunWaits(t, events.all(), "A", "B")
	workers["A"].signal(syscall.SIGKILL)
	killed := time.Now()
	startWorker("C")

	waitUntil(t, realHeartbeat+5*time.Second, "the waits of the killed worker did not resume", func() bool {
		return len(unresumed(events.all(), "A", killed)) == 0
	})

	// The workflow cancels two endless waits.
	cancelled := time.Now()
	for _, j := range jobs {
		if j.want == "interrupted" {
			if err := c.CancelWorkflow(ctx, j.name, ""); err != nil {
				t.Fatalf("cancelling %s: %v", j.name, err)
			}
		}
	}
	waitUntil(t, 2*realHeartbeat, "the cancelled waits did not end", func() bool {
		return len(cancelDelays(events.all(), jobs, cancelled)) == 2
	})

	// Then B stops gracefully, mid-wait.
	mustRunWaits(t, events.all(), "B")
	workers["B"].signal(syscall.SIGINT)
	stopped := time.Now()
	waitUntil(t, realStopTimeout, "worker B did not exit after SIGINT", workers["B"].exited)
	stopTook := time.Since(stopped)
	if code := workers["B"].cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("worker B exited with code %d after SIGINT", code)
	}

	results := map[string]realOutcome{}
	for _, j := range jobs {
		results[j.name] = outcomeOf(ctx, j)
	}
	took := time.Since(started)
	evs := events.all()
	if len(events.bad) > 0 {
		t.Errorf("workers wrote lines that are not events: %q", events.bad)
	}

	// Every wait ends as its job did, its polls counted as the API saw them.
	crashed := attemptsCut(evs, "A", killed)
	lost := 0
	for _, j := range jobs {
		o := results[j.name]
		checkOutcome(t, j, o)
		requests := api.RequestCount(j.id)
		switch {
		case o.result.Polls == requests:
		case crashed[j.id] && o.result.Polls == requests-1:
			lost++ // the poll answered in the instant between its answer and its heartbeat reaching the server
		default:
			t.Errorf("%s: %d polls counted, the API saw %d (attempt cut by the crash: %v); its attempts: %s",
				j.name, o.result.Polls, requests, crashed[j.id], attemptsOf(evs, j.id, started))
		}
	}
	checkSchedule(t, jobs, api.Requests())

	// A wait whose worker crashed resumed within the heartbeat timeout (and
	// the retry policy's first interval); one whose worker stopped, at once.
	crashDelays := resumeDelays(t, evs, "A", killed)
	stopDelays := resumeDelays(t, evs, "B", stopped)
	// (The server notices a crash at the last heartbeat it received plus
	// the heartbeat timeout, then waits out the retry policy's interval,
	// up to 1 s here; 2 s more for its timers and a loaded machine. A stop
	// that did not hand its waits on would take the heartbeat timeout too.)
	for _, d := range crashDelays {
		if d > realHeartbeat+3*time.Second {
			t.Errorf("a wait resumed %v after its worker crashed; the heartbeat timeout is %v", d, realHeartbeat)
		}
	}
	for _, d := range stopDelays {
		if d > realHeartbeat*5/6 {
			t.Errorf("a wait resumed %v after its worker began to stop; want about a second, well before the heartbeat timeout (%v)", d, realHeartbeat)
		}
	}
	var handDelays []time.Duration // from the stop to the end of each attempt it cut
	for _, e := range eventsOf(evs, func(e realEvent) bool {
		return e.Worker == "B" && e.Event == "end" && e.Activity == "WaitForJob" && !e.At.Before(stopped)
	}) {
		handDelays = append(handDelays, e.At.Sub(stopped))
		if e.Error != typeWorkerStopping && e.Error != "" && e.Error != TypeFailed && e.Error != TypeCanceled && e.Error != TypeNotVisible {
			t.Errorf("worker B ended %s attempt %d with %q on its stop; want %q", e.JobID, e.Attempt, e.Error, typeWorkerStopping)
		}
	}
	cancelDelays := cancelDelays(evs, jobs, cancelled)
	// (A cancel rides on the next heartbeat sent: within half the
	// heartbeat timeout or the throttle interval, 2.4 s on worker B.)
	for _, d := range cancelDelays {
		if d > realHeartbeat+time.Second {
			t.Errorf("a cancel reached its wait after %v; want within the heartbeat timeout (%v) and a second", d, realHeartbeat)
		}
	}

	t.Logf("%d waits in %v; worker B stopped in %v; %d of the waits the crash cut lost their last poll from the count (MaxHeartbeatThrottleInterval: %s)",
		len(jobs), took.Round(time.Millisecond), stopTook.Round(time.Millisecond), lost, throttleSetting())
	t.Logf("resumed after the crash (%d): %v", len(crashDelays), spread(crashDelays))
	t.Logf("resumed after the graceful stop (%d): %v, their attempts on the stopping worker ended %v after it", len(stopDelays), spread(stopDelays), spread(handDelays))
	t.Logf("cancels seen (%d): %v", len(cancelDelays), spread(cancelDelays))
	if len(crashDelays) == 0 || len(stopDelays) == 0 {
		t.Errorf("no wait was cut by the crash (%d) or by the stop (%d): the run proved nothing about them", len(crashDelays), len(stopDelays))
	}
}

// startDevServer starts the dev server on free loopback ports, without its
// UI, and returns its frontend's host:port.
func startDevServer(t *testing.T, bin string) string {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(bin, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", port,
		"--http-port", freePort(t), "--metrics-port", freePort(t), "--log-level", "error")
	startProc(t, "temporal server", cmd)
	return "127.0.0.1:" + port
}

// dialServer connects to the server once it answers, and closes the client
// in cleanup.
func dialServer(t *testing.T, hostPort string) client.Client {
	t.Helper()
	logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError})))
	start := time.Now()
	var c client.Client
	waitUntil(t, 30*time.Second, "the dev server does not answer", func() bool {
		var err error
		c, err = client.Dial(client.Options{HostPort: hostPort, Logger: logger})
		return err == nil
	})
	t.Logf("dev server ready %v after its start", time.Since(start).Round(time.Millisecond))
	t.Cleanup(c.Close)
	return c
}

// startWorkflowWorker runs the workflows in the test's process, on a task
// queue of their own: the crashes hit the activity workers only.
func startWorkflowWorker(t *testing.T, c client.Client) {
	t.Helper()
	w := worker.New(c, realWorkflowQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(realWaitWorkflow, workflow.RegisterOptions{Name: "realWait"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
}

// realOutcome is how a workflow ended.
type realOutcome struct {
	err    error
	appErr *temporal.ApplicationError // nil when err holds none
	result Result                     // the result, or the error's details
}

func outcomeOf(ctx context.Context, j *realJob) realOutcome {
	var o realOutcome
	o.err = j.run.Get(ctx, &o.result)
	var ce *temporal.CanceledError
	switch {
	case errors.As(o.err, &o.appErr):
		if o.appErr.HasDetails() {
			_ = o.appErr.Details(&o.result)
		}
	case errors.As(o.err, &ce):
		if ce.HasDetails() {
			_ = ce.Details(&o.result)
		}
	}
	return o
}

// checkOutcome checks that a wait ended as its job did.
func checkOutcome(t *testing.T, j *realJob, o realOutcome) {
	t.Helper()
	r := o.result
	switch j.want {
	case "completed":
		if o.err != nil || r.Outcome != "completed" || r.Status != "Completed" || r.InstanceID == "" {
			t.Errorf("%s: %+v, %v; want completed with its instance", j.name, r, o.err)
		}
	case "interrupted":
		if !temporal.IsCanceledError(o.err) || r.Outcome != "interrupted" || r.Status != "Running" {
			t.Errorf("%s: %+v, %v; want the activity's canceled error, details interrupted while Running", j.name, r, o.err)
		}
	default:
		if o.appErr == nil || o.appErr.Type() != j.want || !o.appErr.NonRetryable() ||
			r.Outcome != j.want || r.FailReason != j.job.FailReason || r.JobID != j.id {
			t.Errorf("%s: %v, details %+v; want a non-retryable %q with the reason %q", j.name, o.err, r, j.want, j.job.FailReason)
		}
	}
	if j.want == TypeNotVisible && (r.Waited < realGrace || r.Waited > realGrace+realMaxInterval+time.Second) {
		t.Errorf("%s: ended not visible after %v; the grace window of its first attempt was %v", j.name, r.Waited, realGrace)
	}
}

// checkSchedule checks the requests the API saw: no wait polled sooner
// than the Waiter's shortest delay after its previous poll, whatever
// crashed, stopped or retried in between (PollJob's retry policy asks for
// 100 ms), and none that never became visible polled past its grace window.
func checkSchedule(t *testing.T, jobs []*realJob, reqs []taurusjobtest.Request) {
	t.Helper()
	// The shortest delay is WithInterval's min less the core's jitter: up
	// to 20 % off the error backoff (a 404 while not visible yet), then up
	// to 10 % off every sleep.
	const earliestPoll = realMinInterval * 7 / 10
	byJob := map[string][]time.Time{}
	for _, r := range reqs {
		byJob[r.JobID] = append(byJob[r.JobID], r.Time)
	}
	for _, j := range jobs {
		times := byJob[j.id]
		sort.Slice(times, func(a, b int) bool { return times[a].Before(times[b]) })
		last := len(times)
		if j.want == TypeNotVisible {
			last-- // the schedule aims the poll that ends it at the window's end
		}
		for i := 1; i < last; i++ {
			if gap := times[i].Sub(times[i-1]); gap < earliestPoll {
				t.Errorf("%s: poll %d came %v after the one before; the Waiter's shortest delay is %v", j.name, i+1, gap, earliestPoll)
			}
		}
		if j.want == TypeNotVisible && len(times) > 0 {
			if span := times[len(times)-1].Sub(times[0]); span > realGrace+realMaxInterval+500*time.Millisecond {
				t.Errorf("%s: polled for %v while never visible; the grace window is %v (a retry opened a new one?)", j.name, span, realGrace)
			}
		}
	}
}

// throttleOf is the MaxHeartbeatThrottleInterval of a worker: the one
// README recommends, except for B, which stops gracefully: it keeps the
// SDK's default ("0": 0.8 × HeartbeatTimeout, 2.4 s here), under which a
// heartbeat is most often held back when the stop comes, and must still
// reach the server. realThrottleEnv, when set, is every worker's (to
// measure another setting).
func throttleOf(worker string) string {
	if s := os.Getenv(realThrottleEnv); s != "" {
		return s
	}
	if worker == "B" {
		return "0"
	}
	return realThrottle.String()
}

// throttleSetting describes the workers' MaxHeartbeatThrottleInterval,
// for the log.
func throttleSetting() string {
	return fmt.Sprintf("A and C %s, B %s (0: the SDK's default)", throttleOf("A"), throttleOf("B"))
}
