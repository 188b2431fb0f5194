package taurusjobtest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// The job lists refuse what each service documents as invalid with 400
// DBS.200001 (a limit TaurusDB does not allow, a start without an end on
// RDS, a DDS range missing or over 30 days, an unknown status), answer a
// request without credentials 401 and another project 400, as the jobs
// API does, and serve the list of another service's path nowhere.
func TestJobListRefusals(t *testing.T) {
	tests := []struct {
		svc          taurusjob.Service
		path, query  string
		status       int
		code         string
		noCredential bool
	}{
		{taurusjob.ServiceTaurusDB, "/v3/P/immediate-jobs", "limit=30", 400, codeBadRequest, false},
		{taurusjob.ServiceTaurusDB, "/v3/P/immediate-jobs", "offset=0", 400, codeBadRequest, false},
		{taurusjob.ServiceTaurusDB, "/v3/P/immediate-jobs", "status=Done", 400, codeBadRequest, false},
		{taurusjob.ServiceTaurusDB, "/v3/P/immediate-jobs", "", 401, codeBadAuth, true},
		{taurusjob.ServiceTaurusDB, "/v3/other/immediate-jobs", "", 400, codeBadRequest, false},
		{taurusjob.ServiceTaurusDB, "/v3/P/tasklist", "", 404, codeNoSuchAPI, false},
		{taurusjob.ServiceRDS, "/v3/P/tasklist", "start_time=1", 400, codeBadRequest, false},
		{taurusjob.ServiceRDS, "/v3/P/tasklist", "limit=51", 400, codeBadRequest, false},
		{taurusjob.ServiceRDS, "/v3/P/tasklist", "status=Pending", 400, codeBadRequest, false},
		{taurusjob.ServiceOpenGauss, "/v3/P/tasks", "limit=101", 400, codeBadRequest, false},
		{taurusjob.ServiceDDS, "/v3.1/P/jobs", "", 400, codeBadRequest, false},
		{taurusjob.ServiceDDS, "/v3.1/P/jobs", "start_time=2026-01-01T00:00:00%2B0000&end_time=2026-02-15T00:00:00%2B0000", 400, codeBadRequest, false},
	}
	for _, tt := range tests {
		srv := NewInMemory(WithService(tt.svc))
		req, _ := http.NewRequest(http.MethodGet, srv.URL()+strings.Replace(tt.path, "/P/", "/"+srv.ProjectID()+"/", 1)+"?"+tt.query, nil)
		if !tt.noCredential {
			req.Header.Set("X-Auth-Token", srv.Token())
		}
		wantError(t, do(t, srv, req), tt.status, tt.code)
		srv.Close()
	}
}

// A DDS page has no total_count (TF: it is not returned); the others
// count every matching job, beyond the page.
func TestJobListTotalCount(t *testing.T) {
	for _, svc := range taurusjob.Services() {
		srv := NewInMemory(WithService(svc))
		for range 3 {
			srv.AddJob(Job{})
		}
		spec := listSpecs[svc]
		url := srv.URL() + "/" + spec.version + "/" + srv.ProjectID() + "/" + spec.suffix + "?limit=10"
		if svc == taurusjob.ServiceDDS {
			at := func(d time.Duration) string { return time.Now().UTC().Add(d).Format("2006-01-02T15:04:05") + "%2B0000" }
			url += "&start_time=" + at(-time.Hour) + "&end_time=" + at(time.Hour)
		}
		r := get(t, srv, url)
		var page map[string]json.RawMessage
		if err := json.Unmarshal(r.body, &page); err != nil || r.status != 200 {
			t.Fatalf("%v: HTTP %d %s", svc, r.status, r.body)
		}
		total, has := page["total_count"]
		if has == (svc == taurusjob.ServiceDDS) || has && string(total) != "3" {
			t.Errorf("%v: total_count %s (present %v)", svc, total, has)
		}
		srv.Close()
	}
}
