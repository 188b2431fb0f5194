package taurusjob

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// A token gives back exactly the state it was made of, times to the
// nanosecond, and the percent's line as it was.
func TestStateTokenRoundTrip(t *testing.T) {
	want := sampleState()
	token := encodeState(nil, want)
	if !strings.HasPrefix(token, "tjs2.") || len(token) > 1024 {
		t.Errorf("token %q: want the tjs2 prefix and under a KiB for a typical wait", token)
	}
	got, err := decodeState(nil, token)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %+v, want %+v", got, want)
	}
}

// The token holds these fields and nothing else: no credential, no body.
// A new field must be added here on purpose.
func TestStateTokenFields(t *testing.T) {
	token := encodeState(nil, sampleState())
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatal(err)
	}
	want := []string{"deadline", "due", "errs", "grace_end", "job", "last_err", "polls", "seen", "share", "start", "track"}
	if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, want) {
		t.Errorf("token fields = %v, want %v", got, want)
	}
}

// A token of taurusjob 0.2 (format 1, another layout) is refused with an
// error that says it comes from an older version: never misread as a state.
func TestStateTokenOfAnOlderVersionIsRefusedAsSuch(t *testing.T) {
	signed := "tjs1." + base64.RawURLEncoding.EncodeToString([]byte(
		`{"job":"job-1","start":1764000000000000000,"grace_end":1764000060000000000,"deadline":1764003600000000000,"polls":3,"seen":false,"progress":-1}`))
	old := signed + "." + stateSum(nil, signed)
	_, err := decodeState(nil, old)
	if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "older taurusjob") {
		t.Errorf("err = %v, want ErrInvalidInput saying the token comes from an older taurusjob", err)
	}
}

// A token with a good checksum but content no wait could have saved (a
// bug, or a forger who knows the public key) is refused, not resumed.
func TestStateTokenContentChecked(t *testing.T) {
	century := 100 * 365 * 24 * time.Hour
	tests := []struct {
		name string
		edit func(*waitState)
	}{
		{"bad job id", func(s *waitState) { s.JobID = "../../etc" }},
		{"empty job id", func(s *waitState) { s.JobID = "" }},
		{"deadline before start", func(s *waitState) { s.Deadline = s.Start.Add(-1) }},
		{"grace end before start", func(s *waitState) { s.GraceEnd = s.Start.Add(-1) }},
		{"zero start", func(s *waitState) { s.Start = time.Time{} }},
		{"negative polls", func(s *waitState) { s.Polls = -1 }},
		{"progress over 100", func(s *waitState) { s.last.Progress = 150 }},
		{"control in status", func(s *waitState) { s.last.Status = "Run\nning" }},
		{"a line for a job never seen", func(s *waitState) { s.last = nil }},
		// Forged with the public key: values no real wait could save.
		{"deadline in 2262", func(s *waitState) { s.Deadline = time.Unix(0, math.MaxInt64) }},
		{"grace window of a century", func(s *waitState) { s.GraceEnd = s.Start.Add(century) }},
		{"poll count of MaxInt32", func(s *waitState) { s.Polls = math.MaxInt32 }},
		{"more errors in a row than polls", func(s *waitState) { s.Errs = int16(s.Polls) + 1 }},
		{"cool-down share out of range", func(s *waitState) { s.Share = 5 }},
		{"job created after the deadline", func(s *waitState) { s.last.Created = s.Deadline.Add(time.Hour) }},
		{"job created a year before", func(s *waitState) { s.last.Created = s.Start.Add(-365 * 24 * time.Hour) }},
		{"last error with an impossible status", func(s *waitState) { s.LastErr.Status = 999 }},
		{"last error with a control character", func(s *waitState) { s.LastErr.Text = "bad\x1b[2J" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := sampleState()
			tt.edit(st)
			if _, err := decodeState(nil, encodeRaw(t, st)); !errors.Is(err, ErrInvalidInput) {
				t.Errorf("err = %v, want ErrInvalidInput", err)
			}
		})
	}
	t.Run("next poll outside the wait", func(t *testing.T) {
		for _, due := range []time.Duration{-time.Second, 2 * time.Hour} {
			st := sampleState()
			st.Due = st.Start.Add(due)
			if _, err := decodeState(nil, encodeRaw(t, st)); !errors.Is(err, ErrInvalidInput) {
				t.Errorf("due at start%+v: err = %v, want ErrInvalidInput", due, err)
			}
		}
	})
	t.Run("unknown field", func(t *testing.T) {
		signed := stateHead() + "." + base64.RawURLEncoding.EncodeToString([]byte(
			`{"job":"j-1","start":"2026-03-01T10:00:00Z","grace_end":"2026-03-01T10:01:00Z","deadline":"2026-03-01T11:00:00Z","due":"2026-03-01T10:00:00Z","share":-1,"token":"x"}`))
		if _, err := decodeState(nil, signed+"."+stateSum(nil, signed)); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("err = %v, want ErrInvalidInput", err)
		}
	})
}

// encodeRaw signs st as it is, without the clamps encodeState applies, as
// a forger who knows the public key would; Seen is the last job's fields.
func encodeRaw(t *testing.T, st *waitState) string {
	t.Helper()
	c := *st
	if j := c.last; j != nil && c.Seen == nil {
		c.Seen = &seenJob{Name: j.Name, Status: j.Status, Progress: j.Progress, Created: j.Created}
	}
	js, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	signed := stateHead() + "." + base64.RawURLEncoding.EncodeToString(js)
	return signed + "." + stateSum(nil, signed)
}

// Readings of the percent that could not have been made (a percent over
// 100, a last reading before the first) are dropped on resume: the wait
// predicts from new readings only, rather than from a forged line.
func TestStateTokenDropsImpossibleReadings(t *testing.T) {
	st := sampleState()
	st.Track.LastP = 140
	got, err := decodeState(nil, encodeRaw(t, st))
	if err != nil {
		t.Fatal(err)
	}
	if *got.Track != (progressTrack{}) {
		t.Errorf("track %+v, want no readings", got.Track)
	}
}

// Server text at its bounds (a name and an error of characters that JSON
// would escape for HTML) keeps the token within what ResumePoller reads.
func TestStateTokenOfHostileTextStaysReadable(t *testing.T) {
	st := sampleState()
	st.last.Name = strings.Repeat("<", maxSavedName)
	st.last.Status = Status(strings.Repeat("&", maxSavedStatus))
	st.LastErr = &savedErr{Status: 500, Code: strings.Repeat(">", 64), Text: strings.Repeat("<", maxSavedErrText)}
	st.lastErr = st.LastErr.restore()
	token := encodeState(nil, st)
	got, err := decodeState(nil, token)
	if err != nil {
		t.Fatalf("a %d-byte token of hostile text is refused: %v", len(token), err)
	}
	if !reflect.DeepEqual(got, st) {
		t.Errorf("decoded %+v, want %+v", got, st)
	}
}

// A token that says its wait started in the future (a forged or damaged
// token: the default key is public) is refused before any request, rather
// than waiting until a deadline a century away or reporting a negative
// time waited.
func TestResumePollerRefusesFutureStart(t *testing.T) {
	w, err := NewWaiter(getterPanics{})
	if err != nil {
		t.Fatal(err)
	}
	st := sampleState()
	start := time.Now().Add(100 * 365 * 24 * time.Hour)
	st.Start, st.GraceEnd, st.Deadline, st.Due = start, start.Add(time.Minute), start.Add(time.Hour), start
	st.last.Created, st.Track = time.Time{}, nil
	if p, err := w.ResumePoller(st.JobID, encodeState(nil, st)); p != nil || !errors.Is(err, ErrInvalidInput) {
		t.Errorf("ResumePoller = %v, %v; want ErrInvalidInput", p, err)
	}
}

// getterPanics fails a test that expected no request.
type getterPanics struct{}

func (getterPanics) GetJob(context.Context, string) (*Job, error) { panic("no request expected") }

// The next poll is scheduled on the monotonic clock and saved on the wall
// clock; a wait that ended at its deadline could save a due time a few
// nanoseconds past it, and its token was then refused on resume (the CLI's
// --state-file exited 2 instead of resuming into a timeout). The saved
// due time stays inside the wait.
func TestTokenKeepsDueInsideTheWait(t *testing.T) {
	w, err := NewWaiter(getterPanics{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.NewPoller("job-1")
	if err != nil {
		t.Fatal(err)
	}
	// Past the deadline on the wall clock, not on the monotonic one, as
	// a due time computed on the monotonic clock can be.
	p.st.Due = time.Unix(0, p.st.Deadline.UnixNano()+3)
	token, _ := p.ResumeToken()
	again, err := w.ResumePoller("job-1", token)
	if err != nil {
		t.Fatalf("ResumePoller of a token saved at the deadline: %v", err)
	}
	if !again.st.Due.Equal(p.st.Deadline.Round(0)) {
		t.Errorf("due %s, want the deadline %s", again.st.Due, p.st.Deadline)
	}
}

func runningGetter() JobGetter {
	return getterFunc(func(_ context.Context, id string) (*Job, error) {
		return &Job{ID: id, Status: StatusRunning, Progress: 1}, nil
	})
}

// A Poller's own token always resumes, whatever it holds at the bounds:
// a controller that keeps only the token is stuck otherwise. A share saved
// just under the cool-down's spread, and a poll count at its bound that one
// more poll passes, both come back.
func TestPollersOwnTokenAlwaysResumes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, _ := NewWaiter(runningGetter())
		now := time.Now()
		for name, st := range map[string]waitState{
			"share near the spread": {Start: now, GraceEnd: now.Add(time.Minute), Deadline: now.Add(time.Hour), Share: 0.19999999999},
			"polls at the bound":    {Start: now, GraceEnd: now.Add(time.Minute), Deadline: now.Add(time.Hour), Polls: maxSavedPolls, Errs: maxErrRun},
		} {
			p, err := w.ResumePoller("job-1", forged(st))
			if err != nil {
				t.Fatalf("%s: ResumePoller of a valid token: %v", name, err)
			}
			if u, err := p.Poll(context.Background()); err != nil || !u.Polled {
				t.Fatalf("%s: Poll: %+v, %v", name, u, err)
			}
			again, _ := p.ResumeToken()
			if _, err := w.ResumePoller("job-1", again); err != nil {
				t.Errorf("%s: the Poller's own token is refused after a poll: %v", name, err)
			}
		}
	})
}

// A token whose start is up to maxClockSkew ahead (another machine's
// clock) is accepted, and its Poller never reports a negative Elapsed.
func TestResumedPollerNeverReportsNegativeElapsed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, _ := NewWaiter(runningGetter())
		start := time.Now().Add(30 * time.Second)
		p, err := w.ResumePoller("job-1", forged(waitState{Start: start, GraceEnd: start.Add(time.Minute), Deadline: start.Add(time.Hour)}))
		if err != nil {
			t.Fatalf("ResumePoller: %v", err)
		}
		if u, _ := p.Poll(context.Background()); u.Elapsed < 0 {
			t.Errorf("Update.Elapsed = %s; a duration of the wait must not be negative", u.Elapsed)
		}
	})
}
