//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package main

import "testing"

// mkdev skips the test: device numbers differ between systems, and the
// CI that runs these tests as root is Linux.
func mkdev(t *testing.T, minor int) string {
	t.Helper()
	t.Skip("device nodes are made on Linux only")
	return ""
}
