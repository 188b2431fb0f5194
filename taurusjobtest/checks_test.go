package taurusjobtest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

func TestChecks(t *testing.T) {
	forModes(t, func(t *testing.T, srv *Server) {
		id := srv.AddJob(Job{})
		base := srv.URL() + "/v3/" + srv.ProjectID()
		for _, tc := range []struct {
			name   string
			method string
			url    string
			token  string
			status int
			code   string
		}{
			{"no such path", "GET", srv.URL() + "/v3/jobs?id=" + id, srv.Token(), 404, codeNoSuchAPI},
			{"no such path v2", "GET", srv.URL() + "/v2/" + srv.ProjectID() + "/jobs?id=" + id, srv.Token(), 404, codeNoSuchAPI},
			{"extra segment", "GET", base + "/x/jobs?id=" + id, srv.Token(), 404, codeNoSuchAPI},
			{"POST", "POST", base + "/jobs?id=" + id, srv.Token(), 405, codeBadRequest},
			{"DELETE", "DELETE", base + "/jobs?id=" + id, srv.Token(), 405, codeBadRequest},
			{"no token", "GET", base + "/jobs?id=" + id, "", 401, codeBadAuth},
			{"bad token", "GET", base + "/jobs?id=" + id, "not-a-token", 401, codeBadAuth},
			{"other project", "GET", srv.URL() + "/v3/0123456789abcdef0123456789abcdef/jobs?id=" + id, srv.Token(), 400, codeBadRequest},
			{"no id", "GET", base + "/jobs", srv.Token(), 400, codeBadRequest},
			{"empty id", "GET", base + "/jobs?id=", srv.Token(), 400, codeBadRequest},
		} {
			t.Run(tc.name, func(t *testing.T) {
				req, err := http.NewRequest(tc.method, tc.url, nil)
				if err != nil {
					t.Fatal(err)
				}
				if tc.token != "" {
					req.Header.Set("X-Auth-Token", tc.token)
				}
				r := do(t, srv, req)
				wantError(t, r, tc.status, tc.code)
				if strings.Contains(string(r.body), srv.Token()) || (tc.token != "" && strings.Contains(string(r.body), tc.token)) {
					t.Errorf("body echoes the token: %s", r.body)
				}
			})
		}
		if r := get(t, srv, base+"/jobs?other=1&id="+id); r.status != 200 {
			t.Errorf("id after another parameter: HTTP %d %s", r.status, r.body)
		}
	}, WithProjectID("0000000000000000000000000000abcd"))
}

func TestRequestIDs(t *testing.T) {
	forModes(t, func(t *testing.T, srv *Server) {
		id := srv.AddJob(Job{})
		seen := map[string]bool{}
		for _, url := range []string{jobURL(srv, id), jobURL(srv, "unknown"), srv.URL() + "/nothing"} {
			for range 3 {
				r := get(t, srv, url)
				rid := r.header.Get("X-Request-Id")
				if len(rid) != 32 || seen[rid] {
					t.Errorf("request id %q: not 32 characters or not unique", rid)
				}
				seen[rid] = true
			}
		}
	})
}

func TestAuthCheck(t *testing.T) {
	errNoSig := errors.New("no signature")
	check := func(r *http.Request) error {
		switch r.Header.Get("Authorization") {
		case "good":
			return nil
		case "forbidden":
			return &apiError{Status: http.StatusForbidden, Code: "APIGW.0302", Message: "no permission"}
		}
		return errNoSig
	}
	forModes(t, func(t *testing.T, srv *Server) {
		id := srv.AddJob(Job{})
		for _, tc := range []struct {
			auth   string
			status int
			code   string
		}{
			{"good", 200, ""},
			{"forbidden", 403, "APIGW.0302"},
			{"", 401, codeBadAuth},
		} {
			req, _ := http.NewRequest("GET", jobURL(srv, id), nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			r := do(t, srv, req)
			if tc.status == 200 {
				if r.status != 200 {
					t.Errorf("%q: HTTP %d %s", tc.auth, r.status, r.body)
				}
				continue
			}
			wantError(t, r, tc.status, tc.code)
		}
	}, WithAuthCheck(check))

	forModes(t, func(t *testing.T, srv *Server) {
		req, _ := http.NewRequest("GET", jobURL(srv, srv.AddJob(Job{})), nil)
		if r := do(t, srv, req); r.status != 200 {
			t.Errorf("nil check: HTTP %d %s", r.status, r.body)
		}
	}, WithAuthCheck(nil))
}

func TestAuthCheckSeesHost(t *testing.T) {
	// A signature covers the host: the check must see it in memory too.
	var srv *Server
	var host string
	srv = NewInMemory(WithAuthCheck(func(r *http.Request) error {
		host = r.Host
		return srv.tokenCheck(r)
	}))
	defer srv.Close()
	get(t, srv, jobURL(srv, "x"))
	if want := strings.TrimPrefix(srv.URL(), "https://"); host != want {
		t.Errorf("check saw host %q, want %q", host, want)
	}
}

func TestTokenLifetime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := NewInMemory(WithTokenLifetime(time.Hour), WithToken("first-token"))
		defer srv.Close()
		id := srv.AddJob(Job{})
		ask := func(token string) reply {
			req, _ := http.NewRequest("GET", jobURL(srv, id), nil)
			req.Header.Set("X-Auth-Token", token)
			return do(t, srv, req)
		}
		if srv.Token() != "first-token" {
			t.Fatalf("Token() = %q", srv.Token())
		}
		time.Sleep(time.Hour - time.Nanosecond)
		if r := ask("first-token"); r.status != 200 {
			t.Fatalf("before expiry: HTTP %d %s", r.status, r.body)
		}
		fresh := srv.IssueToken()
		time.Sleep(time.Nanosecond)
		wantError(t, ask("first-token"), 401, codeTokenExpired)
		if r := ask(fresh); r.status != 200 {
			t.Fatalf("fresh token: HTTP %d %s", r.status, r.body)
		}
		time.Sleep(time.Hour)
		wantError(t, ask(fresh), 401, codeTokenExpired)
		if fresh == srv.IssueToken() {
			t.Error("IssueToken gave the same token twice")
		}
	})
}

// With WithAKSK the fake checks signatures as the gateway does: a client
// signing with the key pair gets its job; a wrong SK or a token gets 401.
func TestAKSKCheck(t *testing.T) {
	srv := NewInMemory(WithAKSK("AKTESTFAKE000000", "sk-for-the-fake"))
	defer srv.Close()
	id := srv.AddJob(Job{Running: time.Hour})
	for _, tc := range []struct {
		name string
		cfg  taurusjob.ClientConfig
		want int // 0: the job comes back
	}{
		{"right key pair", taurusjob.ClientConfig{AccessKey: "AKTESTFAKE000000", SecretKey: "sk-for-the-fake"}, 0},
		{"wrong SK", taurusjob.ClientConfig{AccessKey: "AKTESTFAKE000000", SecretKey: "another-sk"}, 401},
		{"a token instead", taurusjob.ClientConfig{Token: srv.Token()}, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Endpoint, cfg.ProjectID, cfg.HTTPClient = srv.URL(), srv.ProjectID(), srv.Client()
			c, err := taurusjob.NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			job, err := c.GetJob(context.Background(), id)
			var ae *taurusjob.APIError
			switch {
			case tc.want == 0 && (err != nil || job.ID != id):
				t.Errorf("GetJob = %v, %v; want the job", job, err)
			case tc.want != 0 && (!errors.As(err, &ae) || ae.StatusCode != tc.want):
				t.Errorf("GetJob err = %v; want HTTP %d", err, tc.want)
			}
		})
	}
}

// TestNoSuchAPIAnswerIsTheGateways: a path that is not the jobs API (an
// endpoint ending in /v3, a wrong version) is answered as the real API
// gateway does: 404 with {"error_msg","error_code":"APIGW.0101","request_id"},
// the body's request id the X-Request-Id header's, so that a client reads
// it as a wrong endpoint, not as a job not visible yet.
func TestNoSuchAPIAnswerIsTheGateways(t *testing.T) {
	forModes(t, func(t *testing.T, srv *Server) {
		r := get(t, srv, srv.URL()+"/v3/v3/"+srv.ProjectID()+"/jobs?id=x")
		var body map[string]string
		if err := json.Unmarshal(r.body, &body); err != nil {
			t.Fatalf("body %s: %v", r.body, err)
		}
		if r.status != 404 || body["error_code"] != "APIGW.0101" ||
			body["error_msg"] != "The API does not exist or has not been published in the environment" ||
			body["request_id"] == "" || body["request_id"] != r.header.Get("X-Request-Id") || len(body) != 3 {
			t.Errorf("HTTP %d %s (X-Request-Id %q); want the gateway's APIGW.0101 answer", r.status, r.body, r.header.Get("X-Request-Id"))
		}
	})
}
