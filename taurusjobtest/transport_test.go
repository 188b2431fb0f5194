package taurusjobtest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestTransportResponse(t *testing.T) {
	srv := NewInMemory()
	defer srv.Close()
	req, _ := http.NewRequest("GET", jobURL(srv, srv.AddJob(Job{})), nil)
	req.Header.Set("X-Auth-Token", srv.Token())
	resp, err := NewTransport(srv).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.Body.Close() != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Status != "200 OK" || resp.ProtoMajor != 1 || resp.Request != req ||
		resp.ContentLength != int64(len(body)) || resp.Header.Get("Content-Type") != jsonType {
		t.Errorf("response %+v", resp)
	}
	if _, err := resp.Body.Read(make([]byte, 1)); err == nil {
		t.Error("read after Close succeeded")
	}
}

func TestTransportErrors(t *testing.T) {
	srv := NewInMemory()
	id := srv.AddJob(Job{})
	client := srv.Client()

	if _, err := client.Get("https://other.invalid/v3/x/jobs?id=1"); err == nil || !strings.Contains(err.Error(), "no fake server") {
		t.Errorf("unknown host: %v", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", jobURL(srv, id), nil)
	if _, err := client.Do(req); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled before: %v", err)
	}

	ctx, cancel = context.WithCancel(t.Context())
	req, _ = http.NewRequestWithContext(ctx, "GET", jobURL(srv, id), nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := io.ReadAll(resp.Body); !errors.Is(err, context.Canceled) {
		t.Errorf("read after cancel: %v", err)
	}
	resp.Body.Close()
	if n := srv.TotalRequests(); n != 1 {
		t.Errorf("%d requests reached the server, want 1", n)
	}

	srv.Close()
	srv.Close() // idempotent
	if _, err := client.Get(jobURL(srv, id)); !errors.Is(err, errClosed) {
		t.Errorf("after Close: %v", err)
	}
}

func TestCloseEndsLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := withRules(NewInMemory(), Rule{Fault: Latency(time.Hour)})
		id := srv.AddJob(Job{})
		var err error
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, err = srv.Client().Get(jobURL(srv, id))
		}()
		synctest.Wait() // the request sleeps in the latency
		start := time.Now()
		srv.Close()
		<-done
		if !errors.Is(err, errClosed) || time.Since(start) != 0 {
			t.Errorf("got %v after %s, want the closed error at once", err, time.Since(start))
		}
	})

	srv := withRules(NewServer(), Rule{Fault: Latency(time.Hour)})
	id := srv.AddJob(Job{})
	done := make(chan error)
	go func() {
		_, err := srv.Client().Get(jobURL(srv, id))
		done <- err
	}()
	for srv.TotalRequests() == 0 { // the handler has started
		time.Sleep(time.Millisecond)
	}
	srv.Close() // would wait an hour if it did not end the latency
	if err := <-done; err == nil {
		t.Error("the aborted request succeeded")
	}
}

func TestConcurrentUse(t *testing.T) {
	forModes(t, func(t *testing.T, srv *Server) {
		ids := make([]string, 20)
		for i := range ids {
			ids[i] = srv.AddJob(Job{Running: time.Hour})
		}
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Go(func() {
				for k := range 10 {
					id := ids[(i+k)%len(ids)]
					if k == 5 {
						srv.AddRule(Rule{Fault: Latency(time.Microsecond), Limit: 1})
						srv.IssueToken()
						srv.AddJob(Job{})
					}
					req, _ := http.NewRequest("GET", jobURL(srv, id), nil)
					req.Header.Set("X-Auth-Token", srv.Token())
					resp, err := srv.Client().Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err != nil || resp.StatusCode != 200 {
						t.Errorf("HTTP %d, %v", resp.StatusCode, err)
					}
					if k == 9 {
						_ = srv.Requests()
					}
				}
			})
		}
		wg.Wait()
		total := 0
		for _, id := range ids {
			total += srv.RequestCount(id)
		}
		if total != 400 || srv.TotalRequests() != 400 || len(srv.Requests()) != 400 {
			t.Errorf("counted %d, total %d, recorded %d, want 400", total, srv.TotalRequests(), len(srv.Requests()))
		}
	}, WithMaxRecords(-1))
}
