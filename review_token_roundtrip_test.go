package taurusjob

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

func runningGetter() JobGetter {
	return getterFunc(func(_ context.Context, id string) (*Job, error) {
		return &Job{ID: id, Status: StatusRunning, Progress: 1}, nil
	})
}

// A Poller's own token must always resume: a controller that keeps only
// the token is stuck otherwise. The cool-down share is kept as a float32:
// a share drawn (rand.Float64()*0.2) or saved just under 0.2 rounds up to
// float32(0.2) = 0.2000000030, which the token check then refuses as
// "an impossible cool-down share".
func TestReviewTokenWithShareNearSpreadResumesAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, _ := NewWaiter(runningGetter())
		now := time.Now()
		share := 0.19999999999
		tok := forged(savedWait{Start: now.UnixNano(), GraceEnd: now.Add(time.Minute).UnixNano(),
			Deadline: now.Add(time.Hour).UnixNano(), Share: &share, Progress: -1})
		p, err := w.ResumePoller("job-1", tok)
		if err != nil {
			t.Fatalf("ResumePoller of a valid token: %v", err)
		}
		again, _ := p.ResumeToken()
		if _, err := w.ResumePoller("job-1", again); err != nil {
			t.Errorf("the Poller's own token is refused: %v", err)
		}
	})
}

// Same: a token at the poll-count bound resumes, but after one more poll
// the Poller's own token holds maxSavedPolls+1 and is refused.
func TestReviewTokenAtPollBoundResumesAfterAPoll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, _ := NewWaiter(runningGetter())
		now := time.Now()
		tok := forged(savedWait{Start: now.UnixNano(), GraceEnd: now.Add(time.Minute).UnixNano(),
			Deadline: now.Add(time.Hour).UnixNano(), Polls: maxSavedPolls, Errs: maxSavedPolls, Progress: -1})
		p, err := w.ResumePoller("job-1", tok)
		if err != nil {
			t.Fatalf("ResumePoller at the bound: %v", err)
		}
		if u, err := p.Poll(context.Background()); err != nil || !u.Polled {
			t.Fatalf("Poll: %+v, %v", u, err)
		}
		again, _ := p.ResumeToken()
		if _, err := w.ResumePoller("job-1", again); err != nil {
			t.Errorf("the Poller's own token is refused after one poll: %v", err)
		}
	})
}

// A token whose start is up to maxClockSkew ahead (another machine's clock)
// is accepted; the updates of its Poller then report a negative Elapsed,
// and a TimeoutError a negative Waited would follow the same way.
func TestReviewResumedPollerNeverReportsNegativeElapsed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, _ := NewWaiter(runningGetter())
		now := time.Now()
		start := now.Add(30 * time.Second)
		p, err := w.ResumePoller("job-1", forged(savedWait{Start: start.UnixNano(),
			GraceEnd: start.Add(time.Minute).UnixNano(), Deadline: start.Add(time.Hour).UnixNano(), Progress: -1}))
		if err != nil {
			t.Fatalf("ResumePoller: %v", err)
		}
		u, _ := p.Poll(context.Background())
		if u.Elapsed < 0 {
			t.Errorf("Update.Elapsed = %s; a duration of the wait must not be negative", u.Elapsed)
		}
	})
}
