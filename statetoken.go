package taurusjob

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/clip"
	"github.com/taurusdb-tools/taurusjob/internal/jobid"
)

// A state token reads "tjs2.PAYLOAD.SUM": the magic "tjs" and the format
// version, the wait's state (waitState) as base64url JSON, and the first
// 128 bits of an HMAC-SHA256 of "tjs2.PAYLOAD" as base64url. Version 1 was
// written by taurusjob 0.2, with another layout: it is refused with an
// error that says so, never misread.
//
// What the sum protects: with the default key, which is public, it catches
// a token cut short, a flipped byte, a hand edit, a token of another
// program: any of these gives an error, never a wait on wrong values. It
// does not stop someone who means to forge a token and reads this source.
// With [WithStateKey] and a secret key it does: a token can then only be
// made by holders of the key.
const (
	stateMagic   = "tjs"
	stateVersion = 2
	stateSumLen  = 16
)

// minStateKeyLen is the shortest key [WithStateKey] accepts: 128 bits.
const minStateKeyLen = 16

// defaultStateKey keys the sum when no [WithStateKey] is given. It is
// public: it detects accidents, not forgers.
var defaultStateKey = []byte("taurusjob wait state token, v1")

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
// which it tells apart by jobID (the instance's id, for a wait made by
// [Waiter.NewReadyPoller]). A slow f delays the next
// poll. If f panics, the panic is recovered and logged at error level, f is
// not called again for that wait, and the wait goes on.
//
// A token is a short printable string (base64url, no padding, under
// 4096 bytes). It holds no credential and no response body.
func OnState(f func(jobID, token string)) Option {
	return optionFunc(func(c *config) { c.state.fn = f })
}

// WithStateKey authenticates state tokens ([OnState], [Waiter.Resume])
// with HMAC-SHA256 under key, at least 16 bytes. A token
// made under one key is refused under another. Without it a public key is
// used, which detects corrupted and edited tokens but not deliberate
// forgery; use a secret key when tokens are stored where others can write.
// key is copied.
func WithStateKey(key []byte) Option {
	return optionFunc(func(c *config) {
		if len(key) < minStateKeyLen {
			c.fail("WithStateKey: the key is %d bytes; need at least %d", len(key), minStateKeyLen)
			return
		}
		c.state.key = bytes.Clone(key)
	})
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
// another format or version (a token of taurusjob 0.2 included), made with
// another [WithStateKey], saved for another job than jobID, or holds
// values no real wait could have saved (a start in the future, a wait
// longer than a year, a poll count beyond reach). Taking jobID, rather than
// reading it from the token, makes a state mixed up with another job's an
// error instead of a wait for the wrong job. A token whose deadline has
// passed gives a Poller whose first Poll ends the wait with a
// [*TimeoutError] carrying the saved state.
func (w *Waiter) ResumePoller(jobID, token string) (*Poller, error) {
	if err := ValidateJobID(jobID); err != nil {
		return nil, err
	}
	st, err := w.resumable(token)
	if err != nil {
		return nil, err
	}
	if st.JobID != jobID {
		return nil, invalid("state token", "was saved for job %s, not for job %s", cmp.Or(st.JobID, "(none: a wait for an instance)"), jobID)
	}
	return &Poller{w: w, jobID: jobID, st: *st}, nil
}

// ResumeReadyPoller is [Waiter.ResumePoller] for a wait made by
// [Waiter.NewReadyPoller]: the token must be of a wait for that instance.
func (w *Waiter) ResumeReadyPoller(instanceID, token string) (*Poller, error) {
	if err := validateInstanceID(instanceID); err != nil {
		return nil, err
	}
	st, err := w.resumable(token)
	if err != nil {
		return nil, err
	}
	if st.JobID != "" || st.instanceID() != instanceID {
		return nil, invalid("state token", "was not saved by a wait for instance %s", instanceID)
	}
	return &Poller{w: w, st: *st}, nil
}

// resumable decodes a token and checks that this Waiter can go on with it.
func (w *Waiter) resumable(token string) (*waitState, error) {
	st, err := decodeState(w.cfg.state.key, token)
	switch {
	case err != nil:
		return nil, err
	case st.Start.After(time.Now().Add(maxClockSkew)):
		return nil, invalid("state token", "says the wait started in the future")
	case (st.Ready || st.Inst != nil) && w.instances == nil:
		return nil, invalid("state token", "is of a wait for an instance, and the Waiter's getter (%T) has no GetInstance", w.getter)
	}
	return st, nil
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
	return drive(ctx, p)
}

func stateHead() string { return stateMagic + strconv.Itoa(stateVersion) }

func stateSum(key []byte, signed string) string {
	if key == nil {
		key = defaultStateKey
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(signed))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:stateSumLen])
}

// encodeState makes a token of st. Its times are wall-clock instants; the
// next-due time, computed on the monotonic clock, can land a few
// nanoseconds past the deadline on the wall clock, so it is clamped into
// the wait, where the check wants it. HTML is not escaped, so that server
// text within the bounds keeps the token within its size.
func encodeState(key []byte, st *waitState) string {
	t := *st
	// Compared as the token keeps them: on the wall clock.
	t.Start, t.GraceEnd, t.Deadline, t.Due = t.Start.Round(0), t.GraceEnd.Round(0), t.Deadline.Round(0), t.Due.Round(0)
	if t.Due.After(t.Deadline) {
		t.Due = t.Deadline
	}
	if t.Due.Before(t.Start) {
		t.Due = t.Start
	}
	t.Polls = min(t.Polls, maxSavedPolls)
	t.Errs = int16(min(int32(t.Errs), t.Polls)) // the failing run is within the polls
	if j := t.last; j != nil {
		t.Seen = &seenJob{Name: clip.Text(j.Name, maxSavedName), Status: Status(clip.Text(string(j.Status), maxSavedStatus)),
			Progress: j.Progress, Created: j.Created}
		if !createdInWait(j.Created, &t) {
			t.Seen.Created = time.Time{} // out of the range the check accepts: unknown
		}
	}
	if st.Inst != nil {
		ph := *st.Inst // a copy: the live phase keeps its last instance, not a Seen
		ph.Start, ph.ReadySince = ph.Start.Round(0), ph.ReadySince.Round(0)
		if i := ph.last; i != nil {
			ph.Seen = &seenInstance{Name: clip.Text(i.Name, maxSavedName), Status: clip.Text(i.Status, maxSavedStatus)}
			for _, a := range i.Actions[:min(len(i.Actions), maxSavedActions)] {
				ph.Seen.Actions = append(ph.Seen.Actions, clip.Text(a, maxSavedStatus))
			}
		}
		t.Inst = &ph
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(&t) // times, numbers and checked strings: cannot fail
	signed := stateHead() + "." + base64.RawURLEncoding.EncodeToString(bytes.TrimSpace(b.Bytes()))
	return signed + "." + stateSum(key, signed)
}

// decodeState reads a token, checking its format, version, sum and
// content. Every error matches ErrInvalidInput and never quotes the token,
// in case a secret was pasted in its place.
func decodeState(key []byte, token string) (*waitState, error) {
	token = strings.TrimSpace(token)
	switch {
	case token == "":
		return nil, invalid("state token", "is empty")
	case len(token) > jobid.MaxStateTokenLen:
		return nil, invalid("state token", "is %d bytes long, more than %d", len(token), jobid.MaxStateTokenLen)
	}
	parts := strings.Split(token, ".")
	head := parts[0]
	if !strings.HasPrefix(head, stateMagic) {
		return nil, invalid("state token", "is not a taurusjob wait state token")
	}
	if head != stateHead() {
		v := strings.TrimPrefix(head, stateMagic)
		if n, err := strconv.Atoi(v); err != nil || len(v) > 4 {
			return nil, invalid("state token", "is not a taurusjob wait state token")
		} else if n < stateVersion {
			return nil, invalid("state token", "comes from an older taurusjob (format %d; this one reads format %d): start the wait anew with NewPoller", n, stateVersion)
		}
		return nil, invalid("state token", "has format version %s; this taurusjob reads version %d", v, stateVersion)
	}
	if len(parts) != 3 {
		return nil, invalid("state token", "is cut short or malformed: %d dot-separated parts, want 3", len(parts))
	}
	want := stateSum(key, parts[0]+"."+parts[1])
	if !hmac.Equal([]byte(parts[2]), []byte(want)) {
		return nil, invalid("state token", "fails its checksum: it was cut, corrupted or edited, or made with another state key")
	}
	js, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, invalid("state token", "has a corrupt payload")
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	var st waitState
	if err := dec.Decode(&st); err != nil || dec.More() {
		return nil, invalid("state token", "has a payload that is not a wait state")
	}
	if err := st.check(); err != nil {
		return nil, err
	}
	st.rebuild()
	return &st, nil
}

// rebuild makes a decoded state whole: the last job, instance and error
// from what the token kept of them, the percent's line without readings
// that could not have been made.
func (st *waitState) rebuild() {
	st.Track = st.Track.sane(st)
	if s := st.Seen; s != nil {
		st.last = &Job{ID: st.JobID, Name: s.Name, Status: s.Status, Progress: s.Progress, Created: s.Created}
	}
	st.Seen = nil // the state goes on with last
	if ph := st.Inst; ph != nil && ph.Seen != nil {
		ph.last = &InstanceInfo{ID: ph.ID, Name: ph.Seen.Name, Status: ph.Seen.Status, Actions: ph.Seen.Actions}
		ph.Seen = nil
	}
	st.lastErr = st.LastErr.restore()
}

// maxSavedPolls is far above any real wait's polls (a poll a second for
// 30 years) and far below where a count overflows.
const maxSavedPolls = 1 << 30

// check refuses a state no wait of this library could have saved.
func (st *waitState) check() error {
	if (st.JobID != "" || st.Inst == nil) && ValidateJobID(st.JobID) != nil {
		return invalid("state token", "holds an invalid job id")
	}
	bad := func(b bool, why string) error {
		if b {
			return invalid("state token", "holds %s", why)
		}
		return nil
	}
	s := st.Seen
	switch j := st.last; {
	case s == nil && j != nil: // a decoded state: what Seen was is in last
		s = &seenJob{Name: j.Name, Status: j.Status, Progress: j.Progress, Created: j.Created}
	case s == nil:
		s = &seenJob{Progress: -1}
	}
	return errors.Join(
		bad(st.Start.IsZero() || st.GraceEnd.Before(st.Start) || !st.Deadline.After(st.Start), "impossible times (start, grace end, deadline)"),
		bad(st.Deadline.Sub(st.Start) > maxTimeout || st.GraceEnd.Sub(st.Start) > maxTimeout, "a wait or grace window longer than "+maxTimeout.String()),
		bad(st.Due.Before(st.Start) || st.Due.After(st.Deadline), "a next poll outside the wait"),
		bad(st.Share != -1 && !(st.Share >= 0 && st.Share < cooldownSpread), "an impossible cool-down share"),
		bad(st.Polls < 0 || st.Polls > maxSavedPolls || st.Errs < 0 || int32(st.Errs) > st.Polls, "an impossible poll count"),
		bad(!s.Created.IsZero() && !createdInWait(s.Created, st), "an impossible job created time"),
		bad(s.Progress < -1 || s.Progress > 100, "a progress outside -1..100"),
		bad(len(s.Name) > maxSavedName+32 || hasControl(s.Name) || len(s.Status) > maxSavedStatus+32 || hasControl(string(s.Status)),
			"a malformed job name or status"),
		bad(st.Seen == nil && st.last == nil && (st.Track != nil || st.HistBroken), "a prediction for a job it says was never seen"),
		st.LastErr.check(),
		st.checkInstance(s.Status),
		bad(st.Trace != nil && !validTraceparent(*st.Trace), "a malformed trace context"),
	)
}

// createdInWait reports whether a job's created time fits the wait: not
// before the API keeps jobs, nor after the deadline (with clock skew).
func createdInWait(c time.Time, st *waitState) bool {
	return !c.Before(st.Start.Add(-jobRetention)) && !c.After(st.Deadline.Add(maxClockSkew))
}

// sane returns the track without readings that could not have been made
// (a percent outside 0..100, the last before the first, a time outside the
// wait): the wait then predicts from new readings only.
func (pt *progressTrack) sane(st *waitState) *progressTrack {
	if pt == nil || pt.AnchorT.IsZero() {
		return pt
	}
	if pt.LastT.Before(pt.AnchorT) || pt.LastT.Before(pt.ReachedT) || pt.ReachedT.Before(pt.AnchorT) || pt.AnchorP < 0 || pt.LastP < pt.AnchorP || pt.LastP > 100 ||
		pt.AnchorT.Before(st.Start) || pt.LastT.After(st.Deadline) || (!pt.Said.IsZero() && pt.Said.Before(pt.AnchorT)) {
		return &progressTrack{Broken: pt.Broken}
	}
	return pt
}

// savedErr is a poll error as a token keeps it: an API error's status,
// code and message, or another error's text (a transport error), clipped.
// Both are server text the client has already scrubbed of credentials.
type savedErr struct {
	Status int    `json:"status,omitzero"`
	Code   string `json:"code,omitzero"`
	Text   string `json:"text"`
}

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
	switch {
	case e == nil:
		return nil
	case e.Status != 0:
		return &APIError{StatusCode: e.Status, Code: e.Code, Message: e.Text}
	}
	return &TransportError{Err: errors.New(e.Text)}
}

// check refuses a saved error no wait could have saved.
func (e *savedErr) check() error {
	if e != nil && ((e.Status != 0 && (e.Status < 100 || e.Status > 599)) ||
		len(e.Code) > 64+32 || len(e.Text) > maxSavedErrText+32 || hasControl(e.Code) || hasControl(e.Text)) {
		return invalid("state token", "holds a malformed last error")
	}
	return nil
}

// seenJob is what a token keeps of the last job seen, and all a resumed
// wait knows of it: its name (for the history), status, percent and
// created time. Name and Status are clipped, so a token stays small.
type seenJob struct {
	Name     string    `json:"name,omitzero"`
	Status   Status    `json:"status,omitzero"`
	Progress int       `json:"progress"`
	Created  time.Time `json:"created,omitzero"`
}
