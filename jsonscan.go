package taurusjob

import "bytes"

// topLevelValue returns the bytes of the value of key in the JSON object
// body, matching the key without regard to case as encoding/json does.
// body must be valid JSON (it has just been decoded). single is false when
// the key repeats or a key holds an escape, which this short scan does not
// unfold: the caller then asks the decoder.
//
// It exists so that Job.Raw costs a byte scan, not a second decode.
func topLevelValue(body []byte, key string) (value []byte, single bool) {
	found := 0
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, true
	}
	i++
	for {
		i = skipSpace(body, i)
		if i >= len(body) || body[i] == '}' {
			return value, found <= 1
		}
		if body[i] == ',' {
			i++
			continue
		}
		end := skipString(body, i)
		name := body[i+1 : end-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			return nil, false
		}
		i = skipSpace(body, end)
		i = skipSpace(body, i+1) // past ':'
		vend := skipValue(body, i)
		if bytes.EqualFold(name, []byte(key)) {
			value = body[i:vend]
			found++
		}
		i = vend
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i].
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index just past the value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
		i++
	}
	return i
}
