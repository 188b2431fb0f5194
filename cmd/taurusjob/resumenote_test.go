package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// TestResumeSaysTimeoutIgnored: a CI retry that resumes a saved wait with
// a new --timeout is told, on stderr, that the flag is ignored and which
// deadline holds: the first run's. Without --timeout there is nothing to
// warn about; with --quiet the warning is still printed.
func TestResumeSaysTimeoutIgnored(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever})
	state := filepath.Join(t.TempDir(), "state.json")
	const ignored = "--timeout is ignored: the saved deadline is "

	before := time.Now()
	p := startBin(t, fakeEnv(srv), args("wait", id, "--state-file", state, "--timeout", "1h", fast)...)
	p.waitFor(t, "Running")
	if r := p.interrupt(t); r.code != exitInterrupted || strings.Contains(r.stderr, ignored) {
		t.Fatalf("run 1: exit %d, want 130 and no warning (nothing resumed)\n%s", r.code, r)
	}
	after := time.Now()

	for _, tc := range []struct {
		name  string
		flags []string
		warn  bool
	}{
		{"a longer --timeout", []string{"--timeout", "3h"}, true},
		{"no --timeout", nil, false},
		{"--quiet", []string{"--quiet", "--timeout=2h"}, true},
	} {
		p := startBin(t, fakeEnv(srv), args("wait", id, "--state-file", state, fast, tc.flags)...)
		p.waitFor(t, "resuming the wait saved in")
		r := p.interrupt(t)
		if !tc.warn {
			if strings.Contains(r.stderr, ignored) || !strings.Contains(r.stderr, "resuming the wait saved in "+state) {
				t.Errorf("%s: want the resume line without the warning\n%s", tc.name, r)
			}
			continue
		}
		if !strings.Contains(r.stderr, ignored) {
			t.Errorf("%s: stderr does not say --timeout is ignored\n%s", tc.name, r)
			continue
		}
		at, _, _ := strings.Cut(r.stderr[strings.Index(r.stderr, ignored)+len(ignored):], " ")
		deadline, err := time.Parse(time.RFC3339, at)
		if err != nil {
			t.Fatalf("%s: the saved deadline %q is not an RFC 3339 time: %v\n%s", tc.name, at, err, r)
		}
		// Run 1's start plus its 1h, to the second the message shows.
		if lo, hi := before.Add(time.Hour-time.Second), after.Add(time.Hour+time.Second); deadline.Before(lo) || deadline.After(hi) {
			t.Errorf("%s: saved deadline %s, want run 1's, between %s and %s", tc.name, deadline, lo, hi)
		}
		if !strings.Contains(r.stderr, "(in 59m") && !strings.Contains(r.stderr, "(in 1h0m0s)") {
			t.Errorf("%s: the message does not say how far the deadline is\n%s", tc.name, r)
		}
	}
}

func TestDeadlineText(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 5, 0, 0, 0, time.Local)
	for _, tc := range []struct {
		deadline time.Time
		want     string
	}{
		{now.Add(12 * time.Minute), "(in 12m0s)"},
		{now.Add(-3 * time.Minute), "(passed 3m0s ago)"},
	} {
		got := deadlineText(tc.deadline, now)
		if !strings.HasPrefix(got, tc.deadline.Format(time.RFC3339)+" ") || !strings.HasSuffix(got, tc.want) {
			t.Errorf("deadlineText(%s) = %q, want the RFC 3339 time and %q", tc.deadline, got, tc.want)
		}
	}
}
