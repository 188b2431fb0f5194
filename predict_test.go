package taurusjob

import (
	"testing"
	"time"
)

// readings feeds a track percent readings taken at the given seconds.
func readings(pts ...[2]float64) *progressTrack {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pt := &progressTrack{}
	for _, p := range pts {
		pt.observe(t0.Add(seconds(p[0])), int(p[1]))
	}
	return pt
}

func at(s float64) time.Time {
	return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(seconds(s))
}

// For a job whose percent grows like a line, the window holds the true
// end and narrows as the percent grows: that is what lets the waiter poll
// right around the end instead of all along the way.
func TestProgressWindowBoundsLinearEnd(t *testing.T) {
	const d = 1800.0 // a 30-minute job, percent rounded down
	pct := func(s float64) float64 { return float64(int(100 * s / d)) }
	pt := readings([2]float64{15, pct(15)}, [2]float64{400, pct(400)})
	w := pt.window()
	if !w.known() || w.hi.IsZero() || at(d).Before(w.lo) || at(d).After(w.hi) {
		t.Fatalf("after 22%%: window %v..%v does not hold the end at %v", w.lo, w.hi, at(d))
	}
	wide := w.hi.Sub(w.lo)
	pt.observe(at(1750), int(pct(1750)))
	w = pt.window()
	if pt.Broken || at(d).Before(w.lo) || at(d).After(w.hi) {
		t.Fatalf("after 97%%: window %v..%v does not hold the end (broken %v)", w.lo, w.hi, pt.Broken)
	}
	if narrow := w.hi.Sub(w.lo); narrow > 30*time.Second || narrow >= wide {
		t.Errorf("window at 97%% is %s wide (was %s); want it under 30s and narrower", narrow, wide)
	}
}

// Percents that do not grow like a line break the track, so the schedule
// falls back to polling without a prediction instead of trusting a wrong one.
func TestProgressTrackBreaksOnNonLinear(t *testing.T) {
	tests := []struct {
		name string
		pts  [][2]float64
	}{
		{"percent goes back", [][2]float64{{0, 10}, {100, 20}, {200, 15}}},
		{"stalls far below the line", [][2]float64{{0, 0}, {100, 10}, {200, 20}, {600, 21}}},
		{"jumps far above the line", [][2]float64{{0, 0}, {100, 10}, {200, 20}, {250, 80}}},
		{"runs on past the predicted end", [][2]float64{{0, 0}, {100, 10}, {200, 20}, {1500, 99}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if pt := readings(tt.pts...); !pt.Broken || pt.window().known() {
				t.Errorf("track %+v not broken", pt)
			}
		})
	}
	if pt := readings([2]float64{0, 0}, [2]float64{100, 10}, [2]float64{200, 20}, [2]float64{300, 30}); pt.Broken {
		t.Errorf("a line was taken for a non-linear percent: %+v", pt)
	}
}

// No growth yet, or one percent only: no upper bound is claimed.
func TestProgressWindowNeedsGrowth(t *testing.T) {
	if w := readings([2]float64{0, 5}, [2]float64{100, 5}).window(); w.known() {
		t.Errorf("window %v from a percent that did not move", w)
	}
	if w := readings([2]float64{0, 5}, [2]float64{100, 6}).window(); !w.known() || !w.hi.IsZero() {
		t.Errorf("window %v from one percent of growth; want a start and no end", w)
	}
}

// What the schedule learned rides in the state token: a resumed wait
// predicts the same end as the first one, and keeps a broken prediction
// broken.
func TestLearnedStateRoundTrip(t *testing.T) {
	for name, pt := range map[string]*progressTrack{
		"a line":        readings([2]float64{15, 0}, [2]float64{400, 22}),
		"a broken line": readings([2]float64{0, 10}, [2]float64{100, 20}, [2]float64{200, 15}),
	} {
		st := sampleState()
		st.Start, st.GraceEnd, st.Deadline, st.Due = at(0), at(60), at(7200), at(10)
		st.last.Created = at(0)
		st.Track, st.HistBroken = pt, true
		got, err := decodeState(nil, encodeState(nil, st))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if g, w := got.Track.window(), pt.window(); !g.lo.Equal(w.lo) || !g.hi.Equal(w.hi) || got.Track.Broken != pt.Broken || !got.HistBroken {
			t.Errorf("%s: resumed window %v..%v (broken %v), want %v..%v (%v)", name, g.lo, g.hi, got.Track.Broken, w.lo, w.hi, pt.Broken)
		}
	}
}

// A percent that stops moving keeps the date it was first reached: the
// latest end its readings allow stays where they put it, so a job stuck at
// 99 % runs past it (and the waiter stops trusting the line, see
// TestWaitDropsTheLineOfAStuckPercent), however often 99 is read again.
func TestStuckPercentKeepsItsLatestEnd(t *testing.T) {
	pt := readings([2]float64{0, 0}, [2]float64{60, 33}, [2]float64{120, 66}, [2]float64{180, 99})
	before := pt.Said
	pt.observe(at(181), 99)
	if !pt.ReachedT.Equal(at(180)) {
		t.Errorf("99 %% is dated %v, want %v: when it was first read", pt.ReachedT, at(180))
	}
	if after := pt.Said; before.IsZero() || !after.Equal(before) {
		t.Errorf("the latest end moved from %v to %v on a reading that did not move", before, after)
	}
	pt.observe(at(200), 99) // well past that end: the line is off
	if !pt.Broken {
		t.Errorf("a job at 99 %% long past the line's latest end %v still has its line", before)
	}
}
