package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes. They are the CLI's contract with scripts: keep them, and
// keep help.go and README.md in step.
const (
	exitCompleted   = 0   // every job completed (or is Pending, with --return-on-pending)
	exitFailed      = 1   // a job ended Failed or Canceled
	exitUsage       = 2   // usage error or invalid input; no request was sent
	exitTimeout     = 3   // the timeout passed before the job ended
	exitAPIError    = 4   // an error retrying cannot fix (400, 401, 403, ...)
	exitNotVisible  = 5   // the job never became visible within the grace window
	exitInternal    = 70  // a bug in taurusjob (EX_SOFTWARE)
	exitInterrupted = 130 // SIGINT or SIGTERM
)

// run is the whole command line tool: main only wires it to the process.
// It never calls os.Exit, so that tests can run it in-process.
func run(ctx context.Context, args []string, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			// The panic value and stack could hold a credential: print
			// neither. A bug report with the command line (without secrets)
			// is enough to reproduce.
			fmt.Fprintln(stderr, "taurusjob: internal error (a bug in taurusjob); details are not printed because they could hold credentials")
			code = exitInternal
		}
	}()
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		args = append([]string{"version"}, args[1:]...)
	}
	x := &cli{ctx: ctx, env: env, stdin: stdin, stdout: stdout, stderr: stderr, code: &code}
	root := newRoot(x)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	if comp, _, err := root.Find([]string{"completion"}); err == nil && comp != root {
		// A shell it has no script for is a usage error, not its help.
		comp.Args, comp.RunE = cobra.ArbitraryArgs, func(_ *cobra.Command, args []string) error {
			return usagef("give a shell: bash, zsh, fish or powershell")
		}
	}
	x.args = append([]string{}, args...) // not nil: cobra would read os.Args
	c, _, err := root.Find(args)
	switch {
	case len(args) > 0 && strings.HasPrefix(args[0], cobra.ShellCompRequestCmd):
		// The completion scripts' requests: cobra's own command.
	case err == nil && c == root && len(args) > 0 && !strings.HasPrefix(args[0], "-"):
		err = unknownCommand(root, args[0]) // before any flag after it is taken for root's
	case err == nil:
		x.args = longFlags(c.Flags(), x.args)
	}
	if err == nil {
		root.SetArgs(x.args)
		c, err = root.ExecuteC()
	}
	switch {
	case err == nil:
		return code
	case c == root:
		fmt.Fprintf(stderr, "taurusjob: %s\n\n%s", errText(err), mainUsage)
		return exitUsage
	}
	return usageFail(stderr, strings.TrimPrefix(c.CommandPath(), "taurusjob "), err)
}

// cli is what every command gets: the process's context, environment,
// standard streams, and the exit code it sets.
type cli struct {
	ctx            context.Context
	env            func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
	code           *int
	args           []string // the command line, with --name for -name
}

// newRoot makes the command tree. Each command's help is its own text
// (examples, exit codes) with its flags listed by flagHelp from the flag
// sets it parses, so that help cannot drift from them.
func newRoot(x *cli) *cobra.Command {
	root := &cobra.Command{
		Use: "taurusjob", SilenceErrors: true, SilenceUsage: true, Args: cobra.ArbitraryArgs, SuggestionsMinimumDistance: 2,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return unknownCommand(c, args[0])
			}
			fmt.Fprint(x.stderr, mainUsage)
			*x.code = exitUsage
			return nil
		},
	}
	root.SetOut(x.stdout)
	root.SetErr(x.stderr)
	root.SetIn(x.stdin)
	root.SetFlagErrorFunc(flagError)
	helps := map[*cobra.Command]string{root: mainUsage}
	defaultHelp := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		if h, ok := helps[c]; ok {
			fmt.Fprint(c.OutOrStdout(), h)
		} else {
			defaultHelp(c, args)
		}
	})
	add := func(name string, sets []*pflag.FlagSet, help func(flags string) string, run func(c *cobra.Command, args []string) int) *cobra.Command {
		c := &cobra.Command{Use: name, Args: cobra.ArbitraryArgs, RunE: func(c *cobra.Command, args []string) error {
			*x.code = run(c, args)
			return nil
		}}
		for _, fs := range sets {
			c.Flags().AddFlagSet(fs)
		}
		helps[c] = help(flagHelp(sets...))
		root.AddCommand(c)
		return c
	}

	var wo, gto, do options
	add("wait", flagGroups(waitGroups, &wo), waitHelp, func(c *cobra.Command, args []string) int {
		wo.set = changed(c.Flags())
		return cmdWait(x.ctx, args, &wo, x.env, x.stdin, x.stdout, x.stderr)
	})
	add("get", flagGroups(getGroups, &gto), getHelp, func(c *cobra.Command, args []string) int {
		gto.set = changed(c.Flags())
		return cmdGet(x.ctx, args, &gto, x.env, x.stdin, x.stdout, x.stderr)
	})
	demoSets := flagGroups(demoGroups, &do)
	setDemoDefaults(demoSets[0])
	add("demo", demoSets, demoHelp, func(c *cobra.Command, args []string) int {
		do.set = changed(c.Flags())
		return cmdDemo(x.ctx, args, &do, x.stdout, x.stderr)
	})
	var fo fakeAPIOptions
	add("fake-api", []*pflag.FlagSet{newFakeAPIFlags(&fo)}, fakeAPIHelp, func(c *cobra.Command, args []string) int {
		fo.set = changed(c.Flags())
		return cmdFakeAPI(x.ctx, x.args[1:], args, &fo, x.env, x.stdout, x.stderr)
	})
	add("version", nil, func(string) string { return versionHelp }, func(c *cobra.Command, args []string) int {
		return cmdVersion(args, x.stdout, x.stderr)
	})
	return root
}

// unknownCommand names the command meant, when one is near.
func unknownCommand(root *cobra.Command, name string) error {
	if near := root.SuggestionsFor(name); len(near) > 0 {
		return usagef("unknown command %q: did you mean %s?", clip(name, 40), strings.Join(near, " or "))
	}
	return usagef("unknown command %q", clip(name, 40))
}

// usageFail prints a usage or input error and returns exit code 2.
func usageFail(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "taurusjob %s: %s\nRun \"taurusjob %s -h\" for help.\n", cmd, errText(err), cmd)
	return exitUsage
}

const mainUsage = `taurusjob waits for Huawei Cloud TaurusDB jobs, for automation: progress on
stderr, the result on stdout, and an exit code that says how the job ended.

Usage:
  taurusjob wait JOB_ID [JOB_ID...] [flags]   wait until the jobs end
  taurusjob get JOB_ID [flags]                fetch a job once and print it
  taurusjob demo [flags]                      wait for a job of a fake API on loopback
  taurusjob fake-api --job SPEC... [flags]    serve scripted jobs on loopback, to test scripts
  taurusjob version                           print the version, commit and Go version
  taurusjob completion SHELL                  print a completion script: bash, zsh, fish or powershell

Run "taurusjob COMMAND -h" for a command's flags, examples and exit codes.
Try it without credentials: taurusjob demo
`

// exitCodesHelp is the exit code table of wait and demo. README.md holds
// the same table; a test keeps them in step.
const exitCodesHelp = `Exit codes:
  0    every job completed (or is Pending, with --return-on-pending)
  1    a job failed or was canceled; its fail reason is on stderr
  2    usage error or invalid input; no request was sent
  3    timeout: a job did not end within --timeout; its last state is printed
  4    an error retrying cannot fix: HTTP 400, 401, 403 and the other 4xx
       but 404, 408 and 429; an unknown host (DNS "no such host"); a TLS
       certificate that is not trusted or not for the host
  5    a job was not visible (HTTP 404) for longer than --visibility-grace
  70   internal error (a bug in taurusjob); no details are printed
  130  interrupted by SIGINT or SIGTERM; each job's last state is printed
With several jobs: 130 if interrupted, else the most severe of 4, 1, 5, 3, 0.
Retried until --timeout (exit 3 if they last): HTTP 5xx, 408 and 429, a
refused or reset connection, a network timeout, a DNS server that does not
answer. A refused connection is often a gateway restarting; an unknown host
is a wrong endpoint, which waiting would not fix.
`

// stateHelp explains --state-file and the history; README.md's
// "Resuming after a restart" says the same at more length.
const stateHelp = `Resuming after a restart (--state-file FILE):
  After each poll, the state of each job's wait (its deadline and visibility
  grace window as clock times, whether the job was seen, its polls) is written
  to FILE: atomically, mode 0600, never a credential. Run again with the same
  FILE and the same ids (after a crash, a deploy, a CI retry), wait goes on
  with the first run's deadline and grace window; --timeout and
  --visibility-grace apply only to jobs FILE has no state for (a --timeout
  ignored is said on stderr, with the saved deadline), and polls and
  elapsed_seconds count from the first run.
  - FILE missing or empty: a fresh wait; FILE is created before the first poll.
  - Every job ends completed, failed, canceled, not_visible, error or pending:
    FILE is removed.
  - A job timed out (exit 3) or the wait was interrupted (130): FILE is kept,
    for the next run. A run resumed past the first run's deadline exits 3 at
    once, without a request: delete FILE to start over with a new deadline.
  - FILE corrupt, edited, not a state file, saved for other ids, not a regular
    file, or in use by another wait (locked): exit 2, nothing sent, FILE left
    as it is.

Duration history (--history-file FILE, --no-history):
  How long completed jobs took, by job name, helps the next wait for a job of
  that name poll near its end. It is read at the start and saved at the end
  when a job completed; by default in taurusjob/history.json in the user's
  cache directory. A missing file is an empty history; an unreadable or
  corrupt one, or one that is not a regular file, is neither used nor
  written, with a warning, never an error.
`

const envHelp = `Environment (a flag beats its variable):
  TAURUSJOB_ENDPOINT    the API's base URL (beats TAURUSJOB_REGION)
  TAURUSJOB_REGION      a region, for its documented endpoint
  TAURUSJOB_SERVICE     the database service: taurusdb (default), rds,
                        opengauss or dds
  TAURUSJOB_PROJECT_ID  the project id (beats HUAWEICLOUD_SDK_PROJECT_ID)
  TAURUSJOB_TOKEN       an IAM token (X-Auth-Token)
  TAURUSJOB_TOKEN_COMMAND
                        a shell command that prints the IAM token, run
                        again when the token expires (HTTP 401)
  CLOUD_SDK_AK, CLOUD_SDK_SK, CLOUD_SDK_SECURITY_TOKEN, or
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_SECURITY_TOKEN
                        AK/SK request signing instead of a token
  HUAWEICLOUD_SDK_CREDENTIALS_FILE
                        the SDK's credentials file (default
                        ~/.huaweicloud/credentials: [basic] ak, sk,
                        security_token, project_id)
Credentials, first found wins: --token-file or --token-command; else one of
TAURUSJOB_TOKEN, TAURUSJOB_TOKEN_COMMAND and the AK/SK variables; else the
credentials file. Two at the same level is a usage error.
No flag takes a secret's value, and no secret is ever printed.
`

const jsonHelp = `With --output json, stdout is one JSON document, {"jobs": [...]}, for any
number of jobs (jq -r '.jobs[0].job.status'; python3 -m json.tool reads it).
With --output jsonl, stdout has the same objects, one per job and line.
Each job's object has:
  outcome          completed, failed, canceled, timeout, not_visible, error,
                   interrupted, or pending (with --return-on-pending)
  job_id           the job id
  job              the job object exactly as the API sent it (entities included);
                   null if the job was never seen
  polls            the requests made for this job
  elapsed_seconds  the time waited
  error            when there is one: message, and when known http_status,
                   code (e.g. DBS.200001) and request_id
`

// demoHelp is the help of demo, with its flags.
func demoHelp(flags string) string {
	return `Usage: taurusjob demo [flags]

Starts a fake TaurusDB job API on a loopback port and waits for one of its
jobs with the code of "taurusjob wait", the real client and the real waiter.
The job is invisible for 3 s (the API answers 404), runs from 0 to 100 % in
20 s, then completes with entities. Needs no credentials and no network
beyond loopback; it takes about 25 s. Its flags are those of wait, without
the connection flags, with --max-interval 3s and --timeout 2m by default.

Examples:
  taurusjob demo
  taurusjob demo --output json
  taurusjob demo --timeout 10s; echo "exit code $?"    # see a timeout

` + flags + "\n" + jsonHelp + "\n" + exitCodesHelp
}

const versionHelp = `Usage: taurusjob version

Prints taurusjob's version, the commit it was built from ("unknown" when
the build did not record it) and the Go version.
`
