package taurusjob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// hangingSource is a token source that hangs (a slow IAM) until release is
// closed, whatever its ctx says, and counts its calls.
type hangingSource struct {
	release chan struct{}
	calls   atomic.Int32
}

func (s *hangingSource) token(ctx context.Context) (string, error) {
	s.calls.Add(1)
	<-s.release
	return "", errors.New("iam answered too late")
}

// TestSlowRefreshHoldsNobodyPastTheirContext: a token source that hangs
// does not hold the Client's other callers. Two GetJobs that need a token,
// one with a 300 ms ctx and one with 1 s, share the one refresh in
// progress, and each returns at its own deadline with its ctx's error,
// not when the source answers (at 4 s). A Wait on the same Client with
// WithTimeout(1s) ends at 1 s too.
func TestSlowRefreshHoldsNobodyPastTheirContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &hangingSource{release: make(chan struct{})}
		c := newTestClient(t, "https://gaussdb.cn-north-4.myhuaweicloud.com", func(c *ClientConfig) {
			c.Token, c.TokenSource = "", src.token
		})
		w, err := NewWaiter(c, WithTimeout(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		go func() { time.Sleep(4 * time.Second); close(src.release) }()
		start := time.Now()
		var wg sync.WaitGroup
		limits := []time.Duration{300 * time.Millisecond, time.Second}
		took, errs := make([]time.Duration, len(limits)+1), make([]error, len(limits)+1)
		for i, d := range limits {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(context.Background(), d)
				defer cancel()
				_, errs[i] = c.GetJob(ctx, testJobID)
				took[i] = time.Since(start)
			})
		}
		wg.Go(func() {
			_, errs[2] = w.Wait(context.Background(), testJobID)
			took[2] = time.Since(start)
		})
		wg.Wait()
		for i, d := range limits {
			if took[i] != d || !errors.Is(errs[i], context.DeadlineExceeded) {
				t.Errorf("GetJob with a %v ctx returned after %v with %v; want at its deadline, with its ctx's error", d, took[i], errs[i])
			}
		}
		if took[2] > time.Second || !errors.Is(errs[2], ErrTimeout) {
			t.Errorf("Wait with WithTimeout(1s) returned after %v with %v; want a timeout at 1s", took[2], errs[2])
		}
		if n := src.calls.Load(); n != 1 {
			t.Errorf("the token source was called %d times; want 1 refresh shared by every caller", n)
		}
		time.Sleep(4 * time.Second) // the source answers, and its goroutine ends
		synctest.Wait()
	})
}

// TestRefreshSharedAndItsContextEnded: callers who need a token while a
// refresh is in progress get its answer (one call); when every caller
// waiting for a refresh has given up, the source's ctx is canceled (so a
// source that honours it ends) and the next caller asks again.
func TestRefreshSharedAndItsContextEnded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls atomic.Int32
		answer := make(chan string)
		ended := make(chan error, 4)
		c := newTestClient(t, "https://gaussdb.cn-north-4.myhuaweicloud.com", func(c *ClientConfig) {
			c.Token = ""
			c.TokenSource = func(ctx context.Context) (string, error) {
				calls.Add(1)
				select {
				case tok := <-answer:
					return tok, nil
				case <-ctx.Done():
					ended <- ctx.Err()
					return "", ctx.Err()
				}
			}
		})
		// Two callers give up: the source's ctx ends after the last one.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() { _, _ = c.currentToken(ctx, "") })
		}
		wg.Wait()
		cancel()
		synctest.Wait()
		select {
		case err := <-ended:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("the source's ctx ended with %v; want canceled", err)
			}
		default:
			t.Error("the source's ctx was not ended once every caller had given up")
		}
		// The next callers start a new refresh and share its answer.
		toks := make([]string, 3)
		for i := range toks {
			wg.Go(func() {
				var err error
				if toks[i], err = c.currentToken(context.Background(), ""); err != nil {
					t.Error(err)
				}
			})
		}
		synctest.Wait()
		answer <- "token-2"
		wg.Wait()
		for _, tok := range toks {
			if tok != "token-2" {
				t.Errorf("a caller got %q; want the shared refresh's token-2", tok)
			}
		}
		if n := calls.Load(); n != 2 {
			t.Errorf("the token source was called %d times; want 2 (one abandoned, one shared by 3 callers)", n)
		}
	})
}

// TestPanickingTokenSource: a token source that panics gives its callers
// an error; no panic reaches them, nor ends the process from the
// goroutine the refresh runs in.
func TestPanickingTokenSource(t *testing.T) {
	srv := okServer(t)
	c := newTestClient(t, srv.URL, func(c *ClientConfig) {
		c.Token = ""
		c.TokenSource = func(context.Context) (string, error) { panic("iam client bug") }
	})
	if _, err := c.GetJob(context.Background(), testJobID); err == nil {
		t.Fatal("GetJob with a panicking token source returned no error")
	}
	if srv.requests() != 0 {
		t.Errorf("server got %d requests without a token", srv.requests())
	}
}

// TestRefreshedRetryKeepsTheOneRequestTimeout: a GetJob has one deadline,
// RequestTimeout, its 401-refreshed retry included. A 401 that comes
// 250 ms into a 300 ms RequestTimeout leaves the retry 50 ms (it had a
// fresh 300 ms: 550 ms in all).
func TestRefreshedRetryKeepsTheOneRequestTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		unauthorized := readFixture(t, "errors/401-apigw.json")
		var calls atomic.Int32
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if calls.Add(1) == 1 {
				time.Sleep(250 * time.Millisecond)
				return &http.Response{StatusCode: http.StatusUnauthorized, Header: http.Header{},
					Body: io.NopCloser(bytes.NewReader(unauthorized)), Request: r}, nil
			}
			<-r.Context().Done() // the retry hangs
			return nil, r.Context().Err()
		})
		src := &countingSource{}
		c := newTestClient(t, "https://gaussdb.cn-north-4.myhuaweicloud.com", func(c *ClientConfig) {
			c.Token, c.TokenSource = "", src.token
			c.RequestTimeout = 300 * time.Millisecond
			c.HTTPClient = &http.Client{Transport: rt}
		})
		start := time.Now()
		_, err := c.GetJob(context.Background(), testJobID)
		if took := time.Since(start); took != 300*time.Millisecond {
			t.Errorf("GetJob with a 401 and a hanging retry took %v; want the one 300ms RequestTimeout", took)
		}
		if !errors.As(err, new(*TransportError)) || calls.Load() != 2 {
			t.Errorf("GetJob: %v after %d requests; want the retry's request timeout", err, calls.Load())
		}
	})
}
