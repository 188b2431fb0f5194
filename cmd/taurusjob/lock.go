package main

import (
	"errors"
	"io/fs"
)

// Two wait commands given one --state-file would each rewrite it with
// their own jobs' state, the last write winning, silently. So a wait holds
// a lock on the file while it runs, and a second one is refused (exit 2)
// before it reads the file or sends a request.
//
// The state file itself cannot carry the lock: it is replaced by a rename
// after every poll, and a lock on the old file does not pass to the new
// one. The lock is on a sidecar, PATH.lock, that is never renamed. It is
// released when the process ends, whatever the way (the system drops the
// lock with the process), and the sidecar is removed on a clean exit.

// errLocked is a lock that another process holds.
var errLocked = errors.New("locked by another process")

// lockPath is the sidecar that carries the lock of the state file at path.
func lockPath(path string) string { return path + ".lock" }

// lockState takes the lock of the state file at path, without waiting.
// unlock releases it; it must be called once.
func lockState(path string) (unlock func(), err error) {
	unlock, err = lockFile(lockPath(path))
	switch {
	case errors.Is(err, errLocked):
		return nil, usagef("--state-file %s is in use by another taurusjob command (it holds %s); "+
			"give each command its own --state-file", clip(path, 200), clip(lockPath(path), 205))
	case err != nil:
		return nil, usagef("--state-file %s: cannot write it: its lock file %s: %s",
			clip(path, 200), clip(lockPath(path), 205), errText(unwrapPath(err)))
	}
	return unlock, nil
}

// unwrapPath drops the path of an *fs.PathError, which the message names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
