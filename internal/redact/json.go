package redact

import (
	"encoding/json"
)

// ScrubJSON returns body with no secret in it, raw or decoded: each JSON
// string whose decoded text shows one ("\u004d\u0049…" decodes to the
// token) is written again from its scrubbed text, and then any secret text
// left, inside a string or out, is replaced. It returns body itself when
// nothing shows; a valid JSON body stays valid unless a secret sat in a
// number. body need not be valid JSON.
func (ss Sets) ScrubJSON(body []byte) []byte {
	escaped := hasEscapes(body)
	if !escaped && !ss.rawContains(body) {
		return body // the poll path: one scan, no copy
	}
	if escaped {
		body = ss.rewriteEscapedStrings(body)
	}
	return ss.ScrubBytes(body)
}

// rewriteEscapedStrings re-encodes, from its scrubbed text, each string
// with an escape (JSON, URL or HTML) whose decoded text shows a secret. A
// string without one reads as its bytes, which ScrubBytes looks at next.
func (ss Sets) rewriteEscapedStrings(body []byte) []byte {
	var out []byte // nil until a string changes
	last := 0
	for i := 0; i < len(body); i++ {
		if body[i] != '"' {
			continue
		}
		end := skipString(body, i)
		tok := body[i:end]
		if hasEscapes(tok) {
			var s string
			if json.Unmarshal(tok, &s) == nil && ss.Contains(s) {
				enc, _ := json.Marshal(ss.Scrub(s)) // a string always encodes
				out = append(append(out, body[last:i]...), enc...)
				last = end
			}
		}
		i = end - 1
	}
	if out == nil {
		return body
	}
	return append(out, body[last:]...)
}

// skipString returns the index just past the JSON string starting at b[i],
// or len(b) when it does not end.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}
