package sign

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// signedRequest is a get-job request signed at now with katAK/katSK.
func signedRequest(t *testing.T, token string, now time.Time) *http.Request {
	t.Helper()
	req := newKATRequest(t, "gaussdb.cn-north-4.myhuaweicloud.com", "/v3/"+katPID+"/jobs", url.Values{"id": {"f9959f52-aa4d-43f7-be74-44b6fc20b239"}})
	req.Header.Set("X-Language", "en-us")
	if err := newSigner(katAK, katSK, token, katPID).Sign(req, now); err != nil {
		t.Fatal(err)
	}
	return req
}

func TestVerifyAcceptsSignedRequests(t *testing.T) {
	now := time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)
	for _, token := range []string{"", "temporary-token"} {
		req := signedRequest(t, token, now)
		for _, at := range []time.Time{now, now.Add(14 * time.Minute), now.Add(-14 * time.Minute)} {
			if err := Verify(req, katAK, katSK, at, 0); err != nil {
				t.Errorf("token %q, verified at %s: %v", token, at.Sub(now), err)
			}
		}
		if err := Verify(req, katAK, katSK, now.Add(59*time.Second), time.Minute); err != nil {
			t.Errorf("token %q, within an explicit 1m skew: %v", token, err)
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	now := time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)
	tests := []struct {
		name   string
		token  string
		tamper func(r *http.Request)
		ak, sk string
		at     time.Time
		skew   time.Duration
		reason string // a word the error must hold
	}{
		{name: "wrong SK", sk: "another-secret", reason: "does not match"},
		{name: "wrong AK", ak: "OTHERAK", reason: "another access key"},
		{name: "job id changed", tamper: func(r *http.Request) { r.URL.RawQuery = "id=another-job" }, reason: "does not match"},
		{name: "query added", tamper: func(r *http.Request) { r.URL.RawQuery += "&limit=1" }, reason: "does not match"},
		{name: "path changed", tamper: func(r *http.Request) { r.URL.Path = "/v3/" + katPID + "/jobz" }, reason: "does not match"},
		{name: "method changed", tamper: func(r *http.Request) { r.Method = http.MethodDelete }, reason: "does not match"},
		{name: "host changed", tamper: func(r *http.Request) { r.Host = "evil.example" }, reason: "does not match"},
		{name: "project changed", tamper: func(r *http.Request) { r.Header.Set("X-Project-Id", strings.Repeat("f", 32)) }, reason: "does not match"},
		{name: "language changed", tamper: func(r *http.Request) { r.Header.Set("X-Language", "zh-cn") }, reason: "does not match"},
		{name: "token changed", token: "tok-secret-1", tamper: func(r *http.Request) { r.Header.Set("X-Security-Token", "tok-secret-2") }, reason: "does not match"},
		{name: "token added unsigned", tamper: func(r *http.Request) { r.Header.Set("X-Security-Token", "tok-secret-1") }, reason: "does not sign it"},
		{name: "stale by 16 minutes", at: now.Add(16 * time.Minute), reason: "away from"},
		{name: "from the future", at: now.Add(-16 * time.Minute), reason: "away from"},
		{name: "outside an explicit skew", at: now.Add(61 * time.Second), skew: time.Minute, reason: "away from"},
		{name: "no date", tamper: func(r *http.Request) { r.Header.Del("X-Sdk-Date") }, reason: "X-Sdk-Date"},
		{name: "date malformed", tamper: func(r *http.Request) { r.Header.Set("X-Sdk-Date", "2025-06-07T08:09:10Z") }, reason: "form"},
		{name: "no Authorization", tamper: func(r *http.Request) { r.Header.Del("Authorization") }, reason: "Authorization"},
		{name: "two Authorization", tamper: func(r *http.Request) { r.Header.Add("Authorization", r.Header.Get("Authorization")) }, reason: "exactly one"},
		{name: "other scheme", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "SDK-HMAC-SHA256", "SDK-HMAC-SM3", 1))
		}, reason: "scheme"},
		{name: "upper-case signature", tamper: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			i := strings.Index(a, "Signature=") + len("Signature=")
			r.Header.Set("Authorization", a[:i]+strings.ToUpper(a[i:]))
		}, reason: "hex"},
		{name: "date not signed", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), ";x-sdk-date", "", 1))
		}, reason: "x-sdk-date"},
		{name: "signed headers unsorted", tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "host;x-language", "x-language;host", 1))
		}, reason: "sorted"},
		{name: "signed header missing", tamper: func(r *http.Request) { r.Header.Del("X-Language") }, reason: "does not carry"},
		{name: "body", tamper: func(r *http.Request) { r.ContentLength = 2; r.Body = io.NopCloser(strings.NewReader("{}")) }, reason: "body"},
		{name: "verifier without SK", sk: "-", reason: "no access key or secret key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := signedRequest(t, tt.token, now)
			if tt.tamper != nil {
				tt.tamper(req)
			}
			ak, sk, at := katAK, katSK, now
			if tt.ak != "" {
				ak = tt.ak
			}
			if tt.sk == "-" {
				sk = ""
			} else if tt.sk != "" {
				sk = tt.sk
			}
			if !tt.at.IsZero() {
				at = tt.at
			}
			err := Verify(req, ak, sk, at, tt.skew)
			if !errors.Is(err, ErrBad) {
				t.Fatalf("err = %v, want ErrBad", err)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("err = %q, want it to say %q", err, tt.reason)
			}
			// The error shows neither key nor what the signature should be.
			resigned := req.Clone(context.Background())
			resigned.Body = nil
			if serr := newSigner(katAK, katSK, resigned.Header.Get("X-Security-Token"), katPID).Sign(resigned, now); serr != nil {
				t.Fatal(serr)
			}
			expected := resigned.Header.Get("Authorization")
			expected = expected[strings.Index(expected, "Signature=")+len("Signature="):]
			if strings.Contains(err.Error(), expected) {
				t.Errorf("error shows the expected signature: %v", err)
			}
			for _, secret := range []string{katSK, "another-secret", "tok-secret-1", "tok-secret-2"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows %q: %v", secret, err)
				}
			}
		})
	}
}
