package taurusjob_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// listFake is an in-memory fake API of svc and a Client of that service.
func listFake(t *testing.T, svc taurusjob.Service) (*taurusjobtest.Server, *taurusjob.Client) {
	t.Helper()
	srv := taurusjobtest.NewInMemory(taurusjobtest.WithService(svc))
	t.Cleanup(srv.Close)
	c, err := taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: srv.URL(), ProjectID: srv.ProjectID(),
		Token: srv.Token(), HTTPClient: srv.Client(), Service: svc})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func listAll(t *testing.T, c *taurusjob.Client, f taurusjob.JobFilter) []*taurusjob.Job {
	t.Helper()
	var jobs []*taurusjob.Job
	for j, err := range c.ListJobs(context.Background(), f) {
		if err != nil {
			t.Fatalf("after %d jobs: %v", len(jobs), err)
		}
		jobs = append(jobs, j)
	}
	return jobs
}

// queries returns the raw queries the server was asked, parsed.
func queries(srv *taurusjobtest.Server) []url.Values {
	var qs []url.Values
	for _, r := range srv.Requests() {
		q, _ := url.ParseQuery(r.Query)
		qs = append(qs, q)
	}
	return qs
}

// For every service, a list longer than a page comes whole, newest first,
// each job once and in its state at the time (a running job's percent),
// with the offset each service pages by: TaurusDB a page number from 1,
// the others an item index from 0. The last page is short: no request
// after it.
func TestListJobsPagesEachService(t *testing.T) {
	for _, svc := range taurusjob.Services() {
		t.Run(svc.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv, c := listFake(t, svc)
				start := time.Now()
				var ids []string
				for i := range 23 {
					ids = append(ids, srv.AddJob(taurusjobtest.Job{Created: start.Add(time.Duration(i) * time.Minute),
						Running: time.Hour, Profile: taurusjobtest.StuckAt(40)}))
				}
				time.Sleep(30 * time.Minute) // 23 jobs created, all running at 40%
				jobs := listAll(t, c, taurusjob.JobFilter{PageSize: 10})
				if len(jobs) != 23 {
					t.Fatalf("%d jobs, want 23", len(jobs))
				}
				for i, j := range jobs {
					if want := ids[22-i]; j.ID != want || j.Status != taurusjob.StatusRunning || j.Progress != 40 || j.Instance.ID == "" {
						t.Errorf("job %d: %s %s %d%% on %q; want %s Running 40%% on an instance", i, j.ID, j.Status, j.Progress, j.Instance.ID, want)
					}
				}
				wantOffsets := []string{"0", "10", "20"}
				if svc == taurusjob.ServiceTaurusDB {
					wantOffsets = []string{"1", "2", "3"}
				}
				qs := queries(srv)
				if len(qs) != 3 {
					t.Fatalf("%d requests, want 3", len(qs))
				}
				for i, q := range qs {
					if q.Get("offset") != wantOffsets[i] || q.Get("limit") != "10" {
						t.Errorf("request %d: offset %q limit %q, want %s and 10", i, q.Get("offset"), q.Get("limit"), wantOffsets[i])
					}
				}
			})
		})
	}
}

// Each filter reaches the server as the service spells it, and where the
// API has no such filter the client applies it: the answer holds only
// the job asked for, whatever the service.
func TestListJobsFiltersAsEachServiceSpellsThem(t *testing.T) {
	tests := []struct {
		svc  taurusjob.Service
		name string
		want map[string]string // parameter: value; "" means absent, "*" any value
	}{
		{taurusjob.ServiceTaurusDB, "CreateGaussDBforMySQLInstance", map[string]string{"status": "Running", "job_name": "CreateGaussDBforMySQLInstance",
			"job_id": "*", "instance_id": "", "start_time": "2026-01-01T00:00:00+0000", "end_time": "*"}},
		{taurusjob.ServiceRDS, "CreateMysqlInstance", map[string]string{"status": "Running", "name": "CreateMysqlInstance",
			"id": "*", "instance_id": "*", "start_time": "1767225600000", "end_time": "*"}},
		{taurusjob.ServiceOpenGauss, "CreateGaussDBV5Instance", map[string]string{"status": "Running", "name": "CreateGaussDBV5Instance",
			"id": "", "job_id": "", "instance_id": "", "start_time": "1767225600000", "end_time": "*"}},
		{taurusjob.ServiceDDS, "CreateMongoDB", map[string]string{"status": "Running", "name": "CreateMongoDB",
			"id": "*", "instance_id": "", "start_time": "2026-01-01T00:00:00+0000", "end_time": "2026-01-01T01:01:00+0000"}},
	}
	for _, tt := range tests {
		t.Run(tt.svc.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv, c := listFake(t, tt.svc)
				since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
				time.Sleep(time.Until(since.Add(time.Hour)))
				inst := taurusjobtest.Instance{ID: "aaaabbbbccccddddeeeeffff00001111in07", Name: "a"}
				want := srv.AddJob(taurusjobtest.Job{Running: time.Hour, Instance: inst})
				srv.AddJob(taurusjobtest.Job{Running: time.Hour, Instance: inst}) // another id
				srv.AddJob(taurusjobtest.Job{Running: time.Hour})                 // another instance
				srv.AddJob(taurusjobtest.Job{Instance: inst})                     // Completed
				srv.AddJob(taurusjobtest.Job{Running: time.Hour, Instance: inst, Name: "Other"})
				srv.AddJob(taurusjobtest.Job{Running: time.Hour, Instance: inst, Created: since.Add(-time.Hour)}) // too old
				f := taurusjob.JobFilter{Status: "running", Name: tt.name, ID: want, Instance: inst.ID, Since: since}
				jobs := listAll(t, c, f)
				if len(jobs) != 1 || jobs[0].ID != want {
					t.Fatalf("%d jobs (%v), want only %s", len(jobs), jobs, want)
				}
				q := queries(srv)[0]
				for k, v := range tt.want {
					if got, has := q.Get(k), q.Has(k); v == "" && has || v == "*" && got == "" || v != "" && v != "*" && got != v {
						t.Errorf("%s = %q (sent: %v), want %q", k, got, has, v)
					}
				}
			})
		})
	}
}

// On TaurusDB, whose API has no instance filter, only the instance's jobs
// come, across pages of other instances' jobs.
func TestListJobsFiltersTheInstanceOnTheClient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, c := listFake(t, taurusjob.ServiceTaurusDB)
		inst := taurusjobtest.Instance{ID: "0123456789abcdef0123456789abcdefin07", Name: "mine"}
		var mine []string
		for i := range 35 {
			j := taurusjobtest.Job{Created: time.Now().Add(-time.Duration(i) * time.Second)}
			if i%7 == 0 {
				j.Instance = inst
			}
			if id := srv.AddJob(j); i%7 == 0 {
				mine = append(mine, id)
			}
		}
		jobs := listAll(t, c, taurusjob.JobFilter{Instance: inst.ID, PageSize: 10})
		if len(jobs) != len(mine) || srv.TotalRequests() != 4 {
			t.Fatalf("%d jobs in %d requests, want %d in 4", len(jobs), srv.TotalRequests(), len(mine))
		}
		for i, j := range jobs {
			if j.ID != mine[i] || j.Instance.ID != inst.ID {
				t.Errorf("job %d: %s on %s", i, j.ID, j.Instance.ID)
			}
		}
	})
}

// A loop that breaks stops the listing: no request for the next page.
func TestListJobsStopsWhenTheLoopBreaks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, c := listFake(t, taurusjob.ServiceDDS)
		for range 30 {
			srv.AddJob(taurusjobtest.Job{})
		}
		n := 0
		for _, err := range c.ListJobs(context.Background(), taurusjob.JobFilter{PageSize: 10}) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == 12 {
				break
			}
		}
		if srv.TotalRequests() != 2 {
			t.Fatalf("%d requests after a break in page 2, want 2", srv.TotalRequests())
		}
	})
}

// DDS needs a range of at most 30 days: with none, the last 30 days are
// asked for; with only an end, the 30 days before it.
func TestListJobsDDSRange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, c := listFake(t, taurusjob.ServiceDDS)
		listAll(t, c, taurusjob.JobFilter{})
		listAll(t, c, taurusjob.JobFilter{Until: time.Now().Add(-90 * 24 * time.Hour)})
		for i, q := range queries(srv) {
			start, err1 := time.Parse("2006-01-02T15:04:05-0700", q.Get("start_time"))
			end, err2 := time.Parse("2006-01-02T15:04:05-0700", q.Get("end_time"))
			if err1 != nil || err2 != nil || end.Sub(start) != 30*24*time.Hour {
				t.Errorf("request %d: %s to %s, want 30 days", i, q.Get("start_time"), q.Get("end_time"))
			}
		}
	})
}

// WaitInstanceJobs waits for the jobs of the instance that had not ended
// (Pending or Running), not its finished ones nor other instances' jobs,
// and returns each one's end; on a getter that cannot list, it says so.
func TestWaitInstanceJobs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, c := listFake(t, taurusjob.ServiceTaurusDB)
		inst := taurusjobtest.Instance{ID: "0123456789abcdef0123456789abcdefin07", Name: "mine"}
		running := srv.AddJob(taurusjobtest.Job{Running: 10 * time.Minute, Instance: inst})
		pending := srv.AddJob(taurusjobtest.Job{Pending: time.Minute, Running: time.Minute, Instance: inst,
			Outcome: taurusjobtest.Failed, Created: time.Now().Add(-time.Second)})
		srv.AddJob(taurusjobtest.Job{Instance: inst, Created: time.Now().Add(-time.Hour)}) // done
		srv.AddJob(taurusjobtest.Job{Running: time.Hour})                                  // elsewhere
		w, err := taurusjob.NewWaiter(c, taurusjob.WithTimeout(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		res, err := w.WaitInstanceJobs(context.Background(), inst.ID)
		if err != nil || len(res) != 2 {
			t.Fatalf("%v, %v; want 2 results", res, err)
		}
		if res[0].JobID != running || res[0].Err != nil || res[0].Job.Status != taurusjob.StatusCompleted {
			t.Errorf("first: %+v, want %s Completed", res[0], running)
		}
		if res[1].JobID != pending || !errors.Is(res[1].Err, taurusjob.ErrJobFailed) {
			t.Errorf("second: %+v, want %s failed", res[1], pending)
		}

		none, err := w.WaitInstanceJobs(context.Background(), "ffff0000ffff0000ffff0000ffff0000in07")
		if err != nil || none == nil || len(none) != 0 {
			t.Errorf("an idle instance: %v, %v; want an empty slice", none, err)
		}
		plain, _ := taurusjob.NewWaiter(getterFunc(func(context.Context, string) (*taurusjob.Job, error) { return nil, nil }))
		if _, err := plain.WaitInstanceJobs(context.Background(), inst.ID); !errors.Is(err, taurusjob.ErrInvalidInput) {
			t.Errorf("a getter that cannot list: %v, want ErrInvalidInput", err)
		}
		if _, err := w.WaitInstanceJobs(context.Background(), ""); !errors.Is(err, taurusjob.ErrInvalidInput) {
			t.Errorf("no instance: %v, want ErrInvalidInput", err)
		}
	})
}

// A prepaid job's order id comes with it from the lists that show one
// (TaurusDB, RDS), and stays empty from the others.
func TestListJobsOrderID(t *testing.T) {
	for _, svc := range taurusjob.Services() {
		synctest.Test(t, func(t *testing.T) {
			srv, c := listFake(t, svc)
			srv.AddJob(taurusjobtest.Job{Running: time.Hour, OrderID: "CS2405201402ABCDE"})
			jobs := listAll(t, c, taurusjob.JobFilter{})
			want := ""
			if svc == taurusjob.ServiceTaurusDB || svc == taurusjob.ServiceRDS {
				want = "CS2405201402ABCDE"
			}
			if len(jobs) != 1 {
				t.Fatalf("%v: %d jobs, want 1", svc, len(jobs))
			}
			if jobs[0].OrderID != want {
				t.Errorf("%v: order id %q, want %q", svc, jobs[0].OrderID, want)
			}
		})
	}
}
