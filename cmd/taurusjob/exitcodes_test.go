package main

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// TestExitCodeNetworkErrors holds the exit code table to what the waiter
// does with network errors: a refused connection is retried until
// --timeout (exit 3), an unknown host ends the wait at once (exit 4).
func TestExitCodeNetworkErrors(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now: connections are refused

	env := map[string]string{envProjectID: "taurusjobtestproject000000000000", envToken: "t", envEndpoint: closed}
	r := runBin(t, env, "", args("wait", "j1", "--timeout", "1s", fast)...)
	if r.code != exitTimeout || !strings.Contains(r.stderr, "refused") {
		t.Errorf("refused connections: want exit 3 after retrying until --timeout\n%s", r)
	}

	const host = "no-such-host.taurusjob.invalid"
	var dnsErr *net.DNSError
	if _, err := net.LookupHost(host); !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Skipf("this machine's resolver does not say %s is not found (%v): the exit 4 case is not checked", host, err)
	}
	env[envEndpoint] = "https://" + host
	r = runBin(t, env, "", args("wait", "j1", "--timeout", "30s", fast)...)
	if r.code != exitAPIError || r.took > 10*time.Second {
		t.Errorf("an unknown host: want exit 4 at once, not retried\n%s", r)
	}
}
