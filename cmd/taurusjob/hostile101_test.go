package main

import (
	"bufio"
	"net"
	"testing"
	"time"
)

// switchingServer answers every request "101 Switching Protocols" and then
// stays silent, as a hostile or broken gateway may: the body of a 101 is
// the raw connection, which no request timeout covers.
func switchingServer(t *testing.T) string {
	return loopbackServer(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if line == "\r\n" {
				c.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"))
			}
		}
	})
}

// A script's `taurusjob wait --timeout 3s` against a server that answers
// 101 and then stays silent ends at its timeout (it ran 90 s before the
// client refused 1xx answers), and an interrupt ends it at once.
func TestWaitAgainstA101Server(t *testing.T) {
	t.Parallel()
	env := map[string]string{envEndpoint: switchingServer(t), envProjectID: "054e292c9880d4992f02c0196d3ea468",
		envToken: "MIIfakeTOKENforTHEtest"}
	r := runBin(t, env, "", args("wait", "job-1", "--timeout", "2s", "--visibility-grace", "0s", fast)...)
	if r.code != exitTimeout || r.took > 6*time.Second {
		t.Errorf("exit %d after %s; want 3 (timeout) at about 2 s\n%s", r.code, r.took, r)
	}
	p := startBin(t, env, args("wait", "job-1", "--timeout", "1h", fast)...)
	p.waitFor(t, "poll 2 failed, retrying") // the 101s are being retried
	if r := p.interrupt(t); r.code != exitInterrupted || r.took > 5*time.Second {
		t.Errorf("after SIGINT: exit %d after %s; want 130 at once\n%s", r.code, r.took, r)
	}
}
