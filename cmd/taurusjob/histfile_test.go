package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
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
