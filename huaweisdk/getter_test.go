package huaweisdk

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/sign"
	"go.uber.org/goleak"
)

// docJob is the 200 answer of the API's documentation.
const docJob = `{ "job": {
    "id": "f9959f52-aa4d-43f7-be74-44b6fc20b239",
    "name": "CreateGaussDBforMySQLInstance",
    "status": "Completed",
    "created": "2018-08-06T10:41:14+0800",
    "ended": "2018-08-06T16:41:14+0000",
    "process": "",
    "instance": { "id": "a48e43ff268f4c0e879652d65e63d0fbin07", "name": "DO-NOT-TOUCH-mgr2-mysql-single" },
    "entities": { "instance": { "endpoint": "192.168.1.203:3306", "type": "Cluster",
                                "datastore": { "type": "gaussdb-mysql", "version": "8.0" } },
                  "resource_ids": [ "a48e43ff268f4c0e879652d65e63d0fbin07.vm",
                                    "a48e43ff268f4c0e879652d65e63d0fbin07.volume" ] } } }`

// jobServer serves body for GET /v3/{testPID}/jobs?id=testJob, after
// checking the request's SDK-HMAC-SHA256 signature with the core's
// internal/sign.Verify and verifySK. A request that fails a check gets a 401 or
// 400 whose message says why, so the test sees it in GetJob's error.
type jobServer struct {
	verifySK string
	status   int
	body     string
	mu       sync.Mutex
	headers  []http.Header // of each request
}

func (s *jobServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.headers = append(s.headers, r.Header.Clone())
	s.mu.Unlock()
	w.Header().Set("X-Request-Id", "req-verify")
	if err := sign.Verify(r, testAK, s.verifySK, time.Now(), time.Minute); err != nil {
		writeError(w, http.StatusUnauthorized, "APIGW.0301", err.Error())
		return
	}
	if r.URL.Path != "/v3/"+testPID+"/jobs" || r.URL.Query().Get("id") != testJob || r.Method != http.MethodGet {
		writeError(w, http.StatusBadRequest, "TEST.0001", "unexpected request "+r.Method+" "+r.URL.String())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(s.status)
	_, _ = io.WriteString(w, s.body)
}

func (s *jobServer) lastHeader(t *testing.T) http.Header {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.headers) == 0 {
		t.Fatal("the server saw no request")
	}
	return s.headers[len(s.headers)-1]
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	b, _ := json.Marshal(map[string]string{"error_code": code, "error_msg": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// (b) The official client, pointed at a loopback server that checks its
// signature with the core's internal/sign.Verify, fetches jobs through NewGetter.
func TestGetJobThroughTheSDK(t *testing.T) {
	utc8 := time.FixedZone("+0800", 8*3600)
	tests := []struct {
		name   string
		token  string
		opts   []Option
		body   string
		want   taurusjob.Job // Raw and Entities checked apart
		signed string        // SignedHeaders the SDK sends
	}{
		{
			name: "completed, as documented",
			body: docJob,
			want: taurusjob.Job{ID: testJob, Name: "CreateGaussDBforMySQLInstance", Status: taurusjob.StatusCompleted,
				Created:  time.Date(2018, 8, 6, 10, 41, 14, 0, utc8),
				Ended:    time.Date(2018, 8, 6, 16, 41, 14, 0, time.UTC),
				Progress: -1,
				Instance: taurusjob.Instance{ID: "a48e43ff268f4c0e879652d65e63d0fbin07", Name: "DO-NOT-TOUCH-mgr2-mysql-single"}},
			signed: "user-agent;x-project-id;x-sdk-date",
		},
		{
			name:  "running, temporary credentials, language",
			token: "temporary-security-token-value",
			opts:  []Option{WithLanguage("zh-cn")},
			body:  `{"job":{"id":"` + testJob + `","name":"EnlargeVolume","status":"Running","created":"2025-01-02T03:04:05+0000","ended":"","process":"60%"}}`,
			want: taurusjob.Job{ID: testJob, Name: "EnlargeVolume", Status: taurusjob.StatusRunning,
				Created: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Progress: 60},
			signed: "user-agent;x-language;x-project-id;x-sdk-date;x-security-token",
		},
		{
			name: "failed with a reason",
			body: `{"job":{"id":"` + testJob + `","name":"ResizeFlavor","status":"Failed","created":"2025-01-02T03:04:05+08:00","ended":"2025-01-02T03:09:05+08:00","fail_reason":"DBS.280056: quota exceeded"}}`,
			want: taurusjob.Job{ID: testJob, Name: "ResizeFlavor", Status: taurusjob.StatusFailed,
				Created: time.Date(2025, 1, 2, 3, 4, 5, 0, utc8), Ended: time.Date(2025, 1, 2, 3, 9, 5, 0, utc8),
				Progress: -1, FailReason: "DBS.280056: quota exceeded"},
			signed: "user-agent;x-project-id;x-sdk-date",
		},
		{
			name:   "a status the SDK's enum lacks is kept",
			body:   `{"job":{"id":"` + testJob + `","name":"CreateInstance","status":"Unauthorized","created":"","process":""}}`,
			want:   taurusjob.Job{ID: testJob, Name: "CreateInstance", Status: taurusjob.StatusUnauthorized, Progress: -1},
			signed: "user-agent;x-project-id;x-sdk-date",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &jobServer{verifySK: testSK, status: http.StatusOK, body: tt.body}
			srv := httptest.NewServer(api)
			defer srv.Close()
			g := newGetter(t, newSDKClient(t, srv, tt.token, 5*time.Second), tt.opts...)

			job, err := g.GetJob(context.Background(), testJob)
			if err != nil {
				t.Fatalf("GetJob: %v", err)
			}
			if job.ID != tt.want.ID || job.Name != tt.want.Name || job.Status != tt.want.Status ||
				!job.Created.Equal(tt.want.Created) || !job.Ended.Equal(tt.want.Ended) ||
				job.Progress != tt.want.Progress || job.Instance != tt.want.Instance || job.FailReason != tt.want.FailReason {
				t.Errorf("job:\n got %+v\nwant %+v", *job, tt.want)
			}
			if job.Entities != nil {
				t.Errorf("Entities = %s; the SDK drops them, so they must be nil, not made up", job.Entities)
			}
			var raw map[string]any
			if err := json.Unmarshal(job.Raw, &raw); err != nil {
				t.Fatalf("Raw is not JSON: %v: %s", err, job.Raw)
			}
			if raw["id"] != testJob || raw["status"] != string(tt.want.Status) || raw["name"] != tt.want.Name {
				t.Errorf("Raw = %s, want the job's id, name and status", job.Raw)
			}
			if _, ok := raw["entities"]; ok {
				t.Errorf("Raw = %s holds entities the SDK dropped", job.Raw)
			}

			h := api.lastHeader(t)
			if got := h.Get("Authorization"); !strings.Contains(got, "SignedHeaders="+tt.signed+",") {
				t.Errorf("the SDK signed %s, want SignedHeaders=%s", got, tt.signed)
			}
			if got := h.Get("X-Security-Token"); got != tt.token {
				t.Errorf("X-Security-Token = %q, want %q", got, tt.token)
			}
		})
	}
}

// The server's check is not vacuous: a server that knows another SK rejects
// the SDK's requests, and the Getter reports the 401 as an *APIError.
func TestGetJobSignatureCheckedForReal(t *testing.T) {
	api := &jobServer{verifySK: "another-secret-key", status: http.StatusOK, body: docJob}
	srv := httptest.NewServer(api)
	defer srv.Close()
	g := newGetter(t, newSDKClient(t, srv, "", 5*time.Second))
	_, err := g.GetJob(context.Background(), testJob)
	var ae *taurusjob.APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusUnauthorized || ae.Code != "APIGW.0301" || !strings.Contains(ae.Message, "does not match") {
		t.Fatalf("err = %v, want a 401 APIError saying the signature does not match", err)
	}
	if strings.Contains(err.Error(), testSK) {
		t.Errorf("error shows the SK: %v", err)
	}
}

// (c) Error answers and empty answers map to the core's error types, which
// the waiter classifies.
func TestGetJobErrors(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		want        taurusjob.APIError // when wantAPI
		wantAPI     bool
		notVisible  bool
	}{
		{name: "404 not visible yet", status: 404, body: `{"error_code":"DBS.200823","error_msg":"The job does not exist."}`, wantAPI: true,
			want: taurusjob.APIError{StatusCode: 404, Code: "DBS.200823", Message: "The job does not exist.", RequestID: "req-err"}},
		{name: "429 throttled", status: 429, body: `{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second"}`, wantAPI: true,
			want: taurusjob.APIError{StatusCode: 429, Code: "APIGW.0308", Message: "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second", RequestID: "req-err"}},
		{name: "500 server error", status: 500, body: `{"error_code":"DBS.200001","error_msg":"Internal error."}`, wantAPI: true,
			want: taurusjob.APIError{StatusCode: 500, Code: "DBS.200001", Message: "Internal error.", RequestID: "req-err"}},
		{name: "400 client error", status: 400, body: `{"error_code":"DBS.200002","error_msg":"Invalid parameter: id."}`, wantAPI: true,
			want: taurusjob.APIError{StatusCode: 400, Code: "DBS.200002", Message: "Invalid parameter: id.", RequestID: "req-err"}},
		{name: "502 gateway page", status: 502, contentType: "text/html", body: "<html><head><title>502 Bad Gateway</title></head><body>" + strings.Repeat("x", 5000) + "</body></html>", wantAPI: true,
			want: taurusjob.APIError{StatusCode: 502, Message: "gateway page: 502 Bad Gateway", RequestID: "req-err"}},
		{name: "200 with a null job", status: 200, body: `{"job":null}`, notVisible: true},
		{name: "200 with no job", status: 200, body: `{}`, notVisible: true},
		{name: "200 with an empty job", status: 200, body: `{"job":{}}`, notVisible: true},
		{name: "200 malformed", status: 200, body: `{"job":`, wantAPI: true, want: taurusjob.APIError{StatusCode: 200, RequestID: "req-err"}},
		{name: "200 for another job", status: 200, body: `{"job":{"id":"other-job","status":"Running"}}`, wantAPI: true,
			want: taurusjob.APIError{StatusCode: 200, Message: `answer is for job "other-job", not the job asked for`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ct := tt.contentType
				if ct == "" {
					ct = "application/json"
				}
				w.Header().Set("Content-Type", ct)
				w.Header().Set("X-Request-Id", "req-err")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			g := newGetter(t, newSDKClient(t, srv, "", 5*time.Second))
			job, err := g.GetJob(context.Background(), testJob)
			if job != nil {
				t.Errorf("job = %+v, want nil with an error", job)
			}
			if tt.notVisible {
				if !errors.Is(err, taurusjob.ErrNoJob) || !strings.Contains(err.Error(), testJob) || errors.Is(err, taurusjob.ErrNotVisible) {
					t.Fatalf("err = %v, want an error matching ErrNoJob for %s", err, testJob)
				}
				return
			}
			var ae *taurusjob.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %T %v, want *taurusjob.APIError", err, err)
			}
			if ae.StatusCode != tt.want.StatusCode || ae.Code != tt.want.Code || ae.RequestID != tt.want.RequestID ||
				(tt.want.Message != "" && ae.Message != tt.want.Message) {
				t.Errorf("APIError:\n got %+v\nwant %+v", *ae, tt.want)
			}
			if len(ae.Message) > maxMessageLen+40 {
				t.Errorf("message is %d bytes long", len(ae.Message))
			}
		})
	}
}

func TestGetJobConnectionRefusedIsTransport(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	client := newSDKClient(t, srv, "", 5*time.Second)
	srv.Close() // nothing listens at its address any more
	_, err := newGetter(t, client).GetJob(context.Background(), testJob)
	var te *taurusjob.TransportError
	if !errors.As(err, &te) {
		t.Fatalf("err = %T %v, want *taurusjob.TransportError", err, err)
	}
}

// Bad input is refused before any call.
func TestGetJobValidatesFirst(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer srv.Close()
	g := newGetter(t, newSDKClient(t, srv, "", 5*time.Second))
	for _, id := range []string{"", "a b", "../x", "id&other=1", strings.Repeat("a", 200)} {
		if _, err := g.GetJob(context.Background(), id); !errors.Is(err, taurusjob.ErrInvalidInput) {
			t.Errorf("GetJob(%q): err = %v, want ErrInvalidInput", id, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.GetJob(ctx, testJob); !errors.Is(err, context.Canceled) {
		t.Errorf("GetJob with an ended ctx: err = %v, want context.Canceled", err)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("the server got %d requests, want none", n)
	}
}

func TestNewGetterValidates(t *testing.T) {
	if _, err := NewGetter(nil); !errors.Is(err, taurusjob.ErrInvalidInput) {
		t.Errorf("NewGetter(nil): err = %v", err)
	}
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	client := newSDKClient(t, srv, "", time.Second)
	for _, o := range []Option{WithCallTimeout(0), WithCallTimeout(-time.Second), WithLanguage(""), WithLanguage("en us"), WithLanguage("en\r\nX: y")} {
		if _, err := NewGetter(client, o); !errors.Is(err, taurusjob.ErrInvalidInput) {
			t.Errorf("NewGetter with a bad option: err = %v, want ErrInvalidInput", err)
		}
	}
	g, err := NewGetter(client)
	if err != nil || g.timeout != DefaultCallTimeout {
		t.Errorf("NewGetter(client) = %+v, %v; want the default call timeout", g, err)
	}
}

// verifyNoLeaks gives goroutines up to 10 s to end (goleak's own retries
// last about half a second, short on a loaded machine), then reports those
// left.
func verifyNoLeaks(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); goleak.Find() != nil && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	goleak.VerifyNone(t)
}

// stallServer answers nothing until release is closed.
func stallServer(t *testing.T) (srv *httptest.Server, arrived <-chan struct{}, release func()) {
	t.Helper()
	in := make(chan struct{}, 16)
	stop := make(chan struct{})
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in <- struct{}{}
		<-stop
		_, _ = io.WriteString(w, docJob)
	}))
	var once sync.Once
	return srv, in, func() { once.Do(func() { close(stop) }) }
}

// (d) The SDK takes no context, yet a cancel returns at once while the
// server stalls; once the server answers, the abandoned call ends and
// leaves no goroutine behind.
func TestGetJobCancelWhileServerStalls(t *testing.T) {
	srv, arrived, release := stallServer(t)
	defer srv.Close()
	defer release()
	// The SDK's own timeout is far longer than the test waits.
	g := newGetter(t, newSDKClient(t, srv, "", time.Minute))

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := g.GetJob(ctx, testJob)
		errc <- err
	}()
	<-arrived // the SDK's request is at the server, which holds it
	canceled := time.Now()
	cancel()
	select {
	case err := <-errc:
		// The SDK would wait a minute; 2 s leaves room for a loaded machine.
		if since := time.Since(canceled); since > 2*time.Second {
			t.Errorf("GetJob returned %s after the cancel", since)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want one matching context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("GetJob did not return within 5 s of the cancel")
	}

	release() // the server answers; the abandoned SDK call returns and its goroutine ends
	srv.Close()
	verifyNoLeaks(t)
}

func TestGetJobCallTimeout(t *testing.T) {
	srv, _, release := stallServer(t)
	defer srv.Close()
	defer release()
	g := newGetter(t, newSDKClient(t, srv, "", time.Minute), WithCallTimeout(150*time.Millisecond))

	start := time.Now()
	_, err := g.GetJob(context.Background(), testJob)
	if since := time.Since(start); since > 5*time.Second {
		t.Errorf("GetJob took %s with a 150ms call timeout", since)
	}
	var te *taurusjob.TransportError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "150ms call timeout") {
		t.Fatalf("err = %v, want a *TransportError naming the 150ms call timeout", err)
	}
	release()
	srv.Close()
	verifyNoLeaks(t)
}

// A deadline on ctx is reported as such, distinct from the call timeout.
func TestGetJobDeadline(t *testing.T) {
	srv, _, release := stallServer(t)
	defer srv.Close()
	defer release()
	g := newGetter(t, newSDKClient(t, srv, "", time.Minute))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := g.GetJob(ctx, testJob)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	var te *taurusjob.TransportError
	if errors.As(err, &te) {
		t.Errorf("ctx's deadline reported as a transport error: %v", err)
	}
}
