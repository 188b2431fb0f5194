package main

import (
	"fmt"
	"slices"
	"time"
)

// Config is what one simulation run covers.
type Config struct {
	Grid  Grid
	Seeds int // trials per cell
	// Seen lists the profiles for which the "seen before" scenario runs: a
	// Waiter that already waited for a job of the same name and a duration
	// within ±5 % waits again. Empty skips the scenario.
	Seen []Profile
	// Replayable says whether the Waiter's results are reproducible run to
	// run (see replayable in waiter_test.go); the tables say so.
	Replayable bool
}

// WaitFunc runs the real waiter on one trial; warm says to wait first for
// the trial's warm-up job with the same Waiter.
type WaitFunc func(t Trial, warm bool) Result

// Names of the waiter's rows.
const (
	WhoWaiter     = "taurusjob"
	WhoWaiterSeen = "taurusjob seen-before"
)

// group identifies the trials summarised in one row.
type group struct {
	D, V    time.Duration
	Who     string
	Profile string // "any" for baselines, which ignore progress
}

// Sample is every result of one group, by outcome.
type Sample struct {
	group
	Completed, Failed []Outcomes
}

// Outcomes pairs a trial with what a wait gave for it.
type Outcomes struct {
	Trial  Trial
	Result Result
}

// Simulate runs the waiter (through wait) and every baseline on the trials
// of cfg's grid. progress, if not nil, is told about each cell as it
// starts. The samples come in table order.
func Simulate(cfg Config, wait WaitFunc, progress func(string)) []*Sample {
	samples := map[group]*Sample{}
	var order []group
	add := func(g group, tr Trial, r Result) {
		s := samples[g]
		if s == nil {
			s = &Sample{group: g}
			samples[g] = s
			order = append(order, g)
		}
		o := Outcomes{tr, r}
		if tr.Outcome == Failed {
			s.Failed = append(s.Failed, o)
		} else {
			s.Completed = append(s.Completed, o)
		}
	}
	for _, c := range cfg.Grid.Cells() {
		if progress != nil {
			progress(fmt.Sprintf("%s: %d trials", c, cfg.Seeds))
		}
		trials := Trials(c, cfg.Seeds)
		for _, tr := range trials {
			add(group{c.D, c.V, WhoWaiter, string(c.Profile)}, tr, wait(tr, false))
		}
		if slices.Contains(cfg.Seen, c.Profile) {
			for _, tr := range trials {
				add(group{c.D, c.V, WhoWaiterSeen, string(c.Profile)}, tr, wait(tr, true))
			}
		}
		// Baselines ignore progress: run them once per (D, V, outcome),
		// on the first profile of the grid.
		if c.Profile != cfg.Grid.Profiles[0] {
			continue
		}
		for i, b := range Baselines {
			for _, tr := range trials {
				add(group{c.D, c.V, b.Name, "any"}, tr, b.Run(tr, tr.rng(uint64(i)+1)))
			}
		}
	}
	slices.SortStableFunc(order, func(a, b group) int {
		if a.D != b.D {
			return int((a.D - b.D) / time.Millisecond)
		}
		if a.V != b.V {
			return int((a.V - b.V) / time.Millisecond)
		}
		return whoRank(a) - whoRank(b)
	})
	out := make([]*Sample, len(order))
	for i, g := range order {
		out[i] = samples[g]
	}
	return out
}

// whoRank orders rows: the waiter by profile, the waiter seen before by
// profile, then the baselines in their order.
func whoRank(g group) int {
	p := slices.Index(Profiles, Profile(g.Profile))
	switch g.Who {
	case WhoWaiter:
		return p
	case WhoWaiterSeen:
		return 100 + p
	}
	return 200 + slices.IndexFunc(Baselines, func(b Baseline) bool { return b.Name == g.Who })
}
