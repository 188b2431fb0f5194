package taurusjob

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"
)

// historyKeep is how many durations are kept per job name: enough to see
// the spread, few enough to follow a change of instance sizes.
const historyKeep = 8

// historyMargin widens the window of past durations: a job of the same
// name rarely takes exactly as long twice.
const historyMargin = 0.03

// History remembers how long completed jobs took, by job name, so that the
// next job of that name can be polled around its likely end instead of
// blindly. It is safe for concurrent use and may be shared between
// Waiters ([WithHistory]); its JSON form lets a program keep it across runs.
// The zero History is empty and ready to use: new(taurusjob.History).
type History struct {
	mu    sync.Mutex
	names map[string][]time.Duration // newest last
}

// Record adds the duration of a completed job. Empty names and
// non-positive or absurd (over 30 days) durations are ignored.
func (h *History) Record(name string, d time.Duration) {
	if name == "" || d <= 0 || d > 30*24*time.Hour {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.names == nil {
		h.names = map[string][]time.Duration{}
	}
	ds := append(h.names[name], d)
	if len(ds) > historyKeep {
		ds = ds[len(ds)-historyKeep:]
	}
	h.names[name] = ds
}

// window returns the range of durations expected for a job of this name,
// widened by a small margin, and false when none was recorded.
func (h *History) window(name string) (lo, hi time.Duration, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ds := h.names[name]
	if len(ds) == 0 {
		return 0, 0, false
	}
	lo, hi = slices.Min(ds), slices.Max(ds)
	return time.Duration(float64(lo) * (1 - historyMargin)), time.Duration(float64(hi) * (1 + historyMargin)), true
}

// MarshalJSON encodes the durations as {"name": [seconds, ...]}.
func (h *History) MarshalJSON() ([]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string][]float64, len(h.names))
	for name, ds := range h.names {
		for _, d := range ds {
			out[name] = append(out[name], d.Seconds())
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON replaces the durations with those encoded by MarshalJSON.
// Values that Record would ignore are dropped.
func (h *History) UnmarshalJSON(b []byte) error {
	var in map[string][]float64
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("taurusjob: history: %w", err)
	}
	fresh := new(History)
	for name, secs := range in {
		for _, s := range secs {
			if s > 0 && s < 30*24*3600 {
				fresh.Record(name, time.Duration(s*float64(time.Second)))
			}
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.names = fresh.names
	return nil
}
