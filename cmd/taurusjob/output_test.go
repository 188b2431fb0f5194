package main

import (
	"os/exec"
	"strings"
	"testing"

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
