package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// jobResult is how one job's wait ended, as the CLI reports it.
type jobResult struct {
	JobID   string
	Outcome string         // taurusjob.Outcome's word
	Job     *taurusjob.Job // the last job seen; nil if never seen
	Err     error
	Polls   int
	Elapsed time.Duration
}

// jsonResult is one job's result: an element of "jobs" with --output
// json, a line with --output jsonl.
type jsonResult struct {
	Outcome        string          `json:"outcome"`
	JobID          string          `json:"job_id"`
	Job            json.RawMessage `json:"job"` // the job object as the API sent it; null if never seen
	Polls          int             `json:"polls"`
	ElapsedSeconds float64         `json:"elapsed_seconds"`
	Error          *jsonError      `json:"error,omitempty"`
}

// jsonError describes the error that ended a wait (or, for a timeout, the
// last poll's error). Fields other than message are there when known.
type jsonError struct {
	Message    string `json:"message"`
	HTTPStatus int    `json:"http_status,omitempty"`
	Code       string `json:"code,omitempty"`
	RequestID  string `json:"request_id,omitempty"`
}

func newJSONError(err error) *jsonError {
	if err == nil {
		return nil
	}
	e := &jsonError{Message: err.Error()}
	var ae *taurusjob.APIError
	if errors.As(err, &ae) {
		e.HTTPStatus, e.Code, e.RequestID = ae.StatusCode, ae.Code, ae.RequestID
	}
	return e
}

func rawJob(j *taurusjob.Job) json.RawMessage {
	switch {
	case j == nil:
		return nil // encodes as null
	case len(j.Raw) == 0:
		return savedJob(j)
	}
	return j.Raw
}

// savedJob is the job object of a resumed wait that got no answer yet:
// the part of the job its state file kept, under the API's keys.
func savedJob(j *taurusjob.Job) json.RawMessage {
	v := struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Status  string `json:"status"`
		Process string `json:"process"`
	}{ID: j.ID, Name: j.Name, Status: string(j.Status)}
	if j.Progress >= 0 {
		v.Process = fmt.Sprintf("%d%%", j.Progress)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

// writeJSON writes v and a newline: on one line when indent is "", else
// indented. HTML characters are not escaped, so the job's strings stay as
// the API sent them. It writes once, so a failure leaves no half document.
func writeJSON(w io.Writer, v any, indent string) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func newJSONResult(r jobResult) jsonResult {
	return jsonResult{
		Outcome:        r.Outcome,
		JobID:          r.JobID,
		Job:            rawJob(r.Job),
		Polls:          r.Polls,
		ElapsedSeconds: math.Round(r.Elapsed.Seconds()*1000) / 1000,
		Error:          newJSONError(r.Err),
	}
}

// jsonDocument is the whole stdout of --output json: one JSON document
// for any number of jobs, so that jq and python3 -m json.tool read it.
// An object rather than a bare array, so that a field can be added one day
// without breaking the scripts that read "jobs".
type jsonDocument struct {
	Jobs []jsonResult `json:"jobs"`
}

// writeResults writes every result in format: text, json or jsonl.
func writeResults(w io.Writer, format string, results []jobResult) error {
	switch format {
	case "json":
		doc := jsonDocument{Jobs: make([]jsonResult, len(results))}
		for i, r := range results {
			doc.Jobs[i] = newJSONResult(r)
		}
		return writeJSON(w, doc, "  ")
	case "jsonl":
		for _, r := range results {
			if err := writeJSON(w, newJSONResult(r), ""); err != nil {
				return err
			}
		}
		return nil
	}
	for _, r := range results {
		if err := writeResultText(w, r); err != nil {
			return err
		}
	}
	return nil
}

// writeResultText writes a short summary of one job's wait.
func writeResultText(w io.Writer, r jobResult) error {
	var b strings.Builder
	fmt.Fprintf(&b, "job %s: %s\n", r.JobID, r.Outcome)
	if j := r.Job; j != nil {
		if j.Name != "" {
			fmt.Fprintf(&b, "  name:        %s\n", clean(j.Name))
		}
		fmt.Fprintf(&b, "  status:      %s\n", statusText(j))
		if inst := instanceText(j.Instance); inst != "" {
			fmt.Fprintf(&b, "  instance:    %s\n", inst)
		}
		if j.FailReason != "" {
			fmt.Fprintf(&b, "  fail reason: %s\n", clean(j.FailReason))
		}
	} else {
		b.WriteString("  status:      never seen\n")
	}
	fmt.Fprintf(&b, "  waited:      %s, %s\n", roundDuration(r.Elapsed), plural(r.Polls, "poll"))
	_, err := io.WriteString(w, b.String())
	return err
}

// statusText is "Running 60%" or "Completed".
func statusText(j *taurusjob.Job) string {
	s := clean(string(j.Status))
	if s == "" {
		s = "(no status)"
	}
	if j.Progress >= 0 && !j.Status.Terminal() {
		s += fmt.Sprintf(" %d%%", j.Progress)
	}
	return s
}

func instanceText(in taurusjob.Instance) string {
	switch {
	case in.Name != "" && in.ID != "":
		return clean(in.Name) + " (" + clean(in.ID) + ")"
	case in.Name != "":
		return clean(in.Name)
	}
	return clean(in.ID)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// roundDuration shows a duration to a useful precision: 850ms, 12.3s, 4m5s.
func roundDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// clean makes text from the API or the user safe to print on a terminal:
// control characters (escape sequences included) become '?'.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
}

// clip cleans s and cuts it to at most n runes.
func clip(s string, n int) string {
	r := []rune(clean(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
