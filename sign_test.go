package taurusjob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
)

const (
	katPID = "0123456789abcdef0123456789abcdef"
	katSK  = "kat-secret-key"
	katAK  = "KATACCESSKEY0000"
	// the hex SHA-256 of an empty body
	katEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// newKATRequest builds a get-job request by hand: path and query as given,
// decoded, so that the test controls what needs escaping.
func newKATRequest(t *testing.T, host, path string, query url.Values) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "https://"+host+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.URL.Path = path
	req.URL.RawQuery = query.Encode()
	return req
}

func mustSigner(t *testing.T, ak, sk, token, pid string) *signer {
	t.Helper()
	s, err := newSigner(ak, sk, token, pid)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The known answers below were computed outside Go (Python's hashlib and
// hmac) from the canonical requests written out in each case, so they check
// this code against the published algorithm, not against itself.
func TestSignKnownAnswers(t *testing.T) {
	utc8 := time.FixedZone("UTC+8", 8*3600)
	tests := []struct {
		name      string
		host      string
		path      string
		query     url.Values
		language  string // X-Language as set by the caller, "" for none
		token     string
		now       time.Time
		canonical string
		wantAuth  string
	}{
		{
			name:  "job id, language, date given in +0800",
			host:  "gaussdb.cn-north-4.myhuaweicloud.com",
			path:  "/v3/" + katPID + "/jobs",
			query: url.Values{"id": {"f9959f52-aa4d-43f7-be74-44b6fc20b239"}},
			// 13:06:07 at +0800 is 05:06:07 UTC: X-Sdk-Date is always UTC.
			language: "en-us",
			now:      time.Date(2025, 3, 4, 13, 6, 7, 0, utc8),
			canonical: "GET\n/v3/" + katPID + "/jobs/\nid=f9959f52-aa4d-43f7-be74-44b6fc20b239\n" +
				"host:gaussdb.cn-north-4.myhuaweicloud.com\nx-language:en-us\nx-project-id:" + katPID + "\nx-sdk-date:20250304T050607Z\n\n" +
				"host;x-language;x-project-id;x-sdk-date\n" + katEmpty,
			wantAuth: "SDK-HMAC-SHA256 Access=" + katAK + ", SignedHeaders=host;x-language;x-project-id;x-sdk-date, " +
				"Signature=3f7cf28a9d77e0bf559da9e9549ee56ee1c65e644c1981933b47e861b8926855",
		},
		{
			name:  "temporary credentials, no language",
			host:  "gaussdb.cn-north-4.myhuaweicloud.com",
			path:  "/v3/" + katPID + "/jobs",
			query: url.Values{"id": {"f9959f52-aa4d-43f7-be74-44b6fc20b239"}},
			token: "tmp-token/abc+def==",
			now:   time.Date(2024, 12, 31, 23, 59, 59, 999_999_999, time.UTC), // fractions are cut, not rounded
			canonical: "GET\n/v3/" + katPID + "/jobs/\nid=f9959f52-aa4d-43f7-be74-44b6fc20b239\n" +
				"host:gaussdb.cn-north-4.myhuaweicloud.com\nx-project-id:" + katPID + "\nx-sdk-date:20241231T235959Z\nx-security-token:tmp-token/abc+def==\n\n" +
				"host;x-project-id;x-sdk-date;x-security-token\n" + katEmpty,
			wantAuth: "SDK-HMAC-SHA256 Access=" + katAK + ", SignedHeaders=host;x-project-id;x-sdk-date;x-security-token, " +
				"Signature=cd6c5c92dc9947cf3197d6e30c722cf3ac34aa1067bc09a7337b9bcab71ae0fe",
		},
		{
			name:     "escaping in path and query, two keys, host with port, language trimmed",
			host:     "127.0.0.1:8443",
			path:     "/base path/é~./v3/" + katPID + "/jobs",
			query:    url.Values{"limit": {"10"}, "id": {"a b~.%/é"}},
			language: "  zh-cn \t",
			now:      time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC),
			canonical: "GET\n/base%20path/%C3%A9~./v3/" + katPID + "/jobs/\nid=a%20b~.%25%2F%C3%A9&limit=10\n" +
				"host:127.0.0.1:8443\nx-language:zh-cn\nx-project-id:" + katPID + "\nx-sdk-date:20250304T050607Z\n\n" +
				"host;x-language;x-project-id;x-sdk-date\n" + katEmpty,
			wantAuth: "SDK-HMAC-SHA256 Access=" + katAK + ", SignedHeaders=host;x-language;x-project-id;x-sdk-date, " +
				"Signature=6a520c082c98ed76a50d886cb4239ea615cefc557cd7b658061799702b08d588",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newKATRequest(t, tt.host, tt.path, tt.query)
			if tt.language != "" {
				req.Header.Set("X-Language", tt.language)
			}
			s := mustSigner(t, katAK, katSK, tt.token, katPID)
			if err := s.sign(req, tt.now); err != nil {
				t.Fatal(err)
			}
			signed := strings.Split(strings.SplitN(strings.SplitN(req.Header.Get("Authorization"), "SignedHeaders=", 2)[1], ",", 2)[0], ";")
			q, _ := url.ParseQuery(req.URL.RawQuery)
			if got := canonicalRequest(req.Method, req.URL.Path, q, canonicalHeaders(req, signed), signed); got != tt.canonical {
				t.Errorf("canonical request:\n got %q\nwant %q", got, tt.canonical)
			}
			if got := req.Header.Get("Authorization"); got != tt.wantAuth {
				t.Errorf("Authorization:\n got %s\nwant %s", got, tt.wantAuth)
			}
			if got, want := req.Header.Get("X-Sdk-Date"), tt.now.UTC().Format("20060102T150405Z"); got != want {
				t.Errorf("X-Sdk-Date = %q, want %q", got, want)
			}
			if got := req.Header.Get("X-Project-Id"); got != katPID {
				t.Errorf("X-Project-Id = %q, want %q", got, katPID)
			}
			if got := req.Header.Get("X-Security-Token"); got != tt.token {
				t.Errorf("X-Security-Token = %q, want %q", got, tt.token)
			}
			if req.URL.Path != tt.path || strings.HasSuffix(req.URL.Path, "/") != strings.HasSuffix(tt.path, "/") {
				t.Errorf("signing changed the request's path to %q; the trailing / is for signing only", req.URL.Path)
			}
		})
	}
}

// The official Go SDK's own test vector (core/auth/signer/signer_test.go,
// v0.1.207): GET /path?limit=1 signed over x-sdk-date only.
func TestSignatureMatchesSDKVector(t *testing.T) {
	req := newKATRequest(t, "example.huaweicloud.com", "/path", url.Values{"limit": {"1"}})
	req.Header.Set("X-Sdk-Date", "20060102T150405Z")
	signed := []string{"x-sdk-date"}
	q, _ := url.ParseQuery(req.URL.RawQuery)
	cr := canonicalRequest(req.Method, req.URL.Path, q, canonicalHeaders(req, signed), signed)
	got := signature(hmacKeyedBy("SecretKey"), "20060102T150405Z", cr)
	if want := "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624"; got != want {
		t.Errorf("signature = %s, want the SDK's %s", got, want)
	}
}

func TestCanonicalURI(t *testing.T) {
	tests := []struct{ path, want string }{
		{"", "/"},
		{"/", "/"},
		{"/v3/p/jobs", "/v3/p/jobs/"},
		{"/v3/p/jobs/", "/v3/p/jobs/"},
		{"/a~b.c-d_e", "/a~b.c-d_e/"},
		{"/a b/100%/x+y", "/a%20b/100%25/x%2By/"},
		{"/é/日本", "/%C3%A9/%E6%97%A5%E6%9C%AC/"},
		{"/a//b", "/a//b/"},
		{"/semi;colon=eq?q#f", "/semi%3Bcolon%3Deq%3Fq%23f/"},
	}
	for _, tt := range tests {
		if got := canonicalURI(tt.path); got != tt.want {
			t.Errorf("canonicalURI(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct {
		name  string
		query url.Values
		want  string
	}{
		{"none", url.Values{}, ""},
		{"unreserved kept", url.Values{"id": {"Az09-_.~"}}, "id=Az09-_.~"},
		{"space is %20, never +", url.Values{"id": {"a b"}}, "id=a%20b"},
		{"reserved and percent", url.Values{"id": {"%/?#&=+"}}, "id=%25%2F%3F%23%26%3D%2B"},
		{"unicode as UTF-8 bytes", url.Values{"id": {"é日"}}, "id=%C3%A9%E6%97%A5"},
		{"keys sorted, upper case first", url.Values{"b": {"1"}, "a": {"2"}, "A": {"3"}}, "A=3&a=2&b=1"},
		{"values of one key sorted", url.Values{"id": {"z", "a", "m"}}, "id=a&id=m&id=z"},
		{"empty value keeps =", url.Values{"flag": {""}, "id": {"x"}}, "flag=&id=x"},
		{"keys encoded too", url.Values{"a b": {"c"}}, "a%20b=c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := canonicalQuery(tt.query); got != tt.want {
				t.Errorf("canonicalQuery = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCanonicalHeadersTrimAndSort(t *testing.T) {
	req := newKATRequest(t, "h.example", "/", nil)
	req.Header.Set("X-Language", " \t en-us  ")
	req.Header.Add("X-Multi", "b")
	req.Header.Add("X-Multi", " a")
	got := canonicalHeaders(req, []string{"host", "x-language", "x-multi"})
	want := "host:h.example\nx-language:en-us\nx-multi:a\nx-multi:b\n"
	if got != want {
		t.Errorf("canonicalHeaders = %q, want %q", got, want)
	}
}

func TestSignLanguageIsSignedOnlyWhenSet(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	s := mustSigner(t, katAK, katSK, "", katPID)
	without := newKATRequest(t, "h.example", "/v3/"+katPID+"/jobs", url.Values{"id": {"j"}})
	with := newKATRequest(t, "h.example", "/v3/"+katPID+"/jobs", url.Values{"id": {"j"}})
	with.Header.Set("X-Language", "zh-cn")
	for _, r := range []*http.Request{without, with} {
		if err := s.sign(r, now); err != nil {
			t.Fatal(err)
		}
	}
	if got := without.Header.Get("Authorization"); !strings.Contains(got, "SignedHeaders=host;x-project-id;x-sdk-date,") {
		t.Errorf("without X-Language: %s", got)
	}
	if got := with.Header.Get("Authorization"); !strings.Contains(got, "SignedHeaders=host;x-language;x-project-id;x-sdk-date,") {
		t.Errorf("with X-Language: %s", got)
	}
	// A proxy that changes the language must break the signature.
	with.Header.Set("X-Language", "en-us")
	if err := VerifySignature(with, katAK, katSK, now, 0); !errors.Is(err, ErrBadSignature) {
		t.Errorf("a changed X-Language verified: %v", err)
	}
}

func TestSignIsDeterministicAndReplacesOldHeaders(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	s := mustSigner(t, katAK, katSK, "tok", katPID)
	a := newKATRequest(t, "h.example", "/v3/"+katPID+"/jobs", url.Values{"id": {"j"}})
	b := newKATRequest(t, "h.example", "/v3/"+katPID+"/jobs", url.Values{"id": {"j"}})
	for _, r := range []*http.Request{a, b, b} { // b twice: re-signing must not stack headers
		if err := s.sign(r, now); err != nil {
			t.Fatal(err)
		}
	}
	if a.Header.Get("Authorization") != b.Header.Get("Authorization") {
		t.Errorf("same input, different signatures:\n%s\n%s", a.Header.Get("Authorization"), b.Header.Get("Authorization"))
	}
	for _, h := range []string{"Authorization", "X-Sdk-Date", "X-Project-Id", "X-Security-Token"} {
		if n := len(b.Header.Values(h)); n != 1 {
			t.Errorf("%s has %d values after signing twice, want 1", h, n)
		}
	}
	later := newKATRequest(t, "h.example", "/v3/"+katPID+"/jobs", url.Values{"id": {"j"}})
	if err := s.sign(later, now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if later.Header.Get("Authorization") == a.Header.Get("Authorization") {
		t.Error("a different X-Sdk-Date gave the same signature")
	}
}

func TestSignRefusesBody(t *testing.T) {
	s := mustSigner(t, katAK, katSK, "", katPID)
	req, _ := http.NewRequest(http.MethodPost, "https://h.example/", strings.NewReader("{}"))
	if err := s.sign(req, time.Now()); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("signing a request with a body: err = %v, want ErrInvalidInput", err)
	}
}

func TestNewSignerValidates(t *testing.T) {
	const sk = "Sup3r-SECRET-key-Value"
	tests := []struct {
		name, ak, sk, token, field string
	}{
		{"no AK", "", sk, "", "access key"},
		{"no SK", katAK, "", "", "secret key"},
		{"AK with newline", katAK + "\n", sk, "", "access key"},
		{"AK with comma", katAK + ",x", sk, "", "access key"},
		{"AK with space", katAK + " x", sk, "", "access key"},
		{"SK with NUL", katAK, sk + "\x00" + sk, "", "secret key"},
		{"SK with DEL", katAK, "\x7f" + sk, "", "secret key"},
		{"token with CR", katAK, sk, "TOKEN-VALUE\rTOKEN-VALUE", "security token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newSigner(tt.ak, tt.sk, tt.token, katPID)
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != tt.field {
				t.Fatalf("err = %v, want an *InputError for %q", err, tt.field)
			}
			if strings.Contains(err.Error(), sk) || strings.Contains(err.Error(), "TOKEN-VALUE") {
				t.Errorf("error shows a secret: %v", err)
			}
		})
	}
}

// A user relies on the SK never being printed: not by an error, nor by any
// fmt verb applied to the signer or to the Client holding it.
func TestSecretKeyNeverPrinted(t *testing.T) {
	const sk = "Sup3r-SECRET-key-Value"
	const token = "Temp-SECURITY-token-Value"
	s := mustSigner(t, katAK, sk, token, katPID)
	client, err := NewClient(ClientConfig{
		Endpoint: "https://gaussdb.cn-north-4.myhuaweicloud.com", ProjectID: katPID,
		AccessKey: katAK, SecretKey: sk, SecurityToken: token,
	})
	if err != nil {
		t.Fatal(err)
	}
	type holder struct{ S signer } // a signer held by value, printed by reflection
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		outputs = append(outputs,
			fmt.Sprintf(verb, s), fmt.Sprintf(verb, *s), fmt.Sprintf(verb, holder{*s}),
			fmt.Sprintf(verb, client))
	}
	outputs = append(outputs, fmt.Sprint(s), fmt.Sprintln(*s), s.String(), s.GoString())
	for i, out := range outputs {
		// Printed in hex by %x and %X too: a piece of those counts.
		secretcheck.Assert(t, fmt.Sprintf("output %d", i), out, sk, token, fmt.Sprintf("%x", sk), fmt.Sprintf("%X", sk))
	}
	if got := fmt.Sprintf("%+v", s); !strings.Contains(got, katAK) || !strings.Contains(got, "redacted") {
		t.Errorf("%%+v of the signer = %q, want the access key and the word redacted", got)
	}

	// Input errors about the SK name the field, not the value.
	for _, bad := range []string{sk + "\n", "\x01" + sk} {
		_, err := NewClient(ClientConfig{
			Endpoint: "https://gaussdb.cn-north-4.myhuaweicloud.com", ProjectID: katPID,
			AccessKey: katAK, SecretKey: bad,
		})
		if err == nil || strings.Contains(err.Error(), sk) || !strings.Contains(err.Error(), "secret key") {
			t.Errorf("NewClient with a bad SK: err = %v; want one naming the secret key but not showing it", err)
		}
	}

	// Headers carry the signature, never the SK.
	req := newKATRequest(t, "h.example", "/v3/"+katPID+"/jobs", url.Values{"id": {"j"}})
	if err := s.sign(req, time.Now()); err != nil {
		t.Fatal(err)
	}
	for name, values := range req.Header {
		for _, v := range values {
			if strings.Contains(v, sk) {
				t.Errorf("header %s shows the SK", name)
			}
		}
	}
}

// signedRequest is a get-job request signed at now with katAK/katSK.
func signedRequest(t *testing.T, token string, now time.Time) *http.Request {
	t.Helper()
	req := newKATRequest(t, "gaussdb.cn-north-4.myhuaweicloud.com", "/v3/"+katPID+"/jobs", url.Values{"id": {"f9959f52-aa4d-43f7-be74-44b6fc20b239"}})
	req.Header.Set("X-Language", "en-us")
	if err := mustSigner(t, katAK, katSK, token, katPID).sign(req, now); err != nil {
		t.Fatal(err)
	}
	return req
}

func TestVerifySignatureAcceptsSignedRequests(t *testing.T) {
	now := time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)
	for _, token := range []string{"", "temporary-token"} {
		req := signedRequest(t, token, now)
		for _, at := range []time.Time{now, now.Add(14 * time.Minute), now.Add(-14 * time.Minute)} {
			if err := VerifySignature(req, katAK, katSK, at, 0); err != nil {
				t.Errorf("token %q, verified at %s: %v", token, at.Sub(now), err)
			}
		}
		if err := VerifySignature(req, katAK, katSK, now.Add(59*time.Second), time.Minute); err != nil {
			t.Errorf("token %q, within an explicit 1m skew: %v", token, err)
		}
	}
}

func TestVerifySignatureRejects(t *testing.T) {
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
			err := VerifySignature(req, ak, sk, at, tt.skew)
			if !errors.Is(err, ErrBadSignature) {
				t.Fatalf("err = %v, want ErrBadSignature", err)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("err = %q, want it to say %q", err, tt.reason)
			}
			// The error shows neither key nor what the signature should be.
			resigned := req.Clone(context.Background())
			resigned.Body = nil
			if s, e := newSigner(katAK, katSK, resigned.Header.Get("X-Security-Token"), katPID); e == nil && s.sign(resigned, now) == nil {
				expected := resigned.Header.Get("Authorization")
				expected = expected[strings.Index(expected, "Signature=")+len("Signature="):]
				if strings.Contains(err.Error(), expected) {
					t.Errorf("error shows the expected signature: %v", err)
				}
			}
			for _, secret := range []string{katSK, "another-secret", "tok-secret-1", "tok-secret-2"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows %q: %v", secret, err)
				}
			}
		})
	}
}

// The client signs what it sends: a loopback server verifies every request
// of a Client configured with AK/SK and temporary credentials.
func TestClientAKSKRequestsVerifyOnTheWire(t *testing.T) {
	const jobID = "f9959f52-aa4d-43f7-be74-44b6fc20b239"
	const token = "temporary-token+/="
	for _, language := range []string{"", "zh-cn"} {
		t.Run("language="+language, func(t *testing.T) {
			var seen http.Header
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = r.Header.Clone()
				if err := VerifySignature(r, katAK, katSK, time.Now(), time.Minute); err != nil {
					http.Error(w, `{"error_code":"APIGW.0301","error_msg":"`+err.Error()+`"}`, http.StatusUnauthorized)
					return
				}
				_, _ = io.WriteString(w, `{"job":{"id":"`+jobID+`","name":"CreateGaussDBforMySQLInstance","status":"Running","process":"60%"}}`)
			}))
			defer srv.Close()
			c, err := NewClient(ClientConfig{Endpoint: srv.URL, ProjectID: katPID, Language: language,
				AccessKey: katAK, SecretKey: katSK, SecurityToken: token, HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			job, err := c.GetJob(context.Background(), jobID)
			if err != nil {
				t.Fatalf("GetJob: %v", err)
			}
			if job.ID != jobID || job.Progress != 60 {
				t.Errorf("job = %+v", job)
			}
			if got := seen.Get("X-Project-Id"); got != katPID {
				t.Errorf("X-Project-Id = %q", got)
			}
			if got := seen.Get("X-Security-Token"); got != token {
				t.Errorf("X-Security-Token = %q", got)
			}
			if seen.Get("X-Auth-Token") != "" {
				t.Error("an AK/SK client sent X-Auth-Token")
			}
			want := []string{"host", "x-project-id", "x-sdk-date", "x-security-token"}
			if language != "" {
				want = slices.Insert(want, 1, "x-language")
			}
			if got := seen.Get("Authorization"); !strings.Contains(got, "SignedHeaders="+strings.Join(want, ";")+",") {
				t.Errorf("Authorization = %s, want SignedHeaders=%s", got, strings.Join(want, ";"))
			}
		})
	}
}

// FuzzCanonical checks the canonicaliser on any path, query and header
// value: it never panics, its output uses only the characters the scheme
// allows, the canonical query decodes back to the query, signing is
// deterministic, and what sign produces, VerifySignature accepts.
func FuzzCanonical(f *testing.F) {
	f.Add("/v3/"+katPID+"/jobs", "id=f9959f52-aa4d-43f7-be74-44b6fc20b239", "en-us", "", int64(1700000000))
	f.Add("/a b/é~./100%", "id=a+b%2F%C3%A9%25&limit=10&limit=2", "  zh-cn\t", "tok", int64(0))
	f.Add("", "a&b=&=c&a=1", "", "", int64(-1))
	f.Add("//x//", "%zz", "\u00a0x", "t", int64(253402300799))
	f.Fuzz(func(t *testing.T, path, rawQuery, language, token string, unix int64) {
		uri := canonicalURI(path)
		if !strings.HasSuffix(uri, "/") || strings.Trim(uri, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~%/") != "" {
			t.Fatalf("canonicalURI(%q) = %q", path, uri)
		}
		if uri != canonicalURI(path) {
			t.Fatal("canonicalURI is not deterministic")
		}
		if dec, err := url.PathUnescape(uri); err != nil || (dec != path && dec != path+"/") {
			t.Fatalf("canonicalURI(%q) = %q decodes to %q, %v", path, uri, dec, err)
		}

		query, qerr := url.ParseQuery(rawQuery)
		if qerr == nil {
			cq := canonicalQuery(query)
			if strings.Trim(cq, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~%=&") != "" {
				t.Fatalf("canonicalQuery = %q has characters outside the unreserved set", cq)
			}
			back, err := url.ParseQuery(cq)
			if err != nil {
				t.Fatalf("canonical query %q does not parse: %v", cq, err)
			}
			for k, v := range query {
				got, want := slices.Sorted(slices.Values(back[k])), slices.Sorted(slices.Values(v))
				if !slices.Equal(got, want) {
					t.Fatalf("canonical query %q: key %q gives %q, want %q", cq, k, got, want)
				}
			}
			if len(back) != len(query) {
				t.Fatalf("canonical query %q has %d keys, the query %d", cq, len(back), len(query))
			}
		}

		if hasControl(language) || hasControl(token) {
			return
		}
		now := time.Unix(unix%(1<<34), 0) // within years 1425..2514
		s, err := newSigner(katAK, katSK, token, katPID)
		if err != nil {
			t.Fatal(err)
		}
		build := func() *http.Request {
			r := &http.Request{Method: http.MethodGet, Host: "h.example:443", Header: http.Header{},
				URL: &url.URL{Scheme: "https", Host: "h.example:443", Path: path, RawQuery: rawQuery}}
			if language != "" {
				r.Header.Set("X-Language", language)
			}
			return r
		}
		a, b := build(), build()
		errA, errB := s.sign(a, now), s.sign(b, now)
		if qerr != nil {
			if !errors.Is(errA, ErrInvalidInput) {
				t.Fatalf("signing an unparseable query: %v", errA)
			}
			return
		}
		if errA != nil || errB != nil {
			t.Fatalf("sign: %v, %v", errA, errB)
		}
		if a.Header.Get("Authorization") != b.Header.Get("Authorization") {
			t.Fatal("signing is not deterministic")
		}
		if now.Year() < 0 || now.Year() > 9999 {
			return // X-Sdk-Date cannot hold the year
		}
		if err := VerifySignature(a, katAK, katSK, now, time.Second); err != nil {
			t.Fatalf("a request just signed does not verify: %v", err)
		}
	})
}

func TestSignRequestMatchesClientSigning(t *testing.T) {
	now := time.Date(2025, 3, 4, 13, 6, 7, 0, time.FixedZone("UTC+8", 8*3600))
	req := newKATRequest(t, "gaussdb.cn-north-4.myhuaweicloud.com", "/v3/"+katPID+"/jobs", url.Values{"id": {"f9959f52-aa4d-43f7-be74-44b6fc20b239"}})
	req.Header.Set("X-Language", "en-us")
	if err := SignRequest(req, AKSK{AccessKey: katAK, SecretKey: katSK, ProjectID: katPID}, now); err != nil {
		t.Fatal(err)
	}
	// The first known answer of TestSignKnownAnswers.
	if got := req.Header.Get("Authorization"); !strings.HasSuffix(got, "Signature=3f7cf28a9d77e0bf559da9e9549ee56ee1c65e644c1981933b47e861b8926855") {
		t.Errorf("Authorization = %s", got)
	}
	err := SignRequest(req, AKSK{AccessKey: katAK, SecretKey: "bad\x00" + katSK}, now)
	if !errors.Is(err, ErrInvalidInput) || strings.Contains(err.Error(), katSK) {
		t.Errorf("SignRequest with a bad SK: err = %v", err)
	}
}

func TestAKSKNeverPrintsSecrets(t *testing.T) {
	c := AKSK{AccessKey: katAK, SecretKey: "Sup3r-SECRET-key-Value", SecurityToken: "Temp-SECURITY-token-Value", ProjectID: katPID}
	type holder struct{ Creds AKSK }
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		for _, out := range []string{fmt.Sprintf(verb, c), fmt.Sprintf(verb, &c), fmt.Sprintf(verb, holder{c})} {
			secretcheck.Assert(t, verb, out, c.SecretKey, c.SecurityToken, fmt.Sprintf("%x", c.SecretKey))
		}
	}
	if got := fmt.Sprint(c); !strings.Contains(got, katAK) || !strings.Contains(got, katPID) {
		t.Errorf("fmt.Sprint(AKSK) = %q, want the access key and project", got)
	}
}
