package main

import (
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// readmeSnippet is the line README promises works in a script.
const readmeSnippet = `taurusjob wait "$JOB_ID" --timeout 30m --output json > result.json || exit $?`

// TestHelp checks each command's -h and --help: exit 0, on stdout, with
// examples, every flag and the exit codes.
func TestHelp(t *testing.T) {
	t.Parallel()
	for cmd, want := range map[string][]string{
		"wait": {"Examples:", readmeSnippet, "--endpoint", "--region", "--project-id", "--token-file", "--timeout", "--visibility-grace",
			"--min-interval", "--max-interval", "--latency-budget", "--language", "--output", "--quiet", "--verbose", "--return-on-pending",
			"TAURUSJOB_TOKEN", "CLOUD_SDK_AK", exitCodesHelp, "elapsed_seconds",
			"--state-file", "--history-file", "--no-history", "Resuming after a restart", "Duration history"},
		"get":     {"Examples:", "--endpoint", "--output", "Exit codes:", "TAURUSJOB_PROJECT_ID"},
		"demo":    {"Examples:", "--output", "(default 3s)", exitCodesHelp},
		"version": {"Usage: taurusjob version", "Prints taurusjob's version"},
		"fake-api": {"Examples:", "--detach", "--listen", "--for", "--job SPEC", "TAURUSJOB_FAKE_API_PID", jobSpecHelp,
			"export TAURUSJOB_ENDPOINT=", "TAURUSJOB_PROJECT_ID=", "TAURUSJOB_TOKEN=", "Exit codes:"},
	} {
		for _, flag := range []string{"-h", "--help"} {
			r := runBin(t, nil, "", cmd, flag)
			if r.code != 0 || r.stderr != "" {
				t.Errorf("%s %s: exit %d, stderr %q; want 0 and help on stdout", cmd, flag, r.code, r.stderr)
			}
			for _, w := range want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("%s %s lacks %q", cmd, flag, w)
				}
			}
		}
	}
	for _, argv := range [][]string{{"-h"}, {"help"}, {"help", "wait"}} {
		if r := runBin(t, nil, "", argv...); r.code != 0 || !strings.Contains(r.stdout, "taurusjob") {
			t.Errorf("%q: exit %d\n%s", argv, r.code, r)
		}
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	r := runBin(t, nil, "", "version")
	if r.code != 0 || !strings.Contains(r.stdout, "taurusjob "+taurusjob.Version) {
		t.Errorf("version: exit %d, stdout %q; want the library's version %s", r.code, r.stdout, taurusjob.Version)
	}
}

// TestReadme keeps README.md in step with the tool: the snippet scripts
// copy, and the exit code table of --help.
func TestReadme(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, line := range strings.Split(strings.TrimSpace(exitCodesHelp), "\n")[1:] {
		fields := strings.Fields(line)
		if code := fields[0]; strings.Trim(code, "0123456789") == "" && !strings.Contains(readme, "| "+code+" ") {
			t.Errorf("README.md's exit code table lacks code %s (help: %q)", code, line)
		}
	}
	// The defaults README states are the library's.
	for name, d := range map[string]time.Duration{
		"DefaultTimeout": taurusjob.DefaultTimeout, "DefaultVisibilityGrace": taurusjob.DefaultVisibilityGrace,
		"DefaultMinInterval": taurusjob.DefaultMinInterval, "DefaultMaxInterval": taurusjob.DefaultMaxInterval,
		"DefaultLatencyBudget": taurusjob.DefaultLatencyBudget,
	} {
		short := strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m")
		if !strings.Contains(readme, "`"+short+"`") || !strings.Contains(readme, name) {
			t.Errorf("README.md does not state %s as `%s`", name, short)
		}
	}
	// Every flag of wait is in README's table.
	var o options
	newFlagSet("wait", commandGroups["wait"], &o).VisitAll(func(f *flag.Flag) {
		if !regexp.MustCompile("(\\| |, )`--" + f.Name + "[ `]").MatchString(readme) {
			t.Errorf("README.md's flag table lacks --%s", f.Name)
		}
	})
	for _, w := range []string{readmeSnippet, "go run ./cmd/taurusjob demo", "TAURUSJOB_TOKEN", "--token-file", "--output json",
		"## Resuming after a restart",
		"--output jsonl", "python3 -m json.tool", "taurusjob fake-api", "TAURUSJOB_FAKE_API_PID", "| 70 "} {
		if !strings.Contains(readme, w) {
			t.Errorf("README.md lacks %q", w)
		}
	}
}
