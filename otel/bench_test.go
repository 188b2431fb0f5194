package taurusjobotel_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	taurusjobotel "github.com/taurusdb-tools/taurusjob/otel"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"
)

// The benchmarks answer one question: what does the hook cost a wait?
// Each runs the same waits four ways, in the same process:
//
//	no_hook      taurusjob alone (what a program that does not trace runs)
//	hook_unset   New() with the global providers left unset
//	hook_noop    New() with no-op providers
//	hook_sdk     New() with the SDK: every span recorded (then dropped), every metric aggregated
//
//	go test -run '^$' -bench . -benchmem -count 6   (in otel/)

// pollsPerWait is how many polls a benchmark wait makes: Running with a
// percent that moves on every poll (an event per poll, the worst case for
// tracing), then Completed.
const pollsPerWait = 20

// stubGetter answers without HTTP, so that the figures are the waiter's
// and the hook's: the job is Running, its percent moving, until poll n.
type stubGetter struct {
	n     int
	polls map[string]int
}

func (g *stubGetter) GetJob(_ context.Context, id string) (*taurusjob.Job, error) {
	g.polls[id]++
	k := g.polls[id]
	j := &taurusjob.Job{ID: id, Name: "CreateGaussDBforMySQLInstance", Status: taurusjob.StatusRunning,
		Created: time.Now().Add(-time.Minute), Progress: k * 100 / g.n}
	if k >= g.n {
		j.Status, j.Ended, j.Progress = taurusjob.StatusCompleted, time.Now(), 100
	}
	return j, nil
}

// dropSpans is a span processor that keeps nothing: the SDK records every
// span in full, and memory does not grow with b.N.
type dropSpans struct{}

func (dropSpans) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (dropSpans) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (dropSpans) Shutdown(context.Context) error                  { return nil }
func (dropSpans) ForceFlush(context.Context) error                { return nil }

// setups are the four ways, by name.
func setups() []struct {
	name string
	opts func() []taurusjob.Option
} {
	return []struct {
		name string
		opts func() []taurusjob.Option
	}{
		{"no_hook", func() []taurusjob.Option { return nil }},
		{"hook_unset", func() []taurusjob.Option { return []taurusjob.Option{taurusjobotel.New()} }},
		{"hook_noop", func() []taurusjob.Option {
			return []taurusjob.Option{taurusjobotel.New(taurusjobotel.WithTracerProvider(tracenoop.NewTracerProvider()),
				taurusjobotel.WithMeterProvider(metricnoop.NewMeterProvider()))}
		}},
		{"hook_sdk", func() []taurusjob.Option {
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(dropSpans{}))
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
			return []taurusjob.Option{taurusjobotel.New(taurusjobotel.WithTracerProvider(tp),
				taurusjobotel.WithMeterProvider(mp))}
		}},
	}
}

// benchWaiter returns a Waiter polling g with every delay 1 ns: the
// benchmark measures polls, not sleeps.
func benchWaiter(b *testing.B, g taurusjob.JobGetter, opts []taurusjob.Option) *taurusjob.Waiter {
	opts = append(opts, taurusjob.WithInterval(time.Nanosecond, time.Nanosecond),
		taurusjob.WithLatencyBudget(time.Nanosecond))
	w, err := taurusjob.NewWaiter(g, opts...)
	if err != nil {
		b.Fatal(err)
	}
	return w
}

// BenchmarkWait: CPU and allocations of one whole wait of pollsPerWait
// polls, reported per poll (ns/poll) and per wait (B/op, allocs/op).
func BenchmarkWait(b *testing.B) {
	for _, s := range setups() {
		b.Run(s.name, func(b *testing.B) {
			g := &stubGetter{n: pollsPerWait, polls: map[string]int{}}
			w := benchWaiter(b, g, s.opts())
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				g.polls["job-1"] = 0
				if _, err := w.Wait(ctx, "job-1"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*pollsPerWait), "ns/poll")
		})
	}
}

// BenchmarkPoll: CPU and allocations of one poll of a waiting job, the
// Poller driven without sleeping (every delay is 1 ns, so each Poll is
// due): the figure is the poll's, not a timer's. A wait that ends is
// replaced by a new one, so the start and the end of a span are counted
// once every pollsPerWait polls.
func BenchmarkPoll(b *testing.B) {
	for _, s := range setups() {
		b.Run(s.name, func(b *testing.B) {
			g := &stubGetter{n: pollsPerWait, polls: map[string]int{}}
			w := benchWaiter(b, g, s.opts())
			ctx := context.Background()
			p, _ := w.NewPoller("job-1")
			b.ReportAllocs()
			for b.Loop() {
				for {
					u, _ := p.Poll(ctx)
					if u.Polled || u.Done {
						break
					}
				}
				if p.Done() {
					g.polls["job-1"] = 0
					p, _ = w.NewPoller("job-1")
				}
			}
		})
	}
}

// BenchmarkPollSideBySide is BenchmarkPoll with the four ways interleaved,
// one poll each in turn, each timed on its own: on a shared machine whose
// load changes from second to second, sequential sub-benchmarks differ by
// more than the hook costs, while interleaved polls see the same load.
// It reports ns/poll for each way (the clock reads are included in all).
func BenchmarkPollSideBySide(b *testing.B) {
	type way struct {
		name   string
		g      *stubGetter
		w      *taurusjob.Waiter
		p      *taurusjob.Poller
		polled time.Duration
	}
	var ways []*way
	for _, s := range setups() {
		g := &stubGetter{n: pollsPerWait, polls: map[string]int{}}
		w := benchWaiter(b, g, s.opts())
		p, _ := w.NewPoller("job-1")
		ways = append(ways, &way{name: s.name, g: g, w: w, p: p})
	}
	ctx := context.Background()
	for b.Loop() {
		for _, x := range ways {
			t0 := time.Now()
			for {
				u, _ := x.p.Poll(ctx)
				if u.Polled || u.Done {
					break
				}
			}
			x.polled += time.Since(t0)
			if x.p.Done() {
				x.g.polls["job-1"] = 0
				x.p, _ = x.w.NewPoller("job-1")
			}
		}
	}
	for _, x := range ways {
		b.ReportMetric(float64(x.polled.Nanoseconds())/float64(b.N), "ns/poll-"+x.name)
	}
	b.ReportMetric(0, "ns/op") // the sum of the four: not a figure of interest
}

// BenchmarkWaitingJob: the memory a job holds while it waits (between
// polls, after its first), the wait's open span included: the live heap
// of 1,000 such waits, per wait (B/waiting-job).
func BenchmarkWaitingJob(b *testing.B) {
	const waits = 1000
	for _, s := range setups() {
		b.Run(s.name, func(b *testing.B) {
			g := &stubGetter{n: 1 << 30, polls: map[string]int{}}
			w := benchWaiter(b, g, s.opts())
			ids := make([]string, waits)
			for i := range ids {
				ids[i] = fmt.Sprintf("job-%d", i)
				g.polls[ids[i]] = 0
			}
			var perWait float64
			for b.Loop() {
				b.StopTimer()
				for _, id := range ids {
					g.polls[id] = 0
				}
				b.StartTimer()
				pollers := make([]*taurusjob.Poller, waits)
				before := liveHeap()
				for i, id := range ids {
					pollers[i], _ = w.NewPoller(id)
					pollers[i].Poll(context.Background())
				}
				perWait += float64(liveHeap()-before) / waits
				runtime.KeepAlive(pollers)
				b.StopTimer()
				for _, p := range pollers { // end the spans, or the SDK's next round is bigger
					for !p.Done() {
						p.Poll(context.Background())
						g.polls[p.JobID()] = 1 << 30
					}
				}
				b.StartTimer()
			}
			b.ReportMetric(perWait/float64(b.N), "B/waiting-job")
		})
	}
}

func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
