package huaweisdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// instanceGetterOf is the adapter of svc over srv, as an InstanceGetter.
func instanceGetterOf(t *testing.T, svc taurusjob.Service, srv *httptest.Server, token string) taurusjob.InstanceGetter {
	t.Helper()
	return serviceGetter(t, svc, srv, token).(taurusjob.InstanceGetter)
}

// coreClientOf is the core client of svc at endpoint, signing with the
// test key pair, for the adapters to be compared with.
func coreClientOf(t *testing.T, svc taurusjob.Service, endpoint string, hc *http.Client) *taurusjob.Client {
	t.Helper()
	c, err := taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: endpoint, ProjectID: testPID,
		AccessKey: testAK, SecretKey: testSK, HTTPClient: hc, Service: svc})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sameInstance compares what a wait reads of two InstanceInfos: all but Raw.
func sameInstance(a, b *taurusjob.InstanceInfo) bool {
	ca, cb := *a, *b
	ca.Raw, cb.Raw = nil, nil
	return fmt.Sprintf("%#v", ca) == fmt.Sprintf("%#v", cb)
}

// TestSDKInstancesMatchTheCore: each official client's instance call,
// through its adapter, reads the core's fixtures (real-shaped bodies of
// every service) and the fake API's instances into the same InstanceInfo
// as taurusjob.Client does, so that an instance wait judges the same
// whichever getter it is given; the SDK's models decode both, and the
// fake checks the SDK's signatures.
func TestSDKInstancesMatchTheCore(t *testing.T) {
	fixtures := map[taurusjob.Service]struct{ file, id string }{
		taurusjob.ServiceTaurusDB:  {"taurusdb_active.json", "96f2f4ed8ad74c3a9b2bd8e4b8b2c2a5in07"},
		taurusjob.ServiceRDS:       {"rds_list.json", "ed7cc6166ec24360a5ed5c5c9c2ed726in01"},
		taurusjob.ServiceOpenGauss: {"opengauss_list.json", "a3f5c7e9b1d34f6a8c0e2b4d6f8a0c2ein14"},
		taurusjob.ServiceDDS:       {"dds_list_actions.json", "7d5c3b1a9f8e4d6c2b0a8f6e4d2c0b9ain02"},
	}
	for _, svc := range allServices {
		t.Run(svc.String()+"/fixture", func(t *testing.T) {
			fx := fixtures[svc]
			body, err := os.ReadFile(filepath.Join("..", "testdata", "instances", fx.file))
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			}))
			defer srv.Close()
			compareWithCore(t, svc, instanceGetterOf(t, svc, srv, ""), coreClientOf(t, svc, srv.URL, srv.Client()), fx.id)
		})
		t.Run(svc.String()+"/fake", func(t *testing.T) {
			fake := taurusjobtest.NewServer(taurusjobtest.WithProjectID(testPID), taurusjobtest.WithAKSK(testAK, testSK),
				taurusjobtest.WithService(svc))
			defer fake.Close()
			id := fake.AddInstance(taurusjobtest.InstanceScript{Name: "orders",
				Steps: []taurusjobtest.InstanceStep{{Status: "normal", Actions: []string{"RESTARTING"}}}})
			hc := sdkHTTPClient(t, builderOf(t, svc), fake.URL(), fake.Client().Transport.(*http.Transport), 10*time.Second)
			g := adapterOver(t, svc, hc).(taurusjob.InstanceGetter)
			compareWithCore(t, svc, g, coreClientOf(t, svc, fake.URL(), fake.Client()), id)
			if svc == taurusjob.ServiceRDS { // a FlexusRDS instance: found by the second lookup
				compareWithCore(t, svc, g, coreClientOf(t, svc, fake.URL(), fake.Client()), fake.AddInstance(taurusjobtest.InstanceScript{Flexus: true}))
			}
			if _, err := g.GetInstance(context.Background(), id+"x"); !errors.Is(err, taurusjob.ErrInstanceNotFound) {
				t.Errorf("unknown instance: %v, want not found", err)
			}
			for _, r := range fake.Requests() {
				if r.Status == http.StatusUnauthorized {
					t.Errorf("the fake refused the SDK's signature: %+v", r)
				}
			}
		})
	}
}

func compareWithCore(t *testing.T, svc taurusjob.Service, g taurusjob.InstanceGetter, core *taurusjob.Client, id string) {
	t.Helper()
	got, err := g.GetInstance(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	want, err := core.GetInstance(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !sameInstance(got, want) || len(got.Nodes) == 0 || got.Status == "" || !json.Valid(got.Raw) {
		t.Errorf("adapter read\n%+v\ncore read\n%+v", got, want)
	}
	if svc == taurusjob.ServiceDDS && len(got.Actions) == 0 {
		t.Errorf("DDS actions lost: %+v", got)
	}
}

// TestSDKInstanceNotFound: the adapters say "not found" where the core
// does (a 404, DDS's 400 DBS.280110, an empty list, RDS's two empty
// lists) with the *APIError inside when the service answered with an
// error, and keep the gateway's "no such API" and other errors as errors.
func TestSDKInstanceNotFound(t *testing.T) {
	const id = "7d5c3b1a9f8e4d6c2b0a8f6e4d2c0b9ain02"
	tests := []struct {
		name     string
		svc      taurusjob.Service
		status   int
		body     string
		notFound bool
		requests int
	}{
		{"TaurusDB 404", taurusjob.ServiceTaurusDB, 404, `{"error_code":"DBS.200823","error_msg":"The instance does not exist."}`, true, 1},
		{"TaurusDB without instance", taurusjob.ServiceTaurusDB, 200, `{}`, true, 1},
		{"TaurusDB of another id", taurusjob.ServiceTaurusDB, 200, `{"instance":{"id":"other","status":"ACTIVE"}}`, false, 1},
		{"TaurusDB gateway no such API", taurusjob.ServiceTaurusDB, 404, `{"error_code":"APIGW.0101","error_msg":"The API does not exist"}`, false, 1},
		{"RDS both lists empty", taurusjob.ServiceRDS, 200, `{"instances":[],"total_count":0}`, true, 2},
		{"RDS lists others", taurusjob.ServiceRDS, 200, `{"instances":[{"id":"other","status":"ACTIVE"}],"total_count":1}`, false, 1},
		{"openGauss empty list", taurusjob.ServiceOpenGauss, 200, `{"instances":[],"total_count":0}`, true, 1},
		{"DDS 400 DBS.280110", taurusjob.ServiceDDS, 400, `{"error_code":"DBS.280110","error_msg":"The DB instance does not exist."}`, true, 1},
		{"DDS other 400", taurusjob.ServiceDDS, 400, `{"error_code":"DBS.200001","error_msg":"Invalid parameter."}`, false, 1},
		{"RDS 400 DBS.280110 is DDS's only", taurusjob.ServiceRDS, 400, `{"error_code":"DBS.280110","error_msg":"x"}`, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n int
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n++
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			info, err := instanceGetterOf(t, tt.svc, srv, "").GetInstance(context.Background(), id)
			if info != nil || err == nil || errors.Is(err, taurusjob.ErrInstanceNotFound) != tt.notFound || n != tt.requests {
				t.Fatalf("got %+v, %v after %d requests; want not found %v after %d", info, err, n, tt.notFound, tt.requests)
			}
			if ae, ok := errors.AsType[*taurusjob.APIError](err); (tt.status != 200 || !tt.notFound) != ok || ok && ae.StatusCode != tt.status {
				t.Errorf("error %v: *APIError %+v (found %v)", err, ae, ok)
			}
		})
	}
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("a bad id reached the server") }))
	defer srv.Close()
	for _, svc := range allServices {
		for _, bad := range []string{"", "*in07", "a/b", "a&group_type=flexus", strings.Repeat("a", 65)} {
			if _, err := instanceGetterOf(t, svc, srv, "").GetInstance(context.Background(), bad); !errors.Is(err, taurusjob.ErrInvalidInput) {
				t.Errorf("%v: GetInstance(%q) = %v, want ErrInvalidInput", svc, bad, err)
			}
		}
	}
}

// TestSDKInstanceHidesEchoedCredentials: for each of the four getters, an
// instance answer whose every string carries the request's credentials,
// raw or JSON-escaped, and error answers that echo them, come back with
// none of them in the InstanceInfo, its nodes, Raw, or the error.
func TestSDKInstanceHidesEchoedCredentials(t *testing.T) {
	const id = "7d5c3b1a9f8e4d6c2b0a8f6e4d2c0b9ain02"
	for _, svc := range allServices {
		for _, status := range []int{200, 404, 500} {
			t.Run(fmt.Sprint(svc, "/", status), func(t *testing.T) {
				es := &echoServer{answer: func(w http.ResponseWriter, r *http.Request) {
					creds := r.Header.Get("Authorization") + " " + r.Header.Get("X-Security-Token")
					esc := escapeAll(creds)
					w.Header().Set("Content-Type", "application/json")
					w.Header().Set("X-Request-Id", creds)
					w.WriteHeader(status)
					if status != 200 {
						fmt.Fprintf(w, `{"error_code":"DBS.200823","error_msg":"%s %s"}`, esc, strings.ReplaceAll(creds, `"`, ""))
						return
					}
					node := fmt.Sprintf(`{"id":"%s","name":%q,"role":"%s","type":%q,"status":"%s"}`, esc, creds, esc, creds, esc)
					inst := fmt.Sprintf(`{"id":%q,"name":"%s","status":%q,"actions":["%s"],"nodes":[%s],"groups":[{"nodes":[%s]}],"remainder":"%s"}`,
						id, esc, creds, esc, node, node, esc)
					if svc == taurusjob.ServiceTaurusDB {
						fmt.Fprintf(w, `{"instance":%s}`, inst)
					} else {
						fmt.Fprintf(w, `{"instances":[%s],"total_count":1}`, inst)
					}
				}}
				srv := httptest.NewServer(es)
				defer srv.Close()
				info, err := instanceGetterOf(t, svc, srv, testSTS).GetInstance(context.Background(), id)
				secrets := es.secrets()
				if status != 200 {
					secretcheck.AssertError(t, "GetInstance", err, secrets...)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(info.Nodes) == 0 || !json.Valid(info.Raw) {
					t.Errorf("nodes %+v, Raw %s: want the nodes kept and Raw valid JSON", info.Nodes, info.Raw)
				}
				for where, text := range map[string]string{"info": fmt.Sprintf("%#v", info), "raw": string(info.Raw),
					"failure": (&taurusjob.InstanceError{InstanceID: id, Instance: info, Status: info.Status}).Error()} {
					secretcheck.Assert(t, where, text, secrets...)
				}
			})
		}
	}
}
