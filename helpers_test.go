package taurusjob

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Values shared by the tests: a valid project id (the documented example's)
// and the documented job id.
const (
	testProjectID = "054e292c9880d4992f02c0196d3ea468"
	testJobID     = "f9959f52-aa4d-43f7-be74-44b6fc20b239"
	testToken     = "MIIEhgYJKoZIhvcNAQcCoIIEdzCCBHMCAQExDTALBglghkgBZQMEAgEwgg"
)

// Sentinel credentials: values no real text holds, long enough for pieces
// to count, so that finding any 12-byte piece of one in an error, a job, a
// progress update, a state token or a log line means it leaked. The secret
// tests and fuzzers plant them in what a server answers. Like real ones
// they hold no space, colon or quote, so no piece of one can span the
// separators an error or a log line puts between two fields; like a real
// IAM token (base64) the token holds '/', '+' and '=', which encoders
// escape. The external tests' sentinels have the same names.
const (
	sentinelToken = "SENTINEL-TOKEN-7f3a9c1e/5b2d8f4a+6c0e9b7d/5f3a1c8e/9b7d5f3a=="
	sentinelAK    = "SENTINELAKECHO7KQ2XW"
	sentinelSK    = "SENTINEL-SK-ECHO-3e9b1d7f5a2c8e4b6d0f9a1c"
	sentinelSTS   = "SENTINEL-STS-ECHO-c4e6a8b0d2f4a6c8e0b2d4f6a8c0e2b4"
)

// recordingServer is a loopback API that counts and keeps every request it
// receives, so a test can say how many reached it and what they carried.
type recordingServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
	n    atomic.Int32
}

// newServer starts a loopback server running h, recording each request
// before h sees it. It is closed when the test ends.
func newServer(t *testing.T, h http.HandlerFunc) *recordingServer {
	t.Helper()
	s := newUnstartedServer(t, h)
	s.Start()
	return s
}

// newUnstartedServer is newServer without the Start, for a test that sets
// the listener.
func newUnstartedServer(t *testing.T, h http.HandlerFunc) *recordingServer {
	t.Helper()
	s := &recordingServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.n.Add(1)
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(r.Context()))
		s.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// requests returns how many requests reached the server.
func (s *recordingServer) requests() int { return int(s.n.Load()) }

// request returns the i-th request received.
func (s *recordingServer) request(t *testing.T, i int) *http.Request {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if i >= len(s.reqs) {
		t.Fatalf("request %d not received; got %d", i, len(s.reqs))
	}
	return s.reqs[i]
}

// serveBody answers every request with status, body and headers.
func serveBody(status int, body []byte, headers map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
}

// newTestClient returns a client for endpoint with a static token; edit
// changes the config first when not nil.
func newTestClient(t *testing.T, endpoint string, edit func(*ClientConfig)) *Client {
	t.Helper()
	cfg := ClientConfig{Endpoint: endpoint, ProjectID: testProjectID, Token: testToken}
	if edit != nil {
		edit(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// readFixture returns a file of testdata.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureNames lists the files of a testdata folder.
func fixtureNames(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("testdata", dir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, dir+"/"+e.Name())
		}
	}
	return names
}

// asAPIError returns err as an *APIError, failing the test if it is not one.
func asAPIError(t *testing.T, err error) *APIError {
	t.Helper()
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	return ae
}

// asTransportError returns err as a *TransportError, failing the test if it
// is not one.
func asTransportError(t *testing.T, err error) *TransportError {
	t.Helper()
	var te *TransportError
	if !errors.As(err, &te) {
		t.Fatalf("error %v (%T) is not a *TransportError", err, err)
	}
	return te
}

// getterFunc is a JobGetter made of a function: the function is the whole
// API, so a test decides each answer and can fail the test where no
// request may be sent. The external tests' getterFunc has the same
// signature.
type getterFunc func(ctx context.Context, id string) (*Job, error)

func (f getterFunc) GetJob(ctx context.Context, id string) (*Job, error) { return f(ctx, id) }

// sampleState returns a new copy of the state a typical wait saves: every
// field a token holds is set, each to a value the token check accepts
// (LastErr and Seen not nil), and the fields a token does not carry are
// what decoding rebuilds from them. The state token tests rely on that to
// compare a round trip whole and to edit one field at a time into a
// refused state; FuzzResumeToken seeds its corpus with its token.
func sampleState() *waitState {
	start := time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)
	st := &waitState{
		JobID:    testJobID,
		Start:    start,
		GraceEnd: start.Add(time.Minute),
		Deadline: start.Add(time.Hour),
		Due:      start.Add(10 * time.Minute),
		Polls:    17,
		Errs:     2,
		Share:    0.125,
		Track: &progressTrack{AnchorT: start.Add(time.Minute), AnchorP: 10, LastT: start.Add(5 * time.Minute), LastP: 60,
			ReachedT: start.Add(4 * time.Minute), Said: start.Add(8 * time.Minute)},
		LastErr: &savedErr{Status: 503, Code: "APIGW.0001", Text: "service unavailable"},
	}
	st.last = &Job{ID: st.JobID, Name: "CreateGaussDBforMySQLInstance", Status: StatusRunning, Progress: 60, Created: start.Add(-3 * time.Second)}
	st.lastErr = st.LastErr.restore()
	return st
}

// echoJob answers with a Running job of the id asked for.
func echoJob(w http.ResponseWriter, r *http.Request) {
	id, _ := json.Marshal(r.URL.Query().Get("id"))
	fmt.Fprintf(w, `{"job":{"id":%s,"status":"Running","process":"10%%"}}`, id)
}

// forged builds a token for job-1 from a state a forger (or a real wait)
// could have saved; the default key is public.
func forged(st waitState) string {
	st.JobID = "job-1"
	if st.Due.IsZero() {
		st.Due = st.Start
	}
	if st.Share == 0 {
		st.Share = -1
	}
	return encodeState(nil, &st)
}

// useSentinelSource edits a ClientConfig to take sentinelToken from a
// TokenSource instead of a static token.
func useSentinelSource(c *ClientConfig) {
	c.Token = ""
	c.TokenSource = func(context.Context) (string, error) { return sentinelToken, nil }
}

// compact returns JSON b without its insignificant white space ("" for
// none), failing the test if b is not JSON, so that fixtures compare as
// text.
func compact(t *testing.T, b []byte) string {
	t.Helper()
	if len(b) == 0 {
		return ""
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return out.String()
}

// checkInvalid asserts what every validation error promises: it matches
// ErrInvalidInput, is an *InputError for field, and says the field's name.
func checkInvalid(t *testing.T, err error, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want an invalid %s", field)
	}
	if !errors.Is(err, ErrInvalidInput) {
		t.Errorf("error %q does not match ErrInvalidInput", err)
	}
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error %q (%T) is not an *InputError", err, err)
	}
	if ie.Field != field {
		t.Errorf("Field = %q, want %q", ie.Field, field)
	}
	if !strings.Contains(err.Error(), field) {
		t.Errorf("error %q does not name the field %q", err, field)
	}
	// The message is short and printable whatever the value: a 10 KB or
	// binary value is described, never echoed.
	if msg := err.Error(); len(msg) > 200 || hasControl(msg) {
		t.Errorf("error message of %d bytes (bound 200) or with control characters: %.300q", len(msg), msg)
	}
}

// okServer answers every request with the documented job.
func okServer(t *testing.T) *recordingServer {
	return newServer(t, serveBody(http.StatusOK, readFixture(t, "jobs/completed.json"), nil))
}

// rawServer listens on loopback and hands each connection to handle; the
// connections are closed and the goroutines ended when the test ends.
func rawServer(t *testing.T, handle func(conn net.Conn, done <-chan struct{})) (url string, accepted *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	accepted = new(atomic.Int32)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			wg.Add(1)
			go func() { defer wg.Done(); handle(conn, done) }()
		}
	}()
	t.Cleanup(func() {
		close(done)
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "http://" + ln.Addr().String(), accepted
}

// readRequest reads the request's head, so that an answer written next is
// one the client asked for.
func readRequest(conn net.Conn) bool {
	_, err := http.ReadRequest(bufio.NewReader(conn))
	return err == nil
}

// countingTransport counts the body bytes the client reads.
type countingTransport struct {
	base http.RoundTripper
	read atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(r)
	if resp != nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &c.read}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// newCountingClient is a client for endpoint whose transport (a fresh one,
// closed at the end of the test) counts the body bytes read, with the
// hostile tests' request timeout (hostileTimeout); edit changes the config
// after that when not nil.
func newCountingClient(t *testing.T, endpoint string, edit func(*ClientConfig)) (*Client, *countingTransport) {
	t.Helper()
	tr := defaultTransport()
	t.Cleanup(tr.CloseIdleConnections)
	ct := &countingTransport{base: tr}
	c := newTestClient(t, endpoint, func(c *ClientConfig) {
		c.HTTPClient = &http.Client{Transport: ct}
		c.RequestTimeout = hostileTimeout
		if edit != nil {
			edit(c)
		}
	})
	return c, ct
}
