package taurusjob

import (
	"errors"
	"net/http"
	"strings"

	"github.com/taurusdb-tools/taurusjob/internal/redact"
)

// secrets returns what must never reach a caller from req's exchange: the
// client's credentials (built once), and the signature req carries. A
// secret counts as shown when any 12-byte piece of it shows, raw or
// escaped or base64-encoded (see internal/redact). Call done once the
// exchange is over and nothing holds the Sets any more.
func (c *Client) secrets(req *http.Request) (sets redact.Sets, done func()) {
	c.mu.Lock()
	sets = c.known
	c.mu.Unlock()
	if auth := req.Header.Get("Authorization"); auth != "" {
		if _, sig, ok := strings.Cut(auth, "Signature="); ok {
			// A signature is fresh for each request: its Set is built for
			// this one and its memory reused by the next.
			own := redact.New(sig)
			return append(sets[:len(sets):len(sets)], own), own.Release
		}
	}
	return sets, func() {}
}

// cutSecretStart drops the end of a body cut by the size limit when that
// end is the start of a secret: the rest of the secret was cut off, so
// scrub cannot recognise what is left. Only the very end can hold a cut
// secret, so one pass is enough, and its cost does not grow with the body.
func cutSecretStart(body []byte, secrets []string) []byte {
	for _, s := range secrets {
		for n := min(len(s)-1, len(body)); n > 0; n-- {
			if string(body[len(body)-n:]) == s[:n] {
				body = body[:len(body)-n]
				break
			}
		}
	}
	return body
}

// redactError removes secrets from an error's text, in case a hostile or
// buggy server echoes one: in a body, a header, or a malformed answer that
// the transport quotes. Each field is scrubbed whole, so a secret split
// across two fields loses every 12-byte piece in each.
func redactError(err error, secrets redact.Sets) error {
	switch e := err.(type) {
	case *APIError:
		e.Code = secrets.Scrub(e.Code)
		e.Message = secrets.Scrub(e.Message)
		e.RequestID = secrets.Scrub(e.RequestID)
	case *TransportError:
		if text := e.Err.Error(); secrets.Contains(text) {
			// The cause's own text holds the secret: keep only a scrubbed copy.
			e.Err = errors.New(secrets.Scrub(text))
		}
	}
	return err
}
