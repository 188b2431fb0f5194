package taurusjob

import (
	"context"
	"fmt"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/clip"
	"go.uber.org/zap"
)

// This file is how a Poller tells what happened: the Update it returns,
// the progress and state callbacks, and the log. Every function here is
// called with p.step and p.mu held and releases p.mu: the callbacks run
// after the Poller's state is settled, in order and never concurrently for
// one wait (p.step), and may read the Poller (ResumeToken, Done, Result,
// Deadline), from their goroutine or another. They must not Poll it.

// fill completes u with what the wait knows at now.
func (p *Poller) fill(now time.Time, u *Update) {
	u.JobID = p.jobID
	u.Poll = p.polls
	u.Job = p.last
	u.Progress = -1
	if p.last != nil {
		u.Status = p.last.Status
		u.Progress = p.last.Progress
		if u.Status == StatusCompleted && u.Progress < 0 {
			u.Progress = 100 // the API often drops the percent at the end
		}
	}
	u.Elapsed = p.waited(now)
}

// heldUpdate is the update of a call that sent nothing.
func (p *Poller) heldUpdate(now time.Time, hold Hold, next time.Duration) Update {
	u := Update{Held: hold, Next: max(next, time.Nanosecond)}
	p.fill(now, &u)
	return u
}

// reportHold returns the update of a due poll that the Waiter's quota
// holds, and tells the progress callback and the debug log.
func (p *Poller) reportHold(ctx context.Context, now time.Time, hold Hold, next time.Duration) (Update, error) {
	u := p.heldUpdate(now, hold, next)
	p.mu.Unlock()
	if ce := p.w.cfg.logger.Check(zap.DebugLevel, "poll held"); ce != nil {
		ce.Write(zap.String("job_id", p.jobID), zap.Stringer("by", hold), zap.Duration("next", u.Next))
	}
	p.progress(ctx, u)
	return u, nil
}

// report returns the update of a poll, after the state callback, the
// debug log and the progress callback have seen it.
func (p *Poller) report(ctx context.Context, now time.Time, u Update) (Update, error) {
	p.fill(now, &u)
	token := p.stateToken()
	p.mu.Unlock()
	p.emitState(token)
	p.logPoll(u)
	p.progress(ctx, u)
	return u, nil
}

// logPoll writes the debug line of a poll.
func (p *Poller) logPoll(u Update) {
	ce := p.w.cfg.logger.Check(zap.DebugLevel, "poll")
	if ce == nil {
		return
	}
	fields := []zap.Field{zap.String("job_id", p.jobID), zap.Int("poll", u.Poll),
		zap.String("status", clip.Text(string(u.Status), 128)), zap.Int("progress", u.Progress),
		zap.Duration("next", u.Next)}
	if u.Err != nil {
		fields = append(fields, zap.Error(u.Err))
	}
	ce.Write(fields...)
}

// finish ends the wait with (job, err): every later call returns them. It
// gives back a reserved rate-limit token, and reports and logs the end.
func (p *Poller) finish(ctx context.Context, u Update, job *Job, err error) (Update, error) {
	now := time.Now()
	p.w.quota.release(p.jobID) // a token reserved for this job goes back to the other waits
	u.Done, u.Err, u.Next, u.Held = true, err, 0, 0
	p.fill(now, &u)
	p.end = &ending{update: u, job: job, err: err}
	token := p.stateToken()
	p.mu.Unlock()
	p.emitState(token)
	if u.Polled {
		p.logPoll(u)
	}
	p.logEnd(now, job, err)
	p.progress(ctx, u)
	return u, err
}

// logEnd logs the end of the wait at info level.
func (p *Poller) logEnd(now time.Time, job *Job, err error) {
	ce := p.w.cfg.logger.Check(zap.InfoLevel, "wait ended")
	if ce == nil {
		return
	}
	fields := []zap.Field{
		zap.String("job_id", p.jobID),
		zap.String("outcome", Outcome(job, err)),
		zap.Int("polls", p.polls),
		zap.Duration("elapsed", now.Sub(p.start)),
	}
	if last := p.last; last != nil {
		fields = append(fields, zap.String("status", clip.Text(string(last.Status), 128)))
		if !last.Ended.IsZero() && last.Status.Terminal() {
			if lag := now.Sub(last.Ended); lag >= 0 {
				fields = append(fields, zap.Duration("detection_lag", lag))
			}
		}
	}
	if err != nil {
		fields = append(fields, zap.Error(err))
	}
	ce.Write(fields...)
}

// progress gives u to the update hooks and the progress callback, each
// unless it panicked before in this wait. p.step is held.
func (p *Poller) progress(ctx context.Context, u Update) {
	for i, hook := range p.w.cfg.hooks {
		p.callSafely(mutedHook+i, "update hook", func() { hook(ctx, u) })
	}
	if f := p.w.cfg.progress; f != nil {
		p.callSafely(mutedProgress, "progress callback", func() { f(u) })
	}
}

// The bits of Poller.muted: a callback that panicked is not called again
// for the wait.
const (
	mutedProgress = iota // the progress callback
	mutedState           // the state callback
	mutedHook            // update hook i is bit mutedHook+i
)

// callSafely calls f unless its bit is set in p.muted; if f panics, the
// panic is logged and the bit set. p.step is held.
func (p *Poller) callSafely(bit int, what string, f func()) {
	if p.muted&(1<<bit) != 0 {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			p.muted |= 1 << bit
			p.w.cfg.logger.Error(what+" panicked; it is not called again for this wait",
				zap.String("job_id", p.jobID), zap.String("panic", fmt.Sprint(r)))
		}
	}()
	f()
}

// warnUnusual warns once per wait about a status that may keep it waiting
// long: Unauthorized, or one this package does not know.
func (p *Poller) warnUnusual(s Status) {
	if s.known() && s != StatusUnauthorized {
		return
	}
	if p.warned[s] {
		return
	}
	if p.warned == nil {
		p.warned = map[Status]bool{}
	}
	p.warned[s] = true
	msg := "job has a status taurusjob does not know; waiting on"
	if s == StatusUnauthorized {
		msg = "job is waiting for an authorization; it will not progress until someone grants it"
	}
	p.w.cfg.logger.Warn(msg, zap.String("job_id", p.jobID), zap.String("status", clip.Text(string(s), 128)))
}
