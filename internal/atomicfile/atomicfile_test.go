package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// The CLI's state and history files are replaced whole, owner-only, and
// leave no temporary file behind.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "history.json")
	for _, content := range []string{`{"a":[1]}`, `{"b":[2,3]}`} {
		if err := Write(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("file holds %q (%v), want %q", got, err, content)
		}
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if names := dirNames(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v, want only the file written", names)
	}
	if err := Write(dir+"/", []byte("x")); !errors.Is(err, ErrNotRegular) {
		t.Errorf("a directory path: err = %v, want ErrNotRegular", err)
	}
}

// A write that cannot happen leaves the old file as it was and no
// temporary file.
func TestWriteFailures(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "job-1.state")
	if err := Write(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	if err := Write(filepath.Join(dir, "no-such-dir", "s"), []byte("new")); err == nil {
		t.Error("write into a missing directory: no error")
	}
	// A directory in the way: refused before a temporary file is made.
	taken := filepath.Join(dir, "taken")
	if err := os.Mkdir(taken, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(taken, "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(taken, []byte("new")); !errors.Is(err, ErrNotRegular) {
		t.Errorf("write over a directory: err = %v, want ErrNotRegular", err)
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != "old" {
		t.Errorf("old file = %q, %v; want it untouched", got, err)
	}
	if names := dirNames(t, dir); len(names) != 2 {
		t.Errorf("directory holds %v; want the file and the directory, no temporary file", names)
	}
}

// dirNames lists the names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// A file replaced keeps the mode its owner gave it: a state file made
// group-readable for a CI's other jobs stays so.
func TestWriteKeepsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil { // whatever the umask
		t.Fatal(err)
	}
	if err := Write(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := os.FileMode(0o640); runtime.GOOS != "windows" && fi.Mode().Perm() != want {
		t.Errorf("mode %v after a write, want %v kept", fi.Mode().Perm(), want)
	}
}
