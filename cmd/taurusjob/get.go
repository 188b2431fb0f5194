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
func cmdGet(ctx context.Context, args []string, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	var o options
	fs := newFlagSet("get", groupConn|groupOutput, &o)
	pos, err := parseArgs(fs, &o, args)
	if code, done := handleParse(err, "get", stdout, stderr); done {
		return code
	}
	if len(pos) != 1 {
		return usageFail(stderr, "get", usagef("give exactly one job id, got %d arguments", len(pos)))
	}
	ids, err := jobIDs(pos)
	if err == nil && len(ids) != 1 {
		err = usagef("give exactly one job id; to wait for several, use taurusjob wait")
	}
	if err == nil {
		err = checkOutput(&o)
	}
	var cfg taurusjob.ClientConfig
	if err == nil {
		cfg, err = clientConfig(ctx, &o, env, stdin, stderr)
	}
	var client *taurusjob.Client
	if err == nil {
		client, err = taurusjob.NewClient(cfg)
	}
	if err != nil {
		return configFail(stderr, "get", err)
	}
	logger := newLogger(o.verbose, stderr)
	start := time.Now()
	job, err := client.GetJob(ctx, ids[0])
	logger.Debug("get job", zap.String("job_id", ids[0]), zap.Duration("took", time.Since(start)), zap.Error(err))

	code := exitCompleted
	switch {
	case err == nil:
	case ctx.Err() != nil:
		code = exitInterrupted
	case errors.Is(err, taurusjob.ErrNotVisible), isNotFound(err):
		code = exitNotVisible
	case errors.Is(err, taurusjob.ErrInvalidInput):
		code = exitUsage
	default:
		code = exitAPIError
	}
	if o.output == "json" || o.output == "jsonl" {
		err2 := writeJSON(stdout, struct {
			JobID string          `json:"job_id"`
			Job   json.RawMessage `json:"job"`
			Error *jsonError      `json:"error,omitempty"`
		}{ids[0], rawJob(job), newJSONError(err)}, "")
		if err2 != nil {
			fmt.Fprintf(stderr, "taurusjob: writing the result: %v\n", err2)
		}
	} else if job != nil {
		io.WriteString(stdout, jobText(job))
	}
	if err != nil {
		fmt.Fprintf(stderr, "taurusjob: %s\n", errText(err))
	}
	return code
}

func isNotFound(err error) bool {
	var ae *taurusjob.APIError
	return errors.As(err, &ae) && ae.StatusCode == 404
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
