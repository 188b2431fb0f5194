package taurusjob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestWrongEndpointEndsTheWaitAtOnce: an endpoint that is not the jobs API
// (the trial's one ended in /v3) gets the gateway's 404 APIGW.0101 "The API
// does not exist". That is no job not visible yet: the wait ends at the
// first poll, and says to check the endpoint, the service and the region,
// not that jobs are kept for a month. A 404 of the jobs API itself still
// means "not visible yet" until the grace window is over.
func TestWrongEndpointEndsTheWaitAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		body := readFixture(t, "errors/404-apigw-0101.json")
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: http.StatusNotFound, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
		})
		c := newTestClient(t, "https://gaussdb.cn-north-4.myhuaweicloud.com/v3", func(c *ClientConfig) {
			c.HTTPClient = &http.Client{Transport: rt}
		})
		w, err := NewWaiter(c, WithTimeout(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = w.Wait(context.Background(), testJobID)
		var we *WaitError
		if !errors.As(err, &we) || we.Polls != 1 || time.Since(start) > 0 {
			t.Fatalf("Wait = %v after %v; want a WaitError at the first poll", err, time.Since(start))
		}
		msg := err.Error()
		for _, want := range []string{"APIGW.0101", "endpoint", "service", "region"} {
			if !strings.Contains(msg, want) {
				t.Errorf("error %q does not say %q", msg, want)
			}
		}
		if strings.Contains(msg, "month") {
			t.Errorf("error %q says jobs are kept a month: that is the hint of a job not visible", msg)
		}
	})
}

// TestHTTPSEndpointOnPlainHTTPServer: an https endpoint aimed at a plain
// http server is a configuration error, with the default transport and
// with a caller's: the wait ends at once (it was retried until the
// timeout), and the error says the server answered plain HTTP.
func TestHTTPSEndpointOnPlainHTTPServer(t *testing.T) {
	srv := okServer(t)
	endpoint := strings.Replace(srv.URL, "http://", "https://", 1)
	for _, tc := range []struct {
		name string
		hc   *http.Client
	}{{"default transport", nil}, {"caller's transport", &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}}} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, endpoint, func(c *ClientConfig) { c.HTTPClient = tc.hc })
			_, err := c.GetJob(context.Background(), testJobID)
			if v := classify(nil, err, false); v != permanent {
				t.Errorf("GetJob: %v is %v; want permanent", err, v)
			}
			if msg := err.Error(); !strings.Contains(msg, "plain HTTP") || !strings.Contains(msg, "http://") {
				t.Errorf("error %q does not say the server answered plain HTTP, nor what to use", msg)
			}
		})
	}
}

// TestErrorMessagesSayWhatToCheck: a wait's error says "taurusjob:" once,
// and a 401 (after the refresh) and a 403 say what to check.
func TestErrorMessagesSayWhatToCheck(t *testing.T) {
	for _, tc := range []struct {
		file   string
		status int
		want   []string
	}{
		{"errors/401-apigw.json", 401, []string{"project", "scope"}},
		{"errors/403-apigw.json", 403, []string{"IAM policy", "project"}},
	} {
		srv := httptest.NewServer(serveBody(tc.status, readFixture(t, tc.file), nil))
		t.Cleanup(srv.Close)
		c := newTestClient(t, srv.URL, useSentinelSource)
		w, err := NewWaiter(c)
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.Wait(context.Background(), testJobID)
		if err == nil {
			t.Fatalf("HTTP %d: no error", tc.status)
		}
		msg := err.Error()
		if n := strings.Count(msg, "taurusjob:"); n != 1 {
			t.Errorf("HTTP %d: %q says taurusjob: %d times; want once", tc.status, msg, n)
		}
		for _, want := range tc.want {
			if !strings.Contains(msg, want) {
				t.Errorf("HTTP %d: %q does not say %q", tc.status, msg, want)
			}
		}
	}
}
