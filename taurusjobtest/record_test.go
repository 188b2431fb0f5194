package taurusjobtest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestRecordRedacts(t *testing.T) {
	forModes(t, func(t *testing.T, srv *Server) {
		id := srv.AddJob(Job{})
		req, _ := http.NewRequest("GET", jobURL(srv, id)+"&lang=1", nil)
		secrets := map[string]string{
			"X-Auth-Token":     srv.Token(),
			"Authorization":    "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abc",
			"X-Security-Token": "sts-secret",
			"Cookie":           "session=secret",
		}
		for k, v := range secrets {
			req.Header.Set(k, v)
		}
		req.Header.Set("X-Language", "en-us")
		r := do(t, srv, req)
		reqs := srv.Requests()
		if len(reqs) != 1 {
			t.Fatalf("%d requests recorded", len(reqs))
		}
		got := reqs[0]
		for k, v := range secrets {
			if got.Header.Get(k) != redactedValue {
				t.Errorf("%s recorded as %q", k, got.Header.Get(k))
			}
			if strings.Contains(fmt.Sprintf("%+v", reqs), v) {
				t.Errorf("the value of %s is in the record", k)
			}
		}
		host := strings.TrimPrefix(strings.TrimPrefix(srv.URL(), "http://"), "https://")
		if got.Header.Get("X-Language") != "en-us" || got.Method != "GET" || got.Host != host ||
			got.Path != "/v3/"+srv.ProjectID()+"/jobs" || got.Query != "id="+id+"&lang=1" || got.JobID != id ||
			got.Status != 200 || got.Code != "" || got.Fault != "" || got.RequestID != r.header.Get("X-Request-Id") ||
			got.Time.IsZero() {
			t.Errorf("recorded %+v", got)
		}
		reqs[0].Header.Set("X-Language", "changed")
		if srv.Requests()[0].Header.Get("X-Language") != "en-us" {
			t.Error("Requests shares its headers with the server")
		}
	})
}

func TestRecordBoundsAndCounts(t *testing.T) {
	all := []string{"j0", "j1", "j2", "j3", "j4", "j1", ""} // the job ids asked, in order
	for _, tc := range []struct {
		max  int
		want []string
	}{
		{2, all[5:]},
		{0, nil},
		{-1, all},
		{defaultMaxRecords, all},
	} {
		t.Run(fmt.Sprint(tc.max), func(t *testing.T) {
			srv := NewInMemory(WithMaxRecords(tc.max))
			defer srv.Close()
			known := srv.AddJob(Job{ID: "j1"})
			ask := func() {
				for i := range 5 {
					get(t, srv, jobURL(srv, fmt.Sprint("j", i)))
				}
				get(t, srv, jobURL(srv, known))
				get(t, srv, srv.URL()+"/elsewhere")
			}
			ask()
			var got []string
			for _, r := range srv.Requests() {
				got = append(got, r.JobID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("recorded %q, want %q", got, tc.want)
			}
			if n := srv.RequestCount(known); n != 2 {
				t.Errorf("RequestCount(known) = %d, want 2", n)
			}
			if n := srv.RequestCount("j3"); n != 1 {
				t.Errorf("RequestCount(unknown j3) = %d, want 1", n)
			}
			if n := srv.TotalRequests(); n != 7 {
				t.Errorf("TotalRequests = %d, want 7", n)
			}
		})
	}
}
