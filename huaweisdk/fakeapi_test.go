package huaweisdk

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	gaussdb "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3"
	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// The official client, pointed at the fake API with signature checking
// on, carries a whole wait through NewGetter: the fake's bodies decode with
// the SDK's own response model, its signatures pass the fake's check, and
// the job's invisible, running and completed answers all reach the waiter.
func TestWholeWaitThroughTheSDKAgainstTheFakeAPI(t *testing.T) {
	srv := taurusjobtest.NewServer(taurusjobtest.WithProjectID(testPID), taurusjobtest.WithAKSK(testAK, testSK))
	defer srv.Close()
	id := srv.AddJob(taurusjobtest.Job{
		Name:      "CreateGaussDBforMySQLInstance",
		Invisible: 300 * time.Millisecond,
		Running:   time.Second,
		Instance:  taurusjobtest.Instance{ID: "a48e43ff268f4c0e879652d65e63d0fbin07", Name: "orders-db"},
	})
	cred, err := basic.NewCredentialsBuilder().WithAk(testAK).WithSk(testSK).WithProjectId(testPID).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := gaussdb.GaussDBClientBuilder().
		WithEndpoints([]string{srv.URL()}).
		WithCredential(cred).
		WithHttpConfig(config.DefaultHttpConfig().WithTimeout(10 * time.Second).
			WithHttpTransport(srv.Client().Transport.(*http.Transport))).
		SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	w, err := taurusjob.NewWaiter(newGetter(t, gaussdb.NewGaussDBClient(hc)),
		taurusjob.WithInterval(20*time.Millisecond, 100*time.Millisecond), taurusjob.WithTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	job, err := w.Wait(context.Background(), id)
	if err != nil || job.Status != taurusjob.StatusCompleted || job.Name != "CreateGaussDBforMySQLInstance" ||
		job.Instance.Name != "orders-db" || job.Created.IsZero() || job.Ended.IsZero() {
		t.Fatalf("Wait = %+v, %v; want the Completed job with its name, instance and times", job, err)
	}
	var running, hidden int
	for _, r := range srv.Requests() {
		switch {
		case r.Status == http.StatusUnauthorized:
			t.Errorf("the fake refused a signature: %+v", r)
		case r.Status == http.StatusNotFound:
			hidden++
		default:
			running++
		}
	}
	if hidden == 0 || running < 2 {
		t.Errorf("%d not-visible and %d visible answers; want the whole lifecycle seen", hidden, running)
	}
}
