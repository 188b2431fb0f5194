package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"golang.org/x/term"
)

// progress shows the waits' progress on stderr. On a terminal it keeps one
// live line, rewritten with \r twice a second (so elapsed time and the
// countdown to the next poll move between polls). Elsewhere (a CI log, a
// file) it writes one plain line per change, without control characters.
// It is safe for concurrent use: WaitAll reports from several goroutines.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	quiet bool
	width func() int
	grace time.Duration
	start time.Time
	ids   []string
	jobs  map[string]*jobState
	drawn bool // a live line is on screen (tty only)

	stop chan struct{}
	done chan struct{}
}

type jobState struct {
	u  taurusjob.Update
	at time.Time // when u arrived
}

// redrawEvery is how often the live line is redrawn between polls.
const redrawEvery = 500 * time.Millisecond

// isTerminal reports whether w is a terminal, and a way to read its width.
func isTerminal(w io.Writer) (bool, func() int) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false, nil
	}
	return true, func() int {
		if wd, _, err := term.GetSize(int(f.Fd())); err == nil && wd > 0 {
			return wd
		}
		return 80
	}
}

func newProgress(w io.Writer, quiet bool, ids []string, grace time.Duration) *progress {
	p := &progress{w: w, quiet: quiet, grace: grace, start: time.Now(), ids: ids, jobs: map[string]*jobState{}}
	p.tty, p.width = isTerminal(w)
	if p.tty && !quiet {
		p.stop, p.done = make(chan struct{}), make(chan struct{})
		go p.tick()
	}
	return p
}

func (p *progress) tick() {
	defer close(p.done)
	defer func() { _ = recover() }() // a drawing bug must not crash the wait
	t := time.NewTicker(redrawEvery)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.drawn {
				p.draw()
			}
			p.mu.Unlock()
		}
	}
}

// update takes one poll's report from the waiter.
func (p *progress) update(u taurusjob.Update) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.jobs[u.JobID] = &jobState{u: u, at: time.Now()}
	switch {
	case p.quiet:
	case p.tty:
		p.draw()
	case u.Changed() || u.Poll == 1:
		fmt.Fprintln(p.w, plainLine(u, p.grace))
	}
}

// finish stops the live line, leaving its last state on screen.
func (p *progress) finish() {
	if p.stop != nil {
		close(p.stop)
		<-p.done
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		p.draw()
		io.WriteString(p.w, "\n")
		p.drawn = false
	}
}

// logWriter returns a writer for log lines on the same stream: on a
// terminal it clears the live line, writes, and draws the line again.
// The lines (the --verbose log quotes the server's text) are escaped as
// clean does, but for their newlines and the tabs between fields.
func (p *progress) logWriter() io.Writer { return logWriter{p} }

type logWriter struct{ p *progress }

func (l logWriter) Write(b []byte) (int, error) {
	l.p.mu.Lock()
	defer l.p.mu.Unlock()
	if l.p.drawn {
		io.WriteString(l.p.w, "\r\x1b[K")
	}
	_, err := io.WriteString(l.p.w, escapeText(string(b), "\n\t"))
	if l.p.drawn {
		l.p.draw()
	}
	if err != nil {
		return 0, err
	}
	return len(b), nil
}

// draw rewrites the live line; p.mu is held.
func (p *progress) draw() {
	line := p.liveLine(time.Now())
	if w := p.width(); len([]rune(line)) > w-1 {
		line = string([]rune(line)[:max(w-2, 1)]) + "…"
	}
	io.WriteString(p.w, "\r"+line+"\x1b[K")
	p.drawn = true
}

// liveLine is the terminal line: one job's state, or a count per status
// for several jobs, with a bar, elapsed time and the next poll.
func (p *progress) liveLine(now time.Time) string {
	var b strings.Builder
	if len(p.ids) == 1 {
		st := p.jobs[p.ids[0]]
		fmt.Fprintf(&b, "job %s: ", p.ids[0])
		if st == nil {
			b.WriteString("polling")
		} else {
			b.WriteString(stateWord(st.u))
			if st.u.Progress >= 0 && !st.u.Status.Terminal() {
				fmt.Fprintf(&b, " %s %d%%", bar(st.u.Progress), st.u.Progress)
			}
			if e := eta(st.u, now); e != "" {
				b.WriteString("  " + e)
			}
		}
	} else {
		fmt.Fprintf(&b, "%d jobs:", len(p.ids))
		counts := map[string]int{}
		var order []string
		sum, n := 0, 0
		for _, id := range p.ids {
			word := "waiting"
			if st := p.jobs[id]; st != nil {
				word = stateWord(st.u)
				if st.u.Status.Terminal() {
					sum, n = sum+100, n+1
				} else if st.u.Progress >= 0 {
					sum, n = sum+st.u.Progress, n+1
				}
			}
			if counts[word] == 0 {
				order = append(order, word)
			}
			counts[word]++
		}
		for i, word := range order {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, " %d %s", counts[word], word)
		}
		if n > 0 {
			fmt.Fprintf(&b, " %s %d%%", bar(sum/len(p.ids)), sum/len(p.ids))
		}
	}
	fmt.Fprintf(&b, "  elapsed %s", now.Sub(p.start).Truncate(time.Second))
	if next, ok := p.nextPoll(now); ok {
		fmt.Fprintf(&b, "  next poll in %s", next)
	}
	if e := p.lastError(); e != "" {
		fmt.Fprintf(&b, "  retrying after: %s", e)
	}
	return b.String()
}

// nextPoll is the time until the soonest next poll of a wait still going.
func (p *progress) nextPoll(now time.Time) (time.Duration, bool) {
	best, ok := time.Duration(0), false
	for _, st := range p.jobs {
		if st.u.Done {
			continue
		}
		d := max(st.at.Add(st.u.Next).Sub(now), 0)
		if !ok || d < best {
			best, ok = d, true
		}
	}
	if best > time.Second {
		best = best.Round(time.Second)
	} else {
		best = best.Round(100 * time.Millisecond)
	}
	return best, ok
}

// lastError is the error of a wait whose last poll failed, shortened.
func (p *progress) lastError() string {
	for _, id := range p.ids {
		if st := p.jobs[id]; st != nil && st.u.Err != nil && !st.u.Done {
			return shortError(st.u.Err)
		}
	}
	return ""
}

// stateWord names where a wait stands: its status, or "not visible yet".
func stateWord(u taurusjob.Update) string {
	if i := u.Instance; i != nil {
		w := "instance " + clip(i.Status, 40)
		if len(i.Actions) > 0 {
			w += " (" + plural(len(i.Actions), "action") + " under way)"
		}
		return w
	}
	if u.Job == nil {
		if u.Done {
			return "never seen"
		}
		return "not visible yet"
	}
	if u.Status == "" {
		return "(no status)"
	}
	return clip(string(u.Status), 40)
}

func bar(pct int) string {
	const width = 10
	n := min(max(pct, 0), 100) * width / 100
	return "[" + strings.Repeat("#", n) + strings.Repeat("-", width-n) + "]"
}

// shortError names a poll error in a few words: "HTTP 503 DBS.xxx".
func shortError(err error) string {
	var ae *taurusjob.APIError
	var te *taurusjob.TransportError
	switch {
	case errors.As(err, &ae):
		s := fmt.Sprintf("HTTP %d", ae.StatusCode)
		if ae.Code != "" {
			s += " " + clip(ae.Code, 24)
		}
		return s
	case errors.As(err, &te):
		return clip(te.Err.Error(), 60)
	}
	return clip(err.Error(), 60)
}

// plainLine is one line of the log-style progress, for one update.
func plainLine(u taurusjob.Update, grace time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "taurusjob: job %s: ", u.JobID)
	switch {
	case u.Done:
		fmt.Fprintf(&b, "%s; wait ended: %s after %s and %s",
			stateWord(u), taurusjob.Outcome(u.Job, u.Err), roundDuration(u.Elapsed), plural(u.Poll, "poll"))
	case u.Err != nil:
		fmt.Fprintf(&b, "poll %d failed, retrying in %s: %s", u.Poll, roundDuration(u.Next), clip(u.Err.Error(), 300))
	case u.Job == nil:
		fmt.Fprintf(&b, "not visible yet (poll %d); a new job takes a few seconds to appear, waiting up to %s",
			u.Poll, grace)
	default:
		b.WriteString(stateWord(u))
		if u.Progress >= 0 && !u.Status.Terminal() {
			fmt.Fprintf(&b, " %d%%", u.Progress)
		}
		if e := eta(u, time.Now()); e != "" {
			b.WriteString(", " + e)
		}
		fmt.Fprintf(&b, " (poll %d, %s elapsed, next poll in %s)", u.Poll, roundDuration(u.Elapsed), roundDuration(u.Next))
		if u.StatusChanged && u.Status == taurusjob.StatusUnauthorized {
			b.WriteString("; the job waits for an authorization and will not progress until someone grants it")
		}
	}
	return b.String()
}
