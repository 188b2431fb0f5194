package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// TestConfigPrecedence checks that a flag beats its environment variable,
// and that TAURUSJOB_ENDPOINT beats TAURUSJOB_REGION: each case points the
// losing source at something that would fail.
func TestConfigPrecedence(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{Running: 50 * time.Millisecond})
	dead := taurusjobtest.NewServer()
	deadURL := dead.URL()
	dead.Close() // nothing listens there any more

	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(srv.Token()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	with := func(changes map[string]string) map[string]string {
		env := fakeEnv(srv)
		for k, v := range changes {
			if v == "" {
				delete(env, k)
			} else {
				env[k] = v
			}
		}
		return env
	}
	for _, tc := range []struct {
		name  string
		env   map[string]string
		flags []string
	}{
		{"--endpoint beats TAURUSJOB_ENDPOINT", with(map[string]string{envEndpoint: deadURL}),
			[]string{"--endpoint", srv.URL()}},
		{"--endpoint beats TAURUSJOB_REGION", with(map[string]string{envEndpoint: "", envRegion: "no-such-region"}),
			[]string{"--endpoint", srv.URL()}},
		{"TAURUSJOB_ENDPOINT beats TAURUSJOB_REGION", with(map[string]string{envRegion: "no-such-region"}), nil},
		{"--project-id beats TAURUSJOB_PROJECT_ID", with(map[string]string{envProjectID: strings.Repeat("0", 32)}),
			[]string{"--project-id", srv.ProjectID()}},
		{"--token-file beats TAURUSJOB_TOKEN", with(map[string]string{envToken: "a-revoked-token"}),
			[]string{"--token-file", tokenFile}},
		{"--token-file beats CLOUD_SDK_AK/SK", with(map[string]string{envToken: "", envAccessKey: "AK", envSecretKey: "SK"}),
			[]string{"--token-file", tokenFile}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runBin(t, tc.env, "", args("wait", id, fast, tc.flags)...)
			if r.code != 0 {
				t.Errorf("exit %d, want 0 (the flag's value works, the variable's would not)\n%s", r.code, r)
			}
		})
	}
}

// TestConfigErrors checks the mistakes that must end with exit 2, a
// message naming what to fix, and no request sent.
func TestConfigErrors(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{})
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	blank := filepath.Join(dir, "blank")
	twoLines := filepath.Join(dir, "two-lines")
	os.WriteFile(empty, nil, 0o600)
	os.WriteFile(blank, []byte(" \n\n"), 0o600)
	os.WriteFile(twoLines, []byte("first\nsecond\n"), 0o600)
	without := func(keys ...string) map[string]string {
		env := fakeEnv(srv)
		for _, k := range keys {
			delete(env, k)
		}
		return env
	}
	plus := func(kv ...string) map[string]string {
		env := fakeEnv(srv)
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		argv []string
		want []string // in stderr
	}{
		{"--endpoint with --region", fakeEnv(srv), args("wait", id, "--endpoint", srv.URL(), "--region", "cn-north-4"),
			[]string{"--endpoint and --region"}},
		{"unknown region flag", without(envEndpoint), args("wait", id, "--region", "mars-north-1"),
			[]string{`unknown region "mars-north-1"`, "cn-north-4", "af-south-1", "--endpoint"}},
		{"unknown region variable", plus(envEndpoint, "", envRegion, "mars-north-1"), args("wait", id),
			[]string{`unknown region "mars-north-1"`, envRegion}},
		{"no endpoint", without(envEndpoint), args("wait", id), []string{"no endpoint", "--region"}},
		{"http endpoint off loopback", fakeEnv(srv), args("wait", id, "--endpoint", "http://example.com"), []string{"endpoint", "https"}},
		{"no project id", without(envProjectID), args("wait", id), []string{"project id", envProjectID}},
		{"bad project id", plus(envProjectID, "short"), args("wait", id), []string{"project id", "32"}},
		{"no credentials", without(envToken), args("wait", id), []string{"no credentials", envToken, "--token-file", envAccessKey}},
		{"AK without SK", plus(envToken, "", envAccessKey, "AK"), args("wait", id), []string{envSecretKey}},
		{"SK without AK", plus(envToken, "", envSecretKey, "SK"), args("wait", id), []string{envAccessKey}},
		{"security token alone", plus(envToken, "", envSecurityToken, "ST"), args("wait", id), []string{envSecurityToken}},
		{"token and AK/SK", plus(envAccessKey, "AK", envSecretKey, "SK"), args("wait", id), []string{envToken, envAccessKey}},
		{"empty token file", fakeEnv(srv), args("wait", id, "--token-file", empty), []string{"empty"}},
		{"blank token file", fakeEnv(srv), args("wait", id, "--token-file", blank), []string{"empty"}},
		{"token file of two lines", fakeEnv(srv), args("wait", id, "--token-file", twoLines), []string{"one line"}},
		{"missing token file", fakeEnv(srv), args("wait", id, "--token-file", filepath.Join(dir, "nope")), []string{"no such file"}},
		{"token file is a directory", fakeEnv(srv), args("wait", id, "--token-file", dir), []string{"directory"}},
		{"no job id", fakeEnv(srv), args("wait", fast), []string{"no job id"}},
		{"bad job id", fakeEnv(srv), args("wait", id, "bad/id"), []string{`job id "bad/id"`}},
		{"empty id in a list", fakeEnv(srv), args("wait", id+",,"+id), []string{"is empty"}},
		{"unknown flag", fakeEnv(srv), args("wait", id, "--frobnicate"), []string{"frobnicate", "taurusjob wait -h"}},
		{"bad duration", fakeEnv(srv), args("wait", id, "--timeout", "soon"), []string{"timeout"}},
		{"negative timeout", fakeEnv(srv), args("wait", id, "--timeout", "-1s"), []string{"--timeout"}},
		{"min above max", fakeEnv(srv), args("wait", id, "--min-interval", "2m", "--max-interval", "1m"), []string{"--max-interval", "--min-interval"}},
		{"bad output", fakeEnv(srv), args("wait", id, "--output", "yaml"), []string{"--output"}},
		{"bad language", fakeEnv(srv), args("wait", id, "--language", "en us"), []string{"language"}},
		{"empty --state-file", fakeEnv(srv), args("wait", id, "--state-file", ""), []string{"--state-file"}},
		{"empty --history-file", fakeEnv(srv), args("wait", id, "--history-file="), []string{"--history-file"}},
		{"--history-file with --no-history", fakeEnv(srv), args("wait", id, "--history-file", filepath.Join(dir, "h.json"), "--no-history"),
			[]string{"--history-file", "--no-history"}},
		{"state and history in one file", fakeEnv(srv), args("wait", id, "--history-file", filepath.Join(dir, "s.json"),
			"--state-file", filepath.Join(dir, "s.json")), []string{"different files"}},
		{"state file in a missing directory", fakeEnv(srv), args("wait", id, "--state-file", filepath.Join(dir, "nope", "s.json")),
			[]string{"--state-file", "cannot write"}},
		{"get without id", fakeEnv(srv), args("get"), []string{"exactly one job id"}},
		{"get with two ids", fakeEnv(srv), args("get", id+","+id+"x"), []string{"exactly one job id"}},
		{"demo with an argument", nil, args("demo", id), []string{"no arguments"}},
		{"unknown command", nil, args("frob"), []string{`unknown command "frob"`, "Usage:"}},
		{"no command", nil, nil, []string{"Usage:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := srv.TotalRequests()
			r := runBin(t, tc.env, "", tc.argv...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2\n%s", r.code, r)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q\n%s", w, r)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing for a usage error", r.stdout)
			}
			if n := srv.TotalRequests() - before; n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

// TestTokenFile reads the token from a file or stdin, with the newline
// that editors and echo add.
func TestTokenFile(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	id := srv.AddJob(taurusjobtest.Job{})
	env := fakeEnv(srv)
	delete(env, envToken)
	for _, content := range []string{srv.Token(), srv.Token() + "\n", srv.Token() + "\r\n", "  " + srv.Token() + " \n"} {
		f := filepath.Join(t.TempDir(), "token")
		os.WriteFile(f, []byte(content), 0o600)
		if r := runBin(t, env, "", "wait", id, "--token-file", f); r.code != 0 {
			t.Errorf("token file %q: exit %d, want 0\n%s", strings.ReplaceAll(content, srv.Token(), "TOKEN"), r.code, r)
		}
	}
	if r := runBin(t, env, srv.Token()+"\n", "wait", id, "--token-file", "-"); r.code != 0 {
		t.Errorf("--token-file - (stdin): exit %d, want 0\n%s", r.code, r)
	}
}

// TestAccessKeyCredentials passes CLOUD_SDK_AK/SK/SECURITY_TOKEN to the
// client. Until the library signs requests, NewClient refuses them and the
// CLI must say so with exit 2; once it does, the request must be signed.
func TestAccessKeyCredentials(t *testing.T) {
	t.Parallel()
	var authz, secTok string
	srv := newFake(t, taurusjobtest.WithAuthCheck(func(r *http.Request) error {
		authz, secTok = r.Header.Get("Authorization"), r.Header.Get("X-Security-Token")
		return nil
	}))
	id := srv.AddJob(taurusjobtest.Job{})
	env := fakeEnv(srv)
	delete(env, envToken)
	env[envAccessKey], env[envSecretKey], env[envSecurityToken] = "AKTESTACCESSKEY", "sk-test-secret", "st-test-token"
	r := runBin(t, env, "", "wait", id)

	_, err := taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: srv.URL(), ProjectID: srv.ProjectID(),
		AccessKey: "AKTESTACCESSKEY", SecretKey: "sk-test-secret", SecurityToken: "st-test-token"})
	if err != nil {
		if r.code != 2 || !strings.Contains(r.stderr, reason(err)) {
			t.Errorf("the library refuses AK/SK (%v): want exit 2 with its reason\n%s", err, r)
		}
		return
	}
	if r.code != 0 {
		t.Fatalf("AK/SK: exit %d, want 0\n%s", r.code, r)
	}
	if !strings.Contains(authz, "Access=AKTESTACCESSKEY") || secTok != "st-test-token" {
		t.Errorf("request not signed with the AK and security token: Authorization %q, X-Security-Token %q", authz, secTok)
	}
	secretcheck.Assert(t, "output", r.stdout+r.stderr, "sk-test-secret")
}

// TestRegionEndpoint resolves regions without sending anything: the
// endpoint must be the library's, whichever source names the region.
func TestRegionEndpoint(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, region := range []string{"cn-north-4", "ap-southeast-1", "af-south-1"} {
		want, _ := taurusjob.ServiceTaurusDB.Endpoint(region)
		o := &options{region: region, set: map[string]bool{"region": true}}
		if got, err := resolveEndpoint(o, env(nil), taurusjob.ServiceTaurusDB); got != want || err != nil {
			t.Errorf("--region %s: %q, %v; want %q", region, got, err, want)
		}
		o = &options{set: map[string]bool{}}
		if got, err := resolveEndpoint(o, env(map[string]string{envRegion: region}), taurusjob.ServiceTaurusDB); got != want || err != nil {
			t.Errorf("%s=%s: %q, %v; want %q", envRegion, region, got, err, want)
		}
	}
}

// TestServiceChoosesTheEndpoint: --service (or TAURUSJOB_SERVICE) picks
// the service whose regional endpoint a region names; an unknown service is
// a usage error naming the known ones.
func TestServiceChoosesTheEndpoint(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, svc := range taurusjob.Services() {
		want, _ := svc.Endpoint("cn-north-4")
		o := &options{region: "cn-north-4", service: svc.String(), set: map[string]bool{"region": true, "service": true}}
		got, err := resolveService(o, env(nil))
		if err != nil || got != svc {
			t.Fatalf("--service %s: %v, %v", svc, got, err)
		}
		if ep, err := resolveEndpoint(o, env(nil), got); ep != want || err != nil {
			t.Errorf("--service %s --region cn-north-4: %q, %v; want %q", svc, ep, err, want)
		}
		o = &options{set: map[string]bool{}}
		if got, err := resolveService(o, env(map[string]string{envService: strings.ToUpper(svc.String())})); got != svc || err != nil {
			t.Errorf("%s=%s: %v, %v", envService, svc, got, err)
		}
	}
	o := &options{service: "mysql", set: map[string]bool{"service": true}}
	if _, err := resolveService(o, env(nil)); err == nil || !strings.Contains(err.Error(), "taurusdb, rds, opengauss or dds") {
		t.Errorf("--service mysql: %v; want a usage error naming the services", err)
	}
}

// TestSeverity pins the order of exit codes for several jobs.
func TestSeverity(t *testing.T) {
	order := []int{exitCompleted, exitTimeout, exitNotVisible, exitFailed, exitAPIError, exitInterrupted}
	for i := range order {
		for j := range order {
			want := order[max(i, j)]
			if got := worse(order[i], order[j]); got != want {
				t.Errorf("worse(%d, %d) = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
}

// TestParseArgs pins how flags and ids mix.
func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		argv     []string
		pos      []string
		output   string
		language string
		quiet    bool
	}{
		{[]string{"a", "b"}, []string{"a", "b"}, "text", "", false},
		{[]string{"a", "--output", "json", "b", "--quiet"}, []string{"a", "b"}, "json", "", true},
		{[]string{"--quiet", "--", "--output", "a"}, []string{"--output", "a"}, "text", "", true},
		{[]string{"a", "--language", "--", "b"}, []string{"a", "b"}, "text", "--", false},
		{[]string{"a", "-output=json", "--", "-b"}, []string{"a", "-b"}, "json", "", false},
	} {
		var o options
		fs := pflag.NewFlagSet("wait", pflag.ContinueOnError)
		for _, g := range waitFlagSets(&o) {
			fs.AddFlagSet(g)
		}
		err := fs.Parse(longFlags(fs, tc.argv))
		pos := fs.Args()
		o.set = changed(fs)
		if err != nil || strings.Join(pos, " ") != strings.Join(tc.pos, " ") || o.output != tc.output ||
			o.language != tc.language || o.quiet != tc.quiet {
			t.Errorf("%q: pos %q output %q language %q quiet %v, %v; want %q %q %q %v",
				tc.argv, pos, o.output, o.language, o.quiet, err, tc.pos, tc.output, tc.language, tc.quiet)
		}
		if tc.quiet != o.set["quiet"] {
			t.Errorf("%q: set[quiet] = %v", tc.argv, o.set["quiet"])
		}
	}
}
