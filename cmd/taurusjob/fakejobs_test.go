package main

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// TestParseJobSpec: each key of a --job spec scripts the job it says, so
// that a script author gets the job they wrote down.
func TestParseJobSpec(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		spec                        string
		id, outcome, reason         string
		invisible, pending, running time.Duration
		http                        int
		profile                     int // the percent at half the running time; -2: not checked
	}{
		{spec: "", id: "job-3", outcome: "completed", http: 403, profile: -2},
		{spec: "id=ok", id: "ok", outcome: "completed", http: 403, profile: -2},
		{spec: `id=f,outcome=failed,"reason=no quota, sorry"`, id: "f", outcome: "failed", reason: "no quota, sorry", http: 403, profile: -2},
		{spec: "id=c,outcome=canceled", id: "c", outcome: "canceled", http: 403, profile: -2},
		{spec: "id=g,outcome=never-visible", id: "g", outcome: "never-visible", invisible: taurusjobtest.Forever, http: 403, profile: -2},
		{spec: "id=e,outcome=error,http=503,running=2s", id: "e", outcome: "error", running: 2 * time.Second, http: 503, profile: -2},
		{spec: "id=r, invisible=1s,pending=2s,running=forever,profile=stuck:30", id: "r", outcome: "completed",
			invisible: time.Second, pending: 2 * time.Second, running: taurusjobtest.Forever, http: 403, profile: 30},
		{spec: "id=s,running=10s,profile=steps:20", id: "s", outcome: "completed", running: 10 * time.Second, http: 403, profile: 40},
		{spec: "id=n,running=10s,profile=none", id: "n", outcome: "completed", running: 10 * time.Second, http: 403, profile: -1},
	} {
		fj, err := parseJobSpec(3, tc.spec)
		if err != nil {
			t.Errorf("parseJobSpec(%q): %v", tc.spec, err)
			continue
		}
		j := fj.job
		if j.ID != tc.id || fj.outcome != tc.outcome || fj.reason != tc.reason || fj.httpError != tc.http ||
			j.Invisible != tc.invisible || j.Pending != tc.pending || j.Running != tc.running {
			t.Errorf("parseJobSpec(%q) = id %q outcome %q reason %q http %d phases %s/%s/%s; want %q %q %q %d %s/%s/%s",
				tc.spec, j.ID, fj.outcome, fj.reason, fj.httpError, j.Invisible, j.Pending, j.Running,
				tc.id, tc.outcome, tc.reason, tc.http, tc.invisible, tc.pending, tc.running)
		}
		if tc.profile != -2 {
			if got := j.Profile(5*time.Second, 10*time.Second); got != tc.profile {
				t.Errorf("parseJobSpec(%q): percent at half time %d, want %d", tc.spec, got, tc.profile)
			}
		}
	}
}

// TestJobSpecInstance: instance=ID makes fake-api serve the instance the
// job works on, so that a script can test an instance wait too: BUILD
// while the job runs, then the post-job life (ACTIVE, BACKING UP, ACTIVE)
// once it completes, FAILED once it fails. A spec that cannot have an
// instance, or an id GetInstance would refuse, is a usage error.
func TestJobSpecInstance(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"instance=a/b", "instance=", "instance=*x", "outcome=error,instance=x", "outcome=never-visible,instance=x"} {
		if _, err := parseJobSpec(1, bad); err == nil {
			t.Errorf("parseJobSpec(%q) accepted it", bad)
		}
	}
	for _, tc := range []struct {
		spec  string
		reads map[time.Duration]string
	}{
		{"id=c,running=1m,instance=inst-1", map[time.Duration]string{0: "BUILD", time.Minute: "ACTIVE", time.Minute + 10*time.Second: "BACKING UP", time.Hour: "ACTIVE"}},
		{"id=f,running=1m,outcome=failed,instance=inst-1", map[time.Duration]string{0: "BUILD", time.Minute: "FAILED", time.Hour: "FAILED"}},
		{"id=r,running=forever,outcome=failed,instance=inst-1", map[time.Duration]string{0: "BUILD", time.Hour: "BUILD"}},
		{"id=h,running=2000000h,pending=2000000h,outcome=failed,instance=inst-1", map[time.Duration]string{time.Hour: "BUILD"}},
	} {
		fj, err := parseJobSpec(1, tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		synctest.Test(t, func(t *testing.T) {
			srv := taurusjobtest.NewInMemory()
			defer srv.Close()
			start := time.Now()
			fj.add(srv, start)
			c, err := taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: srv.URL(), ProjectID: srv.ProjectID(), Token: srv.Token(), HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			for _, at := range slices.Sorted(maps.Keys(tc.reads)) {
				time.Sleep(time.Until(start.Add(at)))
				info, err := c.GetInstance(context.Background(), "inst-1")
				if err != nil || info.Status != tc.reads[at] {
					t.Errorf("%s at %v: %+v, %v; want %s", tc.spec, at, info, err, tc.reads[at])
				}
			}
		})
	}
	if fj, _ := parseJobSpec(1, "id=c,instance=inst-1"); !strings.Contains(fj.describe(), "on instance inst-1") {
		t.Errorf("describe() = %q", fj.describe())
	}
}
