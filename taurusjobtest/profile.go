package taurusjobtest

import (
	"math"
	"time"
)

// Profile is how a Running job reports progress: given how long it has
// been running and how long it will run in all, it returns the percent to
// show as "process" (0 to 100), or -1 to show "". total may be [Forever].
// A Profile must be safe for concurrent use; the ones below are.
type Profile func(elapsed, total time.Duration) int

// fraction is elapsed/total in [0, 1].
func fraction(elapsed, total time.Duration) float64 {
	if total <= 0 || elapsed >= total {
		return 1
	}
	if elapsed <= 0 {
		return 0
	}
	return float64(elapsed) / float64(total)
}

// Linear reports progress proportional to time: an honest job. It is the
// default.
func Linear(elapsed, total time.Duration) int {
	return int(100 * fraction(elapsed, total))
}

// FrontLoaded reports fast progress early and slow progress late (the
// square root of the time fraction): half done at a quarter of the time,
// so an estimate of the end from progress comes too early.
func FrontLoaded(elapsed, total time.Duration) int {
	return int(100 * math.Sqrt(fraction(elapsed, total)))
}

// NoProgress reports no progress at all: "process" stays "".
func NoProgress(elapsed, total time.Duration) int { return -1 }

// StallThenJump reports 10% for the first 90% of the running time, then
// 95%: an estimate of the end from progress comes far too late.
func StallThenJump(elapsed, total time.Duration) int {
	if fraction(elapsed, total) < 0.9 {
		return 10
	}
	return 95
}

// Steps reports progress in steps of step percent (20 gives 0, 20, 40,
// 60, 80), each step reached when the linear progress reaches it. A step
// of 0 or less, or over 100, is 20.
func Steps(step int) Profile {
	if step <= 0 || step > 100 {
		step = 20
	}
	return func(elapsed, total time.Duration) int {
		p := Linear(elapsed, total)
		return p / step * step
	}
}

// StuckAt is a progress that lies: it climbs linearly to pct within the
// first tenth of the running time and stays there until the job ends
// (StuckAt(99) shows 99% for most of the job).
func StuckAt(pct int) Profile {
	pct = min(max(pct, 0), 100)
	return func(elapsed, total time.Duration) int {
		return min(int(float64(pct)*10*fraction(elapsed, total)), pct)
	}
}
