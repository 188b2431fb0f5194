package main

import (
	"context"
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
func cmdWait(ctx context.Context, pos []string, o *options, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if o.set["instance"] && len(pos) > 0 {
		return usageFail(stderr, "wait", usagef("give job ids or --instance, not both"))
	}
	if o.set["instance"] {
		return cmdWaitInstance(ctx, o, env, stdin, stdout, stderr) // wait_instance.go
	}
	if len(pos) == 0 {
		return usageFail(stderr, "wait", usagef("no job id given"))
	}
	ids, err := jobIDs(pos)
	if err == nil {
		err = checkWaitOptions(o)
	}
	if err == nil {
		err = historyFromEnv(o, env)
	}
	if err == nil {
		err = checkStateOptions(o)
	}
	if err != nil {
		return usageFail(stderr, "wait", err)
	}
	cfg, err := clientConfig(ctx, o, env, stdin, stderr)
	if err != nil {
		return configFail(stderr, "wait", err)
	}
	return waitJobs(ctx, cfg, ids, o, stdout, stderr)
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
	run := &waitRun{o: o}
	if o.stateFile != "" {
		// Its lock is held until the results are written: a second wait
		// on the same file is refused for as long as this one runs.
		run.store, run.tokens, err = openState(o.stateFile, ids)
		if err != nil {
			return usageFail(stderr, "wait", err)
		}
		defer run.store.close()
	}
	if o.historyFile != "" {
		run.hist = loadHistory(o.historyFile, stderr)
	}
	run.prog = newProgress(stderr, o.quiet, ids, o.grace)
	w, pollers, err := run.startWaits(client, ids)
	if err != nil {
		run.prog.finish()
		return usageFail(stderr, "wait", err)
	}
	results := w.WaitPollers(ctx, pollers...)
	run.prog.finish()
	out := run.jobResults(results)
	run.finishFiles(allFinal(out), stderr)
	return reportResults(stdout, stderr, o.output, out)
}

// waitRun is what the steps of one waitJobs share: the flags, the files
// it keeps, and what it shows and counts while the waits run.
type waitRun struct {
	o      *options
	tokens map[string]string // the saved state of each job to resume
	store  *stateStore       // nil without --state-file
	hist   *historyFile      // nil without a history file
	prog   *progress
	polls  pollCounter
	start  time.Time // when the pollers were made: see jobResults
}

// startWaits makes the waiter and a poller for every job, resuming the
// saved ones, and says which waits resume. Every error is a usage error:
// no request has been sent yet.
func (r *waitRun) startWaits(client *taurusjob.Client, ids []string) (*taurusjob.Waiter, []*taurusjob.Poller, error) {
	w, err := taurusjob.NewWaiter(client, r.waiterOptions()...)
	if err == nil && r.store != nil {
		// Written before the first request: a path that cannot be written
		// is found now, not after a restart.
		if err = r.store.save(); err != nil {
			err = usagef("--state-file %s: cannot write it: %s", clip(r.o.stateFile, 200), errText(err))
		}
	}
	if err != nil {
		return nil, nil, err
	}
	if r.store != nil {
		// Its warnings, from here on, share stderr with the live line.
		r.store.log = r.prog.logWriter()
	}
	r.start = time.Now()
	pollers, err := newPollers(w, ids, r.tokens)
	if err != nil {
		return nil, nil, err
	}
	announceResumes(r.prog.logWriter(), r.o, r.tokens, pollers)
	return w, pollers, nil
}

// waiterOptions are the waiter's options from the flags. Its updates go
// to onProgress; with a state file, each job's state goes to the store
// as it changes, and with a history file the waiter reads and adds to it.
func (r *waitRun) waiterOptions() []taurusjob.Option {
	opts := []taurusjob.Option{
		taurusjob.WithTimeout(r.o.timeout),
		taurusjob.WithVisibilityGrace(r.o.grace),
		taurusjob.WithInterval(r.o.minInterval, r.o.maxInterval),
		taurusjob.WithLatencyBudget(r.o.budget),
		taurusjob.WithProgress(r.onProgress),
		taurusjob.WithLogger(newLogger(r.o.verbose, r.prog.logWriter())),
	}
	if r.o.returnOnPending {
		opts = append(opts, taurusjob.WithReturnOnPending())
	}
	if r.o.ready {
		opts = append(opts, taurusjob.WithReady())
	}
	opts = append(opts, readinessOptions(r.o)...)
	if r.store != nil {
		opts = append(opts, taurusjob.OnState(r.store.put))
	}
	if r.hist != nil {
		opts = append(opts, taurusjob.WithHistory(r.hist.h))
	}
	return opts
}

// onProgress takes the waiter's updates: it counts the polls, for the
// results, shows the progress, and drops the saved state of a job whose
// wait ended for good, so that a restart does not resume it.
func (r *waitRun) onProgress(u taurusjob.Update) {
	if !u.Polled && !u.Done {
		return // a poll held by the quota: nothing new to show
	}
	r.polls.record(u)
	r.prog.update(u)
	if u.Done && r.store != nil {
		r.store.ended(u.JobID, taurusjob.Outcome(u.Job, u.Err))
	}
}

// finishFiles is the end of the run's files, once the waits are over:
// the state file goes if every wait ended for good (else it stays, for a
// restart to resume), and the duration history is saved. The live line
// is gone, so their warnings go straight to stderr.
func (r *waitRun) finishFiles(allFinal bool, stderr io.Writer) {
	if r.store != nil {
		r.store.log = stderr
		r.store.finish(allFinal)
	}
	if r.hist != nil {
		if err := r.hist.save(); err != nil {
			fmt.Fprintf(stderr, "taurusjob: warning: could not save the duration history: %s\n", errText(err))
		}
	}
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

// errText is an error's message for stderr, without the library's
// "taurusjob: " prefix (the line has its own) and without control characters.
func errText(err error) string {
	return clean(strings.TrimPrefix(err.Error(), "taurusjob: "))
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
