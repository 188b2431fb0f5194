package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// cmdReady is "taurusjob ready INSTANCE_ID": wait until the instance is
// ready for the next change (or for connections).
func cmdReady(ctx context.Context, pos []string, o *options, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(pos) != 1 {
		return usageFail(stderr, "ready", usagef("give exactly one instance id, got %d arguments", len(pos)))
	}
	if err := checkReadyOptions(o); err != nil {
		return usageFail(stderr, "ready", err)
	}
	cfg, err := clientConfig(ctx, o, env, stdin, stderr)
	if err != nil {
		return configFail(stderr, "ready", err)
	}
	client, err := taurusjob.NewClient(cfg)
	if err != nil {
		return usageFail(stderr, "ready", err)
	}
	id := pos[0]
	opts := append(readinessOptions(o),
		taurusjob.WithTimeout(o.timeout),
		taurusjob.WithVisibilityGrace(o.grace),
		taurusjob.WithInterval(o.minInterval, o.maxInterval),
		taurusjob.WithLatencyBudget(o.budget),
		taurusjob.WithLogger(newLogger(o.verbose, stderr)),
	)
	var last taurusjob.Update // the wait's last update: its polls
	opts = append(opts, taurusjob.WithProgress(func(u taurusjob.Update) {
		last = u
		if !o.quiet {
			readyLine(stderr, id, u)
		}
	}))
	w, err := taurusjob.NewWaiter(client, opts...)
	if err != nil {
		return usageFail(stderr, "ready", err)
	}
	p, err := w.NewReadyPoller(id)
	if err != nil {
		return usageFail(stderr, "ready", err)
	}
	start := time.Now()
	res := w.WaitPollers(ctx, p)[0]
	r := readyResult{InstanceID: id, Outcome: readyOutcome(res.Err), Polls: last.Poll, Elapsed: time.Since(start)}
	r.Instance, r.Err = res.Instance, res.Err
	code := exitCodeOf(r.Outcome)
	if r.Outcome == "ready" {
		code = exitCompleted
	}
	if err := writeReady(stdout, o.output, r); err != nil {
		fmt.Fprintf(stderr, "taurusjob: writing the result: %v\n", err)
		if code == exitCompleted {
			code = exitInternal
		}
	}
	if r.Err != nil {
		fmt.Fprintf(stderr, "taurusjob: %s\n", errText(r.Err))
	}
	return code
}

// checkReadyOptions checks the flags ready shares with wait, and --settle.
func checkReadyOptions(o *options) error {
	if o.output == "jsonl" {
		o.output = "json" // one instance: the document and its line are the same
	}
	if o.settle < 0 || o.settle > time.Hour {
		return usagef("--settle must be between 0 and 1h, got %s", o.settle)
	}
	return checkWaitOptions(o)
}

// readinessOptions are the waiter's readiness options from the flags.
func readinessOptions(o *options) []taurusjob.Option {
	opts := []taurusjob.Option{taurusjob.WithSettle(o.settle)}
	if o.forConnections {
		opts = append(opts, taurusjob.WithReadyForConnections())
	}
	return opts
}

// readyOutcome names how a ready wait ended: "ready", or the outcome a
// job wait's error has.
func readyOutcome(err error) string {
	if err == nil {
		return "ready"
	}
	return taurusjob.Outcome(nil, err)
}

// readyResult is the outcome of "ready", as printed.
type readyResult struct {
	InstanceID string
	Outcome    string
	Instance   *taurusjob.InstanceInfo
	Err        error
	Polls      int
	Elapsed    time.Duration
}

// writeReady prints the result: a summary, or with --output json one
// object {"instance_id", "outcome", "status", "instance", "error", ...},
// "instance" being the instance object as the API sent it.
func writeReady(w io.Writer, format string, r readyResult) error {
	var status string
	var raw json.RawMessage
	var actions []string
	if i := r.Instance; i != nil {
		status, raw, actions = i.Status, i.Raw, i.Actions
	}
	if format == "json" {
		if len(raw) == 0 || !json.Valid(raw) {
			raw = json.RawMessage("null")
		}
		return writeJSON(w, struct {
			InstanceID string          `json:"instance_id"`
			Outcome    string          `json:"outcome"`
			Status     string          `json:"status,omitempty"`
			Actions    []string        `json:"actions,omitempty"`
			Polls      int             `json:"polls"`
			ElapsedS   float64         `json:"elapsed_s"`
			Instance   json.RawMessage `json:"instance"`
			Error      *jsonError      `json:"error,omitempty"`
		}{r.InstanceID, r.Outcome, status, actions, r.Polls, r.Elapsed.Seconds(), raw, newJSONError(r.Err)}, "  ")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "instance %s: %s\n", clean(r.InstanceID), r.Outcome)
	if status != "" {
		fmt.Fprintf(&b, "  status:      %s\n", clean(status))
	}
	if len(actions) > 0 {
		fmt.Fprintf(&b, "  actions:     %s\n", clean(strings.Join(actions, ", ")))
	}
	fmt.Fprintf(&b, "  waited:      %s\n", roundDuration(r.Elapsed))
	_, err := io.WriteString(w, b.String())
	return err
}

// readyLine prints a ready wait's progress: a line when something changed.
func readyLine(w io.Writer, id string, u taurusjob.Update) {
	if !u.Changed() && u.Poll != 1 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "taurusjob: instance %s: ", clean(id))
	switch {
	case u.Done:
		fmt.Fprintf(&b, "wait ended: %s after %s and %s", readyOutcome(u.Err), roundDuration(u.Elapsed), plural(u.Poll, "poll"))
	case u.Err != nil:
		fmt.Fprintf(&b, "poll %d failed, retrying in %s: %s", u.Poll, roundDuration(u.Next), clip(u.Err.Error(), 300))
	case u.Instance == nil:
		fmt.Fprintf(&b, "not found yet (poll %d)", u.Poll)
	default:
		fmt.Fprintf(&b, "%s (poll %d, %s elapsed, next poll in %s)", stateWord(u), u.Poll, roundDuration(u.Elapsed), roundDuration(u.Next))
	}
	fmt.Fprintln(w, b.String())
}
