//go:build unix

package redisquota

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// The multi-process run: 3 worker processes × 300 waits on one fake job
// API that answers 429 above quotaRPS requests a second (a token bucket
// with bursts of quotaBurst, as the gateway throttles a user).
const (
	workers        = 3
	waitsPerWorker = 300
	quotaRPS       = 20
	quotaBurst     = 5
)

// scenario is one way of keeping to the quota, run on a fake API of its own.
type scenario struct {
	name   string
	shared bool    // one redisquota.Limiter of quotaRPS for all
	rps    float64 // each process's limiter rate
	cutOff bool    // stopped when the other scenarios are done, whatever it has left
}

// scenarioRun is what a scenario's run left: its API, its jobs, what its
// workers printed.
type scenarioRun struct {
	scenario
	api     *taurusjobtest.Server
	failed  map[string]bool // the jobs scripted to fail, by id
	procs   []*proc
	outs    []*lockedBuffer
	elapsed time.Duration
}

// Many processes keep to one tenant's quota only when they share it: with
// a redisquota.Limiter, 3 processes × 300 waits send no request over the
// API's 20/s, and every wait ends with its job's true outcome. The same
// run measures what a limiter per process gives (the fair split, 20/3 each,
// and 20 each, the quota given to every process), for README.
func TestThreeProcessesOneQuota(t *testing.T) {
	if testing.Short() {
		t.Skip("the multi-process run takes about a minute")
	}
	addr := startRedis(t)
	runs := []*scenarioRun{
		{scenario: scenario{"shared redisquota.Limiter, 20/s for all", true, quotaRPS, false}},
		{scenario: scenario{"rate.Limiter per process, 20/3 /s each", false, quotaRPS / 3.0, false}},
		// Three times the quota: its waits would take minutes to end.
		{scenario: scenario{"rate.Limiter per process, 20/s each", false, quotaRPS, true}},
	}
	start := time.Now()
	var wg sync.WaitGroup
	for i, r := range runs { // at once, so the whole run takes one scenario's time
		r.start(t, addr, fmt.Sprintf("tenant-%d", i))
		if !r.cutOff {
			wg.Go(func() { r.wait(t, start) })
		}
	}
	wg.Wait()
	for _, r := range runs {
		if r.cutOff {
			r.stop(start)
		}
	}
	for _, r := range runs {
		total, throttled := r.requests()
		ended, wrong := r.check(t)
		t.Logf("%s: %d of %d waits ended in %.0f s, %d requests, %d answered 429 (%.1f %%), %d outcomes wrong",
			r.name, ended, workers*waitsPerWorker, r.elapsed.Seconds(), total, throttled,
			100*float64(throttled)/float64(max(total, 1)), wrong)
		if r.shared && (throttled != 0 || wrong != 0) {
			t.Errorf("%s: %d requests answered 429 and %d outcomes wrong; want none of either", r.name, throttled, wrong)
		}
	}
}

// start makes the scenario's API and jobs and starts its workers.
func (r *scenarioRun) start(t *testing.T, redisAddr, tenant string) {
	r.api = taurusjobtest.NewServer(taurusjobtest.WithRateLimit(quotaRPS, quotaBurst), taurusjobtest.WithMaxRecords(-1))
	t.Cleanup(r.api.Close)
	r.failed = map[string]bool{}
	for w := range workers {
		s := workerSettings{URL: r.api.URL(), ProjectID: r.api.ProjectID(), Token: r.api.Token(),
			Redis: redisAddr, Tenant: tenant, Shared: r.shared, RPS: r.rps}
		for i := range waitsPerWorker {
			n := w*waitsPerWorker + i
			j := taurusjobtest.Job{Running: time.Duration(n*37%30) * 100 * time.Millisecond} // 0 to 2.9 s
			if n%10 == 0 {
				j.Outcome, j.FailReason = taurusjobtest.Failed, "insufficient quota"
			}
			id := r.api.AddJob(j)
			r.failed[id] = n%10 == 0
			s.JobIDs = append(s.JobIDs, id)
		}
		settings, _ := json.Marshal(s)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), workerEnv+"="+string(settings))
		out := &lockedBuffer{}
		cmd.Stdout = out
		r.outs = append(r.outs, out)
		r.procs = append(r.procs, startProc(t, fmt.Sprintf("worker %d (%s)", w, r.name), cmd))
	}
}

// wait waits for the scenario's workers to exit, 100 s at most.
func (r *scenarioRun) wait(t *testing.T, start time.Time) {
	deadline := time.After(100 * time.Second)
	for _, p := range r.procs {
		select {
		case <-p.done:
		case <-deadline:
			t.Errorf("%s: %s still running after 100 s", r.name, p.name)
			return
		}
	}
	r.elapsed = time.Since(start)
}

// stop kills the scenario's workers (the endings they printed stay).
func (r *scenarioRun) stop(start time.Time) {
	r.elapsed = time.Since(start)
	for _, p := range r.procs {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// requests counts the requests the scenario's API got and those it
// answered 429.
func (r *scenarioRun) requests() (total, throttled int) {
	for _, q := range r.api.Requests() {
		if q.Status == 429 {
			throttled++
		}
	}
	return r.api.TotalRequests(), throttled
}

// check counts the waits that ended, and those that did not end with
// their job's true outcome (Completed, or Failed with its error), failing
// the test when a worker that was not cut off missed some.
func (r *scenarioRun) check(t *testing.T) (seen, wrong int) {
	for i, out := range r.outs {
		sc := bufio.NewScanner(strings.NewReader(out.String()))
		for sc.Scan() {
			var res workerResult
			if err := json.Unmarshal(sc.Bytes(), &res); err != nil {
				t.Errorf("%s: worker %d printed %q", r.name, i, sc.Text())
				continue
			}
			seen++
			want := string(taurusjob.StatusCompleted)
			if r.failed[res.JobID] {
				want = string(taurusjob.StatusFailed)
			}
			if res.Status != want || (res.Err != "") != r.failed[res.JobID] {
				wrong++
				if wrong <= 5 {
					t.Logf("%s: job %s ended %q (%s); want %s", r.name, res.JobID, res.Status, res.Err, want)
				}
			}
		}
	}
	if seen != workers*waitsPerWorker && !r.cutOff {
		t.Errorf("%s: the workers reported %d waits; want %d", r.name, seen, workers*waitsPerWorker)
	}
	return seen, wrong
}
