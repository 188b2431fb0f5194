package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

const testEntities = `{"instance":{"endpoint":"192.168.1.203:3306","type":"Cluster"},"resource_ids":["x.vm","x.volume"]}`

// waitCase is one way a wait can end, and what a script sees for it.
type waitCase struct {
	name    string
	job     taurusjobtest.Job
	rules   []taurusjobtest.Rule
	flags   []string
	code    int
	outcome string
	status  string // the job's last status in the output; "" when never seen
	stderr  string // a text stderr must hold (the reason, for a failure)
	httpErr int    // error.http_status in JSON; 0 for none
}

var waitCases = []waitCase{
	{name: "completed", job: taurusjobtest.Job{Invisible: 100 * time.Millisecond, Running: 300 * time.Millisecond,
		Entities: json.RawMessage(testEntities)}, code: 0, outcome: "completed", status: "Completed"},
	{name: "retried 503s then completed", job: taurusjobtest.Job{Running: 200 * time.Millisecond},
		rules: []taurusjobtest.Rule{{Fault: taurusjobtest.ServerError(503), Limit: 2}},
		code:  0, outcome: "completed", status: "Completed"},
	{name: "failed", job: taurusjobtest.Job{Running: 200 * time.Millisecond, Outcome: taurusjobtest.Failed,
		FailReason: "insufficient quota for flavor"}, code: 1, outcome: "failed", status: "Failed",
		stderr: "insufficient quota for flavor"},
	{name: "canceled", job: taurusjobtest.Job{Running: 100 * time.Millisecond, Outcome: taurusjobtest.Canceled,
		FailReason: "canceled by the user"}, code: 1, outcome: "canceled", status: "Canceled", stderr: "canceled by the user"},
	{name: "timeout", job: taurusjobtest.Job{Running: taurusjobtest.Forever}, flags: []string{"--timeout", "500ms"},
		code: 3, outcome: "timeout", status: "Running", stderr: "timed out"},
	{name: "forbidden", job: taurusjobtest.Job{Running: time.Second},
		rules: []taurusjobtest.Rule{{Fault: taurusjobtest.Answer(http.StatusForbidden, "application/json",
			`{"error_code":"DBS.280343","error_msg":"no permission for this project"}`)}},
		code: 4, outcome: "error", stderr: "no permission for this project", httpErr: 403},
	{name: "not visible", job: taurusjobtest.Job{Invisible: taurusjobtest.Forever}, flags: []string{"--visibility-grace", "300ms"},
		code: 5, outcome: "not_visible", stderr: "not visible", httpErr: 404},
	{name: "pending with --return-on-pending", job: taurusjobtest.Job{Pending: taurusjobtest.Forever},
		flags: []string{"--return-on-pending"}, code: 0, outcome: "pending", status: "Pending"},
}

// TestWaitExitCodes runs the binary for each way a wait ends, in both
// output modes: the exit code, the JSON object and the text summary are
// what scripts and people rely on.
func TestWaitExitCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range waitCases {
		for _, format := range []string{"json", "jsonl", "text"} {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				t.Parallel()
				srv := newFake(t)
				for _, rule := range tc.rules {
					srv.AddRule(rule)
				}
				id := srv.AddJob(tc.job)
				r := runBin(t, fakeEnv(srv), "", args("wait", id, "--output", format, fast, tc.flags)...)
				if r.code != tc.code {
					t.Fatalf("exit code %d, want %d\n%s", r.code, tc.code, r)
				}
				if tc.stderr != "" && !strings.Contains(r.stderr, tc.stderr) {
					t.Errorf("stderr lacks %q\n%s", tc.stderr, r)
				}
				noControl(t, "stderr (not a terminal)", r.stderr)
				switch format {
				case "json":
					checkJSONResult(t, srv, id, tc, r, jsonLines(t, r))
				case "jsonl":
					checkJSONResult(t, srv, id, tc, r, jsonlLines(t, r))
				default:
					checkTextResult(t, id, tc, r)
				}
			})
		}
	}
}

func checkJSONResult(t *testing.T, srv *taurusjobtest.Server, id string, tc waitCase, r result, lines []outLine) {
	t.Helper()
	if len(lines) != 1 {
		t.Fatalf("%d JSON results, want 1\n%s", len(lines), r)
	}
	o := lines[0]
	if o.Outcome != tc.outcome || o.JobID != id {
		t.Errorf("outcome %q job_id %q, want %q %q", o.Outcome, o.JobID, tc.outcome, id)
	}
	if tc.status == "" {
		if string(o.Job) != "null" {
			t.Errorf("job = %s, want null for a job never seen", o.Job)
		}
	} else if j := o.job(t); j.Status != tc.status || j.ID != id {
		t.Errorf("job status %q id %q, want %q %q", j.Status, j.ID, tc.status, id)
	}
	if tc.job.Entities != nil {
		var got, want any
		json.Unmarshal(o.job(t).Entities, &got)
		json.Unmarshal(tc.job.Entities, &want)
		if !jsonEqual(got, want) {
			t.Errorf("entities %s, want %s as the API sent them", o.job(t).Entities, tc.job.Entities)
		}
	}
	if n := srv.RequestCount(id); o.Polls != n {
		t.Errorf("polls = %d, the API saw %d requests", o.Polls, n)
	}
	if o.ElapsedSeconds <= 0 || o.ElapsedSeconds > r.took.Seconds() {
		t.Errorf("elapsed_seconds = %v, want in (0, %v]", o.ElapsedSeconds, r.took.Seconds())
	}
	switch {
	case tc.code == 0 && o.Error != nil:
		t.Errorf("error = %+v for a completed wait", o.Error)
	case tc.code != 0 && o.Error == nil:
		t.Errorf("no error object for outcome %s", o.Outcome)
	case tc.code != 0 && o.Error.Message == "":
		t.Errorf("error without a message")
	}
	if tc.httpErr != 0 {
		if o.Error == nil || o.Error.HTTPStatus != tc.httpErr || o.Error.RequestID == "" {
			t.Errorf("error = %+v, want http_status %d and a request_id", o.Error, tc.httpErr)
		}
		if tc.httpErr == 403 && o.Error.Code != "DBS.280343" {
			t.Errorf("error.code = %q, want the API's DBS.280343", o.Error.Code)
		}
	}
}

func checkTextResult(t *testing.T, id string, tc waitCase, r result) {
	t.Helper()
	if !strings.HasPrefix(r.stdout, "job "+id+": "+tc.outcome+"\n") {
		t.Errorf("text result does not start with the id and outcome %q\n%s", tc.outcome, r)
	}
	want := []string{"waited:", "poll"}
	if tc.status != "" {
		want = append(want, "status:      "+tc.status, "instance:")
	} else {
		want = append(want, "never seen")
	}
	if tc.outcome == "failed" || tc.outcome == "canceled" {
		want = append(want, "fail reason: "+tc.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("text result lacks %q\n%s", w, r)
		}
	}
	noControl(t, "text stdout", r.stdout)
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// TestWaitPlainProgress checks the log-style progress a CI job shows: one
// line per change, each naming the job, no control characters.
func TestWaitPlainProgress(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{Invisible: 150 * time.Millisecond, Running: 400 * time.Millisecond,
		Profile: taurusjobtest.Steps(25)})
	r := runBin(t, fakeEnv(srv), "", args("wait", id, fast)...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	noControl(t, "stderr", r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "taurusjob: job "+id+": ") {
			t.Errorf("progress line does not name the job: %q", l)
		}
	}
	for _, w := range []string{"not visible yet", "Running", "Completed; wait ended: completed"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("progress lacks %q\n%s", w, r)
		}
	}
	// One line per change, not per poll: the API saw many more polls
	// than there were changes (not visible, 0/25/50/75 %, completed).
	if polls := srv.RequestCount(id); len(lines) > 7 || polls <= len(lines) {
		t.Errorf("%d progress lines for %d polls; want one per change (at most 7)\n%s", len(lines), polls, r.stderr)
	}
	quiet := runBin(t, fakeEnv(srv), "", args("wait", id, "--quiet", fast)...)
	if quiet.code != 0 || quiet.stderr != "" {
		t.Errorf("--quiet on a completed job: want exit 0 and nothing on stderr\n%s", quiet)
	}
}

// TestWaitSeveralJobs gives ids separately and comma-joined: one result
// per job, in order, and the most severe job's exit code.
func TestWaitSeveralJobs(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	done := srv.AddJob(taurusjobtest.Job{Running: 200 * time.Millisecond})
	failed := srv.AddJob(taurusjobtest.Job{Running: 300 * time.Millisecond, Outcome: taurusjobtest.Failed, FailReason: "disk full"})
	hidden := srv.AddJob(taurusjobtest.Job{Invisible: taurusjobtest.Forever})
	slow := srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever})
	denied := srv.AddJob(taurusjobtest.Job{Running: time.Second})
	srv.AddRule(taurusjobtest.Rule{JobID: denied, Fault: taurusjobtest.Answer(403, "application/json", `{"error_code":"DBS.280343","error_msg":"denied"}`)})

	for _, tc := range []struct {
		name    string
		ids     []string
		code    int
		outcome []string
	}{
		{"separate, all completed", []string{done}, 0, []string{"completed"}},
		{"comma-joined: failed beats not visible", []string{done + "," + hidden + "," + failed}, 1,
			[]string{"completed", "not_visible", "failed"}},
		{"mixed: not visible beats timeout", []string{slow, hidden}, 5, []string{"timeout", "not_visible"}},
		{"mixed: API error beats failed", []string{failed + "," + denied, done}, 4, []string{"failed", "error", "completed"}},
		{"a repeated id is waited for once", []string{done, done + "," + done}, 0, []string{"completed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runBin(t, fakeEnv(srv), "", args("wait", tc.ids, "--output", "json",
				"--timeout", "1500ms", "--visibility-grace", "400ms", fast)...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d\n%s", r.code, tc.code, r)
			}
			lines := jsonLines(t, r)
			if len(lines) != len(tc.outcome) {
				t.Fatalf("%d JSON lines, want %d\n%s", len(lines), len(tc.outcome), r)
			}
			ids := strings.Split(strings.Join(tc.ids, ","), ",")
			for i, o := range lines {
				if o.Outcome != tc.outcome[i] || o.JobID != ids[i] {
					t.Errorf("line %d: %s %s, want %s %s", i, o.JobID, o.Outcome, ids[i], tc.outcome[i])
				}
			}
		})
	}
}

// TestWaitInterrupt sends SIGINT (and SIGTERM) mid-wait: the process must
// end within a second with exit 130 and still print the job's last state.
func TestWaitInterrupt(t *testing.T) {
	t.Parallel()
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			id := srv.AddJob(taurusjobtest.Job{Running: time.Hour})
			cmd := exec.Command(binPath, "wait", id, "--output", "json", "--min-interval", "50ms", "--max-interval", "10s")
			cmd.Env = envList(t, fakeEnv(srv))
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait until the job is seen running, so that there is a state to keep.
			seen := make(chan string, 1)
			var log bytes.Buffer
			go func() {
				buf := make([]byte, 4096)
				sent := false
				for {
					n, err := stderr.Read(buf)
					log.Write(buf[:n])
					if !sent && strings.Contains(log.String(), "Running") {
						seen <- log.String()
						sent = true
					}
					if err != nil {
						close(seen)
						return
					}
				}
			}()
			select {
			case _, ok := <-seen:
				if !ok {
					t.Fatalf("taurusjob ended before the job was seen running")
				}
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("the job was never seen running")
			}
			time.Sleep(100 * time.Millisecond) // mid-sleep between polls
			start := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err = cmd.Wait()
			took := time.Since(start)
			for range seen {
			}
			r := result{stdout: stdout.String(), stderr: log.String(), took: took}
			if ee, ok := err.(*exec.ExitError); ok {
				r.code = ee.ExitCode()
			}
			if r.code != 130 {
				t.Errorf("exit %d after %s, want 130\n%s", r.code, sig, r)
			}
			if took > time.Second {
				t.Errorf("took %s to end after %s, want under a second", took, sig)
			}
			lines := jsonLines(t, r)
			if len(lines) != 1 || lines[0].Outcome != "interrupted" || lines[0].job(t).Status != "Running" {
				t.Errorf("want one line with outcome interrupted and the last job (Running)\n%s", r)
			}
		})
	}
}

// TestWaitFlagsAnywhere puts flags after the ids, mixed with them, and
// after "--", as people type them.
func TestWaitFlagsAnywhere(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	a := srv.AddJob(taurusjobtest.Job{Running: 100 * time.Millisecond})
	b := srv.AddJob(taurusjobtest.Job{Running: 100 * time.Millisecond})
	for _, argv := range [][]string{
		args("wait", a, "--output", "json", fast, b),
		args("wait", "--output=json", a, "--min-interval=10ms", "--max-interval=50ms", b),
		args("wait", "-output", "json", fast, "--", a, b),
	} {
		r := runBin(t, fakeEnv(srv), "", argv...)
		if r.code != 0 {
			t.Errorf("%q: exit %d\n%s", argv, r.code, r)
			continue
		}
		if lines := jsonLines(t, r); len(lines) != 2 || lines[0].JobID != a || lines[1].JobID != b {
			t.Errorf("%q: want JSON results for %s and %s\n%s", argv, a, b, r)
		}
	}
}
