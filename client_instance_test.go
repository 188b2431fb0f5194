package taurusjob

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// The instance ids of the fixtures in testdata/instances.
const (
	taurusInstanceID = "96f2f4ed8ad74c3a9b2bd8e4b8b2c2a5in07"
	rdsInstanceID    = "ed7cc6166ec24360a5ed5c5c9c2ed726in01"
	gaussInstanceID  = "a3f5c7e9b1d34f6a8c0e2b4d6f8a0c2ein14"
	ddsInstanceID    = "7d5c3b1a9f8e4d6c2b0a8f6e4d2c0b9ain02"
)

// instanceCase is one 200 fixture and what GetInstance must make of it.
type instanceCase struct {
	file    string
	service Service
	id      string
	want    InstanceInfo // Raw compared separately
}

func instanceCases() []instanceCase {
	return []instanceCase{
		{"instances/taurusdb_active.json", ServiceTaurusDB, taurusInstanceID, InstanceInfo{
			ID: taurusInstanceID, Name: "gauss-orders-prod", Status: "ACTIVE",
			Nodes: []InstanceNode{
				{ID: "1b0a1e7d2c8b4f5e9a6d3c2b1a0f9e8dno07", Name: "gauss-orders-prod_node01", Role: "master", Status: "ACTIVE"},
				{ID: "5e4d3c2b1a0f4e9d8c7b6a5f4e3d2c1bno07", Name: "gauss-orders-prod_node02", Role: "slave", Status: "BACKING UP"},
			}}},
		{"instances/rds_list.json", ServiceRDS, rdsInstanceID, InstanceInfo{
			ID: rdsInstanceID, Name: "mysql-billing", Status: "ACTIVE",
			Nodes: []InstanceNode{
				{ID: "06f1c2ad57604ae89e153e4d27f4e4b8no01", Name: "mysql-billing_node0", Role: "master", Status: "ACTIVE"},
				{ID: "2c8b9a7e6d5f4c3b2a1e0d9c8b7a6f5eno01", Name: "mysql-billing_node1", Role: "slave", Status: "ACTIVE"},
			}}},
		{"instances/opengauss_list.json", ServiceOpenGauss, gaussInstanceID, InstanceInfo{
			ID: gaussInstanceID, Name: "gaussdb-ledger", Status: "BACKING UP",
			Nodes: []InstanceNode{
				{ID: "f1e2d3c4b5a64978a1b2c3d4e5f6a7b8no14", Name: "gaussdb-ledger_gaussdbv5_1", Role: "master", Status: "BACKING UP"},
				{ID: "0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5dno14", Name: "gaussdb-ledger_gaussdbv5_2", Role: "slave", Status: "ACTIVE"},
				{ID: "9f8e7d6c5b4a4f3e2d1c0b9a8f7e6d5cno14", Name: "gaussdb-ledger_gaussdbv5_3", Role: "slave", Status: "ACTIVE"},
			}}},
		{"instances/dds_list_actions.json", ServiceDDS, ddsInstanceID, InstanceInfo{
			ID: ddsInstanceID, Name: "dds-catalog", Status: "normal", Actions: []string{"RESTARTING"},
			Nodes: []InstanceNode{
				{ID: "c0b1a2d3e4f54a6b7c8d9e0f1a2b3c4dno02", Name: "dds-catalog_mongos_node_1", Role: "master", Status: "normal"},
				{ID: "d1c2b3a4f5e64b7c8d9e0f1a2b3c4d5eno02", Name: "dds-catalog_mongos_node_2", Role: "master", Status: "normal"},
				{ID: "e2d3c4b5a6f74c8d9e0f1a2b3c4d5e6fno02", Name: "dds-catalog_shard_1_node_1", Role: "Primary", Status: "normal"},
				{ID: "f3e4d5c6b7a84d9e0f1a2b3c4d5e6f7ano02", Name: "dds-catalog_shard_1_node_2", Role: "Secondary", Status: "normal"},
				{ID: "a4f5e6d7c8b94e0f1a2b3c4d5e6f7a8bno02", Name: "dds-catalog_shard_1_node_3", Role: "Hidden", Status: "normal"},
				{ID: "b5a6f7e8d9c04f1a2b3c4d5e6f7a8b9cno02", Name: "dds-catalog_config_node_1", Role: "Primary", Status: "normal"},
			}}},
	}
}

// instanceErrorFixtures are the error bodies of testdata/instances.
var instanceErrorFixtures = []string{"instances/taurusdb_404.json", "instances/dds_400_280110.json", "instances/rds_empty.json"}

// TestGetInstanceFixtures: each service's real-shaped answer reads into the
// status, actions and nodes a wait judges, from the path that service
// serves, with Raw the instance object byte for byte (what --output json
// prints and what a user decodes for fields of their own).
func TestGetInstanceFixtures(t *testing.T) {
	for _, tc := range instanceCases() {
		t.Run(tc.file, func(t *testing.T) {
			body := readFixture(t, tc.file)
			srv := newServer(t, serveBody(200, body, nil))
			c := newTestClient(t, srv.URL, func(cfg *ClientConfig) { cfg.Service = tc.service })
			got, err := c.GetInstance(context.Background(), tc.id)
			if err != nil {
				t.Fatal(err)
			}
			raw := got.Raw
			got.Raw = nil
			if fmt.Sprintf("%#v", *got) != fmt.Sprintf("%#v", tc.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tc.want)
			}
			if !json.Valid(raw) || raw[0] != '{' || !bytes.Contains(body, raw) || !bytes.Contains(raw, []byte(`"maintenance_window"`)) && tc.service != ServiceTaurusDB {
				t.Errorf("Raw is not the instance object as received: %.80s…", raw)
			}
			req := srv.request(t, 0)
			wantPath, wantQuery := "/v3/"+testProjectID+"/instances", "id="+tc.id
			if tc.service == ServiceTaurusDB {
				wantPath, wantQuery = wantPath+"/"+tc.id, ""
			}
			if req.URL.Path != wantPath || req.URL.RawQuery != wantQuery || req.Header.Get("X-Auth-Token") != testToken {
				t.Errorf("asked %s?%s (token sent: %v), want %s?%s", req.URL.Path, req.URL.RawQuery,
					req.Header.Get("X-Auth-Token") != "", wantPath, wantQuery)
			}
		})
	}
}

// TestEveryInstanceFixtureHasACase keeps testdata/instances and the tests
// in step: a body added without a case would test nothing.
func TestEveryInstanceFixtureHasACase(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range instanceCases() {
		covered[tc.file] = true
	}
	for _, f := range instanceErrorFixtures {
		covered[f] = true
	}
	for _, name := range fixtureNames(t, "instances") {
		if !covered[name] {
			t.Errorf("testdata/%s has no case", name)
		}
		delete(covered, name)
	}
	for name := range covered {
		t.Errorf("case for testdata/%s, which does not exist", name)
	}
}

// TestGetInstanceNotFound: every way a service says "no such instance"
// matches ErrInstanceNotFound, so that a wait can tell a deleted or
// mistyped instance from a passing fault; when the service answered with
// an error, its *APIError (status, code, request id) is there too. A
// gateway's "no such API" and a 400 of another service are not "not found":
// they mean a wrong endpoint or request, which waiting cannot fix.
func TestGetInstanceNotFound(t *testing.T) {
	apigw := readFixture(t, "errors/404-apigw-0101.json")
	tests := []struct {
		name     string
		service  Service
		status   int
		body     []byte
		notFound bool
		apiCode  string // the *APIError's code; "" for none
	}{
		{"TaurusDB 404", ServiceTaurusDB, 404, readFixture(t, "instances/taurusdb_404.json"), true, "DBS.200823"},
		{"TaurusDB 404 without a body", ServiceTaurusDB, 404, nil, true, ""},
		{"TaurusDB 2xx without instance", ServiceTaurusDB, 200, []byte(`{}`), true, ""},
		{"TaurusDB instance null", ServiceTaurusDB, 200, []byte(`{"instance":null}`), true, ""},
		{"TaurusDB instance {}", ServiceTaurusDB, 200, []byte(`{"instance":{}}`), true, ""},
		{"openGauss empty list", ServiceOpenGauss, 200, readFixture(t, "instances/rds_empty.json"), true, ""},
		{"openGauss instances null", ServiceOpenGauss, 200, []byte(`{"instances":null,"total_count":0}`), true, ""},
		{"DDS empty list", ServiceDDS, 200, []byte(`{"instances":[],"total_count":0}`), true, ""},
		{"DDS 400 DBS.280110", ServiceDDS, 400, readFixture(t, "instances/dds_400_280110.json"), true, "DBS.280110"},
		{"DDS 404", ServiceDDS, 404, []byte(`{"error_code":"DBS.280110","error_msg":"x"}`), true, "DBS.280110"},
		{"RDS 400 DBS.280110 is DDS's code only", ServiceRDS, 400, readFixture(t, "instances/dds_400_280110.json"), false, "DBS.280110"},
		{"TaurusDB gateway no such API", ServiceTaurusDB, 404, apigw, false, "APIGW.0101"},
		{"DDS gateway no such API", ServiceDDS, 404, apigw, false, "APIGW.0101"},
		{"DDS other 400", ServiceDDS, 400, readFixture(t, "errors/400-dbs.json"), false, "DBS.200001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, serveBody(tt.status, tt.body, map[string]string{"X-Request-Id": testRequestID}))
			c := newTestClient(t, srv.URL, func(cfg *ClientConfig) { cfg.Service = tt.service })
			info, err := c.GetInstance(context.Background(), "7d5c3b1a9f8e4d6c2b0a8f6e4d2c0b9ain02")
			if info != nil || err == nil {
				t.Fatalf("got %+v, %v; want an error", info, err)
			}
			if errors.Is(err, ErrInstanceNotFound) != tt.notFound {
				t.Errorf("errors.Is(%v, ErrInstanceNotFound) = %v, want %v", err, !tt.notFound, tt.notFound)
			}
			ae, isAPI := errors.AsType[*APIError](err)
			if wantAPI := tt.status != 200; isAPI != wantAPI || isAPI && (ae.Code != tt.apiCode || ae.StatusCode != tt.status) {
				t.Errorf("error %v: *APIError %+v (found %v), want one with HTTP %d %q: %v", err, ae, isAPI, tt.status, tt.apiCode, wantAPI)
			}
			if tt.apiCode == "APIGW.0101" && !noSuchAPI(err) {
				t.Errorf("%v is not read as a wrong endpoint", err)
			}
			if !strings.Contains(err.Error(), testRequestID) {
				t.Errorf("error %q lacks the request id", err)
			}
		})
	}
}

// TestGetInstanceRDSFlexus: an RDS instance of the Flexus group is listed
// only with group_type=flexus. GetInstance asks the plain list first and
// the Flexus list second, and concludes "not found" only when neither
// holds it; an instance of the plain list costs one request.
func TestGetInstanceRDSFlexus(t *testing.T) {
	list := readFixture(t, "instances/rds_list.json")
	empty := readFixture(t, "instances/rds_empty.json")
	tests := []struct {
		name       string
		plain, flx []byte
		wantReqs   int
		notFound   bool
	}{
		{"plain list holds it", list, nil, 1, false},
		{"flexus list holds it", empty, list, 2, false},
		{"neither holds it", empty, empty, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("group_type") == "flexus" {
					_, _ = w.Write(tt.flx)
					return
				}
				_, _ = w.Write(tt.plain)
			})
			c := newTestClient(t, srv.URL, func(cfg *ClientConfig) { cfg.Service = ServiceRDS })
			info, err := c.GetInstance(context.Background(), rdsInstanceID)
			if srv.requests() != tt.wantReqs {
				t.Errorf("%d requests, want %d", srv.requests(), tt.wantReqs)
			}
			if tt.wantReqs == 2 {
				if q := srv.request(t, 1).URL.RawQuery; q != "id="+rdsInstanceID+"&group_type=flexus" {
					t.Errorf("second lookup asked %q", q)
				}
			}
			if tt.notFound {
				if !errors.Is(err, ErrInstanceNotFound) || !strings.Contains(err.Error(), "FlexusRDS") {
					t.Fatalf("got %v, want not found naming both lists", err)
				}
				return
			}
			if err != nil || info.ID != rdsInstanceID || info.Status != "ACTIVE" {
				t.Fatalf("got %+v, %v", info, err)
			}
		})
	}
}

// TestGetInstanceExactIDOnly: only the entry of the exact id counts, never
// a neighbour whose id contains it or the first of a list that was not
// filtered; an answer about other instances only, or a TaurusDB detail of
// another id, is an *APIError (the service misbehaved), not "not found".
func TestGetInstanceExactIDOnly(t *testing.T) {
	id := rdsInstanceID
	tests := []struct {
		name    string
		service Service
		body    string
		want    string // the status found; "" for an *APIError
	}{
		{"exact entry among neighbours", ServiceOpenGauss,
			`{"instances":[{"id":"x` + id + `","status":"FAILED"},{"id":"` + id + `x","status":"FAILED"},{"id":"` + id + `","status":"ACTIVE"}]}`, "ACTIVE"},
		{"others only", ServiceOpenGauss, `{"instances":[{"id":"` + id + `x","status":"ACTIVE"}],"total_count":1}`, ""},
		{"others only, RDS: no flexus lookup", ServiceRDS, `{"instances":[{"id":"other","status":"ACTIVE"}]}`, ""},
		{"TaurusDB detail of another id", ServiceTaurusDB, `{"instance":{"id":"` + id + `x","status":"ACTIVE"}}`, ""},
		{"TaurusDB detail without an id", ServiceTaurusDB, `{"instance":{"status":"BUILD"}}`, "BUILD"},
		{"instances not a list", ServiceDDS, `{"instances":{"id":"` + id + `"}}`, ""},
		{"instance not an object", ServiceTaurusDB, `{"instance":[1]}`, ""},
		{"not JSON", ServiceDDS, `<html>`, ""},
		{"a JSON list", ServiceDDS, `[]`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, serveBody(200, []byte(tt.body), nil))
			c := newTestClient(t, srv.URL, func(cfg *ClientConfig) { cfg.Service = tt.service })
			info, err := c.GetInstance(context.Background(), id)
			if tt.want != "" {
				if err != nil || info.Status != tt.want || info.ID != id {
					t.Fatalf("got %+v, %v; want status %s", info, err, tt.want)
				}
				return
			}
			ae := asAPIError(t, err)
			if errors.Is(err, ErrInstanceNotFound) || ae.StatusCode != 200 || srv.requests() != 1 {
				t.Errorf("got %v after %d requests; want an *APIError, not not-found, after one request", err, srv.requests())
			}
		})
	}
}

// TestGetInstanceLenient: a number where a string was expected is kept as
// text, values of the wrong type and node entries of other shapes are
// dropped, not fatal, and what is kept is bounded (256 nodes, 256 actions,
// clipped names and statuses), whatever the answer holds.
func TestGetInstanceLenient(t *testing.T) {
	many := strings.Repeat(`{"id":"n","role":"slave","status":"ACTIVE"},`, 300)
	acts := strings.Repeat(`"BACKUP",`, 300)
	tests := []struct {
		name    string
		service Service
		inst    string // the instance object; wrapped per service
		check   func(t *testing.T, info *InstanceInfo)
	}{
		{"numbers as text", ServiceTaurusDB, `{"id":"ID","name":42,"status":"ACTIVE","nodes":[{"id":7,"name":"n","type":"master","status":1}]}`,
			func(t *testing.T, info *InstanceInfo) {
				if info.Name != "42" || len(info.Nodes) != 1 || info.Nodes[0] != (InstanceNode{ID: "7", Name: "n", Role: "master", Status: "1"}) {
					t.Errorf("got %+v", info)
				}
			}},
		{"openGauss untyped nodes", ServiceOpenGauss, `{"id":"ID","status":"ACTIVE","nodes":["n1",3,null,[],{},{"x":1},{"id":"a","role":"master","status":"ACTIVE"}]}`,
			func(t *testing.T, info *InstanceInfo) {
				if len(info.Nodes) != 1 || info.Nodes[0] != (InstanceNode{ID: "a", Role: "master", Status: "ACTIVE"}) {
					t.Errorf("nodes %+v, want the one object with node fields", info.Nodes)
				}
			}},
		{"wrong types dropped", ServiceDDS, `{"id":"ID","status":"normal","actions":"RESTARTING","groups":{"nodes":[]},"nodes":5}`,
			func(t *testing.T, info *InstanceInfo) {
				if info.Status != "normal" || info.Actions != nil || info.Nodes != nil {
					t.Errorf("got %+v", info)
				}
			}},
		{"DDS groups of other shapes", ServiceDDS, `{"id":"ID","status":"normal","actions":["",null,"A",{}],"groups":[1,{"nodes":"x"},{"nodes":[{"id":"b","role":"Primary"}]}]}`,
			func(t *testing.T, info *InstanceInfo) {
				if !slices.Equal(info.Actions, []string{"A"}) || len(info.Nodes) != 1 || info.Nodes[0].ID != "b" {
					t.Errorf("got %+v", info)
				}
			}},
		{"bounded", ServiceDDS, `{"id":"ID","name":"` + strings.Repeat("n", 1000) + `","status":"` + strings.Repeat("s", 1000) + `\u001b` +
			`","actions":[` + acts + `"x"],"groups":[{"nodes":[` + many + `{}]},{"nodes":[` + many + `{}]}]}`,
			func(t *testing.T, info *InstanceInfo) {
				if len(info.Nodes) != maxInstanceItems || len(info.Actions) != maxInstanceItems ||
					len(info.Name) > maxSavedName+32 || len(info.Status) > maxSavedStatus+32 || strings.ContainsRune(info.Status, 0x1b) {
					t.Errorf("%d nodes, %d actions, name %d bytes, status %q", len(info.Nodes), len(info.Actions), len(info.Name), info.Status)
				}
			}},
		{"TaurusDB role from type", ServiceTaurusDB, `{"id":"ID","status":"ACTIVE","nodes":[{"id":"a","type":"slave","role":"ignored"},{"id":"b","role":"master"}]}`,
			func(t *testing.T, info *InstanceInfo) {
				if len(info.Nodes) != 2 || info.Nodes[0].Role != "slave" || info.Nodes[1].Role != "master" {
					t.Errorf("nodes %+v", info.Nodes)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"instances":[` + tt.inst + `],"total_count":1}`
			if tt.service == ServiceTaurusDB {
				body = `{"instance":` + tt.inst + `}`
			}
			srv := newServer(t, serveBody(200, []byte(body), nil))
			c := newTestClient(t, srv.URL, func(cfg *ClientConfig) { cfg.Service = tt.service })
			info, err := c.GetInstance(context.Background(), "ID")
			if err != nil {
				t.Fatal(err)
			}
			if string(info.Raw) != tt.inst {
				t.Errorf("Raw %.60s…, want the instance object byte for byte", info.Raw)
			}
			tt.check(t, info)
		})
	}
}

// TestGetInstanceValidatesTheID: a bad instance id is the caller's mistake,
// reported as ErrInvalidInput before anything is sent: an empty one, a
// fuzzy '*' pattern, one that would change the path or the query.
func TestGetInstanceValidatesTheID(t *testing.T) {
	srv := newServer(t, serveBody(200, readFixture(t, "instances/rds_list.json"), nil))
	for _, svc := range Services() {
		c := newTestClient(t, srv.URL, func(cfg *ClientConfig) { cfg.Service = svc })
		for _, id := range []string{"", "*in07", "a/b", "../jobs", "a?b", "a&group_type=flexus", "a b", "a%2F", "é", strings.Repeat("a", 65)} {
			_, err := c.GetInstance(context.Background(), id)
			if !errors.Is(err, ErrInvalidInput) {
				t.Errorf("%v: GetInstance(%q) = %v, want ErrInvalidInput", svc, id, err)
			}
		}
		if _, err := c.GetInstance(context.Background(), strings.Repeat("a", 64)); errors.Is(err, ErrInvalidInput) {
			t.Errorf("%v: a 64-character id refused: %v", svc, err)
		}
	}
	if n := srv.requests(); n != len(Services()) { // the 64-character ids only
		t.Errorf("%d requests reached the server; want only the valid ids' (%d)", n, len(Services()))
	}
}

// TestGetInstanceErrorsKeepTheirKind: other answers keep GetJob's kinds,
// which a wait classifies: a 5xx is an *APIError to retry, a body over the
// limit is an *APIError naming the limit, a 401 refreshes the token once.
func TestGetInstanceErrorsKeepTheirKind(t *testing.T) {
	srv := newServer(t, serveBody(503, readFixture(t, "errors/500-dbs.json"), nil))
	_, err := newTestClient(t, srv.URL, nil).GetInstance(context.Background(), taurusInstanceID)
	if ae := asAPIError(t, err); ae.StatusCode != 503 || errors.Is(err, ErrInstanceNotFound) {
		t.Errorf("got %v", err)
	}

	big := newServer(t, serveBody(200, []byte(`{"instance":{"id":"`+strings.Repeat("a", 2000)+`"}}`), nil))
	_, err = newTestClient(t, big.URL, func(c *ClientConfig) { c.MaxBodyBytes = 1000 }).GetInstance(context.Background(), taurusInstanceID)
	if ae := asAPIError(t, err); !strings.Contains(ae.Message, "1000-byte limit") {
		t.Errorf("got %v", err)
	}

	var calls int
	refresh := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") != "fresh" {
			w.WriteHeader(401)
			return
		}
		_, _ = w.Write(readFixture(t, "instances/taurusdb_active.json"))
	})
	c := newTestClient(t, refresh.URL, func(c *ClientConfig) {
		c.Token, c.TokenSource = "", func(context.Context) (string, error) {
			calls++
			return []string{"stale", "fresh"}[min(calls-1, 1)], nil
		}
	})
	if info, err := c.GetInstance(context.Background(), taurusInstanceID); err != nil || info.Status != "ACTIVE" || calls != 2 {
		t.Errorf("after a 401: %+v, %v, %d token calls; want the instance after one refresh", info, err, calls)
	}
}
