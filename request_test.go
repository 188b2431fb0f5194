package taurusjob

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/taurusdb-tools/taurusjob/internal/jobid"
	"github.com/taurusdb-tools/taurusjob/internal/version"
)

func TestRequestShape(t *testing.T) {
	tests := []struct {
		name          string
		pathPrefix    string
		jobID         string
		edit          func(*ClientConfig)
		wantLanguage  string
		wantUserAgent string
	}{
		{name: "defaults", jobID: testJobID, wantUserAgent: "taurusjob/" + version.Version},
		{name: "language", jobID: testJobID, edit: func(c *ClientConfig) { c.Language = "zh-cn" }, wantLanguage: "zh-cn", wantUserAgent: "taurusjob/" + version.Version},
		{name: "user agent prefix", jobID: testJobID, edit: func(c *ClientConfig) { c.UserAgent = "provisioner/2.1" }, wantUserAgent: "provisioner/2.1 taurusjob/" + version.Version},
		{name: "endpoint with a path", pathPrefix: "/gateway", jobID: testJobID, wantUserAgent: "taurusjob/" + version.Version},
		{name: "endpoint with a trailing slash", pathPrefix: "/", jobID: testJobID, wantUserAgent: "taurusjob/" + version.Version},
		{name: "endpoint with several trailing slashes", pathPrefix: "/gateway//", jobID: testJobID, wantUserAgent: "taurusjob/" + version.Version},
		{name: "longest id", jobID: strings.Repeat("a", jobid.MaxLen), wantUserAgent: "taurusjob/" + version.Version},
		{name: "unreserved punctuation", jobID: "a.b_c~d-e", wantUserAgent: "taurusjob/" + version.Version},
		{name: "leading dots", jobID: "..a", wantUserAgent: "taurusjob/" + version.Version},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, echoJob)
			c := newTestClient(t, srv.URL+tt.pathPrefix, tt.edit)

			job, err := c.GetJob(context.Background(), tt.jobID)
			if err != nil {
				t.Fatal(err)
			}
			if job.ID != tt.jobID {
				t.Errorf("job.ID = %q, want %q", job.ID, tt.jobID)
			}
			r := srv.request(t, 0)
			if r.Method != http.MethodGet {
				t.Errorf("method = %s, want GET", r.Method)
			}
			wantPath := strings.TrimRight(tt.pathPrefix, "/") + "/v3/" + testProjectID + "/jobs"
			if r.URL.Path != wantPath {
				t.Errorf("path = %q, want %q", r.URL.Path, wantPath)
			}
			if r.URL.RawQuery != "id="+url.QueryEscape(tt.jobID) {
				t.Errorf("query = %q, want id=%s", r.URL.RawQuery, tt.jobID)
			}
			for name, want := range map[string]string{
				"X-Auth-Token": testToken,
				"Accept":       "application/json",
				"User-Agent":   tt.wantUserAgent,
				"X-Language":   tt.wantLanguage,
			} {
				if got := r.Header.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if _, ok := r.Header["X-Language"]; ok && tt.wantLanguage == "" {
				t.Errorf("X-Language sent though none was set")
			}
			if r.Header.Get("Authorization") != "" || r.ContentLength > 0 {
				t.Errorf("unexpected Authorization header or body")
			}
		})
	}
}

// TestRedirectToAnotherHostIsNotFollowed: the token must never reach
// another host, whatever the redirect status.
func TestRedirectToAnotherHostIsNotFollowed(t *testing.T) {
	for _, code := range []int{301, 302, 303, 307, 308} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			other := newServer(t, echoJob)
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Request-Id", testRequestID)
				http.Redirect(w, r, other.URL+r.URL.RequestURI(), code)
			})
			job, err := newTestClient(t, srv.URL, nil).GetJob(context.Background(), testJobID)

			checkRedirectRefused(t, job, err, code)
			if n := other.requests(); n != 0 {
				t.Errorf("the other host got %d requests (X-Auth-Token %q)", n, other.request(t, 0).Header.Get("X-Auth-Token"))
			}
			if srv.requests() != 1 {
				t.Errorf("endpoint got %d requests, want 1", srv.requests())
			}
		})
	}
}

func checkRedirectRefused(t *testing.T, job *Job, err error, code int) {
	t.Helper()
	if job != nil {
		t.Errorf("GetJob returned a job: %+v", job)
	}
	ae := asAPIError(t, err)
	if ae.StatusCode != code || !strings.Contains(ae.Message, "redirect not followed") || ae.RequestID != testRequestID {
		t.Errorf("APIError = %+v; want status %d, a message saying the redirect was not followed, the request id", ae, code)
	}
}

// TestRedirectToOtherNamesOfTheSameServerIsNotFollowed: another name or
// scheme for the same address is another origin; the client does not
// guess they are the same.
func TestRedirectToOtherNamesOfTheSameServerIsNotFollowed(t *testing.T) {
	tests := []struct {
		name   string
		target func(srvURL *url.URL) string
	}{
		{"localhost for 127.0.0.1", func(u *url.URL) string { return "http://localhost:" + u.Port() }},
		{"https for http", func(u *url.URL) string { return "https://" + u.Host }},
		{"another port", func(u *url.URL) string {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			return "http://" + ln.Addr().String()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var target string
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Request-Id", testRequestID)
				http.Redirect(w, r, target+r.URL.RequestURI(), http.StatusFound)
			})
			u, _ := url.Parse(srv.URL)
			target = tt.target(u)
			job, err := newTestClient(t, srv.URL, nil).GetJob(context.Background(), testJobID)
			checkRedirectRefused(t, job, err, http.StatusFound)
			if srv.requests() != 1 {
				t.Errorf("server got %d requests, want 1", srv.requests())
			}
		})
	}
}

// TestRedirectPolicyHoldsWithTheCallersHTTPClient: a caller's client that
// follows every redirect does not weaken the policy, and is not modified.
func TestRedirectPolicyHoldsWithTheCallersHTTPClient(t *testing.T) {
	other := newServer(t, echoJob)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", testRequestID)
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	})
	callersPolicyCalls := 0
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { callersPolicyCalls++; return nil }}
	c := newTestClient(t, srv.URL, func(c *ClientConfig) { c.HTTPClient = hc })

	job, err := c.GetJob(context.Background(), testJobID)

	checkRedirectRefused(t, job, err, http.StatusTemporaryRedirect)
	if other.requests() != 0 {
		t.Errorf("the other host got %d requests", other.requests())
	}
	if callersPolicyCalls != 0 {
		t.Errorf("the caller's follow-everything policy was consulted %d times", callersPolicyCalls)
	}
	if hc.CheckRedirect == nil || hc.CheckRedirect(nil, nil) != nil || callersPolicyCalls != 1 {
		t.Errorf("the caller's http.Client was modified")
	}
}

func TestRedirectOnTheSameHostIsFollowed(t *testing.T) {
	for _, code := range []int{302, 307, 308} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasPrefix(r.URL.Path, "/moved/") {
					http.Redirect(w, r, "/moved"+r.URL.RequestURI(), code)
					return
				}
				echoJob(w, r)
			})
			job, err := newTestClient(t, srv.URL, nil).GetJob(context.Background(), testJobID)
			if err != nil {
				t.Fatalf("GetJob: %v", err)
			}
			if job.ID != testJobID || job.Status != StatusRunning {
				t.Errorf("job = %+v", job)
			}
			if srv.requests() != 2 {
				t.Fatalf("server got %d requests, want 2", srv.requests())
			}
			if got := srv.request(t, 1).Header.Get("X-Auth-Token"); got != testToken {
				t.Errorf("the redirected request on the same host carried token %q", got)
			}
		})
	}
}

func TestRedirectLoopStops(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.RequestURI(), http.StatusFound)
	})
	job, err := newTestClient(t, srv.URL, nil).GetJob(context.Background(), testJobID)
	if job != nil || err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Errorf("GetJob = %v, %v; want an error about redirects", job, err)
	}
	if srv.requests() != 5 {
		t.Errorf("server got %d requests, want 5", srv.requests())
	}
}
