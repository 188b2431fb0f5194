package sign

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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

// newSigner is New over the four credentials, in the order the tests use.
func newSigner(ak, sk, token, pid string) *Signer {
	return New(AKSK{AccessKey: ak, SecretKey: sk, SecurityToken: token, ProjectID: pid})
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
			s := newSigner(katAK, katSK, tt.token, katPID)
			if err := s.Sign(req, tt.now); err != nil {
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

func TestSignLanguageIsSignedOnlyWhenSet(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	s := newSigner(katAK, katSK, "", katPID)
	without := newKATRequest(t, "h.example", "/v3/"+katPID+"/jobs", url.Values{"id": {"j"}})
	with := newKATRequest(t, "h.example", "/v3/"+katPID+"/jobs", url.Values{"id": {"j"}})
	with.Header.Set("X-Language", "zh-cn")
	for _, r := range []*http.Request{without, with} {
		if err := s.Sign(r, now); err != nil {
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
	if err := Verify(with, katAK, katSK, now, 0); !errors.Is(err, ErrBad) {
		t.Errorf("a changed X-Language verified: %v", err)
	}
}

func TestSignIsDeterministicAndReplacesOldHeaders(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	s := newSigner(katAK, katSK, "tok", katPID)
	a := newKATRequest(t, "h.example", "/v3/"+katPID+"/jobs", url.Values{"id": {"j"}})
	b := newKATRequest(t, "h.example", "/v3/"+katPID+"/jobs", url.Values{"id": {"j"}})
	for _, r := range []*http.Request{a, b, b} { // b twice: re-signing must not stack headers
		if err := s.Sign(r, now); err != nil {
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
	if err := s.Sign(later, now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if later.Header.Get("Authorization") == a.Header.Get("Authorization") {
		t.Error("a different X-Sdk-Date gave the same signature")
	}
}

func TestSignRefusesBody(t *testing.T) {
	s := newSigner(katAK, katSK, "", katPID)
	req, _ := http.NewRequest(http.MethodPost, "https://h.example/", strings.NewReader("{}"))
	err := s.Sign(req, time.Now())
	if re, ok := errors.AsType[*RequestError](err); !ok || !strings.Contains(re.Reason, "body") {
		t.Errorf("signing a request with a body: err = %v, want a *RequestError about the body", err)
	}
	if req.Header.Get("Authorization") != "" {
		t.Error("a request refused was signed anyway")
	}
}

// A user relies on the SK never being printed: not by any fmt verb applied
// to the signer, directly or held by value in another value, nor in the
// headers it sets. (The root package's TestSecretKeyNeverPrinted prints
// the Client that holds one.)
func TestSignerNeverPrintsSecrets(t *testing.T) {
	const sk = "Sup3r-SECRET-key-Value"
	const token = "Temp-SECURITY-token-Value"
	s := newSigner(katAK, sk, token, katPID)
	type holder struct{ S Signer } // a signer held by value, printed by reflection
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		outputs = append(outputs, fmt.Sprintf(verb, s), fmt.Sprintf(verb, *s), fmt.Sprintf(verb, holder{*s}))
	}
	outputs = append(outputs, fmt.Sprint(s), fmt.Sprintln(*s), s.String(), s.GoString())
	for i, out := range outputs {
		// Printed in hex by %x and %X too: a piece of those counts.
		secretcheck.Assert(t, fmt.Sprintf("output %d", i), out, sk, token, fmt.Sprintf("%x", sk), fmt.Sprintf("%X", sk))
	}
	if got := fmt.Sprintf("%+v", s); !strings.Contains(got, katAK) || !strings.Contains(got, "redacted") {
		t.Errorf("%%+v of the signer = %q, want the access key and the word redacted", got)
	}

	// Headers carry the signature, never the SK.
	req := newKATRequest(t, "h.example", "/v3/"+katPID+"/jobs", url.Values{"id": {"j"}})
	if err := s.Sign(req, time.Now()); err != nil {
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

// New over an AKSK as callers outside the tests write it (named fields, no
// security token) signs to the first known answer of TestSignKnownAnswers.
// (That the Client's requests verify is the root package's
// TestClientAKSKRequestsVerifyOnTheWire; that bad keys are refused with an
// InputError is its TestNewClientValidatesAKSK.)
func TestNewFromAKSKGivesTheKnownAnswer(t *testing.T) {
	now := time.Date(2025, 3, 4, 13, 6, 7, 0, time.FixedZone("UTC+8", 8*3600))
	req := newKATRequest(t, "gaussdb.cn-north-4.myhuaweicloud.com", "/v3/"+katPID+"/jobs", url.Values{"id": {"f9959f52-aa4d-43f7-be74-44b6fc20b239"}})
	req.Header.Set("X-Language", "en-us")
	if err := New(AKSK{AccessKey: katAK, SecretKey: katSK, ProjectID: katPID}).Sign(req, now); err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Get("Authorization"); !strings.HasSuffix(got, "Signature=3f7cf28a9d77e0bf559da9e9549ee56ee1c65e644c1981933b47e861b8926855") {
		t.Errorf("Authorization = %s", got)
	}
	if got := req.Header.Values("X-Security-Token"); len(got) != 0 {
		t.Errorf("permanent credentials sent X-Security-Token %q", got)
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
	for _, v := range []any{c, &c, holder{c}} {
		if b, err := json.Marshal(v); err == nil {
			t.Errorf("json.Marshal(%T) = %s; want an error, never the credentials", v, b)
		}
	}
}
