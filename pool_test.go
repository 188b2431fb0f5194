package taurusjob

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

// TestDefaultTransportKeepsItsConnections: the default transport opens at
// most maxConnsPerHost connections to a host and keeps them all idle, so
// a second burst of many concurrent polls dials none. (It inherited
// http.DefaultTransport's MaxIdleConns of 100 in all, so every burst after
// the first dialed 156 connections again: a TLS handshake each against the
// real API.)
func TestDefaultTransportKeepsItsConnections(t *testing.T) {
	srv := newServer(t, echoJob)
	tr := defaultTransport()
	t.Cleanup(tr.CloseIdleConnections)
	var dials atomic.Int64
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return dial(ctx, network, addr)
	}
	c := newTestClient(t, srv.URL, func(c *ClientConfig) { c.HTTPClient = &http.Client{Transport: tr} })
	burst := func() int64 {
		before := dials.Load()
		var wg sync.WaitGroup
		for range 4 * maxConnsPerHost {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.GetJob(context.Background(), testJobID); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		return dials.Load() - before
	}
	if n := burst(); n > maxConnsPerHost {
		t.Errorf("the first burst dialed %d connections; at most %d", n, maxConnsPerHost)
	}
	if n := burst(); n != 0 {
		t.Errorf("the second burst dialed %d connections; the first burst's should all have been kept", n)
	}
}
