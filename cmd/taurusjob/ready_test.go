package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// readyCase is one way a ready wait ends, and what a script sees for it.
type readyCase struct {
	name    string
	steps   []taurusjobtest.InstanceStep
	unknown bool // the instance id is one the fake does not serve
	flags   []string
	code    int
	outcome string
	status  string
	stderr  string
}

var readyCases = []readyCase{
	{name: "ready", steps: []taurusjobtest.InstanceStep{{Status: "BUILD", For: 200 * time.Millisecond}, {Status: "ACTIVE"}},
		flags: []string{"--settle", "200ms"}, code: 0, outcome: "ready", status: "ACTIVE"},
	{name: "failed", steps: []taurusjobtest.InstanceStep{{Status: "BUILD", For: 100 * time.Millisecond}, {Status: "FAILED"}},
		code: 1, outcome: "instance_failed", status: "FAILED", stderr: "will not become ready"},
	{name: "frozen", steps: []taurusjobtest.InstanceStep{{Status: "FROZEN"}},
		code: 1, outcome: "instance_failed", status: "FROZEN", stderr: "settle its bill"},
	{name: "timeout", steps: []taurusjobtest.InstanceStep{{Status: "MODIFYING"}}, flags: []string{"--timeout", "500ms"},
		code: 3, outcome: "timeout", status: "MODIFYING", stderr: "last instance status MODIFYING"},
	{name: "not found", unknown: true, flags: []string{"--visibility-grace", "300ms"},
		code: 5, outcome: "instance_not_found", stderr: "not found"},
}

// taurusjob ready ends with the exit code and the JSON object a script
// relies on, for each way an instance wait ends.
func TestReadyExitCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range readyCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			id := "0123456789abcdef0123456789abcdefin07"
			if !tc.unknown {
				id = srv.AddInstance(taurusjobtest.InstanceScript{Steps: tc.steps})
			}
			start := time.Now()
			r := runBin(t, fakeEnv(srv), "", args("ready", id, "--output", "json", fast, tc.flags)...)
			if r.code != tc.code {
				t.Fatalf("exit code %d, want %d\n%s", r.code, tc.code, r)
			}
			var o struct {
				InstanceID string          `json:"instance_id"`
				Outcome    string          `json:"outcome"`
				Status     string          `json:"status"`
				Polls      int             `json:"polls"`
				Instance   json.RawMessage `json:"instance"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &o); err != nil {
				t.Fatalf("stdout is not one JSON object: %v\n%s", err, r)
			}
			if o.InstanceID != id || o.Outcome != tc.outcome || o.Status != tc.status || o.Polls < 1 {
				t.Errorf("result %+v; want instance %s, outcome %q, status %q", o, id, tc.outcome, tc.status)
			}
			if tc.status != "" && !strings.Contains(string(o.Instance), `"status"`) {
				t.Errorf("instance %s; want the instance object as the API sent it", o.Instance)
			}
			if tc.stderr != "" && !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr lacks %q\n%s", tc.stderr, r)
			}
			if tc.name == "ready" && time.Since(start) < 400*time.Millisecond {
				t.Errorf("ready after %s; want after BUILD (200ms) and the settle (200ms)", time.Since(start))
			}
			noControl(t, "stderr (not a terminal)", r.stderr)
		})
	}
}

// wait --ready waits for the job and then for its instance, through the
// backup that follows the job: one run, one exit code.
func TestWaitReadyCommand(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	inst := srv.AddInstance(taurusjobtest.InstanceScript{
		AfterJob: []taurusjobtest.InstanceStep{{Status: "ACTIVE", For: 100 * time.Millisecond},
			{Status: "BACKING UP", For: 400 * time.Millisecond}, {Status: "ACTIVE"}},
	})
	id := srv.AddJob(taurusjobtest.Job{Running: 200 * time.Millisecond, Instance: taurusjobtest.Instance{ID: inst}})
	start := time.Now()
	r := runBin(t, fakeEnv(srv), "", args("wait", id, "--ready", "--settle", "300ms", "--output", "json", fast)...)
	took := time.Since(start)
	if r.code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", r.code, r)
	}
	if lines := jsonLines(t, r); len(lines) != 1 || lines[0].Outcome != "completed" {
		t.Errorf("results %v; want the job completed", lines)
	}
	if took < 200*time.Millisecond+100*time.Millisecond+400*time.Millisecond+300*time.Millisecond {
		t.Errorf("returned after %s: before the backup after the job was over and the settle had passed", took)
	}
	if !strings.Contains(r.stderr, "instance BACKING UP") {
		t.Errorf("progress never showed the instance backing up\n%s", r)
	}

	failed := srv.AddInstance(taurusjobtest.InstanceScript{AfterJob: []taurusjobtest.InstanceStep{{Status: "FAILED"}}})
	id = srv.AddJob(taurusjobtest.Job{Running: 100 * time.Millisecond, Instance: taurusjobtest.Instance{ID: failed}})
	r = runBin(t, fakeEnv(srv), "", args("wait", id, "--ready", "--output", "json", fast)...)
	if lines := jsonLines(t, r); r.code != 1 || len(lines) != 1 || lines[0].Outcome != "instance_failed" {
		t.Errorf("a job whose instance failed: exit %d, results %v; want 1, instance_failed\n%s", r.code, lines, r)
	}
}

// Bad ready command lines are usage errors (exit 2), nothing sent.
func TestReadyUsage(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	for _, a := range [][]string{{"ready"}, {"ready", "a1", "b2"}, {"ready", "*abc"}, {"ready", "a1", "--settle", "-1s"},
		{"ready", "a1", "--ready"}} {
		r := runBin(t, fakeEnv(srv), "", a...)
		if r.code != 2 {
			t.Errorf("%q: exit %d, want 2\n%s", a, r.code, r)
		}
	}
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("%d requests for usage errors; want none", n)
	}
}
