package taurusjob_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// Sentinels: values no real text holds, so that any piece of one found in
// a log, an error or an update is a leak. The token is base64-like, as IAM
// tokens are ('/', '+', '=' get escaped by encoders).
const (
	sentinelToken = "SENTINEL-TOKEN-a81f3c+9d2e/4b7a60c5e1f8/d93b2a7c46e0=="
	sentinelAK    = "SENTINELAKEXAMPLE7KQ"
	sentinelSK    = "SENTINEL-SK-3e9b1d7f5a2c8e4b6d0f9a1c3e5b7d9f"
	sentinelSTS   = "SENTINEL-STS-c4e6a8b0d2f4a6c8e0b2d4f6a8c0e2b4"
)

// echoer is a RoundTripper in front of the fake API that, every few
// requests, answers in the API's place by echoing the request's credential
// headers (X-Auth-Token, Authorization, X-Security-Token) wherever a
// careless gateway might: a JSON error body, a JSON body with "/" escaped,
// an HTML page title, the X-Request-Id header, a request_id field. It
// keeps every signature it saw, since each AK/SK request has its own.
type echoer struct {
	next http.RoundTripper
	mu   sync.Mutex
	n    int
	sigs []string
}

var signatureRE = regexp.MustCompile(`Signature=([0-9a-f]+)`)

func (e *echoer) RoundTrip(r *http.Request) (*http.Response, error) {
	creds := strings.Join([]string{r.Header.Get("X-Auth-Token"), r.Header.Get("Authorization"), r.Header.Get("X-Security-Token")}, " ")
	e.mu.Lock()
	e.n++
	n := e.n
	if m := signatureRE.FindStringSubmatch(creds); m != nil {
		e.sigs = append(e.sigs, m[1])
	}
	e.mu.Unlock()
	resp := func(status int, ctype, body string, h ...string) (*http.Response, error) {
		hdr := http.Header{"Content-Type": {ctype}}
		for i := 0; i+1 < len(h); i += 2 {
			hdr.Set(h[i], h[i+1])
		}
		return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: hdr, Request: r,
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Body: io.NopCloser(strings.NewReader(body))}, nil
	}
	if n%5 != 0 {
		return e.next.RoundTrip(r)
	}
	switch n / 5 % 4 { // every fifth request echoes, each time in the next way
	case 0:
		return resp(500, "application/json", fmt.Sprintf(`{"error_code":"DBS.200500","error_msg":"rejected credentials %s"}`, creds))
	case 1:
		return resp(503, "application/json", fmt.Sprintf(`{"error_code":"APIGW.0203","error_msg":"%s %s"}`,
			strings.Repeat("x", 480), strings.ReplaceAll(creds, "/", `\/`)))
	case 2:
		return resp(502, "text/html", "<html><head><title>502 Bad Gateway "+creds+"</title></head></html>", "X-Request-Id", creds)
	default:
		return resp(429, "application/json", fmt.Sprintf(`{"error_code":"APIGW.0308","error_msg":"throttled","request_id":%q}`, creds), "Retry-After", "2")
	}
}

func (e *echoer) signatures() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.sigs...)
}

// secretsRun is what one whole wait under faults showed a user.
type secretsRun struct {
	results  []taurusjob.Result
	logs     *secretcheck.Logs
	updates  secretcheck.Texts
	guard    *secretcheck.Guard
	other    *taurusjobtest.Server // the host redirects point to
	secrets  []string
	srv      *taurusjobtest.Server
	requests int
}

// runWithSecrets waits for three jobs through every fault of the fake
// API, a credential echo and redirects to a second host, with a logger at
// debug level and a progress callback, then returns what was seen. One
// job fails, one never ends (the wait times out), one completes; the
// progress callback panics once, printing the update it was given.
func runWithSecrets(t *testing.T, cfg taurusjob.ClientConfig, opts ...taurusjobtest.Option) *secretsRun {
	run := &secretsRun{}
	srv := taurusjobtest.NewInMemory(opts...)
	run.other = taurusjobtest.NewInMemory()
	t.Cleanup(srv.Close)
	t.Cleanup(run.other.Close)
	phases := []taurusjobtest.Phase{
		{Status: "Pending", For: 3 * time.Second},
		{Status: "Unauthorized", For: 3 * time.Second}, // a warn log
		{Status: "Migrating", For: 3 * time.Second},    // an unknown status: a warn log
		{Status: "Running", For: 40 * time.Second},
	}
	ids := []string{
		srv.AddJob(taurusjobtest.Job{Invisible: 4 * time.Second, Phases: phases, Outcome: taurusjobtest.Failed, FailReason: "disk quota"}),
		srv.AddJob(taurusjobtest.Job{Running: taurusjobtest.Forever}),
		srv.AddJob(taurusjobtest.Job{Phases: phases}),
	}
	rule := func(p float64, f taurusjobtest.Fault) taurusjobtest.Rule {
		return taurusjobtest.Rule{Fault: f, Probability: p, Seed: uint64(len(f.Name()))}
	}
	for _, r := range []taurusjobtest.Rule{
		rule(0.08, taurusjobtest.ServerError(503)),
		rule(0.06, taurusjobtest.GatewayPage(502)),
		rule(0.05, taurusjobtest.Throttle(3*time.Second)),
		rule(0.05, taurusjobtest.ThrottleDate(2*time.Second)),
		rule(0.05, taurusjobtest.ResetMidBody()),
		rule(0.05, taurusjobtest.Truncated()),
		rule(0.04, taurusjobtest.WrongJobID("")),
		rule(0.06, taurusjobtest.Redirect(run.other.URL())),
		rule(0.04, taurusjobtest.Latency(2*time.Second)),
	} {
		srv.AddRule(r)
	}
	echo := &echoer{next: taurusjobtest.NewTransport(srv, run.other)}
	run.guard = secretcheck.NewGuard(echo, strings.TrimPrefix(srv.URL(), "https://"))
	cfg.Endpoint, cfg.ProjectID = srv.URL(), srv.ProjectID()
	cfg.HTTPClient = &http.Client{Transport: run.guard}
	cfg.RequestTimeout = time.Second // the 2 s latency becomes request timeouts
	c, err := taurusjob.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logger, logs := secretcheck.Logger()
	run.logs = logs
	var once sync.Once
	w := mustWaiter(t, c, taurusjob.WithLogger(logger), taurusjob.WithTimeout(5*time.Minute),
		taurusjob.WithInterval(time.Second, 10*time.Second), taurusjob.WithConcurrency(3),
		taurusjob.WithProgress(func(u taurusjob.Update) {
			run.updates.Add(u)
			if u.Poll == 6 {
				once.Do(func() { panic(fmt.Sprintf("progress callback broke on %+v (err %v)", u, u.Err)) })
			}
		}))
	run.results = w.WaitAll(context.Background(), ids...)
	run.secrets = append([]string{cfg.Token, cfg.SecretKey, cfg.SecurityToken}, echo.signatures()...)
	run.requests = srv.TotalRequests()
	run.srv = srv
	return run
}

// check asserts that nothing a user sees holds a secret, and that the run
// was rich enough for that to mean something.
func (run *secretsRun) check(t *testing.T) {
	t.Helper()
	if len(run.secrets) < 4 && run.secrets[0] == "" {
		t.Fatal("no secret to look for")
	}
	// Every level was logged, so every kind of line was checked.
	levels := run.logs.Levels()
	for _, l := range []string{"debug", "info", "warn", "error"} {
		if levels[l] == 0 {
			t.Errorf("no %s log entry; levels: %v", l, levels)
		}
	}
	if run.updates.Len() < 20 {
		t.Errorf("only %d progress updates", run.updates.Len())
	}
	text := run.logs.Text()
	for _, want := range []string{"[REDACTED]", "panicked", "redirect not followed", "gateway page"} {
		if !strings.Contains(text, want) {
			t.Errorf("the logs never say %q: the faults did not all happen", want)
		}
	}
	secretcheck.Assert(t, "logs (every level, every field)", text, run.secrets...)
	secretcheck.Assert(t, "progress updates", run.updates.Text(), run.secrets...)
	outcomes := map[string]bool{}
	for _, r := range run.results {
		outcomes[taurusjob.Outcome(r.Job, r.Err)] = true
		secretcheck.AssertError(t, "WaitAll result "+r.JobID, r.Err, run.secrets...)
		secretcheck.Assert(t, "WaitAll result "+r.JobID, fmt.Sprintf("%+v", r), run.secrets...)
	}
	for _, r := range run.results {
		t.Logf("%s: %s %v", r.JobID, taurusjob.Outcome(r.Job, r.Err), r.Err)
	}
	if !outcomes["failed"] || !outcomes["timeout"] || !outcomes["completed"] {
		t.Errorf("outcomes %v; want failed, timeout and completed", outcomes)
	}
	if n := run.other.TotalRequests(); n != 0 {
		t.Errorf("the second host got %d requests", n)
	}
	run.guard.AssertNoCredentials(t, run.secrets...)
	t.Logf("%d requests, %d log entries %v, %d updates, %d secrets looked for", run.requests,
		len(run.logs.AllUntimed()), levels, run.updates.Len(), len(run.secrets))
}

// A whole wait with a token, through every fault and a gateway that echoes
// the token: no log line at any level, no field, no progress update, no
// panic text, no error and no request to another host shows it.
func TestNoSecretAnywhereInAWaitWithToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		run := runWithSecrets(t, taurusjob.ClientConfig{Token: sentinelToken}, taurusjobtest.WithToken(sentinelToken))
		run.check(t)
	})
}

// The same with AK/SK signing and temporary credentials: the gateway
// echoes the Authorization header (and the security token) into error
// bodies, an HTML title and the request id; no signature, SK or security
// token shows anywhere.
func TestNoSecretAnywhereInAWaitWithAKSK(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		run := runWithSecrets(t, taurusjob.ClientConfig{AccessKey: sentinelAK, SecretKey: sentinelSK, SecurityToken: sentinelSTS},
			taurusjobtest.WithAKSK(sentinelAK, sentinelSK))
		if len(run.secrets) < 20 {
			t.Errorf("only %d signatures seen", len(run.secrets)-3)
		}
		run.check(t)
	})
}
