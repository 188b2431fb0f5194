package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// TestTokenCommandRunsAgainAfter401: the token command is the client's
// token source: run once before the first request and again when the API
// answers 401, so that a wait outlives its token. Neither token is printed.
func TestTokenCommandRunsAgainAfter401(t *testing.T) {
	skipOnWindows(t)
	t.Parallel()
	const prefix = "MIIrotatingTOKENfromTHEcommand-"
	var requests atomic.Int32
	srv := newFake(t, taurusjobtest.WithAuthCheck(func(r *http.Request) error {
		// The first token is good for the first request only: it expires.
		want := prefix + "2"
		if requests.Add(1) == 1 {
			want = prefix + "1"
		}
		if r.Header.Get("X-Auth-Token") != want {
			return errors.New("the token has expired")
		}
		return nil
	}))
	id := srv.AddJob(taurusjobtest.Job{Running: time.Second})
	runsFile := filepath.Join(t.TempDir(), "runs")
	// Each run prints the next token: prefix-1, then prefix-2, ...
	cmd := `n=$(cat '` + runsFile + `' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '` + runsFile + `'; echo ` + prefix + `$n`
	env := fakeEnv(srv)
	delete(env, envToken)
	r := runBin(t, env, "", args("wait", id, "--output", "json", "--verbose", "--token-command", cmd, fast)...)
	if r.code != 0 {
		t.Fatalf("want exit 0 with the token renewed by a second run\n%s", r)
	}
	runs, _ := os.ReadFile(runsFile)
	if got := strings.TrimSpace(string(runs)); got != "2" {
		t.Errorf("the command ran %s times, want 2: once at the start, once after the 401", got)
	}
	secretcheck.Assert(t, "the output", r.stdout+r.stderr, prefix+"1", prefix+"2")
}

// TestTokenCommandFailures: a token command that fails, prints junk, too
// much or nothing, is exit 2 before any request, saying what went wrong
// without showing what it printed (on stdout or stderr).
func TestTokenCommandFailures(t *testing.T) {
	skipOnWindows(t)
	t.Parallel()
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{})
	const secret = "MIIsecretPRINTEDbyTHEcommand"
	env := fakeEnv(srv)
	delete(env, envToken)
	for _, tc := range []struct{ name, cmd, want string }{
		{"fails", "echo " + secret + "; echo " + secret + " >&2; exit 3", "the command failed (exit status 3)"},
		{"not found", "no-such-command-for-taurusjob " + secret, "the command failed (exit status 127)"},
		{"junk", `printf '` + secret + `\033[31m\n'`, "holds a character no token holds"},
		{"not text", `printf '` + secret + `\377\376\n'`, "holds a character no token holds"},
		{"two lines", "echo " + secret + "; echo " + secret, "more than one line"},
		{"nothing", "true", "printed no token"},
		{"over 64 KiB", "head -c 70000 /dev/zero | tr '\\0' M", "larger than 65536 bytes"},
	} {
		for _, how := range []string{"flag", "variable"} {
			argv, e := args("wait", id, fast), mapWith(env, envTokenCommand, tc.cmd)
			if how == "flag" {
				argv, e = args(argv, "--token-command", tc.cmd), env
			}
			r := runBin(t, e, "", argv...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("%s (%s): want exit 2 and %q\n%s", tc.name, how, tc.want, r)
			}
			secretcheck.Assert(t, tc.name+" output", r.stdout+r.stderr, secret)
		}
	}
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("a failing token command let %d requests through, want none", n)
	}
}

// TestTokenCommandHangs: a token command that does not end is stopped
// after the request timeout and is exit 2, even when a child of the shell
// keeps its stdout open.
func TestTokenCommandHangs(t *testing.T) {
	skipOnWindows(t)
	defer func(d time.Duration) { tokenCommandTimeout = d }(tokenCommandTimeout)
	tokenCommandTimeout = 200 * time.Millisecond
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{})
	env := fakeEnv(srv)
	delete(env, envToken)
	env[envTokenCommand] = "sleep 30; echo late"
	r := runIn(context.Background(), env, "", args("wait", id, fast)...)
	if r.code != exitUsage || !strings.Contains(r.stderr, "did not end within 200ms") || r.took > 10*time.Second {
		t.Errorf("want exit 2 soon after 200ms, saying the command did not end\n%s", r)
	}
	// A signal ends it at once too: exit 130.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	tokenCommandTimeout = time.Minute
	if r := runIn(ctx, env, "", args("wait", id, fast)...); r.code != exitInterrupted || r.took > 10*time.Second {
		t.Errorf("interrupted while the command runs: want exit 130 at once\n%s", r)
	}
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// writeCredentials writes the SDK's credentials file in a fresh home:
// ~/.huaweicloud/credentials with mode perm. It returns the home.
func writeCredentials(t *testing.T, body string, perm os.FileMode) string {
	t.Helper()
	home := t.TempDir()
	dir := filepath.Join(home, ".huaweicloud")
	os.Mkdir(dir, 0o700)
	if err := os.WriteFile(filepath.Join(dir, "credentials"), []byte(body), perm); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(dir, "credentials"), perm)
	return home
}

// TestSDKCredentials: the official SDK's variables and credentials file
// work, in README's order of precedence; the file is read only when
// nothing else gives a credential; no key is ever printed.
func TestSDKCredentials(t *testing.T) {
	skipOnWindows(t)
	t.Parallel()
	const ak, sk = "AKfromTHEsdkFILE0001", "SKsecretFROMtheSDKfile0001"
	signed := newFake(t, taurusjobtest.WithAKSK(ak, sk))
	id := signed.AddJob(taurusjobtest.Job{})
	good := "# the SDK's file\n[basic]\nak = " + ak + "\nsk = " + sk + "\nproject_id = " + signed.ProjectID() + "\n\n[other]\nak = wrong\n"
	bare := map[string]string{envEndpoint: signed.URL()}
	with := mapWith
	private, public := writeCredentials(t, good, 0o600), writeCredentials(t, good, 0o644)
	other := filepath.Join(t.TempDir(), "creds.ini")
	os.WriteFile(other, []byte(good), 0o600)
	noKeys := writeCredentials(t, "[basic]\nproject_id = x\n", 0o600)
	const warning = "can be read by other users"
	for _, tc := range []struct {
		name string
		env  map[string]string
		code int
		want string // in stderr
	}{
		{"the file, project id too", with(bare, "HOME", private), 0, ""},
		{"a file others can read works, with a warning", with(bare, "HOME", public), 0, warning},
		{"HUAWEICLOUD_SDK_CREDENTIALS_FILE", with(bare, envCredentialsFile, other), 0, ""},
		{"a missing HUAWEICLOUD_SDK_CREDENTIALS_FILE", with(bare, envCredentialsFile, other+".nope"), exitUsage, "credentials file " + other + ".nope"},
		{"a credentials file that is a device", with(bare, envCredentialsFile, os.DevNull), exitUsage, "not a regular file"},
		{"a file without ak and sk", with(bare, "HOME", noKeys), exitUsage, "has no ak and sk"},
		{"no file", bare, exitUsage, "no credentials"},
		{"HUAWEICLOUD_SDK_AK/SK", with(bare, "HUAWEICLOUD_SDK_AK", ak, "HUAWEICLOUD_SDK_SK", sk, envSDKProjectID, signed.ProjectID()), 0, ""},
		{"both sets, the same keys", with(bare, "HUAWEICLOUD_SDK_AK", ak, "HUAWEICLOUD_SDK_SK", sk, envAccessKey, ak, envSecretKey, sk,
			envProjectID, signed.ProjectID()), 0, ""},
		{"both sets, other keys", with(bare, "HUAWEICLOUD_SDK_AK", ak, "HUAWEICLOUD_SDK_SK", sk, envAccessKey, ak, envSecretKey, "other",
			envProjectID, signed.ProjectID()), exitUsage, "HUAWEICLOUD_SDK_AK"},
		{"the environment's keys beat the file", with(bare, "HOME", writeCredentials(t, "[basic]\nak = bad\nsk = bad\n", 0o644),
			"HUAWEICLOUD_SDK_AK", ak, "HUAWEICLOUD_SDK_SK", sk, envSDKProjectID, signed.ProjectID()), 0, ""},
		{"TAURUSJOB_PROJECT_ID beats HUAWEICLOUD_SDK_PROJECT_ID", with(bare, "HOME", private, envProjectID, signed.ProjectID(),
			envSDKProjectID, strings.Repeat("0", 32)), 0, ""},
		{"HUAWEICLOUD_SDK_SECURITY_TOKEN alone", with(bare, "HOME", private, "HUAWEICLOUD_SDK_SECURITY_TOKEN", "ST"), exitUsage,
			"HUAWEICLOUD_SDK_SECURITY_TOKEN is set without"},
		{"HUAWEICLOUD_SDK_AK without SK", with(bare, "HUAWEICLOUD_SDK_AK", ak), exitUsage, "HUAWEICLOUD_SDK_SK is not"},
		{"a token and HUAWEICLOUD_SDK_AK/SK", with(bare, envToken, "tok", "HUAWEICLOUD_SDK_AK", ak, "HUAWEICLOUD_SDK_SK", sk),
			exitUsage, "more than one credential"},
		{"a token command and a token", with(bare, envToken, "tok", envTokenCommand, "echo tok"), exitUsage, "more than one credential"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runBin(t, tc.env, "", args("wait", id, fast)...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("want exit %d and %q on stderr\n%s", tc.code, tc.want, r)
			}
			if tc.want != warning && strings.Contains(r.stderr, warning) {
				t.Errorf("a warning about a file that is not to be read\n%s", r)
			}
			secretcheck.Assert(t, "the output", r.stdout+r.stderr, sk, ak)
		})
	}
}

// TestTokenBeatsTheCredentialsFile: with a token in the environment, the
// credentials file is not read: its wrong keys do not matter, and its mode
// gets no warning.
func TestTokenBeatsTheCredentialsFile(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{})
	env := fakeEnv(srv)
	env["HOME"] = writeCredentials(t, "[basic]\nak = bad\nsk = bad\n", 0o644)
	noToken := mapWith(env)
	delete(noToken, envToken)
	for _, tc := range []struct {
		env   map[string]string
		extra []string
	}{{env, nil}, {noToken, []string{"--token-command", "echo " + srv.Token()}}} {
		r := runBin(t, tc.env, "", args("wait", id, fast, tc.extra)...)
		if r.code != 0 || strings.Contains(r.stderr, "credentials file") {
			t.Errorf("%q: want exit 0, the file unread\n%s", tc.extra, r)
		}
		secretcheck.Assert(t, "the output", r.stdout+r.stderr, srv.Token())
	}
	// Two token flags at once are a usage error.
	r := runBin(t, env, "", "wait", id, "--token-file", "-", "--token-command", "true")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--token-file and --token-command") {
		t.Errorf("--token-file with --token-command: want exit 2\n%s", r)
	}
}

// skipOnWindows skips a test whose commands are POSIX shell lines, or that
// checks file modes, which Windows does not have.
func skipOnWindows(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX shell commands and file modes")
	}
}
