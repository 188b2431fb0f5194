package taurusjob

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"go.uber.org/zap"
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
// latest token (see [WriteStateFile]) and give it to [Waiter.Resume] after
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
// [MaxStateTokenLen] bytes). It holds no credential and no response body.
func OnState(f func(jobID, token string)) Option {
	return optionFunc(func(c *config) { c.state.fn = f })
}

// Resume continues a wait for jobID from a token saved by [OnState], in
// this process or an earlier one. The wait keeps the token's start, grace
// window end and deadline, counts polls on from the token's, and, when the
// token says the job was seen, treats a 404 as a passing fault and
// reports the saved job (ID, Name, Status and Progress only) as the last
// job until a poll returns a new one. The Waiter's [WithTimeout] and
// [WithVisibilityGrace] do not apply: they were applied when the wait
// started. ctx's own deadline still counts when it is earlier.
//
// Resume returns what [Waiter.Wait] returns, and without sending any
// request:
//   - an error matching [ErrInvalidInput] when the token is empty, cut,
//     corrupt, edited, of another format or version, made with another
//     [WithStateKey], or saved for another job than jobID;
//   - (the saved job, [*TimeoutError]) matching [context.DeadlineExceeded]
//     when the saved deadline has already passed.
//
// Taking jobID, rather than reading it from the token, makes a state file
// mixed up with another job's an error instead of a wait for the wrong job.
func (w *Waiter) Resume(ctx context.Context, jobID, token string) (*Job, error) {
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
	ws := w.newWait(jobID)
	ws.resumed = st
	return ws.run(ctx)
}

// restore makes a resumed wait take its state from the token. It runs when
// run starts, after the fresh values are set.
func (ws *wait) restore() {
	st := ws.resumed
	if st == nil {
		return
	}
	ws.start = time.Unix(0, st.Start)
	ws.graceEnd = time.Unix(0, st.GraceEnd)
	ws.deadline = time.Unix(0, st.Deadline)
	ws.polls = st.Polls
	ws.restoreLearned(st.Learned)
	if st.Seen {
		ws.last = &Job{ID: st.JobID, Name: st.Name, Status: st.Status, Progress: st.Progress}
	}
}

// snapshot is the state of the wait as it is saved in a token.
func (ws *wait) snapshot() *savedWait {
	st := &savedWait{
		JobID:    ws.jobID,
		Start:    ws.start.UnixNano(),
		GraceEnd: ws.graceEnd.UnixNano(),
		Deadline: ws.deadline.UnixNano(),
		Polls:    ws.polls,
		Progress: -1,
		Learned:  ws.learnedJSON(),
	}
	if ws.last != nil {
		st.Seen = true
		st.Name = clip(ws.last.Name, maxSavedName)
		st.Status = Status(clip(string(ws.last.Status), maxSavedStatus))
		st.Progress = ws.last.Progress
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
func (ws *wait) learnedJSON() json.RawMessage {
	pt := ws.track
	if pt.anchorT.IsZero() && !pt.broken && !ws.histBroken {
		return nil
	}
	ls := learnedState{AnchorP: pt.anchorP, LastP: pt.lastP, Broken: pt.broken, HistBroken: ws.histBroken}
	if !pt.anchorT.IsZero() {
		ls.AnchorT, ls.LastT = pt.anchorT.UnixNano(), pt.lastT.UnixNano()
	}
	b, _ := json.Marshal(ls) // plain ints and bools: cannot fail
	return b
}

// restoreLearned takes back what learnedJSON saved. Readings that could not
// have been made (a percent outside 0..100, the last before the first) are
// dropped: the wait then predicts from new readings only.
func (ws *wait) restoreLearned(raw json.RawMessage) {
	var ls learnedState
	if len(raw) == 0 || json.Unmarshal(raw, &ls) != nil {
		return
	}
	ws.histBroken = ls.HistBroken
	ws.track.broken = ls.Broken
	if ls.AnchorT == 0 || ls.LastT < ls.AnchorT || ls.AnchorP < 0 || ls.LastP < ls.AnchorP || ls.LastP > 100 {
		return
	}
	ws.track.anchorT, ws.track.anchorP = time.Unix(0, ls.AnchorT), ls.AnchorP
	ws.track.lastT, ws.track.lastP = time.Unix(0, ls.LastT), ls.LastP
}

// emitState gives the state of the wait to the OnState callback.
func (ws *wait) emitState() {
	f := ws.cfg.state.fn
	if f == nil || ws.stateMuted {
		return
	}
	token := encodeState(ws.cfg.state.key, ws.snapshot())
	defer func() {
		if r := recover(); r != nil {
			ws.stateMuted = true
			ws.log.Error("state callback panicked; it is not called again for this wait",
				zap.String("panic", fmt.Sprint(r)))
		}
	}()
	f(ws.jobID, token)
}

// savedWait is the content of a state token. Times are Unix nanoseconds,
// wall clock, so that another process can go on with the same deadline.
type savedWait struct {
	JobID    string `json:"job"`
	Start    int64  `json:"start"`
	GraceEnd int64  `json:"grace_end"`
	Deadline int64  `json:"deadline"`
	Polls    int    `json:"polls"`
	Seen     bool   `json:"seen"`
	Name     string `json:"name,omitempty"`
	Status   Status `json:"status,omitempty"`
	Progress int    `json:"progress"`
	// Learned is what the schedule learned about this job (learnedState).
	Learned json.RawMessage `json:"learned,omitempty"`
}

// Bounds of the strings kept in a token.
const (
	maxSavedName   = 256
	maxSavedStatus = 64
)

// check refuses content no wait of this library could have saved.
func (st *savedWait) check() error {
	if err := ValidateJobID(st.JobID); err != nil {
		return invalid("state token", "holds an invalid job id")
	}
	switch {
	case st.Start <= 0 || st.GraceEnd < st.Start || st.Deadline <= st.Start:
		return invalid("state token", "holds impossible times (start, grace end, deadline)")
	case st.Polls < 0:
		return invalid("state token", "holds a negative poll count")
	case st.Progress < -1 || st.Progress > 100:
		return invalid("state token", "holds progress %d, outside -1..100", st.Progress)
	case len(st.Name) > maxSavedName+32 || hasControl(st.Name) ||
		len(st.Status) > maxSavedStatus+32 || hasControl(string(st.Status)):
		return invalid("state token", "holds a malformed job name or status")
	case !st.Seen && (st.Name != "" || st.Status != ""):
		return invalid("state token", "holds a status for a job it says was never seen")
	}
	return nil
}
