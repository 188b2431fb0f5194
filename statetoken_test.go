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
	"time"
)

// A token gives back exactly the state it was made of, times to the
// nanosecond, and what the schedule learned verbatim.
func TestStateTokenRoundTrip(t *testing.T) {
	want := sampleState()
	token := encodeState(nil, want)
	if !strings.HasPrefix(token, "tjs1.") || len(token) > 1024 {
		t.Errorf("token %q: want the tjs1 prefix and under a KiB for a typical wait", token)
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
	want := []string{"created", "deadline", "due", "errs", "grace_end", "job", "last_err", "learned", "name", "polls",
		"progress", "seen", "share", "start", "status"}
	if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, want) {
		t.Errorf("token fields = %v, want %v", got, want)
	}
}

// A token with a good checksum but content no wait could have saved (a
// bug, or a forger who knows the public key) is refused, not resumed.
func TestStateTokenContentChecked(t *testing.T) {
	tests := []struct {
		name string
		edit func(*savedWait)
	}{
		{"bad job id", func(s *savedWait) { s.JobID = "../../etc" }},
		{"empty job id", func(s *savedWait) { s.JobID = "" }},
		{"deadline before start", func(s *savedWait) { s.Deadline = s.Start - 1 }},
		{"grace end before start", func(s *savedWait) { s.GraceEnd = s.Start - 1 }},
		{"zero start", func(s *savedWait) { s.Start = 0 }},
		{"negative polls", func(s *savedWait) { s.Polls = -1 }},
		{"progress over 100", func(s *savedWait) { s.Progress = 150 }},
		{"control in status", func(s *savedWait) { s.Status = "Run\nning" }},
		{"status never seen", func(s *savedWait) { s.Seen = false }},
		// Forged with the public key: values no real wait could save.
		{"deadline in 2262", func(s *savedWait) { s.Deadline = math.MaxInt64 }},
		{"grace window of a century", func(s *savedWait) { s.GraceEnd = s.Start + int64(100*365*24*time.Hour) }},
		{"poll count of MaxInt", func(s *savedWait) { s.Polls = math.MaxInt }},
		{"more errors in a row than polls", func(s *savedWait) { s.Errs = s.Polls + 1 }},
		{"next poll after the deadline", func(s *savedWait) { s.Due = s.Deadline + 1 }},
		{"next poll before the start", func(s *savedWait) { s.Due = s.Start - 1 }},
		{"cool-down share out of range", func(s *savedWait) { s.Share = new(5.0) }},
		{"job created after the deadline", func(s *savedWait) { s.Created = s.Deadline + int64(time.Hour) }},
		{"job created a year before", func(s *savedWait) { s.Created = s.Start - int64(365*24*time.Hour) }},
		{"last error with an impossible status", func(s *savedWait) { s.LastErr.Status = 999 }},
		{"last error with a control character", func(s *savedWait) { s.LastErr.Text = "bad\x1b[2J" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := sampleState()
			tt.edit(st)
			if _, err := decodeState(nil, encodeState(nil, st)); !errors.Is(err, ErrInvalidInput) {
				t.Errorf("err = %v, want ErrInvalidInput", err)
			}
		})
	}
	t.Run("unknown field", func(t *testing.T) {
		signed := stateHead() + "." + base64.RawURLEncoding.EncodeToString([]byte(
			`{"job":"j-1","start":1,"grace_end":2,"deadline":3,"polls":0,"seen":false,"progress":-1,"token":"x"}`))
		if _, err := decodeState(nil, signed+"."+stateSum(nil, signed)); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("err = %v, want ErrInvalidInput", err)
		}
	})
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
	st.Start, st.GraceEnd, st.Deadline = start.UnixNano(), start.Add(time.Minute).UnixNano(), start.Add(time.Hour).UnixNano()
	st.Due, st.Created = 0, 0
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
func TestSnapshotKeepsDueInsideTheWait(t *testing.T) {
	w, err := NewWaiter(getterPanics{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.NewPoller("job-1")
	if err != nil {
		t.Fatal(err)
	}
	p.due = p.deadline.Add(3 * time.Nanosecond)
	token, _ := p.ResumeToken()
	again, err := w.ResumePoller("job-1", token)
	if err != nil {
		t.Fatalf("ResumePoller of a token saved at the deadline: %v", err)
	}
	if !again.due.Equal(time.Unix(0, p.deadline.UnixNano())) {
		t.Errorf("due %s, want the deadline %s", again.due, p.deadline)
	}
}
