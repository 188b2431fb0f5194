package taurusjob

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/taurusdb-tools/taurusjob/internal/jobid"
)

func TestEndpointValidation(t *testing.T) {
	srv := okServer(t)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	tests := []struct {
		name, endpoint string
	}{
		{"empty", ""},
		{"not a URL", "https://[::1"},
		{"no scheme", "gaussdb.cn-north-4.myhuaweicloud.com"},
		{"ftp scheme", "ftp://gaussdb.cn-north-4.myhuaweicloud.com"},
		{"file scheme", "file:///etc/passwd"},
		{"no host", "https://"},
		{"opaque", "https:gaussdb.cn-north-4.myhuaweicloud.com"},
		{"http to a public host", "http://gaussdb.cn-north-4.myhuaweicloud.com"},
		{"http to a name that starts like localhost", "http://localhost.example.com"},
		{"http to a private address", "http://192.168.1.203"},
		{"user info", "https://user:pass@gaussdb.cn-north-4.myhuaweicloud.com"},
		{"user info on loopback", srv.URL[:len("http://")] + "u:p@" + srv.URL[len("http://"):]},
		{"query", "https://gaussdb.cn-north-4.myhuaweicloud.com?x=1"},
		{"empty query", "https://gaussdb.cn-north-4.myhuaweicloud.com/?"},
		{"fragment", "https://gaussdb.cn-north-4.myhuaweicloud.com/#top"},
		{"empty fragment", "https://gaussdb.cn-north-4.myhuaweicloud.com/#"},
		{"dot-dot in path", "https://gaussdb.cn-north-4.myhuaweicloud.com/a/../b"},
		{"dot-dot on loopback", srv.URL + "/../x"},
		{"escaped dot-dot", "https://gaussdb.cn-north-4.myhuaweicloud.com/%2e%2e/x"},
		{"escaped slash", "https://gaussdb.cn-north-4.myhuaweicloud.com/a%2Fb"},
		{"newline", "https://gaussdb.cn-north-4.myhuaweicloud.com\n"},
		{"space in host", "https://gauss db.myhuaweicloud.com"},
		{"NUL", "https://gaussdb.cn-north-4.myhuaweicloud.com\x00.evil.example"},
		{"CRLF", "https://gaussdb.cn-north-4.myhuaweicloud.com\r\nX-Evil: 1"},
		{"user info that looks like the host", "https://gaussdb.cn-north-4.myhuaweicloud.com@evil.example"},
		{"user name only", "https://token@gaussdb.cn-north-4.myhuaweicloud.com"},
		{"fragment after a path", "https://gaussdb.cn-north-4.myhuaweicloud.com/v3#x"},
		{"javascript scheme", "javascript:alert(1)"},
		{"ws scheme", "ws://127.0.0.1:8080"},
		{"http to a name under localhost", "http://evil.localhost"},
		{"http to 127.0.0.1 spelled as a name", "http://127.0.0.1.nip.io"},
		{"http to a short loopback form", "http://127.1"},
		{"http to a decimal address", "http://2130706433"},
		{"http to 0.0.0.0", "http://0.0.0.0:8080"},
		{"10 KB", "https://" + strings.Repeat("a", 10_000) + ".example\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(ClientConfig{Endpoint: tt.endpoint, ProjectID: testProjectID, Token: testToken})
			if c != nil {
				t.Errorf("NewClient returned a client for %q", tt.endpoint)
			}
			checkInvalid(t, err, "endpoint")
		})
	}
	if srv.requests() != 0 {
		t.Errorf("server got %d requests from invalid endpoints", srv.requests())
	}

	t.Run("http to loopback is accepted", func(t *testing.T) {
		for _, ep := range []string{
			srv.URL, // http://127.0.0.1:port
			"http://localhost:" + strconv.Itoa(port),
			"http://LOCALHOST:" + strconv.Itoa(port),
			srv.URL + "/",
		} {
			before := srv.requests()
			job, err := newTestClient(t, ep, nil).GetJob(context.Background(), testJobID)
			if err != nil || job.Status != StatusCompleted {
				t.Errorf("%s: GetJob = %v, %v", ep, job, err)
			}
			if srv.requests() != before+1 {
				t.Errorf("%s: the request did not reach the server", ep)
			}
		}
	})
	t.Run("http to ::1 is accepted", func(t *testing.T) {
		ln, err := net.Listen("tcp", "[::1]:0")
		if err != nil {
			t.Skipf("no IPv6 loopback here: %v", err)
		}
		srv6 := newUnstartedServer(t, serveBody(http.StatusOK, readFixture(t, "jobs/completed.json"), nil))
		srv6.Listener.Close()
		srv6.Listener = ln
		srv6.Start()
		job, err := newTestClient(t, "http://"+ln.Addr().String(), nil).GetJob(context.Background(), testJobID)
		if err != nil || job.Status != StatusCompleted || srv6.requests() != 1 {
			t.Errorf("GetJob over [::1] = %v, %v after %d requests", job, err, srv6.requests())
		}
	})
	t.Run("https to any host and a path prefix are accepted", func(t *testing.T) {
		for _, ep := range []string{"https://gaussdb.cn-north-4.myhuaweicloud.com", "https://gaussdb.cn-north-4.myhuaweicloud.com:443/", "https://proxy.example.com/gaussdb"} {
			if _, err := NewClient(ClientConfig{Endpoint: ep, ProjectID: testProjectID, Token: testToken}); err != nil {
				t.Errorf("NewClient(%q): %v", ep, err)
			}
		}
	})
}

func TestProjectIDValidation(t *testing.T) {
	srv := okServer(t)
	tests := []struct{ name, id string }{
		{"empty", ""},
		{"31 characters", testProjectID[:31]},
		{"33 characters", testProjectID + "a"},
		{"dash", "054e292c-880d4992f02c0196d3ea468"},
		{"underscore", "054e292c_880d4992f02c0196d3ea468"},
		{"dot-dot slash", "../" + testProjectID[:29]},
		{"escaped slash", "%2F" + testProjectID[:29]},
		{"slash", "054e292c9880d4992f02c0196d3ea46/"},
		{"space", "054e292c9880d4992f02c0196d3ea46 "},
		{"non-ASCII letter", "054e292c9880d4992f02c0196d3ea4é"}, // 32 bytes, 31 runes
		{"NUL", "054e292c9880d4992f02c0196d3ea46\x00"},
		{"newline", "054e292c9880d4992f02c0196d3ea46\n"},
		{"question mark", "054e292c9880d4992f02c0196d3ea46?"},
		{"hash", "054e292c9880d4992f02c0196d3ea46#"},
		{"escaped NUL", "%00" + testProjectID[:29]},
		{"10 KB", strings.Repeat("a", 10_000)},
		{"10 KB with a slash", strings.Repeat("a", 5_000) + "/../" + strings.Repeat("a", 5_000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(ClientConfig{Endpoint: srv.URL, ProjectID: tt.id, Token: testToken})
			if c != nil {
				t.Errorf("NewClient returned a client for project id %q", tt.id)
			}
			checkInvalid(t, err, "project id")
			checkInvalid(t, validateProjectID(tt.id), "project id")
		})
	}
	if srv.requests() != 0 {
		t.Errorf("server got %d requests from invalid project ids", srv.requests())
	}
	for _, ok := range []string{testProjectID, strings.ToUpper(testProjectID)} {
		if err := validateProjectID(ok); err != nil {
			t.Errorf("validateProjectID(%q): %v", ok, err)
		}
	}
}

func TestJobIDValidation(t *testing.T) {
	srv := okServer(t)
	c := newTestClient(t, srv.URL, nil)
	tests := []struct{ name, id string }{
		{"empty", ""},
		{"129 characters", strings.Repeat("a", jobid.MaxLen+1)},
		{"slash", "f9959f52/aa4d"},
		{"question mark", "f9959f52?x=1"},
		{"hash", "f9959f52#x"},
		{"ampersand", "f9959f52&id=other"},
		{"escaped slash", "f9959f52%2Faa4d"},
		{"newline", testJobID + "\n"},
		{"CRLF header injection", testJobID + "\r\nX-Evil: 1"},
		{"NUL", "f9959f52\x00aa4d"},
		{"space", "f9959f52 aa4d"},
		{"tab", "f9959f52\taa4d"},
		{"dot-dot", ".."},
		{"dot", "."},
		{"dot-dot slash", "../jobs"},
		{"comma-joined list", testJobID + ",0c1e8e0a-5f43-4b0e-9d61-2f5a8b7c3d19"},
		{"non-ASCII", "f9959f52-é"},
		{"dot-dot slash in the middle", "f9959f52/../../admin"},
		{"escaped dot-dot slash", "..%2F..%2Fadmin"},
		{"escaped NUL", "f9959f52%00"},
		{"carriage return", "f9959f52\raa4d"},
		{"DEL", "f9959f52\x7faa4d"},
		{"plus", "f9959f52+aa4d"},
		{"semicolon", "f9959f52;aa4d"},
		{"percent", "100%"},
		{"fullwidth solidus", "f9959f52\uff0faa4d"},
		{"invalid UTF-8", "f9959f52\xff"},
		{"10 KB", strings.Repeat("a", 10_000)},
		{"10 KB of NUL", strings.Repeat("\x00", 10_000)},
		{"10 KB with a slash at the end", strings.Repeat("a", 10_000) + "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job, err := c.GetJob(context.Background(), tt.id)
			if job != nil {
				t.Errorf("GetJob returned a job for %q", tt.id)
			}
			checkInvalid(t, err, "job id")
			checkInvalid(t, ValidateJobID(tt.id), "job id")
		})
	}
	if srv.requests() != 0 {
		t.Errorf("server got %d requests from invalid job ids", srv.requests())
	}

	// The edges of what is valid pass (TestRequestShape sends them).
	for _, ok := range []string{"a", strings.Repeat("a", jobid.MaxLen), "a.b_c~d-e", "..a", "A9"} {
		if err := ValidateJobID(ok); err != nil {
			t.Errorf("ValidateJobID(%q): %v", ok, err)
		}
	}
}

func TestCredentialValidation(t *testing.T) {
	srv := okServer(t)
	source := func(context.Context) (string, error) { return testToken, nil }
	const ak, sk = "HPUAL4ZQ5GEXAMPLE7KQ", "sKExampleSecretKeyForTestsOnly0123456789"
	tests := []struct {
		name  string
		edit  func(*ClientConfig)
		field string
	}{
		{"none", func(c *ClientConfig) { c.Token = "" }, "credentials"},
		{"token and token source", func(c *ClientConfig) { c.TokenSource = source }, "credentials"},
		{"token and AK/SK", func(c *ClientConfig) { c.AccessKey, c.SecretKey = ak, sk }, "credentials"},
		{"token source and AK/SK", func(c *ClientConfig) { c.Token, c.TokenSource, c.AccessKey, c.SecretKey = "", source, ak, sk }, "credentials"},
		{"token with a newline", func(c *ClientConfig) { c.Token = testToken + "\n" }, "token"},
		{"token with CRLF injection", func(c *ClientConfig) { c.Token = testToken + "\r\nX-Evil: 1" }, "token"},
		{"token with NUL", func(c *ClientConfig) { c.Token = "abc\x00def" }, "token"},
		{"token with a C1 control (NEL)", func(c *ClientConfig) { c.Token = testToken + "\u0085X-Evil: 1" }, "token"},
		{"token with a line separator", func(c *ClientConfig) { c.Token = testToken + "\u2028" }, "token"},
		{"user agent with a C1 control", func(c *ClientConfig) { c.UserAgent = "tool/1\u009b2J" }, "user agent"},
		{"security token without AK/SK", func(c *ClientConfig) { c.Token, c.SecurityToken = "", "sts-token" }, "security token"},
		{"security token beside a token", func(c *ClientConfig) { c.SecurityToken = "sts-token" }, "security token"},
		{"negative request timeout", func(c *ClientConfig) { c.RequestTimeout = -1 }, "client config"},
		{"negative body limit", func(c *ClientConfig) { c.MaxBodyBytes = -1 }, "client config"},
		{"language with a space", func(c *ClientConfig) { c.Language = "en us" }, "language"},
		{"language with a newline", func(c *ClientConfig) { c.Language = "en-us\nX-Evil: 1" }, "language"},
		{"user agent with a newline", func(c *ClientConfig) { c.UserAgent = "tool/1\r\nX-Evil: 1" }, "user agent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ClientConfig{Endpoint: srv.URL, ProjectID: testProjectID, Token: testToken}
			tt.edit(&cfg)
			c, err := NewClient(cfg)
			if c != nil {
				t.Errorf("NewClient returned a client")
			}
			checkInvalid(t, err, tt.field)
		})
	}
	if srv.requests() != 0 {
		t.Errorf("server got %d requests from invalid configs", srv.requests())
	}
}

// TestTokenSourceAnswerValidation: a token source's bad answer is caught
// before any request, like a bad static token.
func TestTokenSourceAnswerValidation(t *testing.T) {
	boom := errors.New("iam unreachable")
	tests := []struct {
		name   string
		source func(context.Context) (string, error)
		check  func(t *testing.T, err error)
	}{
		{"empty token", func(context.Context) (string, error) { return "", nil },
			func(t *testing.T, err error) { checkInvalid(t, err, "token") }},
		{"token with a newline", func(context.Context) (string, error) { return testToken + "\n", nil },
			func(t *testing.T, err error) { checkInvalid(t, err, "token") }},
		{"source error", func(context.Context) (string, error) { return "", boom },
			func(t *testing.T, err error) {
				if !errors.Is(err, boom) || !strings.Contains(err.Error(), "token source") {
					t.Errorf("error %q does not wrap the source's error and say where it came from", err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := okServer(t)
			c := newTestClient(t, srv.URL, func(c *ClientConfig) { c.Token, c.TokenSource = "", tt.source })
			job, err := c.GetJob(context.Background(), testJobID)
			if job != nil {
				t.Errorf("GetJob returned a job")
			}
			tt.check(t, err)
			if srv.requests() != 0 {
				t.Errorf("server got %d requests", srv.requests())
			}
		})
	}
}

// TestWaitAllRefusesHostileIDs: in a WaitAll, each hostile id gets its
// own *InputError naming the job id, without a request, and the good id
// next to them is waited for as usual.
func TestWaitAllRefusesHostileIDs(t *testing.T) {
	srv := okServer(t)
	w, err := NewWaiter(newTestClient(t, srv.URL, nil))
	if err != nil {
		t.Fatal(err)
	}
	hostile := []string{"../../admin", "%2F", "a?b", "a#b", "a\nb", "a\x00b", strings.Repeat("a", 10_000), "..", ""}
	results := w.WaitAll(context.Background(), append([]string{testJobID}, hostile...)...)
	if len(results) != len(hostile)+1 {
		t.Fatalf("%d results for %d ids", len(results), len(hostile)+1)
	}
	if r := results[0]; r.Err != nil || r.Job == nil || r.Job.Status != StatusCompleted {
		t.Errorf("good id: %+v", r)
	}
	for i, r := range results[1:] {
		if r.JobID != hostile[i] {
			t.Errorf("result %d is for %.40q, want %.40q", i+1, r.JobID, hostile[i])
		}
		checkInvalid(t, r.Err, "job id")
	}
	if n := srv.requests(); n != 1 {
		t.Errorf("server got %d requests; want only the good id's", n)
	}
}
