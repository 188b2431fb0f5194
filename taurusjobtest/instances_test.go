package taurusjobtest

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// instanceClient is a Client of svc on srv.
func instanceClient(t *testing.T, srv *Server, svc taurusjob.Service) *taurusjob.Client {
	t.Helper()
	c, err := taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: srv.URL(), ProjectID: srv.ProjectID(),
		Token: srv.Token(), HTTPClient: srv.Client(), Service: svc})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// getInstance reads id through c, failing the test on an error.
func getInstance(t *testing.T, c *taurusjob.Client, id string) *taurusjob.InstanceInfo {
	t.Helper()
	info, err := c.GetInstance(context.Background(), id)
	if err != nil {
		t.Fatalf("GetInstance(%s): %v", id, err)
	}
	return info
}

// TestInstancesOfEveryService: the fake serves an instance in the shape
// of the service it is configured for, at the path that service serves,
// so that the Client's GetInstance reads it (status, nodes, DDS's groups
// and actions), and answers an unknown instance as the service does: a
// 404 for TaurusDB, an empty list for the others.
func TestInstancesOfEveryService(t *testing.T) {
	nodes := map[taurusjob.Service][]string{
		taurusjob.ServiceTaurusDB:  {"master", "slave"},
		taurusjob.ServiceRDS:       {"master", "slave"},
		taurusjob.ServiceOpenGauss: {"master", "slave", "slave"},
		taurusjob.ServiceDDS:       {"Primary", "Secondary", "Hidden"},
	}
	for _, svc := range taurusjob.Services() {
		t.Run(svc.String(), func(t *testing.T) {
			forModes(t, func(t *testing.T, srv *Server) {
				id := srv.AddInstance(InstanceScript{Name: "orders"})
				c := instanceClient(t, srv, svc)
				info := getInstance(t, c, id)
				var roles []string
				for _, n := range info.Nodes {
					roles = append(roles, n.Role)
					if n.ID == "" || n.Status != info.Status {
						t.Errorf("node %+v: want an id and the instance's status", n)
					}
				}
				if info.ID != id || info.Name != "orders" || info.Status != readyStatus(svc) || info.Actions != nil ||
					!slices.Equal(roles, nodes[svc]) || len(info.Raw) == 0 {
					t.Errorf("got %+v", info)
				}
				_, err := c.GetInstance(context.Background(), id+"x")
				_, isAPI := errors.AsType[*taurusjob.APIError](err)
				if !errors.Is(err, taurusjob.ErrInstanceNotFound) || isAPI != (svc == taurusjob.ServiceTaurusDB) {
					t.Errorf("unknown instance: %v (an *APIError: %v); want not found, a 404 for TaurusDB only", err, isAPI)
				}
				reqs := srv.Requests()
				if r := reqs[0]; r.InstanceID != id || r.JobID != "" || r.Status != http.StatusOK {
					t.Errorf("recorded %+v", r)
				}
			}, WithService(svc))
		})
	}
}

// TestInstanceLifecycle: a scripted instance goes through its steps by
// the fake clock (synctest) and stays in the last; DDS's actions come and
// go with their step; failure and billing statuses are served as given.
func TestInstanceLifecycle(t *testing.T) {
	type read struct {
		at      time.Duration
		status  string
		actions []string
	}
	tests := []struct {
		svc   taurusjob.Service
		steps []InstanceStep
		reads []read
	}{
		{taurusjob.ServiceTaurusDB, []InstanceStep{{Status: "BUILD", For: 5 * time.Minute}, {Status: "ACTIVE", For: time.Minute},
			{Status: "BACKING UP", For: 2 * time.Minute}, {Status: "ACTIVE"}},
			[]read{{0, "BUILD", nil}, {5*time.Minute - 1, "BUILD", nil}, {5 * time.Minute, "ACTIVE", nil},
				{6 * time.Minute, "BACKING UP", nil}, {8 * time.Minute, "ACTIVE", nil}, {24 * time.Hour, "ACTIVE", nil}}},
		{taurusjob.ServiceDDS, []InstanceStep{{Status: "creating", For: time.Minute},
			{Status: "normal", Actions: []string{"RESTARTING"}, For: time.Minute}, {Status: "normal"}},
			[]read{{0, "creating", nil}, {time.Minute, "normal", []string{"RESTARTING"}}, {2 * time.Minute, "normal", nil}}},
		{taurusjob.ServiceRDS, []InstanceStep{{Status: "BUILD", For: time.Minute}, {Status: "FAILED"}},
			[]read{{0, "BUILD", nil}, {time.Hour, "FAILED", nil}}},
		{taurusjob.ServiceDDS, []InstanceStep{{Status: "creating", For: time.Minute}, {Status: "skipped", For: 0}, {Status: "createfail"}},
			[]read{{30 * time.Second, "creating", nil}, {time.Minute, "createfail", nil}}},
		{taurusjob.ServiceOpenGauss, []InstanceStep{{Status: "FROZEN"}}, []read{{0, "FROZEN", nil}, {time.Hour, "FROZEN", nil}}},
	}
	for _, tt := range tests {
		t.Run(tt.svc.String()+"/"+tt.steps[len(tt.steps)-1].Status, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := NewInMemory(WithService(tt.svc))
				defer srv.Close()
				start := time.Now()
				id := srv.AddInstance(InstanceScript{Steps: tt.steps})
				c := instanceClient(t, srv, tt.svc)
				for _, rd := range tt.reads {
					time.Sleep(time.Until(start.Add(rd.at)))
					info := getInstance(t, c, id)
					if info.Status != rd.status || !slices.Equal(info.Actions, rd.actions) {
						t.Errorf("at %v: %q %q, want %q %q", rd.at, info.Status, info.Actions, rd.status, rd.actions)
					}
				}
			})
		})
	}
}

// TestInstanceDrivenByJob: a job that names the instance and completes
// sets off the post-job life (ready briefly, backing up, ready: what a
// wait's settle time is for) from the job's end; a failed job leaves the
// instance to its own script; AfterJob replaces the default.
func TestInstanceDrivenByJob(t *testing.T) {
	tests := []struct {
		name     string
		svc      taurusjob.Service
		outcome  Outcome
		afterJob []InstanceStep
		reads    map[time.Duration]string // after the job's end
	}{
		{"completed", taurusjob.ServiceTaurusDB, Completed, nil,
			map[time.Duration]string{-time.Second: "MODIFYING", 0: "ACTIVE", 10 * time.Second: "BACKING UP", 130 * time.Second: "ACTIVE"}},
		{"completed DDS", taurusjob.ServiceDDS, Completed, nil,
			map[time.Duration]string{-time.Second: "MODIFYING", 0: "normal", 10 * time.Second: "normal BACKUP", time.Hour: "normal"}},
		{"failed", taurusjob.ServiceRDS, Failed, nil, map[time.Duration]string{0: "MODIFYING", time.Hour: "MODIFYING"}},
		{"own AfterJob", taurusjob.ServiceOpenGauss, Completed, []InstanceStep{{Status: "REBOOTING", For: time.Minute}, {Status: "ACTIVE"}},
			map[time.Duration]string{0: "REBOOTING", time.Minute: "ACTIVE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := NewInMemory(WithService(tt.svc))
				defer srv.Close()
				id := srv.AddInstance(InstanceScript{Steps: []InstanceStep{{Status: "MODIFYING"}}, AfterJob: tt.afterJob})
				srv.AddJob(Job{Running: 10 * time.Minute, Outcome: tt.outcome, Instance: Instance{ID: id}})
				srv.AddJob(Job{Running: time.Minute}) // another instance's job changes nothing
				end := time.Now().Add(10 * time.Minute)
				c := instanceClient(t, srv, tt.svc)
				offsets := make([]time.Duration, 0, len(tt.reads))
				for d := range tt.reads {
					offsets = append(offsets, d)
				}
				slices.Sort(offsets)
				for _, d := range offsets {
					time.Sleep(time.Until(end.Add(d)))
					info := getInstance(t, c, id)
					got := info.Status
					for _, a := range info.Actions {
						got += " " + a
					}
					if got != tt.reads[d] {
						t.Errorf("%v after the job's end: %q, want %q", d, got, tt.reads[d])
					}
				}
			})
		})
	}
}

// TestInstanceRDSFlexus: a FlexusRDS instance is listed only for
// group_type=flexus, so GetInstance finds it on its second lookup, and
// the fake records both requests with the instance id.
func TestInstanceRDSFlexus(t *testing.T) {
	srv := NewInMemory(WithService(taurusjob.ServiceRDS))
	defer srv.Close()
	id := srv.AddInstance(InstanceScript{Flexus: true})
	info := getInstance(t, instanceClient(t, srv, taurusjob.ServiceRDS), id)
	reqs := srv.Requests()
	if info.Status != "ACTIVE" || len(reqs) != 2 || reqs[0].Query != "id="+id || reqs[1].Query != "id="+id+"&group_type=flexus" ||
		reqs[1].InstanceID != id {
		t.Errorf("got %+v after %+v", info, reqs)
	}
}

// TestInstanceFaultsAndChecks: rules limited to an instance inject faults
// into its reads only (a 503 once, DDS's 400 DBS.280110 that means "not
// found"), and instance requests pass the same checks as job requests:
// credentials, project, the path the service serves.
func TestInstanceFaultsAndChecks(t *testing.T) {
	srv := NewInMemory(WithService(taurusjob.ServiceDDS))
	defer srv.Close()
	id := srv.AddInstance(InstanceScript{})
	gone := srv.AddInstance(InstanceScript{})
	srv.AddRule(Rule{InstanceID: id, Fault: ServerError(503), Limit: 1})
	srv.AddRule(Rule{InstanceID: gone, Fault: Answer(400, "", `{"error_code":"DBS.280110","error_msg":"The DB instance does not exist."}`)})
	c := instanceClient(t, srv, taurusjob.ServiceDDS)
	_, err := c.GetInstance(context.Background(), id)
	if ae, ok := errors.AsType[*taurusjob.APIError](err); !ok || ae.StatusCode != 503 || errors.Is(err, taurusjob.ErrInstanceNotFound) {
		t.Fatalf("first read: %v, want the injected 503", err)
	}
	if info := getInstance(t, c, id); info.Status != "normal" {
		t.Errorf("second read: %+v", info)
	}
	if _, err := c.GetInstance(context.Background(), gone); !errors.Is(err, taurusjob.ErrInstanceNotFound) {
		t.Errorf("DBS.280110: %v, want not found", err)
	}
	if rs := srv.Requests(); rs[0].Fault != "server-error-503" || rs[0].InstanceID != id {
		t.Errorf("recorded %+v", rs[0])
	}

	base := srv.URL() + "/v3/" + srv.ProjectID() + "/instances"
	req, _ := http.NewRequest(http.MethodGet, base+"?id="+id, nil)
	wantError(t, do(t, srv, req), http.StatusUnauthorized, codeBadAuth)
	wantError(t, get(t, srv, srv.URL()+"/v3/otherproject/instances?id="+id), http.StatusBadRequest, codeBadRequest)
	wantError(t, get(t, srv, base+"/"+id), http.StatusNotFound, codeNoSuchAPI) // DDS has no detail call
	wantError(t, get(t, srv, base), http.StatusBadRequest, codeBadRequest)
}
