package taurusjob_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// tokenRotatingAPI is an in-memory job API whose valid token changes after
// a while, as an IAM token expires. It answers Running until done, then
// Completed.
type tokenRotatingAPI struct {
	mu       sync.Mutex
	start    time.Time
	rotateAt time.Duration
	done     time.Duration
	seen     []string // the token of each request
}

func (a *tokenRotatingAPI) RoundTrip(r *http.Request) (*http.Response, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e := time.Since(a.start)
	token := r.Header.Get("X-Auth-Token")
	a.seen = append(a.seen, token)
	valid := "token-1"
	if e >= a.rotateAt {
		valid = "token-2"
	}
	if token != valid {
		return answer(r, 401, `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: token expired"}`), nil
	}
	id := r.URL.Query().Get("id")
	if e < a.done {
		return answer(r, 200, fmt.Sprintf(`{"job":{"id":%q,"name":"ResizeFlavor","status":"Running","process":"%d%%"}}`, id, 100*e/a.done)), nil
	}
	return answer(r, 200, fmt.Sprintf(`{"job":{"id":%q,"name":"ResizeFlavor","status":"Completed","process":""}}`, id)), nil
}

func answer(r *http.Request, code int, body string) *http.Response {
	return &http.Response{
		StatusCode: code,
		Header:     http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"req-1"}},
		Body:       io.NopCloser(strings.NewReader(body)),
		Request:    r,
	}
}

// A token that expires mid-wait: the API answers 401, the client asks the
// token source for a new token, and the wait goes on to completion.
func TestWaitTokenExpiresMidWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &tokenRotatingAPI{start: time.Now(), rotateAt: 5 * time.Minute, done: 20 * time.Minute}
		sourced := 0
		client, err := taurusjob.NewClient(taurusjob.ClientConfig{
			Endpoint:   "https://gaussdb.cn-north-4.myhuaweicloud.com",
			ProjectID:  testProjectID,
			HTTPClient: &http.Client{Transport: api},
			TokenSource: func(context.Context) (string, error) {
				sourced++
				return fmt.Sprintf("token-%d", sourced), nil
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		job, err := mustWaiter(t, client, taurusjob.WithTimeout(time.Hour)).Wait(context.Background(), "f9959f52-aa4d-43f7-be74-44b6fc20b239")
		if err != nil || job.Status != taurusjob.StatusCompleted {
			t.Fatalf("Wait = %+v, %v; want Completed after the token was renewed", job, err)
		}
		if sourced != 2 {
			t.Errorf("token source called %d times, want 2 (start, and once after the 401)", sourced)
		}
		if api.seen[len(api.seen)-1] != "token-2" {
			t.Errorf("last request carried %q, want the renewed token", api.seen[len(api.seen)-1])
		}
	})
}

// A token source that keeps handing out an expired token: the wait stops
// at the first persistent 401 instead of retrying until the timeout.
func TestWaitPersistent401Stops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &tokenRotatingAPI{start: time.Now(), rotateAt: 0, done: time.Hour}
		client, err := taurusjob.NewClient(taurusjob.ClientConfig{
			Endpoint:    "https://gaussdb.cn-north-4.myhuaweicloud.com",
			ProjectID:   testProjectID,
			HTTPClient:  &http.Client{Transport: api},
			TokenSource: func(context.Context) (string, error) { return "token-1", nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = mustWaiter(t, client).Wait(context.Background(), "job-1")
		if ae := asAPIError(t, err); ae.StatusCode != 401 || time.Since(start) != 0 || len(api.seen) != 2 {
			t.Errorf("err = %v after %s and %d requests; want the 401 at once after one refresh", err, time.Since(start), len(api.seen))
		}
	})
}
