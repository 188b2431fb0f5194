package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
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
	fs := newFlagSet("wait", commandGroups["wait"], &o)
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
	if err == nil {
		err = checkStateOptions(&o)
	}
	if err != nil {
		return usageFail(stderr, "wait", err)
	}
	cfg, err := clientConfig(ctx, &o, env, stdin, stderr)
	if err != nil {
		return configFail(stderr, "wait", err)
	}
	return waitJobs(ctx, cfg, ids, &o, stdout, stderr)
}

// checkStateOptions checks --state-file, --history-file and --no-history,
// and resolves the history file: o.historyFile is "" when there is none.
func checkStateOptions(o *options) error {
	switch {
	case o.set["state-file"] && o.stateFile == "":
		return usagef("--state-file: no file name given")
	case o.set["history-file"] && o.historyFile == "":
		return usagef("--history-file: no file name given")
	case o.set["history-file"] && o.noHistory:
		return usagef("--history-file and --no-history were both given; give one")
	}
	switch {
	case o.noHistory:
		o.historyFile = ""
	case !o.set["history-file"]:
		o.historyFile = defaultHistoryPath()
	}
	if o.stateFile != "" && o.historyFile != "" && samePath(o.stateFile, o.historyFile) {
		return usagef("--state-file and the history file are both %s; give them different files", clip(o.stateFile, 200))
	}
	return nil
}

func samePath(a, b string) bool {
	x, errx := filepath.Abs(a)
	y, erry := filepath.Abs(b)
	return errx == nil && erry == nil && x == y
}

// waitJobs is the part of "wait" that "demo" shares: make the client and
// the waiter, wait for every job, print the results, pick the exit code.
// With o.stateFile it resumes the waits saved there and keeps their state;
// with o.historyFile it loads and saves the duration history.
func waitJobs(ctx context.Context, cfg taurusjob.ClientConfig, ids []string, o *options, stdout, stderr io.Writer) int {
	client, err := taurusjob.NewClient(cfg)
	if err != nil {
		return usageFail(stderr, "wait", err)
	}
	var (
		tokens map[string]string // the saved state of each job to resume
		store  *stateStore
	)
	if o.stateFile != "" {
		store, tokens, err = openState(o.stateFile, ids)
		if err != nil {
			return usageFail(stderr, "wait", err)
		}
		defer store.close()
	}
	var hist *historyFile
	if o.historyFile != "" {
		hist = loadHistory(o.historyFile, stderr)
	}
	prog := newProgress(stderr, o.quiet, ids, o.grace)
	var polls pollCounter
	opts := []taurusjob.Option{
		taurusjob.WithTimeout(o.timeout),
		taurusjob.WithVisibilityGrace(o.grace),
		taurusjob.WithInterval(o.minInterval, o.maxInterval),
		taurusjob.WithLatencyBudget(o.budget),
		taurusjob.WithProgress(func(u taurusjob.Update) {
			if !u.Polled && !u.Done {
				return // a poll held by the quota: nothing new to show
			}
			polls.record(u)
			prog.update(u)
			if u.Done && store != nil {
				store.ended(u.JobID, taurusjob.Outcome(u.Job, u.Err))
			}
		}),
		taurusjob.WithLogger(newLogger(o.verbose, prog.logWriter())),
	}
	if o.returnOnPending {
		opts = append(opts, taurusjob.WithReturnOnPending())
	}
	if store != nil {
		opts = append(opts, taurusjob.OnState(store.put))
	}
	if hist != nil {
		opts = append(opts, taurusjob.WithHistory(hist.h))
	}
	w, err := taurusjob.NewWaiter(client, opts...)
	if err == nil && store != nil {
		// Written before the first request: a path that cannot be written
		// is found now, not after a restart.
		if err = store.save(); err != nil {
			err = usagef("--state-file %s: cannot write it: %s", clip(o.stateFile, 200), errText(err))
		}
	}
	if err != nil {
		prog.finish()
		return usageFail(stderr, "wait", err)
	}
	if store != nil {
		store.log = prog.logWriter()
	}
	start := time.Now()
	pollers, err := newPollers(w, ids, tokens)
	if err != nil {
		prog.finish()
		return usageFail(stderr, "wait", err)
	}
	announceResumes(prog.logWriter(), o, tokens, pollers)
	results := w.WaitPollers(ctx, pollers...)
	prog.finish()

	code := exitCompleted
	allFinal := true
	out := make([]jobResult, len(results))
	for i, r := range results {
		n, elapsed := polls.get(r.JobID)
		if n == 0 {
			elapsed = time.Since(start)
		}
		out[i] = jobResult{JobID: r.JobID, Outcome: taurusjob.Outcome(r.Job, r.Err), Job: r.Job, Err: r.Err, Polls: n, Elapsed: elapsed}
		code = worse(code, exitCodeOf(out[i].Outcome))
		allFinal = allFinal && finalOutcome(out[i].Outcome)
	}
	if store != nil {
		store.log = stderr
		store.finish(allFinal)
	}
	if hist != nil {
		if err := hist.save(); err != nil {
			fmt.Fprintf(stderr, "taurusjob: warning: could not save the duration history: %s\n", errText(err))
		}
	}
	if err := printResults(stdout, stderr, o.output, out); err != nil {
		fmt.Fprintf(stderr, "taurusjob: writing the result: %v\n", err)
		if code == exitCompleted {
			code = exitInternal
		}
	}
	return code
}

// newPollers starts a wait for every job, at once: --timeout is the whole
// command's deadline. A job with a saved token resumes its wait, with the
// deadline and grace window it had. The tokens were checked already.
func newPollers(w *taurusjob.Waiter, ids []string, tokens map[string]string) ([]*taurusjob.Poller, error) {
	pollers := make([]*taurusjob.Poller, len(ids))
	for i, id := range ids {
		var err error
		if token := tokens[id]; token != "" {
			pollers[i], err = w.ResumePoller(id, token)
		} else {
			pollers[i], err = w.NewPoller(id)
		}
		if err != nil {
			return nil, err
		}
	}
	return pollers, nil
}

// printResults prints the results on stdout, and the error of each job
// that did not complete on stderr.
func printResults(stdout, stderr io.Writer, format string, results []jobResult) error {
	err := writeResults(stdout, format, results)
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(stderr, "taurusjob: %s\n", errText(r.Err))
		}
	}
	return err
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
