package main

import (
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// The progress line tells when the job should end only when the waiter
// trusts a whole window, counts down to it, and says nothing once the
// window has passed or the job ended.
func TestETA(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	running := func(lo, hi time.Duration) taurusjob.Update {
		u := taurusjob.Update{Status: taurusjob.StatusRunning}
		if lo != 0 {
			u.EndEarliest = now.Add(lo)
		}
		if hi != 0 {
			u.EndLatest = now.Add(hi)
		}
		return u
	}
	done := running(time.Minute, 2*time.Minute)
	done.Status = taurusjob.StatusCompleted
	for _, tc := range []struct {
		name string
		u    taurusjob.Update
		want string
	}{
		{"a window ahead", running(3*time.Minute+10*time.Second, 3*time.Minute+40*time.Second), "ETA 3m10s–3m40s"},
		{"inside the window", running(-time.Second, 40*time.Second+300*time.Millisecond), "ETA within 40s"},
		{"seconds are rounded, never 0", running(200*time.Millisecond, 1400*time.Millisecond), "ETA 1s"},
		{"a window narrower than a second", running(6*time.Second, 6*time.Second+300*time.Millisecond), "ETA 6s"},
		{"past the window", running(-time.Minute, -time.Second), ""},
		{"only the earliest end known", running(time.Minute, 0), ""},
		{"nothing predicted", running(0, 0), ""},
		{"the job ended", done, ""},
	} {
		if got := eta(tc.u, now); got != tc.want {
			t.Errorf("%s: eta = %q, want %q", tc.name, got, tc.want)
		}
	}
}
