package main

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readmeShellTest returns the shell test README.md shows for fake-api,
// with one line added that prints the fake's endpoint.
func readmeShellTest(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, script, ok := strings.Cut(string(b), "```sh\n#!/bin/sh\n")
	script, _, ok2 := strings.Cut(script, "```")
	const eval = `eval "$fake";`
	if !ok || !ok2 || !strings.Contains(script, eval) || !strings.Contains(script, "fake-api --detach") {
		t.Fatalf("README.md has no fake-api shell test (a sh block starting #!/bin/sh, with %s)", eval)
	}
	return strings.Replace(script, eval, eval+` echo "endpoint $TAURUSJOB_ENDPOINT";`, 1)
}

// TestFakeAPIShellScript runs README's shell test with sh, as a user
// would: fake-api --detach is ready when it returns (no loop, no race),
// serves jobs that end wait with exit codes 0, 1, 3, 4 and 5, and stops
// when the script kills it.
func TestFakeAPIShellScript(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("fake-api --detach and this sh script are for POSIX systems")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh in PATH")
	}
	script := filepath.Join(t.TempDir(), "test.sh")
	if err := os.WriteFile(script, []byte(readmeShellTest(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, sh, script)
	// The developer's own credentials are in the environment the script
	// gets: the exports must replace them (the unset line), and the
	// detached fake must not see them.
	cmd.Env = envList(t, map[string]string{
		"PATH":           filepath.Dir(binPath) + string(os.PathListSeparator) + os.Getenv("PATH"),
		envRegion:        "cn-north-4",
		envAccessKey:     "AKDEVELOPERSOWN",
		envSecretKey:     "SKDEVELOPERSOWN",
		envSecurityToken: "STDEVELOPERSOWN",
	})
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "all exit codes as expected") {
		t.Fatalf("the shell test failed: %v\n%s", err, out)
	}
	// The trap killed the fake: its port stops answering.
	_, endpoint, _ := strings.Cut(string(out), "endpoint ")
	endpoint, _, _ = strings.Cut(endpoint, "\n")
	waitClosed(t, endpoint, 5*time.Second)
}

// waitClosed fails unless nothing listens at endpoint within limit: the
// fake stopped. (A stopped fake may stay a zombie where nobody reaps
// orphans, so the port is the test, not the pid.)
func waitClosed(t *testing.T, endpoint string, limit time.Duration) {
	t.Helper()
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatalf("endpoint %q: %v", endpoint, err)
	}
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err != nil {
			return
		}
		c.Close()
	}
	t.Errorf("the fake at %s still listens %s after it was told to stop", endpoint, limit)
}

// exportsOf reads the variables of fake-api's export lines, as eval would.
func exportsOf(t *testing.T, out string) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(line, "export ")
		if !ok {
			continue
		}
		for _, kv := range strings.Fields(rest) {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = strings.Trim(v, "'")
		}
	}
	for _, k := range []string{envEndpoint, envProjectID, envToken} {
		if env[k] == "" {
			t.Fatalf("fake-api's stdout does not export %s\n%s", k, out)
		}
	}
	return env
}

// TestFakeAPIForeground: without --detach, the export lines come on
// stdout once the fake answers, the jobs are as scripted, and SIGINT or
// SIGTERM stop it with exit 0.
func TestFakeAPIForeground(t *testing.T) {
	t.Parallel()
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(binPath, "fake-api", "--job", "id=a,running=300ms,profile=steps:50", "--job", "id=b,outcome=canceled")
			cmd.Env = envList(t, nil)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if cmd.ProcessState == nil {
					cmd.Process.Kill()
					cmd.Wait()
				}
			})
			// Two lines (unset, export), read as a script would: the
			// fake answers once they are out.
			rd := bufio.NewReader(stdout)
			var out strings.Builder
			for range 2 {
				line, err := rd.ReadString('\n')
				out.WriteString(line)
				if err != nil {
					t.Fatalf("reading the exports: %v\n%s", err, out.String())
				}
			}
			env := exportsOf(t, out.String())
			if !strings.HasPrefix(out.String(), "unset TAURUSJOB_REGION TAURUSJOB_TOKEN_COMMAND CLOUD_SDK_AK CLOUD_SDK_SK CLOUD_SDK_SECURITY_TOKEN "+
				"HUAWEICLOUD_SDK_AK HUAWEICLOUD_SDK_SK HUAWEICLOUD_SDK_SECURITY_TOKEN\n") {
				t.Errorf("stdout does not start with the unset line\n%s", out.String())
			}
			r := runBin(t, env, "", args("wait", "a", "b", "--output", "json", fast)...)
			lines := jsonLines(t, r)
			if r.code != exitFailed || len(lines) != 2 || lines[0].Outcome != "completed" || lines[1].Outcome != "canceled" {
				t.Fatalf("wait a b: want exit 1, a completed and b canceled\n%s", r)
			}
			cmd.Process.Signal(sig)
			err = cmd.Wait()
			if err != nil {
				t.Errorf("fake-api after %s: %v, want exit 0", sig, err)
			}
			waitClosed(t, env[envEndpoint], 5*time.Second)
		})
	}
}

// TestFakeAPIDetachFor: a detached fake nobody kills stops after --for.
func TestFakeAPIDetachFor(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no --detach on Windows")
	}
	// --for leaves the get below a few seconds, however loaded the machine.
	r := runBin(t, nil, "", "fake-api", "--detach", "--for", "4s", "--job", "id=x")
	if r.code != 0 {
		t.Fatalf("fake-api --detach: exit %d\n%s", r.code, r)
	}
	env := exportsOf(t, r.stdout)
	pid, err := strconv.Atoi(env["TAURUSJOB_FAKE_API_PID"])
	if err != nil {
		t.Fatalf("no TAURUSJOB_FAKE_API_PID export\n%s", r)
	}
	if pid <= 0 {
		t.Errorf("TAURUSJOB_FAKE_API_PID=%d", pid)
	}
	// get sends one request, retrying nothing: the fake answers as soon
	// as --detach returned.
	if g := runBin(t, env, "", "get", "x"); g.code != 0 {
		t.Fatalf("get x from the detached fake: exit %d\n%s", g.code, g)
	}
	waitClosed(t, env[envEndpoint], 15*time.Second)
}

// TestFakeAPIRefuses: an address off loopback, or a job spec that does
// not parse, is exit 2 with a message naming the mistake, before anything
// listens (with --detach too: nothing is left running).
func TestFakeAPIRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		argv []string
		want string
	}{
		{[]string{"--listen", "0.0.0.0:0", "--job", "id=x"}, "loopback only"},
		{[]string{"--listen", ":0", "--job", "id=x"}, "loopback only"},
		{[]string{"--detach", "--listen", "192.0.2.1:80", "--job", "id=x"}, "loopback only"},
		{[]string{"--listen", "nowhere", "--job", "id=x"}, "is not HOST:PORT"},
		{nil, "no job: give at least one --job"},
		{[]string{"--job", "id=x,outcome=done"}, `outcome "done": give completed, failed, canceled, never-visible or error`},
		{[]string{"--job", "id=x,colour=red"}, `unknown key "colour"; the keys are id, outcome,`},
		{[]string{"--job", "id=x,running=20"}, "running=20: add a unit: 20s, 20m"},
		{[]string{"--job", "id=x,http=404"}, "http= goes with outcome=error"},
		{[]string{"--job", "id=x,outcome=error,http=200"}, "400 to 599"},
		{[]string{"--job", "id=x", "--job", "id=x"}, "the id x is given twice"},
		{[]string{"--job", "id=a b"}, "only letters, digits"},
		{[]string{"--job", "id=x", "--for", "10"}, "--for 10: add a unit: 10s, 10m"},
		{[]string{"--job", "id=x", "extra"}, "fake-api takes no arguments"},
	} {
		r := runBin(t, nil, "", append([]string{"fake-api"}, tc.argv...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("fake-api %q: want exit 2, %q on stderr and nothing on stdout\n%s", tc.argv, tc.want, r)
		}
	}
}

// userHistory is a user's real duration history, as it was before a test.
type userHistory struct {
	path    string
	content []byte
}

// realHistory makes a home directory whose cache holds a user's history,
// with what a real job of the demo's and the fake's default name took.
func realHistory(t *testing.T) (home string, h userHistory) {
	t.Helper()
	home = t.TempDir()
	h.path = filepath.Join(home, ".cache", "taurusjob", "history.json")
	h.content = []byte(`{"CreateGaussDBforMySQLInstance":[3605.2,3712.8]}` + "\n")
	if err := os.MkdirAll(filepath.Dir(h.path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.path, h.content, 0o600); err != nil {
		t.Fatal(err)
	}
	return home, h
}

// untouched fails unless the history is as it was, alone in its directory.
func (h userHistory) untouched(t *testing.T, what string) {
	t.Helper()
	if got, err := os.ReadFile(h.path); err != nil || !bytes.Equal(got, h.content) {
		t.Errorf("%s changed the user's real history: %q (%v), was %q", what, got, err, h.content)
	}
	if ents, _ := os.ReadDir(filepath.Dir(h.path)); len(ents) != 1 {
		t.Errorf("%s left files beside the user's history: %v", what, ents)
	}
}

// TestFakeAPIKeepsOutOfTheRealHistory: a wait against the fake, in a
// shell that evaluated fake-api's exports, leaves the user's real history
// (~/.cache/taurusjob/history.json) as it was. A fake job of an hour-long
// job's name that completes in a second, recorded there, made the next
// real job show "ETA within 39s".
func TestFakeAPIKeepsOutOfTheRealHistory(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no --detach on Windows")
	}
	home, history := realHistory(t)
	user := map[string]string{"HOME": home, "XDG_CACHE_HOME": filepath.Join(home, ".cache")}
	r := runBin(t, user, "", "fake-api", "--detach", "--for", "30s", "--job", "id=ok,running=1500ms")
	if r.code != 0 {
		t.Fatalf("fake-api --detach: exit %d\n%s", r.code, r)
	}
	env := exportsOf(t, r.stdout)
	if pid, err := strconv.Atoi(env["TAURUSJOB_FAKE_API_PID"]); err == nil {
		t.Cleanup(func() {
			if p, err := os.FindProcess(pid); err == nil {
				p.Kill()
			}
		})
	}
	for k, v := range user {
		env[k] = v
	}
	if w := runBin(t, env, "", args("wait", "ok", fast)...); w.code != exitCompleted {
		t.Fatalf("wait ok against the fake: exit %d\n%s", w.code, w)
	}
	history.untouched(t, "a wait against the fake")
}
