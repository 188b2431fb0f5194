package taurusjob

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestEndpointRefusesImpossiblePortsHostsAndPaths: an endpoint whose port
// cannot exist, whose host is not plain ASCII (a Cyrillic "а" that looks
// like a Latin "a" would send the token to another domain), or whose path
// is absurdly long is refused before any request, with an error that names
// the endpoint and does not echo it.
func TestEndpointRefusesImpossiblePortsHostsAndPaths(t *testing.T) {
	for _, tt := range []struct{ name, endpoint string }{
		{"port 99999", "https://gaussdb.cn-north-4.myhuaweicloud.com:99999"},
		{"port 65536", "https://gaussdb.cn-north-4.myhuaweicloud.com:65536"},
		{"port 0", "https://gaussdb.cn-north-4.myhuaweicloud.com:0"},
		{"empty port", "https://gaussdb.cn-north-4.myhuaweicloud.com:"},
		{"loopback port 99999", "http://127.0.0.1:99999"},
		{"Cyrillic look-alike host", "https://gаussdb.cn-north-4.myhuaweicloud.com"}, // U+0430
		{"Cyrillic look-alike, escaped", "https://g%D0%B0ussdb.cn-north-4.myhuaweicloud.com"},
		{"full-width dot", "https://gaussdb．cn-north-4.myhuaweicloud.com"},
		{"underscore host", "https://gauss_db.example.com"},
		{"a label of 64 bytes", "https://" + strings.Repeat("a", 64) + ".example.com"},
		{"a host of 254 bytes", "https://" + strings.Repeat("abcdefghi.", 25) + "abcd"},
		{"100 KB path", "https://gaussdb.cn-north-4.myhuaweicloud.com/" + strings.Repeat("p", 100<<10)},
		{"a path of 257 bytes", "https://proxy.example.com/" + strings.Repeat("p", 256)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewClient(ClientConfig{Endpoint: tt.endpoint, ProjectID: testProjectID, Token: testToken})
			checkInvalid(t, err, "endpoint")
			if err != nil && strings.Contains(err.Error(), "myhuaweicloud") {
				t.Errorf("the error echoes the endpoint: %v", err)
			}
		})
	}
	for _, ok := range []string{"https://gaussdb.cn-north-4.myhuaweicloud.com:443", "https://xn--gussdb-3ve.example.com",
		"https://[2001:db8::1]:8443/gaussdb", "https://10.0.0.1", "https://proxy.example.com/" + strings.Repeat("p", 255)} {
		if _, err := NewClient(ClientConfig{Endpoint: ok, ProjectID: testProjectID, Token: testToken}); err != nil {
			t.Errorf("NewClient(%q): %v", ok, err)
		}
	}
}

// proxyTrap is a loopback listener standing for an HTTP proxy: it counts
// the connections it gets and what they carry, and answers 502.
type proxyTrap struct {
	url  string
	hits atomic.Int32
	saw  atomic.Value // the last request line and headers received
}

func newProxyTrap(t *testing.T) *proxyTrap {
	p := &proxyTrap{}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		p.hits.Add(1)
		p.saw.Store(fmt.Sprint(r.Method, " ", r.URL, ", with X-Auth-Token: ", r.Header.Get("X-Auth-Token") != ""))
		w.WriteHeader(http.StatusBadGateway)
	})
	p.url = srv.URL
	return p
}

// TestLoopbackEndpointNeverProxied: a loopback endpoint, however spelled
// ("LOCALHOST", "127.0.0.1"), never goes through a proxy, so a proxy never
// sees X-Auth-Token in clear over plain http: not with a transport whose
// Proxy sends everything to one, nor with HTTP_PROXY set (checked in a
// child process, since Go reads the variable once).
func TestLoopbackEndpointNeverProxied(t *testing.T) {
	if os.Getenv("TAURUSJOB_TEST_PROXY_CHILD") != "" {
		return // the child's work is in TestLoopbackEndpointNeverProxiedChild
	}
	api := okServer(t)
	port := strconv.Itoa(api.Listener.Addr().(*net.TCPAddr).Port)
	trap := newProxyTrap(t)
	proxyURL, _ := url.Parse(trap.url)
	endpoints := []string{"http://LOCALHOST:" + port, "http://LocalHost:" + port, "http://localhost:" + port, "http://127.0.0.1:" + port}

	t.Run("a transport that proxies everything", func(t *testing.T) {
		for _, ep := range endpoints {
			tr := &http.Transport{Proxy: http.ProxyURL(proxyURL)}
			defer tr.CloseIdleConnections()
			c := newTestClient(t, ep, func(cfg *ClientConfig) { cfg.HTTPClient = &http.Client{Transport: tr} })
			if _, err := c.GetJob(context.Background(), testJobID); err != nil {
				t.Errorf("%s: GetJob: %v", ep, err)
			}
		}
		if n := trap.hits.Load(); n != 0 {
			t.Errorf("the proxy got %d requests for a loopback endpoint; the last: %v", n, trap.saw.Load())
		}
	})

	t.Run("HTTP_PROXY in the environment", func(t *testing.T) {
		for _, ep := range endpoints {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestLoopbackEndpointNeverProxiedChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), "HTTP_PROXY="+trap.url, "http_proxy="+trap.url, "NO_PROXY=", "no_proxy=",
				"TAURUSJOB_TEST_PROXY_CHILD="+ep)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: child: %v\n%s", ep, err, out)
			}
		}
		if n := trap.hits.Load(); n != 0 {
			t.Errorf("the proxy got %d requests for a loopback endpoint; the last: %v", n, trap.saw.Load())
		}
	})
}

// TestLoopbackEndpointNeverProxiedChild runs in the child process of
// TestLoopbackEndpointNeverProxied, with HTTP_PROXY set: one GetJob on the
// default transport.
func TestLoopbackEndpointNeverProxiedChild(t *testing.T) {
	ep := os.Getenv("TAURUSJOB_TEST_PROXY_CHILD")
	if ep == "" {
		t.Skip("run by TestLoopbackEndpointNeverProxied")
	}
	t.Cleanup(sharedTransport.CloseIdleConnections) // the server lives on in the parent
	if _, err := newTestClient(t, ep, nil).GetJob(context.Background(), testJobID); err != nil {
		t.Fatalf("GetJob: %v", err)
	}
}
