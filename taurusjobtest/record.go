package taurusjobtest

import (
	"net/http"
	"sync"
	"time"
)

// redactedValue replaces the value of credential headers in recorded
// requests.
const redactedValue = "[REDACTED]"

// redactedHeaders are the headers whose values are never recorded.
var redactedHeaders = []string{"X-Auth-Token", "Authorization", "X-Security-Token",
	"Proxy-Authorization", "Cookie"}

// Request is one request as the server recorded it.
type Request struct {
	Time   time.Time // arrival, by time.Now
	Method string
	Host   string // the host asked, with its port if any
	Path   string
	Query  string // the raw query
	JobID  string // the id parameter of a jobs request; "" when absent
	// InstanceID is the instance a request of the instance API asked for:
	// the path's id (TaurusDB) or the list's id parameter; "" otherwise.
	InstanceID string
	// Header is a copy of the request's headers, with the values of
	// X-Auth-Token, Authorization, X-Security-Token, Proxy-Authorization
	// and Cookie replaced by "[REDACTED]": a test sees whether a credential
	// was sent, never what it was.
	Header http.Header
	Status int    // the answer's status; 0 when the request ended first (ctx, Close)
	Code   string // the error_code of an error answer, "" otherwise
	// Fault names the injected faults, comma-separated ("latency,reset",
	// "rate-limit"); "" when the API answered untouched.
	Fault string
	// RequestID is the X-Request-Id answered.
	RequestID string
}

// recorder keeps the last max requests and per-id counts of unknown jobs.
type recorder struct {
	mu      sync.Mutex
	max     int // 0: record nothing; < 0: no bound
	reqs    []Request
	next    int // ring position once full
	unknown map[string]int64
}

func (rc *recorder) add(r *http.Request, now time.Time, what asked, a *answer) {
	if rc.max == 0 {
		return
	}
	q := Request{Time: now, Method: r.Method, Host: r.Host, Path: r.URL.Path, Query: r.URL.RawQuery,
		JobID: what.jobID, InstanceID: what.instanceID, Header: redact(r.Header)}
	if a != nil {
		q.Status, q.Code, q.Fault, q.RequestID = a.status, a.code, a.faults, a.requestID
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.max < 0 || len(rc.reqs) < rc.max {
		rc.reqs = append(rc.reqs, q)
		return
	}
	rc.reqs[rc.next] = q
	rc.next = (rc.next + 1) % rc.max
}

func (rc *recorder) countUnknown(jobID string) {
	rc.mu.Lock()
	if rc.unknown == nil {
		rc.unknown = make(map[string]int64)
	}
	rc.unknown[jobID]++
	rc.mu.Unlock()
}

func redact(h http.Header) http.Header {
	c := h.Clone()
	if c == nil {
		c = http.Header{}
	}
	for _, k := range redactedHeaders {
		if vs := c[k]; len(vs) > 0 {
			for i := range vs {
				vs[i] = redactedValue
			}
		}
	}
	return c
}

// Requests returns a copy of the recorded requests in the order they were
// answered (a delayed one comes after those answered meanwhile; its Time
// is still its arrival). It holds at most the bound set by
// [WithMaxRecords]: the most recent ones.
func (s *Server) Requests() []Request {
	rc := &s.rec
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make([]Request, 0, len(rc.reqs))
	out = append(out, rc.reqs[rc.next:]...)
	out = append(out, rc.reqs[:rc.next]...)
	for i := range out {
		out[i].Header = out[i].Header.Clone()
	}
	return out
}

// RequestCount returns how many requests asked for jobID, faulted or not,
// whatever the recording bound.
func (s *Server) RequestCount(jobID string) int {
	n := int64(0)
	if jb := s.lookup(jobID); jb != nil {
		n = jb.count.Load()
	}
	s.rec.mu.Lock()
	n += s.rec.unknown[jobID]
	s.rec.mu.Unlock()
	return int(n)
}

// TotalRequests returns how many requests the server received.
func (s *Server) TotalRequests() int { return int(s.total.Load()) }
