package main

import (
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// TestWaitEachService: a script waits for a job of each database service
// with --service, against a fake API that answers in that service's shape
// (its percent field, its statuses, its entities or none), and gets exit 0
// and the job as the service sent it.
func TestWaitEachService(t *testing.T) {
	t.Parallel()
	for _, svc := range taurusjob.Services() {
		t.Run(svc.String(), func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, taurusjobtest.WithService(svc))
			id := srv.AddJob(taurusjobtest.Job{Invisible: 100 * time.Millisecond, Running: 300 * time.Millisecond})
			r := runBin(t, fakeEnv(srv), "", args("wait", id, "--service", svc.String(), "--output", "json", fast)...)
			if r.code != exitCompleted {
				t.Fatalf("exit %d, want 0\n%s", r.code, r)
			}
			lines := jsonLines(t, r)
			if len(lines) != 1 || lines[0].Outcome != "completed" || lines[0].job(t).Status != "Completed" {
				t.Errorf("result %+v; want the job completed", lines)
			}
		})
	}
}
