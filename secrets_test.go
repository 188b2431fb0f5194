package taurusjob

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
)

// echo returns a handler that puts the token it received into its answer
// through put.
func echo(put func(w http.ResponseWriter, token string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { put(w, r.Header.Get("X-Auth-Token")) }
}

// echoRaw hijacks the connection and writes raw bytes made from the token.
func echoRaw(t *testing.T, raw func(token string) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer conn.Close()
		_, _ = conn.Write([]byte(raw(r.Header.Get("X-Auth-Token"))))
	}
}

// TestNoTokenInAnyError provokes every kind of error with a server that
// echoes the token wherever it can, and checks that no error text, at any
// depth of its chain, holds the token or any 12-character piece of it.
func TestNoTokenInAnyError(t *testing.T) {
	pad := strings.Repeat("x", 500) // puts the token across the 512-byte message cut
	tests := []struct {
		name    string
		handler http.HandlerFunc // nil: no server
		edit    func(*ClientConfig)
		ctx     func() (context.Context, context.CancelFunc)
		jobID   string
		kind    func(t *testing.T, err error)
	}{
		{name: "400 echo in error_msg and error_code", handler: echo(func(w http.ResponseWriter, tok string) {
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"error_code":"%s","error_msg":"token %s is malformed"}`, tok, tok)
		}), kind: isAPIError(400)},
		{name: "401 echo", handler: echo(func(w http.ResponseWriter, tok string) {
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: %s"}`, tok)
		}), kind: isAPIError(401)},
		{name: "401 echo with a token source", edit: useSentinelSource, handler: echo(func(w http.ResponseWriter, tok string) {
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"error_code":"APIGW.0301","error_msg":"expired: %s"}`, tok)
		}), kind: isAPIError(401)},
		{name: "echo at the message cut", handler: echo(func(w http.ResponseWriter, tok string) {
			w.WriteHeader(500)
			fmt.Fprintf(w, `{"error_code":"DBS.200047","error_msg":"%s%s"}`, pad, tok)
		}), kind: isAPIError(500)},
		{name: "502 gateway page title", handler: echo(func(w http.ResponseWriter, tok string) {
			w.WriteHeader(502)
			fmt.Fprintf(w, "<html><head><title>502 Bad Gateway %s</title></head></html>", tok)
		}), kind: isAPIError(502)},
		{name: "gateway page title at the cut", handler: echo(func(w http.ResponseWriter, tok string) {
			w.WriteHeader(502)
			fmt.Fprintf(w, "<html><title>%s%s</title></html>", pad, tok)
		}), kind: isAPIError(502)},
		{name: "JSON with escaped slashes", handler: echo(func(w http.ResponseWriter, tok string) {
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"error_code":"DBS.200001","error_msg":"token %s is malformed"}`, strings.ReplaceAll(tok, "/", `\/`))
		}), kind: isAPIError(400)},
		{name: "JSON with escaped slashes at the message cut", handler: echo(func(w http.ResponseWriter, tok string) {
			w.WriteHeader(500)
			fmt.Fprintf(w, `{"error_code":"DBS.200047","error_msg":"%s%s"}`, pad, strings.ReplaceAll(tok, "/", `\/`))
		}), kind: isAPIError(500)},
		{name: "JSON with unicode escapes in the request id", handler: echo(func(w http.ResponseWriter, tok string) {
			w.WriteHeader(429)
			fmt.Fprintf(w, `{"error_code":"APIGW.0308","request_id":"%s\u0053%s"}`, pad[:110], tok[1:])
		}), kind: isAPIError(429)},
		{name: "URL-encoded in a plain text body", handler: echo(func(w http.ResponseWriter, tok string) {
			w.WriteHeader(503)
			fmt.Fprintf(w, "upstream refused /login?t=%s and %s", url.QueryEscape(tok), url.PathEscape(tok))
		}), kind: isAPIError(503)},
		{name: "HTML-escaped in a gateway page title", handler: echo(func(w http.ResponseWriter, tok string) {
			w.WriteHeader(502)
			fmt.Fprintf(w, "<html><title>502 for %s</title></html>", strings.ReplaceAll(html.EscapeString(tok), "/", "&#47;"))
		}), kind: isAPIError(502)},
		{name: "cut by a small body limit", edit: func(c *ClientConfig) { c.MaxBodyBytes = 100 },
			handler: echo(func(w http.ResponseWriter, tok string) {
				w.WriteHeader(503)
				fmt.Fprintf(w, "%s%s", pad[:100-20], tok) // the limit cuts the token after 20 bytes
			}), kind: isAPIError(503)},
		{name: "plain text body", handler: echo(func(w http.ResponseWriter, tok string) {
			w.WriteHeader(503)
			fmt.Fprintf(w, "upstream refused token=%s", tok)
		}), kind: isAPIError(503)},
		{name: "request id header on an error", handler: echo(func(w http.ResponseWriter, tok string) {
			w.Header().Set("X-Request-Id", tok)
			w.WriteHeader(500)
		}), kind: isAPIError(500)},
		{name: "request id header at its cut", handler: echo(func(w http.ResponseWriter, tok string) {
			w.Header().Set("X-Request-Id", pad[:120]+tok)
			w.WriteHeader(500)
		}), kind: isAPIError(500)},
		{name: "request id in the body", handler: echo(func(w http.ResponseWriter, tok string) {
			w.WriteHeader(429)
			fmt.Fprintf(w, `{"error_code":"APIGW.0308","error_msg":"throttled","request_id":"%s"}`, tok)
		}), kind: isAPIError(429)},
		{name: "Retry-After header", handler: echo(func(w http.ResponseWriter, tok string) {
			w.Header().Set("Retry-After", tok)
			w.WriteHeader(429)
		}), kind: isAPIError(429)},
		{name: "200 about another job named like the token", handler: echo(func(w http.ResponseWriter, tok string) {
			fmt.Fprintf(w, `{"job":{"id":"%s","status":"Running"}}`, tok)
		}), kind: isAPIError(200)},
		{name: "200 malformed with the token", handler: echo(func(w http.ResponseWriter, tok string) {
			fmt.Fprintf(w, `{"job": %s}`, tok)
		}), kind: isAPIError(200)},
		{name: "200 malformed with a request id header", handler: echo(func(w http.ResponseWriter, tok string) {
			w.Header().Set("X-Request-Id", tok)
			fmt.Fprint(w, `{"job":`)
		}), kind: isAPIError(200)},
		{name: "200 over the limit with a request id header", edit: func(c *ClientConfig) { c.MaxBodyBytes = 64 },
			handler: echo(func(w http.ResponseWriter, tok string) {
				w.Header().Set("X-Request-Id", tok)
				fmt.Fprintf(w, `{"job":{"id":"%s","entities":"%s%s"}}`, testJobID, pad, tok)
			}), kind: isAPIError(200)},
		{name: "redirect to a URL holding the token", handler: echo(func(w http.ResponseWriter, tok string) {
			w.Header().Set("Location", "https://evil.example/?t="+tok)
			w.WriteHeader(302)
			fmt.Fprintf(w, `<a href="https://evil.example/?t=%s">Found</a>`, tok)
		}), kind: isAPIError(302)},
		{name: "not visible", handler: echo(func(w http.ResponseWriter, tok string) {
			fmt.Fprint(w, `{"job":null}`)
		}), kind: isNotVisible},
		{name: "malformed status line", handler: echoRaw(t, func(tok string) string {
			return "HTTP/1.1 " + tok + " OK\r\n\r\n"
		}), kind: isTransportError},
		{name: "malformed header line", handler: echoRaw(t, func(tok string) string {
			return "HTTP/1.1 200 OK\r\n" + tok + "\r\n\r\n"
		}), kind: isTransportError},
		{name: "header with a control character", handler: echoRaw(t, func(tok string) string {
			return "HTTP/1.1 200 OK\r\nX-Request-Id: \x01" + tok + "\r\nContent-Length: 0\r\n\r\n"
		}), kind: isTransportError},
		{name: "not HTTP", handler: echoRaw(t, func(tok string) string { return tok + "\r\n\r\n" }), kind: isTransportError},
		{name: "connection reset", handler: echoRaw(t, func(string) string { return "" }), kind: isTransportError},
		{name: "request timeout", edit: func(c *ClientConfig) { c.RequestTimeout = 50 * time.Millisecond },
			handler: func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, kind: isTransportError},
		{name: "canceled", ctx: func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, handler: echoJob, kind: isCtxError},
		{name: "refused", kind: isTransportError},
		{name: "invalid job id", handler: echoJob, jobID: "bad/" + sentinelToken, kind: isInputError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			endpoint := "http://127.0.0.1:1" // nothing listens on port 1
			if tt.handler != nil {
				endpoint = newServer(t, tt.handler).URL
			}
			c := newTestClient(t, endpoint, func(c *ClientConfig) {
				c.Token = sentinelToken
				if tt.edit != nil {
					tt.edit(c)
				}
			})
			ctx, cancel := context.WithCancel(context.Background())
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			jobID := tt.jobID
			if jobID == "" {
				jobID = testJobID
			}

			_, err := c.GetJob(ctx, jobID)

			tt.kind(t, err)
			checkNoSecret(t, err, sentinelToken)
		})
	}
}

// TestNoTokenInConfigErrors: a token refused by NewClient is not quoted.
func TestNoTokenInConfigErrors(t *testing.T) {
	for _, bad := range []string{sentinelToken + "\n", "\x00" + sentinelToken, sentinelToken + "\r\nX: y"} {
		_, err := NewClient(ClientConfig{Endpoint: "https://gaussdb.cn-north-4.myhuaweicloud.com", ProjectID: testProjectID, Token: bad})
		checkInvalid(t, err, "token")
		checkNoSecret(t, err, sentinelToken)
	}
	_, err := NewClient(ClientConfig{Endpoint: "https://gaussdb.cn-north-4.myhuaweicloud.com", ProjectID: testProjectID, Token: sentinelToken,
		TokenSource: func(context.Context) (string, error) { return sentinelToken, nil }})
	checkInvalid(t, err, "credentials")
	checkNoSecret(t, err, sentinelToken)
}

// checkNoSecret fails if err's text, or the text of any error it wraps,
// holds secret or a 12-character piece of it.
func checkNoSecret(t *testing.T, err error, secret string) {
	t.Helper()
	secretcheck.AssertError(t, "GetJob", err, secret)
}

func isAPIError(status int) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if ae := asAPIError(t, err); ae.StatusCode != status {
			t.Errorf("StatusCode = %d, want %d (%v)", ae.StatusCode, status, err)
		}
	}
}

func isTransportError(t *testing.T, err error) { t.Helper(); asTransportError(t, err) }

func isNotVisible(t *testing.T, err error) {
	t.Helper()
	if classify(nil, err, false) != notVisibleYet {
		t.Errorf("error %v is not read as \"not visible yet\"", err)
	}
}

func isCtxError(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v does not match context.Canceled", err)
	}
}

func isInputError(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrInvalidInput) {
		t.Errorf("error %v does not match ErrInvalidInput", err)
	}
}

// A server that echoes the token into the job itself (its name, its
// fail_reason, its entities): the job returned, its Raw, and the failure
// a waiter builds from it carry no piece of the token.
func TestTokenEchoedIntoTheJobIsScrubbed(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("X-Auth-Token")
		fmt.Fprintf(w, `{"job":{"id":%q,"name":"Create %s","status":"Failed","fail_reason":"token %s rejected","entities":{"t":%q}}}`,
			r.URL.Query().Get("id"), tok, tok, tok)
	})
	c := newTestClient(t, srv.URL, nil)
	job, err := c.GetJob(context.Background(), testJobID)
	if err != nil {
		t.Fatal(err)
	}
	for where, text := range map[string]string{"name": job.Name, "fail_reason": job.FailReason,
		"entities": string(job.Entities), "raw": string(job.Raw), "failure": (&JobFailedError{Job: job}).Error()} {
		secretcheck.Assert(t, where, text, testToken)
	}
	if !strings.Contains(job.FailReason, "[REDACTED]") || !json.Valid(job.Raw) {
		t.Errorf("fail_reason %q, raw %s: want the token replaced and Raw still JSON", job.FailReason, job.Raw)
	}
}
