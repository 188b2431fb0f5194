package taurusjob

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/taurusdb-tools/taurusjob/internal/jobid"
)

// A state token reads "tjs1.PAYLOAD.SUM": the magic "tjs" and the format
// version, the state as base64url JSON, and the first 128 bits of an
// HMAC-SHA256 of "tjs1.PAYLOAD" as base64url.
//
// What the sum protects: with the default key, which is public, it catches
// a token cut short, a flipped byte, a hand edit, a token of another
// program: any of these gives an error, never a wait on wrong values. It
// does not stop someone who means to forge a token and reads this source.
// With [WithStateKey] and a secret key it does: a token can then only be
// made by holders of the key.
const (
	stateMagic   = "tjs"
	stateVersion = 1
	stateSumLen  = 16
)

// minStateKeyLen is the shortest key [WithStateKey] accepts: 128 bits.
const minStateKeyLen = 16

// defaultStateKey keys the sum when no [WithStateKey] is given. It is
// public: it detects accidents, not forgers.
var defaultStateKey = []byte("taurusjob wait state token, v1")

// WithStateKey authenticates state tokens ([OnState], [Waiter.Resume])
// with HMAC-SHA256 under key, at least 16 bytes. A token
// made under one key is refused under another. Without it a public key is
// used, which detects corrupted and edited tokens but not deliberate
// forgery; use a secret key when tokens are stored where others can write.
// key is copied.
func WithStateKey(key []byte) Option {
	return optionFunc(func(c *config) {
		if len(key) < minStateKeyLen {
			c.fail("WithStateKey: the key is %d bytes; need at least %d", len(key), minStateKeyLen)
			return
		}
		c.state.key = bytes.Clone(key)
	})
}

func stateHead() string { return stateMagic + strconv.Itoa(stateVersion) }

func stateSum(key []byte, signed string) string {
	if key == nil {
		key = defaultStateKey
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(signed))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:stateSumLen])
}

// encodeState makes a token of st.
func encodeState(key []byte, st *savedWait) string {
	js, err := json.Marshal(st)
	if err != nil { // only Learned could fail, and it is checked JSON
		st.Learned = nil
		js, _ = json.Marshal(st)
	}
	signed := stateHead() + "." + base64.RawURLEncoding.EncodeToString(js)
	return signed + "." + stateSum(key, signed)
}

// decodeState reads a token, checking its format, version, sum and
// content. Every error matches ErrInvalidInput and never quotes the token,
// in case a secret was pasted in its place.
func decodeState(key []byte, token string) (*savedWait, error) {
	token = strings.TrimSpace(token)
	switch {
	case token == "":
		return nil, invalid("state token", "is empty")
	case len(token) > jobid.MaxStateTokenLen:
		return nil, invalid("state token", "is %d bytes long, more than %d", len(token), jobid.MaxStateTokenLen)
	}
	parts := strings.Split(token, ".")
	head := parts[0]
	if !strings.HasPrefix(head, stateMagic) {
		return nil, invalid("state token", "is not a taurusjob wait state token")
	}
	if head != stateHead() {
		v := strings.TrimPrefix(head, stateMagic)
		if _, err := strconv.Atoi(v); err != nil || len(v) > 4 {
			return nil, invalid("state token", "is not a taurusjob wait state token")
		}
		return nil, invalid("state token", "has format version %s; this taurusjob reads version %d", v, stateVersion)
	}
	if len(parts) != 3 {
		return nil, invalid("state token", "is cut short or malformed: %d dot-separated parts, want 3", len(parts))
	}
	want := stateSum(key, parts[0]+"."+parts[1])
	if !hmac.Equal([]byte(parts[2]), []byte(want)) {
		return nil, invalid("state token", "fails its checksum: it was cut, corrupted or edited, or made with another state key")
	}
	js, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, invalid("state token", "has a corrupt payload")
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	var st savedWait
	if err := dec.Decode(&st); err != nil || dec.More() {
		return nil, invalid("state token", "has a payload that is not a wait state")
	}
	if err := st.check(); err != nil {
		return nil, err
	}
	return &st, nil
}
