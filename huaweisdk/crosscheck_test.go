package huaweisdk

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer/algorithm"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/sign"
)

// sdkSign signs with the official SDK's SDK-HMAC-SHA256 signer a GET of path
// on host with query and headers, as the SDK's client would after building
// its request, and returns the SDK's request and the Authorization it made.
// The SDK signs every header it is given (but Content-Type and names with
// '_'), so headers lists exactly what is to be signed; X-Sdk-Date among them
// fixes the time.
func sdkSign(host, path string, query url.Values, headers map[string]string) (*request.DefaultHttpRequest, string, error) {
	b := request.NewHttpRequestBuilder().WithEndpoint("https://" + host).WithMethod(http.MethodGet).WithPath(path)
	for k, v := range query {
		if len(v) == 1 {
			b.AddQueryParam(k, reflect.ValueOf(v[0]))
		} else {
			b.AddQueryParam(k, reflect.ValueOf(v))
		}
	}
	for k, v := range headers {
		b.AddHeaderParam(k, v)
	}
	req := b.Build()
	sig, err := signer.GetSigner(algorithm.HmacSHA256)
	if err != nil {
		return nil, "", err
	}
	added, err := sig.Sign(req, testAK, testSK)
	if err != nil {
		return nil, "", err
	}
	for k, v := range added {
		req.AddHeaderParam(k, v)
	}
	return req, added["Authorization"], nil
}

// (a) Over a table of requests, the official SDK's signer and the core's
// produce the same Authorization header: job ids that need escaping, paths
// that need escaping, several dates, temporary credentials, with and
// without X-Language.
func TestCoreSignerMatchesSDKSigner(t *testing.T) {
	dates := []time.Time{
		time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC),
		time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2025, 3, 4, 13, 6, 7, 0, time.FixedZone("+0800", 8*3600)), // the SDK formats in UTC too
		time.Date(2040, 2, 29, 0, 0, 0, 0, time.UTC),
	}
	jobsPath := "/v3/" + testPID + "/jobs"
	tests := []struct {
		name     string
		host     string
		path     string
		query    url.Values
		token    string
		language string
	}{
		{name: "real job id", host: "gaussdb.cn-north-4.myhuaweicloud.com", path: jobsPath, query: url.Values{"id": {testJob}}},
		{name: "real job id, language", host: "gaussdb.cn-north-4.myhuaweicloud.com", path: jobsPath, query: url.Values{"id": {testJob}}, language: "en-us"},
		{name: "temporary credentials", host: "gaussdbformysql.ap-southeast-1.myhuaweicloud.com", path: jobsPath, query: url.Values{"id": {testJob}},
			token: "gQpjbi1ub3J0aC00i4ABc+/=="},
		{name: "temporary credentials and language", host: "gaussdb-mysql.af-south-1.myhuaweicloud.com", path: jobsPath, query: url.Values{"id": {testJob}},
			token: "tok", language: "zh-cn"},
		{name: "unreserved punctuation", host: "h.example", path: jobsPath, query: url.Values{"id": {"a~b.c-d_e"}}},
		{name: "space", host: "h.example", path: jobsPath, query: url.Values{"id": {"a b"}}},
		{name: "percent", host: "h.example", path: jobsPath, query: url.Values{"id": {"100%"}}},
		{name: "slash", host: "h.example", path: jobsPath, query: url.Values{"id": {"a/b"}}},
		{name: "plus, equals, ampersand", host: "h.example", path: jobsPath, query: url.Values{"id": {"a+b=c&d"}}},
		{name: "unicode", host: "h.example", path: jobsPath, query: url.Values{"id": {"é日本語"}}},
		{name: "empty id", host: "h.example", path: jobsPath, query: url.Values{"id": {""}}},
		{name: "several keys and values", host: "h.example", path: jobsPath, query: url.Values{"id": {"b", "a"}, "limit": {"10"}, "Marker": {"x y"}}},
		{name: "path needing escapes", host: "127.0.0.1:8443", path: "/base path/é~./v3/" + testPID + "/jobs", query: url.Values{"id": {testJob}}},
		{name: "path with trailing slash", host: "h.example", path: jobsPath + "/", query: url.Values{"id": {testJob}}},
		{name: "no query", host: "h.example", path: jobsPath, query: url.Values{}},
	}
	for _, tt := range tests {
		for _, date := range dates {
			t.Run(tt.name+"/"+date.UTC().Format("20060102T150405Z"), func(t *testing.T) {
				// The core signs a net/http request.
				req, err := http.NewRequest(http.MethodGet, "https://"+tt.host+"/", nil)
				if err != nil {
					t.Fatal(err)
				}
				req.URL.Path = tt.path
				req.URL.RawQuery = tt.query.Encode()
				if tt.language != "" {
					req.Header.Set("X-Language", tt.language)
				}
				creds := sign.AKSK{AccessKey: testAK, SecretKey: testSK, SecurityToken: tt.token, ProjectID: testPID}
				if err := sign.New(creds).Sign(req, date); err != nil {
					t.Fatal(err)
				}
				core := req.Header.Get("Authorization")

				// The SDK signs the same request, given the same headers.
				headers := map[string]string{
					"Host":         tt.host,
					"X-Sdk-Date":   date.UTC().Format("20060102T150405Z"),
					"X-Project-Id": testPID,
				}
				if tt.token != "" {
					headers["X-Security-Token"] = tt.token
				}
				if tt.language != "" {
					headers["X-Language"] = tt.language
				}
				sdkReq, sdk, err := sdkSign(tt.host, tt.path, tt.query, headers)
				if err != nil {
					t.Fatal(err)
				}
				if core != sdk {
					t.Errorf("Authorization differs:\ncore %s\n SDK %s", core, sdk)
				}

				// And the request the SDK would put on the wire (its own
				// query encoding: %20, not +) verifies with the core.
				wire, err := sdkReq.ConvertRequest()
				if err != nil {
					t.Fatal(err)
				}
				if err := sign.Verify(wire, testAK, testSK, date, time.Minute); err != nil {
					t.Errorf("the SDK's wire request does not verify: %v (query %q)", err, wire.URL.RawQuery)
				}
			})
		}
	}
}

// The converse on the wire: a core Client's real requests, as a server
// receives them, get the same Authorization from the SDK's signer, given
// the headers the core signed and the date it sent.
func TestCoreClientRequestsSignedAsSDKWould(t *testing.T) {
	for _, tc := range []struct{ token, language string }{{"", ""}, {"temporary-token", "zh-cn"}} {
		var got, want string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = r.Header.Get("Authorization")
			i := strings.Index(got, "SignedHeaders=")
			if i < 0 {
				http.Error(w, "no SignedHeaders", http.StatusUnauthorized)
				return
			}
			names := strings.Split(strings.SplitN(got[i+len("SignedHeaders="):], ",", 2)[0], ";")
			headers := map[string]string{}
			for _, n := range names {
				if n == "host" {
					headers["Host"] = r.Host
				} else {
					headers[http.CanonicalHeaderKey(n)] = r.Header.Get(n)
				}
			}
			var err error
			if _, want, err = sdkSign(r.Host, r.URL.Path, r.URL.Query(), headers); err != nil {
				want = "SDK error: " + err.Error()
			}
			_, _ = io.WriteString(w, `{"job":{"id":"`+testJob+`","status":"Running","name":"x"}}`)
		}))
		c, err := taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: srv.URL, ProjectID: testPID, Language: tc.language,
			AccessKey: testAK, SecretKey: testSK, SecurityToken: tc.token, HTTPClient: srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.GetJob(context.Background(), testJob); err != nil {
			t.Fatal(err)
		}
		srv.Close()
		if got == "" || got != want {
			t.Errorf("token %q, language %q:\nclient sent %s\n  SDK makes %s", tc.token, tc.language, got, want)
		}
		wantSigned := []string{"host", "x-project-id", "x-sdk-date"}
		if tc.token != "" {
			wantSigned = append(wantSigned, "x-security-token")
		}
		if tc.language != "" {
			wantSigned = slices.Insert(wantSigned, 1, "x-language")
		}
		if !strings.Contains(got, "SignedHeaders="+strings.Join(wantSigned, ";")+",") {
			t.Errorf("client signed %s, want %v", got, wantSigned)
		}
	}
}
