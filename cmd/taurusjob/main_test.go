package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
	"go.uber.org/goleak"
)

// binPath is the taurusjob binary built once by TestMain: the tests run it
// as scripts do, with an environment, arguments and signals.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "taurusjob-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "taurusjob")
	args := []string{"build", "-o", binPath}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building taurusjob:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	// In-process runs (runIn) must not touch the developer's cache: the
	// default history file is under os.UserCacheDir. Set after the build,
	// which needs the real Go cache.
	home := filepath.Join(dir, "home")
	os.Setenv("HOME", home)
	os.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	code := m.Run()
	if code == 0 {
		// In-process runs must leave no goroutine behind (the progress
		// ticker, the waiter's workers, the fake servers' connections).
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// fast makes waits quick: polls 10 ms apart at first, 50 ms at most.
var fast = []string{"--min-interval", "10ms", "--max-interval", "50ms"}

// newFake starts a fake job API on loopback for one test.
func newFake(t *testing.T, opts ...taurusjobtest.Option) *taurusjobtest.Server {
	t.Helper()
	srv := taurusjobtest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// fakeEnv is the environment that points the CLI at srv.
func fakeEnv(srv *taurusjobtest.Server) map[string]string {
	return map[string]string{
		envEndpoint:  srv.URL(),
		envProjectID: srv.ProjectID(),
		envToken:     srv.Token(),
	}
}

// result is what one run of the CLI produced.
type result struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("exit %d after %s\n--- stdout:\n%s--- stderr:\n%s", r.code, r.took.Round(time.Millisecond), r.stdout, r.stderr)
}

// runBin runs the binary with exactly env (nothing is inherited, so a
// developer's own TAURUSJOB_TOKEN cannot leak into a test) and stdin.
func runBin(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Env = envList(t, env)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running taurusjob %v: %v", args, err)
	}
	return r
}

// envList is env as a process environment, with PATH, and with HOME and
// XDG_CACHE_HOME in a fresh temporary directory unless env sets HOME: a run
// never reads or writes the developer's cache (the default history file),
// nor another run's.
func envList(t *testing.T, env map[string]string) []string {
	list := []string{"PATH=" + os.Getenv("PATH")}
	if _, ok := env["HOME"]; !ok {
		home := t.TempDir()
		list = append(list, "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, ".cache"))
	}
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	return list
}

// runIn runs the tool in-process, as main does, with env as environment.
func runIn(ctx context.Context, env map[string]string, stdin string, args ...string) result {
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(stdin), &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
}

// outLine is one job's result of --output json or jsonl, as scripts read it.
type outLine struct {
	Outcome        string          `json:"outcome"`
	JobID          string          `json:"job_id"`
	Job            json.RawMessage `json:"job"`
	Polls          int             `json:"polls"`
	ElapsedSeconds float64         `json:"elapsed_seconds"`
	Error          *struct {
		Message    string `json:"message"`
		HTTPStatus int    `json:"http_status"`
		Code       string `json:"code"`
		RequestID  string `json:"request_id"`
	} `json:"error"`
}

// apiJob is the part of a job object the tests look at.
type apiJob struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Status     string          `json:"status"`
	Process    string          `json:"process"`
	FailReason string          `json:"fail_reason"`
	Entities   json.RawMessage `json:"entities"`
}

// jsonLines decodes stdout of --output json: ONE JSON document, an
// object whose "jobs" holds one result per job with exactly the documented
// keys. (The name is older than the document: scripts still get one
// object per job, now inside "jobs".)
func jsonLines(t *testing.T, r result) []outLine {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	var doc struct {
		Jobs []json.RawMessage `json:"jobs"`
	}
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not a JSON document: %v\n%s", err, r)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON document\n%s", r)
	}
	if doc.Jobs == nil {
		t.Fatalf("the JSON document has no \"jobs\" array\n%s", r)
	}
	return decodeResults(t, doc.Jobs)
}

// jsonlLines decodes stdout of --output jsonl: one result object per line.
func jsonlLines(t *testing.T, r result) []outLine {
	t.Helper()
	var objs []json.RawMessage
	for _, line := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		if line == "" {
			t.Fatalf("empty line in JSON lines output\n%s", r)
		}
		if !json.Valid([]byte(line)) {
			t.Fatalf("stdout line is not JSON: %q\n%s", line, r)
		}
		objs = append(objs, json.RawMessage(line))
	}
	return decodeResults(t, objs)
}

// decodeResults decodes result objects, each with every documented key.
func decodeResults(t *testing.T, objs []json.RawMessage) []outLine {
	t.Helper()
	var out []outLine
	for _, obj := range objs {
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(obj, &keys); err != nil {
			t.Fatalf("a result is not a JSON object: %v: %s", err, obj)
		}
		for _, k := range []string{"outcome", "job_id", "job", "polls", "elapsed_seconds"} {
			if _, ok := keys[k]; !ok {
				t.Errorf("a result lacks %q: %s", k, obj)
			}
		}
		var o outLine
		if err := json.Unmarshal(obj, &o); err != nil {
			t.Fatalf("decoding %s: %v", obj, err)
		}
		out = append(out, o)
	}
	return out
}

func (o outLine) job(t *testing.T) apiJob {
	t.Helper()
	var j apiJob
	if string(o.Job) == "null" || len(o.Job) == 0 {
		t.Fatalf("job %s: \"job\" is null, want the job object", o.JobID)
	}
	if err := json.Unmarshal(o.Job, &j); err != nil {
		t.Fatalf("job %s: \"job\" is not a job object: %v", o.JobID, err)
	}
	return j
}

// args joins argument lists.
func args(parts ...any) []string {
	var out []string
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			out = append(out, v)
		case []string:
			out = append(out, v...)
		}
	}
	return out
}

// noControl fails when s holds control characters other than newlines:
// what a CI log or a file must not get.
func noControl(t *testing.T, what, s string) {
	t.Helper()
	for i, r := range s {
		if (r < 0x20 && r != '\n') || r == 0x7f {
			t.Errorf("%s has control character %q at offset %d:\n%s", what, r, i, s)
			return
		}
	}
}

var _ = io.Discard
