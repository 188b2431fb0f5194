//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// (Built where package syscall has Mkfifo.)
//
// Files that are not regular files, given where the CLI reads and replaces
// a file: a FIFO (any user can make one) and a device node (root only;
// the CI runs as root). The devices are twins of /dev/null and /dev/zero
// made in a temporary directory, so that a regression replaces the twin,
// not the machine's own device.

// mkfifo makes a named pipe in a temporary directory.
func mkfifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	return path
}

// linkTo makes what make makes, and returns a symbolic link to it.
func linkTo(make func(t *testing.T) string) func(t *testing.T) string {
	return func(t *testing.T) string {
		t.Helper()
		link := filepath.Join(t.TempDir(), "link")
		if err := os.Symlink(make(t), link); err != nil {
			t.Fatal(err)
		}
		return link
	}
}

// TestHistoryFileNotRegular: a --history-file that is a FIFO or a device
// is neither opened for reading in a way that blocks, nor replaced; the
// wait goes on without a history, with one warning.
func TestHistoryFileNotRegular(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	for _, tc := range []struct {
		name, kind string
		make       func(t *testing.T) string
		typ        os.FileMode
	}{
		{"FIFO", "named pipe", mkfifo, os.ModeNamedPipe},
		{"device like /dev/zero", "character device", func(t *testing.T) string { return mkdev(t, 5) }, os.ModeDevice | os.ModeCharDevice},
		{"device like /dev/null", "character device", func(t *testing.T) string { return mkdev(t, 3) }, os.ModeDevice | os.ModeCharDevice},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := tc.make(t)
			id := srv.AddJob(learnable("CreateX"))
			r := runWithin(t, 30*time.Second, fakeEnv(srv), args("wait", id, "--history-file", path, fast)...)
			if r.code != exitCompleted {
				t.Fatalf("exit %d, want 0\n%s", r.code, r)
			}
			if n := strings.Count(r.stderr, "warning"); n != 1 || !strings.Contains(r.stderr, path) || !strings.Contains(r.stderr, tc.kind) {
				t.Errorf("want one warning naming the file as a %s, got %d\n%s", tc.kind, n, r)
			}
			sameFileKind(t, path, tc.typ)
		})
	}
}

// TestStateFileNotRegular: a --state-file that is a FIFO or a device is
// refused at once (exit 2, naming the flag, the file and what it is),
// before any request, and left as it is. A FIFO used to block the command
// in open(), out of reach of SIGTERM; a device was replaced by root.
func TestStateFileNotRegular(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever})
	for _, tc := range []struct {
		name, kind string
		make       func(t *testing.T) string
		typ        os.FileMode
	}{
		{"FIFO", "named pipe", mkfifo, os.ModeNamedPipe},
		{"link to a FIFO", "named pipe", linkTo(mkfifo), os.ModeSymlink},
		{"device like /dev/null", "character device", func(t *testing.T) string { return mkdev(t, 3) }, os.ModeDevice | os.ModeCharDevice},
		{"device like /dev/zero", "character device", func(t *testing.T) string { return mkdev(t, 5) }, os.ModeDevice | os.ModeCharDevice},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := tc.make(t)
			r := runWithin(t, 10*time.Second, fakeEnv(srv), args("wait", id, "--state-file", path, "--timeout", "2s", fast)...)
			t.Logf("ended after %s", r.took.Round(time.Millisecond))
			if r.code != exitUsage {
				t.Fatalf("exit %d, want 2\n%s", r.code, r)
			}
			for _, w := range []string{"--state-file", path, tc.kind, "not a regular file"} {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q\n%s", w, r)
				}
			}
			if n := srv.RequestCount(id); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
			sameFileKind(t, path, tc.typ)
		})
	}
}

// TestStateLockFileNotRegular: a FIFO planted at FILE.lock (whose open
// would block the command out of reach of SIGTERM) is refused at once
// with exit 2, before any request, and left as it is.
func TestStateLockFileNotRegular(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{})
	fifo := mkfifo(t)
	state := filepath.Join(filepath.Dir(fifo), "state.json")
	if err := os.Rename(fifo, state+".lock"); err != nil {
		t.Fatal(err)
	}
	r := runWithin(t, 10*time.Second, fakeEnv(srv), args("wait", id, "--state-file", state, fast, "--no-history")...)
	if r.code != exitUsage || !strings.Contains(r.stderr, "named pipe") {
		t.Fatalf("exit %d, want 2 naming what the lock file is\n%s", r.code, r)
	}
	if n := srv.RequestCount(id); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
	sameFileKind(t, state+".lock", os.ModeNamedPipe)
}
