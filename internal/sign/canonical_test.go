package sign

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

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

// FuzzCanonical checks the canonicaliser on any path, query and header
// value: it never panics, its output uses only the characters the scheme
// allows, the canonical query decodes back to the query, signing is
// deterministic, and what Sign produces, Verify accepts.
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

		// New checks nothing (NewClient validates before it), so any
		// language and token are signed, control characters and all.
		now := time.Unix(unix%(1<<34), 0) // within years 1425..2514
		s := newSigner(katAK, katSK, token, katPID)
		build := func() *http.Request {
			r := &http.Request{Method: http.MethodGet, Host: "h.example:443", Header: http.Header{},
				URL: &url.URL{Scheme: "https", Host: "h.example:443", Path: path, RawQuery: rawQuery}}
			if language != "" {
				r.Header.Set("X-Language", language)
			}
			return r
		}
		a, b := build(), build()
		errA, errB := s.Sign(a, now), s.Sign(b, now)
		if qerr != nil {
			if re, ok := errors.AsType[*RequestError](errA); !ok || !strings.Contains(re.Reason, "query") {
				t.Fatalf("signing an unparseable query: %v, want a *RequestError about the query", errA)
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
		if err := Verify(a, katAK, katSK, now, time.Second); err != nil {
			t.Fatalf("a request just signed does not verify: %v", err)
		}
	})
}
