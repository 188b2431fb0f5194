package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/atomicfile"
	"github.com/taurusdb-tools/taurusjob/internal/jobid"
)

// The --state-file of "taurusjob wait" keeps the state of the waits, so
// that a restarted wait (after a deploy, a crash, a CI retry) goes on with
// the same deadline and visibility grace window, and remembers which jobs
// were seen. It is a JSON object, rewritten atomically after every poll:
//
//	{"taurusjob_wait_state":1,"job_ids":["A","B"],"tokens":{"A":"tjs1.…"}}
//
// job_ids are the ids of the command that wrote it, in its order; tokens
// holds the library's state token (taurusjob.OnState) of each job whose wait
// has started and not reached a final outcome. A token holds the job id,
// times, poll count, the job's name, status and percent: no credential, no
// response body.
//
// One file holds every job of the command, each with its token (at most
// jobid.MaxStateTokenLen bytes), so that a command waiting for many jobs
// resumes them all; it is written whole (internal/atomicfile: temporary
// file, fsync, rename; mode 0600 when new, else the file's own; a link is
// written through to its target, see followLinks).

// stateFormat is the version of the state file's layout.
const stateFormat = 1

type stateDoc struct {
	Format int               `json:"taurusjob_wait_state"`
	JobIDs []string          `json:"job_ids"`
	Tokens map[string]string `json:"tokens"`
}

// maxStateFile bounds a state file for n jobs: a token and an id per job,
// with room for the JSON around them.
func maxStateFile(n int) int64 {
	return 4096 + int64(n)*(jobid.MaxStateTokenLen+2*jobid.MaxLen+16)
}

// openState takes the state file at path for this process (lockState),
// reads it for a wait for ids and checks its tokens: the saved token of
// each job to resume, and the store that keeps the file up to date. Every
// error is a usage error; the file is then left as it is, and unlocked.
// The caller closes the store.
func openState(path string, ids []string) (*stateStore, map[string]string, error) {
	// A link is written through (followLinks), so the lock is the target's.
	target, err := followLinks(path)
	if err != nil {
		return nil, nil, usagef("--state-file %s: %s", clip(path, 200), errText(err))
	}
	unlock, err := lockState(target)
	if err != nil {
		return nil, nil, err
	}
	tokens, err := readState(path, ids)
	if err == nil {
		err = checkTokens(path, tokens)
	}
	if err != nil {
		unlock()
		return nil, nil, err
	}
	s := newStateStore(target, ids, tokens)
	s.unlock = unlock
	return s, tokens, nil
}

// readState reads the state file at path for a wait for ids and returns
// the saved token of each job that has one. A missing or empty file is a
// fresh start: (nil, nil). Anything else that is not a state file written
// for exactly these ids is a usage error that names the file and says how
// to recover; the file is left as it is.
func readState(path string, ids []string) (map[string]string, error) {
	data, err := readRegular(path, maxStateFile(len(ids))+1)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case errors.Is(err, errNotRegular):
		// Never used nor replaced: the rename would replace a device node.
		return nil, usagef("--state-file: state file %s: %v; give the path of a regular file, or of one that does not exist yet",
			clip(path, 200), err)
	case err != nil:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is printed once, below
		}
		return nil, usagef("state file %s: %v", clip(path, 200), err)
	case int64(len(data)) > maxStateFile(len(ids)):
		return nil, foreignState(path, "it is larger than a state file for %s can be", plural(len(ids), "job"))
	case strings.TrimSpace(string(data)) == "":
		return nil, nil // e.g. made by mktemp: nothing saved yet
	}
	var doc stateDoc
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil || dec.More() {
		return nil, foreignState(path, "it is not JSON of the expected shape")
	}
	switch {
	case doc.Format == 0:
		return nil, foreignState(path, "it has no taurusjob_wait_state version")
	case doc.Format != stateFormat:
		return nil, usagef("state file %s has format version %d; this taurusjob reads version %d. "+
			"Delete the file to start a fresh wait", clip(path, 200), doc.Format, stateFormat)
	case len(doc.JobIDs) == 0:
		return nil, foreignState(path, "it lists no job id")
	}
	saved := map[string]bool{}
	for _, id := range doc.JobIDs {
		if taurusjob.ValidateJobID(id) != nil || saved[id] {
			return nil, foreignState(path, "it holds an invalid or repeated job id")
		}
		saved[id] = true
	}
	for id, token := range doc.Tokens {
		if !saved[id] || token == "" {
			return nil, foreignState(path, "it holds a state for a job it does not list")
		}
	}
	if !sameIDs(doc.JobIDs, ids) {
		return nil, usagef("state file %s was saved by a wait for %s, not for %s. "+
			"Give each command its own --state-file, or delete the file to start a fresh wait",
			clip(path, 200), idList(doc.JobIDs), idList(ids))
	}
	return doc.Tokens, nil
}

func foreignState(path, format string, args ...any) error {
	return usagef("state file %s is not a taurusjob wait state: %s. "+
		"If it is one, delete it to start a fresh wait; if not, give another --state-file",
		clip(path, 200), fmt.Sprintf(format, args...))
}

// sameIDs reports whether a and b hold the same ids, in any order.
func sameIDs(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// idList names jobs for a message: "job A" or "jobs A, B, C" (at most a
// few, then a count). The ids were validated, so they are safe to print.
func idList(ids []string) string {
	if len(ids) == 1 {
		return "job " + ids[0]
	}
	const show = 4
	if len(ids) > show {
		return fmt.Sprintf("jobs %s and %d more", strings.Join(ids[:show], ", "), len(ids)-show)
	}
	return "jobs " + strings.Join(ids, ", ")
}

// checkTokens checks every saved token as Waiter.ResumePoller does, which
// sends no request: a corrupt, edited or foreign token is a usage error
// before any wait starts, so that exit 2 still means nothing was sent.
func checkTokens(path string, tokens map[string]string) error {
	w, err := taurusjob.NewWaiter(noRequests{})
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(tokens))
	for id := range tokens {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if _, err := w.ResumePoller(id, tokens[id]); errors.Is(err, taurusjob.ErrInvalidInput) {
			return usagef("state file %s: the saved state of job %s is unusable: its token %s. "+
				"Delete the file to start a fresh wait", clip(path, 200), id, reason(err))
		}
	}
	return nil
}

// noRequests is the getter of checkTokens' waiter, which never polls: a
// fence, should that change.
type noRequests struct{}

func (noRequests) GetJob(context.Context, string) (*taurusjob.Job, error) {
	return nil, context.Canceled
}

// stateStore keeps the state file up to date while the waits run. It is
// safe for concurrent use: the waits report from several goroutines.
type stateStore struct {
	path   string
	unlock func() // releases the lock of openState

	mu     sync.Mutex
	doc    stateDoc
	log    io.Writer // where a failed write is reported, once
	warned bool
}

func newStateStore(path string, ids []string, tokens map[string]string) *stateStore {
	doc := stateDoc{Format: stateFormat, JobIDs: ids, Tokens: map[string]string{}}
	for id, token := range tokens {
		doc.Tokens[id] = token
	}
	return &stateStore{path: path, doc: doc, log: io.Discard, unlock: func() {}}
}

// close releases the state file for another process.
func (s *stateStore) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unlock()
}

// save writes the whole file; s.mu is held (or the waits have not started).
func (s *stateStore) save() error {
	data, err := json.Marshal(s.doc)
	if err != nil {
		return err
	}
	return atomicfile.Write(s.path, append(data, '\n'))
}

// saveOrWarn saves, and reports the first failure: the wait goes on (it
// matters more than its state), but a restart would begin it afresh.
func (s *stateStore) saveOrWarn() {
	if err := s.save(); err != nil && !s.warned {
		s.warned = true
		fmt.Fprintf(s.log, "taurusjob: warning: could not update the state file: %s; the wait goes on, "+
			"but a restart would begin it afresh\n", errText(err))
	}
}

// put is the OnState callback: the latest state of a job's wait.
func (s *stateStore) put(jobID, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.doc.Tokens[jobID] = token
	s.saveOrWarn()
}

// ended records how a job's wait ended. A final outcome drops its state: a
// run resumed from this file waits for that job afresh (one poll, for a
// job that has ended). A timeout or an interruption keeps it.
func (s *stateStore) ended(jobID, outcome string) {
	if !finalOutcome(outcome) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.doc.Tokens[jobID]; ok {
		delete(s.doc.Tokens, jobID)
		s.saveOrWarn()
	}
}

// finish removes the file once every job reached a final outcome; it is
// kept, for the next run to resume, when a job timed out or was interrupted.
func (s *stateStore) finish(allFinal bool) {
	if !allFinal {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Remove(s.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(s.log, "taurusjob: warning: could not remove the state file: %s\n", errText(err))
	}
}

// finalOutcome reports whether an outcome ends the wait for good: all but
// a timeout and an interruption, which a restarted wait resumes.
func finalOutcome(outcome string) bool {
	return outcome != "timeout" && outcome != "interrupted"
}
