package taurusjob

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// lifecycle is a scripted getter of jobs and instances: the job runs for
// jobFor and then completes, naming instance "inst1in07"; the instance
// passes through steps, each for its duration from when the wait began
// (the last step lasts). A step with status "" answers "not found".
type lifecycle struct {
	mu       sync.Mutex
	start    time.Time
	jobFor   time.Duration
	steps    []instStep
	jobs     int // GetJob calls
	reads    int // GetInstance calls
	noJob    bool
	statuses []string // the statuses GetInstance answered, in order
}

type instStep struct {
	status  string
	actions []string
	d       time.Duration
}

func newLifecycle(jobFor time.Duration, steps ...instStep) *lifecycle {
	return &lifecycle{start: time.Now(), jobFor: jobFor, steps: steps}
}

func (l *lifecycle) GetJob(ctx context.Context, id string) (*Job, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.jobs++
	job := &Job{ID: id, Name: "CreateGaussDBforMySQLInstance", Status: StatusRunning, Progress: -1, Instance: Instance{ID: "inst1in07"},
		Created: l.start} // a created time: the wait learns how long the job took as it moves on to the instance
	if l.noJob {
		job.Instance.ID = ""
	}
	if time.Since(l.start) >= l.jobFor {
		job.Status, job.Progress = StatusCompleted, 100
	}
	return job, nil
}

func (l *lifecycle) GetInstance(ctx context.Context, id string) (*InstanceInfo, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reads++
	at := time.Since(l.start)
	s := l.steps[len(l.steps)-1]
	for _, step := range l.steps {
		if at < step.d {
			s = step
			break
		}
		at -= step.d
	}
	l.statuses = append(l.statuses, s.status)
	if s.status == "" {
		return nil, ErrInstanceNotFound
	}
	return &InstanceInfo{ID: id, Status: s.status, Actions: s.actions}, nil
}

// A job-then-ready wait returns only when the instance has been ready for
// the settle time without a break: TaurusDB's backup right after ACTIVE
// is not taken for ready, and nothing sleeps a fixed time.
func TestWaitReadyAfterJobSkipsTheBackupAfterActive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLifecycle(3*time.Minute,
			instStep{"BUILD", nil, 3*time.Minute + 10*time.Second},
			instStep{"ACTIVE", nil, 30 * time.Second},
			instStep{"BACKING UP", nil, 4 * time.Minute},
			instStep{"ACTIVE", nil, time.Hour})
		w, err := NewWaiter(l, WithReady())
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		job, err := w.Wait(context.Background(), "job1")
		if err != nil || job == nil || job.Status != StatusCompleted {
			t.Fatalf("Wait = %v, %v; want the completed job", job, err)
		}
		readyAt := 3*time.Minute + 10*time.Second + 30*time.Second + 4*time.Minute
		took := time.Since(start)
		if took < readyAt+defaultSettle || took > readyAt+defaultSettle+15*time.Second {
			t.Errorf("ready after %s; want within 15s after the second ACTIVE held %s (at %s)", took, defaultSettle, readyAt+defaultSettle)
		}
		if !contains(l.statuses, "BACKING UP") {
			t.Errorf("the wait never read the backup between two ACTIVEs: %v", l.statuses)
		}
		t.Logf("ready after %s: %d job polls, %d instance reads", took, l.jobs, l.reads)
		if l.reads > 80 {
			t.Errorf("%d instance reads for an 11-minute lifecycle; want at most 80 (the Terraform loop polls every 10-20 s)", l.reads)
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Each failure status ends the wait at once with its status, and says
// whether a person must act.
func TestWaitReadyEndsOnAFailureStatus(t *testing.T) {
	for _, c := range []struct {
		status      string
		needsAction bool
		text        string
	}{
		{"FAILED", false, "will not become ready"},
		{"createfail", false, "will not become ready"},
		{"abnormal", false, "will not become ready"},
		{"FROZEN", true, "settle its bill"},
		{"STORAGE FULL", true, "free space or add storage"},
		{"data_disk_full", true, "free space or add storage"},
	} {
		t.Run(c.status, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := newLifecycle(0, instStep{"BUILD", nil, time.Minute}, instStep{c.status, nil, time.Hour})
				w, _ := NewWaiter(l)
				start := time.Now()
				inst, err := w.WaitReady(context.Background(), "inst1in07")
				var ie *InstanceError
				if !errors.As(err, &ie) || ie.Status != c.status || ie.NeedsAction != c.needsAction || !errors.Is(err, ErrInstanceFailed) {
					t.Fatalf("WaitReady = %v, %v; want an InstanceError for %s (needs action %v)", inst, err, c.status, c.needsAction)
				}
				if !strings.Contains(err.Error(), c.text) || inst == nil || inst.Status != c.status {
					t.Errorf("error %q (instance %v); want it to say %q", err, inst, c.text)
				}
				if d := time.Since(start); d > time.Minute+15*time.Second {
					t.Errorf("noticed after %s; want within 15s of the status", d)
				}
			})
		})
	}
}

// An instance not found yet is waited for within the grace window, then
// the wait ends "not found"; one that was seen and then vanishes ends at
// once ("gone").
func TestWaitReadyNotFound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLifecycle(0, instStep{"", nil, time.Hour})
		w, _ := NewWaiter(l, WithVisibilityGrace(30*time.Second))
		start := time.Now()
		_, err := w.WaitReady(context.Background(), "inst1in07")
		var ie *InstanceError
		if !errors.As(err, &ie) || !ie.NotFound || !errors.Is(err, ErrInstanceNotFound) || !strings.Contains(err.Error(), "not found") {
			t.Fatalf("WaitReady = %v; want not found", err)
		}
		if d := time.Since(start); d < 30*time.Second || d > 35*time.Second {
			t.Errorf("ended after %s; want at the 30s grace end", d)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		l := newLifecycle(0, instStep{"ACTIVE", nil, time.Minute}, instStep{"", nil, time.Hour})
		w, _ := NewWaiter(l, WithVisibilityGrace(time.Hour))
		_, err := w.WaitReady(context.Background(), "inst1in07")
		var ie *InstanceError
		if !errors.As(err, &ie) || !ie.NotFound || ie.Instance == nil || !strings.Contains(err.Error(), "gone") {
			t.Fatalf("WaitReady = %v; want gone, with the instance as last seen", err)
		}
	})
}

// DDS's "normal" with actions under way is not ready; ready for
// connections takes an instance that is backing up.
func TestReadinessByService(t *testing.T) {
	cases := []struct {
		status  string
		actions []string
		conns   bool
		want    readiness
	}{
		{"normal", nil, false, instReady},
		{"normal", []string{"RESTARTING"}, false, instBusy},
		{"ACTIVE", nil, false, instReady},
		{"active", nil, false, instReady},
		{"BACKING UP", nil, false, instBusy},
		{"BACKING UP", nil, true, instReady},
		{"MODIFYING DATABASE PORT", nil, false, instBusy},
		{"REPAIRING", nil, false, instBusy},
		{"SHUTDOWN", nil, false, instUnknown},
		{"enlargefail", nil, false, instFailed},
		{"frozen", nil, false, instNeedsAction},
	}
	for _, c := range cases {
		if got := judge(&InstanceInfo{Status: c.status, Actions: c.actions}, c.conns); got != c.want {
			t.Errorf("judge(%q, %v, connections %v) = %d; want %d", c.status, c.actions, c.conns, got, c.want)
		}
	}
}

// A token taken while the wait reads the instance resumes there: no new
// job poll, the settle kept, the polls counted on.
func TestReadyTokenResumesInTheInstancePhase(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLifecycle(time.Minute, instStep{"ACTIVE", nil, time.Hour})
		w, _ := NewWaiter(l, WithReady(), WithSettle(time.Minute))
		p, _ := w.NewPoller("job1")
		var token string
		for !p.Done() {
			u, _ := p.Poll(context.Background())
			if u.Instance != nil && u.Instance.Status == "ACTIVE" {
				token, _ = p.ResumeToken()
				break
			}
			time.Sleep(u.Next)
		}
		if token == "" {
			t.Fatal("the wait never read the instance")
		}
		jobs, polls := l.jobs, p.st.Polls
		q, err := w.ResumePoller("job1", token)
		if err != nil {
			t.Fatal(err)
		}
		if q.Instance() == nil || q.Instance().Status != "ACTIVE" {
			t.Fatalf("resumed Poller's instance = %v; want the ACTIVE one", q.Instance())
		}
		job, err := drive(context.Background(), q)
		if err != nil || job == nil || l.jobs != jobs {
			t.Fatalf("resumed wait = %v, %v after %d more job polls; want done with no job poll", job, err, l.jobs-jobs)
		}
		if q.st.Polls <= polls {
			t.Errorf("resumed polls %d; want counted on from %d", q.st.Polls, polls)
		}
		if _, err := w.ResumeReadyPoller("inst1in07", token); err == nil {
			t.Error("a job wait's token resumed as an instance wait")
		}
	})
}

// A ready wait's token resumes with ResumeReadyPoller, for that instance only.
func TestReadyPollerToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLifecycle(0, instStep{"BUILD", nil, time.Hour})
		w, _ := NewWaiter(l)
		p, err := w.NewReadyPoller("inst1in07")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
		token, _ := p.ResumeToken()
		q, err := w.ResumeReadyPoller("inst1in07", token)
		if err != nil || q.Instance() == nil || q.Instance().Status != "BUILD" {
			t.Fatalf("ResumeReadyPoller = %v, %v", q, err)
		}
		if _, err := w.ResumeReadyPoller("inst2in07", token); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("another instance's token: %v; want ErrInvalidInput", err)
		}
		if _, err := w.ResumePoller("job1", token); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("an instance wait's token resumed as a job wait: %v", err)
		}
	})
}

// The deadline in the instance phase gives a TimeoutError that names the
// instance and its last status, and keeps the job.
func TestReadyTimeoutSaysTheInstance(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLifecycle(time.Minute, instStep{"MODIFYING", nil, 10 * time.Hour})
		w, _ := NewWaiter(l, WithReady(), WithTimeout(10*time.Minute))
		job, err := w.Wait(context.Background(), "job1")
		var te *TimeoutError
		if !errors.As(err, &te) || te.Instance == nil || te.InstanceID != "inst1in07" || job == nil || job.Status != StatusCompleted {
			t.Fatalf("Wait = %v, %v; want a timeout with the instance and the completed job", job, err)
		}
		if !strings.Contains(err.Error(), `job job1's instance inst1in07`) || !strings.Contains(err.Error(), "last instance status MODIFYING") {
			t.Errorf("error %q; want it to name the job's instance and its status", err)
		}
	})
}

// Bad setups are refused before anything is sent: a getter that reads no
// instances with WithReady, a malformed instance id, a job that names no
// instance.
func TestReadyRefusals(t *testing.T) {
	g := getterFunc(func(ctx context.Context, id string) (*Job, error) { return nil, nil })
	if _, err := NewWaiter(g, WithReady()); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("WithReady on a JobGetter alone: %v; want ErrInvalidInput", err)
	}
	w, _ := NewWaiter(g)
	if _, err := w.WaitReady(context.Background(), "inst1in07"); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("WaitReady on a JobGetter alone: %v; want ErrInvalidInput", err)
	}
	l := newLifecycle(0, instStep{"ACTIVE", nil, time.Hour})
	w, _ = NewWaiter(l)
	for _, id := range []string{"", "*abc", "a b", strings.Repeat("a", 65)} {
		if _, err := w.WaitReady(context.Background(), id); !errors.Is(err, ErrInvalidInput) || l.reads != 0 {
			t.Errorf("WaitReady(%q) = %v after %d reads; want ErrInvalidInput, nothing sent", id, err, l.reads)
		}
	}
	if _, err := NewWaiter(l, WithSettle(-time.Second)); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("WithSettle(-1s): %v", err)
	}
	synctest.Test(t, func(t *testing.T) {
		l := newLifecycle(0, instStep{"ACTIVE", nil, time.Hour})
		l.noJob = true
		w, _ := NewWaiter(l, WithReady())
		job, err := w.Wait(context.Background(), "job1")
		if job == nil || err == nil || !strings.Contains(err.Error(), "names no instance") {
			t.Errorf("Wait = %v, %v; want the job and an error that it names no instance", job, err)
		}
	})
}

// A status no source lists keeps the wait going and is warned about once.
func TestReadyUnknownStatusWarnsOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		core, logs := observer.New(zap.WarnLevel)
		l := newLifecycle(0, instStep{"SHUTDOWN", nil, 5 * time.Minute}, instStep{"ACTIVE", nil, time.Hour})
		w, _ := NewWaiter(l, WithLogger(zap.New(core)), WithSettle(0))
		if _, err := w.WaitReady(context.Background(), "inst1in07"); err != nil {
			t.Fatal(err)
		}
		if n := logs.FilterMessageSnippet("instance has a status").Len(); n != 1 {
			t.Errorf("%d warnings for an unknown status; want 1", n)
		}
	})
}
