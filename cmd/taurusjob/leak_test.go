package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// sentinel is a token that must never be printed: if it shows up in any
// output, a credential leaks.
const sentinel = "SENTINEL-TOKEN-5f0c"

// TestNoSecretInOutput runs every kind of ending with --verbose and a
// sentinel token, including servers that echo the token back, and
// searches stdout and stderr for it.
func TestNoSecretInOutput(t *testing.T) {
	t.Parallel()
	srv := newFake(t, taurusjobtest.WithToken(sentinel))
	echo := `{"error_code":"APIGW.0301","error_msg":"token ` + sentinel + ` is not valid here"}`
	jobs := map[string]string{
		"completed":   srv.AddJob(taurusjobtest.Job{Invisible: 50 * time.Millisecond, Running: 150 * time.Millisecond}),
		"failed":      srv.AddJob(taurusjobtest.Job{Running: 50 * time.Millisecond, Outcome: taurusjobtest.Failed}),
		"timeout":     srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever}),
		"not visible": srv.AddJob(taurusjobtest.Job{Invisible: taurusjobtest.Forever}),
		"401 echo":    srv.AddJob(taurusjobtest.Job{}),
		"403 echo":    srv.AddJob(taurusjobtest.Job{}),
		"503 echo":    srv.AddJob(taurusjobtest.Job{Running: 100 * time.Millisecond}),
	}
	srv.AddRule(taurusjobtest.Rule{JobID: jobs["401 echo"], Fault: taurusjobtest.Answer(401, "application/json", echo)})
	srv.AddRule(taurusjobtest.Rule{JobID: jobs["403 echo"], Fault: taurusjobtest.Answer(403, "application/json", echo)})
	srv.AddRule(taurusjobtest.Rule{JobID: jobs["503 echo"], Fault: taurusjobtest.Answer(503, "text/plain", "upstream said "+sentinel), Limit: 2})

	tokenFile := filepath.Join(t.TempDir(), "token")
	os.WriteFile(tokenFile, []byte(sentinel+"\n"), 0o600)
	env := fakeEnv(srv)
	noToken := fakeEnv(srv)
	delete(noToken, envToken)
	limits := args("--verbose", "--timeout", "1500ms", "--visibility-grace", "300ms", fast)

	// The runs go in parallel; each is independent.
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		runs = map[string]result{}
	)
	bin := func(name string, env map[string]string, stdin string, argv ...string) {
		wg.Go(func() {
			r := runBin(t, env, stdin, argv...)
			mu.Lock()
			runs[name] = r
			mu.Unlock()
		})
	}
	for name, id := range jobs {
		for _, format := range []string{"text", "json"} {
			bin(name+"/"+format, env, "", args("wait", id, "--output", format, limits)...)
		}
		bin(name+"/get", env, "", "get", id, "--verbose")
	}
	bin("all at once", env, "", args("wait", jobIDsOf(jobs), limits)...)
	bin("token file", noToken, "", args("wait", jobs["completed"], "--token-file", tokenFile, limits)...)
	bin("token on stdin", noToken, sentinel, args("wait", jobs["completed"], "--token-file", "-", limits)...)
	bin("token and AK/SK", mapWith(env, envAccessKey, "AK", envSecretKey, "SK"), "", "wait", jobs["completed"])
	bin("bad project id", mapWith(env, envProjectID, "bad"), "", "wait", jobs["completed"], "--verbose")
	bin("token pasted as a job id", env, "", "wait", sentinel+strings.Repeat("x", 200))
	bin("AK/SK", mapWith(noToken, envAccessKey, "AK", envSecretKey, sentinel), "", args("wait", jobs["completed"], limits)...)

	// Interrupted, in-process.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	r := runIn(ctx, env, "", args("wait", jobs["timeout"], "--output", "json", limits)...)
	if r.code != exitInterrupted {
		t.Errorf("interrupted: exit %d, want 130\n%s", r.code, r)
	}
	wg.Wait()
	runs["interrupted"] = r

	// A panic whose value holds the token: main's recover must not print it.
	var stderr strings.Builder
	code := run(context.Background(), args("wait", jobs["completed"], fast), func(k string) string { return env[k] },
		strings.NewReader(""), panicWriter{}, &stderr)
	runs["panic"] = result{code: code, stderr: stderr.String()}
	if code != exitInternal || !strings.Contains(stderr.String(), "internal error") {
		t.Errorf("a panic: exit %d, want %d with a generic message\n%s", code, exitInternal, stderr.String())
	}

	for name, r := range runs {
		// Any 12-byte piece of the token counts, not only the whole of it.
		secretcheck.Assert(t, name+" stdout", r.stdout, sentinel)
		secretcheck.Assert(t, name+" stderr", r.stderr, sentinel)
	}
	// The scenarios did run: the echoing servers were reached.
	if r := runs["403 echo/json"]; r.code != 4 || !strings.Contains(r.stdout, "[REDACTED]") {
		t.Errorf("403 echo: want exit 4 and the echoed token redacted\n%s", r)
	}
	if r := runs["completed/text"]; r.code != 0 || !strings.Contains(r.stderr, "DEBUG") {
		t.Errorf("completed with --verbose: want exit 0 and debug logs\n%s", r)
	}
}

// panicWriter panics with the token when written to.
type panicWriter struct{}

func (panicWriter) Write([]byte) (int, error) { panic("leaking " + sentinel) }

func jobIDsOf(m map[string]string) []string {
	var ids []string
	for _, id := range m {
		ids = append(ids, id)
	}
	return ids
}

func mapWith(env map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}
