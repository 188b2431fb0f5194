package taurusjob

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The default transport's connections hand net/http the answers it asked
// for and nothing else. net/http logs, with the standard log package,
// whatever it finds buffered on a kept-alive connection while it is idle:
// "Unsolicited response received on idle HTTP channel starting with …".
// Bytes a server sends after its answer, in the same packet or later, are
// printed that way on the process's stderr; if they echo the request's
// X-Auth-Token, or its Authorization, the secret is printed whole. A
// library must not take the global logger over, so these connections do
// not let such bytes through: each answer is framed with net/http's own
// parser (http.ReadResponse, so exactly as the transport will frame it),
// its bytes are handed on, and a connection is closed, its extra bytes
// unread by net/http, when an answer came with bytes after it or when
// bytes come that no request asked for. Answers that end where they say,
// the normal case, keep their connection for the next poll.
//
// This relies on the requests having no body (a get-job is a GET): a
// request's head ends at its first blank line.

// answerConn is one connection of the default transport (above TLS).
// Read is called by the transport's one reading goroutine; Write by its
// writing one, concurrently.
type answerConn struct {
	net.Conn

	// Read side: the parser's reader over the connection, the bytes it has
	// read from the connection that were not handed on yet, and where the
	// current answer is.
	br       *bufio.Reader
	buf      []byte // the array read and ready are kept in
	read     []byte // bytes read from Conn and not handed on; the first ones are the parser's
	ready    []byte // bytes of an answer, parsed, to hand on
	err      error  // returned once ready is empty
	body     io.ReadCloser
	status   int
	inAnswer bool // between an answer's first byte and its end
	headLeft int  // header bytes the current answer may still have
	scratch  []byte

	mu      sync.Mutex
	asked   int  // request heads written and not answered yet
	partial bool // part of a request head is written
	matched int  // bytes of "\r\n\r\n" matched at the end of what was written
}

// errUnsolicited closes a connection on which bytes came that no request
// asked for; net/http reads it as the server closing an idle connection.
var errUnsolicited = io.EOF

func newAnswerConn(c net.Conn) *answerConn {
	a := &answerConn{Conn: c, scratch: make([]byte, 4<<10)}
	a.br = bufio.NewReader(rawReader{a})
	return a
}

// rawReader reads from the connection for the parser, keeping every byte
// so that the parsed ones can be handed on as they came.
type rawReader struct{ a *answerConn }

func (r rawReader) Read(p []byte) (int, error) {
	a := r.a
	if a.body == nil && a.inAnswer {
		if a.headLeft <= 0 {
			return 0, fmt.Errorf("net/http: server response headers exceeded %d bytes; aborted", maxResponseHeaderBytes)
		}
		p = p[:min(len(p), a.headLeft)]
	}
	n, err := a.Conn.Read(p)
	if a.body == nil && a.inAnswer {
		a.headLeft -= n
	}
	a.read = append(a.read, p[:n]...)
	return n, err
}

func (a *answerConn) Read(p []byte) (int, error) {
	for len(a.ready) == 0 && a.err == nil {
		// What was handed on is spent: the buffer is used again from its start.
		a.read = append(a.buf[:0], a.read...)
		a.err = a.advance()
		a.buf = a.read[:0]
		// The parser has used all it read but what it still buffers.
		used := len(a.read) - a.br.Buffered()
		a.ready, a.read = a.read[:used:used], a.read[used:]
	}
	n := copy(p, a.ready)
	a.ready = a.ready[n:]
	if len(a.ready) == 0 && a.err != nil {
		return n, a.err
	}
	return n, nil
}

// advance parses the next piece of an answer: waits for an answer's first
// byte, reads a head, or reads some of a body. It returns an error to hand
// to the transport once what was parsed is handed on.
func (a *answerConn) advance() error {
	if a.body != nil {
		_, err := a.body.Read(a.scratch)
		if err == nil {
			return nil
		}
		a.body = nil
		if err != io.EOF {
			return err
		}
		if a.status >= 100 && a.status <= 199 && a.status != http.StatusSwitchingProtocols {
			return nil // a 100 or 103: the final answer follows
		}
		a.inAnswer = false
		return a.answered()
	}
	if !a.inAnswer {
		// Between answers: an answer starts only after a request.
		if _, err := a.br.Peek(1); err != nil {
			return err
		}
		if !a.solicited() {
			_ = a.Conn.Close()
			return errUnsolicited
		}
		a.inAnswer, a.headLeft = true, maxResponseHeaderBytes
	}
	resp, err := http.ReadResponse(a.br, nil)
	if err != nil {
		return err
	}
	a.body, a.status = resp.Body, resp.StatusCode
	return nil
}

// solicited reports whether a request was written that an answer starting
// now can be for.
func (a *answerConn) solicited() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.asked > 0 || a.partial
}

// answered ends an answer. The connection is closed after it (the
// transport sees its end with the answer's last bytes, and so never keeps
// it) when bytes follow the answer, when it came before its request was
// written whole, or when it switched protocols.
func (a *answerConn) answered() error {
	a.mu.Lock()
	early := a.asked == 0
	if !early {
		a.asked--
	}
	a.mu.Unlock()
	if early || a.br.Buffered() > 0 || a.status == http.StatusSwitchingProtocols {
		_ = a.Conn.Close()
		return errUnsolicited
	}
	return nil
}

// Write counts the request heads it writes, before they go out, so that an
// answer is known to be asked for when it comes.
func (a *answerConn) Write(p []byte) (int, error) {
	a.mu.Lock()
	for _, b := range p {
		switch {
		case b == "\r\n\r\n"[a.matched]:
			a.matched++
		case b == '\r':
			a.matched = 1
		default:
			a.matched = 0
		}
		a.partial = true
		if a.matched == 4 {
			a.asked, a.partial, a.matched = a.asked+1, false, 0
		}
	}
	a.mu.Unlock()
	return a.Conn.Write(p)
}

// dialAnswers returns the default transport's dial functions: plain TCP
// (for loopback http endpoints) and TLS, each connection an answerConn.
// TLS is done here, not by the transport, so that the answerConn sits
// above it and sees the answers in clear; the connection speaks
// HTTP/1.1 only (the transport uses HTTP/2 only on its own TLS
// connections). cfg gives the transport's TLS settings at dial time.
func dialAnswers(cfg func() (*tls.Config, time.Duration)) (plain, secure func(ctx context.Context, network, addr string) (net.Conn, error)) {
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	plain = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return newAnswerConn(c), nil
	}
	secure = func(ctx context.Context, network, addr string) (net.Conn, error) {
		raw, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		base, timeout := cfg()
		tc := base.Clone()
		if tc == nil {
			tc = &tls.Config{}
		}
		if tc.ServerName == "" {
			tc.ServerName, _, _ = net.SplitHostPort(addr)
		}
		tc.NextProtos = []string{"http/1.1"}
		conn := tls.Client(raw, tc)
		hctx, cancel := ctx, context.CancelFunc(func() {})
		if timeout > 0 {
			hctx, cancel = context.WithTimeout(ctx, timeout)
		}
		defer cancel()
		if err := conn.HandshakeContext(hctx); err != nil {
			_ = raw.Close()
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				return nil, errors.New("net/http: TLS handshake timeout")
			}
			return nil, err
		}
		return newAnswerConn(conn), nil
	}
	return plain, secure
}

// safeHTTPClient copies hc (or makes a client) with a redirect policy that
// never carries credentials to another host: a redirect to another scheme
// or host is not followed, and its 3xx answer becomes an [*APIError].
func safeHTTPClient(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	} else {
		c.Transport = sharedTransport
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		first := via[0].URL
		if req.URL.Scheme != first.Scheme || !strings.EqualFold(req.URL.Host, first.Host) {
			return http.ErrUseLastResponse
		}
		if len(via) >= 5 {
			return errors.New("stopped after 5 redirects")
		}
		return nil
	}
	return &c
}

// maxResponseHeaderBytes bounds the headers of an answer read by the
// default transport: the API's are well under 4 KiB.
const maxResponseHeaderBytes = 64 << 10

// sharedTransport serves every Client made without an HTTPClient, so that
// many clients share one pool of connections instead of each leaving its
// own idle connections behind.
var sharedTransport = &routedTransport{direct: defaultTransport(), proxied: proxiedTransport()}

// routedTransport sends a request through a proxy, when the environment
// names one for its URL, without keeping the connection: a proxied
// connection's TLS is the transport's own, below which no answerConn can
// frame the answers (above), so no proxied connection is left
// idle for net/http to log what comes on it. Every other request goes
// direct, over answerConns that are kept.
type routedTransport struct{ direct, proxied *http.Transport }

func (t *routedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if p, err := http.ProxyFromEnvironment(req); p != nil || err != nil {
		return t.proxied.RoundTrip(req)
	}
	return t.direct.RoundTrip(req)
}

// CloseIdleConnections closes both transports' idle connections.
func (t *routedTransport) CloseIdleConnections() {
	t.direct.CloseIdleConnections()
	t.proxied.CloseIdleConnections()
}

// defaultTransport is the transport of direct requests: connections are
// answerConns (above), HTTP/1.1, tuned for many concurrent
// waits.
func defaultTransport() *http.Transport {
	t := tunedTransport()
	t.Proxy = nil // routedTransport sends proxied requests elsewhere
	t.ForceAttemptHTTP2 = false
	t.DialContext, t.DialTLSContext = dialAnswers(func() (*tls.Config, time.Duration) {
		return t.TLSClientConfig, t.TLSHandshakeTimeout
	})
	return t
}

// proxiedTransport is the transport of requests through a proxy: one
// connection a request, closed after its answer.
func proxiedTransport() *http.Transport {
	t := tunedTransport()
	t.DisableKeepAlives = true
	return t
}

func tunedTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	// Many concurrent waits talk to one host. With too few idle
	// connections kept, a burst of polls opens and drops connections by the
	// thousand (and runs out of file descriptors); with no cap, the first
	// burst of 10,000 waits opens 10,000. 256 open and kept idle serve a
	// burst in turn and reuse them: a poll pays no handshake.
	t.MaxIdleConnsPerHost = maxConnsPerHost
	t.MaxConnsPerHost = maxConnsPerHost
	// http.DefaultTransport keeps 100 idle connections in all, which would
	// undo the line above: every burst would dial 156 of the 256 again.
	// Idle connections are bounded per host, and close after IdleConnTimeout.
	t.MaxIdleConns = 0
	// A hostile endpoint streaming headers would otherwise be read up
	// to Go's default of 10 MiB per connection.
	t.MaxResponseHeaderBytes = maxResponseHeaderBytes
	// No ResponseHeaderTimeout: each request's context carries the
	// configured RequestTimeout, which may be longer than any default here.
	return t
}

// maxConnsPerHost bounds the default transport's connections to one host.
const maxConnsPerHost = 256
