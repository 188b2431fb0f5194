package taurusjob_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

var soakFlag = flag.Duration("soak", 0, "run TestSoak in rounds for this long, e.g. -soak=2m (default: one round; TAURUSJOB_SOAK=2m also sets it)")

// soakDuration is how long TestSoak runs: -soak, else $TAURUSJOB_SOAK,
// else 0 for a single round.
func soakDuration(t *testing.T) time.Duration {
	if *soakFlag > 0 {
		return *soakFlag
	}
	if v := os.Getenv("TAURUSJOB_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("TAURUSJOB_SOAK=%q: %v", v, err)
		}
		return d
	}
	return 0
}

// Soak parameters. A round is soakWaits concurrent waits on a loopback
// fake API, over real sockets and real time, with about 10 % of requests
// faulted. Under -race a round stays well within the 8128-goroutine limit:
// 1,000 waits, and a connection costs two goroutines on each side.
const (
	soakWaits = 1000
	// soakHeapGrowth bounds the live heap left after a round, once its
	// servers are closed and its results dropped: a leak of a few KiB per
	// wait would pass it.
	soakHeapGrowth = 8 << 20
	// soakPeakHeap bounds the live heap during a round of 1,000 waits,
	// the fake API's request records included.
	soakPeakHeap = 256 << 20
)

// soakFaults are injected on about 10.5 % of requests, each drawn on its
// own (the rules are tried in order; the first that answers wins).
func soakFaults(other *taurusjobtest.Server) []taurusjobtest.Rule {
	r := func(p float64, seed uint64, f taurusjobtest.Fault) taurusjobtest.Rule {
		return taurusjobtest.Rule{Fault: f, Probability: p, Seed: seed}
	}
	return []taurusjobtest.Rule{
		r(0.010, 1, taurusjobtest.Latency(100*time.Millisecond)), // slow answers
		r(0.002, 2, taurusjobtest.Latency(3*time.Second)),        // past the 1 s request timeout
		r(0.015, 3, taurusjobtest.ServerError(500)),
		r(0.015, 4, taurusjobtest.ServerError(503)),
		r(0.015, 5, taurusjobtest.GatewayPage(502)),
		r(0.010, 6, taurusjobtest.Throttle(time.Second)),     // Retry-After: 1
		r(0.010, 7, taurusjobtest.ThrottleDate(time.Second)), // Retry-After: an HTTP date
		r(0.010, 8, taurusjobtest.ResetMidBody()),
		r(0.010, 9, taurusjobtest.Truncated()),
		r(0.005, 10, taurusjobtest.WrongJobID("")),
		r(0.005, 11, taurusjobtest.Redirect(other.URL())),
	}
}

// soakTally adds up what the rounds saw.
type soakTally struct {
	rounds, waits, polls, updates int
	faults                        map[string]int
	outcomes                      map[string]int
	pollErrors                    map[string]int
	lags                          []time.Duration
	peakGoroutines                int
	peakHeap                      uint64
	maxGrowth                     int64
	secondHost                    int
}

// TestSoak: 1,000 concurrent waits on the loopback fake API through
// random faults (5xx JSON and HTML, 429 with Retry-After seconds and
// dates, resets mid-body, truncated JSON, wrong job ids, redirects to a
// second server, slow answers and request timeouts). Jobs run 1–3 s; some
// fail, some are canceled, some are invisible for 0.5 s, some pending
// first. Every wait must return its job's true outcome (the fake's
// JobEnd), or else a typed error that explains itself; the second server
// gets no request; no goroutine outlives the round; the live heap is
// bounded during a round and back to its start after it.
//
// It runs one round (a few seconds, under -race too). With -soak=2m or
// TAURUSJOB_SOAK=2m it runs rounds for that long. go test -v shows the
// report line.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	ignore := goleak.IgnoreCurrent()
	total := soakDuration(t)
	settle()
	var first runtime.MemStats
	runtime.ReadMemStats(&first)
	tally := &soakTally{faults: map[string]int{}, outcomes: map[string]int{}, pollErrors: map[string]int{}}
	start := time.Now()
	for round := 0; round == 0 || time.Since(start) < total; round++ {
		soakRound(t, uint64(round), tally)
		if t.Failed() {
			break
		}
	}
	took := time.Since(start)
	goleak.VerifyNone(t, ignore)
	settle()
	var last runtime.MemStats
	runtime.ReadMemStats(&last)
	overall := int64(last.HeapAlloc) - int64(first.HeapAlloc)
	if overall > soakHeapGrowth {
		t.Errorf("after %d rounds the live heap grew by %d bytes; the bound is %d", tally.rounds, overall, soakHeapGrowth)
	}

	faulted := 0
	for _, n := range tally.faults {
		faulted += n
	}
	slices.Sort(tally.lags)
	pct := func(p float64) time.Duration {
		if len(tally.lags) == 0 {
			return 0
		}
		return tally.lags[int(p*float64(len(tally.lags)-1))].Round(time.Millisecond)
	}
	t.Logf("soak: %d rounds, %d waits in %v; %d polls (%.1f a wait), %d progress updates; faults injected on %d polls (%.1f %%): %s; "+
		"outcomes: %s; poll errors seen by the waits: %s; detection lag p50 %v p99 %v max %v; second host got %d requests; "+
		"peak %d goroutines, peak live heap %.1f MiB, largest heap growth after a round %+.1f KiB, after all rounds %+.1f KiB",
		tally.rounds, tally.waits, took.Round(time.Millisecond), tally.polls, float64(tally.polls)/float64(tally.waits), tally.updates,
		faulted, 100*float64(faulted)/float64(max(tally.polls, 1)), counts(tally.faults),
		counts(tally.outcomes), counts(tally.pollErrors), pct(0.5), pct(0.99), pct(1),
		tally.secondHost, tally.peakGoroutines, float64(tally.peakHeap)/(1<<20), float64(tally.maxGrowth)/1024, float64(overall)/1024)
}

// soakRound runs one round of soakWaits waits and adds what it saw to tally.
func soakRound(t *testing.T, seed uint64, tally *soakTally) {
	settle()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	other := taurusjobtest.NewServer()
	srv := taurusjobtest.NewServer(taurusjobtest.WithMaxRecords(-1))
	for _, r := range soakFaults(other) {
		srv.AddRule(r)
	}
	rng := rand.New(rand.NewPCG(seed, 0x50a6))
	ids := make([]string, soakWaits)
	created := time.Now()
	for i := range ids {
		j := taurusjobtest.Job{Created: created, Running: time.Second + time.Duration(rng.Int64N(int64(2*time.Second)))}
		switch p := rng.Float64(); {
		case p < 0.15:
			j.Outcome, j.FailReason = taurusjobtest.Failed, fmt.Sprintf("scripted failure %d", i)
		case p < 0.25:
			j.Outcome = taurusjobtest.Canceled
		}
		if rng.Float64() < 0.2 {
			j.Invisible = 500 * time.Millisecond
		}
		if rng.Float64() < 0.1 {
			j.Pending = 300 * time.Millisecond
		}
		ids[i] = srv.AddJob(j)
	}

	client, err := taurusjob.NewClient(taurusjob.ClientConfig{
		Endpoint: srv.URL(), ProjectID: srv.ProjectID(), Token: srv.Token(),
		RequestTimeout: time.Second, // the default transport, shared, as users get it
	})
	if err != nil {
		t.Fatal(err)
	}
	var updates atomic.Int64
	var errMu sync.Mutex
	pollErrors := map[string]int{}
	doneAt := make(map[string]time.Time, soakWaits) // when each wait returned
	w := mustWaiter(t, client,
		taurusjob.WithInterval(20*time.Millisecond, 200*time.Millisecond),
		taurusjob.WithLatencyBudget(50*time.Millisecond),
		taurusjob.WithConcurrency(soakWaits),
		taurusjob.WithTimeout(30*time.Second),
		taurusjob.WithProgress(func(u taurusjob.Update) {
			updates.Add(1)
			if u.Done {
				errMu.Lock()
				doneAt[u.JobID] = time.Now()
				errMu.Unlock()
			}
			if u.Err != nil && !u.Done {
				k := errKind(u.Err)
				errMu.Lock()
				pollErrors[k]++
				errMu.Unlock()
			}
		}))

	stop := make(chan struct{})
	sampled := make(chan struct{})
	var peakG int
	var peakHeap uint64
	go func() { // samples goroutines and the live heap while the round runs
		defer close(sampled)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				peakG = max(peakG, runtime.NumGoroutine())
				runtime.ReadMemStats(&ms)
				peakHeap = max(peakHeap, ms.HeapAlloc)
			}
		}
	}()
	results := w.WaitAll(context.Background(), ids...)
	close(stop)
	<-sampled

	bad := 0
	for i, r := range results {
		end, outcome, ok := srv.JobEnd(ids[i])
		verdict, why := judge(r, outcome, ok)
		tally.outcomes[verdict]++
		if why != "" {
			if bad++; bad <= 10 {
				t.Errorf("job %s (scripted %s): %s: %v", r.JobID, outcome, why, r.Err)
			}
		}
		if lag := doneAt[r.JobID].Sub(end); ok && strings.HasPrefix(verdict, "true ") {
			tally.lags = append(tally.lags, lag)
		}
	}
	if bad > 10 {
		t.Errorf("... %d waits in all did not return their true outcome or an explained error", bad)
	}
	for _, req := range srv.Requests() {
		if req.Fault != "" {
			tally.faults[req.Fault]++
		}
	}
	polls := srv.TotalRequests()
	tally.secondHost += other.TotalRequests()
	if n := other.TotalRequests(); n != 0 {
		t.Errorf("the second host got %d requests: a redirect was followed", n)
	}
	srv.Close()
	other.Close()
	results, srv, other, w, client = nil, nil, nil, nil, nil

	settle()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	growth := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("round %d: %d polls, live heap %+.1f KiB after the round, peak %.1f MiB, %d goroutines at most",
		seed, polls, float64(growth)/1024, float64(peakHeap)/(1<<20), peakG)
	if growth > soakHeapGrowth {
		t.Errorf("round %d: the live heap grew by %d bytes; the bound is %d", seed, growth, soakHeapGrowth)
	}
	if peakHeap > soakPeakHeap {
		t.Errorf("round %d: the live heap peaked at %d bytes; the bound is %d", seed, peakHeap, soakPeakHeap)
	}
	tally.rounds++
	tally.waits += soakWaits
	tally.polls += polls
	tally.updates += int(updates.Load())
	for k, n := range pollErrors {
		tally.pollErrors[k] += n
	}
	tally.peakGoroutines = max(tally.peakGoroutines, peakG)
	tally.peakHeap = max(tally.peakHeap, peakHeap)
	tally.maxGrowth = max(tally.maxGrowth, growth)
}

// settle collects garbage twice: sync.Pools (net/http's buffers) keep
// their contents through one collection.
func settle() {
	runtime.GC()
	runtime.GC()
}

// judge says whether a wait's result is its job's true outcome, or an
// error that explains itself ("" why), or neither (why says what is wrong).
func judge(r taurusjob.Result, want taurusjobtest.Outcome, known bool) (verdict, why string) {
	var (
		jf *taurusjob.JobFailedError
		te *taurusjob.TimeoutError
		nv *taurusjob.NotVisibleError
		we *taurusjob.WaitError
	)
	switch {
	case !known:
		return "unknown job", "the fake does not know the job"
	case r.Err == nil:
		if r.Job == nil || r.Job.ID != r.JobID || r.Job.Status != taurusjob.StatusCompleted {
			return "wrong", fmt.Sprintf("nil error with job %+v", r.Job)
		}
		if want != taurusjobtest.Completed {
			return "wrong", "reported Completed"
		}
		return "true completed", ""
	case errors.As(r.Err, &jf):
		if jf.Job == nil || r.Job != jf.Job || string(jf.Job.Status) != want.String() || want == taurusjobtest.Completed {
			return "wrong", fmt.Sprintf("reported %v", jf.Job)
		}
		if want == taurusjobtest.Failed && !strings.Contains(r.Err.Error(), "scripted failure") {
			return "wrong", "the fail reason is missing"
		}
		return "true " + strings.ToLower(want.String()), ""
	case errors.As(r.Err, &te):
		if te.LastErr == nil && te.Last == nil {
			return "timeout", "a timeout that knows nothing"
		}
		return "timeout", "" // typed and explained, but counted
	case errors.As(r.Err, &nv):
		return "not visible", ""
	case errors.As(r.Err, &we):
		return "stopped", "a fault was taken as permanent"
	}
	return "untyped", fmt.Sprintf("an untyped error %T", r.Err)
}

// errKind names a poll error for the report.
func errKind(err error) string {
	var (
		ae *taurusjob.APIError
		te *taurusjob.TransportError
		nv *taurusjob.NotVisibleError
	)
	switch {
	case errors.As(err, &ae):
		return fmt.Sprintf("http-%d", ae.StatusCode)
	case errors.As(err, &te) && strings.Contains(te.Error(), "request timeout"):
		return "request-timeout"
	case errors.As(err, &te):
		return "transport"
	case errors.As(err, &nv):
		return "not-visible"
	}
	return fmt.Sprintf("%T", err)
}

// counts prints a map as "a=1 b=2", sorted by key.
func counts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%d", k, m[k])
	}
	return b.String()
}
