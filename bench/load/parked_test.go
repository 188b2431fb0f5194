package load

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// parkedJobs is how many jobs BenchmarkParked waits for at once.
const parkedJobs = 100_000

// realEntities is a create job's entities as the API reports them, about
// 200 bytes: what a waiting job keeps of its last answer.
var realEntities = json.RawMessage(`{"instance":{"id":"a48e43ff268f4c0e879652d65e63d0fbin07",` +
	`"endpoint":"192.168.1.203:3306","type":"Cluster","engine":"gaussdb-mysql"},` +
	`"resource_ids":["a48e43ff268f4c0e879652d65e63d0fbin07.vm","a48e43ff268f4c0e879652d65e63d0fbin07.volume"]}`)

// BenchmarkParked measures what a waiting job costs between its polls:
// 100,000 jobs, each polled once, then parked for a minute; heap in use +
// stacks in use after a GC, minus the same before, per job. Three ways to
// wait, in the same run, on the same in-memory fake API and Client:
//   - waitall: one Waiter.WaitAll, which drives a Poller per job from one
//     scheduler (a heap of due times, 16 requests in flight);
//   - wait-per-goroutine: a goroutine per job calling Waiter.Wait;
//   - plain-loop: a goroutine per job running GetJob and time.Sleep, the
//     simplest waiter anyone writes.
//
// waitall-4-polls is waitall measured once every job had four polls, a
// minute apart, where a job's kept answer, its state and the holes its
// earlier answers left all count (a run takes about four minutes).
//
// One op is the whole run; b.N stays 1. Metrics: B/job (heap in use +
// stacks) and live-B/job (live heap + stacks).
func BenchmarkParked(b *testing.B) {
	for _, mode := range []string{"waitall", "waitall-4-polls", "wait-per-goroutine", "plain-loop"} {
		b.Run(mode, func(b *testing.B) {
			var inuse, live float64
			for range b.N {
				inuse, live = parked(b, mode, parkedJobs)
			}
			b.ReportMetric(inuse, "B/job")
			b.ReportMetric(live, "live-B/job")
		})
	}
}

// TestParkedSmall is BenchmarkParked shrunk for CI: every way of waiting
// gets its first answer for every job and is stopped by a cancel.
func TestParkedSmall(t *testing.T) {
	for _, mode := range []string{"waitall", "wait-per-goroutine", "plain-loop"} {
		t.Run(mode, func(t *testing.T) {
			inuse, live := parked(t, mode, 500)
			t.Logf("%.0f B per parked job (%.0f B live)", inuse, live)
		})
	}
}

// parked runs n waits of one mode until each had its first answer (its
// fourth, for waitall-4-polls), measures, cancels them all, and returns the
// bytes per job: heap in use (spans, so what the process holds) + stacks,
// and live heap + stacks.
func parked(tb testing.TB, mode string, n int) (inuse, live float64) {
	tb.Helper()
	api := taurusjobtest.NewInMemory(taurusjobtest.WithMaxRecords(0))
	defer api.Close()
	client, err := taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: api.URL(), ProjectID: api.ProjectID(),
		Token: api.Token(), HTTPClient: api.Client()})
	if err != nil {
		tb.Fatal(err)
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = api.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever, Entities: realEntities})
	}
	var answered atomic.Int64
	allAnswered := make(chan struct{})
	first := func() {
		if answered.Add(1) == int64(n) {
			close(allAnswered)
		}
	}
	// A minute between polls: every job is parked when memory is measured.
	polls := 1
	if mode == "waitall-4-polls" {
		polls = 4
	}
	w, err := taurusjob.NewWaiter(client, taurusjob.WithInterval(time.Minute, time.Hour),
		taurusjob.WithProgress(func(u taurusjob.Update) {
			if u.Poll == polls && u.Polled {
				first()
			}
		}))
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	baseInuse, baseLive, _ := heapAndStacks()
	var wg sync.WaitGroup
	switch mode {
	case "waitall", "waitall-4-polls":
		wg.Go(func() { w.WaitAll(ctx, ids...) })
	case "wait-per-goroutine":
		for _, id := range ids {
			wg.Go(func() { _, _ = w.Wait(ctx, id) })
		}
	case "plain-loop":
		for _, id := range ids {
			wg.Go(func() { plainLoop(ctx, client, id, first) })
		}
	}
	select {
	case <-allAnswered:
		in, lv, _ := heapAndStacks()
		inuse, live = float64(in-baseInuse)/float64(n), float64(lv-baseLive)/float64(n)
	case <-time.After(time.Duration(polls+1) * time.Minute):
		tb.Errorf("%s: after %d min only %d of %d jobs had %d answers", mode, polls+1, answered.Load(), n, polls)
	}
	cancel()
	wg.Wait()
	return inuse, live
}

// plainLoop is the waiter people write first: poll, sleep a minute, poll.
func plainLoop(ctx context.Context, c *taurusjob.Client, id string, first func()) {
	var last *taurusjob.Job
	for polls := 0; ; polls++ {
		job, err := c.GetJob(ctx, id)
		if errors.Is(err, context.Canceled) {
			return
		}
		if job != nil {
			last = job
		}
		if polls == 0 {
			first()
		}
		if last != nil && last.Status.Terminal() {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Minute):
		}
	}
}
