package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/taurusdb-tools/taurusjob"
)

// jobsWriter prints a job list as it comes, one job at a time: a table
// in text, one JSON array with --output json, one object per line with
// jsonl. Each job is the list's item exactly as the API sent it.
type jobsWriter struct {
	out    io.Writer
	format string
	n      int
}

// The text table's columns: a job id is a 36-character UUID; longer
// values push the columns after them, nothing is cut.
const jobsRow = "%-36s  %-32s  %-10s  %7s  %-36s  %s\n"

func (w *jobsWriter) add(j *taurusjob.Job) error {
	defer func() { w.n++ }()
	switch w.format {
	case "json":
		sep := ",\n  "
		if w.n == 0 {
			sep = "[\n  "
		}
		return w.write(sep + string(rawJob(j)))
	case "jsonl":
		return w.write(string(rawJob(j)) + "\n")
	}
	head := ""
	if w.n == 0 {
		head = fmt.Sprintf(jobsRow, "ID", "NAME", "STATUS", "PERCENT", "INSTANCE", "CREATED")
	}
	return w.write(head + fmt.Sprintf(jobsRow, orDash(clean(j.ID)), orDash(clean(j.Name)), orDash(clean(string(j.Status))),
		percentText(j), orDash(clean(j.Instance.ID)), orDash(timeText(j.Created))))
}

// end closes the JSON array: [] when no job came.
func (w *jobsWriter) end() error {
	if w.format != "json" {
		return nil
	}
	if w.n == 0 {
		return w.write("[]\n")
	}
	return w.write("\n]\n")
}

// write writes s at once, so that no job is half written.
func (w *jobsWriter) write(s string) error {
	_, err := io.WriteString(w.out, s)
	return err
}

// percentText is "60%", or "-" when the job reports none.
func percentText(j *taurusjob.Job) string {
	if j.Progress < 0 {
		return "-"
	}
	return fmt.Sprintf("%d%%", j.Progress)
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
