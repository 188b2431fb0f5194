package taurusjob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/taurusdb-tools/taurusjob/internal/defaults"
)

// Hostile answers: what a broken or malicious endpoint can send, and the
// bounds that hold whatever it sends. The bounds are stated in
// docs/limits.md; the tests here are what proves them. They run on real
// loopback sockets (the point is what the socket carries), with short
// request timeouts so that each ends within a second or so.

const (
	// hostileTimeout is the request timeout of these tests.
	hostileTimeout = 200 * time.Millisecond
	// timeSlack is how much later than the request timeout a call may end:
	// scheduling under -race on a loaded 2-core machine, not the code.
	timeSlack = 2 * time.Second
	// drainBytes is what closeBody reads past the limit to reuse a
	// connection.
	drainBytes = 64 << 10
)

// measured runs f and returns how long it took, how many bytes the whole
// process allocated meanwhile, and how much the live heap grew (after a GC).
func measured(f func()) (took time.Duration, allocated, heapGrowth int64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	f()
	took = time.Since(start)
	runtime.ReadMemStats(&after)
	allocated = int64(after.TotalAlloc - before.TotalAlloc)
	runtime.GC()
	runtime.ReadMemStats(&after)
	return took, allocated, int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

// endless writes a byte pattern until the client goes away, counting what
// it wrote.
type endless struct{ written atomic.Int64 }

func (e *endless) stream(w io.Writer) {
	chunk := []byte(strings.Repeat("0123456789abcdef", 2048)) // 32 KiB
	for {
		n, err := w.Write(chunk)
		e.written.Add(int64(n))
		if err != nil {
			return
		}
	}
}

// TestHostileHugeBodies: a 1 GiB job body (generated on the fly, with its
// Content-Length) and an error body that never ends (chunked) are read
// only up to the limit: a bounded, explained *APIError, a bounded number
// of bytes read, and no memory to speak of.
func TestHostileHugeBodies(t *testing.T) {
	gib := &endless{}
	huge := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(1<<30))
		_, _ = io.WriteString(w, `{"job":{"id":"`+testJobID+`","status":"Running","entities":"`)
		gib.stream(w) // ends when the client closes; never reaches 1 GiB
	})
	forever := &endless{}
	neverEnds := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		forever.stream(w)
	})

	tests := []struct {
		name     string
		endpoint string
		status   int
		message  string
		written  *endless
	}{
		{"1 GiB job body", huge.URL, http.StatusOK,
			fmt.Sprintf("answer body exceeds the %d-byte limit", defaults.MaxBodyBytes), gib},
		{"an error body that never ends", neverEnds.URL, http.StatusBadGateway,
			"(body over the size limit, cut)", forever},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ct := newCountingClient(t, tt.endpoint, func(c *ClientConfig) {
				c.RequestTimeout = 10 * time.Second // the limit must end it, not the timeout
			})
			var job *Job
			var err error
			took, allocated, growth := measured(func() { job, err = c.GetJob(context.Background(), testJobID) })

			ae := asAPIError(t, err)
			if job != nil || ae.StatusCode != tt.status || !strings.Contains(ae.Message, tt.message) {
				t.Errorf("GetJob = %v, %v; want an *APIError %d saying %q", job, err, tt.status, tt.message)
			}
			read := ct.read.Load()
			if limit := int64(defaults.MaxBodyBytes + 1 + drainBytes); read > limit {
				t.Errorf("read %d body bytes; the bound is %d (limit + 1 + drain)", read, limit)
			}
			if allocated > 32<<20 {
				t.Errorf("the call allocated %d bytes; the bound is 32 MiB", allocated)
			}
			if growth > 4<<20 {
				t.Errorf("the live heap grew by %d bytes; the bound is 4 MiB", growth)
			}
			if took > 5*time.Second {
				t.Errorf("GetJob took %v", took)
			}
			msg := fmt.Sprintf("read %d B of the body in %v; allocated %d B; live heap %+d B", read, took.Round(time.Millisecond), allocated, growth)
			t.Log(msg)
			// The server stops soon after: what it wrote is what the socket
			// buffers held, not the gigabyte.
			deadline := time.Now().Add(timeSlack)
			for last := int64(-1); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if n := tt.written.written.Load(); n == last {
					break
				} else {
					last = n
				}
			}
			if n := tt.written.written.Load(); n > 64<<20 {
				t.Errorf("the server wrote %d bytes and counting; the client did not close the connection", n)
			} else {
				t.Logf("the server wrote %d B in all", n)
			}
		})
	}
}

// trickle reads the request, writes prefix, then one byte of filler every
// interval until the connection or the test ends.
func trickle(prefix string, filler byte, interval time.Duration) func(net.Conn, <-chan struct{}) {
	return func(conn net.Conn, done <-chan struct{}) {
		if !readRequest(conn) {
			return
		}
		if _, err := io.WriteString(conn, prefix); err != nil {
			return
		}
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte{filler}); err != nil {
					return
				}
			}
		}
	}
}

// TestHostileStalls: an endpoint that accepts and never answers, one that
// trickles its headers a byte at a time (slowloris), and one that sends a
// valid start of a body and then a byte at a time forever: each call ends
// at the request timeout with a *TransportError that names it.
func TestHostileStalls(t *testing.T) {
	tests := []struct {
		name   string
		handle func(net.Conn, <-chan struct{})
	}{
		{"accepts and never answers", func(conn net.Conn, done <-chan struct{}) { <-done }},
		{"slowloris headers", trickle("HTTP/1.1 200 OK\r\nX-Pad: ", 'a', 5*time.Millisecond)},
		{"slowloris header lines", trickle("HTTP/1.1 200 OK\r\n", '\n', 5*time.Millisecond)},
		{"a body that never ends, slowly", trickle("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"+
			`{"job":{"id":"`+testJobID+`","status":"Running","entities":"`, 'x', 5*time.Millisecond)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, accepted := rawServer(t, tt.handle)
			c, _ := newCountingClient(t, url, nil)
			var job *Job
			var err error
			took, allocated, _ := measured(func() { job, err = c.GetJob(context.Background(), testJobID) })

			te := asTransportError(t, err)
			if job != nil || !strings.Contains(te.Error(), "no answer within the 200ms request timeout") {
				t.Errorf("GetJob = %v, %v; want a transport error naming the 200ms request timeout", job, err)
			}
			if took > hostileTimeout+timeSlack {
				t.Errorf("GetJob took %v; the bound is the request timeout %v + %v", took, hostileTimeout, timeSlack)
			}
			if accepted.Load() != 1 {
				t.Errorf("%d connections; want 1", accepted.Load())
			}
			t.Logf("ended after %v, allocated %d B", took.Round(time.Millisecond), allocated)
		})
	}
}

// TestHostileStallEndsTheWait: a wait on an endpoint that never answers
// ends at its own deadline with a *TimeoutError whose last error says why.
func TestHostileStallEndsTheWait(t *testing.T) {
	url, accepted := rawServer(t, func(conn net.Conn, done <-chan struct{}) { <-done })
	c, _ := newCountingClient(t, url, nil)
	w, err := NewWaiter(c, WithTimeout(time.Second), WithInterval(50*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = w.Wait(context.Background(), testJobID)
	took := time.Since(start)
	var te *TimeoutError
	var tr *TransportError
	if !errors.As(err, &te) || !errors.As(err, &tr) || !strings.Contains(err.Error(), "request timeout") {
		t.Errorf("Wait error %v; want a *TimeoutError whose last error is the request timeout", err)
	}
	if took > time.Second+timeSlack {
		t.Errorf("Wait took %v with a 1s timeout", took)
	}
	t.Logf("%v after %v, %d connections", err, took.Round(time.Millisecond), accepted.Load())
}

// TestHostileHeaderFlood: an endpoint that streams header lines as fast as
// it can is cut off by the default transport's header limit: a transport
// error, after at most maxResponseHeaderBytes of headers, not 10 MiB each.
func TestHostileHeaderFlood(t *testing.T) {
	var written atomic.Int64
	url, _ := rawServer(t, func(conn net.Conn, done <-chan struct{}) {
		if !readRequest(conn) {
			return
		}
		if _, err := io.WriteString(conn, "HTTP/1.1 200 OK\r\n"); err != nil {
			return
		}
		line := []byte("X-Pad: " + strings.Repeat("a", 1000) + "\r\n")
		for {
			n, err := conn.Write(line)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	c := newTestClient(t, url, func(c *ClientConfig) { c.RequestTimeout = 5 * time.Second }) // the default transport
	t.Cleanup(sharedTransport.CloseIdleConnections)
	var err error
	took, allocated, growth := measured(func() { _, err = c.GetJob(context.Background(), testJobID) })
	te := asTransportError(t, err)
	if !strings.Contains(te.Error(), "headers exceeded") {
		t.Errorf("error %v; want the header limit named", err)
	}
	if allocated > 4*maxResponseHeaderBytes+(1<<20) {
		t.Errorf("the call allocated %d bytes for headers; the bound is about 4 x %d", allocated, maxResponseHeaderBytes)
	}
	t.Logf("%v after %v; allocated %d B, live heap %+d B, the server wrote %d B", err, took.Round(time.Millisecond), allocated, growth, written.Load())
}

// TestHostileJSON: deeply nested JSON and invalid UTF-8 give a bounded,
// explained error, or a job whose text is valid; error texts stay one
// line of valid UTF-8, however long or strange the fields.
func TestHostileJSON(t *testing.T) {
	nested := strings.Repeat("[", 100_000)
	long := strings.Repeat("reason ", 20_000) // 140 KB
	tests := []struct {
		name   string
		status int
		body   string
		header map[string]string
		check  func(t *testing.T, job *Job, err error)
	}{
		{"100k nested arrays as the job", 200, `{"job":` + nested, nil, func(t *testing.T, job *Job, err error) {
			if ae := asAPIError(t, err); !strings.Contains(ae.Message, "malformed job body") {
				t.Errorf("error %v; want a malformed body", err)
			}
		}},
		{"100k nested arrays in an error body", 500, `{"error_msg":` + nested, nil, func(t *testing.T, job *Job, err error) {
			if ae := asAPIError(t, err); ae.StatusCode != 500 {
				t.Errorf("error %v; want the 500", err)
			}
		}},
		{"invalid UTF-8 in job fields", 200, "{\"job\":{\"id\":\"" + testJobID + "\",\"name\":\"Create\xff\xfe\",\"status\":\"Runn\xc3ing\",\"process\":\"5\xff%\"}}", nil,
			func(t *testing.T, job *Job, err error) {
				if err != nil || !utf8.ValidString(job.Name) || !utf8.ValidString(string(job.Status)) || job.Status.known() {
					t.Errorf("GetJob = %+v, %v; want a job with valid text and an unknown status", job, err)
				}
			}},
		{"invalid UTF-8 in the error and request id", 503, "{\"error_code\":\"DBS.\xff\",\"error_msg\":\"down \xc3\x28 now\"}",
			map[string]string{"X-Request-Id": "req-\xff\xfe"}, func(t *testing.T, job *Job, err error) {
				if ae := asAPIError(t, err); !utf8.ValidString(ae.Code+ae.Message+ae.RequestID) || !strings.Contains(ae.Message, "down") {
					t.Errorf("APIError %+v: want valid UTF-8 keeping the text", ae)
				}
			}},
		{"a 140 KB error message", 500, `{"error_msg":"` + long + `"}`, nil, func(t *testing.T, job *Job, err error) {
			if ae := asAPIError(t, err); len(ae.Message) > maxMessageLen+40 {
				t.Errorf("message of %d bytes; the bound is %d + the cut note", len(ae.Message), maxMessageLen)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, serveBody(tt.status, []byte(tt.body), tt.header))
			c := newTestClient(t, srv.URL, func(c *ClientConfig) { c.RequestTimeout = 5 * time.Second })
			var job *Job
			var err error
			took, _, _ := measured(func() { job, err = c.GetJob(context.Background(), testJobID) })
			tt.check(t, job, err)
			if err != nil {
				checkOneLine(t, err.Error(), 1024)
			}
			if took > time.Second+timeSlack {
				t.Errorf("GetJob took %v", took)
			}
		})
	}
}

// checkOneLine fails unless text is valid UTF-8 without control
// characters, at most limit bytes long.
func checkOneLine(t *testing.T, text string, limit int) {
	t.Helper()
	if !utf8.ValidString(text) || hasControl(text) || len(text) > limit {
		t.Errorf("text of %d bytes (bound %d) is not one line of valid UTF-8: %.300q", len(text), limit, text)
	}
}

// TestHostileJobTextInErrors: a failed job's fail_reason, name and status
// come from the server; the error a wait returns shows them on one line of
// valid UTF-8, clipped, so that a hostile job cannot forge log lines,
// send terminal escapes or flood a log, while Job keeps them as sent.
func TestHostileJobTextInErrors(t *testing.T) {
	reason := "disk full\n2026-01-01 INFO forged log line\x1b[2J\x1b]0;title\x07" + strings.Repeat("r", 100_000)
	status := "Weird\r\nStatus" + strings.Repeat("s", 10_000)
	failed := &Job{ID: testJobID, Name: "Create\nInstance", Status: StatusFailed, FailReason: reason, Progress: -1}
	odd := &Job{ID: testJobID, Status: Status(status), Progress: 50}
	for _, err := range []error{
		&JobFailedError{Job: failed},
		&TimeoutError{JobID: testJobID, Last: odd, Polls: 3, Cause: context.DeadlineExceeded},
		&WaitError{JobID: testJobID, Last: odd, Err: errors.New("x")},
	} {
		checkOneLine(t, err.Error(), 2048)
	}
	if !strings.Contains((&JobFailedError{Job: failed}).Error(), "disk full") {
		t.Error("the fail reason is lost")
	}
	if failed.FailReason != reason {
		t.Error("the job's own fail reason was changed")
	}
}

// roundTripFunc is an http.RoundTripper in memory, for synctest bubbles.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestHostileRetryAfterWait: whatever Retry-After a 429 carries, the wait
// goes on correctly. A 429 holds every wait of the Waiter for a cool-down
// (plus up to 20 % spread): a huge or far-future Retry-After is capped by
// the max interval; a negative, past or malformed one is ignored and the
// default cool-down (defaults.ThrottleCooldown) applies; a sane one is
// honoured. The job is then returned at the second poll.
func TestHostileRetryAfterWait(t *testing.T) {
	const maxI = 30 * time.Second
	held := func(d time.Duration) func(time.Duration) bool { // d plus the cool-down's spread
		return func(gap time.Duration) bool { return gap >= d && gap <= d+d/5 }
	}
	capped, ignored := held(maxI), held(defaults.ThrottleCooldown)
	tests := []struct {
		name  string
		value func(now time.Time) string
		ok    func(gap time.Duration) bool
	}{
		{"enormous seconds", func(time.Time) string { return "99999999999999999999" }, capped},
		{"a year in seconds", func(time.Time) string { return "31536000" }, capped},
		{"far-future date", func(time.Time) string { return "Fri, 31 Dec 9999 23:59:59 GMT" }, capped},
		{"negative", func(time.Time) string { return "-5" }, ignored},
		{"huge negative", func(time.Time) string { return "-99999999999999999999" }, ignored},
		{"date in the past", func(now time.Time) string { return now.Add(-time.Hour).UTC().Format(http.TimeFormat) }, ignored},
		{"the epoch", func(time.Time) string { return "Thu, 01 Jan 1970 00:00:00 GMT" }, ignored},
		{"garbage", func(time.Time) string { return "soon, please" }, ignored},
		{"float", func(time.Time) string { return "1.5e3" }, ignored},
		{"sane seconds", func(time.Time) string { return "12" }, held(12 * time.Second)},
		{"sane date", func(now time.Time) string { return now.Add(7 * time.Second).UTC().Format(http.TimeFormat) }, held(7 * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var polls []time.Time
				api := roundTripFunc(func(r *http.Request) (*http.Response, error) {
					polls = append(polls, time.Now())
					h := http.Header{}
					status, body := 200, `{"job":{"id":"`+testJobID+`","status":"Completed"}}`
					if len(polls) == 1 {
						status, body = 429, `{"error_code":"APIGW.0308","error_msg":"throttled"}`
						h.Set("Retry-After", tt.value(time.Now()))
					}
					return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
				})
				c := newTestClient(t, "https://gaussdb.cn-north-4.myhuaweicloud.com", func(c *ClientConfig) {
					c.HTTPClient = &http.Client{Transport: api}
				})
				w, err := NewWaiter(c, WithInterval(time.Second, maxI))
				if err != nil {
					t.Fatal(err)
				}
				job, err := w.Wait(context.Background(), testJobID)
				if err != nil || job.Status != StatusCompleted || len(polls) != 2 {
					t.Fatalf("Wait = %v, %v after %d polls; want the job at the second poll", job, err, len(polls))
				}
				if gap := polls[1].Sub(polls[0]); !tt.ok(gap) {
					t.Errorf("Retry-After %q: second poll %v after the 429", tt.value(polls[0]), gap)
				}
			})
		})
	}
}

// TestHostileBodyOfSecretStarts: a body over the limit made of the first
// byte of the token, over and over, costs no more than any other: the
// cut-secret check looks at the end once, not byte after byte.
func TestHostileBodyOfSecretStarts(t *testing.T) {
	body := []byte(strings.Repeat(testToken[:1], 2<<20))
	srv := newServer(t, serveBody(http.StatusServiceUnavailable, body, nil))
	c := newTestClient(t, srv.URL, nil)
	var err error
	took, _, _ := measured(func() { _, err = c.GetJob(context.Background(), testJobID) })
	if ae := asAPIError(t, err); ae.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GetJob error %v", err)
	}
	if took > time.Second {
		t.Errorf("GetJob took %v on a body of repeated token starts", took)
	}
	t.Logf("took %v", took)
	if got := cutSecretStart([]byte("abcMIIE"), []string{"MIIEhg", "x"}); string(got) != "abc" {
		t.Errorf("cutSecretStart = %q, want the cut token start removed", got)
	}
	// Only the end is looked at: the byte before a removed start is not.
	if got := cutSecretStart(body[:1<<20], []string{testToken}); len(got) != 1<<20-1 {
		t.Errorf("cutSecretStart removed %d bytes of repeated token starts, want 1", 1<<20-len(got))
	}
}
