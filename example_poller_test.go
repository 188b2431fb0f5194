package taurusjob_test

import (
	"context"
	"fmt"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// database is a custom resource as a controller sees it: its status keeps
// the wait's token between reconciles, as a Kubernetes status subresource
// would, so the wait survives the controller's restarts.
type database struct {
	JobID     string // from the create call's answer
	WaitToken string // status: the wait, between reconciles
	Phase     string // status: what users see
}

// reconcile makes one step of the wait and says when to come back: zero
// when the wait is over. It polls at most once, and not at all when it is
// called early (another event woke the controller): the tenant's API quota
// is spent only on due polls.
func reconcile(ctx context.Context, w *taurusjob.Waiter, db *database) (requeueAfter time.Duration, err error) {
	var p *taurusjob.Poller
	if db.WaitToken == "" {
		p, err = w.NewPoller(db.JobID)
	} else {
		p, err = w.ResumePoller(db.JobID, db.WaitToken)
	}
	if err != nil {
		return 0, err // a malformed id or token: ErrInvalidInput, nothing sent
	}
	u, _ := p.Poll(ctx) // its error is Result's once Done; a ctx cut short is not an end
	if !p.Done() {
		if db.WaitToken, err = p.ResumeToken(); err != nil {
			return 0, err
		}
		if u.Job != nil {
			db.Phase = string(u.Status)
		}
		return u.Next, nil // a ctx cut short is not an end either: come back
	}
	db.WaitToken = ""
	switch job, err := p.Result(); {
	case err != nil:
		db.Phase = "Failed (" + taurusjob.Outcome(job, err) + "): " + err.Error()
	default:
		db.Phase = "Ready: " + job.Instance.Name
	}
	return 0, nil
}

// A reconcile loop drives a wait one step at a time, keeping only the
// token; here a plain loop stands in for the controller's work queue.
func ExamplePoller() {
	api := taurusjobtest.NewServer() // the fake TaurusDB API, on loopback
	defer api.Close()
	id := api.AddJob(taurusjobtest.Job{Name: "CreateGaussDBforMySQLInstance", Instance: taurusjobtest.Instance{Name: "orders-db"},
		Running: 300 * time.Millisecond})
	client, err := taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: api.URL(), ProjectID: api.ProjectID(),
		Token: api.Token(), HTTPClient: api.Client()})
	if err != nil {
		fmt.Println(err)
		return
	}
	waiter, err := taurusjob.NewWaiter(client, taurusjob.WithInterval(time.Millisecond, 10*time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}

	db := &database{JobID: id}
	phase := ""
	for {
		requeueAfter, err := reconcile(context.Background(), waiter, db)
		if err != nil {
			fmt.Println("reconcile:", err)
			return
		}
		if db.Phase != phase {
			phase = db.Phase
			fmt.Println(phase)
		}
		if requeueAfter == 0 {
			break
		}
		time.Sleep(requeueAfter)
	}
	// Output:
	// Running
	// Ready: orders-db
}
