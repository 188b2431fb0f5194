//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// TestTokenFileFromPipes: handing the token over through a pipe keeps
// working (a named pipe another process writes into, bash's process
// substitution), and a SIGTERM ends the command (exit 130) while it waits
// for the pipe's writer or data, which used to block it for good.
func TestTokenFileFromPipes(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{})
	env := fakeEnv(srv)
	delete(env, envToken)

	t.Run("named pipe with a writer", func(t *testing.T) {
		t.Parallel()
		fifo := mkfifo(t)
		go writeFIFO(fifo, srv.Token()+"\n")
		t.Cleanup(func() { releaseWriter(fifo) })
		if r := runWithin(t, 30*time.Second, env, "wait", id, "--token-file", fifo); r.code != 0 {
			t.Errorf("exit %d, want 0\n%s", r.code, r)
		}
	})
	t.Run("process substitution", func(t *testing.T) {
		t.Parallel()
		bash, err := exec.LookPath("bash")
		if err != nil {
			t.Skip("no bash")
		}
		p := &background{cmd: exec.Command(bash, "-c", `exec "$0" wait "$1" --token-file <(printf '%s\n' "$TOKEN_FOR_TEST")`, binPath, id)}
		p.cmd.Env = append(envList(t, env), "TOKEN_FOR_TEST="+srv.Token())
		p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
		p.began = time.Now()
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if r := p.endWithin(t, 30*time.Second, "reading the token from <(...)"); r.code != 0 {
			t.Errorf("exit %d, want 0\n%s", r.code, r)
		}
	})
	t.Run("SIGTERM while the open waits for a writer", func(t *testing.T) {
		t.Parallel()
		fifo := mkfifo(t)
		p := startBin(t, env, "wait", id, "--token-file", fifo)
		waitInOpen(t, p)
		terminated(t, p, "opening the FIFO")
	})
	t.Run("SIGTERM while the read waits for data", func(t *testing.T) {
		t.Parallel()
		fifo := mkfifo(t)
		p := startBin(t, env, "wait", id, "--token-file", fifo)
		w := openWriter(t, fifo) // returns once taurusjob opened the FIFO
		defer w.Close()
		terminated(t, p, "reading the FIFO")
	})
	t.Run("SIGTERM while stdin has no data", func(t *testing.T) {
		t.Parallel()
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close() // held open: the token never comes
		p := &background{cmd: exec.Command(binPath, "wait", id, "--token-file", "-")}
		p.cmd.Env = envList(t, env)
		p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = r, &p.stdout, &p.stderr
		p.began = time.Now()
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r.Close()
		waitInRead(t, p)
		terminated(t, p, "reading stdin")
	})
}

// terminated sends SIGTERM, as a CI runner's cancel does, and checks
// that the command ends with 130 within 5 s, without a request.
func terminated(t *testing.T, p *background, doing string) {
	t.Helper()
	sent := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r := p.endWithin(t, 5*time.Second, "SIGTERM sent while "+doing)
	t.Logf("ended %s after SIGTERM", time.Since(sent).Round(time.Millisecond))
	if r.code != exitInterrupted || !strings.Contains(r.stderr, "interrupted") {
		t.Errorf("exit %d, want 130 saying it was interrupted\n%s", r.code, r)
	}
}

// writeFIFO writes s into the FIFO at path once a reader opens it.
func writeFIFO(path, s string) {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer f.Close()
	f.WriteString(s)
}

// releaseWriter ends a writeFIFO whose reader never came, so that its
// goroutine does not outlive the test: a reader's open satisfies it.
func releaseWriter(path string) {
	if f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
		f.Close()
	}
}

// openWriter opens the FIFO at path for writing as soon as a reader has
// it open: a non-blocking open for writing fails (ENXIO) until then.
func openWriter(t *testing.T, path string) *os.File {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err == nil {
			return f
		}
		if !errors.Is(err, syscall.ENXIO) {
			t.Fatal(err)
		}
	}
	t.Fatalf("taurusjob did not open the FIFO %s within 10 s", path)
	return nil
}

// waitInOpen waits until a thread of p is blocked opening a FIFO
// ("wait_for_partner" in Linux's /proc/PID/task/TID/wchan), so that the
// signal is sent while the command is in that open.
func waitInOpen(t *testing.T, p *background) {
	t.Helper()
	waitInKernel(t, p, "wait_for_partner", "opening the FIFO")
}

// waitInRead waits until a thread of p is blocked reading a pipe
// (pipe_read, or anon_pipe_read in newer kernels): stdin is read with a
// plain blocking read.
func waitInRead(t *testing.T, p *background) {
	t.Helper()
	waitInKernel(t, p, "pipe_read", "reading the pipe")
}

// waitInKernel waits until a thread of p waits in a kernel function whose
// name holds wchan.
func waitInKernel(t *testing.T, p *background, wchan string, doing string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("seeing where a process blocks needs Linux's /proc")
	}
	var seen []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		seen = seen[:0]
		tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(p.cmd.Process.Pid), "task", "*", "wchan"))
		for _, task := range tasks {
			b, _ := os.ReadFile(task)
			if strings.Contains(string(b), wchan) {
				return
			}
			seen = append(seen, string(b))
		}
	}
	if strings.Trim(strings.Join(seen, ""), "0") == "" {
		t.Skip("/proc hides where threads block (wchan reads 0)")
	}
	t.Fatalf("taurusjob was not seen %s within 10 s (its threads wait in %v)\n%s", doing, seen, p.stderr.String())
}
