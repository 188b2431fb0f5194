package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// Flags of the simulation test; `go run ./bench/sim` sets them (see main.go).
var (
	flagRun    = flag.Bool("sim.run", false, "run the grid of -sim.grid with -sim.seeds (default: the tiny CI grid, 3 seeds)")
	flagSeeds  = flag.Int("sim.seeds", 500, "trials per cell and outcome, with -sim.run")
	flagGrid   = flag.String("sim.grid", "full", `cells, with -sim.run: "full", "tiny", or e.g. "D=30m,2h V=8s profile=none outcome=completed"`)
	flagSeen   = flag.String("sim.seen", "none", `profiles of the seen-before scenario, comma-separated; "all"; "" skips it`)
	flagFormat = flag.String("sim.format", "text", "output format: text, markdown or csv")
	flagOut    = flag.String("sim.out", "", "write the tables to this file (default: standard output)")
	flagDriver = flag.String("sim.driver", "wait", `how the real waiter is driven: "wait" (Waiter.Wait) or "token" `+
		`(a Poller rebuilt from its resume token at every step, as a controller that keeps only the token)`)
)

// TestSimulation runs the polling-efficiency simulation and prints its
// tables. Without -sim.run it runs the tiny grid (what CI runs): twice,
// checking that both runs print the same tables when the Waiter can be
// replayed, and once more with a Poller rebuilt from its token at every
// step, which must print the same tables as Wait: the token carries
// everything the schedule uses.
func TestSimulation(t *testing.T) {
	if !*flagRun {
		cfg := Config{Grid: TinyGrid(), Seeds: 3, Seen: []Profile{ProfileNone}, Replayable: replayable(t)}
		first := render(t, cfg, "text", waiterFunc(t, "wait"), nil)
		if again := render(t, cfg, "text", waiterFunc(t, "wait"), nil); again != first {
			if cfg.Replayable {
				t.Fatalf("two runs of the same trials printed different tables:\nfirst:\n%s\nagain:\n%s", first, again)
			}
			t.Log("the Waiter draws jitter from a source the sim cannot seed: its rows differ between runs")
		}
		if byToken := render(t, cfg, "text", waiterFunc(t, "token"), nil); cfg.Replayable && byToken != first {
			t.Errorf("a Poller rebuilt from its token at every step did not poll as Wait does:\nWait:\n%s\ntoken:\n%s", first, byToken)
		}
		t.Log("\n" + first)
		return
	}
	if *flagDriver != "wait" && *flagDriver != "token" {
		t.Fatalf("-sim.driver %q: want wait or token", *flagDriver)
	}
	grid, err := ParseGrid(*flagGrid)
	if err != nil {
		t.Fatal(err)
	}
	seen, err := parseProfiles(*flagSeen)
	if err != nil {
		t.Fatal(err)
	}
	if *flagSeeds < 1 {
		t.Fatalf("-sim.seeds %d: need at least 1", *flagSeeds)
	}
	cfg := Config{Grid: grid, Seeds: *flagSeeds, Seen: seen, Replayable: replayable(t)}
	start := time.Now()
	out := render(t, cfg, *flagFormat, waiterFunc(t, *flagDriver), func(s string) { fmt.Fprintf(os.Stderr, "sim: %s\n", s) })
	fmt.Fprintf(os.Stderr, "sim: done in %s\n", time.Since(start).Round(time.Second))
	if *flagOut == "" {
		fmt.Print(out)
		return
	}
	if err := os.WriteFile(*flagOut, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The harness, the baselines and the formatting are deterministic whatever
// the Waiter does: with a stand-in waiter, two runs print the same bytes in
// every format.
func TestDeterministicTables(t *testing.T) {
	stub := func(tr Trial, warm bool) Result {
		r := tr.rng(99)
		return Result{Calls: 1 + r.IntN(50), Returned: tr.Observable() + time.Duration(r.IntN(10_000))*time.Millisecond,
			Got: map[Outcome]Got{Completed: GotCompleted, Failed: GotFailed}[tr.Outcome]}
	}
	cfg := Config{Grid: TinyGrid(), Seeds: 20, Seen: []Profile{ProfileNone}, Replayable: true}
	for _, format := range Formats {
		if a, b := render(t, cfg, format, stub, nil), render(t, cfg, format, stub, nil); a != b {
			t.Errorf("%s: two runs differ:\n%s\n---\n%s", format, a, b)
		}
	}
}

func render(t *testing.T, cfg Config, format string, wait WaitFunc, progress func(string)) string {
	t.Helper()
	samples := Simulate(cfg, wait, progress)
	var b bytes.Buffer
	if err := Write(&b, format, Report(cfg, samples)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func parseProfiles(s string) ([]Profile, error) {
	switch s {
	case "":
		return nil, nil
	case "all":
		return Profiles, nil
	}
	var ps []Profile
	for _, p := range strings.Split(s, ",") {
		found := false
		for _, q := range Profiles {
			if string(q) == strings.TrimSpace(p) {
				ps, found = append(ps, q), true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown profile %q (want one of %v)", p, Profiles)
		}
	}
	return ps, nil
}
