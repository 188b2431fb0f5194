package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// TestJSONDocument: --output json is one JSON document whatever the
// number of jobs, which encoding/json, python3 -m json.tool and jq each
// read whole; --output jsonl is one object per line, the same objects.
func TestJSONDocument(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	ok := srv.AddJob(taurusjobtest.Job{})
	bad := srv.AddJob(taurusjobtest.Job{Outcome: taurusjobtest.Failed, FailReason: `quota <"&"> exceeded`})
	r := runBin(t, fakeEnv(srv), "", args("wait", ok, bad, "--output", "json", fast)...)
	doc := jsonLines(t, r) // fails unless stdout is exactly one document with "jobs"
	if r.code != exitFailed || len(doc) != 2 || doc[0].JobID != ok || doc[1].JobID != bad || doc[1].Outcome != "failed" {
		t.Fatalf("want exit 1 and both jobs in the document, in order\n%s", r)
	}
	if !strings.Contains(r.stdout, `quota <\"&\"> exceeded`) {
		t.Errorf("the fail reason is escaped beyond JSON's needs (HTML escaping)\n%s", r.stdout)
	}
	for _, tool := range [][]string{{"python3", "-m", "json.tool"}, {"jq", "-e", ".jobs | length == 2"}} {
		if _, err := exec.LookPath(tool[0]); err != nil {
			t.Logf("%s not found: not checked with it", tool[0])
			continue
		}
		cmd := exec.Command(tool[0], tool[1:]...)
		cmd.Stdin = strings.NewReader(r.stdout)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%q refuses the document: %v\n%s\n--- the document:\n%s", tool, err, out, r.stdout)
		}
	}

	rl := runBin(t, fakeEnv(srv), "", args("wait", ok, bad, "--output", "jsonl", fast)...)
	lines := jsonlLines(t, rl)
	if rl.code != exitFailed || len(lines) != 2 || lines[0].JobID != ok || lines[1].JobID != bad || strings.Count(rl.stdout, "\n") != 2 {
		t.Fatalf("--output jsonl: want exit 1 and one line per job\n%s", rl)
	}
}

// TestGetJSONFormats: get prints one object, a document and a line at
// once, with --output json and jsonl alike.
func TestGetJSONFormats(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{})
	j := runBin(t, fakeEnv(srv), "", "get", id, "--output", "json")
	l := runBin(t, fakeEnv(srv), "", "get", id, "--output", "jsonl")
	if j.code != 0 || l.code != 0 || strings.Count(j.stdout, "\n") != 1 || !strings.HasPrefix(j.stdout, `{"job_id":`) {
		t.Fatalf("get --output json/jsonl: want exit 0 and one object on one line\n%s\n%s", j, l)
	}
	if j.stdout != l.stdout { // a completed job: the same answer twice
		t.Errorf("json and jsonl differ:\n%s%s", j.stdout, l.stdout)
	}
	if r := runBin(t, fakeEnv(srv), "", "get", id, "--output", "yaml"); r.code != exitUsage || !strings.Contains(r.stderr, "text, json or jsonl") {
		t.Errorf("--output yaml: want exit 2 naming the formats\n%s", r)
	}
}

// hostileJob serves the job body in testdata/jobs/name for its job id, as
// a hostile or broken server would, and returns the id.
func hostileJob(t *testing.T, srv *taurusjobtest.Server, name string) string {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "jobs", name))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Job struct{ ID string } `json:"job"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Job.ID == "" {
		t.Fatalf("%s: no job id: %v", name, err)
	}
	srv.AddRule(taurusjobtest.Rule{JobID: v.Job.ID, Fault: taurusjobtest.Answer(200, "application/json", string(body))})
	return v.Job.ID
}

// unsafeForTerminal is what must never reach a terminal from a server:
// C0 controls but the newline and the tab (which the --verbose log puts
// between its fields), DEL, C1 controls, the bidi embeddings, overrides
// and isolates, and the line and paragraph separators.
func unsafeForTerminal(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r < 0xa0) ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x2028 || r == 0x2029
}

// TestServerTextIsShownSafely: a job whose fail reason, name and
// instance carry a right-to-left override (U+202E, which shows
// "deen ton od" as "do not need"), isolates, a line separator (which
// forges a "completed" line), C1 CSI and ESC reaches the text result, the
// progress lines, the --verbose log and the error on stderr as visible
// escapes (\u202e),
// never as the characters themselves (testdata/jobs/bidi-fail-reason.json).
func TestServerTextIsShownSafely(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := hostileJob(t, srv, "bidi-fail-reason.json")
	for _, cmd := range [][]string{args("wait", id, "--no-history", fast), args("wait", id, "--verbose", "--no-history", fast), {"get", id}} {
		r := runBin(t, fakeEnv(srv), "", cmd...)
		if r.code != exitFailed && !(cmd[0] == "get" && r.code == 0) {
			t.Fatalf("%s: exit %d\n%s", cmd[0], r.code, r)
		}
		for what, out := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
			if i := strings.IndexFunc(out, unsafeForTerminal); i >= 0 {
				t.Errorf("%s %s holds %U at byte %d:\n%q", cmd[0], what, []rune(out[i:])[0], i, out)
			}
		}
		for _, w := range []string{`quota exceeded\u202e`, `\u2028taurusjob: job`, `\u009b31m\u001b[2J\u0007\u0085`, `Create\u2066Instance\u2069`, `taurus\u202eprod`} {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%s stdout lacks the visible escape %s\n%s", cmd[0], w, r.stdout)
			}
		}
	}
}

// TestJSONOutputIsValidUTF8: a job body with invalid UTF-8 (bytes 0xff,
// 0xfe, a cut sequence, an encoded surrogate) still gives JSON output
// that is valid UTF-8, each invalid byte replaced by U+FFFD, the rest of
// the job as the API sent it (testdata/jobs/invalid-utf8.json).
func TestJSONOutputIsValidUTF8(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := hostileJob(t, srv, "invalid-utf8.json")
	for _, cmd := range [][]string{
		args("wait", id, "--output", "json", "--no-history", fast),
		args("wait", id, "--output", "jsonl", "--no-history", fast),
		{"get", id, "--output", "json"},
	} {
		r := runBin(t, fakeEnv(srv), "", cmd...)
		if r.code != exitCompleted {
			t.Fatalf("%q: exit %d\n%s", cmd, r.code, r)
		}
		if !utf8.ValidString(r.stdout) {
			t.Errorf("%q: stdout is not valid UTF-8:\n%q", cmd, r.stdout)
		}
		if !json.Valid([]byte(r.stdout)) && !json.Valid([]byte(strings.SplitN(r.stdout, "\n", 2)[0])) {
			t.Errorf("%q: stdout is not JSON:\n%s", cmd, r.stdout)
		}
		for _, w := range []string{"Create\uFFFDInstance\uFFFD", "taurus-\uFFFD-prod", `"note":`} {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%q: stdout lacks %q\n%s", cmd, w, r.stdout)
			}
		}
	}
}
