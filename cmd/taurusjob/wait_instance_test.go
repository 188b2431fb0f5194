package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// TestWaitInstance: wait --instance waits for the instance's jobs that
// had not ended, not its finished ones nor other instances' jobs, with
// wait's output and exit codes: 0 when all completed, 1 when one failed,
// 3 on a timeout; an instance with no unfinished job exits 0 at once.
func TestWaitInstance(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	inst := func(n string) taurusjobtest.Instance {
		return taurusjobtest.Instance{ID: strings.Repeat(n, 32) + "in07", Name: "i" + n}
	}
	for _, tc := range []struct {
		instance string
		code     int
		jobs     func() []string // adds the jobs, returns the ids and outcomes expected, in order
	}{
		{inst("a").ID, 0, func() []string {
			srv.AddJob(taurusjobtest.Job{Instance: inst("a"), Created: time.Now().Add(-time.Hour)}) // ended: not waited for
			ok1 := srv.AddJob(taurusjobtest.Job{Running: 300 * time.Millisecond, Instance: inst("a")})
			ok2 := srv.AddJob(taurusjobtest.Job{Pending: 200 * time.Millisecond, Running: 200 * time.Millisecond,
				Instance: inst("a"), Created: time.Now().Add(-time.Millisecond)})
			return []string{ok1, "completed", ok2, "completed"}
		}},
		{inst("b").ID, 1, func() []string {
			return []string{srv.AddJob(taurusjobtest.Job{Running: 200 * time.Millisecond, Outcome: taurusjobtest.Failed, Instance: inst("b")}), "failed"}
		}},
		{inst("c").ID, 3, func() []string {
			return []string{srv.AddJob(taurusjobtest.Job{Running: time.Hour, Instance: inst("c")}), "timeout"}
		}},
		{inst("d").ID, 0, func() []string {
			srv.AddJob(taurusjobtest.Job{Running: time.Hour}) // another instance's
			return nil
		}},
	} {
		want := tc.jobs()
		r := runBin(t, fakeEnv(srv), "", args("wait", "--instance", tc.instance, "--output", "json", "--timeout", "1500ms", "--no-history", fast)...)
		if r.code != tc.code {
			t.Errorf("%s: exit %d, want %d\n%s", tc.instance, r.code, tc.code, r)
			continue
		}
		var got []string
		for _, o := range jsonLines(t, r) {
			got = append(got, o.JobID, o.Outcome)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: got %v, want %v\n%s", tc.instance, got, want, r)
		}
	}
}

// Job ids with --instance, an empty --instance, and --state-file with
// --instance are usage errors, before any request.
func TestWaitInstanceUsage(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	for _, argv := range [][]string{
		{"wait", "--instance", "abc", "f9959f52-aa4d-43f7-be74-44b6fc20b239"},
		{"wait", "--instance", ""},
		{"wait", "--instance", "a b"},
		{"wait", "--instance", "abc", "--state-file", t.TempDir() + "/s.json"},
	} {
		r := runBin(t, fakeEnv(srv), "", argv...)
		if r.code != 2 || !strings.Contains(r.stderr, "taurusjob wait") {
			t.Errorf("%q: exit %d, want 2\n%s", argv, r.code, r)
		}
	}
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// A job the list gives twice (a list that shifted between pages) is
// waited for, and reported, once.
func TestUnfinishedJobsOnce(t *testing.T) {
	const inst = "c0e1a2b3c4d5e6f7a8b9c0d1e2f3a4b5in07"
	job := `{"instance_id":"` + inst + `","job_id":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","job_name":"CreateGaussDBforMySQLInstance","status":"Running","process":"45%","created_time":"2024-05-20T14:02:11+0800"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"jobs":[`+job+`,`+job+`],"total_count":2}`)
	}))
	defer srv.Close()
	c, err := taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: srv.URL, ProjectID: strings.Repeat("a", 32), Token: "t0ken-for-the-test"})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := unfinishedJobs(context.Background(), c, inst)
	if err != nil || len(ids) != 1 {
		t.Errorf("unfinishedJobs = %q, %v; want the one job once", ids, err)
	}
}
