package taurusjob

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

const testRequestID = "0a8e2f04a4c7e1b6a1e0b4d3c2f1a9e8"

// jobCase is one 200 fixture and the job (or error) GetJob must make of it.
type jobCase struct {
	file  string
	jobID string

	// when a job is expected
	want         Job    // compared field by field; Raw and Entities separately
	wantEntities string // compact JSON; "" means Entities must be nil

	// when an error is expected
	wantNotVisible bool
	wantAPIMessage string // an *APIError with status 200 whose Message contains this
}

func jobCases() []jobCase {
	east8 := time.FixedZone("", 8*3600)
	instance := Instance{ID: "a48e43ff268f4c0e879652d65e63d0fbin07", Name: "taurus-prod-01"}
	return []jobCase{
		{
			file: "jobs/completed.json", jobID: testJobID,
			want: Job{ID: testJobID, Name: "CreateGaussDBforMySQLInstance", Status: StatusCompleted,
				Created:  time.Date(2018, 8, 6, 10, 41, 14, 0, east8),
				Ended:    time.Date(2018, 8, 6, 16, 41, 14, 0, time.UTC),
				Progress: -1,
				Instance: Instance{ID: "a48e43ff268f4c0e879652d65e63d0fbin07", Name: "DO-NOT-TOUCH-mgr2-mysql-single"}},
			wantEntities: `{"instance":{"endpoint":"192.168.1.203:3306","type":"Cluster","datastore":{"type":"gaussdb-mysql","version":"8.0"}},"resource_ids":["a48e43ff268f4c0e879652d65e63d0fbin07.vm","a48e43ff268f4c0e879652d65e63d0fbin07.volume"]}`,
		},
		{
			file: "jobs/running-60.json", jobID: testJobID,
			want: Job{ID: testJobID, Name: "CreateGaussDBforMySQLInstance", Status: StatusRunning,
				Created: time.Date(2024, 3, 11, 9, 15, 2, 0, east8), Progress: 60, Instance: instance},
			wantEntities: `{"instance":{"endpoint":"192.168.1.203:3306","type":"Cluster","datastore":{"type":"gaussdb-mysql","version":"8.0"}},"resource_ids":["a48e43ff268f4c0e879652d65e63d0fbin07.vm","a48e43ff268f4c0e879652d65e63d0fbin07.volume"]}`,
		},
		{
			file: "jobs/pending.json", jobID: "0c1e8e0a-5f43-4b0e-9d61-2f5a8b7c3d19",
			want: Job{ID: "0c1e8e0a-5f43-4b0e-9d61-2f5a8b7c3d19", Name: "ResizeGaussDBforMySQLFlavor", Status: StatusPending,
				Created: time.Date(2024, 3, 11, 22, 0, 0, 0, east8), Progress: -1, Instance: instance},
			wantEntities: `{"instance":{"id":"a48e43ff268f4c0e879652d65e63d0fbin07","flavor_ref":"gaussdb.mysql.xlarge.x86.4"}}`,
		},
		{
			file: "jobs/failed.json", jobID: testJobID,
			want: Job{ID: testJobID, Name: "CreateGaussDBforMySQLInstance", Status: StatusFailed,
				Created:    time.Date(2024, 3, 11, 9, 15, 2, 0, east8),
				Ended:      time.Date(2024, 3, 11, 9, 21, 47, 0, east8),
				Progress:   -1,
				Instance:   instance,
				FailReason: "Create instance failed: the flavor gaussdb.mysql.xlarge.x86.4 is sold out in AZ cn-north-4a."},
			wantEntities: `{}`,
		},
		{
			file: "jobs/canceled.json", jobID: "7d2b6a3e-91c4-4f5e-8a0b-c3d4e5f60718",
			want: Job{ID: "7d2b6a3e-91c4-4f5e-8a0b-c3d4e5f60718", Name: "UpgradeGaussDBforMySQLDatabaseVersion", Status: StatusCanceled,
				Created:  time.Date(2024, 3, 10, 8, 0, 0, 0, east8),
				Ended:    time.Date(2024, 3, 10, 8, 5, 30, 0, east8),
				Progress: -1, Instance: instance},
		},
		{
			file: "jobs/unauthorized.json", jobID: "3a9f1c77-0e2d-4b68-b5a4-6e1f2d3c4b5a",
			want: Job{ID: "3a9f1c77-0e2d-4b68-b5a4-6e1f2d3c4b5a", Name: "DeleteGaussDBforMySQLInstance", Status: StatusUnauthorized,
				Created: time.Date(2024, 3, 11, 10, 0, 0, 0, east8), Progress: -1, Instance: instance},
			wantEntities: `{}`,
		},
		{
			file: "jobs/unknown-status.json", jobID: testJobID,
			want: Job{ID: testJobID, Name: "CreateGaussDBforMySQLInstance", Status: "Suspended",
				Created: time.Date(2024, 3, 11, 9, 15, 2, 0, east8), Progress: 35, Instance: instance},
			wantEntities: `{"note":"a status this library does not know"}`,
		},
		{
			file: "jobs/progress-spelling.json", jobID: "b2c4d6e8-1a3b-4c5d-8e9f-0a1b2c3d4e5f",
			want: Job{ID: "b2c4d6e8-1a3b-4c5d-8e9f-0a1b2c3d4e5f", Name: "CreateGaussDBV5Instance", Status: StatusRunning,
				Created:  time.Date(2024, 3, 11, 1, 15, 2, 0, time.UTC),
				Progress: 45,
				Instance: Instance{ID: "2f3c4d5e6f7a8b9c0d1e2f3a4b5c6d7ein14", Name: "opengauss-ha-01"}},
		},
		{file: "jobs/null-job.json", jobID: testJobID, wantNotVisible: true},
		{file: "jobs/empty-object.json", jobID: testJobID, wantNotVisible: true},
		{file: "jobs/empty-job.json", jobID: testJobID, wantNotVisible: true},
		{file: "jobs/truncated.json", jobID: testJobID, wantAPIMessage: "malformed job body"},
	}
}

// TestGetJobFixtures serves every 200 fixture and checks the job, or the
// error, field by field.
func TestGetJobFixtures(t *testing.T) {
	for _, tc := range jobCases() {
		t.Run(tc.file, func(t *testing.T) {
			body := readFixture(t, tc.file)
			srv := newServer(t, serveBody(http.StatusOK, body, map[string]string{
				"Content-Type": "application/json", "X-Request-Id": testRequestID}))
			c := newTestClient(t, srv.URL, nil)

			job, err := c.GetJob(context.Background(), tc.jobID)

			if srv.requests() != 1 {
				t.Errorf("server got %d requests, want 1", srv.requests())
			}
			switch {
			case tc.wantNotVisible:
				// A caller of GetJob tells it with ErrNoJob; the waiter
				// reads it as a 404. It is not the wait's ending, so it
				// does not match ErrNotVisible.
				if !errors.Is(err, ErrNoJob) || classify(nil, err, false) != notVisibleYet || errors.Is(err, ErrNotVisible) {
					t.Fatalf("GetJob = %v, %v; want an error matching ErrNoJob", job, err)
				}
				if !strings.Contains(err.Error(), tc.jobID) {
					t.Errorf("the error %q does not name job %q", err, tc.jobID)
				}
				if job != nil {
					t.Errorf("job = %+v with an error", job)
				}
				return
			case tc.wantAPIMessage != "":
				ae := asAPIError(t, err)
				if ae.StatusCode != http.StatusOK || !strings.Contains(ae.Message, tc.wantAPIMessage) || ae.RequestID != testRequestID {
					t.Errorf("APIError = %+v; want status 200, message with %q, request id %s", ae, tc.wantAPIMessage, testRequestID)
				}
				if job != nil {
					t.Errorf("job = %+v with an error", job)
				}
				return
			}
			if err != nil {
				t.Fatalf("GetJob: %v", err)
			}
			checkJob(t, job, tc.want)
			checkKeptBytes(t, body, job, tc.wantEntities)
		})
	}
}

// checkJob compares every decoded field, times by instant and offset.
func checkJob(t *testing.T, got *Job, want Job) {
	t.Helper()
	if got.ID != want.ID || got.Name != want.Name || got.Status != want.Status {
		t.Errorf("ID, Name, Status = %q, %q, %q; want %q, %q, %q", got.ID, got.Name, got.Status, want.ID, want.Name, want.Status)
	}
	for _, tm := range []struct {
		name      string
		got, want time.Time
	}{{"Created", got.Created, want.Created}, {"Ended", got.Ended, want.Ended}} {
		if !tm.got.Equal(tm.want) {
			t.Errorf("%s = %v, want %v", tm.name, tm.got, tm.want)
		}
		_, gotOff := tm.got.Zone()
		_, wantOff := tm.want.Zone()
		if gotOff != wantOff {
			t.Errorf("%s offset = %d s, want %d s (the API's offset must be kept)", tm.name, gotOff, wantOff)
		}
	}
	if got.Progress != want.Progress {
		t.Errorf("Progress = %d, want %d", got.Progress, want.Progress)
	}
	if got.Instance != want.Instance {
		t.Errorf("Instance = %+v, want %+v", got.Instance, want.Instance)
	}
	if got.FailReason != want.FailReason {
		t.Errorf("FailReason = %q, want %q", got.FailReason, want.FailReason)
	}
}

// checkKeptBytes checks that Raw is the "job" object and Entities the
// "entities" object exactly as the server sent them.
func checkKeptBytes(t *testing.T, body []byte, job *Job, wantEntities string) {
	t.Helper()
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(job.Raw, env["job"]) {
		t.Errorf("Raw =\n%s\nwant the job object as received:\n%s", job.Raw, env["job"])
	}
	if wantEntities == "" {
		if job.Entities != nil {
			t.Errorf("Entities = %s, want nil", job.Entities)
		}
		return
	}
	var jobObj map[string]json.RawMessage
	if err := json.Unmarshal(env["job"], &jobObj); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(job.Entities, jobObj["entities"]) {
		t.Errorf("Entities =\n%s\nwant the bytes as received:\n%s", job.Entities, jobObj["entities"])
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, job.Entities); err != nil {
		t.Fatalf("Entities is not JSON: %v", err)
	}
	if compact.String() != wantEntities {
		t.Errorf("Entities means %s, want %s", compact.String(), wantEntities)
	}
}

// TestGetJobKeepsDocumentedEntitiesByteForByte pins the documented example's
// entities to the exact text of the API page, spaces included.
func TestGetJobKeepsDocumentedEntitiesByteForByte(t *testing.T) {
	srv := newServer(t, serveBody(http.StatusOK, readFixture(t, "jobs/completed.json"), nil))
	job, err := newTestClient(t, srv.URL, nil).GetJob(context.Background(), testJobID)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{ "instance" : { "endpoint" : "192.168.1.203:3306", "type" : "Cluster", "datastore" : { "type" : "gaussdb-mysql", "version" : "8.0" } }, "resource_ids" : [ "a48e43ff268f4c0e879652d65e63d0fbin07.vm", "a48e43ff268f4c0e879652d65e63d0fbin07.volume" ] }`
	if string(job.Entities) != want {
		t.Errorf("Entities =\n%s\nwant\n%s", job.Entities, want)
	}
}

// errorCase is one non-2xx fixture and the *APIError GetJob must make of it.
type errorCase struct {
	name    string
	file    string
	status  int
	headers map[string]string

	wantCode, wantMessage, wantRequestID string
	wantRetryMin, wantRetryMax           time.Duration
}

func errorCases() []errorCase {
	reqID := map[string]string{"X-Request-Id": testRequestID}
	with := func(k, v string) map[string]string { return map[string]string{"X-Request-Id": testRequestID, k: v} }
	return []errorCase{
		{name: "400", file: "errors/400-dbs.json", status: 400, headers: reqID,
			wantCode: "DBS.200001", wantMessage: "Invalid parameter: id.", wantRequestID: testRequestID},
		{name: "500", file: "errors/500-dbs.json", status: 500, headers: reqID,
			wantCode: "DBS.200047", wantMessage: "Server failure. Try again later or contact technical support.", wantRequestID: testRequestID},
		{name: "401", file: "errors/401-apigw.json", status: 401, headers: reqID,
			wantCode: "APIGW.0301", wantMessage: "Incorrect IAM authentication information: token is expired", wantRequestID: testRequestID},
		{name: "403", file: "errors/403-apigw.json", status: 403, headers: reqID,
			wantCode: "APIGW.0302", wantMessage: "The IAM user is not authorized to access the API.", wantRequestID: testRequestID},
		{name: "404 with a body", file: "errors/404-dbs.json", status: 404, headers: reqID,
			wantCode: "DBS.200022", wantMessage: "The job does not exist.", wantRequestID: testRequestID},
		{name: "404 no such API", file: "errors/404-apigw-0101.json", status: 404,
			wantCode: "APIGW.0101", wantMessage: "The API does not exist or has not been published in the environment",
			wantRequestID: "5c8e2f0a9b7d4e6f8a1c3b5d7e9f0a2c"},
		{name: "404 without a body", file: "errors/404-empty.txt", status: 404, headers: reqID,
			wantMessage: "Not Found", wantRequestID: testRequestID},
		{name: "429 with Retry-After seconds", file: "errors/429-apigw.json", status: 429, headers: with("Retry-After", "3"),
			wantCode: "APIGW.0308", wantMessage: "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second",
			wantRequestID: testRequestID, wantRetryMin: 3 * time.Second, wantRetryMax: 3 * time.Second},
		{name: "429 with Retry-After date", file: "errors/429-apigw.json", status: 429,
			headers:  with("Retry-After", time.Now().Add(2*time.Minute).UTC().Format(http.TimeFormat)),
			wantCode: "APIGW.0308", wantMessage: "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second",
			// the date has whole seconds, and time passes between here and the call
			wantRequestID: testRequestID, wantRetryMin: 110 * time.Second, wantRetryMax: 2 * time.Minute},
		{name: "429 without a request id header uses the body's", file: "errors/429-apigw.json", status: 429,
			wantCode: "APIGW.0308", wantMessage: "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second",
			wantRequestID: "a1b2c3d4e5f60718293a4b5c6d7e8f90"},
		{name: "502 gateway page", file: "errors/502-gateway.html", status: 502, headers: with("Content-Type", "text/html"),
			wantMessage: "gateway page: 502 Bad Gateway", wantRequestID: testRequestID},
		{name: "503 plain text", file: "errors/503-upstream.txt", status: 503, headers: with("Retry-After", "30"),
			wantMessage:   "body: upstream connect error or disconnect/reset before headers. reset reason: connection termination",
			wantRequestID: testRequestID, wantRetryMin: 30 * time.Second, wantRetryMax: 30 * time.Second},
		{name: "504 page without a title", file: "errors/504-no-title.html", status: 504,
			wantMessage: "gateway page without a title"},
	}
}

// TestGetJobErrorFixtures serves every error fixture and checks the
// *APIError field by field, and that its text carries what a user needs.
func TestGetJobErrorFixtures(t *testing.T) {
	for _, tc := range errorCases() {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, serveBody(tc.status, readFixture(t, tc.file), tc.headers))
			c := newTestClient(t, srv.URL, nil)

			job, err := c.GetJob(context.Background(), testJobID)

			if job != nil {
				t.Errorf("job = %+v with an error", job)
			}
			ae := asAPIError(t, err)
			if ae.StatusCode != tc.status {
				t.Errorf("StatusCode = %d, want %d", ae.StatusCode, tc.status)
			}
			if ae.Code != tc.wantCode {
				t.Errorf("Code = %q, want %q", ae.Code, tc.wantCode)
			}
			if ae.Message != tc.wantMessage {
				t.Errorf("Message = %q, want %q", ae.Message, tc.wantMessage)
			}
			if ae.RequestID != tc.wantRequestID {
				t.Errorf("RequestID = %q, want %q", ae.RequestID, tc.wantRequestID)
			}
			if ae.RetryAfter < tc.wantRetryMin || ae.RetryAfter > tc.wantRetryMax {
				t.Errorf("RetryAfter = %v, want between %v and %v", ae.RetryAfter, tc.wantRetryMin, tc.wantRetryMax)
			}
			text := err.Error()
			for _, part := range []string{strconv.Itoa(tc.status), tc.wantCode, tc.wantRequestID} {
				if !strings.Contains(text, part) {
					t.Errorf("error text %q lacks %q", text, part)
				}
			}
			if srv.requests() != 1 {
				t.Errorf("server got %d requests, want 1 (a static token is not retried)", srv.requests())
			}
		})
	}
}

// TestEveryFixtureHasACase keeps the tables and testdata in step: a body
// added to testdata without a row would test nothing.
func TestEveryFixtureHasACase(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range jobCases() {
		covered[tc.file] = true
	}
	for _, tc := range errorCases() {
		covered[tc.file] = true
	}
	for _, dir := range []string{"jobs", "errors"} {
		for _, name := range fixtureNames(t, dir) {
			if !covered[name] {
				t.Errorf("testdata/%s has no case in client_test.go", name)
			}
			delete(covered, name)
		}
	}
	for name := range covered {
		t.Errorf("case for testdata/%s, which does not exist", name)
	}
}

// TestGetJobOfAnotherID refuses an answer about another job: waiting on the
// wrong job's status would be worse than failing.
func TestGetJobOfAnotherID(t *testing.T) {
	srv := newServer(t, serveBody(200, readFixture(t, "jobs/pending.json"), map[string]string{"X-Request-Id": testRequestID}))
	job, err := newTestClient(t, srv.URL, nil).GetJob(context.Background(), testJobID)
	ae := asAPIError(t, err)
	if job != nil || ae.StatusCode != 200 || ae.RequestID != testRequestID || !strings.Contains(ae.Message, "0c1e8e0a-5f43-4b0e-9d61-2f5a8b7c3d19") {
		t.Errorf("GetJob = %v, %+v; want an *APIError naming the other job", job, ae)
	}
}

// TestGetJobFillsMissingID: a job object without an id is taken as the job
// asked for (the request named it).
func TestGetJobFillsMissingID(t *testing.T) {
	srv := newServer(t, serveBody(200, []byte(`{"job":{"status":"Running","process":"10%"}}`), nil))
	job, err := newTestClient(t, srv.URL, nil).GetJob(context.Background(), testJobID)
	if err != nil {
		t.Fatal(err)
	}
	if job.ID != testJobID || job.Status != StatusRunning || job.Progress != 10 {
		t.Errorf("job = %+v", job)
	}
}

// A caller of GetJob (a CLI's get, a controller's own loop) tells an
// answer without a job from any other failure with the exported ErrNoJob;
// it is not ErrNotVisible, which only the end of a wait matches.
func TestEmptyAnswerMatchesErrNoJob(t *testing.T) {
	for _, body := range []string{`{"job":null}`, `{}`, `{"job":{}}`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body))
		}))
		c := newTestClient(t, srv.URL, nil)
		job, err := c.GetJob(context.Background(), testJobID)
		srv.Close()
		if job != nil || !errors.Is(err, ErrNoJob) || errors.Is(err, ErrNotVisible) {
			t.Errorf("%s: GetJob = %v, %v; want an error matching ErrNoJob and not ErrNotVisible", body, job, err)
		}
	}
}
