//go:build unix

package taurustemporal

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// proc is a process the real-server test started, in a process group of
// its own so that cleanup kills it and whatever it started.
type proc struct {
	name   string
	cmd    *exec.Cmd
	done   chan struct{} // closed when it has exited
	stderr *lockedBuffer
}

// startProc starts cmd and registers its cleanup: SIGKILL to its process
// group, whatever happened, and its standard error in the test's log when
// the test failed.
func startProc(t *testing.T, name string, cmd *exec.Cmd) *proc {
	t.Helper()
	p := &proc{name: name, cmd: cmd, done: make(chan struct{}), stderr: &lockedBuffer{}}
	cmd.Stderr = p.stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.signal(syscall.SIGKILL)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			t.Errorf("%s (pid %d) did not exit after SIGKILL", name, cmd.Process.Pid)
		}
		if t.Failed() {
			t.Logf("standard error of %s:\n%s", name, p.stderr.tail(4000))
		}
	})
	return p
}

// signal sends sig to the process group.
func (p *proc) signal(sig syscall.Signal) { _ = syscall.Kill(-p.cmd.Process.Pid, sig) }

// exited reports whether the process has exited.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// lockedBuffer is a bytes.Buffer for a process's output and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// tail returns the last n bytes written.
func (b *lockedBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.b.Bytes()
	return string(s[max(0, len(s)-n):])
}

// eventLog collects the events the workers write, one JSON line each.
type eventLog struct {
	mu     sync.Mutex
	events []realEvent
	bad    []string // lines that are not events
}

// writer returns the standard output of one worker.
func (l *eventLog) writer() *lineWriter { return &lineWriter{log: l} }

// all returns the events so far.
func (l *eventLog) all() []realEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]realEvent(nil), l.events...)
}

func (l *eventLog) add(line []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var e realEvent
	if err := json.Unmarshal(line, &e); err != nil || e.Event == "" {
		l.bad = append(l.bad, string(line))
		return
	}
	l.events = append(l.events, e)
}

// lineWriter splits a worker's output into lines for its eventLog.
type lineWriter struct {
	log     *eventLog
	partial []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.log.add(w.partial[:i])
		w.partial = w.partial[i+1:]
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// waitUntil checks cond every 50 ms until it holds, failing the test
// after timeout.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("after %v: %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// workerEnv is the environment of a worker process named name (and
// realThrottleEnv, when set, passes on).
func workerEnv(name, hostPort string, api realAPI) []string {
	settings, _ := json.Marshal(api)
	return append(os.Environ(), realWorkerEnv+"="+name, realHostPortEnv+"="+hostPort, realAPIEnv+"="+string(settings))
}
