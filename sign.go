package taurusjob

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/clip"
)

// AK/SK signing, the SDK-HMAC-SHA256 scheme of Huawei Cloud's API gateway
// and official SDKs. The steps, as the public signing guide states them:
//
//  1. X-Sdk-Date: the UTC time as 20060102T150405Z.
//  2. The canonical request, lines joined by "\n": the method; the path with
//     each segment URI-encoded and a "/" appended; the query with keys
//     sorted and keys and values URI-encoded; one "name:trimmed value\n"
//     line per signed header, sorted; the signed header names joined by
//     ";"; the hex SHA-256 of the body (empty for GET).
//  3. The string to sign: "SDK-HMAC-SHA256\n{date}\n{hex sha256 of 2}".
//  4. The signature: hex HMAC-SHA256 of 3, keyed by the SK.
//  5. Authorization: SDK-HMAC-SHA256 Access={AK}, SignedHeaders={names}, Signature={hex}.
//
// The official Go SDK (huaweicloud-sdk-go-v3 v0.1.207) signs every header it
// has set at signing time except Content-Type and names holding '_': for the
// get-job call that is user-agent, x-language (when set), x-project-id,
// x-sdk-date and x-security-token (temporary credentials). It does not sign
// host. The gateway recomputes the signature over whatever SignedHeaders
// lists, so the client here signs the headers that matter and nothing a
// proxy might rewrite: host (as the signing guide's example does, binding the
// signature to the endpoint), x-language, x-project-id, x-sdk-date and
// x-security-token, each when present. The huaweisdk module's tests check
// that the SDK's signer and this one agree byte for byte on identical inputs.

const (
	signAlgorithm       = "SDK-HMAC-SHA256"
	sdkDateLayout       = "20060102T150405Z"
	headerSdkDate       = "X-Sdk-Date"
	headerProjectID     = "X-Project-Id"
	headerSecurityToken = "X-Security-Token"
	headerAuthorization = "Authorization"
)

// emptyBodySHA256 is the hex SHA-256 of an empty body.
var emptyBodySHA256 = hex.EncodeToString(sha256.New().Sum(nil))

// clientSignedHeaders are the headers the client signs when the request
// has them: lower-case and sorted, as they appear in SignedHeaders.
var clientSignedHeaders = []string{"host", "x-language", "x-project-id", "x-sdk-date", "x-security-token"}

// DefaultSignatureMaxSkew is the difference between a request's X-Sdk-Date
// and the verifier's clock that [VerifySignature] accepts when given a
// maxSkew of zero or less: a generous bound for clock drift. (The gateway's
// own tolerance is not stated in the signing guide's pages at hand.)
const DefaultSignatureMaxSkew = 15 * time.Minute

// ErrBadSignature matches every error [VerifySignature] returns: a missing,
// malformed, stale or wrong SDK-HMAC-SHA256 signature.
var ErrBadSignature = errors.New("taurusjob: bad request signature")

// AKSK are the credentials of AK/SK signing, for [SignRequest]. Its String,
// GoString and Format show the access key and project only, so printing an
// AKSK with any fmt verb shows neither the secret key nor the security token.
type AKSK struct {
	AccessKey     string // the AK, sent in the Authorization header
	SecretKey     string // the SK, which keys the HMAC and is never sent
	SecurityToken string // sent as X-Security-Token with temporary credentials; "" for permanent ones
	ProjectID     string // sent as X-Project-Id; "" sends none
}

// String describes c without its secrets.
func (c AKSK) String() string {
	temp := ""
	if c.SecurityToken != "" {
		temp = ", security token redacted"
	}
	return fmt.Sprintf("taurusjob.AKSK{AccessKey: %q, SecretKey: redacted%s, ProjectID: %q}", c.AccessKey, temp, c.ProjectID)
}

// GoString is String, so that %#v shows no secret either.
func (c AKSK) GoString() string { return c.String() }

// Format prints String for every verb.
func (c AKSK) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// SignRequest signs req, a request without a body, exactly as [Client]
// signs its get-job calls: it sets X-Sdk-Date (now in UTC, to the second),
// X-Project-Id and X-Security-Token when c has them, and an SDK-HMAC-SHA256
// Authorization header over the host, X-Language (when req has it),
// X-Project-Id, X-Sdk-Date and X-Security-Token. Headers set after signing
// are not signed; changing a signed one breaks the signature.
//
// It returns an error matching [ErrInvalidInput] when c is incomplete or
// holds control characters (naming the field, never its value), when req has
// a body, or when its query cannot be parsed. It is safe for concurrent use
// on different requests.
func SignRequest(req *http.Request, c AKSK, now time.Time) error {
	s, err := newSigner(c.AccessKey, c.SecretKey, c.SecurityToken, c.ProjectID)
	if err != nil {
		return err
	}
	return s.sign(req, now)
}

// signer signs requests with SDK-HMAC-SHA256. The secret key and the
// security token live only inside closures, which fmt and other
// reflection-based printers show as addresses: a signer printed with any
// verb, directly or as a field of another value, shows no secret. Its
// String, GoString and Format describe it by its access key.
type signer struct {
	ak        string
	projectID string           // X-Project-Id; "" sends none
	token     func() string    // X-Security-Token for temporary credentials; nil for permanent ones
	mac       func() hash.Hash // a fresh HMAC-SHA256 keyed by the SK
}

// newSigner validates the credentials. Its errors name the field at fault and
// never hold a credential's value.
func newSigner(ak, sk, securityToken, projectID string) (*signer, error) {
	switch {
	case ak == "":
		return nil, invalid("access key", "is empty; AK/SK signing needs both keys")
	case sk == "":
		return nil, invalid("secret key", "is empty; AK/SK signing needs both keys")
	case hasControl(ak) || strings.ContainsAny(ak, " ,;="):
		return nil, invalid("access key", "contains control characters, spaces, ',', ';' or '='")
	case hasControl(sk):
		return nil, invalid("secret key", "contains control characters")
	case hasControl(securityToken):
		return nil, invalid("security token", "contains control characters")
	case hasControl(projectID):
		return nil, invalid("project id", "contains control characters")
	}
	s := &signer{ak: ak, projectID: projectID, mac: hmacKeyedBy(sk)}
	if securityToken != "" {
		s.token = func() string { return securityToken }
	}
	return s, nil
}

// hmacKeyedBy hides sk in a closure that makes HMAC-SHA256 hashes keyed by it.
func hmacKeyedBy(sk string) func() hash.Hash {
	key := []byte(sk)
	return func() hash.Hash { return hmac.New(sha256.New, key) }
}

// String describes the signer without its secrets.
func (s signer) String() string {
	temp := ""
	if s.token != nil {
		temp = ", temporary (security token redacted)"
	}
	return fmt.Sprintf("taurusjob.signer{access key %q, secret key redacted%s}", s.ak, temp)
}

// GoString is String, so that %#v shows no secret either.
func (s signer) GoString() string { return s.String() }

// Format prints String for every verb (%v, %+v, %#v, %s, %q, %x...).
func (s signer) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// sign sets X-Sdk-Date (from now), X-Project-Id, X-Security-Token and
// Authorization on req, a request without a body.
func (s *signer) sign(req *http.Request, now time.Time) error {
	if req.Body != nil && req.Body != http.NoBody {
		return invalid("request", "only requests without a body are signed")
	}
	date := now.UTC().Format(sdkDateLayout)
	req.Header.Set(headerSdkDate, date)
	if s.projectID != "" {
		req.Header.Set(headerProjectID, s.projectID)
	}
	if s.token != nil {
		req.Header.Set(headerSecurityToken, s.token())
	}
	var signed []string
	for _, name := range clientSignedHeaders {
		if len(headerValues(req, name)) > 0 {
			signed = append(signed, name)
		}
	}
	query, err := url.ParseQuery(req.URL.RawQuery)
	if err != nil {
		return invalid("request", "the query cannot be parsed for signing")
	}
	cr := canonicalRequest(req.Method, req.URL.Path, query, canonicalHeaders(req, signed), signed)
	req.Header.Set(headerAuthorization, fmt.Sprintf("%s Access=%s, SignedHeaders=%s, Signature=%s",
		signAlgorithm, s.ak, strings.Join(signed, ";"), signature(s.mac, date, cr)))
	return nil
}

// signature is the hex HMAC-SHA256 (newMAC holds the key) of the string to
// sign of a canonical request.
func signature(newMAC func() hash.Hash, date, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	mac := newMAC()
	mac.Write([]byte(signAlgorithm + "\n" + date + "\n" + hex.EncodeToString(sum[:])))
	return hex.EncodeToString(mac.Sum(nil))
}

// canonicalRequest joins the parts of a body-less request's canonical form.
// headers is the output of canonicalHeaders over the signed names.
func canonicalRequest(method, path string, query url.Values, headers string, signed []string) string {
	return method + "\n" +
		canonicalURI(path) + "\n" +
		canonicalQuery(query) + "\n" +
		headers + "\n" +
		strings.Join(signed, ";") + "\n" +
		emptyBodySHA256
}

// canonicalURI URI-encodes each segment of the (decoded) path and makes it
// end in "/". The "/" is for signing only: the request keeps its path.
func canonicalURI(path string) string {
	segments := strings.Split(path, "/")
	for i, seg := range segments {
		segments[i] = uriEncode(seg)
	}
	p := strings.Join(segments, "/")
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// canonicalQuery sorts the keys, and each key's values, as they are (before
// encoding, as the official SDK does), and encodes both.
func canonicalQuery(query url.Values) string {
	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		values := slices.Clone(query[k])
		slices.Sort(values)
		for _, v := range values {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(uriEncode(k))
			b.WriteByte('=')
			b.WriteString(uriEncode(v))
		}
	}
	return b.String()
}

// canonicalHeaders writes one "name:trimmed value\n" line per value of each
// signed header, in the order of signed (sorted), values sorted.
func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		values := headerValues(r, name)
		trimmed := make([]string, len(values))
		for i, v := range values {
			trimmed[i] = strings.TrimSpace(v)
		}
		slices.Sort(trimmed)
		for _, v := range trimmed {
			b.WriteString(name)
			b.WriteByte(':')
			b.WriteString(v)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// headerValues returns the values of a header by its lower-case name. The
// host is the one the request is (or was) sent to: Request.Host, else the
// URL's host.
func headerValues(r *http.Request, name string) []string {
	if name == "host" {
		host := r.Host
		if host == "" && r.URL != nil {
			host = r.URL.Host
		}
		if host == "" {
			return nil
		}
		return []string{host}
	}
	return r.Header.Values(name)
}

// uriEncode percent-encodes every byte but RFC 3986's unreserved ones
// (A-Z a-z 0-9 - _ . ~), with upper-case hex digits.
func uriEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !isUnreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	out := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			out = append(out, c)
		} else {
			out = append(out, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return string(out)
}

func isUnreserved(c byte) bool {
	return isAlnum(c) || c == '-' || c == '_' || c == '.' || c == '~'
}

// VerifySignature checks r's SDK-HMAC-SHA256 signature the way the API
// gateway does, for servers such as a fake job API. It parses the
// Authorization header, checks that it names ak, that X-Sdk-Date is within
// maxSkew of now (zero or less means [DefaultSignatureMaxSkew]), that the
// signed headers are sorted, present, and include x-sdk-date (and
// x-security-token when the request carries one), and recomputes the
// signature with sk over the request's method, decoded path (r.URL.Path),
// query and signed headers. The host header is r.Host (for a client-side
// request, r.Host or else r.URL.Host). Only requests without a body are
// verified.
//
// It returns nil for a good signature, else an error matching
// [ErrBadSignature] that says what is wrong. No error ever holds sk, the
// expected signature or the security token.
func VerifySignature(r *http.Request, ak, sk string, now time.Time, maxSkew time.Duration) error {
	if maxSkew <= 0 {
		maxSkew = DefaultSignatureMaxSkew
	}
	if ak == "" || sk == "" {
		return badSignature("the verifier has no access key or secret key")
	}
	access, signed, sig, err := parseAuthorization(r.Header.Values(headerAuthorization))
	if err != nil {
		return err
	}
	if access != ak {
		return badSignature("the Authorization header names another access key")
	}
	dates := r.Header.Values(headerSdkDate)
	if len(dates) != 1 {
		return badSignature("the request needs exactly one X-Sdk-Date header, it has %d", len(dates))
	}
	t, err := time.Parse(sdkDateLayout, dates[0])
	if err != nil || t.Format(sdkDateLayout) != dates[0] {
		return badSignature("X-Sdk-Date %q is not of the form 20060102T150405Z", clip.Text(dates[0], 40))
	}
	if skew := now.Sub(t); skew > maxSkew || skew < -maxSkew {
		return badSignature("X-Sdk-Date %s is %s away from the verifier's clock, more than the %s allowed",
			dates[0], skew.Abs().Round(time.Second), maxSkew)
	}
	if err := checkSignedHeaders(r, signed); err != nil {
		return err
	}
	if r.ContentLength != 0 {
		return badSignature("only requests without a body are verified")
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return badSignature("the query cannot be parsed")
	}
	cr := canonicalRequest(r.Method, r.URL.Path, query, canonicalHeaders(r, signed), signed)
	if !hmac.Equal([]byte(signature(hmacKeyedBy(sk), dates[0], cr)), []byte(sig)) {
		return badSignature("the signature does not match the request (method, path, query, signed headers or secret key differ)")
	}
	return nil
}

func badSignature(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadSignature, fmt.Sprintf(format, args...))
}

// parseAuthorization reads
// "SDK-HMAC-SHA256 Access={AK}, SignedHeaders={a;b}, Signature={hex}".
func parseAuthorization(values []string) (access string, signed []string, sig string, err error) {
	if len(values) != 1 {
		return "", nil, "", badSignature("the request needs exactly one Authorization header, it has %d", len(values))
	}
	rest, ok := strings.CutPrefix(values[0], signAlgorithm+" ")
	if !ok {
		return "", nil, "", badSignature("the Authorization header is not of the %s scheme", signAlgorithm)
	}
	parts := strings.Split(rest, ", ")
	want := []string{"Access=", "SignedHeaders=", "Signature="}
	if len(parts) != len(want) {
		return "", nil, "", badSignature("the Authorization header must hold Access, SignedHeaders and Signature, in that order")
	}
	for i, p := range parts {
		v, ok := strings.CutPrefix(p, want[i])
		if !ok || v == "" {
			return "", nil, "", badSignature("the Authorization header must hold Access, SignedHeaders and Signature, in that order")
		}
		parts[i] = v
	}
	if len(parts[2]) != sha256.Size*2 || strings.Trim(parts[2], "0123456789abcdef") != "" {
		return "", nil, "", badSignature("the signature is not 64 lower-case hex digits")
	}
	return parts[0], strings.Split(parts[1], ";"), parts[2], nil
}

// checkSignedHeaders checks the SignedHeaders list: lower-case names,
// strictly sorted, each present, x-sdk-date among them, and x-security-token
// among them when the request carries one.
func checkSignedHeaders(r *http.Request, signed []string) error {
	for i, name := range signed {
		if name == "" || name != strings.ToLower(name) || strings.ContainsAny(name, " :,") {
			return badSignature("SignedHeaders holds %q, not a lower-case header name", clip.Text(name, 64))
		}
		if i > 0 && signed[i-1] >= name {
			return badSignature("SignedHeaders is not sorted or repeats a name")
		}
		if name == "authorization" {
			return badSignature("SignedHeaders must not list authorization")
		}
		if len(headerValues(r, name)) == 0 {
			return badSignature("SignedHeaders lists %s, which the request does not carry", clip.Text(name, 64))
		}
	}
	if !slices.Contains(signed, "x-sdk-date") {
		return badSignature("SignedHeaders must list x-sdk-date")
	}
	if len(r.Header.Values(headerSecurityToken)) > 0 && !slices.Contains(signed, "x-security-token") {
		return badSignature("the request carries X-Security-Token but does not sign it")
	}
	return nil
}
