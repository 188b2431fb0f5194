//go:build darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd || windows

package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// TestStateFileInUse: while a wait keeps its state in a --state-file, a
// second wait given the same file (for other jobs, or the same) is
// refused at once with exit 2, naming the file, before any request, and
// the first one's state is intact. The lock dies with its process: after a
// SIGKILL, a new wait resumes from the file. The lock file the crash left
// is not that wait's own, so it is kept (TestStateLockFileOfTheUserIsKept).
func TestStateFileInUse(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	first := srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever})
	other := srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever})
	state := filepath.Join(t.TempDir(), "state.json")
	slow := args("--min-interval", "50ms", "--max-interval", "200ms", "--no-history")

	a := startBin(t, fakeEnv(srv), args("wait", first, "--state-file", state, slow)...)
	a.waitFor(t, "Running")

	for _, tc := range []struct{ name, id string }{{"other job", other}, {"same job", first}} {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.RequestCount(other)
			r := runWithin(t, 10*time.Second, fakeEnv(srv), args("wait", tc.id, "--state-file", state, slow)...)
			if r.code != exitUsage {
				t.Fatalf("exit %d, want 2: the file is in use\n%s", r.code, r)
			}
			for _, w := range []string{"--state-file " + state, "in use", "its own --state-file"} {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q\n%s", w, r)
				}
			}
			if n := srv.RequestCount(other) - before; n != 0 {
				t.Errorf("%d requests sent for job %s, want none", n, other)
			}
		})
	}
	if doc := readStateDoc(t, state); len(doc.JobIDs) != 1 || doc.JobIDs[0] != first || doc.Tokens[first] == "" {
		t.Errorf("the first wait's state was changed: %+v", doc)
	}

	// A crash (SIGKILL) ends the process without any cleanup.
	a.cmd.Process.Kill()
	a.cmd.Wait()
	// A kill during a write can leave the write's temporary file (the state
	// file itself is whole: old or new); nothing can clean up after SIGKILL.
	tmps, _ := filepath.Glob(filepath.Join(filepath.Dir(state), ".state.json.tmp-*"))
	for _, tmp := range tmps {
		os.Remove(tmp)
	}
	checkKept(t, state, first)
	if _, err := os.Lstat(state + ".lock"); err != nil {
		t.Fatalf("the crash should have left the lock file, to show it does not lock: %v", err)
	}

	b := startBin(t, fakeEnv(srv), args("wait", first, "--state-file", state, slow)...)
	b.waitFor(t, "resuming the wait saved in "+state)
	if r := b.interrupt(t); r.code != exitInterrupted {
		t.Fatalf("after the crash: exit %d, want 130 from a resumed wait\n%s", r.code, r)
	}
	checkKept(t, state, first)
	if _, err := os.Lstat(state + ".lock"); err != nil {
		t.Errorf("the lock file the crash left was removed by a run that did not create it: %v", err)
	}
}

// TestStateLockFileOfTheUserIsKept: a FILE.lock that was there before the
// wait (the user's own deploy.lock beside --state-file deploy) is reused
// for the lock and never removed nor truncated: not by a run refused with
// exit 2, nor by one that ends well. Only a lock file the run made itself
// is removed at its end.
func TestStateLockFileOfTheUserIsKept(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "deploy")
	mine := []byte("release 42 is being deployed by ops; do not touch\n")
	if err := os.WriteFile(state+".lock", mine, 0o640); err != nil {
		t.Fatal(err)
	}
	kept := func(when string) {
		t.Helper()
		if got, err := os.ReadFile(state + ".lock"); err != nil || string(got) != string(mine) {
			t.Fatalf("%s: the user's %s is %q (%v), want it as it was", when, filepath.Base(state)+".lock", got, err)
		}
	}

	// Refused: the state file is not a state file.
	os.WriteFile(state, []byte("not a state\n"), 0o600)
	r := runWithin(t, 10*time.Second, fakeEnv(srv), args("wait", srv.AddJob(taurusjobtest.Job{}), "--state-file", state, fast, "--no-history")...)
	if r.code != exitUsage {
		t.Fatalf("exit %d, want 2: the state file is foreign\n%s", r.code, r)
	}
	kept("after a run refused with exit 2")

	// A run that ends well, with the lock reused.
	os.Remove(state)
	r = runWithin(t, 30*time.Second, fakeEnv(srv), args("wait", srv.AddJob(taurusjobtest.Job{}), "--state-file", state, fast, "--no-history")...)
	if r.code != exitCompleted {
		t.Fatalf("exit %d, want 0\n%s", r.code, r)
	}
	kept("after a completed run")

	// The reused file still locks: a second wait meanwhile is refused.
	a := startBin(t, fakeEnv(srv), args("wait", srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever}), "--state-file", state, fast, "--no-history")...)
	a.waitFor(t, "Running")
	r = runWithin(t, 10*time.Second, fakeEnv(srv), args("wait", srv.AddJob(taurusjobtest.Job{}), "--state-file", state, fast, "--no-history")...)
	if r.code != exitUsage || !strings.Contains(r.stderr, "in use") {
		t.Fatalf("exit %d, want 2 and \"in use\": the reused lock file must still lock\n%s", r.code, r)
	}
	a.interrupt(t)
	kept("after a run interrupted and one refused as the file was in use")

	// A lock file the run made itself is removed at its end.
	fresh := filepath.Join(dir, "fresh")
	r = runWithin(t, 30*time.Second, fakeEnv(srv), args("wait", srv.AddJob(taurusjobtest.Job{}), "--state-file", fresh, fast, "--no-history")...)
	if r.code != exitCompleted {
		t.Fatalf("exit %d, want 0\n%s", r.code, r)
	}
	if _, err := os.Lstat(fresh + ".lock"); !os.IsNotExist(err) {
		t.Errorf("the run's own lock file was left after a clean end (lstat: %v)", err)
	}
}

// TestStateLockFileThatIsALink: a symbolic link planted at FILE.lock (to
// a file of the user's) is not followed, truncated or removed: the wait
// is refused with exit 2, the link and its target as they were.
func TestStateLockFileThatIsALink(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need a privilege on Windows")
	}
	srv := newFake(t)
	dir := t.TempDir()
	victim := filepath.Join(dir, "authorized_keys")
	os.WriteFile(victim, []byte("ssh-ed25519 AAAA user@host\n"), 0o600)
	state := filepath.Join(dir, "state.json")
	if err := os.Symlink(victim, state+".lock"); err != nil {
		t.Fatal(err)
	}
	r := runWithin(t, 10*time.Second, fakeEnv(srv), args("wait", srv.AddJob(taurusjobtest.Job{}), "--state-file", state, fast, "--no-history")...)
	if r.code != exitUsage || !strings.Contains(r.stderr, "lock file") {
		t.Fatalf("exit %d, want 2 naming the lock file\n%s", r.code, r)
	}
	if got, _ := os.ReadFile(victim); string(got) != "ssh-ed25519 AAAA user@host\n" {
		t.Errorf("the link's target was changed: %q", got)
	}
	if to, err := os.Readlink(state + ".lock"); err != nil || to != victim {
		t.Errorf("the link was replaced or removed: %q, %v", to, err)
	}
}
