package huaweisdk

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
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

// TestSDKErrorsHideEchoedCredentials: a 401 whose error_msg and
// X-Request-Id echo the X-Security-Token and the Authorization header, in
// whole, in pieces, escaped or in base64, gives an error with no 12-byte
// piece of the security token, the access key, the secret key or the
// signature.
func TestSDKErrorsHideEchoedCredentials(t *testing.T) {
	tests := []struct {
		name   string
		answer func(w http.ResponseWriter, r *http.Request)
	}{
		{"error_msg and X-Request-Id", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", r.Header.Get("X-Security-Token"))
			writeError(w, http.StatusUnauthorized, "APIGW.0301", "bad credentials: "+r.Header.Get("Authorization")+" "+r.Header.Get("X-Security-Token"))
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := &echoServer{answer: tt.answer}
			srv := httptest.NewServer(es)
			defer srv.Close()
			_, err := newGetter(t, newSDKClient(t, srv, testSTS, 10*time.Second)).GetJob(context.Background(), testJob)
			if err == nil {
				t.Fatal("GetJob succeeded")
			}
			secretcheck.AssertError(t, "GetJob", err, es.secrets()...)
			t.Log(err)
		})
	}
}

// TestSDKJobHidesEchoedCredentials: a 2xx job whose fields carry the
// credentials, raw or JSON-escaped, comes back with none of them in any
// field, in Raw, or in the failure built from it.
func TestSDKJobHidesEchoedCredentials(t *testing.T) {
	es := &echoServer{answer: func(w http.ResponseWriter, r *http.Request) {
		creds := r.Header.Get("Authorization") + " " + r.Header.Get("X-Security-Token")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"job":{"id":%q,"name":"%s","status":"Failed","created":"%s","process":"%s","fail_reason":"%s",`+
			`"instance":{"id":"%s","name":%q}}}`, testJob, escapeAll(creds), creds, creds, escapeAll(creds), creds, creds)
	}}
	srv := httptest.NewServer(es)
	defer srv.Close()
	job, err := newGetter(t, newSDKClient(t, srv, testSTS, 10*time.Second)).GetJob(context.Background(), testJob)
	if err != nil {
		t.Fatal(err)
	}
	secrets := es.secrets()
	for where, text := range map[string]string{"job": fmt.Sprintf("%+v", job), "raw": string(job.Raw),
		"failure": (&taurusjob.JobFailedError{Job: job}).Error()} {
		secretcheck.Assert(t, where, text, secrets...)
	}
}

// TestNewGetterLeavesTheCallersClientAlone: the Getter records signatures
// through a copy of the SDK client; the caller's client keeps its own
// credential and still works.
func TestNewGetterLeavesTheCallersClientAlone(t *testing.T) {
	srv := httptest.NewServer(&jobServer{verifySK: testSK, status: http.StatusOK, body: docJob})
	defer srv.Close()
	client := newSDKClient(t, srv, "", 10*time.Second)
	before := client.HcClient.GetCredential()
	g := newGetter(t, client)
	if client.HcClient.GetCredential() != before {
		t.Fatal("NewGetter replaced the caller's credential")
	}
	if _, err := g.GetJob(context.Background(), testJob); err != nil {
		t.Fatal(err)
	}
	if _, err := newGetter(t, client).GetJob(context.Background(), testJob); err != nil {
		t.Fatalf("the caller's client no longer works: %v", err)
	}
}
