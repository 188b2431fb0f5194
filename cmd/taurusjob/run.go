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
// keep help/*.txt and README.md in step.
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
	case c == root || c == nil:
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
	// add adds a command: its flag sets, the map of the flags given
	// (for the flag-beats-variable rule) and what it runs.
	add := func(name string, sets []*pflag.FlagSet, given *map[string]bool, run func(args []string) int) {
		c := &cobra.Command{Use: name, Args: cobra.ArbitraryArgs, RunE: func(c *cobra.Command, args []string) error {
			*given = changed(c.Flags())
			*x.code = run(args)
			return nil
		}}
		for _, fs := range sets {
			c.Flags().AddFlagSet(fs)
		}
		helps[c] = helpText(name, flagHelp(sets...))
		root.AddCommand(c)
	}

	var wo, gto, do options
	add("wait", waitFlagSets(&wo), &wo.set, func(args []string) int {
		return cmdWait(x.ctx, args, &wo, x.env, x.stdin, x.stdout, x.stderr)
	})
	add("get", []*pflag.FlagSet{connFlags(&gto), outputFlags(&gto, false)}, &gto.set, func(args []string) int {
		return cmdGet(x.ctx, args, &gto, x.env, x.stdin, x.stdout, x.stderr)
	})
	var jo options
	var jf jobsOptions
	add("jobs", []*pflag.FlagSet{jobsFlags(&jf), connFlags(&jo), outputFlags(&jo, false)}, &jo.set, func(args []string) int {
		return cmdJobs(x.ctx, args, &jo, &jf, x.env, x.stdin, x.stdout, x.stderr)
	})
	demoWait := waitFlags(&do)
	setDemoDefaults(demoWait)
	add("demo", []*pflag.FlagSet{demoWait, outputFlags(&do, true)}, &do.set, func(args []string) int {
		return cmdDemo(x.ctx, args, &do, x.stdout, x.stderr)
	})
	var ro options
	add("ready", []*pflag.FlagSet{connFlags(&ro), waitFlags(&ro), readyFlags(&ro, false), outputFlags(&ro, true)}, &ro.set, func(args []string) int {
		return cmdReady(x.ctx, args, &ro, x.env, x.stdin, x.stdout, x.stderr)
	})
	var fo fakeAPIOptions
	add("fake-api", []*pflag.FlagSet{newFakeAPIFlags(&fo)}, &fo.set, func(args []string) int {
		return cmdFakeAPI(x.ctx, x.args[1:], args, &fo, x.env, x.stdout, x.stderr)
	})
	add("version", nil, new(map[string]bool), func(args []string) int {
		return cmdVersion(args, x.stdout, x.stderr)
	})
	// cobra's help and completion commands, made now rather than in
	// Execute, so that run finds them.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	if comp, _, err := root.Find([]string{"completion"}); err == nil && comp != root {
		// A shell it has no script for is a usage error, not its help.
		comp.Args, comp.RunE = cobra.ArbitraryArgs, func(*cobra.Command, []string) error {
			return usagef("give a shell: bash, zsh, fish or powershell")
		}
	}
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
