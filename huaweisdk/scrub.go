package huaweisdk

import (
	"encoding/json"
	"errors"
	"regexp"
	"sync"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/redact"
)

// signatures finds what looks like a request signature, for one the
// recorder did not see (signed by a credential type it does not wrap, or
// pushed out of its ring): a 64-digit hex run is a SHA-256, and
// "Signature=" marks a piece of one.
var signatures = regexp.MustCompile(`(?i)signature=[0-9a-f]+|[0-9a-fA-F]{64}`)

// scrubber replaces, in server text, the SDK client's credentials (access
// key, secret key, security token, in any form internal/redact knows) and
// anything that looks like a request signature. It rebuilds its set when
// the credentials change (the SDK refreshes a security token).
type scrubber struct {
	cred       auth.ICredential
	signatures *signatureRecorder // nil: signatures are found by their shape only
	mu         sync.Mutex
	key        [3]string
	set        *redact.Set
}

// credentials returns the access key, secret key and security token of
// the SDK's credential types that carry them.
func credentials(c auth.ICredential) [3]string {
	switch c := c.(type) {
	case *auth.BasicCredentials:
		return [3]string{c.AK, c.SK, c.SecurityToken}
	case *auth.GlobalCredentials:
		return [3]string{c.AK, c.SK, c.SecurityToken}
	}
	return [3]string{}
}

func (s *scrubber) secrets() redact.Sets {
	key := credentials(s.cred)
	s.mu.Lock()
	if s.set == nil || key != s.key {
		s.key, s.set = key, redact.New(key[:]...)
	}
	sets := redact.Sets{s.set}
	s.mu.Unlock()
	if s.signatures != nil {
		sets = append(sets, s.signatures.secrets()...)
	}
	return sets
}

// text scrubs one server text.
func (s *scrubber) text(t string) string {
	return signatures.ReplaceAllLiteralString(s.secrets().Scrub(t), redact.Marker)
}

// json scrubs a JSON re-encoding made by encoding/json (RDS's entities):
// every secret, raw or escaped, as the core scrubs a body (redact's
// ScrubJSON), then each string that, decoded, holds a signature's shape
// is written again from its scrubbed text. A valid body of strings stays
// valid.
func (s *scrubber) json(b []byte) []byte {
	b = s.secrets().ScrubJSON(b)
	var out []byte // nil until a string changes
	last := 0
	for i := 0; i < len(b); i++ {
		if b[i] != '"' {
			continue
		}
		end := i + 1
		for end < len(b) && b[end] != '"' {
			if b[end] == '\\' {
				end++
			}
			end++
		}
		end = min(end+1, len(b))
		var t string
		if tok := b[i:end]; json.Unmarshal(tok, &t) == nil {
			if scrubbed := s.text(t); scrubbed != t {
				enc, _ := json.Marshal(scrubbed) // a string always encodes
				out = append(append(out, b[last:i]...), enc...)
				last = end
			}
		}
		i = end - 1
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// error scrubs the text of every error GetJob returns: the fields of an
// *APIError; the cause of a *TransportError or any other error, replaced
// by a scrubbed copy of its text when that text holds a secret.
func (s *scrubber) error(err error) error {
	var ae *taurusjob.APIError
	var te *taurusjob.TransportError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ae) && ae == err:
		ae.Code, ae.Message, ae.RequestID = s.text(ae.Code), s.text(ae.Message), s.text(ae.RequestID)
		return ae
	case errors.As(err, &te) && te == err:
		if text := te.Err.Error(); s.text(text) != text {
			te.Err = errors.New(s.text(text))
		}
		return te
	}
	if text := err.Error(); s.text(text) != text {
		return errors.New(s.text(text))
	}
	return err
}
