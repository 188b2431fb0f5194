package taurusjob_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/defaults"
	"github.com/taurusdb-tools/taurusjob/internal/jobid"
)

// stateRecorder keeps the last token OnState gave for each job.
type stateRecorder struct {
	mu    sync.Mutex
	last  map[string]string
	calls int
}

func newStateRecorder() *stateRecorder { return &stateRecorder{last: map[string]string{}} }

func (r *stateRecorder) save(jobID, token string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.last[jobID] = token
	r.calls++
}

func (r *stateRecorder) token(jobID string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last[jobID]
}

// interruptedWait runs a wait for job-1 on a Waiter with opts until
// cancelAt, as a process that is stopped, and returns the last token saved.
func interruptedWait(t *testing.T, g taurusjob.JobGetter, cancelAt time.Duration, opts ...taurusjob.Option) string {
	t.Helper()
	rec := newStateRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(cancelAt, cancel)
	w := mustWaiter(t, g, append(opts, taurusjob.OnState(rec.save))...)
	if _, err := w.Wait(ctx, "job-1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("first wait: err = %v, want it canceled", err)
	}
	token := rec.token("job-1")
	if token == "" {
		t.Fatal("OnState was never called")
	}
	return token
}

// A resumed wait keeps the grace window of the first one: a job that
// appears only after the window is not visible, as it would not have been
// without the restart.
func TestResumeKeepsGraceWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		g := newScript(lifecycle(90*time.Second, time.Hour, taurusjob.StatusCompleted))
		token := interruptedWait(t, g, 30*time.Second)
		time.Sleep(10 * time.Second) // the restart
		polls := len(g.pollTimes())
		job, err := mustWaiter(t, g).Resume(context.Background(), "job-1", token)
		var nv *taurusjob.NotVisibleError
		if job != nil || !errors.As(err, &nv) {
			t.Fatalf("Resume = %v, %v; want *NotVisibleError at the end of the first wait's grace window", job, err)
		}
		if got := time.Since(start); got != defaults.VisibilityGrace {
			t.Errorf("not visible decided %s after the first wait began; want %s", got, defaults.VisibilityGrace)
		}
		if nv.Polls != len(g.pollTimes()) || nv.Polls <= polls {
			t.Errorf("NotVisibleError.Polls = %d; want every poll of both waits (%d)", nv.Polls, len(g.pollTimes()))
		}
	})
}

// A resumed wait remembers the job was seen: a 404 after the restart,
// past the grace window, is a passing fault, not "not visible". Its
// updates go on from the saved state.
func TestResumeRemembersSeen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(func(e time.Duration) (*taurusjob.Job, error) {
			switch {
			case e < time.Minute:
				return &taurusjob.Job{Name: "CreateGaussDBforMySQLInstance", Status: taurusjob.StatusRunning, Progress: 30}, nil
			case e < 4*time.Minute:
				return nil, &taurusjob.APIError{StatusCode: 404, Code: "DBS.200823"}
			}
			return &taurusjob.Job{Status: taurusjob.StatusCompleted, Progress: -1}, nil
		})
		token := interruptedWait(t, g, 50*time.Second)
		saved := len(g.pollTimes())
		time.Sleep(70 * time.Second) // restarted at 2 min, in the 404s
		var updates []taurusjob.Update
		w := mustWaiter(t, g, taurusjob.WithProgress(func(u taurusjob.Update) { updates = append(updates, u) }))
		job, err := w.Resume(context.Background(), "job-1", token)
		if err != nil || job.Status != taurusjob.StatusCompleted {
			t.Fatalf("Resume = %+v, %v; want Completed: the job was seen before the restart", job, err)
		}
		first := updates[0]
		if first.Poll != saved+1 || first.Job == nil || first.Status != taurusjob.StatusRunning ||
			first.Progress != 30 || first.Job.Name != "CreateGaussDBforMySQLInstance" || first.Err == nil {
			t.Errorf("first update after resume = %+v; want poll %d, the saved Running job at 30%%, and the 404", first, saved+1)
		}
		for _, u := range updates {
			if u.FirstSeen {
				t.Errorf("update %+v says first seen; the job was seen before the restart", u)
			}
		}
	})
}

// A resumed wait ends at the first wait's deadline, not the resuming
// Waiter's WithTimeout counted from the restart.
func TestResumeKeepsDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		g := newScript(lifecycle(0, 10*time.Hour, taurusjob.StatusCompleted))
		token := interruptedWait(t, g, 2*time.Minute, taurusjob.WithTimeout(10*time.Minute))
		time.Sleep(time.Minute)
		job, err := mustWaiter(t, g, taurusjob.WithTimeout(time.Hour)).Resume(context.Background(), "job-1", token)
		var te *taurusjob.TimeoutError
		if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v; want a *TimeoutError at the saved deadline", err)
		}
		if got := time.Since(start); got != 10*time.Minute || te.Waited != 10*time.Minute {
			t.Errorf("timed out %s after the first start (Waited %s); want 10m", got, te.Waited)
		}
		if te.Polls != len(g.pollTimes()) || job == nil || job.Status != taurusjob.StatusRunning {
			t.Errorf("TimeoutError = %+v; want %d polls and the Running job", te, len(g.pollTimes()))
		}
	})
}

// A resume after the saved deadline returns a *TimeoutError at once,
// without a poll, carrying the saved job.
func TestResumeAfterDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(lifecycle(0, 10*time.Hour, taurusjob.StatusCompleted))
		token := interruptedWait(t, g, 2*time.Minute, taurusjob.WithTimeout(10*time.Minute))
		saved := len(g.pollTimes())
		time.Sleep(10 * time.Minute)
		resumed := time.Now()
		job, err := mustWaiter(t, g).Resume(context.Background(), "job-1", token)
		var te *taurusjob.TimeoutError
		if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, taurusjob.ErrTimeout) {
			t.Fatalf("err = %v; want a *TimeoutError matching DeadlineExceeded", err)
		}
		if time.Since(resumed) != 0 || len(g.pollTimes()) != saved {
			t.Errorf("returned after %s and %d new polls; want at once, no poll", time.Since(resumed), len(g.pollTimes())-saved)
		}
		if job == nil || taurusjob.LastJob(err) != job || job.ID != "job-1" || job.Status != taurusjob.StatusRunning ||
			job.Progress != lastProgress(t, g) || te.Polls != saved {
			t.Errorf("job = %+v, TimeoutError = %+v; want the saved Running job and %d polls", job, te, saved)
		}
	})
}

// lastProgress is the percent the script answered at its last poll.
func lastProgress(t *testing.T, g *scriptGetter) int {
	t.Helper()
	polls := g.pollTimes()
	job, _ := g.script(polls[len(polls)-1])
	return job.Progress
}

// A token saved for one job is refused for another, before any request.
func TestResumeOtherJob(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(lifecycle(0, time.Hour, taurusjob.StatusCompleted))
		token := interruptedWait(t, g, time.Minute)
		polls := len(g.pollTimes())
		_, err := mustWaiter(t, g).Resume(context.Background(), "job-2", token)
		if !errors.Is(err, taurusjob.ErrInvalidInput) || !strings.Contains(err.Error(), "job-1") || !strings.Contains(err.Error(), "job-2") {
			t.Errorf("err = %v; want ErrInvalidInput naming both jobs", err)
		}
		if len(g.pollTimes()) != polls {
			t.Error("a request was sent for a token of another job")
		}
	})
}

// Tokens that are not exactly what a wait saved are refused with a clear
// error matching ErrInvalidInput, never resumed, and never quoted.
func TestResumeBadTokens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(lifecycle(0, time.Hour, taurusjob.StatusCompleted))
		token := interruptedWait(t, g, time.Minute)
		keyed := interruptedWait(t, g, time.Minute, taurusjob.WithStateKey([]byte("0123456789abcdef-secret")))
		parts := strings.Split(token, ".")
		if len(parts) != 3 {
			t.Fatalf("token %q: want 3 dot-separated parts", token)
		}
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		var fields map[string]any
		if err := json.Unmarshal(payload, &fields); err != nil {
			t.Fatal(err)
		}
		deadline, err := time.Parse(time.RFC3339Nano, fields["deadline"].(string))
		if err != nil {
			t.Fatal(err)
		}
		fields["deadline"] = deadline.Add(time.Hour) // an hour more
		edited, _ := json.Marshal(fields)
		flip := func(s string, i int) string {
			b := []byte(s)
			if b[i] == 'A' {
				b[i] = 'B'
			} else {
				b[i] = 'A'
			}
			return string(b)
		}

		tests := []struct{ name, token, want string }{
			{"empty", "", "empty"},
			{"blank", " \n", "empty"},
			{"cut in the sum", token[:len(token)-3], "checksum"},
			{"cut in the payload", token[:len(parts[0])+10], "cut short"},
			{"payload byte changed", flip(token, len(parts[0])+12), "checksum"},
			{"sum byte changed", flip(token, len(token)-1), "checksum"},
			{"deadline edited", parts[0] + "." + base64.RawURLEncoding.EncodeToString(edited) + "." + parts[2], "checksum"},
			{"extra part", token + ".x", "malformed"},
			{"newer version", "tjs3" + token[4:], "version 3"},
			{"older version", "tjs1" + token[4:], "older taurusjob"},
			{"another magic", "xyz1" + token[4:], "not a taurusjob"},
			{"a JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "not a taurusjob"},
			{"an IAM token pasted by mistake", "MIIEhQYJKoZIhvcNAQcCoIIEdjCCBHICAQExDTALBglghkgBZQMEAgEwggKX", "not a taurusjob"},
			{"too long", "tjs2." + strings.Repeat("A", jobid.MaxStateTokenLen), "more than"},
			{"made with another key", keyed, "checksum"},
		}
		polls := len(g.pollTimes())
		w := mustWaiter(t, g)
		for _, tt := range tests {
			_, err := w.Resume(context.Background(), "job-1", tt.token)
			if !errors.Is(err, taurusjob.ErrInvalidInput) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: err = %v; want ErrInvalidInput saying %q", tt.name, err, tt.want)
			}
			if err != nil && len(tt.token) > 20 && strings.Contains(err.Error(), tt.token[5:20]) {
				t.Errorf("%s: error %q quotes the token", tt.name, err)
			}
		}
		if len(g.pollTimes()) != polls {
			t.Errorf("%d requests sent for bad tokens; want none", len(g.pollTimes())-polls)
		}
		// The keyed token is good under its own key.
		w = mustWaiter(t, g, taurusjob.WithStateKey([]byte("0123456789abcdef-secret")), taurusjob.WithTimeout(time.Second))
		if _, err := w.Resume(context.Background(), "job-1", keyed); errors.Is(err, taurusjob.ErrInvalidInput) {
			t.Errorf("keyed token refused under its own key: %v", err)
		}
	})
}

// OnState is called after every poll with the job's id and a token of at
// most jobid.MaxStateTokenLen printable bytes; a panic in it is contained.
func TestOnState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newScript(lifecycle(3*time.Second, 30*time.Second, taurusjob.StatusCompleted))
		rec := newStateRecorder()
		w := mustWaiter(t, g, taurusjob.OnState(func(jobID, token string) {
			if jobID != "job-1" || token == "" || len(token) > jobid.MaxStateTokenLen ||
				strings.ContainsFunc(token, func(r rune) bool { return r <= ' ' || r > '~' }) {
				t.Errorf("OnState(%q, %q); want job-1 and a short printable token", jobID, token)
			}
			rec.save(jobID, token)
		}))
		if _, err := w.Wait(context.Background(), "job-1"); err != nil {
			t.Fatal(err)
		}
		if rec.calls != len(g.pollTimes()) {
			t.Errorf("OnState called %d times for %d polls; want once per poll", rec.calls, len(g.pollTimes()))
		}

		calls := 0
		g = newScript(lifecycle(3*time.Second, 30*time.Second, taurusjob.StatusCompleted))
		w = mustWaiter(t, g, taurusjob.OnState(func(string, string) { calls++; panic("disk full") }))
		if job, err := w.Wait(context.Background(), "job-1"); err != nil || job.Status != taurusjob.StatusCompleted || calls != 1 || len(g.pollTimes()) < 3 {
			t.Errorf("Wait = %v, %v with %d calls; want the job's own result and OnState muted after its panic", job, err, calls)
		}
	})
}

// WithStateKey refuses short keys.
func TestWithStateKeyValidates(t *testing.T) {
	if _, err := taurusjob.NewWaiter(newScript(nil), taurusjob.WithStateKey([]byte("short"))); !errors.Is(err, taurusjob.ErrInvalidInput) {
		t.Errorf("err = %v, want ErrInvalidInput", err)
	}
}

// A controller that keeps only the token times out with the same error
// Wait gives: after a run of 502s, both TimeoutErrors say why (LastErr),
// since the token carries the last error.
func TestRebuiltPollerTimesOutWithTheLastError(t *testing.T) {
	script := func(time.Duration) (*taurusjob.Job, error) {
		return nil, &taurusjob.APIError{StatusCode: http.StatusBadGateway, Message: "bad gateway"}
	}
	var waitErr, tokenErr error
	synctest.Test(t, func(t *testing.T) {
		mrand.Seed(3)
		_, waitErr = mustWaiter(t, newScript(script), taurusjob.WithTimeout(10*time.Minute)).
			Wait(context.Background(), "job-1")
	})
	synctest.Test(t, func(t *testing.T) {
		mrand.Seed(3)
		w := mustWaiter(t, newScript(script), taurusjob.WithTimeout(10*time.Minute))
		_, tokenErr = rebuiltEachStep(t, w, "job-1")
	})
	var wt, pt *taurusjob.TimeoutError
	if !errors.As(waitErr, &wt) || !errors.As(tokenErr, &pt) {
		t.Fatalf("Wait: %v; rebuilt: %v; want timeouts", waitErr, tokenErr)
	}
	if fmt.Sprint(wt.LastErr) != fmt.Sprint(pt.LastErr) {
		t.Errorf("LastErr: Wait %v; rebuilt from its token at every step %v", wt.LastErr, pt.LastErr)
	}
}
