//go:build darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd

package main

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive flock(2) on the file name, created if
// missing, without waiting: errLocked if another process holds it. The
// system releases a flock when the process ends, even on a crash or a
// SIGKILL, so a lock is never left behind; a sidecar left by a crash is
// simply locked again.
//
// unlock removes the file, then releases the lock. A process that opened
// the file before it was removed may then get a lock on a file no longer
// at name, which would exclude nobody: so after locking, the file at name
// must still be the one locked, or the lock is taken again.
func lockFile(name string) (unlock func(), err error) {
	for range 10 {
		// O_NOFOLLOW: a symbolic link planted at name does not make the
		// lock create a file elsewhere. O_NONBLOCK: a FIFO does not block.
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o600)
		if err != nil {
			return nil, err
		}
		held, err := f.Stat()
		if err == nil && !held.Mode().IsRegular() {
			err = &notRegularError{fileKind(held.Mode())}
		}
		if err == nil {
			err = flock(f)
		}
		if err != nil {
			f.Close()
			return nil, err
		}
		if now, err := os.Lstat(name); err == nil && os.SameFile(held, now) {
			return func() {
				os.Remove(name)
				f.Close()
			}, nil
		}
		f.Close() // removed by its last holder meanwhile: lock the new one
	}
	return nil, errors.New("it keeps being replaced")
}

// flock locks f exclusively, or returns errLocked if another process holds it.
func flock(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		ferr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB)
	}); err != nil {
		return err
	}
	if errors.Is(ferr, syscall.EWOULDBLOCK) {
		return errLocked
	}
	return ferr
}
