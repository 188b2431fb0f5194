package taurusjob

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzDecodeJobBody: whatever the network sends, decoding never panics, and
// a job it returns is one a waiter can use: Raw is the JSON job object,
// Entities is JSON or nil, Progress is -1..100, and decoding Raw again gives
// the same job.
func FuzzDecodeJobBody(f *testing.F) {
	for _, dir := range []string{"jobs", "errors"} {
		for _, name := range fixtureNames(f, dir) {
			f.Add(readFixture(f, name))
		}
	}
	for _, s := range []string{``, `null`, `[]`, `{"job":[]}`, `{"job":{"id":1,"status":true,"process":60}}`,
		`{"job":{"id":"a","process":"1e2"}}`, `{"job":{"id":"a","entities":null}}`, `{"job":{"id":"a"},"job":{"status":"Failed"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		job, err := decodeJobBody(body)
		if err != nil {
			if job != nil {
				t.Fatalf("a job and an error: %+v, %v", job, err)
			}
			if !errors.Is(err, errNoJob) && !strings.Contains(err.Error(), "malformed") {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		checkDecodedJob(t, job)
		again, err := decodeJobBody([]byte(`{"job":` + string(job.Raw) + `}`))
		if err != nil {
			t.Fatalf("Raw %s does not decode again: %v", job.Raw, err)
		}
		if !sameJob(job, again) {
			t.Fatalf("decoding Raw again gives\n%+v\nnot\n%+v", again, job)
		}
	})
}

func checkDecodedJob(t *testing.T, job *Job) {
	t.Helper()
	if job == nil {
		t.Fatal("no job and no error")
	}
	if !json.Valid(job.Raw) || !strings.HasPrefix(string(job.Raw), "{") {
		t.Fatalf("Raw is not a JSON object: %q", job.Raw)
	}
	if job.Entities != nil && !json.Valid(job.Entities) {
		t.Fatalf("Entities is not JSON: %q", job.Entities)
	}
	if job.Progress < -1 || job.Progress > 100 {
		t.Fatalf("Progress = %d", job.Progress)
	}
	if job.ID == "" && job.Status == "" && job.Name == "" {
		t.Fatalf("an empty job is returned as a job: %+v", job)
	}
}

func sameJob(a, b *Job) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Status == b.Status &&
		a.Created.Equal(b.Created) && a.Ended.Equal(b.Ended) && a.Progress == b.Progress &&
		a.Instance == b.Instance && string(a.Entities) == string(b.Entities) &&
		a.FailReason == b.FailReason && string(a.Raw) == string(b.Raw)
}

// FuzzParseProgress: the result is always -1..100, surrounding spaces do
// not matter, and a percent read back from its canonical form is the same.
func FuzzParseProgress(f *testing.F) {
	for _, s := range []string{"60%", "60", " 60 % ", "60.5%", "99.9%", "0%", "100%", "", "%", "-5%", "101%", "NaN", "Inf", "1e2", "0x1p6", "6_0", "+60", "060%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := parseProgress(s)
		if p < -1 || p > 100 {
			t.Fatalf("parseProgress(%q) = %d", s, p)
		}
		if q := parseProgress(" \t" + s + "\n "); q != p {
			t.Fatalf("parseProgress(%q) = %d but with spaces around %d", s, p, q)
		}
		if p >= 0 {
			if q := parseProgress(strconv.Itoa(p) + "%"); q != p {
				t.Fatalf("parseProgress(%q) = %d, but parseProgress(\"%d%%\") = %d", s, p, p, q)
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
		got, err := parseTime(s)
		if err != nil {
			if !got.IsZero() {
				t.Fatalf("parseTime(%q) = %v and an error", s, got)
			}
			return
		}
		if got.IsZero() {
			return
		}
		_, off := got.Zone()
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999-0700"} {
			text := got.Format(layout)
			again, err := parseTime(text)
			if err != nil {
				t.Fatalf("parseTime(%q) = %v, whose %s form %q does not parse: %v", s, got, layout, text, err)
			}
			if _, off2 := again.Zone(); !again.Equal(got) || off2 != off {
				t.Fatalf("parseTime(%q) = %v; through %q it becomes %v", s, got, text, again)
			}
		}
		// The documented form has whole seconds.
		text := got.Format("2006-01-02T15:04:05-0700")
		again, err := parseTime(text)
		if _, off2 := again.Zone(); err != nil || !again.Equal(got.Truncate(time.Second)) || off2 != off {
			t.Fatalf("parseTime(%q) = %v; through the documented form %q it becomes %v, %v", s, got, text, again, err)
		}
	})
}
