package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/atomicfile"
)

// The duration history of "taurusjob wait": how long completed jobs took,
// by job name (taurusjob.History), kept in a JSON file across runs so that
// the schedule can poll around a job's likely end from the first run on.
// It is a help, never a requirement: a missing file is an empty history; an
// unreadable or corrupt file, or a path that is not a regular file, is
// neither used nor written (it may be the user's notes given by mistake,
// or a device), with one warning; a failed save is a warning.

// maxHistoryFile bounds the history file read: a History keeps 8
// durations per name, a few dozen bytes each.
const maxHistoryFile = 4 << 20

// envNoHistory, set to 1 (or true), is --no-history from the environment.
// fake-api exports it, so that the fake's jobs, done in seconds, stay out
// of the user's real history: recorded there, a fake of an hour-long
// job's name made the next real one show "ETA within 39s".
const envNoHistory = "TAURUSJOB_NO_HISTORY"

// historyFromEnv applies envNoHistory to o, unless --history-file or
// --no-history was given (a flag beats its variable).
func historyFromEnv(o *options, env func(string) string) error {
	v := env(envNoHistory)
	if v == "" || o.set["history-file"] || o.set["no-history"] {
		return nil
	}
	off, err := strconv.ParseBool(v)
	if err != nil {
		return usagef("%s=%q: give 1 (no history) or 0", envNoHistory, clip(v, 20))
	}
	o.noHistory = off
	return nil
}

// defaultHistoryPath is taurusjob/history.json in the user's cache
// directory, or "" (no history) when the system has none (no $HOME).
func defaultHistoryPath() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "taurusjob", "history.json")
}

// historyFile is a History with the file it was loaded from.
type historyFile struct {
	path   string // the file itself, its links followed
	h      *taurusjob.History
	loaded []byte // the history as loaded, encoded: an unchanged one is not rewritten
	keep   bool   // the file was not a history: leave it as it is
}

// loadHistory reads the history at path. Problems are warnings on warn.
func loadHistory(path string, warn io.Writer) *historyFile {
	hf := &historyFile{path: path, h: new(taurusjob.History)}
	target, err := followLinks(path)
	var data []byte
	if err == nil {
		hf.path = target
		data, err = readRegular(target, maxHistoryFile+1)
	}
	var problem string
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		problem = err.Error()
	case len(data) > maxHistoryFile:
		problem = fmt.Sprintf("larger than %d bytes", maxHistoryFile)
	case strings.TrimSpace(string(data)) == "":
	default:
		problem = parseHistory(data, hf.h)
	}
	if problem != "" {
		hf.h, hf.keep = new(taurusjob.History), true // what parsed is not used either
		fmt.Fprintf(warn, "taurusjob: warning: not using the duration history %s (%s); it is left as it is. "+
			"Remove or fix it, give another --history-file, or --no-history\n", clip(path, 200), problem)
	}
	hf.loaded, _ = json.Marshal(hf.h)
	return hf
}

// parseHistory reads data into h, or says why data is not a history
// that can be rewritten without losing any of it: a JSON object of job
// names to lists of seconds, every one of which h keeps. Another
// program's JSON often parses as such an object ({"readings":[…]}), with
// more values than a history keeps per name, or values it drops
// (negative, over 30 days): rewritten, it would lose them.
func parseHistory(data []byte, h *taurusjob.History) string {
	var in map[string][]float64
	if err := json.Unmarshal(data, &in); err != nil {
		return "not a duration history: " + errText(err)
	}
	if in == nil {
		return "not a duration history: it is null"
	}
	if err := json.Unmarshal(data, h); err != nil {
		return "not a duration history: " + errText(err)
	}
	var kept map[string][]float64
	b, _ := json.Marshal(h)
	json.Unmarshal(b, &kept)
	for _, name := range slices.Sorted(maps.Keys(in)) {
		if n := len(kept[name]); n != len(in[name]) {
			return fmt.Sprintf("a rewrite would lose some of it: of the %d values under %q, a history keeps %d "+
				"(the last few, each over 0 s and under 30 days)", len(in[name]), clip(name, 60), n)
		}
	}
	return ""
}

// save writes the history back, atomically, when a wait added to it and
// the file was a history (or missing) when loaded.
func (hf *historyFile) save() error {
	data, err := json.Marshal(hf.h)
	if err != nil || hf.keep || bytes.Equal(data, hf.loaded) {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(hf.path), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(hf.path, append(data, '\n'))
}
