package jobfield

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzParseProgress: the result is always -1..100, surrounding spaces do
// not matter, and a percent read back from its canonical form is the same.
func FuzzParseProgress(f *testing.F) {
	for _, s := range []string{"60%", "60", " 60 % ", "60.5%", "99.9%", "0%", "100%", "", "%", "-5%", "101%", "NaN", "Inf", "1e2", "0x1p6", "6_0", "+60", "060%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := Progress(s)
		if p < -1 || p > 100 {
			t.Fatalf("Progress(%q) = %d", s, p)
		}
		if q := Progress(" \t" + s + "\n "); q != p {
			t.Fatalf("Progress(%q) = %d but with spaces around %d", s, p, q)
		}
		if p >= 0 {
			if q := Progress(strconv.Itoa(p) + "%"); q != p {
				t.Fatalf("Progress(%q) = %d, but Progress(\"%d%%\") = %d", s, p, p, q)
			}
		}
	})
}

// FuzzParseTime: a time that parses survives a round trip through the
// documented layout and RFC 3339, instant and offset alike.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2018-08-06T10:41:14+0800", "2018-08-06T16:41:14+0000", "2018-08-06T10:41:14-0530",
		"2018-08-06T10:41:14+08:00", "2018-08-06T02:41:14Z", "2018-08-06T02:41:14.250Z", "2018-08-06T10:41:14.5+0800",
		"2018-08-06T02:41:14", "2018-08-06 02:41:14", "", "  ", "yesterday", "2018-02-30T10:41:14+0800", "0000-01-01T00:00:00+2359"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Time(s)
		if err != nil {
			if !got.IsZero() {
				t.Fatalf("Time(%q) = %v and an error", s, got)
			}
			return
		}
		if got.IsZero() {
			return
		}
		_, off := got.Zone()
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999-0700"} {
			text := got.Format(layout)
			again, err := Time(text)
			if err != nil {
				t.Fatalf("Time(%q) = %v, whose %s form %q does not parse: %v", s, got, layout, text, err)
			}
			if _, off2 := again.Zone(); !again.Equal(got) || off2 != off {
				t.Fatalf("Time(%q) = %v; through %q it becomes %v", s, got, text, again)
			}
		}
		// The documented form has whole seconds.
		text := got.Format("2006-01-02T15:04:05-0700")
		again, err := Time(text)
		if _, off2 := again.Zone(); err != nil || !again.Equal(got.Truncate(time.Second)) || off2 != off {
			t.Fatalf("Time(%q) = %v; through the documented form %q it becomes %v, %v", s, got, text, again, err)
		}
	})
}

func TestParseProgress(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"60%", 60},
		{"60", 60},
		{" 60 % ", 60},
		{"60.5%", 60},
		{"99.9%", 99}, // not done until 100
		{"0%", 0},
		{"100%", 100},
		{"100.0%", 100},
		{"", -1},
		{"%", -1},
		{"   ", -1},
		{"sixty", -1},
		{"60%%", -1},
		{"-5%", -1},
		{"100.1%", -1},
		{"101%", -1},
		{"NaN", -1},
		{"Inf%", -1},
		{"-Inf", -1},
		{"1e400", -1},
	}
	for _, tt := range tests {
		if got := Progress(tt.in); got != tt.want {
			t.Errorf("Progress(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
	for n := 0; n <= 100; n++ {
		if got := Progress(fmt.Sprintf("%d%%", n)); got != n {
			t.Errorf("Progress(%d%%) = %d", n, got)
		}
	}
}

func TestParseTime(t *testing.T) {
	east8 := 8 * 3600
	tests := []struct {
		in         string
		want       time.Time
		wantOffset int // seconds east of UTC
	}{
		{"2018-08-06T10:41:14+0800", time.Date(2018, 8, 6, 2, 41, 14, 0, time.UTC), east8}, // the documented form
		{"2018-08-06T16:41:14+0000", time.Date(2018, 8, 6, 16, 41, 14, 0, time.UTC), 0},
		{"2018-08-06T10:41:14-0530", time.Date(2018, 8, 6, 16, 11, 14, 0, time.UTC), -(5*3600 + 30*60)},
		{"2018-08-06T10:41:14+08:00", time.Date(2018, 8, 6, 2, 41, 14, 0, time.UTC), east8},
		{"2018-08-06T02:41:14Z", time.Date(2018, 8, 6, 2, 41, 14, 0, time.UTC), 0},
		{"2018-08-06T02:41:14.250Z", time.Date(2018, 8, 6, 2, 41, 14, 250e6, time.UTC), 0},
		{"2018-08-06T10:41:14.5+0800", time.Date(2018, 8, 6, 2, 41, 14, 500e6, time.UTC), east8},
		{"2018-08-06T02:41:14", time.Date(2018, 8, 6, 2, 41, 14, 0, time.UTC), 0}, // no offset: UTC
		{"2018-08-06 02:41:14", time.Date(2018, 8, 6, 2, 41, 14, 0, time.UTC), 0},
		{"  2018-08-06T10:41:14+0800\n", time.Date(2018, 8, 6, 2, 41, 14, 0, time.UTC), east8},
	}
	for _, tt := range tests {
		got, err := Time(tt.in)
		if err != nil {
			t.Errorf("Time(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("Time(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if _, off := got.Zone(); off != tt.wantOffset {
			t.Errorf("Time(%q) offset = %d s, want %d s", tt.in, off, tt.wantOffset)
		}
	}

	if got, err := Time(""); err != nil || !got.IsZero() {
		t.Errorf(`Time("") = %v, %v; want the zero time, nil`, got, err)
	}
	for _, bad := range []string{"yesterday", "2018-08-06", "2018-13-06T10:41:14+0800", "2018-02-30T10:41:14+0800", "2018-08-06T25:41:14+0800", "1533523274"} {
		got, err := Time(bad)
		if err == nil {
			t.Errorf("Time(%q) = %v, want an error", bad, got)
			continue
		}
		if !strings.Contains(err.Error(), bad) {
			t.Errorf("Time(%q) error %q does not quote the value", bad, err)
		}
	}
}
