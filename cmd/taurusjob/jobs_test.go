package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// TestJobs lists the fake's jobs as a user does: the filters narrow the
// list (the instance on the client, TaurusDB having no such filter), the
// table has a header and one row per job, --output json is one array of
// the items as the API sent them, and the exit code is 0 even for an
// empty list.
func TestJobs(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	inst := taurusjobtest.Instance{ID: "0123456789abcdef0123456789abcdefin07", Name: "orders"}
	running := srv.AddJob(taurusjobtest.Job{Running: time.Hour, Profile: taurusjobtest.StuckAt(40), Instance: inst,
		Created: time.Now().Add(-30 * time.Minute)}) // stuck at 40% by now
	done := srv.AddJob(taurusjobtest.Job{Instance: inst, Created: time.Now().Add(-40 * time.Minute)})
	old := srv.AddJob(taurusjobtest.Job{Instance: inst, Created: time.Now().Add(-3 * time.Hour)})
	other := srv.AddJob(taurusjobtest.Job{Running: time.Hour})

	r := runBin(t, fakeEnv(srv), "", "jobs", "--instance", inst.ID)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "ID ") || strings.Count(r.stdout, "\n") != 4 {
		t.Fatalf("exit %d; want 0, a header and 3 rows\n%s", r.code, r)
	}
	for _, w := range []string{running, "Running", "40%", inst.ID, done, "Completed", old} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("table lacks %q\n%s", w, r.stdout)
		}
	}
	if strings.Contains(r.stdout, other) {
		t.Errorf("another instance's job %s is listed\n%s", other, r.stdout)
	}

	r = runBin(t, fakeEnv(srv), "", "jobs", "--instance", inst.ID, "--since", "1h", "--output", "json")
	var items []struct {
		JobID  string `json:"job_id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &items); err != nil || r.code != 0 {
		t.Fatalf("exit %d, %v; want one JSON array\n%s", r.code, err, r)
	}
	if len(items) != 2 || items[0].JobID != running || items[1].JobID != done || items[1].Status != "Completed" {
		t.Errorf("items %+v; want %s and %s, not the 3-hour-old one", items, running, done)
	}

	r = runBin(t, fakeEnv(srv), "", "jobs", "--status", "Failed", "--output", "json")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("no failed job: exit %d, stdout %q; want 0 and []", r.code, r.stdout)
	}
	r = runBin(t, fakeEnv(srv), "", "jobs", "--status", "failed")
	if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "no job matches") {
		t.Errorf("no failed job in text: exit %d\n%s", r.code, r)
	}
}

// Usage errors exit 2 before any request: an argument, a bad --since, a
// status the service does not list, a bad --output, a bad instance id.
func TestJobsUsageErrors(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	for _, args := range [][]string{
		{"jobs", "extra"},
		{"jobs", "--since", "yesterday"},
		{"jobs", "--since", "-5m"},
		{"jobs", "--since", "2999-01-01T00:00:00Z"},
		{"jobs", "--status", "Done"},
		{"jobs", "--output", "xml"},
		{"jobs", "--instance", "a b"},
		{"jobs", "--service", "dds", "--since", "40d"},
	} {
		before := srv.TotalRequests()
		r := runBin(t, fakeEnv(srv), "", args...)
		if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "taurusjob jobs") {
			t.Errorf("%q: exit %d; want 2 and the error on stderr\n%s", args, r.code, r)
		}
		if n := srv.TotalRequests() - before; n != 0 {
			t.Errorf("%q: %d requests sent", args, n)
		}
	}
}

// An API error exits 4 with the error on stderr (its request id too),
// and --output json still prints a valid (empty) array.
func TestJobsAPIError(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddRule(taurusjobtest.Rule{Fault: taurusjobtest.Answer(403, "application/json", `{"error_code":"DBS.280343","error_msg":"denied"}`)})
	r := runBin(t, fakeEnv(srv), "", "jobs", "--output", "json")
	if r.code != 4 || strings.TrimSpace(r.stdout) != "[]" || !strings.Contains(r.stderr, "403") || !strings.Contains(r.stderr, "request id") {
		t.Errorf("exit %d; want 4, [] and the 403 with its request id\n%s", r.code, r)
	}
}

// A job name that holds terminal controls is escaped in the table, and
// stays the API's bytes in JSON.
func TestJobsEscapesTerminalText(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddJob(taurusjobtest.Job{Name: "Evil\x1b[2J\u202eName"})
	r := runBin(t, fakeEnv(srv), "", "jobs")
	if r.code != 0 || strings.ContainsAny(r.stdout, "\x1b\u202e") || !strings.Contains(r.stdout, `Evil\u001b[2J\u202eName`) {
		t.Errorf("exit %d; want the controls escaped\n%q", r.code, r.stdout)
	}
	r = runBin(t, fakeEnv(srv), "", "jobs", "--output", "jsonl")
	var item struct {
		Name string `json:"job_name"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &item); err != nil || item.Name != "Evil\x1b[2J\u202eName" {
		t.Errorf("jsonl: %v, name %q", err, item.Name)
	}
}
