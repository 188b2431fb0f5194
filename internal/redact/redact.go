// Package redact finds secrets in text that came from a server, and
// replaces them, by the definition internal/secretcheck tests with: a
// secret shows when the text holds the whole secret or any [PieceLen]-byte
// piece of it, raw or in a form a server may echo it in (URL-escaped,
// JSON-escaped, base64). The client and the huaweisdk adapter scrub every
// server text that reaches a caller with it.
//
// A [Set] is built once per secret (an IAM token is several KB; building
// costs about a microsecond per byte) and then looks at text in time
// linear in the text, about one hash probe per five bytes when no secret
// shows.
package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"unsafe"
)

// PieceLen is the length of the pieces of a secret that count as the
// secret, as in internal/secretcheck: 12 bytes of a random token are as
// good as unique. A form shorter than PieceLen is matched whole.
const PieceLen = 12

// Marker replaces each run of secret text.
const Marker = "[REDACTED]"

// minLen is the shortest secret looked for: shorter ones would redact
// ordinary words.
const minLen = 4

// gramLen and stride: a PieceLen-byte piece at any offset holds a whole
// gramLen-byte gram starting at a multiple of stride, so the scan probes
// only every stride-th offset and checks the pieces around a gram it knows.
const (
	gramLen = 8
	stride  = PieceLen - gramLen + 1
)

// Set is the secrets to find. The zero value and nil find nothing. A Set
// is read-only once built and safe for concurrent use.
type Set struct {
	grams  table    // every gramLen-byte gram of every long form
	pieces table    // every PieceLen-byte piece of every long form
	short  []string // forms shorter than PieceLen, matched whole
	raw    []string // the secrets as given
}

// Options choose the forms looked for besides the raw secret.
type Options struct {
	// Base64 also looks for the secret base64-encoded (standard and URL
	// alphabets, at each of the three alignments a piece can start at).
	// It costs about 8/3 times the secret's length in memory; a per-request
	// signature can skip it.
	Base64 bool
}

// New returns the Set of secrets, each in its raw, URL-escaped,
// JSON-escaped and base64 forms. Empty secrets and secrets shorter than 4
// bytes are ignored.
func New(secrets ...string) *Set { return NewWith(Options{Base64: true}, secrets...) }

// NewWith is New with a choice of forms.
func NewWith(o Options, secrets ...string) *Set {
	var forms []string
	s := &Set{}
	for _, sec := range secrets {
		if len(sec) < minLen || slices.Contains(s.raw, sec) {
			continue
		}
		s.raw = append(s.raw, sec)
		forms = append(forms, Forms(sec, o.Base64)...)
	}
	n := 0
	for _, f := range forms {
		if len(f) >= PieceLen {
			n += len(f) - gramLen + 1
		} else if !slices.Contains(s.short, f) {
			s.short = append(s.short, f)
		}
	}
	if n == 0 {
		return s
	}
	s.grams, s.pieces = newTable(n), newTable(n)
	for _, f := range forms {
		if len(f) < PieceLen {
			continue
		}
		b := []byte(f)
		for i := 0; i+gramLen <= len(b); i++ {
			s.grams.add(gramHash(b[i:]))
		}
		for i := 0; i+PieceLen <= len(b); i++ {
			s.pieces.add(pieceHash(b[i:]))
		}
	}
	return s
}

// Forms returns the texts a server may echo secret as: raw, URL-escaped
// (query and path), JSON-escaped (as encoding/json writes it, and with
// "/" as "\/"), and, when withBase64, base64 of the secret from each of
// its first three bytes (standard and URL alphabets), so that a piece of
// any base64 of any part of the secret is a piece of one of them.
func Forms(secret string, withBase64 bool) []string {
	j, _ := json.Marshal(secret)
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret),
		string(j[1 : len(j)-1]), strings.ReplaceAll(secret, "/", `\/`)}
	if withBase64 {
		for k := 0; k < 3 && k < len(secret); k++ {
			forms = append(forms, base64.StdEncoding.EncodeToString([]byte(secret[k:])),
				base64.URLEncoding.EncodeToString([]byte(secret[k:])))
		}
	}
	var out []string
	for _, f := range forms {
		if len(f) >= minLen && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// Release hands the Set's memory back for reuse by a later Set; s finds
// nothing afterwards. Call it only when nothing else uses s, as for a
// request's own Set once the request is over. Not calling it is safe.
func (s *Set) Release() {
	if s == nil {
		return
	}
	s.grams.release()
	s.pieces.release()
	s.short, s.raw = nil, nil
}

// Secrets returns the secrets the Set was built from.
func (s *Set) Secrets() []string {
	if s == nil {
		return nil
	}
	return s.raw
}

// Empty reports whether the Set finds nothing.
func (s *Set) Empty() bool { return s == nil || len(s.raw) == 0 }

// Contains reports whether text holds a secret or a piece of one, as it
// is or with its JSON, URL or HTML escapes undone.
func (s *Set) Contains(text string) bool { return Sets{s}.Contains(text) }

// ContainsBytes is Contains for a byte slice.
func (s *Set) ContainsBytes(b []byte) bool { return Sets{s}.ContainsBytes(b) }

// Scrub returns text with each run of secret text replaced by [Marker];
// when the text shows a secret only with its escapes undone, all of it is
// replaced. It returns text itself, without copying, when none shows.
func (s *Set) Scrub(text string) string { return Sets{s}.Scrub(text) }

// ScrubBytes replaces each run of secret text, as written, in b: for a
// body that is parsed next, whose fields are then scrubbed each. It
// returns b itself when no secret shows.
func (s *Set) ScrubBytes(b []byte) []byte {
	spans := s.spans(b)
	if spans == nil {
		return b
	}
	out := make([]byte, 0, len(b))
	last := 0
	for _, sp := range spans {
		out = append(out, b[last:sp.lo]...)
		out = append(out, Marker...)
		last = sp.hi
	}
	return append(out, b[last:]...)
}

// scrubRaw is ScrubBytes for a string.
func (s *Set) scrubRaw(text string) string {
	spans := s.spans(bytesOf(text))
	if spans == nil {
		return text
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(text[last:sp.lo])
		b.WriteString(Marker)
		last = sp.hi
	}
	b.WriteString(text[last:])
	return b.String()
}

// rawContains reports whether b holds a secret as written.
func (s *Set) rawContains(b []byte) bool {
	if s.Empty() {
		return false
	}
	found := false
	s.each(b, func(int, int) bool { found = true; return false })
	return found
}

type span struct{ lo, hi int }

// spans returns the runs of secret text in b, sorted and merged; nil when
// there are none.
func (s *Set) spans(b []byte) []span {
	if s.Empty() {
		return nil
	}
	var out []span
	sorted := true
	s.each(b, func(lo, hi int) bool {
		if n := len(out); n > 0 && lo < out[n-1].lo {
			sorted = false
		}
		out = append(out, span{lo, hi})
		return true
	})
	if !sorted {
		slices.SortFunc(out, func(a, b span) int { return a.lo - b.lo })
	}
	merged := out[:0]
	for _, sp := range out {
		if n := len(merged); n > 0 && sp.lo <= merged[n-1].hi {
			merged[n-1].hi = max(merged[n-1].hi, sp.hi)
			continue
		}
		merged = append(merged, sp)
	}
	if len(merged) == 0 {
		return nil
	}
	return merged
}

// each calls found for each match in b, pieces in order, then whole short
// forms, until found returns false.
func (s *Set) each(b []byte, found func(lo, hi int) bool) {
	if s.pieces.n > 0 {
		for q := 0; q+gramLen <= len(b); q += stride {
			if !s.grams.has(gramHash(b[q:])) {
				continue
			}
			for p := max(q-stride+1, 0); p <= q && p+PieceLen <= len(b); p++ {
				if s.pieces.has(pieceHash(b[p:])) && !found(p, p+PieceLen) {
					return
				}
			}
		}
	}
	for _, f := range s.short {
		for i := 0; i < len(b); {
			j := bytes.Index(b[i:], bytesOf(f))
			if j < 0 {
				break
			}
			if !found(i+j, i+j+len(f)) {
				return
			}
			i += j + 1
		}
	}
}

// bytesOf views a string as bytes without copying; the bytes are only read.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// Sets looks through several Sets as one: a client's long-lived
// credentials, built once, and a request's own signature. Nil entries are
// skipped.
type Sets []*Set

// Contains reports whether text shows a secret of any Set, as written or
// with its JSON, URL or HTML escapes undone.
func (ss Sets) Contains(text string) bool { return ss.ContainsBytes(bytesOf(text)) }

// ContainsBytes is Contains for a byte slice.
func (ss Sets) ContainsBytes(b []byte) bool {
	if ss.rawContains(b) {
		return true
	}
	if !hasEscapes(b) {
		return false
	}
	for _, v := range views(string(b)) {
		if ss.rawContains(bytesOf(v)) {
			return true
		}
	}
	return false
}

func (ss Sets) rawContains(b []byte) bool {
	for _, s := range ss {
		if s.rawContains(b) {
			return true
		}
	}
	return false
}

// Scrub replaces the secrets of every Set in text, as Set.Scrub does; it
// returns text itself when none shows.
func (ss Sets) Scrub(text string) string {
	for _, s := range ss {
		text = s.scrubRaw(text)
	}
	if hasEscapes(bytesOf(text)) {
		for _, v := range views(text) {
			if ss.rawContains(bytesOf(v)) {
				return Marker
			}
		}
	}
	return text
}

// ScrubBytes replaces the secrets of every Set in b as written, as
// Set.ScrubBytes does.
func (ss Sets) ScrubBytes(b []byte) []byte {
	for _, s := range ss {
		b = s.ScrubBytes(b)
	}
	return b
}

// Secrets returns the raw secrets of every Set.
func (ss Sets) Secrets() []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Secrets()...)
	}
	return out
}
