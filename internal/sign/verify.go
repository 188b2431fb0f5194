package sign

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/clip"
)

// DefaultMaxSkew is the difference between a request's X-Sdk-Date and the
// verifier's clock that [Verify] accepts when given a maxSkew of zero or
// less: a generous bound for clock drift. (The gateway's own tolerance is
// not stated in the signing guide's pages at hand.)
const DefaultMaxSkew = 15 * time.Minute

// ErrBad matches every error [Verify] returns: a missing, malformed, stale
// or wrong SDK-HMAC-SHA256 signature.
var ErrBad = errors.New("sign: bad request signature")

// Verify checks r's SDK-HMAC-SHA256 signature the way the API gateway does,
// for servers such as the fake job API. It parses the Authorization header,
// checks that it names ak, that X-Sdk-Date is within maxSkew of now (zero
// or less means [DefaultMaxSkew]), that the signed headers are sorted,
// present, and include x-sdk-date (and x-security-token when the request
// carries one), and recomputes the signature with sk over the request's
// method, decoded path (r.URL.Path), query and signed headers. The host
// header is r.Host (for a client-side request, r.Host or else r.URL.Host).
// Only requests without a body are verified.
//
// It returns nil for a good signature, else an error matching [ErrBad] that
// says what is wrong. No error ever holds sk, the expected signature or the
// security token.
func Verify(r *http.Request, ak, sk string, now time.Time, maxSkew time.Duration) error {
	if maxSkew <= 0 {
		maxSkew = DefaultMaxSkew
	}
	if ak == "" || sk == "" {
		return bad("the verifier has no access key or secret key")
	}
	access, signed, sig, err := parseAuthorization(r.Header.Values(headerAuthorization))
	if err != nil {
		return err
	}
	if access != ak {
		return bad("the Authorization header names another access key")
	}
	dates := r.Header.Values(headerSdkDate)
	if len(dates) != 1 {
		return bad("the request needs exactly one X-Sdk-Date header, it has %d", len(dates))
	}
	t, err := time.Parse(dateLayout, dates[0])
	if err != nil || t.Format(dateLayout) != dates[0] {
		return bad("X-Sdk-Date %q is not of the form 20060102T150405Z", clip.Text(dates[0], 40))
	}
	if skew := now.Sub(t); skew > maxSkew || skew < -maxSkew {
		return bad("X-Sdk-Date %s is %s away from the verifier's clock, more than the %s allowed",
			dates[0], skew.Abs().Round(time.Second), maxSkew)
	}
	if err := checkSignedHeaders(r, signed); err != nil {
		return err
	}
	if r.ContentLength != 0 {
		return bad("only requests without a body are verified")
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return bad("the query cannot be parsed")
	}
	cr := canonicalRequest(r.Method, r.URL.Path, query, canonicalHeaders(r, signed), signed)
	if !hmac.Equal([]byte(signature(hmacKeyedBy(sk), dates[0], cr)), []byte(sig)) {
		return bad("the signature does not match the request (method, path, query, signed headers or secret key differ)")
	}
	return nil
}

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBad, fmt.Sprintf(format, args...))
}

// parseAuthorization reads
// "SDK-HMAC-SHA256 Access={AK}, SignedHeaders={a;b}, Signature={hex}".
func parseAuthorization(values []string) (access string, signed []string, sig string, err error) {
	if len(values) != 1 {
		return "", nil, "", bad("the request needs exactly one Authorization header, it has %d", len(values))
	}
	rest, ok := strings.CutPrefix(values[0], algorithm+" ")
	if !ok {
		return "", nil, "", bad("the Authorization header is not of the %s scheme", algorithm)
	}
	parts := strings.Split(rest, ", ")
	want := []string{"Access=", "SignedHeaders=", "Signature="}
	if len(parts) != len(want) {
		return "", nil, "", bad("the Authorization header must hold Access, SignedHeaders and Signature, in that order")
	}
	for i, p := range parts {
		v, ok := strings.CutPrefix(p, want[i])
		if !ok || v == "" {
			return "", nil, "", bad("the Authorization header must hold Access, SignedHeaders and Signature, in that order")
		}
		parts[i] = v
	}
	if len(parts[2]) != sha256.Size*2 || strings.Trim(parts[2], "0123456789abcdef") != "" {
		return "", nil, "", bad("the signature is not 64 lower-case hex digits")
	}
	return parts[0], strings.Split(parts[1], ";"), parts[2], nil
}

// checkSignedHeaders checks the SignedHeaders list: lower-case names,
// strictly sorted, each present, x-sdk-date among them, and x-security-token
// among them when the request carries one.
func checkSignedHeaders(r *http.Request, signed []string) error {
	for i, name := range signed {
		if name == "" || name != strings.ToLower(name) || strings.ContainsAny(name, " :,") {
			return bad("SignedHeaders holds %q, not a lower-case header name", clip.Text(name, 64))
		}
		if i > 0 && signed[i-1] >= name {
			return bad("SignedHeaders is not sorted or repeats a name")
		}
		if name == "authorization" {
			return bad("SignedHeaders must not list authorization")
		}
		if len(headerValues(r, name)) == 0 {
			return bad("SignedHeaders lists %s, which the request does not carry", clip.Text(name, 64))
		}
	}
	if !slices.Contains(signed, "x-sdk-date") {
		return bad("SignedHeaders must list x-sdk-date")
	}
	if len(r.Header.Values(headerSecurityToken)) > 0 && !slices.Contains(signed, "x-security-token") {
		return bad("the request carries X-Security-Token but does not sign it")
	}
	return nil
}
