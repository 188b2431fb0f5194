package taurusjobtest

import (
	"bytes"
	"io"
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
	oversize   int  // oversized: the body's size once padded; 0 for none
	cut        bool // truncated: send half the body and end cleanly
	reset      bool // send half the body, then break the connection
	faults     string
}

var (
	padX     = bytes.Repeat([]byte{'x'}, 32<<10)
	padSpace = bytes.Repeat([]byte{' '}, 32<<10)
	padOpen  = []byte(`,"padding":"`)
	padClose = []byte(`"}`)
)

// parts lays out the body as head, pad bytes taken from fill, and tail,
// oversize bytes in all (or the body alone if it is larger). A JSON object
// gets a "padding" field; anything else trailing spaces.
func (a *answer) parts() (head []byte, pad int, fill []byte, tail []byte) {
	n := len(a.body)
	if a.oversize <= n {
		return a.body, 0, nil, nil
	}
	if n > 1 && a.body[n-1] == '}' && a.body[n-2] != '{' {
		pad = a.oversize - (n - 1 + len(padOpen) + len(padClose))
		if pad > 0 {
			head = append(append(make([]byte, 0, n-1+len(padOpen)), a.body[:n-1]...), padOpen...)
			return head, pad, padX, padClose
		}
	}
	return a.body, a.oversize - n, padSpace, nil
}

// lengths returns the Content-Length to announce and the bytes to send.
func (a *answer) lengths() (announce, send int64) {
	head, pad, _, tail := a.parts()
	full := int64(len(head) + pad + len(tail))
	switch {
	case a.cut:
		return full / 2, full / 2
	case a.reset:
		return full, full / 2
	}
	return full, full
}

func (a *answer) setHeaders(h http.Header, announce int64) {
	ctype := a.ctype
	if ctype == "" {
		ctype = jsonType
	}
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.FormatInt(announce, 10))
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
	b := &bodyReader{answer: a, limit: send}
	_, _ = io.Copy(w, b)
	if a.reset {
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}
}

// bodyReader streams an answer's body up to limit bytes, without ever
// holding the padding in memory.
type bodyReader struct {
	answer *answer
	limit  int64
	pos    int64
	segs   [][]byte // set on first read
	fill   []byte
	pad    int64
	init   bool
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if !b.init {
		head, pad, fill, tail := b.answer.parts()
		b.segs, b.fill, b.pad, b.init = [][]byte{head, tail}, fill, int64(pad), true
	}
	if b.pos >= b.limit {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), b.limit-b.pos)]
	n := 0
	headLen := int64(len(b.segs[0]))
	for n < len(p) {
		at := b.pos + int64(n)
		var src []byte
		switch {
		case at < headLen:
			src = b.segs[0][at:]
		case at < headLen+b.pad:
			src = b.fill[:min(int64(len(b.fill)), headLen+b.pad-at)]
		default:
			src = b.segs[1][at-headLen-b.pad:]
		}
		if len(src) == 0 {
			break
		}
		n += copy(p[n:], src)
	}
	b.pos += int64(n)
	return n, nil
}
