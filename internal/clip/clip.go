// Package clip makes text a server sent safe to show: on one line, valid
// UTF-8, bounded. The core, the CLI and the adapters all show job names,
// statuses and error messages that a hostile answer controls.
package clip

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text makes s printable on one line and at most n bytes long (plus a note
// of what was cut): invalid UTF-8 becomes U+FFFD, and control characters
// (C0, DEL and C1, whose U+009B some terminals take for an escape) and the
// Unicode line and paragraph separators become spaces, so that an answer
// cannot forge log lines, send terminal escapes or flood a log.
func Text(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d bytes cut)", len(s)-cut)
}
