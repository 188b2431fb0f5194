// Package jobid holds what the library, its CLI and its adapters share
// about the text of a wait: how long a job id and a wait's state token may
// be, how a comma-joined list of ids is read, and which instance ids may
// be sent (instanceid.go).
package jobid

import "strings"

// MaxLen is the longest job id accepted. Real ids are 36-character UUIDs;
// the bound keeps a hostile or mistaken argument out of URLs, logs and
// state files.
const MaxLen = 128

// MaxStateTokenLen bounds a wait's state token. Tokens the library makes
// are a few hundred bytes; anything longer is refused before it is decoded.
const MaxStateTokenLen = 4096

// Split splits comma-joined ids (as read-replica creation returns them) and
// trims spaces around each. Empty pieces are kept, so that a malformed list
// gives an error for its place.
func Split(args ...string) []string {
	var ids []string
	for _, a := range args {
		for _, id := range strings.Split(a, ",") {
			ids = append(ids, strings.TrimSpace(id))
		}
	}
	return ids
}
