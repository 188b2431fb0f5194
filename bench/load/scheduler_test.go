package load

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// Each job of BenchmarkScheduler is polled schedPolls times, and one op
// waits for schedJobs of them.
const (
	schedJobs  = 256
	schedPolls = 8
)

// BenchmarkScheduler measures what WaitAll's scheduler adds to a poll, in
// one run, against the same poll made by hand: the real Client on a canned
// transport (a whole GET and decode, no network), every poll due at once
// (WithInterval(1ns, 1ns)), each job completing at its 8th poll.
//   - lone-poll: each job's Poller polled by hand, one after another;
//   - waitall: one WaitAll of all the jobs (16 workers).
//
// Metrics: cpu-ns/poll, the process's CPU time (user + system) per poll,
// which the workers' parallelism cannot hide; ns/poll, the wall clock.
func BenchmarkScheduler(b *testing.B) {
	api := taurusjobtest.NewInMemory(taurusjobtest.WithMaxRecords(0))
	defer api.Close()
	id := api.AddJob(taurusjobtest.Job{Running: time.Hour, Entities: realEntities})
	req, _ := http.NewRequest(http.MethodGet, api.URL()+"/v3/"+api.ProjectID()+"/jobs?id="+id, nil)
	req.Header.Set("X-Auth-Token", api.Token())
	resp, err := api.Client().Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("fetching the body to can: %v %v", resp, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	client, err := taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: "https://canned.invalid", ProjectID: api.ProjectID(),
		Token: api.Token(), HTTPClient: &http.Client{Transport: canned{body}}})
	if err != nil {
		b.Fatal(err)
	}
	g := &endsAfter{c: client, id: id, polls: map[string]int{}}
	w, err := taurusjob.NewWaiter(g, taurusjob.WithInterval(time.Nanosecond, time.Nanosecond), taurusjob.WithConcurrency(16))
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, schedJobs)
	for i := range ids {
		ids[i] = fmt.Sprintf("job-%04d", i)
	}
	ctx := context.Background()
	for _, mode := range []string{"lone-poll", "waitall"} {
		b.Run(mode, func(b *testing.B) {
			g.total = 0 // b.Loop runs this function once
			cpu := cpuTime()
			for b.Loop() {
				g.reset()
				if mode == "waitall" {
					for _, r := range w.WaitAll(ctx, ids...) {
						if r.Err != nil {
							b.Fatal(r.Err)
						}
					}
					continue
				}
				for _, id := range ids {
					p, err := w.NewPoller(id)
					if err != nil {
						b.Fatal(err)
					}
					for !p.Done() {
						_, _ = p.Poll(ctx)
					}
				}
			}
			polls := float64(g.total)
			b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/polls, "cpu-ns/poll")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/polls, "ns/poll")
		})
	}
}

// endsAfter polls the canned Client for each job until its schedPolls-th
// poll, which answers Completed.
type endsAfter struct {
	c     *taurusjob.Client
	id    string // the canned job's id
	mu    sync.Mutex
	polls map[string]int
	total int // polls since the run began
}

func (e *endsAfter) reset() {
	e.mu.Lock()
	clear(e.polls)
	e.mu.Unlock()
}

func (e *endsAfter) GetJob(ctx context.Context, id string) (*taurusjob.Job, error) {
	e.mu.Lock()
	e.polls[id]++
	e.total++
	n := e.polls[id]
	e.mu.Unlock()
	job, err := e.c.GetJob(ctx, e.id)
	if err != nil {
		return nil, err
	}
	job.ID = id
	if n >= schedPolls {
		job.Status = taurusjob.StatusCompleted
	}
	return job, nil
}
