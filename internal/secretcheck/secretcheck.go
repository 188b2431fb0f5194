// Package secretcheck is a test helper: it checks that no secret (a
// token, a secret key, a signature) shows in text a user can see, such as
// an error string, a log line, a progress update or a CLI's output, and it
// gathers such text from the places tests need to look.
//
//	logger, logs := secretcheck.Logger() // zap at debug level, every entry kept
//	... run a wait with taurusjob.WithLogger(logger) ...
//	secretcheck.Assert(t, "logs", logs.Text(), token, sk)
//	secretcheck.AssertError(t, "Wait", err, token, sk)
//
// A secret counts as shown when the text holds the whole secret or any
// [PieceLen]-byte piece of it, so that a secret cut in half by a length
// limit, or glued to other text, is still caught. The package is internal
// to the module: the library's tests, taurusjobtest's and cmd/taurusjob's
// (a package main) can import it.
package secretcheck

import (
	"encoding/base64"
	"fmt"
	"html"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// PieceLen is the length of the pieces of a secret that Assert looks for.
// 12 bytes of a random token are as good as unique: a match is a leak, not
// chance. A secret shorter than PieceLen is looked for whole.
const PieceLen = 12

// Leak finds the first secret, or piece of one, in text. It returns the
// piece found (as the text shows it) and true, or "" and false. Empty
// secrets are ignored.
//
// It looks for every [PieceLen]-byte piece of each secret (so a prefix, a
// suffix, or a secret split in two with a half of at least PieceLen bytes
// shows) and every 16-character piece (the base64 of PieceLen bytes) of
// each secret's base64 encodings (standard and URL alphabets, from each
// of its first three bytes, so that the base64 of any part of the secret
// shows too), in text and in text decoded: JSON escapes ("\u004d", "\/"),
// URL escapes ("%2F") and HTML entities ("&#77;") undone.
func Leak(text string, secrets ...string) (piece string, found bool) {
	lengths := map[int]map[string]bool{PieceLen: {}, base64PieceLen: {}}
	var short []string
	add := func(form string, n int) {
		if len(form) <= n {
			short = append(short, form)
			return
		}
		for i := 0; i+n <= len(form); i++ {
			lengths[n][form[i:i+n]] = true
		}
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		add(s, PieceLen)
		for _, form := range base64Forms(s) {
			add(form, base64PieceLen)
		}
	}
	for _, view := range views(text) {
		for _, s := range short {
			if strings.Contains(view, s) {
				return s, true
			}
		}
		for n, pieces := range lengths {
			for i := 0; i+n <= len(view); i++ {
				if p := view[i : i+n]; pieces[p] {
					return p, true
				}
			}
		}
	}
	return "", false
}

// base64PieceLen is the length of the pieces of a base64 form looked for:
// 16 characters encode PieceLen bytes. A shorter run can encode fewer
// bytes of the secret than PieceLen, which do not count raw either.
const base64PieceLen = PieceLen / 3 * 4

// base64Forms returns secret base64-encoded from each of its first three
// bytes, in the standard and the URL alphabets: a piece of the base64 of
// any part of secret is a piece of one of them.
func base64Forms(secret string) []string {
	var out []string
	for k := 0; k < 3 && k < len(secret); k++ {
		b := []byte(secret[k:])
		out = append(out, base64.StdEncoding.EncodeToString(b), base64.URLEncoding.EncodeToString(b))
	}
	return out
}

// views returns text as it is, and with each kind of escape undone, when
// that changes it.
func views(text string) []string {
	out := []string{text}
	for _, undo := range []func(string) string{jsonUnescape, urlUnescape, html.UnescapeString} {
		if v := undo(text); v != text {
			out = append(out, v)
		}
	}
	return out
}

// jsonUnescape undoes the escapes of JSON strings wherever they appear;
// a malformed escape stays as it is.
func jsonUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch c := s[i+1]; c {
		case '"', '\\', '/':
			b.WriteByte(c)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, n := hexRune(s[i+2:])
			if n == 0 {
				b.WriteByte('\\')
				continue
			}
			if utf16.IsSurrogate(r) {
				if r2, n2 := hexRune(strings.TrimPrefix(s[i+2+n:], `\u`)); n2 > 0 && strings.HasPrefix(s[i+2+n:], `\u`) {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						b.WriteRune(d)
						i += 1 + n + 2 + n2
						continue
					}
				}
			}
			b.WriteRune(r)
			i += n
		default:
			b.WriteByte('\\')
			continue
		}
		i++
	}
	return b.String()
}

// hexRune reads four hex digits; n is 4, or 0 when there are not four.
func hexRune(s string) (r rune, n int) {
	if len(s) < 4 {
		return 0, 0
	}
	v, err := strconv.ParseUint(s[:4], 16, 16)
	if err != nil {
		return 0, 0
	}
	return rune(v), 4
}

// urlUnescape undoes %XX escapes wherever they appear; a malformed one
// stays as it is.
func urlUnescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Assert fails t (without stopping it) when text holds a secret or a
// piece of one. where says what the text is ("stderr", "log entry 3",
// "progress update"), so that the failure points at the leak. The
// failure message shows the text around the leak, never the whole secret.
func Assert(t testing.TB, where, text string, secrets ...string) {
	t.Helper()
	piece, found := Leak(text, secrets...)
	if !found {
		return
	}
	at := strings.Index(text, piece)
	if at < 0 {
		// Found base64-encoded or once the text's escapes are undone: the
		// piece is not in the text as written; show its start only.
		t.Errorf("%s shows a secret (or a %d-byte piece of one), encoded or escaped, in %d bytes starting %q",
			where, PieceLen, len(text), text[:min(len(text), 60)])
		return
	}
	lo, hi := max(at-40, 0), min(at+len(piece)+40, len(text))
	t.Errorf("%s shows a secret (or a %d-byte piece of one) at byte %d of %d: …%q…",
		where, PieceLen, at, len(text), text[lo:at]+"<SECRET>"+text[at+len(piece):hi])
}

// AssertError checks the text of err as a user could print it: Error(),
// %v, %+v and %#v... of err and of every error it wraps, through Unwrap
// chains and joins. A nil err passes.
func AssertError(t testing.TB, where string, err error, secrets ...string) {
	t.Helper()
	for i, text := range ErrorTexts(err) {
		Assert(t, fmt.Sprintf("%s: error text %d", where, i), text, secrets...)
	}
}

// ErrorTexts returns the printed forms of err and of every error it wraps:
// Error(), %+v and %#v of each, depth first, at most 32 errors deep.
func ErrorTexts(err error) []string {
	var out []string
	var walk func(e error, depth int)
	walk = func(e error, depth int) {
		if e == nil || depth > 32 {
			return
		}
		out = append(out, e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e))
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap(), depth+1)
		case interface{ Unwrap() []error }:
			for _, inner := range u.Unwrap() {
				walk(inner, depth+1)
			}
		}
	}
	walk(err, 0)
	return out
}

// Texts collects the printed form of values handed to it concurrently:
// progress updates, panic values, anything with a %+v form. Its zero
// value is ready to use.
type Texts struct {
	mu    sync.Mutex
	texts []string
}

// Add keeps v printed with %+v and with %v.
func (x *Texts) Add(v any) {
	a, b := fmt.Sprintf("%+v", v), fmt.Sprintf("%v", v)
	x.mu.Lock()
	x.texts = append(x.texts, a, b)
	x.mu.Unlock()
}

// Len returns how many values were added.
func (x *Texts) Len() int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return len(x.texts) / 2
}

// Text returns everything added, one form a line.
func (x *Texts) Text() string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return strings.Join(x.texts, "\n")
}
