package taurusjob_test

import (
	"context"
	"fmt"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// List the running jobs of one instance, page by page, and stop at the
// first error.
func ExampleClient_ListJobs() {
	srv := taurusjobtest.NewInMemory()
	defer srv.Close()
	inst := taurusjobtest.Instance{ID: "0123456789abcdef0123456789abcdefin07", Name: "orders"}
	srv.AddJob(taurusjobtest.Job{ID: "job-resize", Name: "ResizeGaussDBforMySQLFlavor", Instance: inst,
		Running: time.Hour, Profile: taurusjobtest.StuckAt(30), Created: time.Now().Add(-20 * time.Minute)})
	srv.AddJob(taurusjobtest.Job{ID: "job-reboot", Instance: inst, Created: time.Now().Add(-time.Hour)}) // Completed
	srv.AddJob(taurusjobtest.Job{ID: "job-other", Running: time.Hour})                                   // another instance

	client, err := taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: srv.URL(), ProjectID: srv.ProjectID(),
		Token: srv.Token(), HTTPClient: srv.Client(), Service: taurusjob.ServiceTaurusDB})
	if err != nil {
		fmt.Println(err)
		return
	}
	f := taurusjob.JobFilter{Instance: inst.ID, Status: taurusjob.StatusRunning, Since: time.Now().Add(-24 * time.Hour)}
	for job, err := range client.ListJobs(context.Background(), f) {
		if err != nil {
			fmt.Println("list:", err)
			return
		}
		fmt.Println(job.ID, job.Name, job.Status, job.Progress)
	}
	// Output:
	// job-resize ResizeGaussDBforMySQLFlavor Running 30
}
