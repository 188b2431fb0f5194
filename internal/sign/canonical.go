package sign

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The canonical request: what both the Signer and Verify hash, so that the
// two cannot disagree on it.

// emptyBodySHA256 is the hex SHA-256 of an empty body.
var emptyBodySHA256 = hex.EncodeToString(sha256.New().Sum(nil))

// signature is the hex HMAC-SHA256 (newMAC holds the key) of the string to
// sign of a canonical request.
func signature(newMAC func() hash.Hash, date, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	mac := newMAC()
	mac.Write([]byte(algorithm + "\n" + date + "\n" + hex.EncodeToString(sum[:])))
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

// isUnreserved reports RFC 3986's unreserved characters: ASCII letters and
// digits, '-', '_', '.' and '~'.
func isUnreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}
