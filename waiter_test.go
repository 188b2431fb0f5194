package taurusjob_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/defaults"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// A completed job is returned with a nil error, and the first poll is made
// at once: callers do not pay a sleep before the first check.
func TestWaitCompleted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(lifecycle(0, 10*time.Second, taurusjob.StatusCompleted))
		job, err := mustWaiter(t, g).Wait(context.Background(), "job-1")
		if err != nil {
			t.Fatalf("Wait: %v", err)
		}
		if job.Status != taurusjob.StatusCompleted || job.ID != "job-1" {
			t.Errorf("job = %+v, want Completed job-1", job)
		}
		polls := g.pollTimes()
		if polls[0] != 0 {
			t.Errorf("first poll at %s, want at once", polls[0])
		}
		if last := polls[len(polls)-1]; last < 10*time.Second || last > 10*time.Second+defaults.MinInterval*4 {
			t.Errorf("completion at 10s noticed at %s", last)
		}
	})
}

// A failed or canceled job returns the job and a *JobFailedError whose
// text carries fail_reason, so the caller learns why without a second call.
func TestWaitFailedAndCanceled(t *testing.T) {
	for _, status := range []taurusjob.Status{taurusjob.StatusFailed, taurusjob.StatusCanceled} {
		t.Run(string(status), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := newScript(lifecycle(0, 5*time.Second, status))
				job, err := mustWaiter(t, g).Wait(context.Background(), "job-1")
				var jf *taurusjob.JobFailedError
				if !errors.As(err, &jf) || !errors.Is(err, taurusjob.ErrJobFailed) {
					t.Fatalf("err = %v, want *JobFailedError matching ErrJobFailed", err)
				}
				if job == nil || job.Status != status || jf.Job != job || taurusjob.LastJob(err) != job {
					t.Errorf("job = %+v; want the %s job in the result, the error and LastJob", job, status)
				}
				if status == taurusjob.StatusFailed && !strings.Contains(err.Error(), "insufficient quota") {
					t.Errorf("error %q lacks the fail_reason", err)
				}
				if got := taurusjob.Outcome(job, err); got != strings.ToLower(string(status)) {
					t.Errorf("Outcome = %q", got)
				}
			})
		})
	}
}

// Errors retrying cannot fix end the wait at the first poll, with the API
// error reachable by errors.As: no retry storm on a missing permission.
func TestWaitPermanentErrorStopsAtOnce(t *testing.T) {
	for _, code := range []int{400, 401, 403} {
		t.Run(fmt.Sprint("HTTP ", code), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := newScript(func(time.Duration) (*taurusjob.Job, error) {
					return nil, &taurusjob.APIError{StatusCode: code, Code: "DBS.280001", RequestID: "req-9"}
				})
				start := time.Now()
				job, err := mustWaiter(t, g).Wait(context.Background(), "job-1")
				var ae *taurusjob.APIError
				if job != nil || !errors.As(err, &ae) || ae.StatusCode != code {
					t.Fatalf("Wait = %v, %v; want the %d *APIError", job, err, code)
				}
				if n := len(g.pollTimes()); n != 1 || time.Since(start) != 0 {
					t.Errorf("%d polls over %s; want 1 poll and no waiting", n, time.Since(start))
				}
				if !strings.Contains(err.Error(), "req-9") {
					t.Errorf("error %q lacks the request id", err)
				}
			})
		})
	}
}

// The deadline ends the wait with a *TimeoutError that keeps the last job,
// the polls made and the time waited, matching context.DeadlineExceeded;
// the wait ends at the deadline, not after a sleep that runs past it.
func TestWaitTimeoutKeepsState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(lifecycle(0, 10*time.Hour, taurusjob.StatusCompleted))
		start := time.Now()
		job, err := mustWaiter(t, g, taurusjob.WithTimeout(10*time.Minute)).Wait(context.Background(), "job-1")
		var te *taurusjob.TimeoutError
		if !errors.As(err, &te) || !errors.Is(err, taurusjob.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v; want *TimeoutError matching ErrTimeout and DeadlineExceeded", err)
		}
		if waited := time.Since(start); waited != 10*time.Minute {
			t.Errorf("Wait returned after %s, want exactly at the 10m deadline", waited)
		}
		polls := g.pollTimes()
		if te.Polls != len(polls) || te.Last == nil || te.Last.Status != taurusjob.StatusRunning || job != te.Last {
			t.Errorf("TimeoutError = %+v with %d polls made; want every poll counted and the last Running job", te, len(polls))
		}
		if last := polls[len(polls)-1]; last < 10*time.Minute-2*time.Second {
			t.Errorf("last poll at %s; the last poll should land just before the deadline", last)
		}
		if !strings.Contains(err.Error(), "Running") {
			t.Errorf("error %q does not say the last status", err)
		}
	})
}

// ctx's own deadline counts when it is earlier than WithTimeout.
func TestWaitHonoursCtxDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(lifecycle(0, 10*time.Hour, taurusjob.StatusCompleted))
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		start := time.Now()
		_, err := mustWaiter(t, g).Wait(ctx, "job-1")
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != 90*time.Second {
			t.Errorf("err = %v after %s; want a timeout at ctx's 90s deadline", err, time.Since(start))
		}
	})
}

// A deadline that falls between polls ends the wait at the deadline.
func TestWaitDeadlineBetweenPolls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(lifecycle(0, 10*time.Hour, taurusjob.StatusCompleted))
		start := time.Now()
		// With a 60 s interval, polls fall at 0, 60 s, ...; 90 s is between them.
		_, err := mustWaiter(t, g, taurusjob.WithInterval(60*time.Second, 60*time.Second),
			taurusjob.WithTimeout(90*time.Second)).Wait(context.Background(), "job-1")
		if !errors.Is(err, taurusjob.ErrTimeout) || time.Since(start) != 90*time.Second {
			t.Fatalf("err = %v after %s; want a timeout at exactly 90s", err, time.Since(start))
		}
		if polls := g.pollTimes(); len(polls) < 2 || polls[len(polls)-1] > 89*time.Second {
			t.Errorf("polls at %v; want a last poll no later than 1s before the deadline", polls)
		}
	})
}

// A cancel in the middle of a sleep returns at once, matching
// context.Canceled, with the last job seen.
func TestWaitCancelMidSleep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(lifecycle(0, 10*time.Hour, taurusjob.StatusCompleted))
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(30*time.Second+123*time.Millisecond, cancel)
		start := time.Now()
		job, err := mustWaiter(t, g).Wait(ctx, "job-1")
		if !errors.Is(err, context.Canceled) || !errors.Is(err, taurusjob.ErrTimeout) {
			t.Fatalf("err = %v; want one matching context.Canceled", err)
		}
		if got := time.Since(start); got != 30*time.Second+123*time.Millisecond {
			t.Errorf("returned %s after start; want at the cancel", got)
		}
		if job == nil || taurusjob.LastJob(err) != job || job.Status != taurusjob.StatusRunning {
			t.Errorf("job = %+v; want the last Running job from the result and LastJob", job)
		}
		if taurusjob.Outcome(job, err) != "interrupted" {
			t.Errorf("Outcome = %q, want interrupted", taurusjob.Outcome(job, err))
		}
	})
}

// A job invisible for its first 8 s (404) is waited for, not failed.
func TestWaitInvisibleAtFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(lifecycle(8*time.Second, time.Minute, taurusjob.StatusCompleted))
		job, err := mustWaiter(t, g).Wait(context.Background(), "job-1")
		if err != nil || job.Status != taurusjob.StatusCompleted {
			t.Fatalf("Wait = %+v, %v; want Completed", job, err)
		}
	})
}

// A job never visible ends with *NotVisibleError right at the end of the
// grace window, not at the timeout an hour later.
func TestWaitNeverVisible(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(lifecycle(100*time.Hour, 200*time.Hour, taurusjob.StatusCompleted))
		start := time.Now()
		job, err := mustWaiter(t, g).Wait(context.Background(), "job-1")
		var nv *taurusjob.NotVisibleError
		if job != nil || !errors.As(err, &nv) || !errors.Is(err, taurusjob.ErrNotVisible) {
			t.Fatalf("Wait = %v, %v; want *NotVisibleError", job, err)
		}
		if got := time.Since(start); got != defaults.VisibilityGrace {
			t.Errorf("gave up after %s, want exactly the %s grace", got, defaults.VisibilityGrace)
		}
		if nv.Polls != len(g.pollTimes()) || nv.LastErr == nil {
			t.Errorf("NotVisibleError = %+v; want polls counted and the last 404 kept", nv)
		}
	})
}

// Once the job was seen, a 404 is a passing fault: the wait goes on.
func TestWait404AfterSeenIsTransient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(func(e time.Duration) (*taurusjob.Job, error) {
			switch {
			case e < 5*time.Second:
				return &taurusjob.Job{Status: taurusjob.StatusRunning, Progress: 10}, nil
			case e < 3*time.Minute: // well past the 60 s grace
				return nil, &taurusjob.APIError{StatusCode: 404}
			}
			return &taurusjob.Job{Status: taurusjob.StatusCompleted, Progress: -1}, nil
		})
		job, err := mustWaiter(t, g).Wait(context.Background(), "job-1")
		if err != nil || job.Status != taurusjob.StatusCompleted {
			t.Fatalf("Wait = %+v, %v; want Completed despite 404s after the job was seen", job, err)
		}
	})
}

// Throttling: under a 429 storm no poll comes before Retry-After has
// elapsed, and the wait completes once the storm passes.
func TestWait429StormHonoursRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(func(e time.Duration) (*taurusjob.Job, error) {
			if e < 2*time.Minute {
				return nil, &taurusjob.APIError{StatusCode: 429, Code: "APIGW.0308", RetryAfter: 20 * time.Second}
			}
			return &taurusjob.Job{Status: taurusjob.StatusCompleted, Progress: -1}, nil
		})
		job, err := mustWaiter(t, g).Wait(context.Background(), "job-1")
		if err != nil || job.Status != taurusjob.StatusCompleted {
			t.Fatalf("Wait = %+v, %v", job, err)
		}
		polls := g.pollTimes()
		for i := 1; i < len(polls); i++ {
			if polls[i-1] < 2*time.Minute && polls[i]-polls[i-1] < 20*time.Second {
				t.Errorf("poll %d came %s after a 429 with Retry-After 20s", i, polls[i]-polls[i-1])
			}
		}
		if len(polls) > 8 {
			t.Errorf("%d polls in a 2-minute storm; Retry-After should hold them to about 7", len(polls))
		}
	})
}

// A hostile Retry-After cannot stall the wait: it is capped by the max
// interval.
func TestWaitRetryAfterCapped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(func(e time.Duration) (*taurusjob.Job, error) {
			if e == 0 {
				return nil, &taurusjob.APIError{StatusCode: 503, RetryAfter: 24 * time.Hour}
			}
			return &taurusjob.Job{Status: taurusjob.StatusCompleted, Progress: -1}, nil
		})
		_, err := mustWaiter(t, g, taurusjob.WithInterval(time.Second, 30*time.Second)).Wait(context.Background(), "job-1")
		if polls := g.pollTimes(); err != nil || polls[1] != 30*time.Second {
			t.Errorf("second poll at %v (err %v); want it at the 30s max interval", polls, err)
		}
	})
}

// Transient errors are retried and the last one is kept in the timeout.
func TestWaitTransientErrorsKeptOnTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(func(time.Duration) (*taurusjob.Job, error) {
			return nil, &taurusjob.APIError{StatusCode: 502, Message: "gateway page: 502 Bad Gateway"}
		})
		_, err := mustWaiter(t, g, taurusjob.WithVisibilityGrace(0), taurusjob.WithTimeout(5*time.Minute)).Wait(context.Background(), "job-1")
		var te *taurusjob.TimeoutError
		var ae *taurusjob.APIError
		if !errors.As(err, &te) || !errors.As(err, &ae) || ae.StatusCode != 502 {
			t.Fatalf("err = %v; want a timeout that carries the last 502", err)
		}
		if !strings.Contains(err.Error(), "502 Bad Gateway") {
			t.Errorf("error %q does not say the last error", err)
		}
	})
}

// Pending keeps the wait going; WithReturnOnPending returns the queued job.
func TestWaitPending(t *testing.T) {
	script := func(e time.Duration) (*taurusjob.Job, error) {
		if e < 10*time.Minute {
			return &taurusjob.Job{Status: taurusjob.StatusPending, Progress: -1}, nil
		}
		return &taurusjob.Job{Status: taurusjob.StatusCompleted, Progress: -1}, nil
	}
	t.Run("waits through Pending", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			job, err := mustWaiter(t, newScript(script)).Wait(context.Background(), "job-1")
			if err != nil || job.Status != taurusjob.StatusCompleted {
				t.Errorf("Wait = %+v, %v; want Completed", job, err)
			}
		})
	})
	t.Run("WithReturnOnPending", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			job, err := mustWaiter(t, newScript(script), taurusjob.WithReturnOnPending()).Wait(context.Background(), "job-1")
			if err != nil || job.Status != taurusjob.StatusPending || time.Since(start) != 0 {
				t.Errorf("Wait = %+v, %v after %s; want the Pending job at once", job, err, time.Since(start))
			}
		})
	})
}

// Unknown and Unauthorized statuses keep the wait going and are logged
// once at warn, so an operator notices without a flood.
func TestWaitUnknownAndUnauthorizedWarnOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(func(e time.Duration) (*taurusjob.Job, error) {
			switch {
			case e < time.Minute:
				return &taurusjob.Job{Status: "Rebooting", Progress: -1}, nil
			case e < 2*time.Minute:
				return &taurusjob.Job{Status: taurusjob.StatusUnauthorized, Progress: -1}, nil
			}
			return &taurusjob.Job{Status: taurusjob.StatusCompleted, Progress: -1}, nil
		})
		core, logs := observer.New(zapcore.WarnLevel)
		job, err := mustWaiter(t, g, taurusjob.WithLogger(zap.New(core))).Wait(context.Background(), "job-1")
		if err != nil || job.Status != taurusjob.StatusCompleted {
			t.Fatalf("Wait = %+v, %v", job, err)
		}
		warns := logs.FilterLevelExact(zapcore.WarnLevel).All()
		if len(warns) != 2 {
			t.Fatalf("%d warnings, want one for Rebooting and one for Unauthorized: %v", len(warns), warns)
		}
		if warns[0].ContextMap()["status"] != "Rebooting" || warns[1].ContextMap()["status"] != "Unauthorized" {
			t.Errorf("warnings = %v", warns)
		}
	})
}

// The progress callback is called after every poll, in order, with what
// changed; the update of the last poll says the wait is done.
func TestWaitProgressUpdates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(lifecycle(3*time.Second, 20*time.Second, taurusjob.StatusCompleted))
		var updates []taurusjob.Update
		_, err := mustWaiter(t, g, taurusjob.WithProgress(func(u taurusjob.Update) {
			updates = append(updates, u)
		})).Wait(context.Background(), "job-1")
		if err != nil {
			t.Fatal(err)
		}
		polls := g.pollTimes()
		if len(updates) != len(polls) {
			t.Fatalf("%d updates for %d polls; want one per poll, the last one Done", len(updates), len(polls))
		}
		first := updates[0]
		if first.Job != nil || first.Status != "" || first.Progress != -1 || first.Poll != 1 || first.Next <= 0 {
			t.Errorf("first update (job not visible) = %+v", first)
		}
		seen := 0
		for i, u := range updates {
			if u.FirstSeen {
				seen++
			}
			if i > 0 && u.Poll < updates[i-1].Poll {
				t.Errorf("update %d goes back in polls", i)
			}
		}
		last := updates[len(updates)-1]
		if seen != 1 || !last.Done || last.Status != taurusjob.StatusCompleted || last.Next != 0 || last.Err != nil {
			t.Errorf("FirstSeen %d times; last update %+v", seen, last)
		}
	})
}

// A panicking progress callback neither crashes the process nor loses the
// result: it is muted for the rest of the wait and the panic is logged.
func TestWaitProgressPanicIsContained(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(lifecycle(0, 20*time.Second, taurusjob.StatusCompleted))
		calls := 0
		core, logs := observer.New(zapcore.ErrorLevel)
		job, err := mustWaiter(t, g, taurusjob.WithLogger(zap.New(core)), taurusjob.WithProgress(func(taurusjob.Update) {
			calls++
			panic("callback bug")
		})).Wait(context.Background(), "job-1")
		if err != nil || job.Status != taurusjob.StatusCompleted {
			t.Fatalf("Wait = %+v, %v; want the job's own result", job, err)
		}
		if calls != 1 || logs.FilterMessageSnippet("panicked").Len() != 1 {
			t.Errorf("callback called %d times, %d panic logs; want 1 and 1", calls, logs.Len())
		}
	})
}

// A JobGetter that panics gives an error, not a crash.
func TestWaitGetterPanicIsContained(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(func(time.Duration) (*taurusjob.Job, error) { panic("nil map") })
		_, err := mustWaiter(t, g).Wait(context.Background(), "job-1")
		if err == nil || !strings.Contains(err.Error(), "panicked") {
			t.Errorf("err = %v; want an error saying GetJob panicked", err)
		}
	})
}

// Logging: debug per poll, one info line at the end with the outcome.
func TestWaitLogs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(lifecycle(0, 20*time.Second, taurusjob.StatusCompleted))
		core, logs := observer.New(zapcore.DebugLevel)
		if _, err := mustWaiter(t, g, taurusjob.WithLogger(zap.New(core))).Wait(context.Background(), "job-1"); err != nil {
			t.Fatal(err)
		}
		if got, want := logs.FilterMessage("poll").Len(), len(g.pollTimes()); got != want {
			t.Errorf("%d debug poll lines for %d polls", got, want)
		}
		end := logs.FilterLevelExact(zapcore.InfoLevel).All()
		if len(end) != 1 || end[0].ContextMap()["outcome"] != "completed" || end[0].ContextMap()["job_id"] != "job-1" {
			t.Errorf("info lines = %v; want one with outcome completed", end)
		}
	})
}

// A 2-hour job: the backoff never gives up (cenkalti's 15-minute default
// would), and polls stay few.
func TestWaitTwoHourJob(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(lifecycle(8*time.Second, 2*time.Hour, taurusjob.StatusCompleted))
		job, err := mustWaiter(t, g, taurusjob.WithTimeout(3*time.Hour)).Wait(context.Background(), "job-1")
		if err != nil || job.Status != taurusjob.StatusCompleted {
			t.Fatalf("Wait = %+v, %v", job, err)
		}
		polls := g.pollTimes()
		if len(polls) > 160 {
			t.Errorf("%d polls for a 2-hour job; want at most 160", len(polls))
		}
		for i := 1; i < len(polls); i++ {
			if gap := polls[i] - polls[i-1]; gap > defaults.MaxInterval {
				t.Errorf("gap of %s between polls, above the max interval", gap)
			}
		}
	})
}

// Bad options are refused by NewWaiter with ErrInvalidInput, not a panic.
func TestNewWaiterValidates(t *testing.T) {
	g := newScript(nil)
	for name, opt := range map[string]taurusjob.Option{
		"zero timeout":     taurusjob.WithTimeout(0),
		"negative grace":   taurusjob.WithVisibilityGrace(-time.Second),
		"min above max":    taurusjob.WithInterval(time.Minute, time.Second),
		"zero min":         taurusjob.WithInterval(0, time.Second),
		"zero concurrency": taurusjob.WithConcurrency(0),
		"timeout of years": taurusjob.WithTimeout(3 * 366 * 24 * time.Hour),
		"grace of years":   taurusjob.WithVisibilityGrace(3 * 366 * 24 * time.Hour),
	} {
		if _, err := taurusjob.NewWaiter(g, opt); !errors.Is(err, taurusjob.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
	if _, err := taurusjob.NewWaiter(nil); !errors.Is(err, taurusjob.ErrInvalidInput) {
		t.Errorf("nil getter: err = %v", err)
	}
	w := mustWaiter(t, g)
	if _, err := w.Wait(context.Background(), "bad/id"); !errors.Is(err, taurusjob.ErrInvalidInput) || len(g.pollTimes()) != 0 {
		t.Errorf("bad id: err = %v after %d polls; want ErrInvalidInput and no poll", err, len(g.pollTimes()))
	}
}

// WaitAll returns every job's own result, in order, for comma-joined ids
// too; a failure does not hide the others; WithConcurrency bounds the
// requests in flight, and every job is waited for from the start.
func TestWaitAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		inFlight, peak := 0, 0
		firstPoll := map[string]time.Duration{}
		start := time.Now()
		getter := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			mu.Lock()
			inFlight++
			peak = max(peak, inFlight)
			if _, ok := firstPoll[id]; !ok {
				firstPoll[id] = time.Since(start)
			}
			mu.Unlock()
			time.Sleep(100 * time.Millisecond) // a request takes time: concurrent ones overlap
			mu.Lock()
			inFlight--
			mu.Unlock()
			e := time.Since(start)
			switch {
			case id == "bad-1":
				return &taurusjob.Job{ID: id, Status: taurusjob.StatusFailed, FailReason: "disk full", Progress: -1}, nil
			case e < time.Duration(len(id))*time.Second:
				return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 50}, nil
			}
			return &taurusjob.Job{ID: id, Status: taurusjob.StatusCompleted, Progress: -1}, nil
		})
		w := mustWaiter(t, getter, taurusjob.WithConcurrency(2))
		results := w.WaitAll(context.Background(), "a-1,bad-1, ccc-1", "dddd-1", "a-1", "")
		wantIDs := []string{"a-1", "bad-1", "ccc-1", "dddd-1", "a-1", ""}
		if len(results) != len(wantIDs) {
			t.Fatalf("%d results, want %d", len(results), len(wantIDs))
		}
		for i, r := range results {
			if r.JobID != wantIDs[i] {
				t.Errorf("result %d is for %q, want %q", i, r.JobID, wantIDs[i])
			}
		}
		for _, i := range []int{0, 2, 3, 4} {
			if results[i].Err != nil || results[i].Job.Status != taurusjob.StatusCompleted {
				t.Errorf("result %d = %+v; want Completed", i, results[i])
			}
		}
		if !errors.Is(results[1].Err, taurusjob.ErrJobFailed) || results[1].Job == nil {
			t.Errorf("bad-1 = %+v; want its failure with the job", results[1])
		}
		if !errors.Is(results[5].Err, taurusjob.ErrInvalidInput) {
			t.Errorf("empty id = %+v; want ErrInvalidInput", results[5])
		}
		if peak != 2 {
			t.Errorf("%d requests in flight at the peak; want WithConcurrency(2)'s 2", peak)
		}
		// Four jobs, two requests at a time of 100 ms each: every job is
		// polled within 200 ms, not after another job ended.
		for id, at := range firstPoll {
			if at > 200*time.Millisecond {
				t.Errorf("job %s first polled after %s; want every job waited for from the start", id, at)
			}
		}
	})
}

// A Poller's deadline is its own and ends it on time in WaitPollers, even
// while every worker is busy (here WithConcurrency(1) and a request that
// hangs): ending a wait at its deadline needs no request, so its final
// update (and its OnState token, its log line) is not held behind another
// Poller's request.
func TestWaitPollersEndsAPollerAtItsDeadlineWhileEveryWorkerIsBusy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var mu sync.Mutex
		ended := map[string]time.Duration{}
		g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			if id == "slow" {
				<-ctx.Done() // a request that hangs until the Poller's deadline
				return nil, &taurusjob.TransportError{Err: ctx.Err()}
			}
			return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 1}, nil
		})
		w := mustWaiter(t, g, taurusjob.WithConcurrency(1), taurusjob.WithTimeout(time.Minute),
			taurusjob.WithProgress(func(u taurusjob.Update) {
				if u.Done {
					mu.Lock()
					ended[u.JobID] = time.Since(start)
					mu.Unlock()
				}
			}))
		fast := mustPoller(t, w, "fast") // deadline at 1 min
		time.Sleep(50 * time.Second)
		slow := mustPoller(t, w, "slow") // deadline at 1 min 50 s
		w.WaitPollers(context.Background(), fast, slow)
		if ended["fast"] != time.Minute {
			t.Errorf("the Poller with a 1 min deadline ended at %s (the other's deadline: %s)", ended["fast"], ended["slow"])
		}
	})
}

// An id given twice is waited for once, and a malformed id gets its error
// in its place: given twice, it gets its own error in both places, not an
// error about a Poller the caller never made.
func TestWaitAllMalformedIDTwiceGetsItsErrorTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := mustWaiter(t, getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			return &taurusjob.Job{ID: id, Status: taurusjob.StatusCompleted}, nil
		}))
		res := w.WaitAll(context.Background(), "a/b", "a/b")
		if len(res) != 2 {
			t.Fatalf("%d results", len(res))
		}
		if res[0].Err == nil || res[1].Err == nil || res[0].Err.Error() != res[1].Err.Error() {
			t.Errorf("results: %v | %v; want the same id error in both places", res[0].Err, res[1].Err)
		}
		if res[1].Err != nil && strings.Contains(res[1].Err.Error(), "poller") {
			t.Errorf("second place says %q: about a Poller the caller never made", res[1].Err)
		}
	})
}

// WaitPollers takes what it is given as it comes: a Poller already done,
// one given twice, nil, one of another Waiter, a zero Poller, and a ctx
// already canceled; each gets its own result, and none is lost.
func TestWaitPollersEdges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			if id == "done" {
				return &taurusjob.Job{ID: id, Status: taurusjob.StatusCompleted}, nil
			}
			return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 2}, nil
		})
		w := mustWaiter(t, g, taurusjob.WithTimeout(time.Minute))
		other := mustWaiter(t, g, taurusjob.WithTimeout(30*time.Second))
		done := mustPoller(t, w, "done")
		done.Poll(context.Background())
		a := mustPoller(t, w, "a")
		f := mustPoller(t, other, "f")
		start := time.Now()
		res := w.WaitPollers(context.Background(), done, a, nil, a, f, &taurusjob.Poller{})
		if time.Since(start) != time.Minute {
			t.Errorf("took %s", time.Since(start))
		}
		if res[0].Err != nil || !errors.Is(res[1].Err, taurusjob.ErrTimeout) || res[1].Err != res[3].Err ||
			!errors.Is(res[2].Err, taurusjob.ErrInvalidInput) || !errors.Is(res[4].Err, taurusjob.ErrTimeout) ||
			!errors.Is(res[5].Err, taurusjob.ErrInvalidInput) {
			t.Errorf("%+v", res)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		b := mustPoller(t, w, "b")
		res = w.WaitPollers(ctx, b)
		if !errors.Is(res[0].Err, context.Canceled) || time.Since(start) != time.Minute {
			t.Errorf("canceled: %+v", res)
		}
		if r := w.WaitAll(context.Background()); len(r) != 0 {
			t.Errorf("0 jobs: %+v", r)
		}
		ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel2()
		c := mustPoller(t, w, "c")
		s2 := time.Now()
		res = w.WaitPollers(ctx2, c)
		if !errors.Is(res[0].Err, context.DeadlineExceeded) || time.Since(s2) != 5*time.Second {
			t.Errorf("earlier ctx deadline: %+v after %s", res, time.Since(s2))
		}
	})
}
