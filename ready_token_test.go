package taurusjob

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// A resumed job wait returns its job: a caller of Resume or Wait reads
// job.Status when the error is nil. A token (signed with the public
// default key, as anyone can sign one) that puts a job wait in its
// instance phase without the completed job that leads there, or with
// instance fields no wait sets together, is refused as ErrInvalidInput
// with nothing sent; before, it resumed into a wait that returned
// (nil, nil), or a Running job as a success, once the instance was ready.
func TestForgedInstancePhaseIsRefused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, _ := NewWaiter(newLifecycle(time.Hour), WithSettle(0))
		now := time.Now()
		phase := func(edit func(*waitState)) waitState {
			st := waitState{Start: now, GraceEnd: now.Add(time.Minute), Deadline: now.Add(time.Hour),
				Ready: true, Inst: &instancePhase{ID: "inst1in07", Start: now},
				Seen: &seenJob{Status: StatusCompleted, Progress: 100}}
			edit(&st)
			return st
		}
		if _, err := w.ResumePoller("job-1", forged(phase(func(*waitState) {}))); err != nil {
			t.Fatalf("the token of a real instance phase is refused: %v", err)
		}
		cases := []struct {
			name string
			st   waitState
		}{
			{"no job seen", phase(func(st *waitState) { st.Seen = nil })},
			{"the job still running", phase(func(st *waitState) { st.Seen.Status = StatusRunning })},
			{"the job failed", phase(func(st *waitState) { st.Seen.Status = StatusFailed })},
			{"no WithReady", phase(func(st *waitState) { st.Ready = false })},
			{"an instance id no service gives", phase(func(st *waitState) { st.Inst.ID = "*in07" })},
			{"ready since, never read", phase(func(st *waitState) { st.Inst.ReadySince = now })},
		}
		for _, c := range cases {
			l := newLifecycle(time.Hour, instStep{"ACTIVE", nil, time.Hour})
			w, _ := NewWaiter(l, WithSettle(0))
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			job, err := w.Resume(ctx, "job-1", forged(c.st))
			cancel()
			if !errors.Is(err, ErrInvalidInput) || l.reads+l.jobs != 0 {
				t.Errorf("%s: Resume = %v, %v after %d requests; want ErrInvalidInput, nothing sent", c.name, job, err, l.reads+l.jobs)
			}
		}
		// A wait for an instance alone never sees a job.
		st := phase(func(st *waitState) { st.Ready = false })
		st.JobID = ""
		if _, err := w.ResumeReadyPoller("inst1in07", encodeState(nil, &st)); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("an instance wait's token with a job seen: %v; want ErrInvalidInput", err)
		}
	})
}

// panickyInstances reads jobs as lifecycle does, and panics on instances.
type panickyInstances struct{ *lifecycle }

func (panickyInstances) GetInstance(context.Context, string) (*InstanceInfo, error) {
	panic("nil SDK client")
}

// A getter's panic ends the wait with an error that names the call that
// panicked, so that the user looks at the instance getter (an SDK
// adapter), not at GetJob, which did not.
func TestInstanceGetterPanicIsNamed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, _ := NewWaiter(panickyInstances{newLifecycle(0)})
		_, err := w.WaitReady(context.Background(), "inst1in07")
		if err == nil || !strings.Contains(err.Error(), "GetInstance panicked") {
			t.Errorf("WaitReady = %v; want an error saying GetInstance panicked", err)
		}
	})
}

// forbiddenInstances reads jobs as lifecycle does, and is refused (403)
// every instance.
type forbiddenInstances struct{ *lifecycle }

func (forbiddenInstances) GetInstance(context.Context, string) (*InstanceInfo, error) {
	return nil, &APIError{StatusCode: 403, Code: "DBS.200401", Message: "no permission to read instances"}
}

// A wait that fails reading its instance says which instance: the user
// of "taurusjob ready" (or a log) reads the error alone. It said "wait
// for job  stopped", with no id, for a wait on an instance alone.
func TestInstanceWaitErrorNamesTheInstance(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, _ := NewWaiter(forbiddenInstances{newLifecycle(0)}, WithReady())
		_, err := w.WaitReady(context.Background(), "inst1in07")
		if we, ok := errors.AsType[*WaitError](err); !ok || we.InstanceID != "inst1in07" ||
			!strings.Contains(err.Error(), "wait for instance inst1in07 stopped") {
			t.Errorf("WaitReady = %v; want a *WaitError for instance inst1in07", err)
		}
		_, err = w.Wait(context.Background(), "job1")
		if err == nil || !strings.Contains(err.Error(), "wait for job job1's instance inst1in07 stopped") {
			t.Errorf("Wait = %v; want the error to name the job and its instance", err)
		}
	})
}
