package main

import (
	"fmt"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// eta says when the job is predicted to end, seen from now: "ETA
// 3m10s–3m40s", "ETA within 40s" once the earliest end has passed, or ""
// when the waiter trusts no prediction (it then sets no window, or only
// its earliest end).
func eta(u taurusjob.Update, now time.Time) string {
	if u.EndEarliest.IsZero() || u.EndLatest.IsZero() || u.Status.Terminal() {
		return ""
	}
	lo, hi := u.EndEarliest.Sub(now), u.EndLatest.Sub(now)
	switch {
	case hi <= 0:
		return "" // past the window: the prediction no longer says anything
	case lo <= 0:
		return fmt.Sprintf("ETA within %s", wholeSeconds(hi))
	}
	if from, to := wholeSeconds(lo), wholeSeconds(hi); from != to {
		return fmt.Sprintf("ETA %s–%s", from, to)
	}
	return "ETA " + wholeSeconds(hi) // a window narrower than the rounding
}

// wholeSeconds prints d rounded up to a second: a prediction finer than
// that says more than it knows.
func wholeSeconds(d time.Duration) string {
	return max(d.Round(time.Second), time.Second).String()
}
