package taurusjob_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// For every service, a wait through the core Client on the fake API in
// that service's shape ends as the job does: a job that is invisible at
// first, then Running with a climbing percent (under "process" or
// "progress"), then Completed, returns the job; one that Failed returns
// ErrJobFailed with the service's fail_reason. The percent reaches the
// progress callback, so the schedule can predict the end for every service.
func TestWaitEachServicesLifecycle(t *testing.T) {
	for _, svc := range taurusjob.Services() {
		t.Run(svc.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := taurusjobtest.NewInMemory(taurusjobtest.WithService(svc))
				defer srv.Close()
				ok := srv.AddJob(taurusjobtest.Job{Invisible: 4 * time.Second, Running: 3 * time.Minute})
				bad := srv.AddJob(taurusjobtest.Job{Running: time.Minute, Outcome: taurusjobtest.Failed,
					FailReason: svc.Title() + ": insufficient resources in the AZ"})
				client, err := taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: srv.URL(), ProjectID: srv.ProjectID(),
					Token: srv.Token(), HTTPClient: srv.Client(), Service: svc})
				if err != nil {
					t.Fatal(err)
				}
				var mu sync.Mutex
				percents := map[int]bool{}
				w, err := taurusjob.NewWaiter(client, taurusjob.WithTimeout(time.Hour),
					taurusjob.WithProgress(func(u taurusjob.Update) {
						if u.Job != nil && u.Job.Progress > 0 && u.Job.Progress < 100 {
							mu.Lock()
							percents[u.Job.Progress] = true
							mu.Unlock()
						}
					}))
				if err != nil {
					t.Fatal(err)
				}
				res := w.WaitAll(context.Background(), ok+","+bad)
				if job, err := res[0].Job, res[0].Err; err != nil || job.Status != taurusjob.StatusCompleted || job.FailReason != "" {
					t.Errorf("completed job: %+v, %v; want Completed without a reason", job, err)
				}
				end, _, _ := srv.JobEnd(ok)
				if lag := time.Since(end); lag > 30*time.Second {
					t.Errorf("noticed %s after the end", lag)
				}
				if job, err := res[1].Job, res[1].Err; !errors.Is(err, taurusjob.ErrJobFailed) ||
					job == nil || job.Status != taurusjob.StatusFailed || !strings.Contains(err.Error(), "insufficient resources") {
					t.Errorf("failed job: %+v, %v; want ErrJobFailed with the reason", job, err)
				}
				if len(percents) < 2 {
					t.Errorf("percents seen %v; want the climbing percent read from the %s body", percents, svc)
				}
			})
		})
	}
}
