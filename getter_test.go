package taurusjob_test

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// scriptGetter answers each poll from a script of the time since the
// getter was made, and records when each poll came. Use it inside a
// synctest bubble so that time is fake.
type scriptGetter struct {
	mu     sync.Mutex
	start  time.Time
	script func(elapsed time.Duration) (*taurusjob.Job, error)
	polls  []time.Duration
}

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

func (g *scriptGetter) pollTimes() []time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]time.Duration(nil), g.polls...)
}

// lifecycle is a job that is invisible for invisible, then Running with
// linear progress until end, then ends with status final.
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

func asAPIError(err error, target **taurusjob.APIError) bool { return errors.As(err, target) }
