package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"
	"github.com/taurusdb-tools/taurusjob"
)

// instanceFlags is wait's --instance: the jobs to wait for are the
// instance's unfinished ones, found through the service's job list.
func instanceFlags(o *options) *pflag.FlagSet {
	fs := pflag.NewFlagSet("Instance flags", pflag.ContinueOnError)
	fs.StringVar(&o.instance, "instance", "", "instead of job ids, wait for the unfinished (Pending, Running) jobs of the instance with this `id`")
	return fs
}

// cmdWaitInstance is "taurusjob wait --instance ID": the instance's
// unfinished jobs, listed once, then waited for as "wait" waits for ids,
// with the same output and exit codes. No such job exits 0.
func cmdWaitInstance(ctx context.Context, o *options, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	err := checkWaitOptions(o)
	if err == nil && o.instance == "" {
		err = usagef("--instance: no instance id given")
	}
	if err == nil {
		err = historyFromEnv(o, env)
	}
	if err == nil {
		err = checkStateOptions(o)
	}
	if err == nil && o.stateFile != "" {
		// The state file is keyed by job ids; a restart lists the instance again anyway.
		err = usagef("--state-file works with job ids, not --instance (a restart lists the instance's jobs again)")
	}
	if err != nil {
		return usageFail(stderr, "wait", err)
	}
	cfg, err := clientConfig(ctx, o, env, stdin, stderr)
	if err != nil {
		return configFail(stderr, "wait", err)
	}
	client, err := taurusjob.NewClient(cfg)
	if err != nil {
		return usageFail(stderr, "wait", err)
	}
	ids, err := unfinishedJobs(ctx, client, o.instance)
	switch {
	case errors.Is(err, taurusjob.ErrInvalidInput):
		return usageFail(stderr, "wait", err)
	case err != nil:
		fmt.Fprintf(stderr, "taurusjob wait: listing the jobs of instance %s: %s\n", clip(o.instance, 128), errText(err))
		if ctx.Err() != nil {
			return exitInterrupted
		}
		return exitAPIError
	case len(ids) == 0:
		if !o.quiet {
			fmt.Fprintf(stderr, "taurusjob wait: instance %s has no unfinished job\n", clean(o.instance))
		}
		return reportResults(stdout, stderr, o.output, nil)
	}
	return waitJobs(ctx, cfg, ids, o, stdout, stderr)
}

// unfinishedJobs lists the ids of the instance's jobs that have not ended.
func unfinishedJobs(ctx context.Context, c *taurusjob.Client, instance string) ([]string, error) {
	var ids []string
	seen := map[string]bool{}
	for job, err := range c.ListJobs(ctx, taurusjob.JobFilter{Instance: instance}) {
		if err != nil {
			return nil, err
		}
		if !job.Status.Terminal() && job.ID != "" && !seen[job.ID] { // a list that shifts may give a job twice
			seen[job.ID] = true
			ids = append(ids, job.ID)
		}
	}
	return ids, nil
}
