package taurusjob

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
)

// listClient returns a client of svc for a loopback server.
func listClient(t *testing.T, url string, svc Service, edit func(*ClientConfig)) *Client {
	t.Helper()
	return newTestClient(t, url, func(c *ClientConfig) {
		c.Service = svc
		if edit != nil {
			edit(c)
		}
	})
}

// collect runs the iterator to its end: the jobs, and the error it ended with.
func collect(c *Client, f JobFilter) (jobs []*Job, err error) {
	for j, e := range c.ListJobs(context.Background(), f) {
		if e != nil {
			return jobs, e
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// Each service's real-shaped page reads into jobs: the id, name, status,
// percent, instance, times, fail reason and order id from the service's
// own field names (job_id or id, process or progress, flat instance_id or
// instance_info, created_time, create_time in ms or created_at), and Raw
// is each item byte for byte, as --output json prints it.
func TestListJobsReadsEachServicesPage(t *testing.T) {
	cst := time.FixedZone("", 8*3600)
	tests := []struct {
		svc  Service
		file string
		want []Job
	}{
		{ServiceTaurusDB, "list/taurusdb.json", []Job{
			{ID: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", Name: "CreateGaussDBforMySQLInstance", Status: StatusRunning, Progress: 45,
				Instance: Instance{ID: "c0e1a2b3c4d5e6f7a8b9c0d1e2f3a4b5in07", Name: "orders-taurus-01"}, OrderID: "CS2405201402ABCDE",
				Created: time.Date(2024, 5, 20, 14, 2, 11, 0, cst)},
			{ID: "1b2c3d4e-5f60-4b7c-9d8e-0f1a2b3c4d5e", Name: "RebootGaussDBforMySQLInstance", Status: StatusFailed, Progress: -1,
				Instance: Instance{ID: "c0e1a2b3c4d5e6f7a8b9c0d1e2f3a4b5in07", Name: "orders-taurus-01"},
				Created:  time.Date(2024, 5, 19, 9, 30, 0, 0, cst), Ended: time.Date(2024, 5, 19, 9, 34, 12, 0, cst),
				FailReason: "The node did not start in time."}}},
		{ServiceRDS, "list/rds.json", []Job{
			{ID: "dff1d289-4d03-4942-8b9f-463ea07c000d", Name: "CreateMysqlInstance", Status: StatusRunning, Progress: 60,
				Instance: Instance{ID: "6e2a9b0c4d1f4e7a8b3c5d9e0f1a2b3cin01", Name: "orders-mysql-01"}, OrderID: "CS2405201402FGHIJ",
				Created: time.UnixMilli(1716184931000)},
			{ID: "c4d5e6f7-0819-4a2b-8c3d-4e5f60718293", Name: "EnlargeVolume", Status: StatusCompleted, Progress: -1,
				Instance: Instance{ID: "6e2a9b0c4d1f4e7a8b3c5d9e0f1a2b3cin01", Name: "orders-mysql-01"},
				Created:  time.Date(2024, 5, 22, 3, 0, 5, 0, cst), Ended: time.Date(2024, 5, 22, 3, 1, 58, 0, cst)}}},
		{ServiceOpenGauss, "list/opengauss.json", []Job{
			{ID: "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b", Name: "CreateGaussDBV5Instance", Status: StatusRunning, Progress: 20,
				Instance: Instance{ID: "2f1e0d9c8b7a4f6e5d4c3b2a1f0e9d8cin14", Name: "ledger-gauss-01"},
				Created:  time.UnixMilli(1716184931000)}}},
		{ServiceDDS, "list/dds.json", []Job{
			{ID: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", Name: "CreateMongoDB", Status: StatusCompleted, Progress: 100,
				Instance: Instance{ID: "8d7c6b5a4f3e4d2c1b0a9f8e7d6c5b4ain02", Name: "events-dds-01"},
				Created:  time.Date(2024, 5, 20, 14, 2, 11, 0, cst), Ended: time.Date(2024, 5, 20, 14, 12, 40, 0, cst)}}},
	}
	for _, tt := range tests {
		t.Run(tt.svc.String(), func(t *testing.T) {
			body := readFixture(t, tt.file)
			srv := newServer(t, serveBody(200, body, nil))
			got, err := collect(listClient(t, srv.URL, tt.svc, nil), JobFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d jobs, want %d", len(got), len(tt.want))
			}
			for i, j := range got {
				w := tt.want[i]
				if !bytes.Contains(body, j.Raw) || !json.Valid(j.Raw) || j.Raw[0] != '{' {
					t.Errorf("job %d: Raw %s is not an item of the page byte for byte", i, j.Raw)
				}
				if j.ID != w.ID || j.Name != w.Name || j.Status != w.Status || j.Progress != w.Progress ||
					j.Instance != w.Instance || j.OrderID != w.OrderID || j.FailReason != w.FailReason ||
					!j.Created.Equal(w.Created) || !j.Ended.Equal(w.Ended) {
					j.Raw = nil
					t.Errorf("job %d:\n got %+v\nwant %+v", i, *j, w)
				}
			}
		})
	}
}

// pagedServer answers the i-th request (from 0) with page(i).
func pagedServer(t *testing.T, page func(i int, r *http.Request) (int, string)) *recordingServer {
	n := 0
	return newServer(t, func(w http.ResponseWriter, r *http.Request) {
		status, body := page(n, r)
		n++
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	})
}

// fullPage is a TaurusDB page of size jobs whose ids start with prefix.
func fullPage(prefix string, size int) string {
	items := make([]string, size)
	for i := range items {
		items[i] = fmt.Sprintf(`{"job_id":"%s-%d","job_name":"X","status":"Running","process":"%d%%"}`, prefix, i, i)
	}
	return `{"jobs":[` + strings.Join(items, ",") + `],"total_count":999}`
}

// A page that fails ends the list with one error that says which page,
// at which offset, after how many jobs, and wraps the API's error; the
// jobs of the pages before it came first.
func TestListJobsFailingSecondPage(t *testing.T) {
	srv := pagedServer(t, func(i int, _ *http.Request) (int, string) {
		if i == 0 {
			return 200, fullPage("a", 10)
		}
		return 503, `{"error_code":"DBS.280503","error_msg":"Service busy."}`
	})
	c := listClient(t, srv.URL, ServiceTaurusDB, nil)
	var jobs, errs int
	var last error
	for j, err := range c.ListJobs(context.Background(), JobFilter{PageSize: 10}) {
		if err != nil {
			errs++
			last = err
			continue
		}
		if errs > 0 || j == nil {
			t.Fatal("a job after the error, or a nil job")
		}
		jobs++
	}
	ae := asAPIError(t, last)
	if jobs != 10 || errs != 1 || ae.StatusCode != 503 || srv.requests() != 2 {
		t.Fatalf("jobs %d, errors %d, status %d, requests %d; want 10, 1, 503, 2", jobs, errs, ae.StatusCode, srv.requests())
	}
	if msg := last.Error(); !strings.Contains(msg, "page 2 (offset 2, after 10 jobs)") || !strings.Contains(msg, "Service busy") {
		t.Errorf("error %q does not say where the list failed and why", msg)
	}
}

// A server that ignores the offset sends the same page again: the list
// stops with an error on the second page rather than looping forever.
// A page that only overlaps the previous one (the list moved) goes on,
// without the job given twice.
func TestListJobsRepeatingPage(t *testing.T) {
	srv := pagedServer(t, func(int, *http.Request) (int, string) { return 200, fullPage("same", 10) })
	jobs, err := collect(listClient(t, srv.URL, ServiceTaurusDB, nil), JobFilter{PageSize: 10})
	asAPIError(t, err)
	if len(jobs) != 10 || srv.requests() != 2 || !strings.Contains(err.Error(), "repeats") {
		t.Fatalf("%d jobs, %d requests, error %v; want 10, 2, a repeated page", len(jobs), srv.requests(), err)
	}

	shifted := pagedServer(t, func(i int, _ *http.Request) (int, string) {
		if i == 0 {
			return 200, fullPage("j", 10)
		}
		return 200, `{"jobs":[{"job_id":"j-9","status":"Running"},{"job_id":"k","status":"Running"}]}`
	})
	jobs, err = collect(listClient(t, shifted.URL, ServiceTaurusDB, nil), JobFilter{PageSize: 10})
	if err != nil || len(jobs) != 11 || jobs[10].ID != "k" {
		t.Fatalf("%d jobs, %v; want 11, the overlap skipped", len(jobs), err)
	}
}

// A server whose every page is full and new cannot stream forever: the
// list stops after 1000 pages with an error that says so.
func TestListJobsBoundsThePages(t *testing.T) {
	srv := pagedServer(t, func(i int, _ *http.Request) (int, string) {
		return 200, fmt.Sprintf(`{"tasks":[{"id":"t-%d","status":"Running"}]}`, i)
	})
	jobs, err := collect(listClient(t, srv.URL, ServiceRDS, nil), JobFilter{PageSize: 1})
	asAPIError(t, err)
	if len(jobs) != maxListPages || srv.requests() != maxListPages || !strings.Contains(err.Error(), "1000 pages") {
		t.Fatalf("%d jobs, %d requests, %v", len(jobs), srv.requests(), err)
	}
}

// A 200 that is not a job list (another shape, an item that is not an
// object, a body over the limit) is an *APIError, not an empty list.
func TestListJobsMalformedPage(t *testing.T) {
	for _, body := range []string{`{"job":{"id":"x"}}`, `{"jobs":{}}`, `{"jobs":["x"]}`, `[`, `{"jobs":[` + strings.Repeat(" ", 2048) + `]}`} {
		srv := newServer(t, serveBody(200, []byte(body), nil))
		_, err := collect(listClient(t, srv.URL, ServiceTaurusDB, func(c *ClientConfig) { c.MaxBodyBytes = 1024 }), JobFilter{})
		if ae := asAPIError(t, err); ae.StatusCode != 200 {
			t.Errorf("%.40s: %v", body, err)
		}
	}
}

// A filter no request could carry is refused before anything is sent:
// every error matches ErrInvalidInput and names what is wrong.
func TestListJobsRefusesABadFilter(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name  string
		svc   Service
		f     JobFilter
		field string
	}{
		{"unknown status", ServiceTaurusDB, JobFilter{Status: "Done"}, "job filter"},
		{"Pending on RDS", ServiceRDS, JobFilter{Status: StatusPending}, "job filter"},
		{"bad job id", ServiceRDS, JobFilter{ID: "a b"}, "job id"},
		{"bad instance", ServiceDDS, JobFilter{Instance: "x&y=1"}, "instance id"},
		{"bad name", ServiceOpenGauss, JobFilter{Name: "Create\nX"}, "job name"},
		{"until before since", ServiceTaurusDB, JobFilter{Since: now, Until: now.Add(-time.Hour)}, "job filter"},
		{"DDS over 30 days", ServiceDDS, JobFilter{Since: now.Add(-31 * 24 * time.Hour), Until: now}, "job filter"},
		{"DDS since 31 days ago", ServiceDDS, JobFilter{Since: now.Add(-31 * 24 * time.Hour)}, "job filter"},
		{"TaurusDB page size 30", ServiceTaurusDB, JobFilter{PageSize: 30}, "job filter"},
		{"RDS page size 51", ServiceRDS, JobFilter{PageSize: 51}, "job filter"},
		{"negative page size", ServiceDDS, JobFilter{PageSize: -1}, "job filter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := okServer(t)
			_, err := collect(listClient(t, srv.URL, tt.svc, nil), tt.f)
			checkInvalid(t, err, tt.field)
			if srv.requests() != 0 {
				t.Errorf("%d requests sent", srv.requests())
			}
		})
	}
}

// A server that echoes the credentials into the list, escaped, and then
// into the error of the next page, shows no piece of them in any job
// field, Raw, or the error.
func TestListJobsCredentialEcho(t *testing.T) {
	for _, cc := range credentialCases {
		t.Run(cc.name, func(t *testing.T) {
			var sent []string
			srv := pagedServer(t, func(i int, r *http.Request) (int, string) {
				secrets := requestSecrets(r)
				sent = append(sent, secrets...)
				all := jsonEscapeAll(strings.Join(secrets, " "))
				if i == 1 {
					return 400, fmt.Sprintf(`{"error_code":"DBS.200001","error_msg":"bad token %s"}`, all)
				}
				item := fmt.Sprintf(`{"id":"t-%%d","name":"%[1]s","status":"%[1]s","process":"%[1]s","instance_id":"%[1]s",`+
					`"instance_name":"%[1]s","order_id":"%[1]s","fail_reason":"%[1]s","create_time":"%[1]s"}`, all)
				return 200, `{"tasks":[` + fmt.Sprintf(item, 1) + `,` + fmt.Sprintf(item, 2) + `]}`
			})
			c := listClient(t, srv.URL, ServiceRDS, cc.edit)
			jobs, err := collect(c, JobFilter{PageSize: 2})
			secrets := append(sent, cc.secrets...)
			secretcheck.AssertError(t, "ListJobs", err, secrets...)
			if len(jobs) != 2 {
				t.Fatalf("%d jobs, %v", len(jobs), err)
			}
			for _, j := range jobs {
				secretcheck.Assert(t, "job", fmt.Sprintf("%+v %s", *j, j.Raw), secrets...)
				if !strings.Contains(j.FailReason, "[REDACTED]") || !json.Valid(j.Raw) {
					t.Errorf("fail_reason %q, Raw %s: want the secret replaced and Raw still JSON", j.FailReason, j.Raw)
				}
			}
			if !strings.Contains(err.Error(), "[REDACTED]") {
				t.Errorf("error %q: want the echoed secret replaced", err)
			}
		})
	}
}

// listTime reads the forms the lists use: milliseconds, seconds, and the
// text forms; nonsense is zero.
func TestListTime(t *testing.T) {
	want := time.Date(2024, 5, 20, 6, 2, 11, 0, time.UTC)
	for _, s := range []string{"1716184931000", "1716184931", "2024-05-20T14:02:11+0800", "2024-05-20T06:02:11Z", " 1716184931000 "} {
		if got := listTime(s); !got.Equal(want) {
			t.Errorf("listTime(%q) = %v", s, got)
		}
	}
	for _, s := range []string{"", "0", "-5", "99999999999999999", "soon", strconv.Itoa(1 << 62)} {
		if got := listTime(s); !got.IsZero() {
			t.Errorf("listTime(%q) = %v, want zero", s, got)
		}
	}
}

// A list whose ctx is canceled ends with one error matching
// context.Canceled, after the jobs of the pages before.
func TestListJobsCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := pagedServer(t, func(i int, _ *http.Request) (int, string) {
		if i == 1 {
			cancel()
		}
		return 200, fullPage(strconv.Itoa(i), 10)
	})
	var jobs int
	var last error
	for _, err := range listClient(t, srv.URL, ServiceTaurusDB, nil).ListJobs(ctx, JobFilter{PageSize: 10}) {
		if err != nil {
			last = err
			continue
		}
		jobs++
	}
	if !errors.Is(last, context.Canceled) || jobs != 10 {
		t.Fatalf("%d jobs, %v; want 10 and context.Canceled", jobs, last)
	}
}

// FuzzListPage: whatever a 200 page holds, reading it neither panics nor
// gives a job whose Raw is not one JSON object of the page.
func FuzzListPage(f *testing.F) {
	for _, name := range []string{"taurusdb", "rds", "opengauss", "dds"} {
		b, err := os.ReadFile(filepath.Join("testdata", "list", name+".json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"jobs":[{"job_id":1,"process":{},"instance_info":[]}],"tasks":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := &Client{maxBody: 1 << 20}
		r := &reply{resp: &http.Response{StatusCode: 200, Header: http.Header{}}, body: body}
		for _, key := range []string{"jobs", "tasks"} {
			jobs, err := c.pageFrom(r, key, nil)
			if err != nil {
				asAPIError(t, err)
				continue
			}
			for _, j := range jobs {
				if !json.Valid(j.Raw) || j.Raw[0] != '{' || !bytes.Contains(body, j.Raw) {
					t.Fatalf("Raw %q is not an object of the page", j.Raw)
				}
				if j.Progress < -1 || j.Progress > 100 {
					t.Fatalf("Progress %d", j.Progress)
				}
			}
		}
	})
}
