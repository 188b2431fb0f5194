package taurusjob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/defaults"
)

// stallServer accepts each request and never answers it; the handler ends
// when the client goes away or the test ends.
func stallServer(t *testing.T, arrived chan<- struct{}, writeFirst []byte) *recordingServer {
	release := make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if writeFirst != nil {
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(writeFirst)
			w.(http.Flusher).Flush()
		}
		if arrived != nil {
			arrived <- struct{}{}
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	return srv
}

// TestRequestTimeout uses real time on a loopback server, kept short: the
// request timeout must end a call that gets no answer, as a transient
// *TransportError that says so.
func TestRequestTimeout(t *testing.T) {
	tests := []struct {
		name       string
		writeFirst []byte
	}{
		{"no answer at all", nil},
		{"headers then a stalled body", []byte(`{"job":{"id":"`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := stallServer(t, nil, tt.writeFirst)
			c := newTestClient(t, srv.URL, func(c *ClientConfig) { c.RequestTimeout = 50 * time.Millisecond })

			start := time.Now()
			job, err := c.GetJob(context.Background(), testJobID)
			took := time.Since(start)

			te := asTransportError(t, err)
			if job != nil || !strings.Contains(te.Error(), "50ms request timeout") {
				t.Errorf("GetJob = %v, %q; want a transport error naming the 50ms request timeout", job, err)
			}
			if errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("the request's own timeout matches context.DeadlineExceeded, which callers read as their ctx ending")
			}
			if took > 5*time.Second {
				t.Errorf("GetJob took %v with a 50ms request timeout", took)
			}
		})
	}
}

// TestDefaultTransportHonoursRequestTimeout: a request timeout above the
// default is not cut short by the transport's own header timeout.
func TestDefaultTransportHonoursRequestTimeout(t *testing.T) {
	for _, d := range []time.Duration{0, 5 * time.Second, 45 * time.Second, 10 * time.Minute} {
		c := newTestClient(t, "https://gaussdb.cn-north-4.myhuaweicloud.com", func(c *ClientConfig) { c.RequestTimeout = d })
		rt, ok := c.http.Transport.(*routedTransport)
		if !ok {
			t.Fatalf("default transport is %T", c.http.Transport)
		}
		for _, tr := range []*http.Transport{rt.direct, rt.proxied} {
			if tr.ResponseHeaderTimeout != 0 && tr.ResponseHeaderTimeout < c.timeout {
				t.Errorf("RequestTimeout %v: the transport gives up on headers after %v", c.timeout, tr.ResponseHeaderTimeout)
			}
		}
	}
}

func TestContextCancelWhileWaiting(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := stallServer(t, arrived, nil)
	c := newTestClient(t, srv.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-arrived; cancel() }()

	job, err := c.GetJob(ctx, testJobID)

	if job != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("GetJob = %v, %v; want an error matching context.Canceled", job, err)
	}
	var te *TransportError
	if errors.As(err, &te) {
		t.Errorf("a cancel by the caller is a *TransportError (%v); the waiter would retry it", err)
	}
}

func TestContextCancelWithCause(t *testing.T) {
	errShutdown := errors.New("provisioner shutting down")
	arrived := make(chan struct{}, 1)
	srv := stallServer(t, arrived, nil)
	c := newTestClient(t, srv.URL, nil)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	go func() { <-arrived; cancel(errShutdown) }()

	_, err := c.GetJob(ctx, testJobID)

	if !errors.Is(err, context.Canceled) || !errors.Is(err, errShutdown) {
		t.Errorf("GetJob error %v; want it to match context.Canceled and the cause", err)
	}
}

func TestContextDeadlineOfTheCaller(t *testing.T) {
	srv := stallServer(t, nil, nil)
	c := newTestClient(t, srv.URL, nil) // request timeout 30s: the caller's 50ms deadline comes first
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()

	_, err := c.GetJob(ctx, testJobID)

	var te *TransportError
	if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &te) {
		t.Errorf("GetJob error %v (%T); want ctx's deadline, not a *TransportError", err, err)
	}
}

func TestContextAlreadyCanceledSendsNothing(t *testing.T) {
	srv := newServer(t, echoJob)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newTestClient(t, srv.URL, nil).GetJob(ctx, testJobID)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("GetJob error %v; want context.Canceled", err)
	}
	if srv.requests() != 0 {
		t.Errorf("server got %d requests after the cancel", srv.requests())
	}
}

// jobBodyOfSize returns a valid job body of exactly n bytes.
func jobBodyOfSize(t *testing.T, n int) []byte {
	head := `{"job":{"id":"` + testJobID + `","status":"Running","entities":{"pad":"`
	tail := `"}}}`
	if n < len(head)+len(tail) {
		t.Fatalf("body of %d bytes is too small", n)
	}
	return []byte(head + strings.Repeat("x", n-len(head)-len(tail)) + tail)
}

func TestBodyLimit(t *testing.T) {
	const twoMiB = 2 << 20
	tests := []struct {
		name      string
		limit     int64
		status    int
		body      []byte
		wantError string // "" means the job is returned
	}{
		{"2 MiB job over the default limit", 0, 200, jobBodyOfSize(t, twoMiB), fmt.Sprintf("exceeds the %d-byte limit", defaults.MaxBodyBytes)},
		{"exactly the default limit", 0, 200, jobBodyOfSize(t, defaults.MaxBodyBytes), ""},
		{"one byte over the default limit", 0, 200, jobBodyOfSize(t, defaults.MaxBodyBytes+1), "exceeds the 1048576-byte limit"},
		{"configured limit, at it", 4096, 200, jobBodyOfSize(t, 4096), ""},
		{"configured limit, one byte over", 4096, 200, jobBodyOfSize(t, 4097), "exceeds the 4096-byte limit"},
		{"configured limit above the default", 4 << 20, 200, jobBodyOfSize(t, twoMiB), ""},
		{"2 MiB error page", 0, 500, append([]byte("<html><title>oops</title>"), bytes.Repeat([]byte("x"), twoMiB)...), "size limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, serveBody(tt.status, tt.body, map[string]string{"X-Request-Id": testRequestID}))
			c := newTestClient(t, srv.URL, func(c *ClientConfig) { c.MaxBodyBytes = tt.limit })
			job, err := c.GetJob(context.Background(), testJobID)
			if tt.wantError == "" {
				if err != nil || job.Status != StatusRunning {
					t.Fatalf("GetJob = %v, %v; want the job", job, err)
				}
				return
			}
			ae := asAPIError(t, err)
			if job != nil || ae.StatusCode != tt.status || ae.RequestID != testRequestID || !strings.Contains(ae.Message, tt.wantError) {
				t.Errorf("GetJob = %v, %+v; want an *APIError %d saying %q", job, ae, tt.status, tt.wantError)
			}
		})
	}
}

// hijackServer hands each connection to f after reading the request.
func hijackServer(t *testing.T, f func(conn net.Conn)) *recordingServer {
	return newServer(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		f(conn)
	})
}

func TestTransportErrors(t *testing.T) {
	refused := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return "http://" + addr
	}
	tests := []struct {
		name     string
		endpoint func(t *testing.T) string
		wantIs   error
	}{
		{"connection reset", func(t *testing.T) string {
			return hijackServer(t, func(conn net.Conn) {
				_ = conn.(*net.TCPConn).SetLinger(0) // close sends RST
				conn.Close()
			}).URL
		}, nil},
		{"closed without an answer", func(t *testing.T) string {
			return hijackServer(t, func(conn net.Conn) { conn.Close() }).URL
		}, nil},
		{"body cut short", func(t *testing.T) string {
			return hijackServer(t, func(conn net.Conn) {
				_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"job\":{"))
				conn.Close()
			}).URL
		}, nil},
		{"not HTTP", func(t *testing.T) string {
			return hijackServer(t, func(conn net.Conn) {
				_, _ = conn.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n\r\n"))
				conn.Close()
			}).URL
		}, nil},
		{"connection refused", refused, syscall.ECONNREFUSED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, tt.endpoint(t), nil)
			job, err := c.GetJob(context.Background(), testJobID)
			te := asTransportError(t, err)
			if job != nil || te.Err == nil {
				t.Errorf("GetJob = %v, %v", job, err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v does not match %v", err, tt.wantIs)
			}
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error %v matches a ctx error", err)
			}
		})
	}
}
