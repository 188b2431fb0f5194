package taurusjobtest

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
)

// serverSeq numbers servers, so that hosts, tokens and request ids differ
// between servers of one test.
var serverSeq atomic.Uint64

// errClosed is returned by the in-memory transport once the server is closed.
var errClosed = errors.New("taurusjobtest: server closed")

// Server is a fake TaurusDB job API: it answers
// GET /v3/{project_id}/jobs?id=… from scripted jobs ([Server.AddJob]),
// with faults injected by rules ([Server.AddRule]), and records what it
// was asked ([Server.Requests]).
//
// A Server made by [NewServer] listens on a loopback port; one made by
// [NewInMemory] has no socket and is reached only in memory, through
// [Server.Client] or [NewTransport], which is what tests inside a
// testing/synctest bubble need. Both serve the same answers, and
// [NewTransport] works for both.
//
// All methods are safe for concurrent use.
type Server struct {
	cfg       config
	serial    uint64
	url       string
	host      string            // host[:port] of url, lower case
	hs        *httptest.Server  // nil for an in-memory server
	transport http.RoundTripper // nil for a loopback server
	jobPath   string            // "/v3/{project_id}/jobs"

	jobsMu sync.RWMutex
	jobs   map[string]*job
	jobSeq atomic.Uint64
	inst   instanceStore // the instances and the jobs that name them

	rulesMu sync.Mutex // serializes writers of rules
	rules   atomic.Pointer[[]*rule]

	tokens  tokenStore
	limiter *bucket // nil without a rate limit
	rec     recorder
	reqSeq  atomic.Uint64
	total   atomic.Int64

	closeMu   sync.RWMutex
	closed    bool
	closeOnce sync.Once
	inflight  sync.WaitGroup
	done      chan struct{} // closed by Close: ends injected latencies
}

// NewServer starts a fake API on a loopback port (http://127.0.0.1:…),
// like [httptest.NewServer]. Call [Server.Close] when done. A loopback
// server runs on real time: inside a testing/synctest bubble use
// [NewInMemory] instead. It panics if it cannot listen, as httptest does.
func NewServer(opts ...Option) *Server {
	s := newServer(opts)
	s.hs = httptest.NewServer(s)
	s.url = s.hs.URL
	s.host = strings.ToLower(strings.TrimPrefix(s.url, "http://"))
	return s
}

// NewInMemory makes a fake API without a socket, reached only through
// [Server.Client] or [NewTransport]. Its [Server.URL] is an https URL
// on a host under .invalid that resolves nowhere. It starts no goroutine,
// and its clocks are [time.Now] and timers, so it works inside a
// testing/synctest bubble.
func NewInMemory(opts ...Option) *Server {
	s := newServer(opts)
	s.host = fmt.Sprintf("fake-%d.taurusjobtest.invalid", s.serial)
	s.url = "https://" + s.host
	s.transport = NewTransport(s)
	return s
}

func newServer(opts []Option) *Server {
	s := &Server{
		cfg:    defaultConfig(),
		serial: serverSeq.Add(1),
		jobs:   make(map[string]*job),
		done:   make(chan struct{}),
	}
	for _, o := range opts {
		o(&s.cfg)
	}
	s.jobPath = "/v3/" + s.cfg.projectID + "/jobs"
	if s.cfg.token == "" {
		s.cfg.token = fmt.Sprintf("fake-token-%d-0", s.serial)
	}
	s.tokens.init(s.cfg.token)
	if s.cfg.authCheck == nil {
		s.cfg.authCheck = s.tokenCheck
	}
	if s.cfg.rate > 0 {
		s.limiter = newBucket(s.cfg.rate, s.cfg.burst)
	}
	s.rec.max = s.cfg.maxRecords
	s.rules.Store(&[]*rule{})
	return s
}

// URL returns the base URL to give a client as its endpoint, without a
// trailing slash: http://127.0.0.1:PORT for [NewServer],
// https://fake-N.taurusjobtest.invalid for [NewInMemory].
func (s *Server) URL() string { return s.url }

// ProjectID returns the project id the server answers for.
func (s *Server) ProjectID() string { return s.cfg.projectID }

// Token returns the server's first valid token. See [Server.IssueToken]
// for more.
func (s *Server) Token() string { return s.cfg.token }

// Client returns an HTTP client that reaches the server: over loopback for
// [NewServer], in memory for [NewInMemory]. Each call returns the same
// client for a loopback server, and a new one sharing the in-memory
// transport otherwise.
func (s *Server) Client() *http.Client {
	if s.hs != nil {
		return s.hs.Client()
	}
	return &http.Client{Transport: s.transport}
}

// Close stops the server: a loopback server stops listening; both kinds
// end injected latencies early, answer no new request, and wait for the
// requests in flight to be answered. Close is idempotent.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.closeMu.Lock()
		s.closed = true
		close(s.done)
		s.closeMu.Unlock()
		if s.hs != nil {
			s.hs.Close()
		}
		s.inflight.Wait()
	})
}

// enter counts an in-memory request in flight; it is false once closed.
func (s *Server) enter() bool {
	s.closeMu.RLock()
	defer s.closeMu.RUnlock()
	if s.closed {
		return false
	}
	s.inflight.Add(1)
	return true
}

func (s *Server) leave() { s.inflight.Done() }
