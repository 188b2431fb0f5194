package taurusjob

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/taurusdb-tools/taurusjob/internal/jobid"
	"github.com/taurusdb-tools/taurusjob/internal/redact"
	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
)

// FuzzDecodeJobBody: whatever the network sends, decoding never panics, and
// a job it returns is one a waiter can use: Raw is the JSON job object,
// Entities is JSON or nil, Progress is -1..100, and decoding Raw again gives
// the same job.
func FuzzDecodeJobBody(f *testing.F) {
	for _, dir := range []string{"jobs", "errors", "rds", "opengauss", "dds"} {
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

// FuzzParseRetryAfter: whatever a server sends as Retry-After, the delay
// is within [0, maxRetryAfter], spaces around it do not matter, whole
// seconds are read exactly, and a later clock never gives a longer delay.
func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2025, 3, 4, 13, 6, 7, 0, time.UTC)
	for _, s := range []string{"", "0", "1", "120", "86400", "86401", "-1", "-0", "+5", "007", "1.5", "1e3", "0x10",
		"99999999999999999999", "-99999999999999999999", "9223372036854775807", "soon",
		now.Add(90 * time.Second).Format(http.TimeFormat), now.Add(-time.Hour).Format(http.TimeFormat),
		"Fri, 31 Dec 9999 23:59:59 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", now.Format(time.RFC850), now.Format(time.ANSIC),
		"Tue, 04 Mar 2025 13:06:07 +0800", " 5\t", "5 s"} {
		f.Add(s, int64(0))
	}
	f.Fuzz(func(t *testing.T, v string, shift int64) {
		d := parseRetryAfter(v, now)
		if d < 0 || d > maxRetryAfter {
			t.Fatalf("parseRetryAfter(%q) = %v, outside [0, %v]", v, d, maxRetryAfter)
		}
		if e := parseRetryAfter(" \t"+v+" ", now); e != d {
			t.Fatalf("parseRetryAfter(%q) = %v, with spaces around %v", v, d, e)
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && n > 0 && n <= int64(maxRetryAfter/time.Second) {
			if d != time.Duration(n)*time.Second {
				t.Fatalf("parseRetryAfter(%q) = %v, want %ds", v, d, n)
			}
		}
		later := now.Add(time.Duration(shift&(1<<50-1)) * time.Nanosecond) // up to 13 days later
		if e := parseRetryAfter(v, later); e > d {
			t.Fatalf("parseRetryAfter(%q): %v at %v, but %v later at %v", v, d, now, e, later)
		}
	})
}

// printable reports whether s is one line of valid UTF-8 that a terminal
// shows as text: no control characters (C0, DEL, C1) and no line or
// paragraph separator.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// FuzzErrorBody: whatever the status, body and headers of an error answer,
// apiErrorFrom never panics, keeps the status, bounds the Retry-After,
// and every text it keeps (and its Error) is one printable line of
// bounded length that shows no piece of a secret the body echoed.
func FuzzErrorBody(f *testing.F) {
	for _, name := range fixtureNames(f, "errors") {
		f.Add(500, readFixture(f, name), "req-1", "", "", false)
	}
	for _, s := range []string{``, `{}`, `{"error":{"code":"A","message":"B"}}`, `{"error":"x"}`, `{"error_msg":null}`,
		`{"error_code":1e999}`, `<title>a</title>`, `<TITLE>` + strings.Repeat("t", 600) + `</TITLE>`, "\x00\x1b[2J\u2028",
		`{"error_msg":"` + sentinelToken + `"}`, `{"error_msg":"` + strings.Repeat("é", 300) + sentinelToken + `"}`,
		`<title>&lt;` + sentinelToken + `&gt;</title>`, `{"request_id":"` + sentinelToken + `"}`} {
		f.Add(502, []byte(s), "", "1", "", false)
	}
	f.Add(302, []byte(`<a href="x">`), "\xff\xfe", "Fri, 31 Dec 9999 23:59:59 GMT", "https://evil.example/", true)
	f.Fuzz(func(t *testing.T, status int, body []byte, requestID, retryAfter, location string, tooBig bool) {
		resp := &http.Response{StatusCode: status, Header: http.Header{}}
		resp.Header["X-Request-Id"] = []string{requestID}
		resp.Header["Retry-After"] = []string{retryAfter}
		resp.Header["Location"] = []string{location}
		e := apiErrorFrom(resp, body, tooBig, redact.New(sentinelToken))
		if e.StatusCode != status {
			t.Fatalf("StatusCode = %d, want %d", e.StatusCode, status)
		}
		if e.RetryAfter < 0 || e.RetryAfter > maxRetryAfter {
			t.Fatalf("RetryAfter = %v", e.RetryAfter)
		}
		const note = 40 // "… (N bytes cut)" and " (body over the size limit, cut)"
		for _, f := range []struct {
			name, text string
			max        int
		}{
			{"Code", e.Code, 64 + note},
			{"Message", e.Message, maxMessageLen + 2*note},
			{"RequestID", e.RequestID, 128 + note},
			{"Error()", e.Error(), 1024},
		} {
			if !printable(f.text) || len(f.text) > f.max {
				t.Fatalf("%s is %d bytes (bound %d) or not one printable line: %q", f.name, len(f.text), f.max, f.text)
			}
			if piece, found := secretcheck.Leak(f.text, sentinelToken); found && strings.Contains(string(body)+requestID, sentinelToken) {
				t.Fatalf("%s shows %q of the secret the answer echoed: %q", f.name, piece, f.text)
			}
		}
	})
}

// jobIDPattern is what a valid job id looks like, written independently of
// ValidateJobID.
var jobIDPattern = regexp.MustCompile(`^[A-Za-z0-9._~-]{1,128}$`)

// FuzzValidateJobID: an accepted id holds only unreserved characters, so
// that it goes into the query and a path unchanged by escaping; a refused
// one gives an *InputError about the job id whose message is short and
// printable, whatever the id.
func FuzzValidateJobID(f *testing.F) {
	for _, s := range []string{"f9959f52-aa4d-43f7-be74-44b6fc20b239", "a", ".", "..", "...", "..a", "a/b", "a%2Fb", "a?b", "a#b",
		"a\x00b", "a\nb", "é", "\xff", strings.Repeat("a", 128), strings.Repeat("a", 129), "id1,id2", " a", "a+b", "~"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		err := ValidateJobID(id)
		want := jobIDPattern.MatchString(id) && id != "." && id != ".."
		if (err == nil) != want {
			t.Fatalf("ValidateJobID(%q) = %v; the pattern says valid=%v", id, err, want)
		}
		if err == nil {
			// QueryEscape keeps exactly RFC 3986's unreserved set, as
			// internal/sign's URI encoding does, so the signer keeps it too.
			if url.QueryEscape(id) != id || url.PathEscape(id) != id {
				t.Fatalf("accepted id %q changes when escaped", id)
			}
			return
		}
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != "job id" || !errors.Is(err, ErrInvalidInput) {
			t.Fatalf("ValidateJobID(%q) = %v (%T); want an *InputError about the job id", id, err, err)
		}
		if msg := err.Error(); len(msg) > 200 || !printable(msg) {
			t.Fatalf("message of %d bytes or not printable: %q", len(msg), msg)
		}
	})
}

// FuzzResumeToken: whatever a state file holds, decoding never panics; a
// refused token gives a short, printable *InputError about the state
// token that never quotes the token, and Waiter.Resume sends no request
// for it; an accepted one holds content a wait could have saved and
// encodes back to the same state. A state made of any fields encodes and
// decodes back to itself when it is valid, is refused when not, and any
// one changed byte of its token, or another key, is refused.
func FuzzResumeToken(f *testing.F) {
	st := sampleState()
	good := encodeState(nil, st)
	f.Add(good, st.JobID, st.Start.UnixNano(), st.GraceEnd.UnixNano(), st.Deadline.UnixNano(), int(st.Polls), true, st.last.Name, string(st.last.Status), st.last.Progress, uint16(7))
	for _, tok := range []string{"", "tjs1", "tjs1..", "tjs2..", "tjs2.e30.AAAA", "tjs99999.x.y", "xyz1.a.b", good + "x", " " + good + "\n",
		strings.Replace(good, ".", "..", 1), good[:len(good)/2], strings.Repeat("A", jobid.MaxStateTokenLen+1), sentinelLikeSecret} {
		f.Add(tok, "j-1", int64(1), int64(1), int64(2), 0, false, "", "", -1, uint16(0))
	}
	f.Add("", "../x", int64(0), int64(-1), int64(-2), -1, true, "a\nb", "Running\x00", 150, uint16(65535))
	f.Fuzz(func(t *testing.T, token, jobID string, start, grace, deadline int64, polls int, seen bool,
		name, status string, progress int, flip uint16) {
		// Any text as a token.
		got, err := decodeState(nil, token)
		if err != nil {
			checkStateTokenError(t, err, token)
			w, werr := NewWaiter(getterFunc(func(context.Context, string) (*Job, error) {
				t.Fatalf("Resume of a refused token %q sent a request", token)
				return nil, nil
			}))
			if werr != nil {
				t.Fatal(werr)
			}
			if _, rerr := w.Resume(context.Background(), "j-1", token); !errors.Is(rerr, ErrInvalidInput) {
				t.Fatalf("Resume of a refused token: %v", rerr)
			}
		} else {
			if cerr := got.check(); cerr != nil {
				t.Fatalf("decoded a state its own check refuses: %v", cerr)
			}
			again, err := decodeState(nil, encodeState(nil, got))
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Fatalf("an accepted token does not survive a round trip: %+v, %v", again, err)
			}
		}

		// A state made of the fuzzed fields, as a forger with the public key signs it.
		st := &waitState{JobID: jobID, Start: time.Unix(0, start).UTC(), GraceEnd: time.Unix(0, grace).UTC(),
			Deadline: time.Unix(0, deadline).UTC(), Due: time.Unix(0, start).UTC(), Polls: int32(polls), Share: -1}
		if start == 0 {
			st.Start = time.Time{}
		}
		if seen {
			st.last = &Job{ID: jobID, Name: name, Status: Status(status), Progress: progress}
		}
		tok := encodeRaw(t, st)
		if len(tok) > jobid.MaxStateTokenLen {
			return // too big to be read back, by design
		}
		back, err := decodeState(nil, tok)
		if valid := st.check() == nil && utf8.ValidString(name) && utf8.ValidString(status); valid {
			if err != nil {
				t.Fatalf("a valid state %+v is refused: %v", st, err)
			}
			if !reflect.DeepEqual(back, st) {
				t.Fatalf("state %+v comes back as %+v", st, back)
			}
		} else if err == nil && st.check() != nil {
			t.Fatalf("an invalid state %+v is accepted", st)
		}
		if err != nil {
			return
		}
		if _, err := decodeState([]byte("another key, long enough"), tok); !errors.Is(err, ErrInvalidInput) {
			t.Fatalf("a token is accepted under another key: %v", err)
		}
		i, x := int(flip)%len(tok), byte(flip>>8)|1 // x is never 0: the byte changes
		b := []byte(tok)
		b[i] ^= x
		if _, err := decodeState(nil, string(b)); err == nil {
			t.Fatalf("token %q with byte %d changed (%q) is accepted", tok, i, b)
		}
	})
}

// sentinelLikeSecret is pasted where a token belongs, as a user might.
const sentinelLikeSecret = "SENTINEL-TOKEN-pasted-by-mistake-0123456789"

// checkStateTokenError asserts what a refused token gives: an *InputError
// about the state token, short and printable, without the token in it.
func checkStateTokenError(t *testing.T, err error, token string) {
	t.Helper()
	checkInvalid(t, err, "state token")
	msg := err.Error()
	if !printable(msg) {
		t.Fatalf("message not printable: %q", msg)
	}
	if tt := strings.TrimSpace(token); len(tt) >= secretcheck.PieceLen {
		if piece, found := secretcheck.Leak(msg, tt); found {
			t.Fatalf("the error quotes %q of the token: %q", piece, msg)
		}
	}
}
