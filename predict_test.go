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
	if pt.broken || at(d).Before(w.lo) || at(d).After(w.hi) {
		t.Fatalf("after 97%%: window %v..%v does not hold the end (broken %v)", w.lo, w.hi, pt.broken)
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
			if pt := readings(tt.pts...); !pt.broken || pt.window().known() {
				t.Errorf("track %+v not broken", pt)
			}
		})
	}
	if pt := readings([2]float64{0, 0}, [2]float64{100, 10}, [2]float64{200, 20}, [2]float64{300, 30}); pt.broken {
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
// broken; a learned part that could not have been saved is dropped.
func TestLearnedStateRoundTrip(t *testing.T) {
	first := &Poller{track: *readings([2]float64{15, 0}, [2]float64{400, 22})}
	first.histBroken = true
	resumed := &Poller{}
	resumed.restoreLearned(first.learnedJSON())
	got, want := resumed.track.window(), first.track.window()
	if !got.lo.Equal(want.lo) || !got.hi.Equal(want.hi) || !want.known() || !resumed.histBroken {
		t.Errorf("resumed window %v..%v (hist broken %v), want %v..%v (true)", got.lo, got.hi, resumed.histBroken, want.lo, want.hi)
	}
	broken := &Poller{track: *readings([2]float64{0, 10}, [2]float64{100, 20}, [2]float64{200, 15})}
	resumed = &Poller{}
	resumed.restoreLearned(broken.learnedJSON())
	if !resumed.track.broken {
		t.Error("a broken prediction came back whole")
	}
	if (&Poller{}).learnedJSON() != nil {
		t.Error("a wait that learned nothing saves something")
	}
	bad := &Poller{}
	bad.restoreLearned([]byte(`{"at":5,"ap":10,"lt":4,"lp":120}`))
	if bad.track.window().known() {
		t.Error("impossible readings were restored")
	}
}
