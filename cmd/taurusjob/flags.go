package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/defaults"
	"github.com/taurusdb-tools/taurusjob/internal/jobid"
)

// options are the parsed flags of a command. Which of them a command
// accepts depends on the groups it registers.
type options struct {
	// connection
	endpoint, region, projectID, tokenFile, tokenCommand, language, service string
	// waiting
	timeout, grace, minInterval, maxInterval time.Duration
	budget                                   time.Duration
	returnOnPending                          bool
	// readiness (wait --ready, ready)
	ready, forConnections bool
	settle                time.Duration
	instance              string // wait --instance: wait for the instance's unfinished jobs
	// output
	output         string
	quiet, verbose bool
	// state kept across runs (wait only)
	stateFile, historyFile string
	noHistory              bool

	set map[string]bool // the flags given on the command line
}

// The flags of the commands, in sets that are the sections of their help:
// wait has them all, get the connection and output ones, demo the waiting
// and output ones.
func waitFlagSets(o *options) []*pflag.FlagSet {
	return []*pflag.FlagSet{connFlags(o), waitFlags(o), readyFlags(o, true), instanceFlags(o), outputFlags(o, true), stateFlags(o)}
}

// readyFlags are the instance's readiness flags: wait's (withReady) and
// ready's.
func readyFlags(o *options, withReady bool) *pflag.FlagSet {
	fs := pflag.NewFlagSet("Readiness flags", pflag.ContinueOnError)
	if withReady {
		fs.BoolVar(&o.ready, "ready", false, "once a job completed, wait on until its instance is ready for the next change")
	}
	fs.DurationVar(&o.settle, "settle", 2*time.Minute, "how long the instance must stay ready, without a break, to count as ready")
	fs.BoolVar(&o.forConnections, "for-connections", false, "ready means ready for connections: BACKING UP counts as ready")
	return fs
}

func connFlags(o *options) *pflag.FlagSet {
	fs := pflag.NewFlagSet("Connection flags", pflag.ContinueOnError)
	fs.StringVar(&o.endpoint, "endpoint", "", "the API's base `URL`, e.g. https://gaussdb.cn-north-4.myhuaweicloud.com")
	fs.StringVar(&o.region, "region", "", "a `region` such as cn-north-4, for its documented endpoint")
	fs.StringVar(&o.service, "service", "", "the `service` whose jobs to wait for: taurusdb (default), rds, opengauss or dds")
	fs.StringVar(&o.projectID, "project-id", "", "the project `id`: 32 letters and digits")
	fs.StringVar(&o.tokenFile, "token-file", "", "read the IAM token from `FILE` (\"-\" for stdin)")
	fs.StringVar(&o.tokenCommand, "token-command", "", "run `CMD` by the shell for the IAM token, and again when it expires (HTTP 401)")
	fs.StringVar(&o.language, "language", "", "the X-Language `tag`, e.g. en-us or zh-cn (default: none sent)")
	return fs
}

func waitFlags(o *options) *pflag.FlagSet {
	fs := pflag.NewFlagSet("Waiting flags", pflag.ContinueOnError)
	fs.DurationVar(&o.timeout, "timeout", defaults.Timeout, "give up waiting after this `duration`")
	fs.DurationVar(&o.grace, "visibility-grace", defaults.VisibilityGrace, "how long a job may answer 404 before it is not_visible")
	fs.DurationVar(&o.minInterval, "min-interval", defaults.MinInterval, "the shortest delay between polls, and the first after an error")
	fs.DurationVar(&o.maxInterval, "max-interval", defaults.MaxInterval, "the longest delay between polls")
	fs.DurationVar(&o.budget, "latency-budget", defaults.LatencyBudget, "the lag accepted in noticing the end when nothing predicts it (more calls when smaller)")
	fs.BoolVar(&o.returnOnPending, "return-on-pending", false, "stop once a job is Pending (exit 0, outcome pending)")
	return fs
}

// outputFlags has --quiet for the commands that show progress.
func outputFlags(o *options, quiet bool) *pflag.FlagSet {
	fs := pflag.NewFlagSet("Output flags", pflag.ContinueOnError)
	fs.StringVar(&o.output, "output", "text", "the result's `format` on stdout: text, json (one document) or jsonl (one object per line)")
	fs.BoolVar(&o.verbose, "verbose", false, "log every poll on stderr (never a credential)")
	if quiet {
		fs.BoolVar(&o.quiet, "quiet", false, "print no progress on stderr (errors still are)")
	}
	return fs
}

func stateFlags(o *options) *pflag.FlagSet {
	fs := pflag.NewFlagSet("State flags", pflag.ContinueOnError)
	fs.StringVar(&o.stateFile, "state-file", "", "keep the wait's state in `FILE`, to resume it after a restart (see below)")
	fs.StringVar(&o.historyFile, "history-file", "", "keep how long completed jobs took in `FILE` (default: taurusjob/history.json in the user's cache directory)")
	fs.BoolVar(&o.noHistory, "no-history", false, "neither read nor write a duration history")
	return fs
}

// flagHelp lists the flag sets, each under its title, with their defaults.
func flagHelp(sets ...*pflag.FlagSet) string {
	var b strings.Builder
	for i, fs := range sets {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s:\n", fs.Name())
		fs.VisitAll(func(f *pflag.Flag) {
			name, usage := pflag.UnquoteUsage(f)
			left := strings.TrimSpace("--" + f.Name + " " + name)
			def := ""
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0s" && f.DefValue != "[]" {
				def = " (default " + f.DefValue + ")"
			}
			fmt.Fprintf(&b, "  %-28s %s%s\n", left, usage, def)
		})
	}
	b.WriteString("  -h, --help                   show this help\n")
	return b.String()
}

// changed are the flags given on the command line, for the
// flag-beats-variable rule.
func changed(fs *pflag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *pflag.Flag) { set[f.Name] = true })
	return set
}

// longFlags rewrites -name as --name, which the flag package this tool
// used before accepted too. A flag's value is skipped, so that
// --visibility-grace -1s stays a (refused) negative duration.
func longFlags(fs *pflag.FlagSet, args []string) []string {
	out := slices.Clone(args)
	for i := 0; i < len(out); i++ {
		a := out[i]
		if a == "--" {
			break
		}
		switch {
		case a == "--h":
			out[i] = "-h" // help, as the flag package took it
		case len(a) > 1 && a[0] == '-' && a[1] != '-' && a != "-h":
			a = "-" + a
			out[i] = a
		}
		name, _, hasValue := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if f := fs.Lookup(name); strings.HasPrefix(a, "--") && f != nil && f.NoOptDefVal == "" && !hasValue {
			i++
		}
	}
	return out
}

// usageError is a mistake on the command line or in the environment:
// exit code 2, and nothing was sent.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// flagError turns pflag's error into one that says what to type instead:
// the flag meant by a typo, where a secret goes, the unit a duration
// lacks. A flag's value is never quoted unless it is a duration, so that
// a secret typed into a flag stays out of logs.
func flagError(c *cobra.Command, err error) error {
	var unknown *pflag.NotExistError
	var missing *pflag.ValueRequiredError
	var invalid *pflag.InvalidValueError
	switch {
	case errors.As(err, &unknown):
		return unknownFlag(c, unknown.GetSpecifiedName())
	case errors.As(err, &missing):
		return usagef("--%s needs a value", missing.GetFlag().Name)
	case errors.As(err, &invalid) && invalid.GetFlag().Value.Type() == "duration":
		return durationMistake(invalid.GetFlag().Name, invalid.GetValue())
	case errors.As(err, &invalid):
		return usagef("--%s: invalid value; give --%s or --%s=false", invalid.GetFlag().Name, invalid.GetFlag().Name, invalid.GetFlag().Name)
	}
	return usagef("%s", clip(err.Error(), 80)) // a syntax error such as "---x"
}

// durationMistake explains a duration flag's value that time.ParseDuration
// refused. The value is quoted: a duration is not a secret.
func durationMistake(name, value string) error {
	v := clip(value, 40)
	switch {
	case isDigits(value):
		return usagef("--%s %s: add a unit: %ss, %sm", name, v, v, v)
	case strings.HasSuffix(value, "d") && isDigits(strings.TrimSuffix(value, "d")):
		return usagef("--%s %s: there is no day unit; write hours, e.g. 24h", name, v)
	}
	return usagef("--%s %q is not a duration: write it as 30s, 5m or 1h30m (units ns, us, ms, s, m, h)", name, v)
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789.") == ""
}

// secretFlags are flags people try for a credential. None exists: a
// secret on the command line is seen by every user of the machine (ps) and
// kept in shell histories and CI logs.
var secretFlags = map[string]string{
	"token": "token", "auth-token": "token", "iam-token": "token", "x-auth-token": "token",
	"ak": "aksk", "sk": "aksk", "access-key": "aksk", "secret-key": "aksk",
	"access-key-id": "aksk", "secret-access-key": "aksk", "password": "aksk",
}

// shortcuts are spellings of other tools for the flags of this one.
var shortcuts = map[string]string{
	"o": "--output", "json": "--output json", "jsonl": "--output jsonl", "q": "--quiet", "silent": "--quiet",
	"v": "--verbose", "debug": "--verbose", "t": "--timeout", "project": "--project-id",
}

// unknownFlag explains a flag that command c does not define.
func unknownFlag(c *cobra.Command, name string) error {
	fs := c.Flags()
	shown := "--" + clip(name, 60) // what was typed may be anything, even a pasted secret
	if len(name) == 1 {
		shown = "-" + name // -o, as typed
	}
	if kind, ok := closeSecret(name); ok {
		switch {
		case fs.Lookup("token-file") == nil:
			return usagef("%s: %s takes no credentials", shown, c.Name())
		case kind == "token":
			return usagef("%s: a token is never a flag: use %s or --token-file (or --token-command)", shown, envToken)
		}
		return usagef("%s: a secret is never a flag: use %s and %s", shown, envAccessKey, envSecretKey)
	}
	if s, ok := shortcuts[name]; ok && fs.Lookup(strings.Fields(strings.TrimPrefix(s, "--"))[0]) != nil {
		return usagef("unknown flag %s: did you mean %s?", shown, s)
	}
	if near := nearFlags(fs, name); len(near) > 0 {
		return usagef("unknown flag %s: did you mean %s?", shown, strings.Join(near, " or "))
	}
	var others []string
	for _, cmd := range c.Root().Commands() {
		if cmd != c && cmd.Flags().Lookup(name) != nil {
			others = append(others, cmd.Name())
		}
	}
	if len(others) > 0 {
		last := len(others) - 1
		names := others[last]
		if last > 0 {
			names = strings.Join(others[:last], ", ") + " and " + names
		}
		return usagef("%s has no %s: it is a flag of %s", c.Name(), shown, names)
	}
	return usagef("unknown flag %s", shown)
}

// closeSecret reports whether name is a secret's flag, or one typo away.
func closeSecret(name string) (kind string, ok bool) {
	for s, k := range secretFlags {
		if editDistance(strings.ToLower(name), s) <= min(1, len(s)/3) {
			return k, true
		}
	}
	return "", false
}

// nearFlags returns the flags name may be a typo or a part of: the
// nearest ones, at most two, as "--name".
func nearFlags(fs *pflag.FlagSet, name string) []string {
	best, out := max(min(2, len(name)/3), 1), []string(nil)
	fs.VisitAll(func(f *pflag.Flag) {
		d := editDistance(strings.ToLower(name), f.Name)
		if len(name) >= 3 && (strings.HasPrefix(f.Name, name) || strings.HasSuffix(f.Name, "-"+name)) {
			d = 1 // --state for --state-file, --interval for --min-interval
		}
		switch {
		case d >= len(name) || d > best:
		case d < best:
			best, out = d, []string{"--" + f.Name}
		default:
			out = append(out, "--"+f.Name)
		}
	})
	slices.Sort(out)
	return out[:min(len(out), 2)]
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of neighbours (--timeuot) cost 1.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return max(len(a), len(b)) // not a typo of any flag; bounded work
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// checkWaitOptions checks the waiting and output flags, naming the flag at
// fault (the library would name its option instead).
func checkWaitOptions(o *options) error {
	switch {
	case o.timeout <= 0:
		return usagef("--timeout must be positive, got %s", o.timeout)
	case o.grace < 0:
		return usagef("--visibility-grace must not be negative, got %s", o.grace)
	case o.minInterval <= 0:
		return usagef("--min-interval must be positive, got %s", o.minInterval)
	case o.budget <= 0:
		return usagef("--latency-budget must be positive, got %s", o.budget)
	case o.maxInterval < o.minInterval:
		return usagef("--max-interval (%s) must not be below --min-interval (%s)", o.maxInterval, o.minInterval)
	}
	return checkOutput(o)
}

// reason returns an input error's reason without the library's prefix.
func reason(err error) string {
	var ie *taurusjob.InputError
	if errors.As(err, &ie) {
		return ie.Reason
	}
	return err.Error()
}

func checkOutput(o *options) error {
	switch o.output {
	case "text", "json", "jsonl":
		return nil
	}
	return usagef("--output must be text, json or jsonl, got %q", clean(o.output))
}

// jobIDs splits comma-joined ids, drops repeats and checks every id, so
// that a typo is reported before any request is sent.
func jobIDs(args []string) ([]string, error) {
	var ids []string
	seen := map[string]bool{}
	for _, id := range jobid.Split(args...) {
		if err := taurusjob.ValidateJobID(id); err != nil {
			if len(id) > jobid.MaxLen {
				// Not quoted: a long argument may be a credential pasted by mistake.
				return nil, usagef("a job id %s", reason(err))
			}
			return nil, usagef("job id %q %s", clean(id), reason(err))
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}
