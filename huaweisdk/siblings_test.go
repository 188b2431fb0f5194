package huaweisdk

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	dds "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dds/v3"
	opengauss "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdbforopengauss/v3"
	rds "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/rds/v3"
	"github.com/taurusdb-tools/taurusjob"
)

// Every real-shaped body of the core's testdata for RDS, openGauss and DDS
// reads the same through the service's SDK adapter as through the core
// Client: the SDK's own models decode them, and the job (status, percent,
// times, instance, fail_reason, RDS's entities) or the error (status,
// code, message, request id) is the same. The request is the SDK's
// documented one: GET /v3/{project_id}/jobs?id=….
func TestSiblingGettersReadEveryFixtureAsTheCoreClient(t *testing.T) {
	for _, svc := range siblings {
		dir := filepath.Join("..", "testdata", svc.String())
		entries, err := os.ReadDir(dir)
		if err != nil || len(entries) == 0 {
			t.Fatalf("testdata for %v: %v", svc, err)
		}
		for _, e := range entries {
			name := svc.String() + "/" + e.Name()
			t.Run(name, func(t *testing.T) {
				body, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				status := http.StatusOK
				switch {
				case strings.HasPrefix(e.Name(), "error-400"):
					status = http.StatusBadRequest
				case strings.HasPrefix(e.Name(), "error-404"):
					status = http.StatusNotFound
				}
				jobID := testJob
				var env struct{ Job struct{ ID string } }
				if json.Unmarshal(body, &env) == nil && env.Job.ID != "" {
					jobID = env.Job.ID
				}
				var lang string
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method != http.MethodGet || r.URL.Path != "/v3/"+testPID+"/jobs" || r.URL.Query().Get("id") != jobID {
						t.Errorf("request %s %s; want GET /v3/%s/jobs?id=%s", r.Method, r.URL, testPID, jobID)
					}
					lang = r.Header.Get("X-Language")
					w.Header().Set("Content-Type", "application/json")
					w.Header().Set("X-Request-Id", "4f0e7c2a9b1d4e3f")
					w.WriteHeader(status)
					_, _ = w.Write(body)
				}))
				defer srv.Close()
				var opts []Option
				if svc == taurusjob.ServiceRDS {
					opts = append(opts, WithLanguage("en-us"))
				}
				viaSDK, sdkErr := siblingGetter(t, svc, srv.URL, srv.Client().Transport.(*http.Transport), opts...).
					GetJob(context.Background(), jobID)
				if svc == taurusjob.ServiceRDS && lang != "en-us" {
					t.Errorf("X-Language = %q; RDS's ListJobInfo sends it", lang)
				}
				core, err := taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: srv.URL, ProjectID: testPID,
					AccessKey: testAK, SecretKey: testSK, Service: svc})
				if err != nil {
					t.Fatal(err)
				}
				viaCore, coreErr := core.GetJob(context.Background(), jobID)
				if status != http.StatusOK {
					sameAPIError(t, sdkErr, coreErr)
					return
				}
				if sdkErr != nil || coreErr != nil {
					t.Fatalf("SDK: %v; core: %v", sdkErr, coreErr)
				}
				sameJob(t, viaSDK, viaCore)
			})
		}
	}
}

func sameAPIError(t *testing.T, viaSDK, viaCore error) {
	t.Helper()
	var s, c *taurusjob.APIError
	if !errors.As(viaSDK, &s) || !errors.As(viaCore, &c) {
		t.Fatalf("SDK: %v; core: %v; want an *APIError from both", viaSDK, viaCore)
	}
	if s.StatusCode != c.StatusCode || s.Code != c.Code || s.Message != c.Message || s.RequestID != c.RequestID {
		t.Errorf("SDK's error %+v, core's %+v", *s, *c)
	}
}

func sameJob(t *testing.T, viaSDK, viaCore *taurusjob.Job) {
	t.Helper()
	s, c := *viaSDK, *viaCore
	if s.ID != c.ID || s.Name != c.Name || s.Status != c.Status || s.Progress != c.Progress ||
		s.Instance != c.Instance || s.FailReason != c.FailReason || !s.Created.Equal(c.Created) || !s.Ended.Equal(c.Ended) {
		t.Errorf("SDK's job %+v\ncore's     %+v", s, c)
	}
	if !sameJSON(s.Entities, c.Entities) {
		t.Errorf("SDK's entities %s, core's %s", s.Entities, c.Entities)
	}
	var raw map[string]any
	if err := json.Unmarshal(s.Raw, &raw); err != nil || raw["status"] != string(c.Status) {
		t.Errorf("SDK's Raw %s is not the job's JSON", s.Raw)
	}
}

// sameJSON compares two JSON texts by value; nil equals nil only.
func sameJSON(a, b []byte) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

// The adapters take the Getter's options with the same checks; a nil
// client is refused; openGauss and DDS refuse WithLanguage, which their
// SDK request cannot send, instead of dropping it silently.
func TestNewSiblingGettersValidate(t *testing.T) {
	checks := map[string]error{}
	_, checks["rds nil"] = NewRDSGetter(nil)
	_, checks["opengauss nil"] = NewOpenGaussGetter(nil)
	_, checks["dds nil"] = NewDDSGetter(nil)
	_, checks["rds no HcClient"] = NewRDSGetter(&rds.RdsClient{})
	_, checks["rds bad timeout"] = NewRDSGetter(rds.NewRdsClient(sdkHTTPClient(t, rds.RdsClientBuilder(), "https://rds.cn-north-4.myhuaweicloud.com", nil, time.Second)), WithCallTimeout(0))
	og := opengauss.NewGaussDBforopenGaussClient(sdkHTTPClient(t, opengauss.GaussDBforopenGaussClientBuilder(), "https://gaussdb-opengauss.cn-north-4.myhuaweicloud.com", nil, time.Second))
	_, checks["opengauss language"] = NewOpenGaussGetter(og, WithLanguage("zh-cn"))
	d := dds.NewDdsClient(sdkHTTPClient(t, dds.DdsClientBuilder(), "https://dds.cn-north-4.myhuaweicloud.com", nil, time.Second))
	_, checks["dds language"] = NewDDSGetter(d, WithLanguage("zh-cn"))
	for name, err := range checks {
		if !errors.Is(err, taurusjob.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
	if _, err := NewDDSGetter(d, WithCallTimeout(time.Second), nil); err != nil {
		t.Errorf("a valid DDS getter refused: %v", err)
	}
}

// Each adapter returns a *TransportError once the call timeout passes and
// ctx's error as soon as ctx ends, while the server stalls, and validates
// the job id before calling anything.
func TestSiblingGettersBoundEveryCall(t *testing.T) {
	for _, svc := range siblings {
		t.Run(svc.String(), func(t *testing.T) {
			srv, _, release := stallServer(t)
			defer srv.Close()
			defer release()
			tr := srv.Client().Transport.(*http.Transport)
			g := siblingGetter(t, svc, srv.URL, tr, WithCallTimeout(150*time.Millisecond))
			_, err := g.GetJob(context.Background(), testJob)
			if !errors.As(err, new(*taurusjob.TransportError)) || !strings.Contains(err.Error(), "150ms call timeout") {
				t.Errorf("stalled call: %v; want a *TransportError naming the call timeout", err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			if _, err := g.GetJob(ctx, testJob); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("ctx deadline: %v; want context.DeadlineExceeded", err)
			}
			if _, err := g.GetJob(context.Background(), "a/b"); !errors.Is(err, taurusjob.ErrInvalidInput) {
				t.Errorf("bad job id: %v; want ErrInvalidInput", err)
			}
			release()
			srv.Close()
			verifyNoLeaks(t)
		})
	}
}
