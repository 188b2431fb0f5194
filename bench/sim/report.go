package main

import (
	"fmt"
	"time"
)

// Report turns the samples of a run into the tables to print.
func Report(cfg Config, samples []*Sample) []Table {
	var rows []Row
	for _, s := range samples {
		rows = append(rows, Summarise(s))
	}
	head := []string{"D", "V", "waiter", "profile", "calls p50", "calls p95",
		"lag p50 s", "lag p95 s", "fail lag p95 s", "fail in bound %", "correct %", "trials"}
	cold := Table{
		Title: fmt.Sprintf("Cold waits, %d trials per cell and outcome", cfg.Seeds),
		Head:  head,
		Left:  4,
		Notes: []string{
			"Trial: a job of D × U(0.9, 1.1), invisible (404) for its first V, completing at its end or failing at U(0, end); the wait starts at its creation.",
			"calls, lag: completed jobs; lag = when the wait returned − when the API first showed the terminal status (correct answers only).",
			"fail lag: the same for failed jobs; fail in bound: the share of them noticed within max(5 s, min(5 min, age at failure / 2)) + 1 s.",
			"correct: Completed → success, Failed → failure, over both outcomes; trials counts both.",
			"taurusjob: the real Waiter (defaults but WithTimeout(24h)) and Client on an in-memory API, in fake time.",
			"Baselines: models of docs/anchors.md run on the same trials; they ignore progress (profile any).",
		},
	}
	if cfg.Replayable {
		cold.Notes = append(cold.Notes, "taurusjob rows replay exactly: the Waiter's jitter comes from math/rand's global source, reseeded per trial.")
	} else {
		cold.Notes = append(cold.Notes, "taurusjob rows are NOT reproducible: the Waiter draws jitter from a source the sim cannot seed (math/rand/v2?);",
			"between runs its medians move by sampling noise. The baselines' rows replay exactly.")
	}
	seen := Table{
		Title: fmt.Sprintf("Seen before: the same Waiter waited for a job of the same name first, %d trials", cfg.Seeds),
		Head:  head,
		Left:  4,
		Notes: []string{
			"The warm-up job lasts the measured job's duration × U(0.95, 1.05) and completes; the measured job starts on the next whole second.",
			"The cold rows of the same cells are repeated for comparison.",
		},
	}
	coldRow := map[group]Row{}
	for _, r := range rows {
		switch r.Who {
		case WhoWaiterSeen:
			if c, ok := coldRow[group{r.D, r.V, WhoWaiter, r.Profile}]; ok {
				seen.Rows = append(seen.Rows, rowCells(c))
			}
			seen.Rows = append(seen.Rows, rowCells(r))
		default:
			coldRow[group{r.D, r.V, r.Who, r.Profile}] = r
			cold.Rows = append(cold.Rows, rowCells(r))
		}
	}
	tables := []Table{cold}
	if len(seen.Rows) > 0 {
		tables = append(tables, seen)
	}
	if eff := efficiency(rows); len(eff.Rows) > 0 {
		tables = append(tables, eff)
	}
	return tables
}

func rowCells(r Row) []string {
	dash := "-"
	calls50, calls95, lag50, lag95, fail95, inBound := dash, dash, dash, dash, dash, dash
	if r.HasCompleted {
		calls50, calls95 = fmt.Sprint(r.CallsP50), fmt.Sprint(r.CallsP95)
	}
	if r.HasLag {
		lag50, lag95 = secs(r.LagP50), secs(r.LagP95)
	}
	if r.HasFailed {
		fail95 = secs(r.FailLagP95)
		inBound = fmt.Sprintf("%.1f", r.FailInBound)
	}
	return []string{fmtDur(r.D), fmtDur(r.V), r.Who, r.Profile, calls50, calls95,
		lag50, lag95, fail95, inBound, fmt.Sprintf("%.1f", r.Correct), fmt.Sprint(r.N)}
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f", d.Seconds()) }

// efficiency compares calls × median lag of the waiter (cold and seen
// before) with the best baseline that answered every trial correctly, for
// jobs of 2 min or more that report no progress.
func efficiency(rows []Row) Table {
	t := Table{
		Title: "Calls × median lag (call·s), D ≥ 2 min, no progress; target: taurusjob ≤ 1.5 × best baseline",
		Head: []string{"D", "V", "taurusjob", "seen-before", "best baseline", "its calls×lag",
			"ratio", "ratio seen-before"},
		Left: 2,
		Notes: []string{
			"best baseline: the lowest calls × median lag among the baselines correct on every trial of the cell.",
		},
	}
	type key struct{ D, V time.Duration }
	var keys []key
	waiter, seen := map[key]Row{}, map[key]Row{}
	best := map[key]Row{}
	for _, r := range rows {
		k := key{r.D, r.V}
		if r.D < 2*time.Minute || !r.HasCompleted {
			continue
		}
		switch {
		case r.Who == WhoWaiter && r.Profile == string(ProfileNone):
			waiter[k] = r
			keys = append(keys, k)
		case r.Who == WhoWaiterSeen && r.Profile == string(ProfileNone):
			seen[k] = r
		case r.Profile == "any" && r.Correct == 100:
			if b, ok := best[k]; !ok || r.Cost() < b.Cost() {
				best[k] = r
			}
		}
	}
	for _, k := range keys {
		w, b := waiter[k], best[k]
		cells := []string{fmtDur(k.D), fmtDur(k.V), cost(w), "-", "-", "-", "-", "-"}
		if s, ok := seen[k]; ok {
			cells[3] = cost(s)
		}
		if b.Who != "" {
			cells[4], cells[5] = b.Who, cost(b)
			cells[6] = ratio(w, b)
			if s, ok := seen[k]; ok {
				cells[7] = ratio(s, b)
			}
		}
		t.Rows = append(t.Rows, cells)
	}
	return t
}

func cost(r Row) string {
	return fmt.Sprintf("%.0f (%d × %s)", r.Cost(), r.CallsP50, secs(r.LagP50))
}

func ratio(w, b Row) string {
	if b.Cost() == 0 {
		return "-"
	}
	x := w.Cost() / b.Cost()
	mark := "ok"
	if x > 1.5 {
		mark = "over"
	}
	return fmt.Sprintf("%.2f× %s", x, mark)
}
