package main

import (
	"bytes"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// TestTerminalProgress runs the binary with stderr on a pseudo-terminal:
// progress must be one live line, rewritten with \r (and cleared to the
// end with ESC [K), left on screen with a newline at the end, while the
// result still goes to stdout as plain text.
func TestTerminalProgress(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{Invisible: 200 * time.Millisecond, Running: 1500 * time.Millisecond})

	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(tty, &pty.Winsize{Rows: 24, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binPath, args("wait", id, "--min-interval", "100ms", "--max-interval", "300ms")...)
	cmd.Env = envList(fakeEnv(srv))
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the child holds its own copy
	var screen bytes.Buffer
	copied := make(chan struct{})
	go func() {
		io.Copy(&screen, ptmx) // ends with EIO once the child exits
		close(copied)
	}()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("taurusjob: %v\nstdout:\n%s", err, stdout.String())
	}
	select {
	case <-copied:
	case <-time.After(5 * time.Second):
		t.Fatal("the terminal output did not end")
	}
	out := screen.String()
	rewrites := strings.Count(out, "\r"+"job "+id+": ")
	if rewrites < 4 {
		t.Errorf("the live line was drawn %d times, want several rewrites with \\r\n%q", rewrites, out)
	}
	for _, w := range []string{"\x1b[K", "not visible yet", "Running [", "elapsed", "next poll in", "Completed"} {
		if !strings.Contains(out, w) {
			t.Errorf("terminal output lacks %q\n%q", w, out)
		}
	}
	// The terminal's line discipline turns \n into \r\n.
	if !strings.HasSuffix(out, "\n") || strings.Count(strings.ReplaceAll(out, "\r\n", "\n"), "\n") != 1 {
		t.Errorf("want a single line ended by one newline at the end\n%q", out)
	}
	if strings.Contains(out, "taurusjob: job") {
		t.Errorf("plain progress lines on a terminal\n%q", out)
	}
	if !strings.HasPrefix(stdout.String(), "job "+id+": completed\n") {
		t.Errorf("stdout (not a terminal) = %q, want the text result", stdout.String())
	}
	noControl(t, "stdout", stdout.String())
}
