package taurusjobtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// errConnReset is the error a body Read returns, in memory, where an
// injected [ResetMidBody] breaks the connection. It wraps
// syscall.ECONNRESET, as a real reset does, so errors.Is finds it.
var errConnReset = fmt.Errorf("taurusjobtest: connection reset mid-body: %w", syscall.ECONNRESET)

var errBodyClosed = errors.New("taurusjobtest: read on closed response body")

// NewTransport returns an [http.RoundTripper] that answers requests for
// the servers' hosts (their [Server.URL]) in memory, in the caller's
// goroutine, without sockets or goroutines of its own: what a test inside
// a testing/synctest bubble needs, with the servers made inside the same
// bubble. Several servers make one transport that can follow a redirect
// from one to another. A request for another host fails, reaching no
// server, as an unknown host does. For one server, [Server.Client] is
// the short way; NewTransport is for several, or for a transport to wrap.
//
// The transport honours the request's context: it fails at once when the
// context has ended, an injected latency ends with it, and reading the
// body fails with its error. It is safe for concurrent use.
func NewTransport(servers ...*Server) http.RoundTripper {
	t := &transport{hosts: make(map[string]*Server, len(servers))}
	for _, s := range servers {
		t.hosts[s.host] = s
	}
	return t
}

type transport struct {
	hosts map[string]*Server // never written after NewTransport
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	if req.URL == nil {
		return nil, errors.New("taurusjobtest: request without a URL")
	}
	s := t.hosts[strings.ToLower(req.URL.Host)]
	if s == nil {
		return nil, fmt.Errorf("taurusjobtest: no fake server at host %q", req.URL.Host)
	}
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !s.enter() {
		return nil, errClosed
	}
	defer s.leave()
	r := req
	if r.Host == "" { // what a server would see
		r = req.WithContext(ctx)
		r.Host = req.URL.Host
	}
	a, err := s.serve(r)
	if err != nil {
		return nil, err
	}
	announce, send := a.lengths()
	h := make(http.Header, 6)
	a.setHeaders(h, announce)
	return &http.Response{
		Status:        strconv.Itoa(a.status) + " " + http.StatusText(a.status),
		StatusCode:    a.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		ContentLength: int64(announce),
		Request:       req,
		Body:          &memBody{r: bytes.NewReader(a.body[:send]), reset: a.reset, ctx: ctx},
	}, nil
}

// memBody is a response body in memory: it fails as a connection would.
type memBody struct {
	mu     sync.Mutex
	r      *bytes.Reader
	reset  bool
	ctx    context.Context
	closed bool
}

func (b *memBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, errBodyClosed
	}
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := b.r.Read(p)
	if err == io.EOF && b.reset {
		err = errConnReset
	}
	return n, err
}

func (b *memBody) Close() error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	return nil
}
