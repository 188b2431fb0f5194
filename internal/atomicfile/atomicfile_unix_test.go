//go:build unix

package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A program that saves its state to a path it was given must not replace
// a pipe, a device or a directory that happens to be there.
func TestWriteLeavesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, sub} {
		if err := Write(path, []byte("tjs1.x.y")); !errors.Is(err, ErrNotRegular) {
			t.Errorf("Write(%s) = %v; want ErrNotRegular", filepath.Base(path), err)
		}
		if fi, _ := os.Lstat(path); fi == nil || fi.Mode().IsRegular() {
			t.Errorf("%s was replaced by a regular file", filepath.Base(path))
		}
	}
}
