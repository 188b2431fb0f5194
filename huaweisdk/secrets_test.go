package huaweisdk

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// testSTS is a security token no real text holds.
const testSTS = "SENTINEL-STS-SDK-9f1e3d5c7b9a1e3d5c7b9a1e3d5c7b9a1e3d5c7b"

// echoServer answers every request with answer(r), after keeping the
// credentials the request carried: the SDK signs each request anew, so
// the test learns each signature only from the server.
type echoServer struct {
	answer func(w http.ResponseWriter, r *http.Request)
	mu     sync.Mutex
	seen   []string
}

func (s *echoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.seen = append(s.seen, r.Header.Get("X-Security-Token"))
	if _, sig, ok := strings.Cut(r.Header.Get("Authorization"), "Signature="); ok {
		s.seen = append(s.seen, sig)
	}
	s.mu.Unlock()
	s.answer(w, r)
}

// secrets returns every credential the client held or sent. The
// Authorization header counts by its secret parts, the access key and the
// signature: the rest ("SDK-HMAC-SHA256", the signed header names) is
// public.
func (s *echoServer) secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{testAK, testSK, testSTS}, s.seen...)
}

// escapeAll writes s as the body of a JSON string, every byte \u00XX.
func escapeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, `\u%04x`, s[i])
	}
	return b.String()
}

// entities writes s as HTML character references, "&#83;&#69;…".
func entities(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "&#%d;", s[i])
	}
	return b.String()
}

// TestSDKErrorsHideEchoedCredentials: for each of the four getters, a 401
// whose error_msg and X-Request-Id echo the X-Security-Token and the
// Authorization header, in whole, in pieces, escaped or in base64, gives
// an error with no 12-byte piece of the security token, the access key,
// the secret key or the signature.
func TestSDKErrorsHideEchoedCredentials(t *testing.T) {
	tests := []struct {
		name   string
		answer func(w http.ResponseWriter, r *http.Request)
	}{
		{"error_msg and X-Request-Id", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", r.Header.Get("X-Security-Token"))
			writeError(w, http.StatusUnauthorized, "APIGW.0301", "bad credentials: "+r.Header.Get("Authorization")+" "+r.Header.Get("X-Security-Token"))
		}},
		{"signature in X-Request-Id", func(w http.ResponseWriter, r *http.Request) {
			_, sig, _ := strings.Cut(r.Header.Get("Authorization"), "Signature=")
			w.Header().Set("X-Request-Id", sig)
			writeError(w, http.StatusUnauthorized, "APIGW.0301", "bad signature")
		}},
		{"halves in error_code and error_msg", func(w http.ResponseWriter, r *http.Request) {
			sts := r.Header.Get("X-Security-Token")
			writeError(w, http.StatusUnauthorized, sts[:len(sts)/2], sts[len(sts)/2:])
		}},
		{"escaped and base64", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `{"error_code":"APIGW.0302","error_msg":"%s %s"}`, escapeAll(r.Header.Get("Authorization")),
				base64.StdEncoding.EncodeToString([]byte(r.Header.Get("X-Security-Token"))))
		}},
		{"a gateway page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "<html><title>502 %s %s</title></html>", r.Header.Get("Authorization"), entities(r.Header.Get("X-Security-Token")))
		}},
		{"another job's id", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"job":{"id":"%s","status":"Running"}}`, escapeAll(r.Header.Get("X-Security-Token")))
		}},
	}
	for _, svc := range allServices {
		for _, tt := range tests {
			t.Run(svc.String()+"/"+tt.name, func(t *testing.T) {
				es := &echoServer{answer: tt.answer}
				srv := httptest.NewServer(es)
				defer srv.Close()
				_, err := serviceGetter(t, svc, srv, testSTS).GetJob(context.Background(), testJob)
				if err == nil {
					t.Fatal("GetJob succeeded")
				}
				secretcheck.AssertError(t, "GetJob", err, es.secrets()...)
				t.Log(err)
			})
		}
	}
}

// TestSDKJobHidesEchoedCredentials: for each of the four getters, a 2xx
// job whose fields (RDS's entities too) carry the credentials, raw or
// JSON-escaped, comes back with none of them in any field, in Entities, in
// Raw, or in the failure built from it; Raw and Entities stay JSON.
func TestSDKJobHidesEchoedCredentials(t *testing.T) {
	tests := []struct {
		name   string
		status func(creds string) string // the job's status, as JSON
	}{
		{"a failed job", func(string) string { return `"Failed"` }},
		{"in the status", func(creds string) string { return fmt.Sprintf("%q", creds) }},
		{"escaped in the status", func(creds string) string { return `"` + escapeAll(creds) + `"` }},
	}
	for _, svc := range allServices {
		for _, tt := range tests {
			t.Run(svc.String()+"/"+tt.name, func(t *testing.T) {
				es := &echoServer{answer: func(w http.ResponseWriter, r *http.Request) {
					creds := r.Header.Get("Authorization") + " " + r.Header.Get("X-Security-Token")
					esc := escapeAll(creds)
					w.Header().Set("Content-Type", "application/json")
					// "process" (TaurusDB, RDS) and "progress" (openGauss, DDS): each model reads its own.
					fmt.Fprintf(w, `{"job":{"id":%q,"name":"%s","status":%s,"created":"%s","ended":%q,"process":"%s","progress":%q,`+
						`"fail_reason":"%s","instance":{"id":"%s","name":%q},`+
						`"entities":{"instance":{"endpoint":%q,"type":"%s","datastore":{"type":%q,"version":"%s"},"replica_of":%q},`+
						`"resource_ids":[%q,"%s"],"volume":{"type":%q,"original_size":"%s","target_size":%q},"public_ip":"%s","switch_strategy":%q}}}`,
						testJob, esc, tt.status(creds), creds, creds, esc, creds, esc, creds, creds,
						creds, esc, creds, esc, creds, creds, esc, creds, esc, creds, esc, creds)
				}}
				srv := httptest.NewServer(es)
				defer srv.Close()
				job, err := serviceGetter(t, svc, srv, testSTS).GetJob(context.Background(), testJob)
				if err != nil {
					t.Fatal(err)
				}
				if job.ID != testJob || !json.Valid(job.Raw) || job.Entities != nil && !json.Valid(job.Entities) {
					t.Errorf("job %s, Raw %s, Entities %s; want the job, Raw and Entities valid JSON", job.ID, job.Raw, job.Entities)
				}
				if svc == taurusjob.ServiceRDS && job.Entities == nil {
					t.Error("RDS job without its entities")
				}
				secrets := es.secrets()
				for where, text := range map[string]string{"job": fmt.Sprintf("%+v", job), "raw": string(job.Raw),
					"entities": string(job.Entities), "failure": (&taurusjob.JobFailedError{Job: job}).Error()} {
					secretcheck.Assert(t, where, text, secrets...)
				}
			})
		}
	}
}

// TestNewGetterLeavesTheCallersClientAlone: each of the four getters
// records signatures through a copy of the SDK client; the caller's client
// keeps its own credential and still works.
func TestNewGetterLeavesTheCallersClientAlone(t *testing.T) {
	for _, svc := range allServices {
		t.Run(svc.String(), func(t *testing.T) {
			srv := taurusjobtest.NewServer(taurusjobtest.WithService(svc),
				taurusjobtest.WithProjectID(testPID), taurusjobtest.WithAKSK(testAK, testSK))
			defer srv.Close()
			id := srv.AddJob(taurusjobtest.Job{})
			hc := sdkHTTPClient(t, builderOf(t, svc), srv.URL(), srv.Client().Transport.(*http.Transport), 10*time.Second)
			before := hc.GetCredential()
			g := adapterOver(t, svc, hc)
			if hc.GetCredential() != before {
				t.Fatal("the getter replaced the caller's credential")
			}
			if _, err := g.GetJob(context.Background(), id); err != nil {
				t.Fatal(err)
			}
			if hc.GetCredential() != before {
				t.Fatal("GetJob replaced the caller's credential")
			}
			if s := scrubberOf(t, g); s.cred != before || len(s.signatures.secrets()) != 1 {
				t.Errorf("the getter scrubs %T's secrets and %d signatures; want the caller's credential's and the one signature sent",
					s.cred, len(s.signatures.secrets()))
			}
			if _, err := adapterOver(t, svc, hc).GetJob(context.Background(), id); err != nil {
				t.Fatalf("the caller's client no longer works: %v", err)
			}
			for _, r := range srv.Requests() {
				if r.Status == http.StatusUnauthorized {
					t.Errorf("the fake refused a signature: %+v", r)
				}
			}
		})
	}
}

// scrubberOf is the scrubber of g, a getter of this package.
func scrubberOf(t *testing.T, g taurusjob.JobGetter) *scrubber {
	t.Helper()
	switch g := g.(type) {
	case *Getter:
		return g.scrub
	case *RDSGetter:
		return g.scrub
	case *OpenGaussGetter:
		return g.scrub
	case *DDSGetter:
		return g.scrub
	}
	t.Fatalf("no scrubber in %T", g)
	return nil
}
