package taurusjob

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

// countingSource returns "token-1", "token-2", ... and counts its calls.
type countingSource struct{ n atomic.Int32 }

func (s *countingSource) token(context.Context) (string, error) {
	return fmt.Sprintf("token-%d", s.n.Add(1)), nil
}

func (s *countingSource) calls() int { return int(s.n.Load()) }

// rejectTokens answers 401 to a request carrying one of the tokens, and the
// job otherwise.
func rejectTokens(t *testing.T, tokens ...string) http.HandlerFunc {
	body := readFixture(t, "errors/401-apigw.json")
	return func(w http.ResponseWriter, r *http.Request) {
		for _, tok := range tokens {
			if r.Header.Get("X-Auth-Token") == tok {
				serveBody(http.StatusUnauthorized, body, nil)(w, r)
				return
			}
		}
		echoJob(w, r)
	}
}

func tokenSourceClient(t *testing.T, endpoint string, src *countingSource) *Client {
	return newTestClient(t, endpoint, func(c *ClientConfig) { c.Token, c.TokenSource = "", src.token })
}

func tokensSent(t *testing.T, srv *recordingServer) []string {
	var got []string
	for i := range srv.requests() {
		got = append(got, srv.request(t, i).Header.Get("X-Auth-Token"))
	}
	return got
}

func TestTokenSourceIsCalledOnceAndCached(t *testing.T) {
	srv := newServer(t, echoJob)
	src := &countingSource{}
	c := tokenSourceClient(t, srv.URL, src)
	for range 3 {
		if _, err := c.GetJob(context.Background(), testJobID); err != nil {
			t.Fatal(err)
		}
	}
	if src.calls() != 1 {
		t.Errorf("token source called %d times for 3 requests, want 1", src.calls())
	}
	if got := fmt.Sprint(tokensSent(t, srv)); got != "[token-1 token-1 token-1]" {
		t.Errorf("tokens sent = %s", got)
	}
}

func TestTokenSourceRefreshesOnceOn401(t *testing.T) {
	srv := newServer(t, rejectTokens(t, "token-1"))
	src := &countingSource{}
	c := tokenSourceClient(t, srv.URL, src)

	job, err := c.GetJob(context.Background(), testJobID)
	if err != nil || job.ID != testJobID {
		t.Fatalf("GetJob = %v, %v; want the job after one refresh", job, err)
	}
	if src.calls() != 2 || srv.requests() != 2 {
		t.Errorf("token source calls, requests = %d, %d; want 2, 2", src.calls(), srv.requests())
	}
	// The new token is kept for the next call.
	if _, err := c.GetJob(context.Background(), testJobID); err != nil {
		t.Fatal(err)
	}
	if src.calls() != 2 {
		t.Errorf("token source called %d times, want still 2", src.calls())
	}
	if got := fmt.Sprint(tokensSent(t, srv)); got != "[token-1 token-2 token-2]" {
		t.Errorf("tokens sent = %s", got)
	}
}

func TestTokenSourcePersistent401(t *testing.T) {
	srv := newServer(t, rejectTokens(t, "token-1", "token-2", "token-3"))
	src := &countingSource{}
	c := tokenSourceClient(t, srv.URL, src)

	job, err := c.GetJob(context.Background(), testJobID)
	ae := asAPIError(t, err)
	if job != nil || ae.StatusCode != http.StatusUnauthorized || ae.Code != "APIGW.0301" {
		t.Errorf("GetJob = %v, %+v; want a 401 *APIError", job, ae)
	}
	if srv.requests() != 2 || src.calls() != 2 {
		t.Errorf("requests, token source calls = %d, %d; want exactly 2, 2", srv.requests(), src.calls())
	}
}

func TestStaticToken401IsNotRetried(t *testing.T) {
	srv := newServer(t, rejectTokens(t, testToken))
	job, err := newTestClient(t, srv.URL, nil).GetJob(context.Background(), testJobID)
	if ae := asAPIError(t, err); job != nil || ae.StatusCode != http.StatusUnauthorized {
		t.Errorf("GetJob = %v, %+v; want a 401 *APIError", job, ae)
	}
	if srv.requests() != 1 {
		t.Errorf("server got %d requests, want exactly 1", srv.requests())
	}
}

// TestTokenSourceNotAskedOnOtherErrors: only a 401 means the token is bad.
func TestTokenSourceNotAskedOnOtherErrors(t *testing.T) {
	for _, status := range []int{400, 403, 404, 429, 500} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv := newServer(t, serveBody(status, readFixture(t, "errors/400-dbs.json"), nil))
			src := &countingSource{}
			_, err := tokenSourceClient(t, srv.URL, src).GetJob(context.Background(), testJobID)
			if ae := asAPIError(t, err); ae.StatusCode != status {
				t.Errorf("StatusCode = %d, want %d", ae.StatusCode, status)
			}
			if src.calls() != 1 || srv.requests() != 1 {
				t.Errorf("token source calls, requests = %d, %d; want 1, 1", src.calls(), srv.requests())
			}
		})
	}
}

func TestTokenSourceGetsTheCallersContext(t *testing.T) {
	type key struct{}
	srv := newServer(t, echoJob)
	var got any
	c := newTestClient(t, srv.URL, func(c *ClientConfig) {
		c.Token = ""
		c.TokenSource = func(ctx context.Context) (string, error) { got = ctx.Value(key{}); return "tok-ctx", nil }
	})
	ctx := context.WithValue(context.Background(), key{}, "from the caller")
	if _, err := c.GetJob(ctx, testJobID); err != nil {
		t.Fatal(err)
	}
	if got != "from the caller" {
		t.Errorf("token source saw ctx value %v", got)
	}
}

func TestTokenSourceErrorOnRefresh(t *testing.T) {
	boom := errors.New("iam unreachable")
	srv := newServer(t, rejectTokens(t, "first"))
	calls := 0
	c := newTestClient(t, srv.URL, func(c *ClientConfig) {
		c.Token = ""
		c.TokenSource = func(context.Context) (string, error) {
			calls++
			if calls == 1 {
				return "first", nil
			}
			return "", boom
		}
	})
	job, err := c.GetJob(context.Background(), testJobID)
	var ae *APIError
	if job != nil || !errors.Is(err, boom) || !errors.As(err, &ae) || ae.StatusCode != 401 {
		t.Errorf("GetJob = %v, %v; want the token source's error, with the 401 that led to it", job, err)
	}
	if srv.requests() != 1 {
		t.Errorf("server got %d requests, want 1 (no retry without a new token)", srv.requests())
	}
}

// TestConcurrent401sRefreshOnce: when many waits share a client and its
// token expires, the token source (an IAM call) is asked once, not once per
// wait.
func TestConcurrent401sRefreshOnce(t *testing.T) {
	const n = 8
	var expired atomic.Bool
	var firstAttempts atomic.Int32
	allArrived := make(chan struct{})
	reject := rejectTokens(t, "token-1")
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if !expired.Load() {
			echoJob(w, r)
			return
		}
		// Hold the first n requests until all have arrived, so that all
		// of them carry the expired token and all get a 401.
		if firstAttempts.Add(1) == n {
			close(allArrived)
		}
		select {
		case <-allArrived:
		case <-r.Context().Done():
			return
		}
		reject(w, r)
	})
	src := &countingSource{}
	c := tokenSourceClient(t, srv.URL, src)
	if _, err := c.GetJob(context.Background(), testJobID); err != nil { // caches token-1
		t.Fatal(err)
	}
	expired.Store(true)

	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { _, errs[i] = c.GetJob(context.Background(), testJobID) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("GetJob: %v", err)
		}
	}
	if src.calls() != 2 {
		t.Errorf("token source called %d times, want 2 (the first token and one refresh for %d concurrent 401s)", src.calls(), n)
	}
}
