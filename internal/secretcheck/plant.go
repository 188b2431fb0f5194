package secretcheck

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// Plant replaces each marker "$<i><form>" in template with secret i (mod
// len(secrets)) in that form, so that the fuzzer can put any secret in
// any form anywhere in a body or a header:
//
//	r raw            u every byte \u00XX        U \\u00XX (escaped twice)
//	s "/" as "\/"    p every byte %XX           e every byte &#N;
//	h first half     t second half              x a 16-byte prefix
//	m bytes 5 to 25  b base64 (standard)        B base64 (URL) from byte 3
//
// Any other "$" stays as it is; a cut past a short secret's end stops there.
// The fuzz targets of the core and of huaweisdk share it.
func Plant(template string, secrets []string) string {
	var b strings.Builder
	for i := 0; i < len(template); i++ {
		c := template[i]
		if c != '$' || i+2 >= len(template) || template[i+1] < '0' || template[i+1] > '9' {
			b.WriteByte(c)
			continue
		}
		s := secrets[int(template[i+1]-'0')%len(secrets)]
		if planted, ok := form(s, template[i+2]); ok {
			b.WriteString(planted)
			i += 2
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func form(s string, f byte) (string, bool) {
	each := func(format string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			fmt.Fprintf(&b, format, s[i])
		}
		return b.String()
	}
	switch f {
	case 'r':
		return s, true
	case 'u':
		return each(`\u%04x`), true
	case 'U':
		return each(`\\u%04x`), true
	case 's':
		return strings.ReplaceAll(s, "/", `\/`), true
	case 'p':
		return each("%%%02X"), true
	case 'e':
		return each("&#%d;"), true
	case 'h':
		return s[:len(s)/2], true
	case 't':
		return s[len(s)/2:], true
	case 'x':
		return s[:min(16, len(s))], true
	case 'm':
		return s[min(5, len(s)):min(25, len(s))], true
	case 'b':
		return base64.StdEncoding.EncodeToString([]byte(s)), true
	case 'B':
		return base64.URLEncoding.EncodeToString([]byte(s[min(3, len(s)):])), true
	}
	return "", false
}
