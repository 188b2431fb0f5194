package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/redact"
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

// rawJob is the job object as the API sent it, for the JSON output,
// which must be valid UTF-8 (jq and most JSON readers refuse anything
// else): each run of invalid bytes becomes U+FFFD. Such bytes can only sit
// inside a JSON string (outside one the client had refused the body), so
// the object stays valid JSON, its other bytes as they were.
func rawJob(j *taurusjob.Job) json.RawMessage {
	switch {
	case j == nil:
		return nil // encodes as null
	case len(j.Raw) == 0:
		return savedJob(j)
	}
	return bytes.ToValidUTF8(j.Raw, []byte("\uFFFD"))
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
// what would change how the text, or the lines after it, read becomes a
// visible escape (`\u202e`, `\x1b`): C0 controls (escape sequences
// included), DEL, C1 controls (U+009B starts one on some terminals), the
// bidi embeddings, overrides, isolates and marks (U+202E shows
// "exe.txt" as "txt.exe"), and the line and paragraph separators (a forged
// line). Invalid UTF-8 becomes `\xff`, byte by byte.
func clean(s string) string { return escapeText(s, "") }

// escapeText is clean, but leaves the controls in keep as they are.
func escapeText(s, keep string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r) && !strings.ContainsRune(keep, r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// unsafeRune reports whether r must not reach a terminal as it is.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r < 0xa0: // C0, DEL, C1
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi embeddings, overrides, isolates
		return true
	}
	return r == 0x200e || r == 0x200f || r == 0x061c || r == 0x2028 || r == 0x2029 // bidi marks, separators
}

// clip cleans s and cuts it to at most n runes.
func clip(s string, n int) string {
	r := []rune(clean(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}

// stdLog is the output of the standard log package (main sets it). The
// CLI logs nothing there, but net/http does, unasked: "Unsolicited response
// received on idle HTTP channel starting with ...", quoting bytes a server
// sent, which may echo the token. So each line is scrubbed of the run's
// credentials (hide) and escaped as clean does before it reaches stderr.
var stdLog = &scrubbedLog{w: os.Stderr}

type scrubbedLog struct {
	mu      sync.Mutex
	w       io.Writer
	secrets redact.Sets
}

// hide adds secrets to what the standard log never shows; empty ones are
// ignored. Whatever reads a credential calls it.
func (l *scrubbedLog) hide(secrets ...string) {
	set := redact.New(secrets...)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.secrets = append(l.secrets, set)
}

func (l *scrubbedLog) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := io.WriteString(l.w, escapeText(l.secrets.Scrub(string(b)), "\n")); err != nil {
		return 0, err
	}
	return len(b), nil
}
