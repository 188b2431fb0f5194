package load

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// connCounter counts the server's connections through http.Server.ConnState.
type connCounter struct {
	opened, open, maxOpen atomic.Int64
}

func (c *connCounter) track(_ net.Conn, st http.ConnState) {
	switch st {
	case http.StateNew:
		c.opened.Add(1)
		n := c.open.Add(1)
		for {
			m := c.maxOpen.Load()
			if n <= m || c.maxOpen.CompareAndSwap(m, n) {
				break
			}
		}
	case http.StateClosed, http.StateHijacked:
		c.open.Add(-1)
	}
}

// lineCounter counts the lines the server logs (accept errors such as
// "too many open files").
type lineCounter struct {
	n     atomic.Int64
	mu    sync.Mutex
	first string
}

func (l *lineCounter) Write(p []byte) (int, error) {
	if l.n.Add(1) == 1 {
		l.mu.Lock()
		l.first = string(p)
		l.mu.Unlock()
	}
	return len(p), nil
}

// loadConfig is one load run.
type loadConfig struct {
	waits    int
	inMemory bool                // taurusjobtest's in-memory transport: no sockets at all
	client   func() *http.Client // nil: the Client's own transport (MaxIdleConnsPerHost 64)
	interval [2]time.Duration    // WithInterval
	polls    int                 // polls every wait makes before the jobs complete
}

// loadStats is what one load run measured.
type loadStats struct {
	waits, completed int
	byOutcome        map[string]int
	firstErr         error

	polls        int   // requests the API received
	pollErrors   int64 // polls that ended in an error the waiter retried
	firstPollErr error
	opened       int64 // connections the server accepted
	maxOpen      int64 // most connections open at once (server side)
	serverLogs   int64 // lines the server logged (accept errors)
	firstLog     string

	allAnswered  time.Duration // from the start until every wait had its first answer
	bytesPerWait float64       // heap in use + stacks in use, per wait, all waits in flight
	livePerWait  float64       // live heap (HeapAlloc after a GC) + stacks in use, per wait
	stackPerWait float64       // stacks in use alone, per wait
	laterPolls   int           // polls past the first ones, made before the memory measure
	elapsed      time.Duration
}

// heapAndStacks returns, after a GC, heap in use + stacks in use, live
// heap + stacks in use, and stacks in use alone.
func heapAndStacks() (inuse, live, stacks int64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse), int64(m.HeapAlloc + m.StackInuse), int64(m.StackInuse)
}

// runLoad starts cfg.waits waits at once, each for its own job. The jobs
// run until every wait has made cfg.polls polls, whatever the time that
// takes, and then complete: so every wait is in flight when memory is
// measured (once every wait has had its first answer), and the counts do
// not depend on the machine's speed.
func runLoad(tb testing.TB, cfg loadConfig) loadStats {
	tb.Helper()
	api := taurusjobtest.NewInMemory(taurusjobtest.WithMaxRecords(0))
	defer api.Close()
	var conns connCounter
	var logs lineCounter
	cc := taurusjob.ClientConfig{ProjectID: api.ProjectID(), Token: api.Token()}
	if cfg.inMemory {
		cc.Endpoint, cc.HTTPClient = api.URL(), api.Client()
	} else {
		hs := httptest.NewUnstartedServer(api)
		hs.Config.ConnState = conns.track
		hs.Config.ErrorLog = log.New(&logs, "", 0)
		hs.Start()
		defer hs.Close()
		defer hs.CloseClientConnections()
		cc.Endpoint = hs.URL
		if cfg.client != nil {
			cc.HTTPClient = cfg.client()
		}
	}
	client, err := taurusjob.NewClient(cc)
	if err != nil {
		tb.Fatal(err)
	}

	var answered, polled, pollErrors atomic.Int64
	var firstPollErr atomic.Pointer[error]
	allAnswered, allPolled := make(chan struct{}), make(chan struct{})
	w, err := taurusjob.NewWaiter(client,
		taurusjob.WithInterval(cfg.interval[0], cfg.interval[1]),
		taurusjob.WithTimeout(5*time.Minute),
		taurusjob.WithProgress(func(u taurusjob.Update) {
			if u.Err != nil && !u.Done {
				pollErrors.Add(1)
				firstPollErr.CompareAndSwap(nil, &u.Err)
			}
			if u.Poll == 1 && answered.Add(1) == int64(cfg.waits) {
				close(allAnswered)
			}
			if u.Poll == cfg.polls && polled.Add(1) == int64(cfg.waits) {
				close(allPolled)
			}
		}))
	if err != nil {
		tb.Fatal(err)
	}

	ids := make([]string, cfg.waits)
	for i := range ids {
		ids[i] = api.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever, Profile: taurusjobtest.NoProgress})
	}
	baseInuse, baseLive, baseStacks := heapAndStacks()
	start := time.Now()
	type result struct {
		job *taurusjob.Job
		err error
	}
	results := make([]result, cfg.waits)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			job, err := w.Wait(context.Background(), id)
			results[i] = result{job, err}
		}()
	}
	st := loadStats{waits: cfg.waits, byOutcome: map[string]int{}}
	timeout := time.After(60 * time.Second)
	select {
	case <-allAnswered:
		st.allAnswered = time.Since(start)
		st.laterPolls = api.TotalRequests() - cfg.waits
		inuse, live, stacks := heapAndStacks()
		st.bytesPerWait = float64(inuse-baseInuse) / float64(cfg.waits)
		st.livePerWait = float64(live-baseLive) / float64(cfg.waits)
		st.stackPerWait = float64(stacks-baseStacks) / float64(cfg.waits)
	case <-timeout:
		tb.Errorf("after 60 s only %d of %d waits had a first answer", answered.Load(), cfg.waits)
	}
	select {
	case <-allPolled:
	case <-timeout:
		tb.Errorf("after 60 s only %d of %d waits had made %d polls", polled.Load(), cfg.waits, cfg.polls)
	}
	for _, id := range ids {
		api.AddJob(taurusjobtest.Job{ID: id}) // no phase: Completed from now on
	}
	wg.Wait()
	st.elapsed = time.Since(start)

	for _, r := range results {
		o := taurusjob.Outcome(r.job, r.err)
		st.byOutcome[o]++
		if o == "completed" {
			st.completed++
		} else if st.firstErr == nil {
			st.firstErr = r.err
		}
	}
	st.polls = api.TotalRequests()
	st.pollErrors = pollErrors.Load()
	if e := firstPollErr.Load(); e != nil {
		st.firstPollErr = *e
	}
	st.opened, st.maxOpen = conns.opened.Load(), conns.maxOpen.Load()
	st.serverLogs, st.firstLog = logs.n.Load(), logs.first
	return st
}

func (s loadStats) String() string {
	return fmt.Sprintf("%d waits in %s: %v; every wait had its first answer after %s; %d polls (%.1f per wait), "+
		"%d retried poll errors; %d connections opened, at most %d open; %d server log lines; "+
		"%.0f B in use (%.0f B live, %.0f B of stacks) per wait in flight, measured after %d polls past the first ones",
		s.waits, s.elapsed.Round(time.Millisecond), s.byOutcome, s.allAnswered.Round(time.Millisecond), s.polls,
		float64(s.polls)/float64(s.waits), s.pollErrors, s.opened, s.maxOpen, s.serverLogs, s.bytesPerWait, s.livePerWait, s.stackPerWait, s.laterPolls)
}

// canned is a RoundTripper that answers every request with the same body,
// without a server: it isolates the client's own CPU.
type canned struct{ body []byte }

func (c canned) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"canned"}},
		Body:          io.NopCloser(bytes.NewReader(c.body)),
		ContentLength: int64(len(c.body)),
		Request:       r,
	}, nil
}
