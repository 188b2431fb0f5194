package taurusjob

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/taurusdb-tools/taurusjob/internal/clip"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 3, 11, 9, 0, 0, 0, time.UTC)
	date := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-3", 0},
		{"1", time.Second},
		{" 7 ", 7 * time.Second},
		{"120", 2 * time.Minute},
		{"86400", 24 * time.Hour},
		{"86401", maxRetryAfter},                // capped
		{"1743500000", maxRetryAfter},           // a hostile value: capped, not 55 years
		{"99999999999999999999", maxRetryAfter}, // overflows int64: still capped
		{"-99999999999999999999", 0},
		{"1.5", 0},
		{"soon", 0},
		{date(90 * time.Second), 90 * time.Second},
		{date(-time.Minute), 0}, // in the past
		{date(0), 0},
		{date(30 * 24 * time.Hour), maxRetryAfter},
		{now.Add(45 * time.Second).Format(time.RFC850), 45 * time.Second}, // obsolete forms HTTP still allows
		{now.Add(45 * time.Second).Format(time.ANSIC), 45 * time.Second},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestErrorBodyFields(t *testing.T) {
	long := strings.Repeat("x", 600)
	tests := []struct {
		name     string
		body     string
		wantCode string
		wantMsg  string
	}{
		{"documented shape", `{"error_code":"DBS.200001","error_msg":"Invalid parameter."}`, "DBS.200001", "Invalid parameter."},
		{"sdk spelling", `{"error_code":"APIGW.0308","error_message":"throttled"}`, "APIGW.0308", "throttled"},
		{"nested error object", `{"error":{"code":"APIGW.0101","message":"The API does not exist"}}`, "APIGW.0101", "The API does not exist"},
		{"code and message", `{"code":"IAM.0001","message":"bad token"}`, "IAM.0001", "bad token"},
		{"numeric code", `{"error_code":400,"error_msg":"bad"}`, "400", "bad"},
		{"code only", `{"error_code":"DBS.200022"}`, "DBS.200022", ""},
		{"other JSON", `{"status":"oops"}`, "", `body: {"status":"oops"}`},
		{"JSON array", `[1,2]`, "", "body: [1,2]"},
		{"html with title", "<html><head><title> 502 Bad Gateway </title></head></html>", "", "gateway page: 502 Bad Gateway"},
		{"html title with attributes", "<HTML><TITLE lang=en>Service Unavailable</TITLE></HTML>", "", "gateway page: Service Unavailable"},
		{"html without title", "<html><body>down</body></html>", "", "gateway page without a title"},
		{"plain text", "upstream reset", "", "body: upstream reset"},
		{"control characters flattened", "line1\nline2\x00end", "", "body: line1 line2 end"},
		{"empty", "", "", ""},
		{"whitespace", " \n\t", "", ""},
		{"long message clipped", `{"error_msg":"` + long + `"}`, "", long[:maxMessageLen] + "… (88 bytes cut)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, msg := errorBodyFields([]byte(tt.body))
			if code != tt.wantCode || msg != tt.wantMsg {
				t.Errorf("errorBodyFields = %q, %q; want %q, %q", code, msg, tt.wantCode, tt.wantMsg)
			}
		})
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"abcdefghijkl", 10, "abcdefghij… (2 bytes cut)"},
		{"a\tb\r\nc\x7f", 10, "a b  c "},
		{"a\u009b2Jb\u2028c\u2029", 12, "a 2Jb c "}, // C1 (CSI) and Unicode line breaks
		{"\xff\xfeok", 10, "\uFFFDok"},
		{"ééééé", 3, "é… (8 bytes cut)"}, // never cuts inside a rune
	}
	for _, tt := range tests {
		got := clip.Text(tt.in, tt.n)
		if got != tt.want {
			t.Errorf("clip.Text(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("clip.Text(%q, %d) = %q is not valid UTF-8", tt.in, tt.n, got)
		}
	}
}

func TestAPIErrorFrom(t *testing.T) {
	resp := func(status int, hdr map[string]string) *http.Response {
		r := &http.Response{StatusCode: status, Header: http.Header{}}
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		return r
	}
	t.Run("no body gives the status text", func(t *testing.T) {
		e := apiErrorFrom(resp(404, nil), nil, false)
		if e.StatusCode != 404 || e.Code != "" || e.Message != "Not Found" {
			t.Errorf("got %+v", e)
		}
	})
	t.Run("redirect says it was not followed", func(t *testing.T) {
		e := apiErrorFrom(resp(302, map[string]string{"Location": "https://elsewhere.example/"}), []byte("<a>Found</a>"), false)
		if e.StatusCode != 302 || !strings.Contains(e.Message, "redirect not followed") {
			t.Errorf("got %+v", e)
		}
		if strings.Contains(e.Error(), "elsewhere") {
			t.Errorf("error %q names the redirect target", e)
		}
	})
	t.Run("cut body is said", func(t *testing.T) {
		e := apiErrorFrom(resp(500, nil), []byte(`{"error_code":"DBS.2`), true)
		if !strings.Contains(e.Message, "size limit") {
			t.Errorf("message %q does not mention the size limit", e.Message)
		}
	})
	t.Run("request id from the body when the header has none", func(t *testing.T) {
		body := []byte(`{"error_code":"APIGW.0308","error_msg":"throttled","request_id":"body-id"}`)
		if e := apiErrorFrom(resp(429, nil), body, false); e.RequestID != "body-id" {
			t.Errorf("RequestID = %q, want the body's", e.RequestID)
		}
		if e := apiErrorFrom(resp(429, map[string]string{"X-Request-Id": "header-id"}), body, false); e.RequestID != "header-id" {
			t.Errorf("RequestID = %q, want the header's", e.RequestID)
		}
	})
	t.Run("request id header, clipped and on one line", func(t *testing.T) {
		e := apiErrorFrom(resp(500, map[string]string{"X-Request-Id": strings.Repeat("r", 300)}), nil, false)
		if len(e.RequestID) > 128+len("… (172 bytes cut)") || !strings.HasPrefix(e.RequestID, "rrrr") {
			t.Errorf("RequestID = %q", e.RequestID)
		}
	})
}

func TestAPIErrorText(t *testing.T) {
	e := &APIError{StatusCode: 429, Code: "APIGW.0308", Message: "The throttling threshold has been reached", RequestID: "a1b2c3"}
	want := "taurusjob: API answered HTTP 429 APIGW.0308: The throttling threshold has been reached (request id a1b2c3)"
	if got := e.Error(); got != want {
		t.Errorf("Error() = %q\nwant      %q", got, want)
	}
	bare := &APIError{StatusCode: 502}
	if got := bare.Error(); got != "taurusjob: API answered HTTP 502" {
		t.Errorf("Error() = %q", got)
	}
}
