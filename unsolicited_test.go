package taurusjob

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
)

// syncBuffer is a bytes.Buffer the standard logger may write to from the
// transport's goroutines while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// captureStdLog sends the standard logger, which net/http writes to, to a
// buffer for the rest of the test. (A test may take the global logger
// over; the library must not.)
func captureStdLog(t *testing.T) *syncBuffer {
	t.Helper()
	buf := new(syncBuffer)
	old := log.Writer()
	log.SetOutput(buf)
	t.Cleanup(func() { log.SetOutput(old) })
	return buf
}

// echoForms are the ways the bytes after an answer carry a secret: whole,
// JSON-escaped byte by byte, base64, and as a request header line.
func echoForms(secrets []string) string {
	var b strings.Builder
	for _, s := range secrets {
		if s == "" {
			continue
		}
		fmt.Fprintf(&b, "X-Auth-Token: %s\r\n\"%s\" %s\r\n", s, jsonEscapeAll(s), base64.StdEncoding.EncodeToString([]byte(s)))
	}
	return b.String()
}

// trailingCases are the answers a server follows with bytes nobody asked
// for: in the answer's own write, in a later write once the client has the
// answer, one byte a write, after a chunked answer, and after a 204 whose
// "body" net/http does not read (a 204 has none).
var trailingCases = []struct {
	name   string
	answer string
	later  bool // the echo is written after the client got its answer
	split  bool // the echo is written one byte at a time
}{
	{"same write", jsonAnswerKeepAlive(`{"job":{"id":"` + testJobID + `","status":"Running"}}`), false, false},
	{"later write", jsonAnswerKeepAlive(`{"job":{"id":"` + testJobID + `","status":"Running"}}`), true, false},
	{"later, one byte a write", jsonAnswerKeepAlive(`{"job":{"id":"` + testJobID + `","status":"Running"}}`), true, true},
	{"after a chunked answer", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"10\r\n{\"job\":{\"id\":\"f9\r\n0\r\n\r\n", false, false},
	{"204 with a body", "HTTP/1.1 204 No Content\r\nContent-Length: 2000\r\n\r\n", false, false},
	{"after a 103 and an answer", "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" +
		jsonAnswerKeepAlive(`{"job":{"id":"`+testJobID+`","status":"Running"}}`), false, false},
}

// jsonAnswerKeepAlive is a raw HTTP/1.1 answer with a JSON body that keeps
// the connection open.
func jsonAnswerKeepAlive(body string) string {
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}

// echoServer answers each connection's first request with answer, then
// sends the request's credentials back in echoForms (right away, or
// after later is closed), and waits for the client to close the
// connection; each connection's end is sent on closed.
func echoServer(t *testing.T, answer string, later <-chan struct{}, split bool, closed chan<- struct{}) string {
	url, _ := rawServer(t, func(conn net.Conn, done <-chan struct{}) {
		defer func() { closed <- struct{}{} }()
		req, err := http.ReadRequest(bufio.NewReader(conn))
		if err != nil {
			return
		}
		echo := echoForms(requestSecrets(req))
		if later == nil {
			_, _ = io.WriteString(conn, answer+echo)
		} else {
			_, _ = io.WriteString(conn, answer)
			select {
			case <-later:
			case <-done:
				return
			}
			if split {
				for i := 0; i < len(echo); i++ {
					if _, err := conn.Write([]byte{echo[i]}); err != nil {
						break
					}
				}
			} else {
				_, _ = io.WriteString(conn, echo)
			}
		}
		_, _ = io.Copy(io.Discard, conn) // until the client closes it
	})
	return url
}

// waitClosed waits for the server to see its connection closed. Both
// net/http (after it logs) and the fix close it, so this is when the log
// holds everything it will.
func waitClosed(t *testing.T, closed <-chan struct{}) {
	t.Helper()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the client kept the connection after the server sent bytes nobody asked for")
	}
}

// TestUnsolicitedBytesNeverReachTheProcessLog: with the default transport,
// bytes a server sends after a complete answer, which echo the request's
// credentials, never reach the process's log. net/http logs what it finds
// on a kept-alive connection while it is idle ("Unsolicited response
// received on idle HTTP channel starting with …"), with the standard
// logger: the token, or the access key and signature, would be printed on
// stderr. Each credential kind, each way the bytes come.
func TestUnsolicitedBytesNeverReachTheProcessLog(t *testing.T) {
	for _, cred := range credentialCases {
		for _, tc := range trailingCases {
			t.Run(cred.name+"/"+tc.name, func(t *testing.T) {
				logged := captureStdLog(t)
				closed := make(chan struct{}, 4)
				var later chan struct{}
				if tc.later {
					later = make(chan struct{})
				}
				url := echoServer(t, tc.answer, later, tc.split, closed)
				c := newTestClient(t, url, cred.edit)
				t.Cleanup(sharedTransport.CloseIdleConnections)
				_, _ = c.GetJob(context.Background(), testJobID)
				if later != nil {
					close(later)
				}
				waitClosed(t, closed)
				secretcheck.Assert(t, "the process log", logged.String(), cred.secrets...)
				// Whatever the first connection did, the next request is answered.
				if _, err := c.GetJob(context.Background(), testJobID); errors.As(err, new(*TransportError)) {
					t.Errorf("the next GetJob got no answer: %v", err)
				}
				waitClosed(t, closed)
				secretcheck.Assert(t, "the process log", logged.String(), cred.secrets...)
			})
		}
	}
}

// TestUnsolicitedBytesOverTLS: the same over https, where the bytes come
// inside TLS records.
func TestUnsolicitedBytesOverTLS(t *testing.T) {
	logged := captureStdLog(t)
	closed := make(chan struct{}, 4)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer func() { closed <- struct{}{} }()
		_, _ = io.WriteString(conn, jsonAnswerKeepAlive(`{"job":{"id":"`+testJobID+`","status":"Running"}}`)+echoForms(requestSecrets(r)))
		_, _ = io.Copy(io.Discard, conn)
	}))
	srv.StartTLS()
	t.Cleanup(srv.Close)
	tr := defaultTransport()
	t.Cleanup(tr.CloseIdleConnections)
	tr.TLSClientConfig = &tls.Config{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}
	c := newTestClient(t, srv.URL, func(c *ClientConfig) { c.HTTPClient = &http.Client{Transport: tr} })
	if _, err := c.GetJob(context.Background(), testJobID); err != nil {
		t.Fatalf("GetJob over TLS: %v", err)
	}
	waitClosed(t, closed)
	secretcheck.Assert(t, "the process log", logged.String(), testToken)
}

// TestDefaultTransportReusesItsConnection: answers that end where they
// say still leave their connection for the next poll: a wait polls many
// times, and WaitAll over thousands of jobs must not pay a handshake a poll.
func TestDefaultTransportReusesItsConnection(t *testing.T) {
	answers := []string{
		jsonAnswerKeepAlive(`{"job":{"id":"` + testJobID + `","status":"Running"}}`),
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + "5\r\n{\"job\r\n17\r\n\":{\"status\":\"Running\"}}\r\n0\r\n\r\n",
		"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
	}
	url, accepted := rawServer(t, func(conn net.Conn, done <-chan struct{}) {
		br := bufio.NewReader(conn)
		for i := 0; ; i++ {
			if _, err := http.ReadRequest(br); err != nil {
				return
			}
			if _, err := io.WriteString(conn, answers[i%len(answers)]); err != nil {
				return
			}
		}
	})
	c := newTestClient(t, url, nil)
	t.Cleanup(sharedTransport.CloseIdleConnections)
	for i := range 3 * len(answers) {
		if _, err := c.GetJob(context.Background(), testJobID); err != nil && i%len(answers) != 2 {
			t.Fatalf("poll %d: %v", i, err)
		}
	}
	if n := accepted.Load(); n != 1 {
		t.Errorf("9 polls opened %d connections; want 1, reused", n)
	}
}

// TestAnswerBeforeTheRequestEnds: a server that answers before it has
// read the whole request (a 60 KiB token makes a request of several
// writes) and follows the answer with the token gets no byte of it into
// the process log either.
func TestAnswerBeforeTheRequestEnds(t *testing.T) {
	logged := captureStdLog(t)
	token := strings.Repeat("SENTINEL-BIG-TOKEN-", 60<<10/19)
	closed := make(chan struct{}, 4)
	url, _ := rawServer(t, func(conn net.Conn, done <-chan struct{}) {
		defer func() { closed <- struct{}{} }()
		if _, err := conn.Read(make([]byte, 1)); err != nil {
			return
		}
		_, _ = io.WriteString(conn, jsonAnswerKeepAlive(`{"job":{"id":"`+testJobID+`","status":"Running"}}`)+"X-Auth-Token: "+token+"\r\n")
		_, _ = io.Copy(io.Discard, conn)
	})
	c := newTestClient(t, url, func(c *ClientConfig) { c.Token = token })
	t.Cleanup(sharedTransport.CloseIdleConnections)
	_, _ = c.GetJob(context.Background(), testJobID)
	waitClosed(t, closed)
	secretcheck.Assert(t, "the process log", logged.String(), token)
}
