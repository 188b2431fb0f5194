package taurusjobtest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// report is the code under test: it tells a user where a job stands.
func report(ctx context.Context, jobs taurusjob.JobGetter, id string) string {
	job, err := jobs.GetJob(ctx, id)
	var apiErr *taurusjob.APIError
	switch {
	case errors.As(err, &apiErr) && apiErr.StatusCode == 404:
		return "not visible yet (" + apiErr.Code + ")"
	case errors.As(err, &apiErr):
		return fmt.Sprintf("HTTP %d %s, try again", apiErr.StatusCode, apiErr.Code)
	case err != nil:
		return "error: " + err.Error()
	case job.Status == taurusjob.StatusRunning:
		return fmt.Sprintf("%s at %d%%", job.Status, job.Progress)
	case job.Status == taurusjob.StatusFailed:
		return fmt.Sprintf("%s: %s", job.Status, job.FailReason)
	}
	return string(job.Status)
}

// A test of one's own code against the fake API: jobs scripted in every
// state, one transient gateway error, and a count of the polls.
func Example() {
	srv := taurusjobtest.NewServer() // NewInMemory inside a testing/synctest bubble
	defer srv.Close()

	started := time.Now().Add(-15 * time.Minute)
	ids := []string{
		srv.AddJob(taurusjobtest.Job{ID: "job-running", Created: started, Running: 30 * time.Minute}),
		srv.AddJob(taurusjobtest.Job{ID: "job-failed", Created: started, Running: 10 * time.Minute,
			Outcome: taurusjobtest.Failed, FailReason: "insufficient quota"}),
		srv.AddJob(taurusjobtest.Job{ID: "job-new", Invisible: 5 * time.Second}),
	}
	srv.AddRule(taurusjobtest.Rule{Fault: taurusjobtest.ServerError(503), JobID: "job-new", Limit: 1})

	client, err := taurusjob.NewClient(taurusjob.ClientConfig{
		Endpoint:   srv.URL(),
		ProjectID:  srv.ProjectID(),
		Token:      srv.Token(),
		HTTPClient: srv.Client(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	for _, id := range ids {
		fmt.Printf("%s: %s\n", id, report(ctx, client, id))
	}
	fmt.Printf("job-new again: %s\n", report(ctx, client, "job-new"))
	fmt.Println("polls of job-new:", srv.RequestCount("job-new"))
	// Output:
	// job-running: Running at 50%
	// job-failed: Failed: insufficient quota
	// job-new: HTTP 503 APIGW.0203, try again
	// job-new again: not visible yet (DBS.200823)
	// polls of job-new: 2
}

// An instance read against the fake: a DDS instance restarting, and one
// that a completed job left backing up (the post-job life), as a wait for
// instance readiness must see them.
func ExampleServer_AddInstance() {
	srv := taurusjobtest.NewServer(taurusjobtest.WithService(taurusjob.ServiceDDS))
	defer srv.Close()
	restarting := srv.AddInstance(taurusjobtest.InstanceScript{Name: "catalog", Steps: []taurusjobtest.InstanceStep{
		{Status: "normal", Actions: []string{"RESTARTING"}, For: time.Hour}, {Status: "normal"}}})
	resized := srv.AddInstance(taurusjobtest.InstanceScript{Name: "orders"})
	srv.AddJob(taurusjobtest.Job{Created: time.Now().Add(-time.Minute), Running: 30 * time.Second,
		Instance: taurusjobtest.Instance{ID: resized}}) // completed 30 s ago: now in its post-job backup

	client, err := taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: srv.URL(), ProjectID: srv.ProjectID(),
		Token: srv.Token(), HTTPClient: srv.Client(), Service: taurusjob.ServiceDDS})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, id := range []string{restarting, resized, "no-such-instance"} {
		inst, err := client.GetInstance(context.Background(), id)
		switch {
		case errors.Is(err, taurusjob.ErrInstanceNotFound):
			fmt.Println(id + ": not found")
		case err != nil:
			fmt.Println(err)
		default:
			fmt.Printf("%s: %s %v, %d nodes\n", inst.Name, inst.Status, inst.Actions, len(inst.Nodes))
		}
	}
	// Output:
	// catalog: normal [RESTARTING], 3 nodes
	// orders: normal [BACKUP], 3 nodes
	// no-such-instance: not found
}
