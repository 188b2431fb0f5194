package redact

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

const token = "MIIEhgYJKoZIhvcNAQcCoIIEdzCCBHMCAQExDTALBglghkgBZQ/+EAgEwgg=="

// naiveLeak is the definition, written the slow way: some PieceLen-byte
// piece of some form of a secret (or a short form whole) is in text.
func naiveLeak(text string, secrets ...string) bool {
	for _, s := range secrets {
		if len(s) < minLen {
			continue
		}
		for _, f := range Forms(s, true) {
			if len(f) < PieceLen {
				if strings.Contains(text, f) {
					return true
				}
				continue
			}
			for i := 0; i+PieceLen <= len(f); i++ {
				if strings.Contains(text, f[i:i+PieceLen]) {
					return true
				}
			}
		}
	}
	return false
}

// naiveLeakAnyView is naiveLeak on text and on each of its views.
func naiveLeakAnyView(text string, secrets ...string) bool {
	for _, v := range append([]string{text}, views(text)...) {
		if naiveLeak(v, secrets...) {
			return true
		}
	}
	return false
}

// TestScrubRemovesEveryPiece: whatever form and piece of the secret a text
// holds, the scrub leaves no PieceLen-byte piece of it, and keeps the
// text around it.
func TestScrubRemovesEveryPiece(t *testing.T) {
	set := New(token, "short-sk")
	tests := []struct{ name, text string }{
		{"whole", "token " + token + " refused"},
		{"prefix of 12", "x" + token[:12] + "y"},
		{"suffix of 13", token[len(token)-13:]},
		{"two pieces", token[:20] + " and " + token[30:50]},
		{"overlapping pieces", token[:20] + token[10:30]},
		{"query-escaped", url.QueryEscape(token)},
		{"JSON \\/", strings.ReplaceAll(token, "/", `\/`)},
		{"base64", base64.StdEncoding.EncodeToString([]byte(token))},
		{"base64 of a piece at offset 4", base64.URLEncoding.EncodeToString([]byte(token[4:30]))},
		{"base64 of a piece at offset 5", base64.StdEncoding.EncodeToString([]byte(token[5:30]))},
		{"short secret whole", "key short-sk!"},
		{"escaped once more than read", `name \u004d\u0049\u0049\u0045\u0068\u0067\u0059\u004a\u004b\u006f\u005a\u0049`},
		{"URL-escaped once more than read", "%4D%49%49%45%68%67%59%4A%4B%6F%5A%49"},
		{"HTML references", "&#77;&#73;&#73;&#69;&#104;&#103;&#89;&#74;&#75;&#111;&#90;&#73;"},
	}
	for _, tt := range tests {
		got := set.Scrub(tt.text)
		if naiveLeakAnyView(got, token, "short-sk") || !strings.Contains(got, Marker) {
			t.Errorf("%s: Scrub(%q) = %q", tt.name, tt.text, got)
		}
		if !set.Contains(tt.text) || set.Contains(got) {
			t.Errorf("%s: Contains before %v, after %v", tt.name, set.Contains(tt.text), set.Contains(got))
		}
	}
	if got := set.Scrub("a " + token[:20] + " b"); got != "a "+Marker+" b" {
		t.Errorf("Scrub = %q; want the run replaced by one marker, the rest kept", got)
	}
	clean := "taurusjob: API answered HTTP 401 APIGW.0301: " + token[:11] + " " + token[11:22]
	if got := set.Scrub(clean); got != clean || set.Contains(clean) {
		t.Errorf("Scrub changed text without a %d-byte piece: %q", PieceLen, got)
	}
}

func TestEmptySetsFindNothing(t *testing.T) {
	for _, s := range []*Set{nil, New(), New("", "abc")} {
		if s.Contains(token) || s.Scrub(token) != token || !s.Empty() {
			t.Errorf("set %v finds something", s)
		}
	}
}

// TestScrubJSON: a secret JSON-escaped in any string, key or value, is
// replaced, and the body stays valid JSON; a body without one is returned
// as it is.
func TestScrubJSON(t *testing.T) {
	sets := Sets{New(token)}
	var esc strings.Builder
	for _, r := range token {
		fmt.Fprintf(&esc, `\u%04x`, r)
	}
	body := []byte(`{"job":{"id":"j","name":"` + esc.String() + `","entities":{"` + esc.String() + `":["a\n` + token[:20] + `"]},"n":1}}`)
	got := sets.ScrubJSON(body)
	if !json.Valid(got) {
		t.Fatalf("ScrubJSON gave invalid JSON: %s", got)
	}
	var decoded any
	_ = json.Unmarshal(got, &decoded)
	text, _ := json.Marshal(decoded)
	if naiveLeak(string(got), token) || naiveLeak(string(text), token) {
		t.Errorf("ScrubJSON left the secret: %s", got)
	}
	clean := []byte(`{"job":{"id":"j","name":"Create\u0041","status":"Running"}}`)
	if got := sets.ScrubJSON(clean); &got[0] != &clean[0] || string(got) != string(clean) {
		t.Errorf("ScrubJSON changed or copied a clean body: %s", got)
	}
}

// FuzzScrub: whatever the text and the secret, the scrub leaves no piece
// of the secret in any form, and changes nothing in text without one.
func FuzzScrub(f *testing.F) {
	f.Add("token "+token+" x", token)
	f.Add(base64.StdEncoding.EncodeToString([]byte(token[3:40])), token)
	f.Add("aaaaaaaaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	f.Add("abcabcabcabcabcabc", "abcabcabcabcabd")
	f.Add("no secret here", "s3cr3t")
	f.Fuzz(func(t *testing.T, text, secret string) {
		set := New(secret)
		got := set.Scrub(text)
		// A piece across the marker's edge would hold '[' or ']'.
		if naiveLeakAnyView(got, secret) && !strings.ContainsAny(secret, "[]") {
			t.Fatalf("Scrub(%q) = %q still shows %q", text, got, secret)
		}
		if leak := naiveLeakAnyView(text, secret); leak != set.Contains(text) || (!leak && got != text) {
			t.Fatalf("Contains(%q) = %v, naive %v; Scrub = %q", text, set.Contains(text), leak, got)
		}
	})
}
