package huaweisdk

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/region"
	ddsregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dds/v3/region"
	gaussdbregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3/region"
	ogregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdbforopengauss/v3/region"
	rdsregion "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/rds/v3/region"
	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// For each sibling service, the official SDK's client of that service,
// pointed at the fake API in that service's shape with signature checking
// on, carries whole waits through its adapter: a job invisible at first,
// then Running, then Completed, and one that Failed with its reason. The
// fake's bodies decode with the SDK's own models and its signatures pass.
func TestSiblingWaitsThroughTheSDKAgainstTheFakeAPI(t *testing.T) {
	for _, svc := range siblings {
		t.Run(svc.String(), func(t *testing.T) {
			t.Parallel() // each waits about a second of real time
			srv := taurusjobtest.NewServer(taurusjobtest.WithService(svc),
				taurusjobtest.WithProjectID(testPID), taurusjobtest.WithAKSK(testAK, testSK))
			defer srv.Close()
			ok := srv.AddJob(taurusjobtest.Job{Invisible: 300 * time.Millisecond, Running: time.Second,
				Instance: taurusjobtest.Instance{ID: "a48e43ff268f4c0e879652d65e63d0fbin01", Name: "orders-db"}})
			bad := srv.AddJob(taurusjobtest.Job{Running: 500 * time.Millisecond, Outcome: taurusjobtest.Failed,
				FailReason: "insufficient resources"})
			g := siblingGetter(t, svc, srv.URL(), srv.Client().Transport.(*http.Transport))
			w, err := taurusjob.NewWaiter(g, taurusjob.WithInterval(20*time.Millisecond, 100*time.Millisecond),
				taurusjob.WithTimeout(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			res := w.WaitAll(context.Background(), ok, bad)
			job, err := res[0].Job, res[0].Err
			if err != nil || job.Status != taurusjob.StatusCompleted || job.Instance.Name != "orders-db" ||
				job.Created.IsZero() || job.Ended.IsZero() || job.FailReason != "" {
				t.Errorf("completed job: %+v, %v; want Completed with its instance and times", job, err)
			}
			job, err = res[1].Job, res[1].Err
			if !errors.Is(err, taurusjob.ErrJobFailed) || job == nil || job.FailReason != "insufficient resources" {
				t.Errorf("failed job: %+v, %v; want ErrJobFailed with the reason", job, err)
			}
			var hidden, running int
			for _, r := range srv.Requests() {
				switch {
				case r.Status == http.StatusUnauthorized:
					t.Errorf("the fake refused a signature: %+v", r)
				case r.Status == http.StatusNotFound:
					hidden++
				case r.JobID == ok:
					running++
				}
			}
			if hidden == 0 || running < 2 {
				t.Errorf("%d not-visible and %d visible answers; want the whole lifecycle seen", hidden, running)
			}
		})
	}
}

// Every region the core knows for a service has the official SDK's
// endpoint for that service, and a region the core does not know for a
// service is not in the SDK's table either (over every region any of the
// four tables names).
func TestServiceEndpointsMatchTheSDKsRegionTables(t *testing.T) {
	sdk := map[taurusjob.Service]func(string) (string, bool){
		taurusjob.ServiceTaurusDB:  func(r string) (string, bool) { return endpointOf(gaussdbregion.SafeValueOf(r)) },
		taurusjob.ServiceRDS:       func(r string) (string, bool) { return endpointOf(rdsregion.SafeValueOf(r)) },
		taurusjob.ServiceOpenGauss: func(r string) (string, bool) { return endpointOf(ogregion.SafeValueOf(r)) },
		taurusjob.ServiceDDS:       func(r string) (string, bool) { return endpointOf(ddsregion.SafeValueOf(r)) },
	}
	all := map[string]bool{"eu-west-0": true, "xx-nowhere-1": true}
	for _, svc := range taurusjob.Services() {
		for _, r := range svc.Regions() {
			all[r] = true
		}
	}
	for _, svc := range taurusjob.Services() {
		for r := range all {
			want, inSDK := sdk[svc](r)
			got, ok := svc.Endpoint(r)
			if ok != inSDK || got != want {
				t.Errorf("%v in %s: core %q (%v), SDK %q (%v)", svc, r, got, ok, want, inSDK)
			}
		}
	}
}

// endpointOf is a region's first endpoint, false for none.
func endpointOf(reg *region.Region, err error) (string, bool) {
	if err != nil || reg == nil || len(reg.Endpoints) == 0 {
		return "", false
	}
	return strings.TrimSuffix(reg.Endpoints[0], "/"), true
}
