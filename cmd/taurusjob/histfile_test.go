package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// TestHistoryFileNotAHistoryIsLeftAlone: a --history-file that is not a
// duration history (the user's notes given by mistake, a damaged file) is
// neither used nor rewritten, whatever the wait learns; one warning says
// so, and the exit code is the wait's.
func TestHistoryFileNotAHistoryIsLeftAlone(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	for _, tc := range []struct{ name, content string }{
		{"notes", "remember: resize the replica on Friday\n"},
		{"truncated", `{"truncated":[1`},
		{"a JSON list", `["CreateX", 60]`},
		{"over 4 MiB", `{"CreateX":[60]}` + strings.Repeat(" ", maxHistoryFile)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "notes.txt")
			os.WriteFile(path, []byte(tc.content), 0o644)
			id := srv.AddJob(learnable("CreateX"))
			r := runWithin(t, 30*time.Second, fakeEnv(srv), args("wait", id, "--history-file", path, fast)...)
			if r.code != exitCompleted {
				t.Fatalf("exit %d, want 0: the history is a help, never a requirement\n%s", r.code, r)
			}
			if n := strings.Count(r.stderr, "warning"); n != 1 || !strings.Contains(r.stderr, path) ||
				!strings.Contains(r.stderr, "left as it is") {
				t.Errorf("want exactly one warning naming the file and saying it is left as it is, got %d\n%s", n, r)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, []byte(tc.content)) {
				t.Errorf("the file was rewritten:\n%s", after)
			}
			if st, _ := os.Stat(path); runtime.GOOS != "windows" && st.Mode().Perm() != 0o644 {
				t.Errorf("the file's mode changed to %v", st.Mode().Perm())
			}
		})
	}
}

// TestHistoryFileThatWouldLoseDataIsLeftAlone: a --history-file that parses
// as JSON but is not a history this tool can rewrite without losing some
// of it is left byte for byte as it is, mode included, with one warning:
// null, another program's shape ({"readings":[…]} of 12 values, of which a
// history keeps 8), values a history drops (negative, over 30 days, out of
// float range), a nested object, an empty job name. (testdata/history/)
func TestHistoryFileThatWouldLoseDataIsLeftAlone(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "history", "*.json"))
	for _, fixture := range fixtures {
		if filepath.Base(fixture) == "valid.json" {
			continue
		}
		t.Run(filepath.Base(fixture), func(t *testing.T) {
			t.Parallel()
			content, err := os.ReadFile(fixture)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "history.json")
			os.WriteFile(path, content, 0o640)
			os.Chmod(path, 0o640) // whatever the umask
			r := runWithin(t, 30*time.Second, fakeEnv(srv), args("wait", srv.AddJob(learnable("CreateX")), "--history-file", path, fast)...)
			if r.code != exitCompleted {
				t.Fatalf("exit %d, want 0: the history is a help, never a requirement\n%s", r.code, r)
			}
			if n := strings.Count(r.stderr, "warning"); n != 1 || !strings.Contains(r.stderr, path) ||
				!strings.Contains(r.stderr, "left as it is") {
				t.Errorf("want exactly one warning naming the file and saying it is left as it is, got %d\n%s", n, r)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, content) {
				t.Errorf("the file was rewritten:\n%s\nwas:\n%s", after, content)
			}
			if st, _ := os.Stat(path); runtime.GOOS != "windows" && st.Mode().Perm() != 0o640 {
				t.Errorf("the file's mode changed to %v", st.Mode().Perm())
			}
		})
	}
}

// TestHistoryFileLinkAndMode: a --history-file that is a symbolic link (to
// a history kept with the user's dotfiles, say) is written through: the
// target gets the new duration and keeps its mode (0640), and the link
// stays a link to it. A link to a file that does not exist yet makes it.
func TestHistoryFileLinkAndMode(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need a privilege on Windows")
	}
	srv := newFake(t)
	valid, err := os.ReadFile(filepath.Join("testdata", "history", "valid.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		content []byte // nil: the target does not exist
	}{{"to a history", valid}, {"to a missing file", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			targetDir, linkDir := t.TempDir(), t.TempDir()
			target := filepath.Join(targetDir, "history.json")
			if tc.content != nil {
				os.WriteFile(target, tc.content, 0o640)
				os.Chmod(target, 0o640)
			}
			link := filepath.Join(linkDir, "history.json")
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			r := runWithin(t, 30*time.Second, fakeEnv(srv), args("wait", srv.AddJob(learnable("CreateX")), "--history-file", link, fast)...)
			if r.code != exitCompleted || strings.Contains(r.stderr, "warning") {
				t.Fatalf("exit %d, want 0 without a warning\n%s", r.code, r)
			}
			if to, err := os.Readlink(link); err != nil || to != target {
				t.Fatalf("the link was replaced: readlink = %q, %v", to, err)
			}
			var h map[string][]float64
			b, _ := os.ReadFile(target)
			if err := json.Unmarshal(b, &h); err != nil || len(h["CreateX"]) != 1 {
				t.Fatalf("the target holds %s (%v), want the new duration", b, err)
			}
			if tc.content != nil && len(h["CreateInstance"]) != 2 {
				t.Errorf("the target lost its durations: %s", b)
			}
			want := os.FileMode(0o640)
			if tc.content == nil {
				want = 0o600
			}
			if st, _ := os.Stat(target); st.Mode().Perm() != want {
				t.Errorf("the target's mode is %v, want %v", st.Mode().Perm(), want)
			}
			checkNoTemp(t, targetDir)
			checkNoTemp(t, linkDir)
		})
	}
}

// TestNoHistoryVariable: TAURUSJOB_NO_HISTORY=1 (as fake-api exports it)
// turns the history off; --history-file beats it; a value that says
// neither yes nor no is a usage error naming the variable.
func TestNoHistoryVariable(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	dir := t.TempDir()
	off := mapWith(fakeEnv(srv), envNoHistory, "1")
	if r := runIn(t.Context(), off, "", args("wait", srv.AddJob(learnable("CreateX")), fast)...); r.code != exitCompleted {
		t.Fatalf("exit %d\n%s", r.code, r)
	}
	path := filepath.Join(dir, "h.json")
	if r := runIn(t.Context(), off, "", args("wait", srv.AddJob(learnable("CreateX")), "--history-file", path, fast)...); r.code != exitCompleted {
		t.Fatalf("with --history-file: exit %d\n%s", r.code, r)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("--history-file did not beat %s: %v", envNoHistory, err)
	}
	r := runIn(t.Context(), mapWith(fakeEnv(srv), envNoHistory, "perhaps"), "", "wait", srv.AddJob(taurusjobtest.Job{}))
	if r.code != exitUsage || !strings.Contains(r.stderr, envNoHistory) {
		t.Errorf("%s=perhaps: exit %d, want 2 naming the variable\n%s", envNoHistory, r.code, r)
	}
}
