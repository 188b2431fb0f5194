//go:build windows

package main

import (
	"errors"
	"os"
	"syscall"
)

// errorSharingViolation is ERROR_SHARING_VIOLATION: the file is open
// elsewhere with a share mode that excludes this open.
const errorSharingViolation syscall.Errno = 32

// lockFile opens the file name, created if missing, with no sharing at
// all: while this process holds it open, every other open fails with a
// sharing violation, which is errLocked. Windows closes the handle when
// the process ends, whatever the way, so the lock is never left behind.
//
// unlock closes the handle, then removes the file. If another process
// opened it in between, the removal fails (it is open without
// FILE_SHARE_DELETE) and that process keeps its lock.
func lockFile(name string) (unlock func(), err error) {
	p, err := syscall.UTF16PtrFromString(name)
	if err != nil {
		return nil, err
	}
	h, err := syscall.CreateFile(p, syscall.GENERIC_READ|syscall.GENERIC_WRITE, 0, nil,
		syscall.OPEN_ALWAYS, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if errors.Is(err, errorSharingViolation) {
		return nil, errLocked
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	return func() {
		syscall.CloseHandle(h)
		os.Remove(name)
	}, nil
}
