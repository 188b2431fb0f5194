package taurusjob

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// serviceJobCase is a 200 body of a sibling service and the job the Client
// must read from it.
type serviceJobCase struct {
	file         string
	service      Service
	want         Job
	wantEntities string // compact JSON; "" for none
}

func serviceJobCases() []serviceJobCase {
	east8 := time.FixedZone("", 8*3600)
	rdsInst := Instance{ID: "6e2a9b0c4d1f4e7a8b3c5d9e0f1a2b3cin01", Name: "orders-mysql-01"}
	rdsCreate := `{"instance":{"endpoint":"192.168.0.87:3306","type":"Ha","datastore":{"type":"mysql","version":"8.0"}},"resource_ids":["6e2a9b0c4d1f4e7a8b3c5d9e0f1a2b3cin01.vm","6e2a9b0c4d1f4e7a8b3c5d9e0f1a2b3cin01.volume"]}`
	ogInst := Instance{ID: "1d6c2b7f3e9a4c8d9e0f1a2b3c4d5e6fin14", Name: "ledger-opengauss-01"}
	ddsInst := Instance{ID: "4c5d6e7f8a9b4c0d9e1f2a3b4c5d6e7fin02", Name: "sessions-dds-01"}
	const rdsID, ogID, ddsID = "dff1d289-4d03-4942-8b9f-463ea07c000d", "0d1a9a4b-1c7c-4ed8-8c51-5b0c5f4b5e1e", "7f3e2d1c-0b9a-4f8e-8d7c-6b5a4f3e2d1c"
	return []serviceJobCase{
		{file: "rds/running.json", service: ServiceRDS, wantEntities: rdsCreate,
			want: Job{ID: rdsID, Name: "CreateMysqlInstance", Status: StatusRunning, Progress: 35, Instance: rdsInst,
				Created: time.Date(2024, 5, 20, 14, 2, 11, 0, east8)}},
		{file: "rds/completed.json", service: ServiceRDS, wantEntities: rdsCreate,
			want: Job{ID: rdsID, Name: "CreateMysqlInstance", Status: StatusCompleted, Progress: -1, Instance: rdsInst,
				Created: time.Date(2024, 5, 20, 14, 2, 11, 0, east8), Ended: time.Date(2024, 5, 20, 6, 9, 40, 0, time.UTC)}},
		{file: "rds/failed.json", service: ServiceRDS,
			wantEntities: `{"resource_ids":["9a8b7c6d5e4f4a3b2c1d0e9f8a7b6c5din03.vm"]}`,
			want: Job{ID: "3b8f1c2d-7e4a-4f90-9b1c-2d3e4f5a6b7c", Name: "CreatePostgreSQLInstance", Status: StatusFailed, Progress: -1,
				Instance: Instance{ID: "9a8b7c6d5e4f4a3b2c1d0e9f8a7b6c5din03", Name: "billing-pg-02"},
				Created:  time.Date(2024, 5, 21, 9, 30, 0, 0, east8), Ended: time.Date(2024, 5, 21, 9, 34, 12, 0, east8),
				FailReason: "Insufficient ECS resources in AZ cn-north-4b for flavor rds.pg.x1.large.2.ha."}},
		{file: "rds/completed-resize-volume.json", service: ServiceRDS,
			wantEntities: `{"volume":{"type":"CLOUDSSD","original_size":"100","target_size":"200"}}`,
			want: Job{ID: "c4d5e6f7-0819-4a2b-8c3d-4e5f60718293", Name: "EnlargeVolume", Status: StatusCompleted, Progress: -1, Instance: rdsInst,
				Created: time.Date(2024, 5, 22, 3, 0, 5, 0, east8), Ended: time.Date(2024, 5, 22, 3, 1, 58, 0, east8)}},
		{file: "rds/completed-switchover.json", service: ServiceRDS,
			wantEntities: `{"public_ip":"","switch_strategy":"reliability"}`,
			want: Job{ID: "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", Name: "SwitchoverInstance", Status: StatusCompleted, Progress: -1, Instance: rdsInst,
				Created: time.Date(2024, 5, 23, 11, 20, 0, 0, east8), Ended: time.Date(2024, 5, 23, 11, 20, 41, 0, east8)}},
		{file: "opengauss/running.json", service: ServiceOpenGauss,
			want: Job{ID: ogID, Name: "CreateGaussDBV5Instance", Status: StatusRunning, Progress: 30, Instance: ogInst,
				Created: time.Date(2024, 6, 3, 10, 41, 14, 0, east8)}},
		{file: "opengauss/completed.json", service: ServiceOpenGauss,
			want: Job{ID: ogID, Name: "CreateGaussDBV5Instance", Status: StatusCompleted, Progress: 100, Instance: ogInst,
				Created: time.Date(2024, 6, 3, 10, 41, 14, 0, east8), Ended: time.Date(2024, 6, 3, 11, 2, 55, 0, east8)}},
		{file: "opengauss/failed.json", service: ServiceOpenGauss,
			want: Job{ID: "e8f9a0b1-c2d3-4e5f-9a6b-7c8d9e0f1a2b", Name: "ResizeFlavor", Status: StatusFailed, Progress: -1, Instance: ogInst,
				Created: time.Date(2024, 6, 4, 22, 0, 0, 0, east8), Ended: time.Date(2024, 6, 4, 22, 7, 31, 0, east8),
				FailReason: "Resize flavor failed: the target flavor is not available in this AZ."}},
		{file: "dds/running.json", service: ServiceDDS,
			want: Job{ID: ddsID, Name: "CreateMongoDB", Status: StatusRunning, Progress: 20, Instance: ddsInst,
				Created: time.Date(2024, 7, 9, 8, 12, 40, 0, east8)}},
		{file: "dds/completed.json", service: ServiceDDS,
			want: Job{ID: ddsID, Name: "CreateMongoDB", Status: StatusCompleted, Progress: -1, Instance: ddsInst,
				Created: time.Date(2024, 7, 9, 8, 12, 40, 0, east8), Ended: time.Date(2024, 7, 9, 8, 25, 3, 0, east8)}},
		{file: "dds/failed.json", service: ServiceDDS,
			want: Job{ID: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", Name: "ResizeInstance", Status: StatusFailed, Progress: -1, Instance: ddsInst,
				Created: time.Date(2024, 7, 10, 2, 0, 0, 0, east8), Ended: time.Date(2024, 7, 10, 2, 3, 17, 0, east8),
				FailReason: "The specifications of the instance cannot be changed: insufficient resources."}},
	}
}

// Each sibling service's body reaches the caller whole through the Client
// configured for that service: status, the percent under either name,
// times, instance, fail_reason (null read as none) and RDS's entities byte
// for byte (openGauss and DDS have none, and get none made up).
func TestClientDecodesEachServicesJobs(t *testing.T) {
	for _, tc := range serviceJobCases() {
		t.Run(tc.file, func(t *testing.T) {
			body := readFixture(t, tc.file)
			srv := newServer(t, serveBody(200, body, nil))
			c := newTestClient(t, srv.URL, func(cfg *ClientConfig) { cfg.Service = tc.service })
			got, err := c.GetJob(context.Background(), tc.want.ID)
			if err != nil {
				t.Fatalf("GetJob: %v", err)
			}
			w := tc.want
			if got.ID != w.ID || got.Name != w.Name || got.Status != w.Status || got.Progress != w.Progress ||
				got.Instance != w.Instance || got.FailReason != w.FailReason ||
				!got.Created.Equal(w.Created) || !got.Ended.Equal(w.Ended) {
				t.Errorf("job =\n  %+v\nwant\n  %+v", *got, w)
			}
			if gotE := compact(t, got.Entities); gotE != tc.wantEntities {
				t.Errorf("Entities = %s, want %s", gotE, tc.wantEntities)
			}
			var raw struct{ Job json.RawMessage }
			_ = json.Unmarshal(body, &raw)
			if compact(t, got.Raw) != compact(t, raw.Job) {
				t.Errorf("Raw is not the answer's job object")
			}
		})
	}
}

// Each service's error bodies keep their code, message and status: a 404
// stays a 404 (the waiter's "not visible yet"), a 400 ends the wait.
func TestClientReadsEachServicesErrors(t *testing.T) {
	cases := []struct {
		file    string
		service Service
		status  int
		code    string
	}{
		{"rds/error-400.json", ServiceRDS, 400, "DBS.200001"},
		{"rds/error-404.json", ServiceRDS, 404, "DBS.200823"},
		{"opengauss/error-400.json", ServiceOpenGauss, 400, "DBS.200001"},
		{"opengauss/error-404.json", ServiceOpenGauss, 404, "DBS.200823"},
		{"dds/error-400.json", ServiceDDS, 400, "DBS.200001"},
		{"dds/error-404.json", ServiceDDS, 404, "DBS.200823"},
	}
	covered := map[string]bool{}
	for _, tc := range serviceJobCases() {
		covered[tc.file] = true
	}
	for _, tc := range cases {
		covered[tc.file] = true
		t.Run(tc.file, func(t *testing.T) {
			var msg struct {
				Msg string `json:"error_msg"`
			}
			body := readFixture(t, tc.file)
			_ = json.Unmarshal(body, &msg)
			srv := newServer(t, serveBody(tc.status, body, map[string]string{"X-Request-Id": "0b5e2a1c9d8f4e7a"}))
			c := newTestClient(t, srv.URL, func(cfg *ClientConfig) { cfg.Service = tc.service })
			job, err := c.GetJob(context.Background(), testJobID)
			ae := asAPIError(t, err)
			if job != nil || ae.StatusCode != tc.status || ae.Code != tc.code || ae.Message != msg.Msg || ae.RequestID != "0b5e2a1c9d8f4e7a" {
				t.Errorf("GetJob = %v, %+v; want status %d, code %s, message %q", job, ae, tc.status, tc.code, msg.Msg)
			}
		})
	}
	// Every body in the services' folders has a case above.
	for _, dir := range []string{"rds", "opengauss", "dds"} {
		for _, name := range fixtureNames(t, dir) {
			if !covered[name] {
				t.Errorf("testdata/%s has no case in service_fixtures_test.go", name)
			}
		}
	}
}
