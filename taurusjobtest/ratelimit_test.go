package taurusjobtest

import (
	"testing"
	"testing/synctest"
	"time"
)

func TestRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := NewInMemory(WithRateLimit(2, 2))
		defer srv.Close()
		id := srv.AddJob(Job{})
		ask := func(want int, retryAfter string) {
			t.Helper()
			r := get(t, srv, jobURL(srv, id))
			if r.status != want || r.header.Get("Retry-After") != retryAfter {
				t.Fatalf("at %s: HTTP %d Retry-After %q, want %d %q", time.Now(), r.status, r.header.Get("Retry-After"), want, retryAfter)
			}
			if want == 429 {
				wantError(t, r, 429, codeThrottled)
				if f := lastFault(t, srv); f != "rate-limit" {
					t.Errorf("fault %q", f)
				}
			}
		}
		ask(200, "")
		ask(200, "")
		ask(429, "1") // empty; 0.5s to the next token, rounded up
		time.Sleep(499 * time.Millisecond)
		ask(429, "1")
		time.Sleep(time.Millisecond)
		ask(200, "")
		ask(429, "1")
		time.Sleep(time.Hour) // refills to the burst, no more
		ask(200, "")
		ask(200, "")
		ask(429, "1")
	})

	synctest.Test(t, func(t *testing.T) {
		srv := NewInMemory(WithRateLimit(0.25, 0)) // one every 4s, burst at least 1
		defer srv.Close()
		id := srv.AddJob(Job{})
		if r := get(t, srv, jobURL(srv, id)); r.status != 200 {
			t.Fatalf("first: HTTP %d", r.status)
		}
		if r := get(t, srv, jobURL(srv, id)); r.status != 429 || r.header.Get("Retry-After") != "4" {
			t.Fatalf("second: HTTP %d Retry-After %q", r.status, r.header.Get("Retry-After"))
		}
	})
}
