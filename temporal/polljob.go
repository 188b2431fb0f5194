package taurustemporal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/taurusdb-tools/taurusjob"
)

// maxHeldWait is the longest PollJob waits inside an attempt for a poll that
// is not due yet or that the Waiter's quota holds (its 429 cool-down is
// 5 s), rather than spending another attempt. A retry comes early when the
// server's clock and the worker's disagree, or when the test environment
// fast-forwards its timers.
const maxHeldWait = 10 * time.Second

// PollJob polls a job once per attempt (Temporal's infrequent polling), so
// that a long job holds no worker slot between polls. While the job runs, it
// records the wait's resume token as heartbeat details and fails retryably
// with the type [TypeNotDone], a [Result] as details, and a next retry delay
// ([temporal.ApplicationErrorOptions].NextRetryDelay) of the Waiter's next
// poll time ([taurusjob.Update.Next]); the next attempt resumes from that
// token, with the same deadline and grace window, the polls counted on and
// the backoff where it was. Its endings are those of [Activities.WaitForJob].
//
// Call it with a retry policy that lets it retry for as long as the job may
// run: MaximumAttempts 0 (no limit), a ScheduleToCloseTimeout (which bounds
// all attempts) of at least the job's longest run, and no [TypeNotDone] in
// NonRetryableErrorTypes. The server then schedules each attempt at the
// delay the Waiter asked for (this needs Temporal Server 1.24.2 or later;
// an older one ignores the delay and applies the retry policy's backoff).
func (a *Activities) PollJob(ctx context.Context, in WaitInput) (Result, error) {
	// No heartbeat before the poll, unlike WaitForJob: an attempt lasts a
	// request, and its one heartbeat must be the first of the SDK's
	// throttle interval, which the SDK sends at once. A second one inside
	// the interval is held back, and when the interval ends as the attempt
	// does, the SDK can send it after it reported the attempt, too late to
	// count (seen on the dev server: the next attempt resumed a poll short).
	p, _, err := a.poller(ctx, in.JobID)
	if err != nil {
		return Result{}, err
	}
	info := activity.GetInfo(ctx)
	every := heartbeatEvery(info.HeartbeatTimeout)
	stop := activity.GetWorkerStopChannel(ctx)
	for {
		u, err := p.Poll(ctx)
		switch {
		case p.Done():
			return ending(p, u)
		case err != nil:
			return Result{}, interrupted(ctx, p, u)
		case !u.Polled && u.Next <= holdBound(info.Deadline):
			due := time.Now().Add(u.Next)
			switch err := sleep(ctx, stop, u.Next, every, func() { heartbeat(ctx, p, u) }); {
			case errors.Is(err, errWorkerStopping):
				// Nothing to hand on: come back when the poll is due, as
				// between any two polls.
				u.Next = max(time.Until(due), time.Millisecond)
				return Result{}, notDone(p, u)
			case err != nil:
				return Result{}, interrupted(ctx, p, u)
			}
			continue
		}
		heartbeat(ctx, p, u)
		return Result{}, notDone(p, u)
	}
}

// holdBound is the longest an attempt may wait for a held poll: maxHeldWait,
// and half the time left before the attempt's deadline.
func holdBound(deadline time.Time) time.Duration {
	if deadline.IsZero() {
		return maxHeldWait
	}
	return min(maxHeldWait, time.Until(deadline)/2)
}

// notDone is PollJob's "come back later": retryable, benign (it is the
// normal course of a wait, not a failure to alert on), and due again when
// the Waiter's schedule says.
func notDone(p *taurusjob.Poller, u taurusjob.Update) error {
	r := newResult(TypeNotDone, p.JobID(), u.Job, nil, u)
	status := r.Status
	if status == "" {
		status = "not visible yet"
	}
	return temporal.NewApplicationErrorWithOptions(
		fmt.Sprintf("taurustemporal: job %s is %s after %d polls; next poll in %s", p.JobID(), status, u.Poll, u.Next),
		TypeNotDone,
		temporal.ApplicationErrorOptions{
			NextRetryDelay: u.Next,
			Details:        []any{r},
			Category:       temporal.ApplicationErrorCategoryBenign,
		})
}
