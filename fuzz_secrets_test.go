package taurusjob

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
)

// echoTransport answers every request in memory with the fuzzed status,
// X-Request-Id and body, the request's own credentials planted in them,
// and keeps every credential it saw (each AK/SK request has its own
// signature).
type echoTransport struct {
	status          int
	requestID, body string
	mu              sync.Mutex
	seen            []string
}

func (e *echoTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	secrets := []string{r.Header.Get("X-Auth-Token")}
	if auth := r.Header.Get("Authorization"); auth != "" {
		_, sig, _ := strings.Cut(auth, "Signature=")
		secrets = []string{sentinelAK, sentinelSK, r.Header.Get("X-Security-Token"), sig}
	}
	e.mu.Lock()
	e.seen = append(e.seen, secrets...)
	e.mu.Unlock()
	h := http.Header{"Content-Type": {"application/json"}}
	h["X-Request-Id"] = []string{secretcheck.Plant(e.requestID, secrets)}
	return &http.Response{StatusCode: e.status, Status: fmt.Sprint(e.status), Header: h, Request: r,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Body: io.NopCloser(strings.NewReader(secretcheck.Plant(e.body, secrets)))}, nil
}

// secrets returns every credential configured or sent, each once.
func (e *echoTransport) secrets() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []string{sentinelToken, sentinelAK, sentinelSK, sentinelSTS}
	for _, s := range e.seen {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// FuzzSecretEcho: whatever a server answers (any status, X-Request-Id and
// body) with the request's credentials planted in it in any form (raw,
// JSON-escaped, escaped twice, URL-escaped, HTML references, halves,
// prefixes, pieces, base64), no 12-byte piece of a credential reaches
// anything a wait shows: the error (every text of its chain), the job
// (its fields, Raw, Entities, its failure text), a progress update, a
// state token or a log line at any level. The seeds are under
// testdata/fuzz/FuzzSecretEcho; huaweisdk's FuzzSDKSecretEcho does the
// same for the adapter.
func FuzzSecretEcho(f *testing.F) {
	f.Fuzz(func(t *testing.T, aksk bool, status int, requestID, body string) {
		if status < 100 || status > 599 {
			status = 100 + (status%500+500)%500
		}
		tr := &echoTransport{status: status, requestID: requestID, body: body}
		cfg := ClientConfig{Endpoint: "https://fuzz.invalid", ProjectID: testProjectID, Token: sentinelToken,
			HTTPClient: &http.Client{Transport: tr}}
		if aksk {
			cfg.Token, cfg.AccessKey, cfg.SecretKey, cfg.SecurityToken = "", sentinelAK, sentinelSK, sentinelSTS
		}
		c, err := NewClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		synctest.Test(t, func(t *testing.T) {
			logger, logs := secretcheck.Logger()
			var shown secretcheck.Texts
			var errs []error
			w, err := NewWaiter(c, WithTimeout(5*time.Second), WithInterval(time.Second, 2*time.Second), WithLogger(logger),
				WithProgress(func(u Update) {
					shown.Add(u)
					errs = append(errs, u.Err)
					if u.Job != nil {
						shown.Add(*u.Job)
					}
				}),
				OnState(func(_, token string) { shown.Add(token) }))
			if err != nil {
				t.Fatal(err)
			}
			job, err := w.Wait(context.Background(), testJobID)
			errs = append(errs, err)
			for _, j := range []*Job{job, LastJob(err)} {
				if j != nil {
					shown.Add(*j)
					shown.Add(string(j.Raw) + "\n" + string(j.Entities) + "\n" + (&JobFailedError{Job: j}).Error())
				}
			}
			// One check a kind of text: a check builds its table of pieces
			// anew each time. No secret holds a newline, so none spans two
			// texts joined by one.
			var errTexts []string
			for _, e := range errs {
				errTexts = append(errTexts, secretcheck.ErrorTexts(e)...)
			}
			secrets := tr.secrets()
			secretcheck.Assert(t, "errors", strings.Join(errTexts, "\n"), secrets...)
			secretcheck.Assert(t, "job, updates and state tokens", shown.Text(), secrets...)
			secretcheck.Assert(t, "logs", logs.Text(), secrets...)
		})
	})
}
