package main

import (
	"os"
	"testing"
	"time"
)

// endWithin waits at most bound for a process started by startBin to end,
// and returns how it ended. A process still running at the bound is
// killed and the test fails, saying what it was doing.
func (p *background) endWithin(t *testing.T, bound time.Duration, doing string) result {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(bound):
		p.cmd.Process.Kill()
		<-done
		t.Fatalf("taurusjob still running %s after %s (%s); killed\nstderr:\n%s", time.Since(p.began).Round(time.Millisecond),
			bound, doing, p.stderr.String())
	}
	return p.ended(t, err)
}

// runWithin runs the binary as runBin does, but fails the test when it
// does not end within bound (a blocked open, say) instead of hanging.
func runWithin(t *testing.T, bound time.Duration, env map[string]string, argv ...string) result {
	t.Helper()
	return startBin(t, env, argv...).endWithin(t, bound, "it should have ended by itself")
}

// sameFileKind fails unless path is still a file of the given type (a
// FIFO, a device): the command must not have replaced it.
func sameFileKind(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Lstat(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if got := st.Mode().Type(); got != want {
		t.Errorf("%s is now of type %v, want %v: it was replaced", path, got, want)
	}
}
