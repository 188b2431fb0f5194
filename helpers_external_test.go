package taurusjob_test

// The helpers of the external tests (package taurusjob_test), each defined
// here once; helpers_test.go holds those of the internal tests.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// testProjectID is a valid project id (the documented example's), for
// tests that build a Client on an API of their own.
const testProjectID = "054e292c9880d4992f02c0196d3ea468"

// getterFunc is a JobGetter made of a function: the function is the whole
// API, so a test decides each answer, can count or block the calls, and
// can panic or fail the test where no request may be sent.
type getterFunc func(ctx context.Context, id string) (*taurusjob.Job, error)

func (f getterFunc) GetJob(ctx context.Context, id string) (*taurusjob.Job, error) { return f(ctx, id) }

// scriptGetter answers each poll from a script of the time since the
// getter was made, and records when each poll came. Use it inside a
// synctest bubble so that time is fake. Tests rely on: start being the
// moment it was made (job ends are measured from it), every call being
// recorded, even one with a done context, which gets ctx.Err() without the
// script being asked, and the job answered carrying the id asked for.
type scriptGetter struct {
	mu     sync.Mutex
	start  time.Time
	script func(elapsed time.Duration) (*taurusjob.Job, error)
	polls  []time.Duration
}

// newScript returns a scriptGetter for script, started now.
func newScript(script func(elapsed time.Duration) (*taurusjob.Job, error)) *scriptGetter {
	return &scriptGetter{start: time.Now(), script: script}
}

func (g *scriptGetter) GetJob(ctx context.Context, id string) (*taurusjob.Job, error) {
	g.mu.Lock()
	elapsed := time.Since(g.start)
	g.polls = append(g.polls, elapsed)
	g.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	job, err := g.script(elapsed)
	if job != nil {
		job.ID = id
	}
	return job, err
}

// pollTimes returns a copy of when each poll came, as offsets from start.
func (g *scriptGetter) pollTimes() []time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]time.Duration(nil), g.polls...)
}

// lifecycle is a job that is invisible for invisible (a 404 DBS.200823),
// then Running with linear progress until end, then ends with status
// final; a Failed job has a fail reason, and an ended one no progress.
func lifecycle(invisible, end time.Duration, final taurusjob.Status) func(time.Duration) (*taurusjob.Job, error) {
	return func(e time.Duration) (*taurusjob.Job, error) {
		switch {
		case e < invisible:
			return nil, &taurusjob.APIError{StatusCode: 404, Code: "DBS.200823", Message: "job not found"}
		case e < end:
			return &taurusjob.Job{Name: "CreateGaussDBforMySQLInstance", Status: taurusjob.StatusRunning,
				Progress: int(100 * e / end)}, nil
		}
		job := &taurusjob.Job{Name: "CreateGaussDBforMySQLInstance", Status: final, Progress: -1}
		if final == taurusjob.StatusFailed {
			job.FailReason = "insufficient quota for flavor gaussdb.mysql.large.x86.4"
		}
		return job, nil
	}
}

// mustWaiter returns a Waiter on g with opts, failing the test if
// NewWaiter refuses them.
func mustWaiter(t *testing.T, g taurusjob.JobGetter, opts ...taurusjob.Option) *taurusjob.Waiter {
	t.Helper()
	w, err := taurusjob.NewWaiter(g, opts...)
	if err != nil {
		t.Fatalf("NewWaiter: %v", err)
	}
	return w
}

// mustPoller starts a Poller for id, failing the test on an error.
func mustPoller(t *testing.T, w *taurusjob.Waiter, id string) *taurusjob.Poller {
	t.Helper()
	p, err := w.NewPoller(id)
	if err != nil {
		t.Fatalf("NewPoller(%q): %v", id, err)
	}
	return p
}

// fakeClient returns a real Client on srv, the fake job API: its endpoint,
// project, token and in-memory HTTP client.
func fakeClient(t *testing.T, srv *taurusjobtest.Server) *taurusjob.Client {
	t.Helper()
	c, err := taurusjob.NewClient(taurusjob.ClientConfig{
		Endpoint: srv.URL(), ProjectID: srv.ProjectID(), Token: srv.Token(), HTTPClient: srv.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fakeAPI is the in-memory fake job API and a real Client on it (see
// fakeClient), closed when the test ends. It keeps no request records
// unless opts ask for them. Use it inside a synctest bubble.
func fakeAPI(t *testing.T, opts ...taurusjobtest.Option) (*taurusjobtest.Server, *taurusjob.Client) {
	t.Helper()
	srv := taurusjobtest.NewInMemory(append([]taurusjobtest.Option{taurusjobtest.WithMaxRecords(0)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv, fakeClient(t, srv)
}

// asAPIError returns err as an *APIError (anywhere in its chain), failing
// the test if it is not one. The internal tests' helper of the same name
// has the same signature.
func asAPIError(t *testing.T, err error) *taurusjob.APIError {
	t.Helper()
	var ae *taurusjob.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	return ae
}

// driveByHand is a caller's own loop over Poll, as a controller's requeue
// would be, sleeping Next between calls.
func driveByHand(p *taurusjob.Poller) (*taurusjob.Job, error) {
	for !p.Done() {
		u, _ := p.Poll(context.Background())
		if !p.Done() {
			time.Sleep(u.Next)
		}
	}
	return p.Result()
}

// rebuiltEachStep waits for id as a controller that keeps nothing but the
// wait's token between its steps: rebuild the Poller from the token, Poll
// once, sleep Next, until the wait is over.
func rebuiltEachStep(t *testing.T, w *taurusjob.Waiter, id string) (*taurusjob.Job, error) {
	t.Helper()
	p := mustPoller(t, w, id)
	for {
		token, err := p.ResumeToken()
		if err != nil {
			t.Fatal(err)
		}
		if p, err = w.ResumePoller(id, token); err != nil {
			t.Fatalf("ResumePoller: %v", err)
		}
		u, _ := p.Poll(context.Background())
		if p.Done() {
			return p.Result()
		}
		time.Sleep(u.Next)
	}
}

// abs returns the size of n, for a difference of poll counts or times
// that may go either way.
func abs(n int) int { return max(n, -n) }

// pollLog records every GetJob call of many concurrent waits, as offsets
// from its creation. Use it inside a synctest bubble.
type pollLog struct {
	mu    sync.Mutex
	start time.Time
	all   []time.Duration
	byID  map[string][]time.Duration
}

func newPollLog() *pollLog {
	return &pollLog{start: time.Now(), byID: map[string][]time.Duration{}}
}

// record notes a poll for id and returns its offset.
func (l *pollLog) record(id string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := time.Since(l.start)
	l.all = append(l.all, e)
	l.byID[id] = append(l.byID[id], e)
	return e
}

func (l *pollLog) times() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.all)
}

func (l *pollLog) of(id string) []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.byID[id])
}

// jobIDs returns n distinct job ids, job-000 on, in order.
func jobIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("job-%03d", i)
	}
	return ids
}

// checkRate fails the test if any window of length win holds more polls
// than the limit allows: rps·win + burst.
func checkRate(t *testing.T, polls []time.Duration, rps float64, burst int, win time.Duration) {
	t.Helper()
	slices.Sort(polls)
	allowed := int(rps*win.Seconds()) + burst
	for i, p := range polls {
		j, _ := slices.BinarySearch(polls, p+win)
		if n := j - i; n > allowed {
			t.Errorf("%d polls in the %s from %s; the limit allows %d", n, win, p, allowed)
			return
		}
	}
}

// linear is a percent that grows like a line from 0 at the start to 100
// at d, for job30m and the ETA tests.
func linear(d time.Duration) func(time.Duration) int {
	return func(e time.Duration) int { return int(100 * e / d) }
}
