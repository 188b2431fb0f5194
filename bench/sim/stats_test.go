package main

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	xs := []int{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	for _, c := range []struct {
		p    float64
		want int
	}{{50, 5}, {95, 10}, {10, 1}, {0, 1}, {100, 10}} {
		if got := Percentile(xs, c.p); got != c.want {
			t.Errorf("p%v of 1..10 = %d, want %d", c.p, got, c.want)
		}
	}
	if got := Percentile([]time.Duration{}, 50); got != 0 {
		t.Errorf("p50 of nothing = %s", got)
	}
	if xs[0] != 5 {
		t.Error("Percentile sorted its argument")
	}
}

func TestParseGrid(t *testing.T) {
	g, err := ParseGrid("D=30m,2h V=8s profile=none,stall outcome=failed")
	if err != nil {
		t.Fatal(err)
	}
	cells := g.Cells()
	if len(cells) != 4 || cells[0] != (Cell{30 * time.Minute, 8 * time.Second, ProfileNone, Failed}) ||
		cells[3] != (Cell{2 * time.Hour, 8 * time.Second, ProfileStall, Failed}) {
		t.Errorf("cells = %v", cells)
	}
	if full, _ := ParseGrid("full"); len(full.Cells()) != 6*2*6*2 { // durations × invisibilities × profiles × outcomes
		t.Errorf("full grid has %d cells, want 144", len(full.Cells()))
	}
	for _, bad := range []string{"D=3m", "X=1", "profile=zigzag", "D", "outcome=canceled"} {
		if _, err := ParseGrid(bad); err == nil {
			t.Errorf("ParseGrid(%q) accepted", bad)
		}
	}
}

// A trial's job does not depend on its profile, and a failing job fails
// within its planned duration.
func TestTrials(t *testing.T) {
	a := Trials(Cell{D: time.Minute, V: 8 * time.Second, Profile: ProfileNone, Outcome: Failed}, 200)
	b := Trials(Cell{D: time.Minute, V: 8 * time.Second, Profile: ProfileStall, Outcome: Failed}, 200)
	for i := range a {
		if a[i].Planned != b[i].Planned || a[i].End != b[i].End || a[i].Seed != b[i].Seed {
			t.Fatalf("trial %d differs between profiles", i)
		}
		tr := a[i]
		if tr.Planned < 54*time.Second || tr.Planned > 66*time.Second || tr.End < 0 || tr.End > tr.Planned ||
			tr.Warm < tr.Planned*95/100-time.Millisecond || tr.Warm > tr.Planned*105/100+time.Millisecond {
			t.Fatalf("trial %d out of range: %+v", i, tr)
		}
	}
}
