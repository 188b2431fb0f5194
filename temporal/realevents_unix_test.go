//go:build unix

package taurustemporal

// What the real-server test reads in its workers' events: which attempts
// ran where, which a crash or a stop cut, and how soon they resumed.

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// eventsOf returns the events that match.
func eventsOf(evs []realEvent, match func(realEvent) bool) []realEvent {
	var out []realEvent
	for _, e := range evs {
		if match(e) {
			out = append(out, e)
		}
	}
	return out
}

// attemptsOf describes the attempts of a job's wait, for a failure's
// message: worker, attempt, start (since t0) and the polls it resumed from,
// and how it ended.
func attemptsOf(evs []realEvent, id string, t0 time.Time) string {
	var b strings.Builder
	for _, e := range eventsOf(evs, func(e realEvent) bool { return e.JobID == id }) {
		fmt.Fprintf(&b, "[%s %s #%d at %v", e.Worker, e.Event, e.Attempt, e.At.Sub(t0).Round(time.Millisecond))
		if e.Event == "start" {
			fmt.Fprintf(&b, " from %d polls", e.Resumed)
		} else {
			fmt.Fprintf(&b, " %q", e.Error)
		}
		b.WriteString("] ")
	}
	return b.String()
}

// firstAttempts returns the jobs whose first attempt started.
func firstAttempts(evs []realEvent) map[string]bool {
	seen := map[string]bool{}
	for _, e := range eventsOf(evs, func(e realEvent) bool { return e.Event == "start" && e.Attempt == 1 }) {
		seen[e.JobID] = true
	}
	return seen
}

// running returns the attempts (job id → attempt) that worker runs at at.
func running(evs []realEvent, worker string, at time.Time) map[string]int32 {
	out := map[string]int32{}
	for _, e := range evs {
		if e.Worker != worker || e.At.After(at) {
			continue
		}
		switch e.Event {
		case "start":
			out[e.JobID] = e.Attempt
		case "end":
			if out[e.JobID] == e.Attempt {
				delete(out, e.JobID)
			}
		}
	}
	return out
}

// mustRunWaits fails the test unless each worker runs an attempt now: a crash or a stop that cuts none would prove nothing.
func mustRunWaits(t *testing.T, evs []realEvent, workers ...string) {
	t.Helper()
	for _, w := range workers {
		if len(running(evs, w, time.Now())) == 0 {
			t.Fatalf("worker %s runs no wait to cut", w)
		}
	}
}

// attemptsCut returns the jobs of which worker ran an attempt when it went
// away at at.
func attemptsCut(evs []realEvent, worker string, at time.Time) map[string]bool {
	out := map[string]bool{}
	for id := range running(evs, worker, at) {
		out[id] = true
	}
	return out
}

// unresumed returns the attempts worker ran when it went away at at that
// have no next attempt yet.
func unresumed(evs []realEvent, worker string, at time.Time) map[string]int32 {
	cut := running(evs, worker, at)
	for _, e := range evs {
		if e.Event == "start" && cut[e.JobID] != 0 && e.Attempt > cut[e.JobID] {
			delete(cut, e.JobID)
		}
	}
	return cut
}

// resumeDelays returns, for each attempt worker ran when it went away at
// at, how long after at the next attempt started.
func resumeDelays(t *testing.T, evs []realEvent, worker string, at time.Time) []time.Duration {
	t.Helper()
	var out []time.Duration
	for id, attempt := range running(evs, worker, at) {
		next := eventsOf(evs, func(e realEvent) bool { return e.Event == "start" && e.JobID == id && e.Attempt == attempt+1 })
		if len(next) == 0 {
			// It ended in the instant the worker went away, or never resumed.
			if len(eventsOf(evs, func(e realEvent) bool { return e.Event == "end" && e.JobID == id && e.Attempt == attempt })) == 0 {
				t.Errorf("job %s: attempt %d, cut when worker %s went away, was never resumed", id, attempt, worker)
			}
			continue
		}
		out = append(out, next[0].At.Sub(at))
	}
	return out
}

// cancelDelays returns how long after the cancel each cancelled wait's
// activity ended.
func cancelDelays(evs []realEvent, jobs []*realJob, at time.Time) []time.Duration {
	var out []time.Duration
	for _, j := range jobs {
		if j.want != "interrupted" {
			continue
		}
		for _, e := range eventsOf(evs, func(e realEvent) bool { return e.Event == "end" && e.JobID == j.id && e.Error == "canceled" }) {
			out = append(out, e.At.Sub(at))
		}
	}
	return out
}

// spread is min–max of ds, for the log.
func spread(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	sort.Slice(ds, func(a, b int) bool { return ds[a] < ds[b] })
	return fmt.Sprintf("%v–%v", ds[0].Round(10*time.Millisecond), ds[len(ds)-1].Round(10*time.Millisecond))
}
