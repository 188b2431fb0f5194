package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/taurusdb-tools/taurusjob/internal/defaults"
	"github.com/taurusdb-tools/taurusjob/internal/version"
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
		"jobs":    {"Examples:", "--instance", "--status", "--name", "--since", "--service", "--output", "Exit codes:", "TAURUSJOB_PROJECT_ID"},
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
	for _, argv := range [][]string{{"-h"}, {"help"}, {"help", "wait"}, {"-help"}, {"--h"}, {"wait", "--h"}, {"get", "-help"}} {
		if r := runBin(t, nil, "", argv...); r.code != 0 || !strings.Contains(r.stdout, "taurusjob") {
			t.Errorf("%q: exit %d\n%s", argv, r.code, r)
		}
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	r := runBin(t, nil, "", "version")
	if r.code != 0 || !strings.Contains(r.stdout, "taurusjob "+version.Version) {
		t.Errorf("version: exit %d, stdout %q; want the library's version %s", r.code, r.stdout, version.Version)
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
	// The defaults README states are the library's.
	for flagName, d := range map[string]time.Duration{
		"--timeout": defaults.Timeout, "--visibility-grace": defaults.VisibilityGrace,
		"--min-interval": defaults.MinInterval, "--max-interval": defaults.MaxInterval,
		"--latency-budget": defaults.LatencyBudget,
	} {
		short := strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m")
		row := tableRow(readme, "`"+flagName+" ")
		if !strings.Contains(row, "`"+short+"`") {
			t.Errorf("README.md's row for %s does not state its default `%s`: %q", flagName, short, row)
		}
	}
	// Every flag of wait is in README's table.
	var o options
	for _, fs := range waitFlagSets(&o) {
		fs.VisitAll(func(f *pflag.Flag) {
			if !regexp.MustCompile("(\\| |, )`--" + f.Name + "[ `]").MatchString(readme) {
				t.Errorf("README.md's flag table lacks --%s", f.Name)
			}
		})
	}
	for _, w := range []string{readmeSnippet, "go run ./cmd/taurusjob demo", "TAURUSJOB_TOKEN", "--token-file", "--output json",
		"## Resuming after a restart",
		"--output jsonl", "python3 -m json.tool", "taurusjob fake-api", "TAURUSJOB_FAKE_API_PID", "| 70 "} {
		if !strings.Contains(readme, w) {
			t.Errorf("README.md lacks %q", w)
		}
	}
}

// Scripts branch on exit codes: each code -h lists is in the exit code
// table of both READMEs exactly once, and the tables list no other.
func TestReadmeExitCodes(t *testing.T) {
	var want []string
	for _, line := range strings.Split(strings.TrimSpace(exitCodesHelp), "\n")[1:] {
		if code := strings.Fields(line)[0]; strings.Trim(code, "0123456789") == "" {
			want = append(want, code)
		}
	}
	if len(want) < 8 {
		t.Fatalf("found only %v in the help's exit codes", want)
	}
	row := regexp.MustCompile(`^\| ([0-9]+) \|`)
	for _, path := range []string{"README.md", "../../README.md"} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for line := range strings.Lines(string(b)) {
			if m := row.FindStringSubmatch(line); m != nil {
				got = append(got, m[1])
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s's exit code table lists %v; want each of %v once, in order", path, got, want)
		}
	}
}

// tableRow returns the first line of a Markdown table in text that holds
// cell, or "".
func tableRow(text, cell string) string {
	for line := range strings.Lines(text) {
		if strings.HasPrefix(line, "|") && strings.Contains(line, cell) {
			return line
		}
	}
	return ""
}
