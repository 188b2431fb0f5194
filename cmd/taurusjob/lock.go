package main

import (
	"errors"
	"io/fs"
	"os"
	"runtime"

	"github.com/gofrs/flock"
)

// Two wait commands given one --state-file would each rewrite it with
// their own jobs' state, the last write winning, silently. So a wait holds
// a lock on the file while it runs, and a second one is refused (exit 2)
// before it reads the file or sends a request.
//
// The state file itself cannot carry the lock: it is replaced by a rename
// after every poll, and a lock on the old file does not pass to the new
// one. The lock is on a sidecar, FILE.lock, that is never renamed, taken
// with gofrs/flock (flock(2) on Unix, LockFileEx on Windows, fcntl on AIX
// and Solaris). The system drops it when the process ends, whatever the
// way, so a sidecar left by a crash locks nothing.
//
// A FILE.lock that was there before is reused, never truncated nor
// removed: it may be the user's own file (a deploy.lock beside
// --state-file deploy). Only a sidecar this run created is removed at its
// end.

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

// lockFile takes an exclusive lock on the file name without waiting:
// errLocked if another process holds it. It creates the file when it is
// missing (O_EXCL: then it is this run's), else opens it as it is (no
// O_TRUNC). A name that is not a regular file (a symbolic link planted
// there, a FIFO, whose open would block) is refused.
//
// A created file is removed before it is unlocked. A process that opened
// it just before may then lock a file no longer at name, which excludes
// nobody: so after locking, the file at name must still be the one
// locked, or the lock is taken again.
func lockFile(name string) (unlock func(), err error) {
	for range 10 {
		if st, err := os.Lstat(name); err == nil && !st.Mode().IsRegular() {
			return nil, &notRegularError{fileKind(st.Mode())}
		}
		created := true
		l := flock.New(name, flock.SetFlag(os.O_CREATE|os.O_EXCL|os.O_RDWR), flock.SetPermissions(0o600))
		ok, err := l.TryLock()
		if errors.Is(err, fs.ErrExist) {
			// The library's own flags: read-only where a read-only file
			// can be locked, so that a user's file it may not write works.
			created, l = false, flock.New(name)
			ok, err = l.TryLock()
		}
		switch {
		case errors.Is(err, errors.ErrUnsupported):
			return func() {}, nil // Plan 9, WebAssembly: no lock, as the README says
		case err != nil:
			return nil, err
		case !ok:
			return nil, errLocked
		}
		held, err := l.Stat()
		now, lerr := os.Lstat(name)
		if err == nil && lerr == nil && os.SameFile(held, now) {
			return func() { release(l, created) }, nil
		}
		l.Close() // replaced meanwhile: lock the file now at name
	}
	return nil, errors.New("it keeps being replaced")
}

// release unlocks l, and removes its file if this run created it. On
// Unix the file is removed while still locked (see lockFile); Windows
// cannot remove a file that is open, so there it is closed first, and a
// removal fails, leaving the file, if another process opened it meanwhile.
func release(l *flock.Flock, created bool) {
	if created && runtime.GOOS != "windows" {
		os.Remove(l.Path())
	}
	l.Close()
	if created && runtime.GOOS == "windows" {
		os.Remove(l.Path())
	}
}

// unwrapPath drops the path of an *fs.PathError, which the message names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
