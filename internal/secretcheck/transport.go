package secretcheck

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// CredentialHeaders are the request headers that carry a credential.
var CredentialHeaders = []string{"X-Auth-Token", "Authorization", "X-Security-Token",
	"Proxy-Authorization", "Cookie"}

// Guard is an [http.RoundTripper] that passes every request to Base and
// keeps a copy of each one sent to a host other than Home: what a client
// following a redirect, or a proxy misconfiguration, would send elsewhere.
// Put it in the HTTPClient of the client under test, then call
// [Guard.AssertNoCredentials].
type Guard struct {
	Base http.RoundTripper // nil is http.DefaultTransport
	Home string            // host[:port] that may get credentials, as in a URL

	mu      sync.Mutex
	home    int
	foreign []*http.Request
}

// NewGuard returns a Guard over base for requests to home (host[:port]).
func NewGuard(base http.RoundTripper, home string) *Guard {
	return &Guard{Base: base, Home: home}
}

// RoundTrip records req when it goes to another host, then sends it on.
func (g *Guard) RoundTrip(req *http.Request) (*http.Response, error) {
	g.mu.Lock()
	if strings.EqualFold(req.URL.Host, g.Home) {
		g.home++
	} else {
		g.foreign = append(g.foreign, req.Clone(req.Context()))
	}
	g.mu.Unlock()
	base := g.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(req)
}

// HomeRequests returns how many requests went to Home.
func (g *Guard) HomeRequests() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.home
}

// Foreign returns copies of the requests sent to other hosts.
func (g *Guard) Foreign() []*http.Request {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]*http.Request(nil), g.foreign...)
}

// AssertNoCredentials fails t when a request to another host carried a
// credential header ([CredentialHeaders]), or any secret in its URL or any
// header. A request to another host without credentials passes: following
// a redirect is allowed, carrying a credential along is not.
func (g *Guard) AssertNoCredentials(t testing.TB, secrets ...string) {
	t.Helper()
	for i, r := range g.Foreign() {
		for _, h := range CredentialHeaders {
			if r.Header.Get(h) != "" {
				t.Errorf("request %d to another host (%s) carries a %s header", i, r.URL.Host, h)
			}
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s\n", r.Method, r.URL)
		for k, vs := range r.Header {
			fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(vs, ", "))
		}
		Assert(t, fmt.Sprintf("request %d to another host (%s)", i, r.URL.Host), b.String(), secrets...)
	}
}
