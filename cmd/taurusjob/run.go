package main

import (
	"context"
	"fmt"
	"io"
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
	if len(args) == 0 {
		fmt.Fprint(stderr, mainUsage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "wait":
		return cmdWait(ctx, rest, env, stdin, stdout, stderr)
	case "get":
		return cmdGet(ctx, rest, env, stdin, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, rest, stdout, stderr)
	case "fake-api":
		return cmdFakeAPI(ctx, rest, env, stdout, stderr)
	case "version", "--version", "-version":
		return cmdVersion(rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			if h, ok := commandHelp[rest[0]]; ok {
				fmt.Fprint(stdout, h())
				return exitCompleted
			}
		}
		fmt.Fprint(stdout, mainUsage)
		return exitCompleted
	}
	fmt.Fprintf(stderr, "taurusjob: unknown command %q\n\n%s", clean(cmd), mainUsage)
	return exitUsage
}
