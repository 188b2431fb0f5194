package taurusjob_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taurusdb-tools/taurusjob"
)

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

// A state file written twice reads back the last token, is private to its
// owner, and leaves no temporary file beside it.
func TestStateFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "job-1.state")
	for _, token := range []string{"tjs1.first.sum", "tjs1.second.sum"} {
		if err := taurusjob.WriteStateFile(path, token); err != nil {
			t.Fatalf("WriteStateFile: %v", err)
		}
		got, err := taurusjob.ReadStateFile(path)
		if err != nil || got != token {
			t.Fatalf("ReadStateFile = %q, %v; want %q", got, err, token)
		}
	}
	if names := dirNames(t, dir); len(names) != 1 || names[0] != "job-1.state" {
		t.Errorf("directory holds %v; want only the state file", names)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v (%v); want 0600", fi.Mode().Perm(), err)
	}
}

// A missing state file matches fs.ErrNotExist, so a caller starts a fresh
// wait; a file too large to be a token is refused.
func TestReadStateFileErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := taurusjob.ReadStateFile(filepath.Join(dir, "none")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: err = %v, want fs.ErrNotExist", err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, []byte(strings.Repeat("A", taurusjob.MaxStateTokenLen+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := taurusjob.ReadStateFile(big); !errors.Is(err, taurusjob.ErrInvalidInput) {
		t.Errorf("big file: err = %v, want ErrInvalidInput", err)
	}
}

// A write that cannot happen leaves the old file as it was and no
// temporary file; a bad token is refused before anything is written.
func TestWriteStateFileErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "job-1.state")
	if err := taurusjob.WriteStateFile(path, "tjs1.old.sum"); err != nil {
		t.Fatal(err)
	}
	for name, token := range map[string]string{
		"empty":    "",
		"newline":  "tjs1.a\nb.sum",
		"too long": strings.Repeat("A", taurusjob.MaxStateTokenLen+1),
	} {
		if err := taurusjob.WriteStateFile(path, token); !errors.Is(err, taurusjob.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
	if err := taurusjob.WriteStateFile(filepath.Join(dir, "no-such-dir", "s"), "tjs1.new.sum"); err == nil {
		t.Error("write into a missing directory: no error")
	}
	// A directory in the way: the rename fails after the temporary file
	// was written; it must be removed.
	if err := os.Mkdir(filepath.Join(dir, "taken"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "taken", "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := taurusjob.WriteStateFile(filepath.Join(dir, "taken"), "tjs1.new.sum"); err == nil {
		t.Error("write over a directory: no error")
	}
	if got, err := taurusjob.ReadStateFile(path); err != nil || got != "tjs1.old.sum" {
		t.Errorf("old file = %q, %v; want it untouched", got, err)
	}
	if names := dirNames(t, dir); len(names) != 2 {
		t.Errorf("directory holds %v; want the state file and the directory, no temporary file", names)
	}
}

// WriteFileAtomic, which the CLI keeps its state and history with,
// replaces a file whole, owner-only, and leaves no temporary file behind.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "history.json")
	for _, content := range []string{`{"a":[1]}`, `{"b":[2,3]}`} {
		if err := taurusjob.WriteFileAtomic(path, []byte(content)); err != nil {
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
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the directory, want only the one written", len(entries))
	}
	if err := taurusjob.WriteFileAtomic(dir+"/", []byte("x")); !errors.Is(err, taurusjob.ErrInvalidInput) {
		t.Errorf("a directory path: err = %v, want ErrInvalidInput", err)
	}
}
