package redact

import (
	"bytes"
	"html"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// A text can carry a secret escaped once more than its reader undoes:
// a job name whose decoded text is "\u004d\u0049…", "%4D%49…" or
// "&#77;&#73;…" prints the token to anyone who decodes it.
// internal/secretcheck undoes each of these escapes on the text it checks;
// these views are the same, written apart from it.

// hasEscapes reports whether b holds something one of the views would
// decode: a backslash, a %XX escape or an HTML character reference. Most
// text holds none, so the views are rarely built.
func hasEscapes(b []byte) bool {
	if bytes.IndexByte(b, '\\') >= 0 {
		return true
	}
	for i := bytes.IndexByte(b, '%'); i >= 0 && i+2 < len(b); {
		if isHex(b[i+1]) && isHex(b[i+2]) {
			return true
		}
		j := bytes.IndexByte(b[i+1:], '%')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	for i := bytes.IndexByte(b, '&'); i >= 0 && i+1 < len(b); {
		if c := b[i+1]; c == '#' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return true
		}
		j := bytes.IndexByte(b[i+1:], '&')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// views returns text with each kind of escape undone, when that changes it.
func views(text string) []string {
	var out []string
	for _, undo := range []func(string) string{jsonUnescape, urlUnescape, html.UnescapeString} {
		if v := undo(text); v != text {
			out = append(out, v)
		}
	}
	return out
}

// jsonUnescape undoes JSON string escapes wherever they appear; a
// malformed escape stays as it is.
func jsonUnescape(s string) string {
	if bytes.IndexByte(bytesOf(s), '\\') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b = append(b, s[i])
			continue
		}
		switch c := s[i+1]; c {
		case '"', '\\', '/':
			b = append(b, c)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(s[i+2:])
			if !ok {
				b = append(b, '\\')
				continue
			}
			if utf16.IsSurrogate(r) && len(s) >= i+12 && s[i+6] == '\\' && s[i+7] == 'u' {
				if r2, ok := hex4(s[i+8:]); ok {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						b = utf8.AppendRune(b, d)
						i += 11
						continue
					}
				}
			}
			b = utf8.AppendRune(b, r)
			i += 4
		default:
			b = append(b, '\\')
			continue
		}
		i++
	}
	return string(b)
}

func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(s[:4], 16, 16)
	return rune(v), err == nil
}

// urlUnescape undoes %XX escapes wherever they appear; a malformed one
// stays as it is. "+" stays "+".
func urlUnescape(s string) string {
	if bytes.IndexByte(bytesOf(s), '%') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b = append(b, byte(v))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}
