package main

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"
)

// Outcome is how a simulated job ends.
type Outcome int

// The outcomes of the grid.
const (
	Completed Outcome = iota // Completed at its planned duration
	Failed                   // Failed at U(0, planned duration)
)

func (o Outcome) String() string {
	if o == Failed {
		return "failed"
	}
	return "completed"
}

// Profile names how a Running job reports progress ("process").
type Profile string

// The progress profiles of the grid.
const (
	ProfileNone   Profile = "none"   // "process" stays ""
	ProfileLinear Profile = "linear" // proportional to time
	ProfileSteps  Profile = "steps"  // linear, in steps of 20 %
	ProfileStall  Profile = "stall"  // 10 % for 90 % of the time, then 95 %
	ProfileFront  Profile = "front"  // square root of the time fraction
	ProfileStuck  Profile = "stuck"  // linear to 99 % by a tenth of the time, then 99 % until the end
)

// Profiles lists every profile in table order.
var Profiles = []Profile{ProfileNone, ProfileLinear, ProfileSteps, ProfileStall, ProfileFront, ProfileStuck}

// Cell is one point of the grid: the trials of a cell differ only in their
// random draws.
type Cell struct {
	D       time.Duration // nominal duration; each trial draws D × U(0.9, 1.1)
	V       time.Duration // how long the job is invisible (404) after its creation
	Profile Profile
	Outcome Outcome
}

func (c Cell) String() string {
	return fmt.Sprintf("D=%s V=%s %s %s", fmtDur(c.D), fmtDur(c.V), c.Profile, c.Outcome)
}

// Trial is one simulated job, timed from its creation, which is also when
// the wait starts.
type Trial struct {
	Cell
	Index int
	// Seed seeds everything random that is not the job itself: the
	// baselines' jitter and the waiter's (see runWaiterTrial).
	Seed uint64
	// Planned is D × U(0.9, 1.1): how long the job runs when it completes,
	// and the total its progress is reported against.
	Planned time.Duration
	// End is when the job reaches its terminal status: Planned for a
	// completing job, U(0, Planned) for a failing one.
	End time.Duration
	// Warm is the duration of the warm-up job of the "seen before"
	// scenario: Planned × U(0.95, 1.05), a job of the same name.
	Warm time.Duration
}

// Observable is when the API first shows the terminal status: the job's
// end, or the end of its invisibility if it ended before it became visible
// (a 5 s job that stays invisible for 8 s). Lags are counted from here.
func (t Trial) Observable() time.Duration { return max(t.End, t.V) }

// Trials returns the n trials of a cell. They depend only on D, V, the
// outcome and the index, not on the profile, so that every profile and
// every scheduler is measured on the same jobs.
func Trials(c Cell, n int) []Trial {
	key := fmt.Sprintf("taurusjob-sim/D=%d/V=%d/%s", c.D, c.V, c.Outcome)
	h := fnv.New64a()
	h.Write([]byte(key))
	base := h.Sum64()
	trials := make([]Trial, n)
	for i := range trials {
		r := rand.New(rand.NewPCG(splitmix(base^uint64(i)), splitmix(base+uint64(i))))
		t := Trial{Cell: c, Index: i, Seed: r.Uint64()}
		t.Planned = scale(c.D, 0.9+0.2*r.Float64())
		t.End = t.Planned
		if c.Outcome == Failed {
			t.End = scale(t.Planned, r.Float64())
		} else {
			r.Float64() // keep the draws aligned between outcomes
		}
		t.Warm = scale(t.Planned, 0.95+0.1*r.Float64())
		trials[i] = t
	}
	return trials
}

// splitmix is the splitmix64 finalizer: it spreads nearby seeds apart.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// rng returns a random source for one consumer of a trial, independent of
// the other consumers.
func (t Trial) rng(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(t.Seed, splitmix(stream)))
}

// scale multiplies d by f, rounded to the millisecond so that tables do not
// depend on float rounding of nanoseconds.
func scale(d time.Duration, f float64) time.Duration {
	return time.Duration(float64(d) * f).Round(time.Millisecond)
}

// fmtDur formats a grid duration compactly: 5s, 30s, 2m, 10m, 2h.
func fmtDur(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}
