package main

import (
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// TestWaitTimeoutIsTheCommandsDeadline: --timeout bounds the whole command,
// however many jobs it waits for. Before every job was waited for from the
// start, 40 jobs with --timeout 2s took 6 s: the waits beyond the 16th
// queued behind the first ones' whole timeouts.
func TestWaitTimeoutIsTheCommandsDeadline(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	var ids []string
	for range 40 {
		ids = append(ids, srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever}))
	}
	start := time.Now()
	r := runBin(t, fakeEnv(srv), "", args("wait", ids, "--output", "json", "--timeout", "2s", fast)...)
	took := time.Since(start)
	if r.code != exitTimeout {
		t.Fatalf("exit %d, want %d (timeout)\n%s", r.code, exitTimeout, r)
	}
	lines := jsonLines(t, r)
	if len(lines) != len(ids) {
		t.Fatalf("%d results for %d jobs", len(lines), len(ids))
	}
	for i, l := range lines {
		if l.JobID != ids[i] || l.Outcome != "timeout" || l.Polls < 2 {
			t.Errorf("result %d: job %s %s after %d polls; want job %s, a timeout after several polls",
				i, l.JobID, l.Outcome, l.Polls, ids[i])
		}
	}
	// The bound leaves room for building the process and a loaded machine,
	// and is far below the 4 s that even one queued round would add.
	if took > 3500*time.Millisecond {
		t.Errorf("40 jobs with --timeout 2s took %s; want about 2 s", took.Round(time.Millisecond))
	}
}
