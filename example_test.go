package taurusjob_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// Wait for a job with the HTTP client, printing each change of progress.
// The server here stands in for the TaurusDB API: the job is not visible
// at first, then runs, then completes.
func ExampleWaiter_Wait() {
	var polls atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "example")
		switch polls.Add(1) {
		case 1:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error_code":"DBS.200823","error_msg":"job not found"}`)
		case 2:
			fmt.Fprint(w, `{"job":{"id":"f9959f52-aa4d-43f7-be74-44b6fc20b239","name":"CreateGaussDBforMySQLInstance","status":"Running","process":"40%"}}`)
		case 3:
			fmt.Fprint(w, `{"job":{"id":"f9959f52-aa4d-43f7-be74-44b6fc20b239","name":"CreateGaussDBforMySQLInstance","status":"Running","process":"80%"}}`)
		default:
			fmt.Fprint(w, `{"job":{"id":"f9959f52-aa4d-43f7-be74-44b6fc20b239","name":"CreateGaussDBforMySQLInstance","status":"Completed","process":"",
				"instance":{"id":"a48e43ff268f4c0e879652d65e63d0fbin07","name":"orders-db"}}}`)
		}
	}))
	defer api.Close()

	client, err := taurusjob.NewClient(taurusjob.ClientConfig{
		Endpoint:  api.URL, // in production: "https://gaussdb.cn-north-4.myhuaweicloud.com"
		ProjectID: "054e292c9880d4992f02c0196d3ea468",
		Token:     "an IAM token",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	waiter, err := taurusjob.NewWaiter(client,
		taurusjob.WithTimeout(30*time.Minute),
		taurusjob.WithInterval(time.Millisecond, 10*time.Millisecond), // short for the example
		taurusjob.WithProgress(func(u taurusjob.Update) {
			switch {
			case u.Job == nil:
				fmt.Println("not visible yet")
			case !u.Changed():
			case u.Progress >= 0:
				fmt.Printf("%s %d%%\n", u.Status, u.Progress)
			default:
				fmt.Println(u.Status)
			}
		}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	job, err := waiter.Wait(context.Background(), "f9959f52-aa4d-43f7-be74-44b6fc20b239")
	if err != nil {
		fmt.Println("wait:", err)
		return
	}
	fmt.Println("done:", job.Name, job.Status, "on", job.Instance.Name)
	// Output:
	// not visible yet
	// Running 40%
	// Running 80%
	// Completed 100%
	// done: CreateGaussDBforMySQLInstance Completed on orders-db
}
