package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
)

// TestFlagSuggestions: a mistyped flag is exit 2 with a message that says
// what to type instead, before any request; a secret typed into a flag is
// never echoed.
func TestFlagSuggestions(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	const secret = "MIIsecretTOKENvalue"
	for _, tc := range []struct {
		argv []string
		want string
	}{
		{[]string{"wait", "j1", "--timout", "1m"}, "unknown flag --timout: did you mean --timeout?"},
		{[]string{"wait", "j1", "-timeuot=1m"}, "did you mean --timeout?"},
		{[]string{"wait", "j1", "--state", "f"}, "did you mean --state-file?"},
		{[]string{"wait", "j1", "--interval", "3s"}, "did you mean --max-interval or --min-interval?"},
		{[]string{"wait", "j1", "--json"}, "did you mean --output json?"},
		{[]string{"wait", "j1", "--token", secret}, "--token: a token is never a flag: use TAURUSJOB_TOKEN or --token-file"},
		{[]string{"get", "j1", "--token=" + secret}, "a token is never a flag: use TAURUSJOB_TOKEN or --token-file"},
		{[]string{"wait", "j1", "--tokn=" + secret}, "a token is never a flag"},
		{[]string{"wait", "j1", "--sk", secret}, "a secret is never a flag: use CLOUD_SDK_AK and CLOUD_SDK_SK"},
		{[]string{"demo", "--token", secret}, "demo takes no credentials"},
		{[]string{"get", "j1", "--timeout", "1m"}, "get has no --timeout: it is a flag of demo, ready and wait"},
		{[]string{"wait", "j1", "--job", "id=x"}, "wait has no --job: it is a flag of fake-api"},
		{[]string{"fake-api", "--job", "id=x", "--timeout", "1s"}, "fake-api has no --timeout: it is a flag of demo, ready and wait"},
		{[]string{"fake-api", "--job", "id=x", "--fro", "1s"}, "did you mean --for?"},
		{[]string{"wait", "j1", "--timeout", "30"}, "--timeout 30: add a unit: 30s, 30m"},
		{[]string{"wait", "j1", "--visibility-grace=30"}, "--visibility-grace 30: add a unit: 30s, 30m"},
		{[]string{"wait", "j1", "--min-interval", "2"}, "--min-interval 2: add a unit: 2s, 2m"},
		{[]string{"wait", "j1", "--max-interval", "5"}, "--max-interval 5: add a unit"},
		{[]string{"wait", "j1", "--latency-budget", "5"}, "--latency-budget 5: add a unit"},
		{[]string{"demo", "--timeout", "10"}, "--timeout 10: add a unit: 10s, 10m"},
		{[]string{"wait", "j1", "--timeout", "2d"}, "no day unit; write hours, e.g. 24h"},
		{[]string{"wait", "j1", "--timeout", "5min"}, `--timeout "5min" is not a duration`},
		{[]string{"wait", "j1", "--timeout"}, "--timeout needs a value"},
	} {
		r := runBin(t, fakeEnv(srv), "", tc.argv...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%q: want exit 2 and %q on stderr\n%s", tc.argv, tc.want, r)
		}
		secretcheck.Assert(t, fmt.Sprintf("%q output", tc.argv), r.stderr+r.stdout, secret)
	}
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("a flag mistake sent %d requests, want none", n)
	}
}

// TestFlagSuggestionDistance: the suggestion is the nearest flag, and a
// name near none gets none rather than a wild guess.
func TestFlagSuggestionDistance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ a, b string }{
		{"timout", "timeout"}, {"timeuot", "timeout"}, {"qiet", "quiet"},
	} {
		if d := editDistance(tc.a, tc.b); d != 1 {
			t.Errorf("editDistance(%q, %q) = %d, want 1", tc.a, tc.b, d)
		}
	}
	var o options
	fs := pflag.NewFlagSet("wait", pflag.ContinueOnError)
	for _, g := range waitFlagSets(&o) {
		fs.AddFlagSet(g)
	}
	for _, name := range []string{"foo", "x", "endpointz-and-more"} {
		if near := nearFlags(fs, name); len(near) > 0 {
			t.Errorf("nearFlags(%q) = %q, want no guess", name, near)
		}
	}
}
