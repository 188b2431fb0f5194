package redact

// Sets looks through several Sets as one: a client's long-lived
// credentials, built once, and a request's own signature. Nil entries are
// skipped.
type Sets []*Set

// Contains reports whether text shows a secret of any Set.
func (ss Sets) Contains(text string) bool { return ss.ContainsBytes(bytesOf(text)) }

// ContainsBytes is Contains for a byte slice.
func (ss Sets) ContainsBytes(b []byte) bool {
	for _, s := range ss {
		if s.ContainsBytes(b) {
			return true
		}
	}
	return false
}

// Scrub replaces the secrets of every Set in text; it returns text itself
// when none shows.
func (ss Sets) Scrub(text string) string {
	for _, s := range ss {
		text = s.Scrub(text)
	}
	return text
}

// ScrubBytes is Scrub for a byte slice.
func (ss Sets) ScrubBytes(b []byte) []byte {
	for _, s := range ss {
		b = s.ScrubBytes(b)
	}
	return b
}

// Secrets returns the raw secrets of every Set.
func (ss Sets) Secrets() []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Secrets()...)
	}
	return out
}
