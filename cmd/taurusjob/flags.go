package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/defaults"
	"github.com/taurusdb-tools/taurusjob/internal/jobid"
)

// options are the parsed flags of a command. Which of them a command
// accepts depends on the groups it registers.
type options struct {
	// connection
	endpoint, region, projectID, tokenFile, language, service string
	// waiting
	timeout, grace, minInterval, maxInterval time.Duration
	budget                                   time.Duration
	returnOnPending                          bool
	// output
	output         string
	quiet, verbose bool
	// state kept across runs (wait only)
	stateFile, historyFile string
	noHistory              bool

	set map[string]bool // the flags given on the command line
}

// flag groups a command can register.
const (
	groupConn = 1 << iota
	groupWait
	groupOutput
	groupQuiet // --quiet: only commands that show progress
	groupState // --state-file, --history-file: wait only
)

// newFlagSet makes the flag set of a command. Flags are spelled --name in
// help; the flag package accepts -name too.
func newFlagSet(name string, groups int, o *options) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors and help are printed by the caller
	if groups&groupConn != 0 {
		fs.StringVar(&o.endpoint, "endpoint", "", "the API's base `URL`, e.g. https://gaussdb.cn-north-4.myhuaweicloud.com")
		fs.StringVar(&o.region, "region", "", "a `region` such as cn-north-4, for its documented endpoint")
		fs.StringVar(&o.service, "service", "", "the `service` whose jobs to wait for: taurusdb (default), rds, opengauss or dds")
		fs.StringVar(&o.projectID, "project-id", "", "the project `id`: 32 letters and digits")
		fs.StringVar(&o.tokenFile, "token-file", "", "read the IAM token from `FILE` (\"-\" for stdin)")
		fs.StringVar(&o.language, "language", "", "the X-Language `tag`, e.g. en-us or zh-cn (default: none sent)")
	}
	if groups&groupWait != 0 {
		fs.DurationVar(&o.timeout, "timeout", defaults.Timeout, "give up waiting after this `duration`")
		fs.DurationVar(&o.grace, "visibility-grace", defaults.VisibilityGrace, "how long a job may answer 404 before it is not_visible")
		fs.DurationVar(&o.minInterval, "min-interval", defaults.MinInterval, "the shortest delay between polls, and the first after an error")
		fs.DurationVar(&o.maxInterval, "max-interval", defaults.MaxInterval, "the longest delay between polls")
		fs.DurationVar(&o.budget, "latency-budget", defaults.LatencyBudget, "the lag accepted in noticing the end when nothing predicts it (more calls when smaller)")
		fs.BoolVar(&o.returnOnPending, "return-on-pending", false, "stop once a job is Pending (exit 0, outcome pending)")
	}
	if groups&groupOutput != 0 {
		fs.StringVar(&o.output, "output", "text", "the result's `format` on stdout: text, json (one document) or jsonl (one object per line)")
		fs.BoolVar(&o.verbose, "verbose", false, "log every poll on stderr (never a credential)")
	}
	if groups&groupQuiet != 0 {
		fs.BoolVar(&o.quiet, "quiet", false, "print no progress on stderr (errors still are)")
	}
	if groups&groupState != 0 {
		fs.StringVar(&o.stateFile, "state-file", "", "keep the wait's state in `FILE`, to resume it after a restart (see below)")
		fs.StringVar(&o.historyFile, "history-file", "", "keep how long completed jobs took in `FILE` (default: taurusjob/history.json in the user's cache directory)")
		fs.BoolVar(&o.noHistory, "no-history", false, "neither read nor write a duration history")
	}
	return fs
}

// errHelp asks for the command's help; it is not an error.
var errHelp = flag.ErrHelp

// parseArgs parses flags and positional arguments in any order: the flag
// package stops at the first positional argument, so parsing resumes after
// each one. Everything after "--" is positional.
func parseArgs(fs *flag.FlagSet, o *options, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, explainFlagError(fs, args, err)
		}
		rest := fs.Args()
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" && !isFlagValue(fs, args, used-1) {
			finishParse(fs, o)
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			finishParse(fs, o)
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// isFlagValue reports whether args[i] is the value of the flag before it
// (as in --language --), not the "--" terminator.
func isFlagValue(fs *flag.FlagSet, args []string, i int) bool {
	if i == 0 {
		return false
	}
	prev := strings.TrimLeft(args[i-1], "-")
	if !strings.HasPrefix(args[i-1], "-") || strings.Contains(prev, "=") {
		return false
	}
	f := fs.Lookup(prev)
	if f == nil {
		return false
	}
	if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
		return false
	}
	return true
}

// finishParse records which flags were given, for the flag-beats-variable rule.
func finishParse(fs *flag.FlagSet, o *options) {
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
}

// usageError is a mistake on the command line or in the environment:
// exit code 2, and nothing was sent.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
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
