package taurusjob

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestStatusClasses(t *testing.T) {
	tests := []struct {
		status                     Status
		terminal, succeeded, known bool
	}{
		{StatusPending, false, false, true},
		{StatusRunning, false, false, true},
		{StatusUnauthorized, false, false, true},
		{StatusCompleted, true, true, true},
		{StatusFailed, true, false, true},
		{StatusCanceled, true, false, true},
		{"Suspended", false, false, false}, // unknown: keep waiting
		{"", false, false, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			if got := tt.status.Terminal(); got != tt.terminal {
				t.Errorf("Terminal() = %v, want %v", got, tt.terminal)
			}
			if got := tt.status.Succeeded(); got != tt.succeeded {
				t.Errorf("Succeeded() = %v, want %v", got, tt.succeeded)
			}
			if got := tt.status.known(); got != tt.known {
				t.Errorf("Known() = %v, want %v", got, tt.known)
			}
		})
	}
}

// TestDecodeJobBodyShapes covers shapes the fixtures do not: values of the
// wrong JSON type, both progress spellings at once, odd entities.
func TestDecodeJobBodyShapes(t *testing.T) {
	tests := []struct {
		name         string
		body         string
		wantStatus   Status
		wantProgress int
		wantEntities string // "" means nil
		wantCreated  time.Time
		wantInstance Instance
	}{
		{name: "numeric process", body: `{"job":{"id":"a","status":"Running","process":60}}`, wantStatus: StatusRunning, wantProgress: 60},
		{name: "process wins over progress", body: `{"job":{"id":"a","status":"Running","process":"60%","progress":"45%"}}`, wantStatus: StatusRunning, wantProgress: 60},
		{name: "empty process falls back to progress", body: `{"job":{"id":"a","status":"Running","process":"","progress":"45%"}}`, wantStatus: StatusRunning, wantProgress: 45},
		{name: "bad process falls back to progress", body: `{"job":{"id":"a","status":"Running","process":"n/a","progress":"45"}}`, wantStatus: StatusRunning, wantProgress: 45},
		{name: "no progress at all", body: `{"job":{"id":"a","status":"Completed"}}`, wantStatus: StatusCompleted, wantProgress: -1},
		{name: "progress out of range", body: `{"job":{"id":"a","status":"Running","process":"250%"}}`, wantStatus: StatusRunning, wantProgress: -1},
		{name: "numeric status kept as text", body: `{"job":{"id":"a","status":3}}`, wantStatus: "3", wantProgress: -1},
		{name: "object status ignored", body: `{"job":{"id":"a","status":{"x":1}}}`, wantStatus: "", wantProgress: -1},
		{name: "entities null is nil", body: `{"job":{"id":"a","status":"Running","entities":null}}`, wantStatus: StatusRunning, wantProgress: -1},
		{name: "entities array kept", body: `{"job":{"id":"a","status":"Running","entities":[1, 2]}}`, wantStatus: StatusRunning, wantProgress: -1, wantEntities: `[1, 2]`},
		{name: "entities string kept", body: `{"job":{"id":"a","status":"Running","entities":"x"}}`, wantStatus: StatusRunning, wantProgress: -1, wantEntities: `"x"`},
		{name: "unparseable time is zero", body: `{"job":{"id":"a","status":"Running","created":"soon"}}`, wantStatus: StatusRunning, wantProgress: -1},
		{name: "instance null", body: `{"job":{"id":"a","status":"Running","instance":null}}`, wantStatus: StatusRunning, wantProgress: -1},
		{name: "instance fields", body: `{"job":{"id":"a","status":"Running","instance":{"id":"i1","name":"n1","extra":true}}}`, wantStatus: StatusRunning, wantProgress: -1, wantInstance: Instance{"i1", "n1"}},
		{name: "unknown fields ignored", body: `{"job":{"id":"a","status":"Running","new_field":{"deep":[1]}},"other":1}`, wantStatus: StatusRunning, wantProgress: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job, err := decodeJobBody([]byte(tt.body))
			if err != nil {
				t.Fatalf("decodeJobBody: %v", err)
			}
			if job.Status != tt.wantStatus {
				t.Errorf("Status = %q, want %q", job.Status, tt.wantStatus)
			}
			if job.Progress != tt.wantProgress {
				t.Errorf("Progress = %d, want %d", job.Progress, tt.wantProgress)
			}
			if tt.wantEntities == "" && job.Entities != nil {
				t.Errorf("Entities = %s, want nil", job.Entities)
			}
			if tt.wantEntities != "" && string(job.Entities) != tt.wantEntities {
				t.Errorf("Entities = %s, want %s", job.Entities, tt.wantEntities)
			}
			if !job.Created.Equal(tt.wantCreated) {
				t.Errorf("Created = %v, want %v", job.Created, tt.wantCreated)
			}
			if job.Instance != tt.wantInstance {
				t.Errorf("Instance = %+v, want %+v", job.Instance, tt.wantInstance)
			}
			if !strings.Contains(tt.body, string(job.Raw)) {
				t.Errorf("Raw %s is not the job object as received", job.Raw)
			}
		})
	}
}

func TestDecodeJobBodyNoJobAndMalformed(t *testing.T) {
	noJob := []string{`{}`, `{"job":null}`, `{"job":{}}`, `null`, `{"job":{"process":"60%"}}`, `{"jobs":[{"id":"a"}]}`}
	for _, body := range noJob {
		job, err := decodeJobBody([]byte(body))
		if !errors.Is(err, errNoJob) || job != nil {
			t.Errorf("decodeJobBody(%s) = %v, %v; want nil, errNoJob", body, job, err)
		}
	}
	malformed := []string{``, `   `, `{`, `[]`, `"job"`, `{"job":[]}`, `{"job":"x"}`, `{"job":1}`, `{"job":{"id":"a",}}`, "<html></html>"}
	for _, body := range malformed {
		job, err := decodeJobBody([]byte(body))
		if err == nil || errors.Is(err, errNoJob) || job != nil {
			t.Errorf("decodeJobBody(%q) = %v, %v; want a malformed-body error", body, job, err)
			continue
		}
		if !strings.Contains(err.Error(), "malformed") {
			t.Errorf("decodeJobBody(%q) error %q does not say malformed", body, err)
		}
	}
}

// A status in another case is the documented one: a waiter must not miss
// the end of a job because a sibling service spells "completed".
func TestDecodeStatusAnyCase(t *testing.T) {
	for in, want := range map[string]Status{"completed": StatusCompleted, "FAILED": StatusFailed, "running": StatusRunning, "Rebooting": "Rebooting"} {
		job, err := decodeJobBody([]byte(`{"job":{"id":"j","status":"` + in + `"}}`))
		if err != nil || job.Status != want {
			t.Errorf("status %q decoded as %q (%v), want %q", in, job.Status, err, want)
		}
	}
}
