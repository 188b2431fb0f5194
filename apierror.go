package taurusjob

import (
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/clip"
	"github.com/taurusdb-tools/taurusjob/internal/redact"
)

// noSuchAPICodes are the API gateway's codes for a path where no API is
// published: the endpoint is wrong (a path such as "/v3", another service's
// host), not the job. "APIG.0101" is the dedicated gateway's spelling.
var noSuchAPICodes = []string{"APIGW.0101", "APIG.0101"}

// noSuchAPI reports a 404 that says the API itself does not exist.
func noSuchAPI(err error) bool {
	ae, ok := errors.AsType[*APIError](err)
	return ok && ae != nil && ae.StatusCode == http.StatusNotFound && slices.Contains(noSuchAPICodes, ae.Code)
}

// hint says what to check for an answer that retrying cannot fix, "" for
// others.
func (e *APIError) hint() string {
	switch {
	case e.StatusCode == http.StatusNotFound && slices.Contains(noSuchAPICodes, e.Code):
		return "the endpoint serves no such API: check the endpoint (a host without a path such as /v3), the service and the region"
	case e.StatusCode == http.StatusUnauthorized:
		return "check the credentials: the token's project (it must be the client's project) and scope, or the access key pair"
	case e.StatusCode == http.StatusForbidden:
		return "check the IAM policy of the user (it must allow reading the service's jobs), and the token's project and scope"
	}
	return ""
}

// maxMessageLen bounds the message kept from an error body.
const maxMessageLen = 512

// maxRetryAfter bounds a Retry-After header; the waiter caps it further by
// its max interval and the time left.
const maxRetryAfter = 24 * time.Hour

// apiErrorFrom builds the error for a non-2xx answer, whatever its body:
// the API's {"error_code","error_msg"}, another JSON shape, an HTML page
// from a gateway, or nothing. Each secret is replaced in the decoded text
// before it is clipped, so that neither an escaped secret (JSON "\/" or
// "\u0053", an HTML entity) nor a piece cut by the clip survives.
func apiErrorFrom(resp *http.Response, body []byte, tooBig bool, sets ...*redact.Set) *APIError {
	secrets := redact.Sets(sets)
	// Scrubbed again after the clip: it turns control characters into
	// spaces, which could join the pieces of a secret that holds a space.
	clean := func(s string, n int) string { return secrets.Scrub(clip.Text(secrets.Scrub(s), n)) }
	e := &APIError{
		StatusCode: resp.StatusCode,
		RequestID:  clean(resp.Header.Get("X-Request-Id"), 128),
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
	if e.RequestID == "" {
		// The API gateway's own answers (401, 403, 429) carry it in the body.
		e.RequestID = clean(bodyRequestID(body), 128)
	}
	code, msg := rawErrorBodyFields(body)
	e.Code, e.Message = clean(code, 64), clean(msg, maxMessageLen)
	if e.Message == "" && e.Code == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		if loc := resp.Header.Get("Location"); loc != "" {
			e.Message = "redirect not followed: credentials are never sent to another host"
		}
	}
	if tooBig {
		e.Message += " (body over the size limit, cut)"
	}
	return e
}

// errorBodyFields finds a code and a message in an error body, clipped.
func errorBodyFields(body []byte) (code, msg string) {
	code, msg = rawErrorBodyFields(body)
	return clip.Text(code, 64), clip.Text(msg, maxMessageLen)
}

// rawErrorBodyFields finds a code and a message in an error body: decoded
// (JSON strings unescaped, HTML entities of a title resolved) but not
// clipped.
func rawErrorBodyFields(body []byte) (code, msg string) {
	trimmed := strings.TrimSpace(string(body))
	if trimmed == "" {
		return "", ""
	}
	if trimmed[0] == '{' {
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(trimmed), &m) == nil {
			// {"error": {"code": ..., "message": ...}} as some gateways send.
			if inner, ok := m["error"]; ok && strings.HasPrefix(strings.TrimSpace(string(inner)), "{") {
				var im map[string]json.RawMessage
				if json.Unmarshal(inner, &im) == nil {
					m = im
				}
			}
			code = firstField(m, "error_code", "code", "errorCode")
			msg = firstField(m, "error_msg", "error_message", "message", "msg", "errorMessage")
			if code != "" || msg != "" {
				return code, msg
			}
		}
	}
	if strings.HasPrefix(trimmed, "<") {
		if t := htmlTitle.FindStringSubmatch(trimmed); t != nil {
			return "", "gateway page: " + strings.TrimSpace(html.UnescapeString(t[1]))
		}
		return "", "gateway page without a title"
	}
	return "", "body: " + trimmed
}

// bodyRequestID returns the "request_id" of a JSON error body, or "".
func bodyRequestID(body []byte) string {
	var m struct {
		RequestID json.RawMessage `json:"request_id"`
	}
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	return jsonString(m.RequestID)
}

var htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

func firstField(m map[string]json.RawMessage, names ...string) string {
	for _, n := range names {
		if s := jsonString(m[n]); s != "" {
			return s
		}
	}
	return ""
}

// parseRetryAfter reads delay-seconds or an HTTP date. Absent, malformed,
// negative and past values give 0; a huge one is capped at maxRetryAfter.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if secs <= 0 { // ParseInt gives math.MinInt64 for a huge negative
			return 0
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d <= 0 {
			return 0
		}
		return min(d, maxRetryAfter)
	}
	return 0
}
