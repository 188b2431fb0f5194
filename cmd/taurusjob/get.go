package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"go.uber.org/zap"
)

// cmdGet is "taurusjob get JOB_ID": one call, no waiting.
func cmdGet(ctx context.Context, pos []string, o *options, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(pos) != 1 {
		return usageFail(stderr, "get", usagef("give exactly one job id, got %d arguments", len(pos)))
	}
	id, client, err := getClient(ctx, pos, o, env, stdin, stderr)
	if err != nil {
		return configFail(stderr, "get", err)
	}
	job, err := getJob(ctx, client, id, o.verbose, stderr)
	// Taken before the output is written: the code is the call's, and a
	// signal that comes during the writing does not turn it into 130.
	code := getExitCode(ctx, err)
	writeGot(stdout, stderr, o.output, id, job, err)
	return code
}

// getClient checks the job id and --output, then resolves the
// configuration and makes the client. Its errors go to configFail, as
// reading --token-file may be interrupted.
func getClient(ctx context.Context, pos []string, o *options, env func(string) string, stdin io.Reader, stderr io.Writer) (string, *taurusjob.Client, error) {
	ids, err := jobIDs(pos)
	if err == nil && len(ids) != 1 {
		// One argument can still hold several ids ("a,b") or none (",").
		err = usagef("give exactly one job id; to wait for several, use taurusjob wait")
	}
	if err == nil {
		err = checkOutput(o)
	}
	if err != nil {
		return "", nil, err
	}
	cfg, err := clientConfig(ctx, o, env, stdin, stderr)
	if err != nil {
		return "", nil, err
	}
	client, err := taurusjob.NewClient(cfg)
	return ids[0], client, err
}

// getJob makes the one call; --verbose logs it, with how long it took.
func getJob(ctx context.Context, client *taurusjob.Client, id string, verbose bool, stderr io.Writer) (*taurusjob.Job, error) {
	logger := newLogger(verbose, stderr)
	start := time.Now()
	job, err := client.GetJob(ctx, id)
	logger.Debug("get job", zap.String("job_id", id), zap.Duration("took", time.Since(start)), zap.Error(err))
	return job, err
}

// getExitCode is the exit code of the call. An ended ctx comes first: a
// call cut short by a signal is an interruption, whatever error it got.
// A 404 exits as "not visible" (5), as it does in a wait.
func getExitCode(ctx context.Context, err error) int {
	switch {
	case err == nil:
		return exitCompleted
	case ctx.Err() != nil:
		return exitInterrupted
	case errors.Is(err, taurusjob.ErrNotVisible), isNotFound(err):
		return exitNotVisible
	case errors.Is(err, taurusjob.ErrInvalidInput):
		return exitUsage
	}
	return exitAPIError
}

// writeGot prints what the call got. With --output json or jsonl it is
// one object, written even when the call failed, so that a script always
// has one to read; in text it is the job, if there is one. The error
// goes to stderr either way. A failed write is reported, but the exit
// code stays the call's.
func writeGot(stdout, stderr io.Writer, format, id string, job *taurusjob.Job, err error) {
	if format == "json" || format == "jsonl" {
		err2 := writeJSON(stdout, struct {
			JobID string          `json:"job_id"`
			Job   json.RawMessage `json:"job"`
			Error *jsonError      `json:"error,omitempty"`
		}{id, rawJob(job), newJSONError(err)}, "")
		if err2 != nil {
			fmt.Fprintf(stderr, "taurusjob: writing the result: %v\n", err2)
		}
	} else if job != nil {
		io.WriteString(stdout, jobText(job))
	}
	if err != nil {
		fmt.Fprintf(stderr, "taurusjob: %s\n", errText(err))
	}
}

func isNotFound(err error) bool {
	var ae *taurusjob.APIError
	return errors.Is(err, taurusjob.ErrNoJob) || (errors.As(err, &ae) && ae.StatusCode == 404)
}

// jobText is the full text form of a job, entities included.
func jobText(j *taurusjob.Job) string {
	var b strings.Builder
	fmt.Fprintf(&b, "job %s\n", clean(j.ID))
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "  %-12s %s\n", k+":", v)
		}
	}
	row("name", clean(j.Name))
	row("status", statusText(j))
	row("created", timeText(j.Created))
	row("ended", timeText(j.Ended))
	row("instance", instanceText(j.Instance))
	row("fail reason", clean(j.FailReason))
	if len(j.Entities) > 0 {
		var buf bytes.Buffer
		if json.Indent(&buf, j.Entities, "", "  ") == nil {
			b.WriteString("  entities:\n")
			for _, line := range strings.Split(buf.String(), "\n") {
				fmt.Fprintf(&b, "    %s\n", clean(line))
			}
		}
	}
	return b.String()
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}
