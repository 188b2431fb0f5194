package huaweisdk

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
)

// fuzzAnswer is what the fuzzed server answers; one per fuzz process,
// changed between runs.
type fuzzAnswer struct {
	mu              sync.Mutex
	status          int
	requestID, body string
	seen            []string
}

func (a *fuzzAnswer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, sig, _ := strings.Cut(r.Header.Get("Authorization"), "Signature=")
	secrets := []string{testAK, testSK, r.Header.Get("X-Security-Token"), sig}
	a.seen = append(a.seen, secrets...)
	w.Header().Set("X-Request-Id", strings.Map(func(r rune) rune { // what net/http can send
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, secretcheck.Plant(a.requestID, secrets)))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	_, _ = w.Write([]byte(secretcheck.Plant(a.body, secrets)))
}

// FuzzSDKSecretEcho: whatever a server answers the official SDK (any
// status from 200 to 599, X-Request-Id and body) with the request's
// credentials planted in any form, no 12-byte piece of the access key,
// secret key, security token or signature reaches any of the four
// getters' error (every text of its chain) or job (fields, Entities, Raw,
// failure text). Each input is answered to every getter in turn. The
// seeds are under testdata/fuzz/FuzzSDKSecretEcho.
func FuzzSDKSecretEcho(f *testing.F) {
	answer := &fuzzAnswer{}
	srv := httptest.NewServer(answer)
	f.Cleanup(srv.Close)
	var once sync.Once
	getters := make([]taurusjob.JobGetter, len(allServices))
	f.Fuzz(func(t *testing.T, status int, requestID, body string) {
		once.Do(func() {
			for i, svc := range allServices {
				getters[i] = serviceGetter(t, svc, srv, testSTS)
			}
		})
		// 1xx: the SDK reads a 101's body, the raw connection, until its
		// own timeout (see docs/limits.md); not fuzzed here.
		if status < 200 || status > 599 {
			status = 200 + (status%400+400)%400
		}
		for i, g := range getters {
			answer.mu.Lock()
			answer.status, answer.requestID, answer.body, answer.seen = status, requestID, body, nil
			answer.mu.Unlock()

			job, err := g.GetJob(context.Background(), testJob)

			answer.mu.Lock()
			secrets := append([]string{testAK, testSK, testSTS}, answer.seen...)
			answer.mu.Unlock()
			where := allServices[i].String()
			secretcheck.AssertError(t, where+" GetJob", err, secrets...)
			if job != nil {
				secretcheck.Assert(t, where+" job", fmt.Sprintf("%+v\n%s\n%s\n%s", *job, job.Entities, job.Raw,
					(&taurusjob.JobFailedError{Job: job}).Error()), secrets...)
			}
		}
	})
}
