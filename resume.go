package taurusjob

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/clip"
)

// stateConfig is the resume part of a Waiter's config.
type stateConfig struct {
	fn  func(jobID, token string)
	key []byte
}

// OnState calls f after every poll of every wait with the job's id and a
// token that holds the state of that wait: the job id, when the wait
// started, when its visibility grace window and its deadline end (as
// wall-clock times), the polls made, whether the job was seen, its last
// name, status and percent, and what the schedule learned. Save the
// latest token (at most 4096 bytes, with no control characters: a text
// column, an object's status or a file) and give it to [Waiter.Resume] after
// a restart to go on with the same deadline and grace window, and without
// forgetting that the job was seen.
//
// f runs on the waiting goroutine, synchronously, after every poll (the
// last one included) and once when a wait ends between polls (deadline,
// cancel); it is called concurrently for concurrent waits of one Waiter,
// which it tells apart by jobID. A slow f delays the next
// poll. If f panics, the panic is recovered and logged at error level, f is
// not called again for that wait, and the wait goes on.
//
// A token is a short printable string (base64url, no padding, under
// 4096 bytes). It holds no credential and no response body.
func OnState(f func(jobID, token string)) Option {
	return optionFunc(func(c *config) { c.state.fn = f })
}

// ResumePoller rebuilds the Poller of a wait from a token that
// [Poller.ResumeToken] or [OnState] gave, in this process or an earlier
// one. The wait keeps the token's start, grace window end, deadline and
// next-due time (a Poll before it sends nothing), counts polls and the
// backoff on from the token's, and, when the token says the job was seen,
// treats a 404 as a passing fault and reports the saved job (ID, Name,
// Status, Progress and Created only) as the last job until a poll returns
// a new one. The Waiter's [WithTimeout] and [WithVisibilityGrace] do not
// apply: they were applied when the wait started.
//
// Without sending any request, it returns an error matching
// [ErrInvalidInput] when the token is empty, cut, corrupt, edited, of
// another format or version, made with another [WithStateKey], saved for
// another job than jobID, or holds values no real wait could have saved (a
// start in the future, a wait longer than a year, a poll count beyond
// reach). Taking jobID, rather than reading it from the token, makes a
// state mixed up with another job's an error instead of a wait for the
// wrong job. A token whose deadline has passed gives a Poller whose first
// Poll ends the wait with a [*TimeoutError] carrying the saved state.
func (w *Waiter) ResumePoller(jobID, token string) (*Poller, error) {
	if err := ValidateJobID(jobID); err != nil {
		return nil, err
	}
	st, err := decodeState(w.cfg.state.key, token)
	if err != nil {
		return nil, err
	}
	if st.JobID != jobID {
		return nil, invalid("state token", "was saved for job %s, not for job %s", st.JobID, jobID)
	}
	if time.Unix(0, st.Start).After(time.Now().Add(maxClockSkew)) {
		return nil, invalid("state token", "says the wait started in the future")
	}
	p := w.newPoller(jobID)
	p.restore(st)
	return p, nil
}

// Resume continues a wait from a token saved by [OnState] or
// [Poller.ResumeToken]: it is [Waiter.ResumePoller] driven as
// [Waiter.Wait] drives a new Poller, and returns what Wait returns. ctx's
// own deadline still counts when it is earlier than the saved one. A token
// whose deadline has passed gives (the saved job, [*TimeoutError]) at once,
// without a request.
func (w *Waiter) Resume(ctx context.Context, jobID, token string) (*Job, error) {
	p, err := w.ResumePoller(jobID, token)
	if err != nil {
		return nil, err
	}
	return p.wait(ctx)
}

// restore gives a resumed Poller the state a token saved.
func (p *Poller) restore(st *savedWait) {
	p.start = time.Unix(0, st.Start)
	p.graceEnd = time.Unix(0, st.GraceEnd)
	p.deadline = time.Unix(0, st.Deadline)
	p.due = p.start
	if st.Due != 0 {
		p.due = time.Unix(0, st.Due)
	}
	p.polls = st.Polls
	p.lastErr = st.LastErr.restore()
	p.errRun = int32(st.Errs) // at most polls, which the check bounds by 2^30
	if st.Share != nil {
		p.share = float32(*st.Share)
	}
	p.restoreLearned(st.Learned)
	if st.Seen {
		p.last = &Job{ID: st.JobID, Name: st.Name, Status: st.Status, Progress: st.Progress}
		if st.Created != 0 {
			p.last.Created = time.Unix(0, st.Created)
		}
	}
}

// snapshot is the state of the wait as a token saves it. p.mu is held.
// Times are saved as wall-clock instants; the next-due time is computed on
// the monotonic clock, and can land a few nanoseconds past the deadline on
// the wall clock: it is clamped into the wait, where the check wants it.
func (p *Poller) snapshot() *savedWait {
	st := &savedWait{
		JobID:    p.jobID,
		Start:    p.start.UnixNano(),
		GraceEnd: p.graceEnd.UnixNano(),
		Deadline: p.deadline.UnixNano(),
		Due:      max(min(p.due.UnixNano(), p.deadline.UnixNano()), p.start.UnixNano()),
		Polls:    min(p.polls, maxSavedPolls),
		Errs:     min(int(p.errRun), p.polls, maxSavedPolls),
		Progress: -1,
		Learned:  p.learnedJSON(),
		LastErr:  saveErr(p.lastErr),
	}
	if p.share >= 0 {
		// float32 rounds a share just under cooldownSpread up to it, which
		// check refuses: keep the token one the check accepts.
		share := min(float64(p.share), math.Nextafter(cooldownSpread, 0))
		st.Share = &share
	}
	if p.last != nil {
		st.Seen = true
		st.Name = clip.Text(p.last.Name, maxSavedName)
		st.Status = Status(clip.Text(string(p.last.Status), maxSavedStatus))
		st.Progress = p.last.Progress
		if c := p.last.Created; !c.IsZero() && !c.Before(p.start.Add(-jobRetention)) && !c.After(p.deadline.Add(maxClockSkew)) {
			st.Created = c.UnixNano() // the range check accepts
		}
	}
	return st
}

// learnedState is what the schedule learned about a job: the percent
// readings its end prediction rests on, and whether the percent or the
// name's history proved wrong. A resumed wait goes on predicting as the
// first one did. Times are Unix nanoseconds.
type learnedState struct {
	AnchorT    int64 `json:"at,omitempty"`
	AnchorP    int   `json:"ap,omitempty"`
	LastT      int64 `json:"lt,omitempty"`
	LastP      int   `json:"lp,omitempty"`
	Broken     bool  `json:"broken,omitempty"`
	HistBroken bool  `json:"hist_broken,omitempty"`
}

// learnedJSON encodes what the schedule learned, or nil when it learned
// nothing yet.
func (p *Poller) learnedJSON() json.RawMessage {
	pt := p.track
	if pt.anchorT.IsZero() && !pt.broken && !p.histBroken {
		return nil
	}
	ls := learnedState{AnchorP: pt.anchorP, LastP: pt.lastP, Broken: pt.broken, HistBroken: p.histBroken}
	if !pt.anchorT.IsZero() {
		ls.AnchorT, ls.LastT = pt.anchorT.UnixNano(), pt.lastT.UnixNano()
	}
	b, _ := json.Marshal(ls) // plain ints and bools: cannot fail
	return b
}

// restoreLearned takes back what learnedJSON saved. Readings that could not
// have been made (a percent outside 0..100, the last before the first, a
// time outside the wait) are dropped: the wait then predicts from new
// readings only.
func (p *Poller) restoreLearned(raw json.RawMessage) {
	var ls learnedState
	if len(raw) == 0 || json.Unmarshal(raw, &ls) != nil {
		return
	}
	p.histBroken = ls.HistBroken
	p.track.broken = ls.Broken
	if ls.AnchorT == 0 || ls.LastT < ls.AnchorT || ls.AnchorP < 0 || ls.LastP < ls.AnchorP || ls.LastP > 100 {
		return
	}
	if !p.start.IsZero() && (ls.AnchorT < p.start.UnixNano() || ls.LastT > p.deadline.UnixNano()) {
		return
	}
	p.track.anchorT, p.track.anchorP = time.Unix(0, ls.AnchorT), ls.AnchorP
	p.track.lastT, p.track.lastP = time.Unix(0, ls.LastT), ls.LastP
}

// stateToken is the token for the state callback, or "" when there is
// none (or it panicked before). p.mu is held.
func (p *Poller) stateToken() string {
	if p.w.cfg.state.fn == nil {
		return ""
	}
	return encodeState(p.w.cfg.state.key, p.snapshot())
}

// emitState gives a token to the state callback. p.step is held.
func (p *Poller) emitState(token string) {
	if f := p.w.cfg.state.fn; f != nil {
		p.callSafely(mutedState, "state callback", func() { f(p.jobID, token) })
	}
}

// savedWait is the content of a state token. Times are Unix nanoseconds,
// wall clock, so that another process can go on with the same deadline.
type savedWait struct {
	JobID    string `json:"job"`
	Start    int64  `json:"start"`
	GraceEnd int64  `json:"grace_end"`
	Deadline int64  `json:"deadline"`
	Due      int64  `json:"due,omitempty"` // the next poll not before; 0 in tokens of older versions
	Polls    int    `json:"polls"`
	Errs     int    `json:"errs,omitempty"` // failing answers in a row: the backoff's position
	// Share is the due poll's share of a cool-down's spread, once drawn:
	// a Poller held by a cool-down and rebuilt keeps its place in it.
	Share    *float64 `json:"share,omitempty"`
	Created  int64    `json:"created,omitempty"` // the job's created time; 0 when unknown
	Seen     bool     `json:"seen"`
	Name     string   `json:"name,omitempty"`
	Status   Status   `json:"status,omitempty"`
	Progress int      `json:"progress"`
	// Learned is what the schedule learned about this job (learnedState).
	Learned json.RawMessage `json:"learned,omitempty"`
	// LastErr is the last poll error, so that a wait rebuilt from its token
	// still says why it timed out.
	LastErr *savedErr `json:"last_err,omitempty"`
}

// savedErr is a poll error as a token keeps it: an API error's status,
// code and message, or another error's text (a transport error), clipped.
// Both are server text the client has already scrubbed of credentials.
type savedErr struct {
	Status int    `json:"status,omitempty"`
	Code   string `json:"code,omitempty"`
	Text   string `json:"text"`
}

// maxSavedErrText bounds the text of a saved error.
const maxSavedErrText = 256

func saveErr(err error) *savedErr {
	if err == nil {
		return nil
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return &savedErr{Status: ae.StatusCode, Code: clip.Text(ae.Code, 64), Text: clip.Text(ae.Message, maxSavedErrText)}
	}
	return &savedErr{Text: clip.Text(err.Error(), maxSavedErrText)}
}

// restore gives back the error a token saved: an *APIError, or a
// *TransportError holding the text.
func (e *savedErr) restore() error {
	if e == nil {
		return nil
	}
	if e.Status != 0 {
		return &APIError{StatusCode: e.Status, Code: e.Code, Message: e.Text}
	}
	return &TransportError{Err: errors.New(e.Text)}
}

// check refuses a saved error no wait could have saved.
func (e *savedErr) check() error {
	switch {
	case e == nil:
		return nil
	case e.Status != 0 && (e.Status < 100 || e.Status > 599),
		len(e.Code) > 64+32 || len(e.Text) > maxSavedErrText+32 || hasControl(e.Code) || hasControl(e.Text):
		return invalid("state token", "holds a malformed last error")
	}
	return nil
}

// Bounds of what a token may hold.
const (
	maxSavedName   = 256
	maxSavedStatus = 64
	// maxSavedPolls is far above any real wait's polls (a poll a second
	// for 30 years) and far below where a count overflows.
	maxSavedPolls = 1 << 30
)

// check refuses content no wait of this library could have saved.
func (st *savedWait) check() error {
	if err := ValidateJobID(st.JobID); err != nil {
		return invalid("state token", "holds an invalid job id")
	}
	switch {
	case st.Start <= 0 || st.GraceEnd < st.Start || st.Deadline <= st.Start:
		return invalid("state token", "holds impossible times (start, grace end, deadline)")
	case st.Deadline-st.Start > int64(maxTimeout) || st.GraceEnd-st.Start > int64(maxTimeout):
		return invalid("state token", "holds a wait or grace window longer than %s", maxTimeout)
	case st.Due != 0 && (st.Due < st.Start || st.Due > st.Deadline):
		return invalid("state token", "holds a next poll outside the wait")
	case st.Share != nil && !(*st.Share >= 0 && *st.Share < cooldownSpread):
		return invalid("state token", "holds an impossible cool-down share")
	case st.Polls < 0 || st.Polls > maxSavedPolls || st.Errs < 0 || st.Errs > st.Polls:
		return invalid("state token", "holds an impossible poll count")
	case st.Created != 0 && (st.Created < st.Start-int64(jobRetention) || st.Created > st.Deadline+int64(maxClockSkew)):
		return invalid("state token", "holds an impossible job created time")
	case st.Progress < -1 || st.Progress > 100:
		return invalid("state token", "holds progress %d, outside -1..100", st.Progress)
	case len(st.Name) > maxSavedName+32 || hasControl(st.Name) ||
		len(st.Status) > maxSavedStatus+32 || hasControl(string(st.Status)):
		return invalid("state token", "holds a malformed job name or status")
	case st.LastErr.check() != nil:
		return st.LastErr.check()
	case !st.Seen && (st.Name != "" || st.Status != "" || st.Created != 0):
		return invalid("state token", "holds a status for a job it says was never seen")
	}
	return nil
}
