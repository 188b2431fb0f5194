package taurusjob

import (
	"encoding/json"
	"testing"
	"time"
)

// The history gives the range of past durations of a name, a little
// widened, keeps only the newest few, and survives a JSON round trip so
// the CLI can keep it between runs. The zero History is ready to use.
func TestHistory(t *testing.T) {
	h := new(History)
	if _, _, ok := h.window("CreateGaussDBforMySQLInstance"); ok {
		t.Fatal("an empty history claims a window")
	}
	if b, err := json.Marshal(h); err != nil || string(b) != "{}" {
		t.Fatalf("an empty history encodes as %s, %v; want {}", b, err)
	}
	h.Record("CreateGaussDBforMySQLInstance", 30*time.Minute)
	h.Record("CreateGaussDBforMySQLInstance", 32*time.Minute)
	h.Record("", time.Minute)              // ignored: no name
	h.Record("ResizeFlavor", -time.Minute) // ignored: negative
	lo, hi, ok := h.window("CreateGaussDBforMySQLInstance")
	if !ok || lo >= 30*time.Minute || lo < 29*time.Minute || hi <= 32*time.Minute || hi > 33*time.Minute {
		t.Errorf("window %s..%s; want a little wider than 30m..32m", lo, hi)
	}
	if _, _, ok := h.window("ResizeFlavor"); ok {
		t.Error("a negative duration was recorded")
	}
	for i := range 20 {
		h.Record("ResizeFlavor", time.Duration(i+1)*time.Minute)
	}
	if lo, _, _ := h.window("ResizeFlavor"); lo < 12*time.Minute {
		t.Errorf("oldest durations kept: window starts at %s", lo)
	}
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	h2 := new(History)
	if err := json.Unmarshal(b, h2); err != nil {
		t.Fatal(err)
	}
	lo2, hi2, _ := h2.window("CreateGaussDBforMySQLInstance")
	if lo2 != lo || hi2 != hi {
		t.Errorf("after a JSON round trip: %s..%s, want %s..%s", lo2, hi2, lo, hi)
	}
	if err := json.Unmarshal([]byte(`{"x": "not a list"}`), h2); err == nil {
		t.Error("malformed history JSON accepted")
	}
}
