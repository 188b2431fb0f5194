package redact

// Sets looks through several Sets as one: a client's long-lived
// credentials, built once, and a request's own signature. Nil entries are
// skipped.
type Sets []*Set

// Contains reports whether text shows a secret of any Set, as written or
// with its JSON, URL or HTML escapes undone.
func (ss Sets) Contains(text string) bool { return ss.ContainsBytes(bytesOf(text)) }

// ContainsBytes is Contains for a byte slice.
func (ss Sets) ContainsBytes(b []byte) bool {
	if ss.rawContains(b) {
		return true
	}
	if !hasEscapes(b) {
		return false
	}
	for _, v := range views(string(b)) {
		if ss.rawContains(bytesOf(v)) {
			return true
		}
	}
	return false
}

func (ss Sets) rawContains(b []byte) bool {
	for _, s := range ss {
		if s.rawContains(b) {
			return true
		}
	}
	return false
}

// Scrub replaces the secrets of every Set in text, as Set.Scrub does; it
// returns text itself when none shows.
func (ss Sets) Scrub(text string) string {
	for _, s := range ss {
		text = s.scrubRaw(text)
	}
	if hasEscapes(bytesOf(text)) {
		for _, v := range views(text) {
			if ss.rawContains(bytesOf(v)) {
				return Marker
			}
		}
	}
	return text
}

// ScrubBytes replaces the secrets of every Set in b as written, as
// Set.ScrubBytes does.
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
