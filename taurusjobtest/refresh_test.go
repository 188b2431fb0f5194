package taurusjobtest_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// A test of a token refresh, as a user writes it: the fake's tokens live an
// hour (WithTokenLifetime), the code's TokenSource gets fresh ones
// (IssueToken), and polls of a three-hour job must ride through two
// expiries.
func TestTokenSourceRefreshedOnExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := taurusjobtest.NewInMemory(taurusjobtest.WithTokenLifetime(time.Hour))
		defer srv.Close()
		id := srv.AddJob(taurusjobtest.Job{Running: 3 * time.Hour})
		var issued atomic.Int32
		client, err := taurusjob.NewClient(taurusjob.ClientConfig{
			Endpoint: srv.URL(), ProjectID: srv.ProjectID(), HTTPClient: srv.Client(),
			TokenSource: func(context.Context) (string, error) {
				issued.Add(1)
				return srv.IssueToken(), nil
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		for {
			job, err := client.GetJob(t.Context(), id) // the code under test would call Wait
			if err != nil {
				t.Fatalf("GetJob after %s: %v", time.Since(srv.Requests()[0].Time), err)
			}
			if job.Status == taurusjob.StatusCompleted {
				break
			}
			time.Sleep(10 * time.Minute)
		}
		expired := 0
		for _, r := range srv.Requests() {
			if r.Status == http.StatusUnauthorized {
				expired++
			}
		}
		if n := int(issued.Load()); expired < 2 || n != expired+1 {
			t.Errorf("%d tokens issued for %d answers of 401; want one at the start and one a 401, at least 2", n, expired)
		}
	})
}
