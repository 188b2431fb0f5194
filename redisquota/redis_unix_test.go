//go:build unix

package redisquota

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisServerEnv may name the redis-server binary; CI (.ci/run) sets it.
const redisServerEnv = "TAURUSJOB_REDIS_SERVER"

// startRedis starts a redis-server of its own on a free loopback port,
// with no persistence, and returns its address; cleanup kills it,
// whatever happens. Without the binary the test is skipped.
func startRedis(t *testing.T) string {
	t.Helper()
	bin := os.Getenv(redisServerEnv)
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("redis-server"); err != nil {
			t.Skipf("no redis-server on PATH and %s unset: install it (apt-get install redis-server) to run the real-Redis tests", redisServerEnv)
		}
	}
	for range 3 { // the free port may be taken meanwhile: try another
		port := freePort(t)
		cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--dir", t.TempDir(), "--loglevel", "warning")
		p := startProc(t, "redis-server", cmd)
		addr := "127.0.0.1:" + port
		if ping(addr, p) {
			return addr
		}
	}
	t.Fatalf("redis-server (%s) did not answer PING on any of 3 ports", bin)
	return ""
}

// ping reports whether the redis-server at addr answers within 10 s,
// giving up at once when its process p has exited.
func ping(addr string, p *proc) bool {
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer rdb.Close()
	end := time.Now().Add(10 * time.Second)
	for time.Now().Before(end) && !p.exited() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// client returns a go-redis client on addr, as README advises one:
// context deadlines bound each call. It is closed when the test ends.
func client(t *testing.T, addr string) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// proc is a process the test started, in a process group of its own so
// that cleanup kills it and whatever it started.
type proc struct {
	name   string
	cmd    *exec.Cmd
	done   chan struct{} // closed when it has exited
	stderr *lockedBuffer
}

// startProc starts cmd and registers its cleanup: SIGKILL to its process
// group, whatever happened, and its standard error in the log of a test
// that failed.
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
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
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

// exited reports whether the process has exited.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// lockedBuffer is a bytes.Buffer written by a process and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// tail returns the last n bytes written; String, all of them.
func (b *lockedBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.b.Bytes()
	return string(s[max(0, len(s)-n):])
}

func (b *lockedBuffer) String() string { return b.tail(1 << 30) }

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
