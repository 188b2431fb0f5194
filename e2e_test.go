package taurusjob_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// The whole path, client and waiter, against the fake API: a two-hour job,
// invisible for 8 s, through 10 % random 503s and a 429 storm with
// Retry-After, completes with its entities, and no poll breaks the
// Retry-After it was given.
func TestEndToEndTwoHourJobThroughFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := taurusjobtest.NewInMemory()
		defer srv.Close()
		start := time.Now()
		id := srv.AddJob(taurusjobtest.Job{
			Name:      "CreateGaussDBforMySQLInstance",
			Invisible: 8 * time.Second,
			Running:   2 * time.Hour,
			Entities:  []byte(`{"instance":{"type":"Cluster"}}`),
		})
		srv.AddRule(taurusjobtest.Rule{Fault: taurusjobtest.ServerError(503), Probability: 0.1, Seed: 7})
		srv.AddRule(taurusjobtest.Rule{Fault: taurusjobtest.Throttle(20 * time.Second),
			From: start.Add(30 * time.Minute), Until: start.Add(32 * time.Minute)})

		w := mustWaiter(t, fakeClient(t, srv), taurusjob.WithTimeout(3*time.Hour))
		job, err := w.Wait(context.Background(), id)
		if err != nil || job.Status != taurusjob.StatusCompleted || string(job.Entities) != `{"instance":{"type":"Cluster"}}` {
			t.Fatalf("Wait = %+v, %v; want Completed with entities", job, err)
		}
		end, _, _ := srv.JobEnd(id)
		if lag := time.Since(end); lag > 30*time.Second {
			t.Errorf("completion noticed %s late", lag)
		}
		reqs := srv.Requests()
		t.Logf("%d requests, completion noticed %s after the end", len(reqs), time.Since(end))
		if len(reqs) > 80 {
			t.Errorf("%d requests for a two-hour job; want at most 80", len(reqs))
		}
		for i := 1; i < len(reqs); i++ {
			if reqs[i-1].Status == 429 && reqs[i].Time.Sub(reqs[i-1].Time) < 20*time.Second {
				t.Errorf("request %d came %s after a 429 asking for 20s", i, reqs[i].Time.Sub(reqs[i-1].Time))
			}
		}
	})
}

// A redirect to another host is never followed: the token does not reach
// the second host, and the wait reports the refused redirect.
func TestEndToEndRedirectKeepsToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := taurusjobtest.NewInMemory(), taurusjobtest.NewInMemory()
		defer a.Close()
		defer b.Close()
		id := a.AddJob(taurusjobtest.Job{Running: time.Hour})
		a.AddRule(taurusjobtest.Rule{Fault: taurusjobtest.Redirect(b.URL() + "/steal")})
		c, err := taurusjob.NewClient(taurusjob.ClientConfig{
			Endpoint: a.URL(), ProjectID: a.ProjectID(), Token: a.Token(),
			HTTPClient: &http.Client{Transport: taurusjobtest.NewTransport(a, b)},
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = mustWaiter(t, c, taurusjob.WithTimeout(time.Minute)).Wait(context.Background(), id)
		var ae *taurusjob.APIError
		if !errors.As(err, &ae) || ae.StatusCode/100 != 3 {
			t.Errorf("err = %v; want a timeout carrying the refused redirect", err)
		}
		if n := len(b.Requests()); n != 0 {
			t.Errorf("the second host received %d requests", n)
		}
	})
}
