package sign

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	algorithm           = "SDK-HMAC-SHA256"
	dateLayout          = "20060102T150405Z"
	headerSdkDate       = "X-Sdk-Date"
	headerProjectID     = "X-Project-Id"
	headerSecurityToken = "X-Security-Token"
	headerAuthorization = "Authorization"
)

// signedHeaders are the headers a Signer signs when the request has them:
// lower-case and sorted, as they appear in SignedHeaders.
var signedHeaders = []string{"host", "x-language", "x-project-id", "x-sdk-date", "x-security-token"}

// AKSK are the credentials of AK/SK signing. Its String, GoString and
// Format show the access key and project only, so printing an AKSK with any
// fmt verb shows neither the secret key nor the security token, and it
// refuses to be encoded as JSON. fmt cannot call those methods on an
// unexported field of another struct: keep an AKSK only long enough to
// build a Signer (New), which holds the secrets in closures.
type AKSK struct {
	AccessKey     string // the AK, sent in the Authorization header
	SecretKey     string // the SK, which keys the HMAC and is never sent
	SecurityToken string // sent as X-Security-Token with temporary credentials; "" for permanent ones
	ProjectID     string // sent as X-Project-Id; "" sends none
}

// MarshalJSON refuses: credentials have no business in a JSON document.
func (c AKSK) MarshalJSON() ([]byte, error) {
	return nil, errors.New("sign: AK/SK credentials are not encoded")
}

// String describes c without its secrets.
func (c AKSK) String() string {
	temp := ""
	if c.SecurityToken != "" {
		temp = ", security token redacted"
	}
	return fmt.Sprintf("sign.AKSK{AccessKey: %q, SecretKey: redacted%s, ProjectID: %q}", c.AccessKey, temp, c.ProjectID)
}

// GoString is String, so that %#v shows no secret either.
func (c AKSK) GoString() string { return c.String() }

// Format prints String for every verb.
func (c AKSK) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// Signer signs requests with SDK-HMAC-SHA256. The secret key and the
// security token live only inside closures, which fmt and other
// reflection-based printers show as addresses: a Signer printed with any
// verb, directly or as a field of another value, shows no secret. Its
// String, GoString and Format describe it by its access key. It is safe for
// concurrent use on different requests.
type Signer struct {
	ak        string
	projectID string           // X-Project-Id; "" sends none
	token     func() string    // X-Security-Token for temporary credentials; nil for permanent ones
	mac       func() hash.Hash // a fresh HMAC-SHA256 keyed by the SK
}

// New returns a Signer of c. It checks nothing: the caller validates the
// credentials first, in its own words (the root package's NewClient
// refuses empty keys and control characters with an InputError), since an
// access key holding ", " or a line break would make a malformed header.
func New(c AKSK) *Signer {
	s := &Signer{ak: c.AccessKey, projectID: c.ProjectID, mac: hmacKeyedBy(c.SecretKey)}
	if token := c.SecurityToken; token != "" {
		s.token = func() string { return token }
	}
	return s
}

// hmacKeyedBy hides sk in a closure that makes HMAC-SHA256 hashes keyed by it.
func hmacKeyedBy(sk string) func() hash.Hash {
	key := []byte(sk)
	return func() hash.Hash { return hmac.New(sha256.New, key) }
}

// String describes the signer without its secrets.
func (s Signer) String() string {
	temp := ""
	if s.token != nil {
		temp = ", temporary (security token redacted)"
	}
	return fmt.Sprintf("sign.Signer{access key %q, secret key redacted%s}", s.ak, temp)
}

// GoString is String, so that %#v shows no secret either.
func (s Signer) GoString() string { return s.String() }

// Format prints String for every verb (%v, %+v, %#v, %s, %q, %x...).
func (s Signer) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// RequestError is a request Sign cannot sign: one with a body, or with a
// query that does not parse. Reason describes the request only, never a
// credential, so that the root package can pass it on as its own
// InputError about the request.
type RequestError struct {
	Reason string
}

func (e *RequestError) Error() string { return "sign: cannot sign the request: " + e.Reason }

// Sign sets X-Sdk-Date (now in UTC, to the second), X-Project-Id and
// X-Security-Token when the Signer has them, and an SDK-HMAC-SHA256
// Authorization header over the host, X-Language (when req has it),
// X-Project-Id, X-Sdk-Date and X-Security-Token. Headers set after signing
// are not signed; changing a signed one breaks the signature. Only requests
// without a body are signed; any error is a *RequestError.
func (s *Signer) Sign(req *http.Request, now time.Time) error {
	if req.Body != nil && req.Body != http.NoBody {
		return &RequestError{Reason: "only requests without a body are signed"}
	}
	date := now.UTC().Format(dateLayout)
	req.Header.Set(headerSdkDate, date)
	if s.projectID != "" {
		req.Header.Set(headerProjectID, s.projectID)
	}
	if s.token != nil {
		req.Header.Set(headerSecurityToken, s.token())
	}
	var signed []string
	for _, name := range signedHeaders {
		if len(headerValues(req, name)) > 0 {
			signed = append(signed, name)
		}
	}
	query, err := url.ParseQuery(req.URL.RawQuery)
	if err != nil {
		return &RequestError{Reason: "the query cannot be parsed for signing"}
	}
	cr := canonicalRequest(req.Method, req.URL.Path, query, canonicalHeaders(req, signed), signed)
	req.Header.Set(headerAuthorization, fmt.Sprintf("%s Access=%s, SignedHeaders=%s, Signature=%s",
		algorithm, s.ak, strings.Join(signed, ";"), signature(s.mac, date, cr)))
	return nil
}
