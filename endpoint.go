package taurusjob

import (
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Bounds of an endpoint. A real one is a host name of a few dozen bytes
// and no path; a path prefix is for a gateway in front of the API.
const (
	maxEndpointPathLen = 256
	maxHostLen         = 253 // DNS: 255 bytes on the wire
	maxLabelLen        = 63
)

// parseEndpoint checks an endpoint: an absolute https URL with a host and
// nothing that would confuse where requests go (user info, query,
// fragment, a port that cannot exist, a host that is not plain ASCII). The
// host is lowercased, so that Go's proxy rules, which compare names as
// written, see "localhost" as local. Plain http is accepted only for
// loopback hosts. No error quotes the endpoint.
func parseEndpoint(s string) (*url.URL, error) {
	if s == "" {
		return nil, invalid("endpoint", "is empty")
	}
	if hasControl(s) {
		return nil, invalid("endpoint", "contains control characters")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, invalid("endpoint", "is not a URL")
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, invalid("endpoint", "must be an https URL such as https://gaussdb.cn-north-4.myhuaweicloud.com")
	case u.Host == "" || u.Hostname() == "":
		return nil, invalid("endpoint", "has no host")
	case u.User != nil:
		return nil, invalid("endpoint", "must not contain user information")
	case u.RawQuery != "" || u.ForceQuery:
		return nil, invalid("endpoint", "must not contain a query")
	case u.Fragment != "" || strings.Contains(s, "#"):
		return nil, invalid("endpoint", "must not contain a fragment")
	}
	if err := checkHost(u); err != nil {
		return nil, err
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, invalid("endpoint", "plain http is allowed only to loopback hosts; use https")
	}
	if strings.Contains(u.Path, "..") || strings.Contains(u.EscapedPath(), "%") {
		return nil, invalid("endpoint", "path must not contain '..' or escapes")
	}
	if len(u.Path) > maxEndpointPathLen {
		return nil, invalid("endpoint", "path is %d bytes long, more than %d", len(u.Path), maxEndpointPathLen)
	}
	return &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host), Path: u.Path}, nil
}

// checkHost checks the port (1 to 65535 when given) and the host: an IP
// address, or a DNS name of ASCII letters, digits and hyphens. A name in
// another script must be given in its xn-- form: a Cyrillic "а" that looks
// like a Latin "a" names another domain, which would get the token.
func checkHost(u *url.URL) error {
	if strings.HasSuffix(u.Host, ":") {
		return invalid("endpoint", "has an empty port")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return invalid("endpoint", "port must be 1 to 65535")
		}
	}
	host := u.Hostname()
	if net.ParseIP(host) != nil {
		return nil
	}
	if strings.HasPrefix(u.Host, "[") {
		return invalid("endpoint", "has a bracketed host that is not an IPv6 address")
	}
	name := strings.TrimSuffix(host, ".")
	if len(name) > maxHostLen {
		return invalid("endpoint", "host is %d bytes long, more than %d", len(name), maxHostLen)
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > maxLabelLen || label[0] == '-' || label[len(label)-1] == '-' {
			return invalid("endpoint", "host must be a DNS name of labels of 1 to %d letters, digits and inner hyphens", maxLabelLen)
		}
		for i := 0; i < len(label); i++ {
			if b := label[i]; !isAlnum(b) && b != '-' {
				return invalid("endpoint", "host must be ASCII letters, digits, '-' and '.'; write an internationalised name in its xn-- form")
			}
		}
	}
	return nil
}

// isLoopback reports whether host is "localhost" (any case) or a loopback
// IP address: a host plain http may go to.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// noProxyForLoopback returns hc unchanged, or, when the endpoint is a
// loopback host and hc's transport is an *http.Transport with a Proxy, a
// copy whose transport is a clone without one: a loopback endpoint is
// plain http, and a proxy would see the token in clear. (The default
// transport, not an *http.Transport, proxies as HTTP_PROXY and NO_PROXY
// say, which already skip "localhost" and loopback addresses:
// parseEndpoint lowercases the host.)
func noProxyForLoopback(hc *http.Client, base *url.URL) *http.Client {
	t, ok := hc.Transport.(*http.Transport)
	if !ok || t.Proxy == nil || !isLoopback(base.Hostname()) {
		return hc
	}
	t = t.Clone()
	t.Proxy = nil
	c := *hc
	c.Transport = t
	return &c
}

// checkEndpoint refuses an unknown service, and, for a sibling service,
// a public Huawei Cloud endpoint that belongs to another service: asked
// for a job it does not know, a service answers 404 until the grace window
// ends, and the user would learn only "not visible". The zero value
// (TaurusDB) accepts every endpoint, as before services were chosen: code
// that pointed it at a sibling's endpoint keeps working, since every
// service's body decodes alike. Private endpoints, proxies and test
// servers are not judged.
func (s Service) checkEndpoint(u *url.URL) error {
	if s < 0 || int(s) >= len(services) {
		return invalid("service", "%d is not a known service", int(s))
	}
	i := services[s]
	if s == ServiceTaurusDB {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	if !strings.HasSuffix(host, ".myhuaweicloud.com") && !strings.HasSuffix(host, ".myhuaweicloud.eu") {
		return nil
	}
	first, _, _ := strings.Cut(host, ".")
	if slices.Contains(i.prefixes, first) {
		return nil
	}
	for _, other := range Services() {
		if other != s && slices.Contains(services[other].prefixes, first) {
			return invalid("endpoint", "%s is a %s endpoint, but the service is %s (set ClientConfig.Service)",
				host, services[other].title, i.title)
		}
	}
	return nil
}
