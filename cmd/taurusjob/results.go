package main

import (
	"fmt"
	"io"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// How a run of waits ends: the waiter's results become the CLI's, are
// printed, and give the exit code.

// jobResults turns the waiter's results into the CLI's, with the polls
// each job took and how long it was waited for. A job with no poll
// counted has no time of its own from the waiter: it gets the time since
// its poller was made.
func (r *waitRun) jobResults(results []taurusjob.Result) []jobResult {
	out := make([]jobResult, len(results))
	for i, res := range results {
		n, elapsed := r.polls.get(res.JobID)
		if n == 0 {
			elapsed = time.Since(r.start)
		}
		out[i] = jobResult{JobID: res.JobID, Outcome: taurusjob.Outcome(res.Job, res.Err), Job: res.Job, Err: res.Err, Polls: n, Elapsed: elapsed}
	}
	return out
}

// allFinal reports whether every wait ended for good: then the state
// file has nothing left for a restart to resume.
func allFinal(out []jobResult) bool {
	for _, r := range out {
		if !finalOutcome(r.Outcome) {
			return false
		}
	}
	return true
}

// reportResults prints the results and returns the exit code. When they
// could not be written, a run that would exit 0 exits exitInternal
// instead: a caller must not take a result it did not get for success.
func reportResults(stdout, stderr io.Writer, format string, out []jobResult) int {
	code := exitCode(out)
	if err := printResults(stdout, stderr, format, out); err != nil {
		fmt.Fprintf(stderr, "taurusjob: writing the result: %v\n", err)
		if code == exitCompleted {
			code = exitInternal
		}
	}
	return code
}

// exitCode is the exit code for several jobs: the most severe of theirs.
func exitCode(out []jobResult) int {
	code := exitCompleted
	for _, r := range out {
		code = worse(code, exitCodeOf(r.Outcome))
	}
	return code
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

// exitCodeOf maps an outcome to its exit code.
func exitCodeOf(outcome string) int {
	switch outcome {
	case "completed", "pending":
		return exitCompleted
	case "failed", "canceled", "instance_failed":
		return exitFailed
	case "timeout":
		return exitTimeout
	case "not_visible", "instance_not_found":
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
