package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Grid is the set of cells to simulate: every combination of its values.
type Grid struct {
	Ds       []time.Duration
	Vs       []time.Duration
	Profiles []Profile
	Outcomes []Outcome
}

// FullGrid is the grid of the polling-efficiency issue.
func FullGrid() Grid {
	return Grid{
		Ds: []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute,
			10 * time.Minute, 30 * time.Minute, 2 * time.Hour},
		Vs:       []time.Duration{0, 8 * time.Second},
		Profiles: slices.Clone(Profiles),
		Outcomes: []Outcome{Completed, Failed},
	}
}

// TinyGrid is small enough for go test -race in CI, and still touches
// every code path: a job shorter than its invisibility, a longer one,
// progress and none, both outcomes.
func TinyGrid() Grid {
	return Grid{
		Ds:       []time.Duration{5 * time.Second, 2 * time.Minute},
		Vs:       []time.Duration{8 * time.Second},
		Profiles: []Profile{ProfileNone, ProfileLinear},
		Outcomes: []Outcome{Completed, Failed},
	}
}

// ParseGrid reads a grid: "full", "tiny", or space-separated key=values
// that narrow the full grid, e.g. "D=30m,2h V=8s profile=none outcome=completed".
// Keys: D, V, profile, outcome. Values must be in the full grid.
func ParseGrid(s string) (Grid, error) {
	switch strings.TrimSpace(s) {
	case "", "full":
		return FullGrid(), nil
	case "tiny":
		return TinyGrid(), nil
	}
	g := FullGrid()
	for _, field := range strings.Fields(s) {
		key, vals, ok := strings.Cut(field, "=")
		if !ok || vals == "" {
			return Grid{}, fmt.Errorf("grid: %q is not key=value[,value]", field)
		}
		var err error
		switch strings.ToLower(key) {
		case "d":
			g.Ds, err = pick(strings.Split(vals, ","), FullGrid().Ds, parseDur)
		case "v":
			g.Vs, err = pick(strings.Split(vals, ","), FullGrid().Vs, parseDur)
		case "profile":
			g.Profiles, err = pick(strings.Split(vals, ","), Profiles, func(s string) (Profile, error) {
				return Profile(s), nil
			})
		case "outcome":
			g.Outcomes, err = pick(strings.Split(vals, ","), []Outcome{Completed, Failed}, func(s string) (Outcome, error) {
				switch s {
				case "completed":
					return Completed, nil
				case "failed":
					return Failed, nil
				}
				return 0, fmt.Errorf("unknown outcome %q", s)
			})
		default:
			return Grid{}, fmt.Errorf("grid: unknown key %q (want D, V, profile or outcome)", key)
		}
		if err != nil {
			return Grid{}, fmt.Errorf("grid: %s: %w", key, err)
		}
	}
	return g, nil
}

// pick parses each value and keeps those that are in all, in all's order.
func pick[T comparable](vals []string, all []T, parse func(string) (T, error)) ([]T, error) {
	want := map[T]bool{}
	for _, v := range vals {
		x, err := parse(strings.TrimSpace(v))
		if err != nil {
			return nil, err
		}
		if !slices.Contains(all, x) {
			return nil, fmt.Errorf("%q is not in the grid", v)
		}
		want[x] = true
	}
	var out []T
	for _, x := range all {
		if want[x] {
			out = append(out, x)
		}
	}
	return out, nil
}

func parseDur(s string) (time.Duration, error) {
	if s == "0" {
		return 0, nil
	}
	return time.ParseDuration(s)
}

// Cells lists the grid's cells in table order: D, V, profile, outcome.
func (g Grid) Cells() []Cell {
	var cells []Cell
	for _, d := range g.Ds {
		for _, v := range g.Vs {
			for _, p := range g.Profiles {
				for _, o := range g.Outcomes {
					cells = append(cells, Cell{D: d, V: v, Profile: p, Outcome: o})
				}
			}
		}
	}
	return cells
}
