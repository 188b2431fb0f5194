package secretcheck

import "testing"

// The fuzz targets rely on Plant to put a secret where the marker is, in
// the form it names, and never to panic on a short secret.
func TestPlant(t *testing.T) {
	secrets := []string{"0123456789abcdefghijklmnopqrstuvwxyz", "short"}
	for template, want := range map[string]string{
		"a$0rb":    "a0123456789abcdefghijklmnopqrstuvwxyzb",
		"$0x":      "0123456789abcdef",
		"$0m|$1m":  "56789abcdefghijklmno|",
		"$1h$1t":   "short",
		"$0u":      `\u0030\u0031\u0032\u0033\u0034\u0035\u0036\u0037\u0038\u0039\u0061\u0062\u0063\u0064\u0065\u0066\u0067\u0068\u0069\u006a\u006b\u006c\u006d\u006e\u006f\u0070\u0071\u0072\u0073\u0074\u0075\u0076\u0077\u0078\u0079\u007a`,
		"$2r $9z$": "0123456789abcdefghijklmnopqrstuvwxyz $9z$",
	} {
		if got := Plant(template, secrets); got != want {
			t.Errorf("Plant(%q) = %q, want %q", template, got, want)
		}
	}
}
