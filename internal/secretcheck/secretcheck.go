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
	"fmt"
	"strings"
	"sync"
	"testing"
)

// PieceLen is the length of the pieces of a secret that Assert looks for.
// 12 bytes of a random token are as good as unique: a match is a leak, not
// chance. A secret shorter than PieceLen is looked for whole.
const PieceLen = 12

// Leak finds the first secret, or piece of one, in text. It returns the
// piece found and true, or "" and false. Empty secrets are ignored.
func Leak(text string, secrets ...string) (piece string, found bool) {
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if len(s) <= PieceLen {
			if strings.Contains(text, s) {
				return s, true
			}
			continue
		}
		for i := 0; i+PieceLen <= len(s); i++ {
			if p := s[i : i+PieceLen]; strings.Contains(text, p) {
				return p, true
			}
		}
	}
	return "", false
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
