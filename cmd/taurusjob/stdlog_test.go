package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
)

// unsolicitedServer answers each poll with a running job, then, once the
// connection is idle, sends bytes nobody asked for that echo the token
// (as a hostile or broken proxy may). net/http's transport logs those
// bytes on the standard log: "Unsolicited response received on idle HTTP
// channel starting with ...".
func unsolicitedServer(t *testing.T, echo string) string {
	return loopbackServer(t, func(c net.Conn) {
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		id := req.URL.Query().Get("id")
		body := fmt.Sprintf(`{"job":{"id":%q,"name":"CreateX","status":"Running","created":"2024-03-11T09:15:02+0800","process":"10%%","instance":{"id":"","name":""},"entities":{}}}`, id)
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		time.Sleep(50 * time.Millisecond)
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nX-Echo: %s\r\n\r\n", echo)
		time.Sleep(200 * time.Millisecond)
	})
}

// loopbackServer serves each connection on a loopback port with serve,
// which speaks raw bytes, as a broken or hostile server does; the
// connection is closed when serve returns. It returns the base URL.
func loopbackServer(t *testing.T, serve func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// TestStandardLogIsScrubbed: what net/http writes on the standard log
// (here, an unsolicited response that echoes the token) reaches stderr
// without the token, whole or in pieces, and without terminal controls.
// The library's own transport closes such a connection before net/http can
// log it; the run then shows no such line at all.
func TestStandardLogIsScrubbed(t *testing.T) {
	t.Parallel()
	token := "MIIstdLOGsentinelTOKEN0123456789abcdefXYZ"
	env := map[string]string{envEndpoint: unsolicitedServer(t, token+"\u202e\x1b[2J"), envProjectID: "054e292c9880d4992f02c0196d3ea468", envToken: token}
	r := runBin(t, env, "", args("wait", "job-1", "--timeout", "1500ms", "--min-interval", "400ms", "--max-interval", "400ms", "--no-history")...)
	if r.code != exitTimeout {
		t.Fatalf("exit %d, want 3\n%s", r.code, r)
	}
	secretcheck.Assert(t, "stderr", r.stderr, token)
	if strings.ContainsAny(r.stderr, "\u202e\x1b") {
		t.Errorf("stderr holds a terminal control from the server:\n%q", r.stderr)
	}
}

// The standard log's writer, whatever reaches it (a transport of the
// user's, a line net/http writes that the library's transport cannot
// prevent), shows no credential the run read, and no terminal control.
func TestStandardLogWriterScrubs(t *testing.T) {
	token := "MIIstdLOGwriterTOKEN0123456789abcdefXYZ"
	var b strings.Builder
	l := &scrubbedLog{w: &b}
	l.hide(token)
	fmt.Fprintf(l, "net/http: Unsolicited response received on idle HTTP channel starting with \"X-Echo: %s\u202e\x1b[2J\"\n", token)
	secretcheck.Assert(t, "the standard log", b.String(), token)
	if strings.ContainsAny(b.String(), "\u202e\x1b") || !strings.Contains(b.String(), "Unsolicited response") {
		t.Errorf("the standard log shows %q; want the line, scrubbed and escaped", b.String())
	}
}
