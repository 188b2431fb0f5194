package taurusjob

import "time"

// window is a span of time in which the job is expected to end. hi may be
// zero when only a lower bound is known.
type window struct {
	lo, hi time.Time
}

func (w window) known() bool { return !w.lo.IsZero() }

// progressTrack predicts the end of a job from its percent, assuming the
// percent grows linearly. It keeps the first and the latest readings; the
// API rounds the percent down, so each reading p means a true value in
// [p, p+1), and two readings bound the end exactly for a linear job.
//
// When a reading contradicts the line (the percent goes back, stalls past
// its predicted range, jumps ahead of it, or the predicted end passes),
// the track is marked broken for the rest of the wait and the schedule
// falls back to what it does without progress: steps, stalls and
// front-loaded percents never make it worse than no percent at all.
type progressTrack struct {
	anchorT, lastT time.Time
	anchorP, lastP int
	broken         bool
}

// observe takes one reading of a Running job at time now.
func (pt *progressTrack) observe(now time.Time, p int) {
	if pt.broken || p < 0 {
		return
	}
	if pt.anchorT.IsZero() {
		pt.anchorT, pt.anchorP, pt.lastT, pt.lastP = now, p, now, p
		return
	}
	if p < pt.lastP || !pt.fits(now, p) {
		pt.broken = true
		return
	}
	pt.lastT, pt.lastP = now, p
}

// fits reports whether a reading agrees with the line the earlier
// readings predict, allowing one percent of slack for rounding.
func (pt *progressTrack) fits(now time.Time, p int) bool {
	w := pt.window()
	if !w.known() || w.hi.IsZero() {
		return true // too little seen to predict
	}
	span := now.Sub(pt.anchorT).Seconds()
	// The slowest and the fastest lines through the anchor's range that
	// end inside the window.
	slow := float64(pt.anchorP) + float64(100-pt.anchorP)*span/w.hi.Sub(pt.anchorT).Seconds()
	fast := float64(pt.anchorP+1) + float64(99-pt.anchorP)*span/w.lo.Sub(pt.anchorT).Seconds()
	return float64(p) <= fast+1 && float64(p+1) >= slow-1
}

// window returns the bounds of the end that the readings give, or a zero
// window when they give none (no growth yet, or the track is broken).
func (pt *progressTrack) window() window {
	dp := pt.lastP - pt.anchorP
	if pt.broken || dp < 1 || pt.lastP >= 100 {
		return window{}
	}
	span := pt.lastT.Sub(pt.anchorT).Seconds()
	// Earliest end: the anchor read low and the last reading high.
	lo := pt.lastT.Add(seconds(span * float64(99-pt.lastP) / float64(dp+1)))
	w := window{lo: lo}
	if dp >= 2 {
		// Latest end: the anchor read high and the last reading low.
		w.hi = pt.lastT.Add(seconds(span * float64(100-pt.lastP) / float64(dp-1)))
	}
	return w
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
