package taurusjobtest

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// Each service's fake answers carry that service's fields, as its real API
// and its SDK model have them: the percent under its own name (and never
// the other), entities or none, fail_reason null or "" until a failure,
// the service's job name and instance id suffix, and UUID job ids.
func TestWithServiceServesEachServicesShape(t *testing.T) {
	cases := []struct {
		svc                 taurusjob.Service
		percent, other      string
		entities, nullWhile bool
		name, suffix        string
	}{
		{taurusjob.ServiceTaurusDB, "process", "progress", true, false, "CreateGaussDBforMySQLInstance", "in07"},
		{taurusjob.ServiceRDS, "process", "progress", true, false, "CreateMysqlInstance", "in01"},
		{taurusjob.ServiceOpenGauss, "progress", "process", false, true, "CreateGaussDBV5Instance", "in14"},
		{taurusjob.ServiceDDS, "progress", "process", false, false, "CreateMongoDB", "in02"},
	}
	for _, tc := range cases {
		t.Run(tc.svc.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := NewInMemory(WithService(tc.svc))
				defer srv.Close()
				ok := srv.AddJob(Job{Running: 10 * time.Second})
				bad := srv.AddJob(Job{Running: 10 * time.Second, Outcome: Failed, FailReason: "no quota"})
				time.Sleep(5 * time.Second)
				running := fields(t, srv, ok)
				if running["status"] != `"Running"` || running[tc.percent] != `"50%"` {
					t.Errorf("running body %v: want status Running and %s 50%%", running, tc.percent)
				}
				if _, has := running[tc.other]; has {
					t.Errorf("running body has %q too: %v", tc.other, running)
				}
				if _, has := running["entities"]; has != tc.entities {
					t.Errorf("entities present = %v, want %v", has, tc.entities)
				}
				wantNone := `""`
				if tc.nullWhile {
					wantNone = "null"
				}
				if running["fail_reason"] != wantNone {
					t.Errorf("fail_reason while running = %s, want %s", running["fail_reason"], wantNone)
				}
				time.Sleep(10 * time.Second)
				done, failed := fields(t, srv, ok), fields(t, srv, bad)
				if done["status"] != `"Completed"` || done["fail_reason"] != wantNone {
					t.Errorf("completed body %v: want Completed, fail_reason %s", done, wantNone)
				}
				if failed["status"] != `"Failed"` || failed["fail_reason"] != `"no quota"` {
					t.Errorf("failed body %v: want Failed with its reason", failed)
				}
				j := getJob(t, srv, ok)
				if j.Name != tc.name || !strings.HasSuffix(j.Instance.ID, tc.suffix) || !uuidRE.MatchString(ok) {
					t.Errorf("name %q, instance %q, id %q: want %s, …%s and a UUID", j.Name, j.Instance.ID, ok, tc.name, tc.suffix)
				}
			})
		})
	}
}

// fields returns the job object's fields as raw JSON texts.
func fields(t *testing.T, srv *Server, id string) map[string]string {
	t.Helper()
	r := get(t, srv, jobURL(srv, id))
	var env struct{ Job map[string]json.RawMessage }
	if err := json.Unmarshal(r.body, &env); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
	m := map[string]string{}
	for k, v := range env.Job {
		m[k] = string(v)
	}
	return m
}

// A service the package does not know is a mistake in the test, said at once.
func TestWithServiceRefusesAnUnknownService(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("WithService(99) did not panic")
		}
	}()
	NewInMemory(WithService(taurusjob.Service(99)))
}
