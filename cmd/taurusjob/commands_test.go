package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/taurusdb-tools/taurusjob/internal/version"
)

// TestCompletion: "taurusjob completion SHELL" prints that shell's script
// on stdout, exit 0; bash's parses (bash -n) where bash is installed.
func TestCompletion(t *testing.T) {
	t.Parallel()
	for shell, header := range map[string]string{
		"bash":       "# bash completion V2 for taurusjob",
		"zsh":        "#compdef taurusjob",
		"fish":       "# fish completion for taurusjob",
		"powershell": "# powershell completion for taurusjob",
	} {
		r := runBin(t, nil, "", "completion", shell)
		if r.code != 0 || r.stderr != "" || !strings.HasPrefix(r.stdout, header) {
			t.Errorf("completion %s: want exit 0 and a script starting %q\n%s", shell, header, r)
			continue
		}
		if _, err := exec.LookPath(shell); err == nil && shell == "bash" {
			script := filepath.Join(t.TempDir(), "taurusjob.bash")
			os.WriteFile(script, []byte(r.stdout), 0o600)
			if out, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
				t.Errorf("bash -n on the bash completion: %v\n%s", err, out)
			}
		}
	}
	if r := runBin(t, nil, "", "completion", "tcsh"); r.code != exitUsage {
		t.Errorf("completion tcsh: want exit 2\n%s", r)
	}
	// The scripts ask the binary for candidates: commands and flags.
	if r := runBin(t, nil, "", "__complete", "wa"); r.code != 0 || !strings.Contains(r.stdout, "wait") {
		t.Errorf("__complete wa: want wait among the candidates\n%s", r)
	}
	if r := runBin(t, nil, "", "__complete", "wait", "--time"); r.code != 0 || !strings.Contains(r.stdout, "--timeout") {
		t.Errorf("__complete wait --time: want --timeout among the candidates\n%s", r)
	}
}

// TestUnknownCommand: a mistyped command is exit 2 with the command meant,
// even with flags after it; one near no command gets no guess.
func TestUnknownCommand(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		argv []string
		want string
	}{
		{[]string{"wiat"}, `unknown command "wiat": did you mean wait?`},
		{[]string{"wiat", "j1", "--timeout", "1m"}, "did you mean wait?"},
		{[]string{"gte", "j1"}, "did you mean get?"},
		{[]string{"fake-apy"}, "did you mean fake-api?"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	} {
		r := runBin(t, nil, "", tc.argv...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%q: want exit 2 and %q on stderr\n%s", tc.argv, tc.want, r)
		}
		if tc.argv[0] == "frobnicate" && strings.Contains(r.stderr, "did you mean") {
			t.Errorf("%q: a guess for a name near no command\n%s", tc.argv, r)
		}
	}
}

// TestVersionFields: version names taurusjob's version, the module's, the
// commit of the build ("unknown" when the build recorded none, as with
// -buildvcs=false, which the tests' build may use) and the Go version.
func TestVersionFields(t *testing.T) {
	t.Parallel()
	for _, argv := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		r := runBin(t, nil, "", argv...)
		re := regexp.MustCompile(`^taurusjob ` + regexp.QuoteMeta(version.Version) +
			` \(module (\S+), commit ([0-9a-f]{40}(\+dirty)?|unknown), go1\.[0-9.]+\S* [a-z0-9]+/[a-z0-9]+\)\n$`)
		if r.code != 0 || !re.MatchString(r.stdout) {
			t.Errorf("%q: stdout %q does not match %s\n%s", argv, r.stdout, re, r)
		}
	}
	if r := runBin(t, nil, "", "version", "extra"); r.code != exitUsage {
		t.Errorf("version extra: want exit 2\n%s", r)
	}
}
