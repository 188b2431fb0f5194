package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDemo runs README's first command as a user does: the real demo,
// with its real timings, must complete in well under a minute with no
// credentials and no environment at all. The demo's job is a fake: it
// leaves the user's duration history as it was.
func TestDemo(t *testing.T) {
	t.Parallel()
	home, history := realHistory(t)
	r := runBin(t, map[string]string{"HOME": home, "XDG_CACHE_HOME": filepath.Join(home, ".cache")}, "", "demo")
	history.untouched(t, "the demo")
	if r.code != 0 {
		t.Fatalf("demo: exit %d, want 0\n%s", r.code, r)
	}
	if r.took > 45*time.Second {
		t.Errorf("demo took %s, want well under a minute", r.took)
	}
	for _, w := range []string{"loopback", "not visible yet", "Running", "Completed", "instance BACKING UP", "instance ACTIVE; wait ended: completed"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("demo progress lacks %q\n%s", w, r)
		}
	}
	if !strings.Contains(r.stdout, ": completed\n") || !strings.Contains(r.stdout, "demo-orders-db") {
		t.Errorf("demo result lacks the completed job and its instance\n%s", r)
	}
}

// TestDemoJSON runs the demo in-process at a twentieth of its duration
// with --output json: it must print the completed job with its entities,
// as wait would for a real job.
func TestDemoJSON(t *testing.T) {
	demoScale = 0.05
	t.Cleanup(func() { demoScale = 1 })
	r := runIn(context.Background(), nil, "", "demo", "--output", "json", "--min-interval", "20ms", "--max-interval", "100ms")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	lines := jsonLines(t, r)
	if len(lines) != 1 || lines[0].Outcome != "completed" {
		t.Fatalf("want one completed result\n%s", r)
	}
	j := lines[0].job(t)
	var got, want any
	json.Unmarshal(j.Entities, &got)
	json.Unmarshal([]byte(demoEntities), &want)
	if j.Status != "Completed" || !jsonEqual(got, want) {
		t.Errorf("job %+v, want Completed with the demo's entities", j)
	}
	if lines[0].Polls < 3 {
		t.Errorf("%d polls; the demo job is invisible, then runs, then completes", lines[0].Polls)
	}
	// A timeout in the demo shows exit 3, as its help says.
	r = runIn(context.Background(), nil, "", "demo", "--timeout", "100ms", "--quiet")
	if r.code != exitTimeout || !strings.Contains(r.stdout, ": timeout\n") {
		t.Errorf("demo --timeout 100ms: exit %d, want 3 with a timeout result\n%s", r.code, r)
	}
}
