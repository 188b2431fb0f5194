package taurusjob

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// switchAndHang answers any request with status (a 1xx line and its
// headers), then says nothing more until the test ends: the body of a 101
// is the raw connection, which no request timeout covers.
func switchAndHang(status string) func(net.Conn, <-chan struct{}) {
	return func(conn net.Conn, done <-chan struct{}) {
		if !readRequest(conn) {
			return
		}
		if _, err := io.WriteString(conn, status); err != nil {
			return
		}
		<-done
	}
}

// TestHostile1xxFinalAnswer: a server that answers 101 Switching Protocols
// (to a request that asked for no upgrade) and then stays silent gives an
// error at once; GetJob never reads past the 1xx, and ends within the
// request timeout or the caller's deadline, whichever is first.
func TestHostile1xxFinalAnswer(t *testing.T) {
	tests := []struct {
		name, answer string
	}{
		{"101 then silence", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"},
		{"101 without upgrade headers", "HTTP/1.1 101 Switching Protocols\r\n\r\n"},
		{"101 with a body that never ends", "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n{\"job\":"},
	}
	for _, tt := range tests {
		for _, bound := range []string{"request timeout", "ctx deadline"} {
			t.Run(tt.name+"/"+bound, func(t *testing.T) {
				url, _ := rawServer(t, switchAndHang(tt.answer))
				ctx := context.Background()
				c, _ := newCountingClient(t, url, func(cfg *ClientConfig) {
					if bound == "ctx deadline" {
						cfg.RequestTimeout = time.Hour
					}
				})
				if bound == "ctx deadline" {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, hostileTimeout)
					defer cancel()
				}
				start := time.Now()
				job, err := boundedGetJob(t, ctx, c, hostileTimeout+timeSlack)
				took := time.Since(start)
				var ae *APIError
				if job != nil || !errors.As(err, &ae) || ae.StatusCode != 101 || !strings.Contains(err.Error(), "1xx") {
					t.Errorf("GetJob = %v, %v; want an *APIError for the 101 answer", job, err)
				}
				if classify(nil, err, false) != transient {
					t.Errorf("a 1xx answer is %v; want transient (the server misbehaved, the next poll may work)", classify(nil, err, false))
				}
				t.Logf("ended after %v: %v", took.Round(time.Millisecond), err)
			})
		}
	}
}

// TestHostile101EndsTheWait: a wait on a server that answers every poll
// with 101 and silence ends at its own deadline, not when the server
// closes.
func TestHostile101EndsTheWait(t *testing.T) {
	url, _ := rawServer(t, switchAndHang("HTTP/1.1 101 Switching Protocols\r\n\r\n"))
	c, _ := newCountingClient(t, url, func(cfg *ClientConfig) { cfg.RequestTimeout = time.Hour })
	w, err := NewWaiter(c, WithTimeout(500*time.Millisecond), WithInterval(50*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := w.Wait(context.Background(), testJobID); done <- err }()
	select {
	case err = <-done:
	case <-time.After(500*time.Millisecond + timeSlack):
		t.Fatal("Wait with a 500ms timeout still runs after 2.5s") // the server's close at cleanup ends it
	}
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("Wait = %v; want a timeout", err)
	}
}

// boundedGetJob calls GetJob and fails the test if it has not returned
// within bound (the hostile server's cleanup then ends the call).
func boundedGetJob(t *testing.T, ctx context.Context, c *Client, bound time.Duration) (*Job, error) {
	t.Helper()
	type result struct {
		job *Job
		err error
	}
	done := make(chan result, 1)
	go func() { j, err := c.GetJob(ctx, testJobID); done <- result{j, err} }()
	select {
	case r := <-done:
		return r.job, r.err
	case <-time.After(bound):
		t.Fatalf("GetJob still runs after %v", bound)
		return nil, nil
	}
}
