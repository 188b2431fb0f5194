package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// cmdWait is "taurusjob wait JOB_ID [JOB_ID...]".
func cmdWait(ctx context.Context, args []string, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	var o options
	fs := newFlagSet("wait", groupConn|groupWait|groupOutput|groupQuiet, &o)
	pos, err := parseArgs(fs, &o, args)
	if code, done := handleParse(err, "wait", stdout, stderr); done {
		return code
	}
	if len(pos) == 0 {
		return usageFail(stderr, "wait", usagef("no job id given"))
	}
	ids, err := jobIDs(pos)
	if err == nil {
		err = checkWaitOptions(&o)
	}
	if err != nil {
		return usageFail(stderr, "wait", err)
	}
	cfg, err := clientConfig(&o, env, stdin)
	if err != nil {
		return usageFail(stderr, "wait", err)
	}
	return waitJobs(ctx, cfg, ids, &o, stdout, stderr)
}

// waitJobs is the part of "wait" that "demo" shares: make the client and
// the waiter, wait for every job, print the results, pick the exit code.
func waitJobs(ctx context.Context, cfg taurusjob.ClientConfig, ids []string, o *options, stdout, stderr io.Writer) int {
	client, err := taurusjob.NewClient(cfg)
	if err != nil {
		return usageFail(stderr, "wait", err)
	}
	prog := newProgress(stderr, o.quiet, ids, o.grace)
	var polls pollCounter
	opts := []taurusjob.Option{
		taurusjob.WithTimeout(o.timeout),
		taurusjob.WithVisibilityGrace(o.grace),
		taurusjob.WithInterval(o.minInterval, o.maxInterval),
		taurusjob.WithLatencyBudget(o.budget),
		taurusjob.WithProgress(func(u taurusjob.Update) {
			polls.record(u)
			prog.update(u)
		}),
		taurusjob.WithLogger(newLogger(o.verbose, prog.logWriter())),
	}
	if o.returnOnPending {
		opts = append(opts, taurusjob.WithReturnOnPending())
	}
	w, err := taurusjob.NewWaiter(client, opts...)
	if err != nil {
		prog.finish()
		return usageFail(stderr, "wait", err)
	}
	start := time.Now()
	results := w.WaitAll(ctx, ids...)
	prog.finish()

	code := exitCompleted
	out := make([]jobResult, len(results))
	for i, r := range results {
		n, elapsed := polls.get(r.JobID)
		if n == 0 {
			elapsed = time.Since(start)
		}
		out[i] = jobResult{JobID: r.JobID, Outcome: taurusjob.Outcome(r.Job, r.Err), Job: r.Job, Err: r.Err, Polls: n, Elapsed: elapsed}
		code = worse(code, exitCodeOf(out[i].Outcome))
	}
	if err := printResults(stdout, stderr, o.output, out); err != nil {
		fmt.Fprintf(stderr, "taurusjob: writing the result: %v\n", err)
		if code == exitCompleted {
			code = exitInternal
		}
	}
	return code
}

// printResults prints each result on stdout, and the error of each job
// that did not complete on stderr.
func printResults(stdout, stderr io.Writer, format string, results []jobResult) error {
	var firstErr error
	for _, r := range results {
		var err error
		if format == "json" {
			err = writeResultJSON(stdout, r)
		} else {
			err = writeResultText(stdout, r)
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if r.Err != nil {
			fmt.Fprintf(stderr, "taurusjob: %s\n", errText(r.Err))
		}
	}
	return firstErr
}

// errText is an error's message for stderr, without the library's
// "taurusjob: " prefix (the line has its own) and without control characters.
func errText(err error) string {
	return clean(strings.TrimPrefix(err.Error(), "taurusjob: "))
}

// exitCodeOf maps an outcome to its exit code.
func exitCodeOf(outcome string) int {
	switch outcome {
	case "completed", "pending":
		return exitCompleted
	case "failed", "canceled":
		return exitFailed
	case "timeout":
		return exitTimeout
	case "not_visible":
		return exitNotVisible
	case "interrupted":
		return exitInterrupted
	}
	return exitAPIError
}

// severity orders exit codes for several jobs: an interruption first, then
// 4 (the setup is wrong), 1 (a job failed), 5, 3, and 0.
var severity = map[int]int{
	exitCompleted: 0, exitTimeout: 1, exitNotVisible: 2, exitFailed: 3, exitAPIError: 4,
	exitUsage: 5, exitInternal: 6, exitInterrupted: 7,
}

// worse returns the more severe of two exit codes.
func worse(a, b int) int {
	if severity[b] > severity[a] {
		return b
	}
	return a
}

// pollCounter keeps, per job, the polls made and the time waited, from the
// waiter's progress reports.
type pollCounter struct {
	mu sync.Mutex
	m  map[string]taurusjob.Update
}

func (c *pollCounter) record(u taurusjob.Update) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]taurusjob.Update{}
	}
	c.m[u.JobID] = u
}

func (c *pollCounter) get(id string) (int, time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	u := c.m[id]
	return u.Poll, u.Elapsed
}

// newLogger returns the --verbose logger: debug and up, human-readable,
// on w; or a no-op logger.
func newLogger(verbose bool, w io.Writer) *zap.Logger {
	if !verbose {
		return zap.NewNop()
	}
	enc := zap.NewDevelopmentEncoderConfig()
	enc.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05.000")
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(enc), zapcore.Lock(zapcore.AddSync(w)), zap.DebugLevel)
	return zap.New(core)
}

// handleParse deals with a flag parsing error: help asked for (exit 0) or
// a bad flag (exit 2). done is false when there was no error.
func handleParse(err error, cmd string, stdout, stderr io.Writer) (code int, done bool) {
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, errHelp):
		fmt.Fprint(stdout, commandHelp[cmd]())
		return exitCompleted, true
	}
	return usageFail(stderr, cmd, err), true
}

// usageFail prints a usage or input error and returns exit code 2.
func usageFail(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "taurusjob %s: %s\nRun \"taurusjob %s -h\" for help.\n", cmd, errText(err), cmd)
	return exitUsage
}
