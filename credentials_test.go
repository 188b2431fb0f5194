package taurusjob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
	"github.com/taurusdb-tools/taurusjob/internal/sign"
)

// AK/SK credentials as NewClient checks them and the Client signs with
// them; the signing itself is tested in internal/sign.
const (
	akskPID      = "0123456789abcdef0123456789abcdef"
	akskAK       = "KATACCESSKEY0000"
	akskSK       = "kat-secret-key"
	akskEndpoint = "https://gaussdb.cn-north-4.myhuaweicloud.com"
)

func TestNewClientValidatesAKSK(t *testing.T) {
	const sk = "Sup3r-SECRET-key-Value"
	tests := []struct {
		name, ak, sk, token, field string
	}{
		{"no AK", "", sk, "", "access key"},
		{"no SK", akskAK, "", "", "secret key"},
		{"AK with newline", akskAK + "\n", sk, "", "access key"},
		{"AK with comma", akskAK + ",x", sk, "", "access key"},
		{"AK with space", akskAK + " x", sk, "", "access key"},
		{"SK with NUL", akskAK, sk + "\x00" + sk, "", "secret key"},
		{"SK with DEL", akskAK, "\x7f" + sk, "", "secret key"},
		{"token with CR", akskAK, sk, "TOKEN-VALUE\rTOKEN-VALUE", "security token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewClient(ClientConfig{Endpoint: akskEndpoint, ProjectID: akskPID,
				AccessKey: tt.ak, SecretKey: tt.sk, SecurityToken: tt.token})
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != tt.field || !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("err = %v, want an *InputError for %q", err, tt.field)
			}
			if strings.Contains(err.Error(), sk) || strings.Contains(err.Error(), "TOKEN-VALUE") {
				t.Errorf("error shows a secret: %v", err)
			}
		})
	}
}

// A user relies on the SK never being printed: not by an error, nor by any
// fmt verb applied to the Client or to the signer it holds.
func TestSecretKeyNeverPrinted(t *testing.T) {
	const sk = "Sup3r-SECRET-key-Value"
	const token = "Temp-SECURITY-token-Value"
	client, err := NewClient(ClientConfig{
		Endpoint: akskEndpoint, ProjectID: akskPID,
		AccessKey: akskAK, SecretKey: sk, SecurityToken: token,
	})
	if err != nil {
		t.Fatal(err)
	}
	s := client.signer
	type holder struct{ S sign.Signer } // a signer held by value, printed by reflection
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		outputs = append(outputs,
			fmt.Sprintf(verb, s), fmt.Sprintf(verb, *s), fmt.Sprintf(verb, holder{*s}),
			fmt.Sprintf(verb, client))
	}
	for i, out := range outputs {
		// Printed in hex by %x and %X too: a piece of those counts.
		secretcheck.Assert(t, fmt.Sprintf("output %d", i), out, sk, token, fmt.Sprintf("%x", sk), fmt.Sprintf("%X", sk))
	}

	// Input errors about the SK name the field, not the value.
	for _, bad := range []string{sk + "\n", "\x01" + sk, "bad\x00" + sk} {
		_, err := NewClient(ClientConfig{
			Endpoint: akskEndpoint, ProjectID: akskPID,
			AccessKey: akskAK, SecretKey: bad,
		})
		if !errors.Is(err, ErrInvalidInput) || strings.Contains(err.Error(), sk) || !strings.Contains(err.Error(), "secret key") {
			t.Errorf("NewClient with a bad SK: err = %v; want one naming the secret key but not showing it", err)
		}
	}
}

// A request the signer refuses reaches GetJob's caller as the InputError
// about the request it always was, with the same words, not as
// internal/sign's own error type.
func TestSignRefusalIsAnInputError(t *testing.T) {
	c, err := NewClient(ClientConfig{Endpoint: akskEndpoint, ProjectID: akskPID, AccessKey: akskAK, SecretKey: akskSK})
	if err != nil {
		t.Fatal(err)
	}
	withBody, _ := http.NewRequest(http.MethodPost, akskEndpoint+"/", strings.NewReader("{}"))
	badQuery, _ := http.NewRequest(http.MethodGet, akskEndpoint+"/?id=%zz", nil)
	for _, tt := range []struct {
		req  *http.Request
		want string
	}{
		{withBody, "taurusjob: invalid request: only requests without a body are signed"},
		{badQuery, "taurusjob: invalid request: the query cannot be parsed for signing"},
	} {
		err := c.authorize(context.Background(), tt.req, "")
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != "request" || !errors.Is(err, ErrInvalidInput) || err.Error() != tt.want {
			t.Errorf("err = %v (%T), want the InputError %q", err, err, tt.want)
		}
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
				if err := sign.Verify(r, akskAK, akskSK, time.Now(), time.Minute); err != nil {
					http.Error(w, `{"error_code":"APIGW.0301","error_msg":"`+err.Error()+`"}`, http.StatusUnauthorized)
					return
				}
				_, _ = io.WriteString(w, `{"job":{"id":"`+jobID+`","name":"CreateGaussDBforMySQLInstance","status":"Running","process":"60%"}}`)
			}))
			defer srv.Close()
			c, err := NewClient(ClientConfig{Endpoint: srv.URL, ProjectID: akskPID, Language: language,
				AccessKey: akskAK, SecretKey: akskSK, SecurityToken: token, HTTPClient: srv.Client()})
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
			if got := seen.Get("X-Project-Id"); got != akskPID {
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

// TestOversizedCredentialsRefused: a token over 64 KiB (given as Token or
// returned by the TokenSource), an access or secret key over 256 bytes and
// a security token over 64 KiB are refused as ErrInvalidInput, before any
// redaction table is built (about 270 bytes a secret byte: 288 MiB for a
// 1 MiB token) and before any request. The bounds themselves are accepted.
func TestOversizedCredentialsRefused(t *testing.T) {
	srv := okServer(t)
	big := func(n int) string { return strings.Repeat("A", n) }
	for _, tc := range []struct {
		name  string
		edit  func(*ClientConfig)
		field string
	}{
		{"token of 64 KiB + 1", func(c *ClientConfig) { c.Token = big(64<<10 + 1) }, "token"},
		{"token of 1 MiB", func(c *ClientConfig) { c.Token = big(1 << 20) }, "token"},
		{"access key of 257 bytes", func(c *ClientConfig) { c.Token, c.AccessKey, c.SecretKey = "", big(257), sentinelSK }, "access key"},
		{"secret key of 257 bytes", func(c *ClientConfig) { c.Token, c.AccessKey, c.SecretKey = "", sentinelAK, big(257) }, "secret key"},
		{"security token of 64 KiB + 1", func(c *ClientConfig) {
			c.Token, c.AccessKey, c.SecretKey, c.SecurityToken = "", sentinelAK, sentinelSK, big(64<<10+1)
		}, "security token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ClientConfig{Endpoint: srv.URL, ProjectID: testProjectID, Token: testToken}
			tc.edit(&cfg)
			c, err := NewClient(cfg)
			if c != nil {
				t.Errorf("NewClient returned a client")
			}
			checkInvalid(t, err, tc.field)
		})
	}
	t.Run("token source answer of 1 MiB", func(t *testing.T) {
		c := newTestClient(t, srv.URL, func(c *ClientConfig) {
			c.Token, c.TokenSource = "", func(context.Context) (string, error) { return big(1 << 20), nil }
		})
		var ms1, ms2 runtime.MemStats
		runtime.ReadMemStats(&ms1)
		_, err := c.GetJob(context.Background(), testJobID)
		runtime.ReadMemStats(&ms2)
		checkInvalid(t, err, "token")
		if grew := ms2.TotalAlloc - ms1.TotalAlloc; grew > 16<<20 {
			t.Errorf("refusing a 1 MiB token allocated %d MiB; want no redaction table built", grew>>20)
		}
	})
	t.Run("at the bounds", func(t *testing.T) {
		for _, edit := range []func(*ClientConfig){
			func(c *ClientConfig) { c.Token = big(64 << 10) },
			func(c *ClientConfig) {
				c.Token, c.AccessKey, c.SecretKey, c.SecurityToken = "", big(256), big(256), big(64<<10)
			},
		} {
			cfg := ClientConfig{Endpoint: srv.URL, ProjectID: testProjectID, Token: testToken}
			edit(&cfg)
			if _, err := NewClient(cfg); err != nil {
				t.Errorf("NewClient at the bounds: %v", err)
			}
		}
	})
	if n := srv.requests(); n != 0 {
		t.Errorf("server got %d requests", n)
	}
}
