package taurusjobtest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// lastFault returns the Fault of the last recorded request.
func lastFault(t *testing.T, srv *Server) string {
	t.Helper()
	reqs := srv.Requests()
	if len(reqs) == 0 {
		t.Fatal("no request recorded")
	}
	return reqs[len(reqs)-1].Fault
}

func TestErrorFaults(t *testing.T) {
	for _, tc := range []struct {
		fault  Fault
		status int
		code   string
		name   string
	}{
		{ServerError(500), 500, "DBS.200500", "server-error-500"},
		{ServerError(502), 502, "APIGW.0202", "server-error-502"},
		{ServerError(503), 503, "APIGW.0203", "server-error-503"},
		{ServerError(504), 504, "APIGW.0204", "server-error-504"},
		{ServerError(507), 507, "DBS.000507", "server-error-507"},
		{Throttle(0), 429, codeThrottled, "throttle"},
		{Answer(403, "", `{"error_code":"APIGW.0302","error_msg":"no permission"}`), 403, "APIGW.0302", "answer-403"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forModesRules(t, []Rule{{Fault: tc.fault}}, func(t *testing.T, srv *Server) {
				id := srv.AddJob(Job{})
				r := get(t, srv, jobURL(srv, id))
				wantError(t, r, tc.status, tc.code)
				if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("Content-Type %q", ct)
				}
				if got := lastFault(t, srv); got != tc.name || tc.fault.Name() != tc.name {
					t.Errorf("recorded fault %q, Name() %q, want %q", got, tc.fault.Name(), tc.name)
				}
				if rq := srv.Requests()[0]; rq.Status != tc.status || rq.Code != tc.code {
					t.Errorf("recorded %d %q", rq.Status, rq.Code)
				}
			})
		})
	}
}

func TestGatewayPage(t *testing.T) {
	forModesRules(t, []Rule{{Fault: GatewayPage(502)}}, func(t *testing.T, srv *Server) {
		r := get(t, srv, jobURL(srv, srv.AddJob(Job{})))
		if r.status != 502 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") ||
			!strings.Contains(string(r.body), "<title>502 Bad Gateway</title>") || r.header.Get("X-Request-Id") == "" {
			t.Errorf("got HTTP %d %v %s", r.status, r.header, r.body)
		}
	})
}

func TestThrottle(t *testing.T) {
	forModesRules(t, []Rule{{Fault: Throttle(2500 * time.Millisecond)}}, func(t *testing.T, srv *Server) {
		r := get(t, srv, jobURL(srv, srv.AddJob(Job{})))
		wantError(t, r, 429, codeThrottled)
		if got := r.header.Get("Retry-After"); got != "3" {
			t.Errorf("Retry-After %q, want 3 (2.5s rounded up)", got)
		}
	})

	synctest.Test(t, func(t *testing.T) {
		srv := withRules(NewInMemory(), Rule{Fault: ThrottleDate(3 * time.Second)})
		defer srv.Close()
		time.Sleep(500 * time.Millisecond)
		r := get(t, srv, jobURL(srv, "x"))
		wantError(t, r, 429, codeThrottled)
		at, err := http.ParseTime(r.header.Get("Retry-After"))
		if want := time.Now().Add(3500 * time.Millisecond); err != nil || !at.Equal(want) {
			t.Errorf("Retry-After %q (%v), want %s: 3s rounded up to the second", r.header.Get("Retry-After"), err, want)
		}
	})
}

func TestLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := withRules(NewInMemory(), Rule{Fault: Latency(5 * time.Second)})
		defer srv.Close()
		id := srv.AddJob(Job{Running: 3 * time.Second})
		start := time.Now()
		j := getJob(t, srv, id)
		if waited := time.Since(start); waited != 5*time.Second {
			t.Errorf("answered after %s, want 5s", waited)
		}
		if j.Status != "Completed" {
			t.Errorf("status %s: the job's state is not taken after the latency", j.Status)
		}
		rq := srv.Requests()[0]
		if rq.Fault != "latency" || !rq.Time.Equal(start) {
			t.Errorf("recorded %q at %s, want latency at the arrival %s", rq.Fault, rq.Time, start)
		}

		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", jobURL(srv, id), nil)
		start = time.Now()
		_, err := srv.Client().Do(req)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != time.Second {
			t.Errorf("got %v after %s, want the deadline after 1s", err, time.Since(start))
		}
		if rq := srv.Requests()[1]; rq.Status != 0 {
			t.Errorf("an unanswered request recorded with status %d", rq.Status)
		}
	})

	srv := withRules(NewServer(), Rule{Fault: Latency(20 * time.Millisecond)})
	defer srv.Close()
	start := time.Now()
	getJob(t, srv, srv.AddJob(Job{}))
	if waited := time.Since(start); waited < 20*time.Millisecond {
		t.Errorf("loopback answered after %s, before the 20ms latency", waited)
	}
}

func TestResetMidBody(t *testing.T) {
	forModesRules(t, []Rule{{Fault: ResetMidBody()}}, func(t *testing.T, srv *Server) {
		id := srv.AddJob(Job{})
		resp, err := srv.Client().Get(jobURL(srv, id) + "&x=" + strconv.Itoa(1))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err == nil {
			t.Fatalf("read %d bytes without error", len(body))
		}
		if int64(len(body)) != resp.ContentLength/2 {
			t.Errorf("read %d of %d bytes, want half", len(body), resp.ContentLength)
		}
		if srv.hs == nil && !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("in memory: %v, want ECONNRESET", err)
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("error %v", err)
		}
	}, WithAuthCheck(nil))
}

func TestTruncated(t *testing.T) {
	forModesRules(t, []Rule{{Fault: Truncated()}}, func(t *testing.T, srv *Server) {
		r := get(t, srv, jobURL(srv, srv.AddJob(Job{})))
		if r.err != nil || r.status != 200 {
			t.Fatalf("HTTP %d, read error %v", r.status, r.err)
		}
		if cl, _ := strconv.Atoi(r.header.Get("Content-Length")); cl != len(r.body) || cl < 100 {
			t.Errorf("Content-Length %d, read %d", cl, len(r.body))
		}
		if json.Valid(r.body) || !strings.HasPrefix(string(r.body), `{"job":{"id":`) {
			t.Errorf("body %s: want the start of a job body", r.body)
		}
	})
}

func TestWrongJobID(t *testing.T) {
	forModesRules(t, []Rule{{Fault: WrongJobID("")}}, func(t *testing.T, srv *Server) {
		id := srv.AddJob(Job{Running: time.Hour, Entities: json.RawMessage(`{"k":1}`)})
		j := getJob(t, srv, id)
		if j.ID != id+"-other" || j.Status != "Running" || string(j.Entities) != `{"k":1}` {
			t.Errorf("got %+v", j)
		}
		hidden := srv.AddJob(Job{Invisible: time.Hour})
		wantError(t, get(t, srv, jobURL(srv, hidden)), 404, codeJobNotFound)
		done := srv.AddJob(Job{ID: "done", Outcome: Failed})
		if j := getJob(t, srv, done); j.ID != "done-other" || j.Status != "Failed" || j.Ended == "" {
			t.Errorf("terminal: %+v", j)
		}
	})

	forModesRules(t, []Rule{{Fault: WrongJobID("someone-else")}}, func(t *testing.T, srv *Server) {
		if j := getJob(t, srv, srv.AddJob(Job{})); j.ID != "someone-else" {
			t.Errorf("id %q", j.ID)
		}
	})
}

// noFollow is a client that returns redirects instead of following them.
func noFollow(c *http.Client) *http.Client {
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}

func TestRedirect(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			b := m.new()
			defer b.Close()
			a := withRules(m.new(), Rule{Fault: Redirect(b.URL())})
			defer a.Close()
			client := a.Client()
			if a.hs == nil {
				client = &http.Client{Transport: NewTransport(a, b)}
			}
			id := a.AddJob(Job{})
			req, _ := http.NewRequest("GET", jobURL(a, id), nil)
			req.Header.Set("X-Auth-Token", a.Token())
			resp, err := noFollow(client).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if want := jobURL(b, id); resp.StatusCode != 302 || resp.Header.Get("Location") != want {
				t.Fatalf("HTTP %d Location %q, want 302 %q", resp.StatusCode, resp.Header.Get("Location"), want)
			}
			if len(b.Requests()) != 0 {
				t.Fatal("B asked before anyone followed")
			}

			// A client that follows carries X-Auth-Token to B (Go drops
			// only Authorization and Cookie): B's record shows it.
			resp, err = client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := b.Requests()
			if len(got) != 1 || got[0].Header.Get("X-Auth-Token") != redactedValue || got[0].Status != 401 {
				t.Errorf("B recorded %+v, want one request with a redacted token, refused", got)
			}
			if got := lastFault(t, a); got != "redirect" {
				t.Errorf("A recorded fault %q", got)
			}
		})
	}

	srv := withRules(NewInMemory(), Rule{Fault: Redirect("https://elsewhere.invalid/some/path")})
	defer srv.Close()
	resp, err := noFollow(srv.Client()).Get(jobURL(srv, "x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "https://elsewhere.invalid/some/path" {
		t.Errorf("Location %q: a target with a path is kept as is", loc)
	}
	if _, err := srv.Client().Get(jobURL(srv, "x")); err == nil || !strings.Contains(err.Error(), "elsewhere.invalid") {
		t.Errorf("following to an unknown host: %v", err)
	}
}
