// Package jobfield reads the job fields the API sends as loosely formatted
// text: the percent and the times. The core client and the SDK adapters
// read them through it, so that a job means the same whichever way it came.
package jobfield

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Progress reads a percent such as "60%", "60", "60.5%" or " 60 % ".
// It returns -1 for an empty, malformed or out-of-range value. Fractions
// are rounded down: 99.9% is not done.
func Progress(s string) int {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	if s == "" {
		return -1
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 100 {
		return -1
	}
	return int(f)
}

// timeLayouts are the forms the API and its siblings use for times.
var timeLayouts = []string{
	"2006-01-02T15:04:05-0700", // the documented form: offset without a colon
	time.RFC3339Nano,           // +08:00 or Z
	"2006-01-02T15:04:05.999999999-0700",
	"2006-01-02T15:04:05", // no offset at all: taken as UTC
	"2006-01-02 15:04:05",
}

// Time reads a job time in any of the forms the services use. An empty
// string gives the zero time and no error.
func Time(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised time %q", s)
}
