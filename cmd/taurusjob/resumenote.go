package main

import (
	"fmt"
	"io"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// announceResumes says, for each job whose wait resumes from the state
// file, that it does. When --timeout was given it says too that the flag
// is ignored and which deadline holds instead, even with --quiet: a CI
// retry with a longer --timeout would otherwise time out, silently, on
// the first run's deadline.
func announceResumes(w io.Writer, o *options, tokens map[string]string, pollers []*taurusjob.Poller) {
	ignored := o.set["timeout"]
	if len(tokens) == 0 || (o.quiet && !ignored) {
		return
	}
	for _, p := range pollers {
		if tokens[p.JobID()] == "" {
			continue
		}
		line := fmt.Sprintf("taurusjob: job %s: resuming the wait saved in %s, with its deadline and grace window",
			p.JobID(), clip(o.stateFile, 200))
		if ignored {
			line += "; --timeout is ignored: the saved deadline is " + deadlineText(p.Deadline(), time.Now())
		}
		fmt.Fprintln(w, line)
	}
}

// deadlineText is a deadline as a local clock time and how far it is:
// "2026-12-01T05:30:00+08:00 (in 12m0s)" or "... (passed 3m0s ago)".
func deadlineText(deadline, now time.Time) string {
	at := deadline.Local().Format(time.RFC3339)
	if d := deadline.Sub(now); d > 0 {
		return fmt.Sprintf("%s (in %s)", at, roundDuration(d))
	}
	return fmt.Sprintf("%s (passed %s ago)", at, roundDuration(now.Sub(deadline)))
}
