package taurusjobtest

import (
	"net/http"
	"strconv"
)

// answer is what the server answers one request, before it is written to
// a connection or handed over by the in-memory transport.
type answer struct {
	status     int
	ctype      string // "" is JSON
	body       []byte // never modified: it may be shared
	code       string // the error_code in body, for the record
	retryAfter string
	location   string
	requestID  string
	cut        bool // truncated: send half the body and end cleanly
	reset      bool // send half the body, then break the connection
	faults     string
}

// lengths returns the Content-Length to announce and the bytes to send.
func (a *answer) lengths() (announce, send int) {
	full := len(a.body)
	switch {
	case a.cut:
		return full / 2, full / 2
	case a.reset:
		return full, full / 2
	}
	return full, full
}

func (a *answer) setHeaders(h http.Header, announce int) {
	ctype := a.ctype
	if ctype == "" {
		ctype = jsonType
	}
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(announce))
	h.Set("X-Request-Id", a.requestID)
	if a.retryAfter != "" {
		h.Set("Retry-After", a.retryAfter)
	}
	if a.location != "" {
		h.Set("Location", a.location)
	}
}

// ServeHTTP answers one request as the fake API, so that a Server can
// also be mounted in a test's own [http.ServeMux] or server. An injected
// connection reset, a canceled request or a closed server aborts the
// handler with [http.ErrAbortHandler].
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, err := s.serve(r)
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	announce, send := a.lengths()
	a.setHeaders(w.Header(), announce)
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body[:send])
	if a.reset {
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}
}
