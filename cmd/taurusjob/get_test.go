package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// TestGet fetches a job once: its exit code does not depend on the job's
// status, only on whether the call worked.
func TestGet(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	running := srv.AddJob(taurusjobtest.Job{Running: time.Hour, Entities: json.RawMessage(testEntities)})
	failed := srv.AddJob(taurusjobtest.Job{Outcome: taurusjobtest.Failed, FailReason: "no subnet left"})
	denied := srv.AddJob(taurusjobtest.Job{})
	srv.AddRule(taurusjobtest.Rule{JobID: denied, Fault: taurusjobtest.Answer(403, "application/json", `{"error_code":"DBS.280343","error_msg":"denied"}`)})
	unknown := "f9959f52-aa4d-43f7-be74-44b6fc20b239"
	empty := srv.AddJob(taurusjobtest.Job{})
	srv.AddRule(taurusjobtest.Rule{JobID: empty, Fault: taurusjobtest.Answer(200, "application/json", `{"job":null}`)})

	for _, tc := range []struct {
		name, id string
		code     int
		text     []string // in text stdout (or stderr for errors)
		status   string   // job.status in JSON; "" for null
		httpErr  int
	}{
		{"running", running, 0, []string{"status:      Running", "entities:", `"endpoint": "192.168.1.203:3306"`, "instance:"}, "Running", 0},
		{"failed job, fetched fine", failed, 0, []string{"status:      Failed", "fail reason: no subnet left"}, "Failed", 0},
		{"not found", unknown, 5, []string{"404", "DBS.200823"}, "", 404},
		{"an answer without a job, read as a 404", empty, 5, []string{"not visible", "holds no job"}, "", 0},
		{"forbidden", denied, 4, []string{"403", "denied"}, "", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.RequestCount(tc.id)
			r := runBin(t, fakeEnv(srv), "", "get", tc.id)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tc.code, r)
			}
			for _, w := range tc.text {
				if !strings.Contains(r.stdout+r.stderr, w) {
					t.Errorf("output lacks %q\n%s", w, r)
				}
			}
			r = runBin(t, fakeEnv(srv), "", "get", "--output", "json", tc.id)
			var got struct {
				JobID string          `json:"job_id"`
				Job   json.RawMessage `json:"job"`
				Error *struct {
					HTTPStatus int    `json:"http_status"`
					RequestID  string `json:"request_id"`
				} `json:"error"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || strings.Count(r.stdout, "\n") != 1 {
				t.Fatalf("want one JSON line: %v\n%s", err, r)
			}
			if got.JobID != tc.id || r.code != tc.code {
				t.Errorf("job_id %q exit %d, want %q %d", got.JobID, r.code, tc.id, tc.code)
			}
			if tc.status == "" {
				if string(got.Job) != "null" {
					t.Errorf("job = %s, want null", got.Job)
				}
			} else if j := (outLine{JobID: tc.id, Job: got.Job}).job(t); j.Status != tc.status {
				t.Errorf("job.status %q, want %q", j.Status, tc.status)
			}
			if tc.httpErr != 0 && (got.Error == nil || got.Error.HTTPStatus != tc.httpErr || got.Error.RequestID == "") {
				t.Errorf("error = %+v, want http_status %d with a request id", got.Error, tc.httpErr)
			}
			if n := srv.RequestCount(tc.id) - before; n != 2 {
				t.Errorf("%d requests for two gets, want exactly 2 (get never retries)", n)
			}
		})
	}

	// Interrupted before the answer: exit 130, as for wait.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r := runIn(ctx, fakeEnv(srv), "", "get", running); r.code != exitInterrupted {
		t.Errorf("get with a canceled context: exit %d, want 130\n%s", r.code, r)
	}
}
