package jobid

import "fmt"

// MaxInstanceIDLen bounds an instance id. Real ones are 32 hex digits and
// a four-character suffix such as "in07"; the bound leaves room for
// others without letting a mistake grow a URL.
const MaxInstanceIDLen = 64

// CheckInstanceID says what is wrong with an instance id, or "" when it
// is one to send: 1 to 64 letters, digits, '-' and '_'. Among what it
// refuses: a leading '*', which the list calls read as "ids containing
// this" (a fuzzy match), and '/', '?', '&' or '%', which would change the
// request itself.
func CheckInstanceID(id string) string {
	switch {
	case id == "":
		return "is empty"
	case len(id) > MaxInstanceIDLen:
		return fmt.Sprintf("is %d characters long, more than %d", len(id), MaxInstanceIDLen)
	case id[0] == '*':
		return "starts with '*', which asks the service for a fuzzy match; give the whole id"
	}
	for i := 0; i < len(id); i++ {
		if b := id[i]; !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_') {
			return fmt.Sprintf("has %q at offset %d; only letters, digits, '-' and '_' are allowed", b, i)
		}
	}
	return ""
}
