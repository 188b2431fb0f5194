package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// mkdev makes a character device with Linux's numbers for major 1
// (memory devices): minor 3 is /dev/null, 5 is /dev/zero. It skips the
// test where that cannot be done (not root).
func mkdev(t *testing.T, minor int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("making a device node needs root")
	}
	path := filepath.Join(t.TempDir(), "dev")
	if err := syscall.Mknod(path, syscall.S_IFCHR|0o666, 1<<8|minor); err != nil {
		t.Skipf("mknod: %v", err)
	}
	return path
}
