package secretcheck

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"go.uber.org/zap"
)

const secret = "SENTINEL-TOKEN-0123456789abcdef"

// recorder is a testing.TB that records failures instead of failing, so
// the checks themselves can be shown to fail.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestLeakFindsWholeSecretsAndPieces(t *testing.T) {
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"whole", "token=" + secret, true},
		{"first half, cut by a limit", "msg: " + secret[:PieceLen] + "… (40 bytes cut)", true},
		{"last piece", "x" + secret[len(secret)-PieceLen:], true},
		{"piece one byte short", secret[:PieceLen-1], false},
		{"nothing", "taurusjob: API answered HTTP 500", false},
		{"redacted", "token [REDACTED] refused", false},
	}
	for _, tt := range tests {
		if _, got := Leak(tt.text, "", secret); got != tt.want {
			t.Errorf("%s: Leak = %v, want %v", tt.name, got, tt.want)
		}
	}
	if _, got := Leak("sk is abc", "abc"); !got {
		t.Error("a secret shorter than PieceLen is not found whole")
	}
}

func TestAssertFailsAndHidesTheSecret(t *testing.T) {
	r := &recorder{}
	Assert(r, "stderr", "error: bad token "+secret+" sent", secret)
	if len(r.errs) != 1 {
		t.Fatalf("Assert reported %d failures, want 1", len(r.errs))
	}
	if !strings.Contains(r.errs[0], "stderr") || strings.Contains(r.errs[0], secret[:PieceLen]) {
		t.Errorf("failure message %q: want the place named and the secret hidden", r.errs[0])
	}
	r = &recorder{}
	Assert(r, "stderr", "all clean", secret)
	if len(r.errs) != 0 {
		t.Errorf("Assert failed on clean text: %v", r.errs)
	}
}

type wrapper struct{ err error }

func (w *wrapper) Error() string { return "wrapped" } // hides its cause in Error...
func (w *wrapper) Unwrap() error { return w.err }

func TestAssertErrorWalksTheChain(t *testing.T) {
	inner := errors.New("token " + secret)
	for _, err := range []error{
		inner,
		fmt.Errorf("outer: %w", inner),
		&wrapper{inner}, // ...but not from a walk of the chain
		errors.Join(errors.New("a"), &wrapper{inner}),
	} {
		r := &recorder{}
		AssertError(r, "GetJob", err, secret)
		if len(r.errs) == 0 {
			t.Errorf("AssertError(%v) found no leak", err)
		}
	}
	r := &recorder{}
	AssertError(r, "GetJob", nil, secret)
	AssertError(r, "GetJob", &wrapper{errors.New("clean")}, secret)
	if len(r.errs) != 0 {
		t.Errorf("AssertError failed on clean errors: %v", r.errs)
	}
}

func TestLoggerKeepsEveryLevelAndField(t *testing.T) {
	l, logs := Logger()
	l = l.With(zap.String("ctx", "c-"+secret))
	l.Debug("poll", zap.Error(errors.New("e-"+secret)))
	l.Info("end")
	l.Warn("w", zap.Any("v", struct{ S string }{"s-" + secret}))
	l.Error("x", zap.Stringer("s", stringer("t-"+secret)))
	if got := logs.Levels(); got["debug"] != 1 || got["info"] != 1 || got["warn"] != 1 || got["error"] != 1 {
		t.Errorf("Levels = %v", got)
	}
	text := logs.Text()
	for _, want := range []string{"c-" + secret, "e-" + secret, "s-" + secret, "t-" + secret, `"msg":"poll"`} {
		if !strings.Contains(text, want) {
			t.Errorf("logs text lacks %q:\n%s", want, text)
		}
	}
	r := &recorder{}
	Assert(r, "logs", text, secret)
	if len(r.errs) == 0 {
		t.Error("Assert found nothing in logs that hold the secret")
	}
}

type stringer string

func (s stringer) String() string { return string(s) }

func TestTexts(t *testing.T) {
	var x Texts
	x.Add(struct {
		N   int
		Err error
	}{1, errors.New(secret)})
	if x.Len() != 1 || !strings.Contains(x.Text(), secret) {
		t.Errorf("Texts = %d, %q", x.Len(), x.Text())
	}
}

func TestGuardRecordsCredentialsSentElsewhere(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer other.Close()
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
	}))
	defer home.Close()
	g := NewGuard(home.Client().Transport, strings.TrimPrefix(home.URL, "http://"))
	// A careless client: it follows the redirect and copies the token onto
	// the redirected request.
	c := &http.Client{Transport: g, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		req.Header.Set("X-Auth-Token", via[0].Header.Get("X-Auth-Token"))
		return nil
	}}
	req, _ := http.NewRequest(http.MethodGet, home.URL+"/v3/p/jobs?id=x", nil)
	req.Header.Set("X-Auth-Token", secret)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if g.HomeRequests() != 1 || len(g.Foreign()) != 1 {
		t.Fatalf("home %d, foreign %d; want 1 and 1", g.HomeRequests(), len(g.Foreign()))
	}
	r := &recorder{}
	g.AssertNoCredentials(r, secret)
	if len(r.errs) != 2 { // the header, and the secret in the header text
		t.Errorf("AssertNoCredentials reported %d failures, want 2: %v", len(r.errs), r.errs)
	}
}

// TestLeakFindsEncodedEscapedAndSplitForms: a secret a server echoes
// escaped, base64-encoded, cut to a prefix or split in two is found; text
// that holds no 12-byte piece of it in any of these forms is not.
func TestLeakFindsEncodedEscapedAndSplitForms(t *testing.T) {
	const token = "MIIEhgYJKoZIhvcNAQcCoIIEdzCCBHMCAQExDTALBglghkgBZQ/+EAgEwgg=="
	jsonAll := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		return b.String()
	}
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"JSON \\u escapes", `{"name":"` + jsonAll(token) + `"}`, true},
		{"JSON \\/ escapes", strings.ReplaceAll(token, "/", `\/`), true},
		{"URL-escaped", url.QueryEscape(token[30:]), true},
		{"HTML entities", "&#77;&#73;&#73;&#69;&#104;&#103;&#89;&#74;&#75;&#111;&#90;&#73;", true},
		{"a 40-byte prefix", "token " + token[:40] + " expired", true},
		{"halves split across fields", "code=" + token[:30] + ", msg=" + token[30:], true},
		{"base64 of the whole", base64.StdEncoding.EncodeToString([]byte(token)), true},
		{"base64 of a piece at offset 7", base64.URLEncoding.EncodeToString([]byte(token[7:31])), true},
		{"base64 of a piece at offset 8", base64.StdEncoding.EncodeToString([]byte(token[8:32])), true},
		{"11-byte pieces apart", token[:11] + " " + token[11:22] + " " + token[22:33], false},
		{"redacted", "token [REDACTED] expired", false},
		{"ordinary text", `{"job":{"id":"f9959f52","status":"Running","process":"60%"}} &amp; %41`, false},
	}
	for _, tt := range tests {
		if _, got := Leak(tt.text, token); got != tt.want {
			t.Errorf("%s: Leak = %v, want %v", tt.name, got, tt.want)
		}
	}
	r := &recorder{}
	Assert(r, "stderr", `{"name":"`+jsonAll(token)+`"}`, token)
	if len(r.errs) != 1 || strings.Contains(r.errs[0], token[:PieceLen]) {
		t.Errorf("Assert on an escaped secret: %v", r.errs)
	}
}
