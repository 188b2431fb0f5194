package taurusjob_test

import (
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// Adapters rely on ParseJobTime and ParseProgress reading what Client reads.
func TestParseJobTime(t *testing.T) {
	want := time.Date(2018, 8, 6, 2, 41, 14, 0, time.UTC)
	for _, s := range []string{"2018-08-06T10:41:14+0800", "2018-08-06T10:41:14+08:00", " 2018-08-06T02:41:14Z ", "2018-08-06T02:41:14", "2018-08-06 02:41:14"} {
		got, err := taurusjob.ParseJobTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseJobTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if got, err := taurusjob.ParseJobTime(""); err != nil || !got.IsZero() {
		t.Errorf("ParseJobTime(\"\") = %v, %v; want the zero time, no error", got, err)
	}
	if got, err := taurusjob.ParseJobTime("yesterday"); err == nil || !got.IsZero() {
		t.Errorf("ParseJobTime(yesterday) = %v, %v; want the zero time and an error", got, err)
	}
}

func TestParseProgress(t *testing.T) {
	for s, want := range map[string]int{"60%": 60, "60": 60, " 60 % ": 60, "99.9%": 99, "100%": 100, "0%": 0, "": -1, "abc": -1, "101%": -1, "-1%": -1} {
		if got := taurusjob.ParseProgress(s); got != want {
			t.Errorf("ParseProgress(%q) = %d, want %d", s, got, want)
		}
	}
}
