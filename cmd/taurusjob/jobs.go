package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/taurusdb-tools/taurusjob"
	"go.uber.org/zap"
)

// jobsOptions are the filters of "taurusjob jobs".
type jobsOptions struct {
	instance, status, name, since string
}

func jobsFlags(j *jobsOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("Filter flags", pflag.ContinueOnError)
	fs.StringVar(&j.instance, "instance", "", "only the jobs of the instance with this `id`")
	fs.StringVar(&j.status, "status", "", "only the jobs with this `status`: Running, Completed, Failed (TaurusDB: also Pending)")
	fs.StringVar(&j.name, "name", "", "only the jobs with this `name`, as the service spells it, e.g. CreateGaussDBforMySQLInstance")
	fs.StringVar(&j.since, "since", "", "only the jobs created in the last `D` (24h, 90m, 7d) or since an RFC 3339 time")
	return fs
}

// cmdJobs is "taurusjob jobs": the service's job list, filtered, as a
// table or one JSON array.
func cmdJobs(ctx context.Context, pos []string, o *options, j *jobsOptions, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(pos) != 0 {
		return usageFail(stderr, "jobs", usagef("takes no arguments, got %q; filter with --instance, --status, --name or --since", clip(pos[0], 40)))
	}
	f, err := jobsFilter(j, time.Now())
	if err == nil {
		err = checkOutput(o)
	}
	if err != nil {
		return usageFail(stderr, "jobs", err)
	}
	cfg, err := clientConfig(ctx, o, env, stdin, stderr)
	if err != nil {
		return configFail(stderr, "jobs", err)
	}
	client, err := taurusjob.NewClient(cfg)
	if err != nil {
		return usageFail(stderr, "jobs", err)
	}
	logger := newLogger(o.verbose, stderr)
	start := time.Now()
	w := &jobsWriter{out: stdout, format: o.output}
	n, err := listJobs(ctx, client, f, w)
	logger.Debug("list jobs", zap.Int("jobs", n), zap.Duration("took", time.Since(start)), zap.Error(err))
	return jobsEnd(ctx, w, n, err, stderr)
}

// listJobs writes every job of the list; a failed write ends it.
func listJobs(ctx context.Context, c *taurusjob.Client, f taurusjob.JobFilter, w *jobsWriter) (n int, err error) {
	for job, err := range c.ListJobs(ctx, f) {
		if err != nil {
			return n, err
		}
		if err := w.add(job); err != nil {
			return n, &writeError{err}
		}
		n++
	}
	return n, nil
}

// writeError is a failed write to stdout.
type writeError struct{ err error }

func (e *writeError) Error() string { return "writing the list: " + e.err.Error() }

// jobsEnd closes the output and picks the exit code: 0 when the whole
// list came, 2 for a filter the service refuses (nothing was sent), 130
// when interrupted, 4 for any other error, the jobs listed before it
// printed all the same.
func jobsEnd(ctx context.Context, w *jobsWriter, n int, err error, stderr io.Writer) int {
	invalid := errors.Is(err, taurusjob.ErrInvalidInput)
	if !invalid {
		if err2 := w.end(); err2 != nil && err == nil {
			err = &writeError{err2}
		}
	}
	switch {
	case err == nil:
		if n == 0 && w.format == "text" {
			fmt.Fprintln(stderr, "taurusjob jobs: no job matches")
		}
		return exitCompleted
	case invalid:
		return usageFail(stderr, "jobs", err)
	}
	fmt.Fprintf(stderr, "taurusjob jobs: after %s: %s\n", plural(n, "job"), errText(err))
	if ctx.Err() != nil {
		return exitInterrupted
	}
	return exitAPIError
}

// jobsFilter reads the filter flags; now is what --since counts back from.
func jobsFilter(j *jobsOptions, now time.Time) (taurusjob.JobFilter, error) {
	f := taurusjob.JobFilter{Instance: j.instance, Status: taurusjob.Status(j.status), Name: j.name}
	if j.since != "" {
		t, err := sinceTime(j.since, now)
		if err != nil {
			return f, err
		}
		f.Since = t
	}
	return f, nil
}

// sinceTime reads --since: a positive duration back from now (Go's form,
// or whole days such as 7d), or an RFC 3339 time not in the future.
func sinceTime(s string, now time.Time) (time.Time, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok && days != "" && len(days) <= 4 && strings.Trim(days, "0123456789") == "" {
		n, _ := strconv.Atoi(days)
		s = strconv.Itoa(n*24) + "h"
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, usagef("--since %s: give a positive duration such as 24h", clean(s))
		}
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, usagef("--since %q: give a duration such as 24h or 7d, or an RFC 3339 time such as 2026-05-20T14:00:00Z", clip(s, 60))
	}
	if t.After(now) {
		return time.Time{}, usagef("--since %s is in the future", clean(s))
	}
	return t, nil
}
