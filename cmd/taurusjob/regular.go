package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// The state file and the history file are read, then replaced by a rename
// (taurusjob.WriteFileAtomic). Both steps are only safe on a regular file:
// opening a FIFO blocks until a writer comes, which no signal interrupts,
// and the rename would replace a device node (run as root, /dev/null or
// /dev/zero) with a regular file. So they are read only when they are
// regular files, and never written when they are not.

// notRegularError is a path that exists but is not a regular file.
type notRegularError struct{ kind string }

func (e *notRegularError) Error() string {
	return "it is " + e.kind + ", not a regular file"
}

// errNotRegular matches every *notRegularError with errors.Is.
var errNotRegular = errors.New("not a regular file")

func (e *notRegularError) Is(target error) bool { return target == errNotRegular }

// fileKind names what a non-regular file is, for a message.
func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "not a plain file (" + m.Type().String() + ")"
}

// readRegular reads at most limit bytes of the regular file at name,
// following symbolic links. A path that exists but is not a regular file
// is a *notRegularError, found without opening it (os.Stat) and checked
// again on the open file, which is opened without blocking (openNoBlock)
// in case it was swapped meanwhile. A missing file is fs.ErrNotExist.
func readRegular(name string, limit int64) ([]byte, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &notRegularError{fileKind(st.Mode())}
	}
	f, err := openNoBlock(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fst, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fst.Mode().IsRegular() {
		return nil, &notRegularError{fileKind(fst.Mode())}
	}
	if !os.SameFile(st, fst) {
		return nil, fmt.Errorf("it was replaced while being opened")
	}
	return io.ReadAll(io.LimitReader(f, limit))
}

// followLinks returns the file that path names once its symbolic links
// are followed, even one that does not exist yet (a link to a missing
// file). That file is the one a write replaces and a removal removes: a
// link given as --state-file or --history-file (to a file kept with the
// user's dotfiles, say) is written through, and stays a link.
func followLinks(path string) (string, error) {
	for range 40 {
		st, err := os.Lstat(path)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			return path, nil // missing, or not a link: the write reports the rest
		}
		to, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(to) {
			dir, _ := filepath.Split(path) // not cleaned: ".." must follow the links before it
			to = dir + to
		}
		path = to
	}
	return "", errors.New("too many levels of symbolic links")
}
