package taurusjob

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/taurusdb-tools/taurusjob/internal/clip"
)

// WriteStateFile replaces the file at path with token, atomically (see
// [WriteFileAtomic]), readable by its owner only. An empty token, or one
// longer than [MaxStateTokenLen] or holding a control character, is
// refused with an error matching [ErrInvalidInput] and nothing is written.
func WriteStateFile(path, token string) error {
	if token == "" || len(token) > MaxStateTokenLen || hasControl(token) {
		return invalid("state token", "is empty, too long, or holds control characters")
	}
	if err := WriteFileAtomic(path, []byte(token+"\n")); err != nil {
		return fmt.Errorf("taurusjob: write state file: %w", err)
	}
	return nil
}

// WriteFileAtomic replaces the file at path with data: it writes a
// temporary file in the same directory, syncs it to disk, and renames it
// over path, so that a crash leaves either the old content or the new one,
// never a mix, and a failure leaves no temporary file behind. The file is
// readable by its owner only (0600). An existing path that is not a
// regular file (a device, a pipe, a directory; a symbolic link is replaced,
// not followed) is refused with an error matching [ErrInvalidInput]: run as
// root, a rename over /dev/zero would replace the device. The CLI keeps its
// state and duration history with it; a program can keep a [History]'s
// JSON the same way.
func WriteFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if base == "" {
		return invalid("file", "path %q names a directory", clip.Text(path, 200))
	}
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() && fi.Mode()&fs.ModeSymlink == 0 {
		return invalid("file", "%s is not a regular file (%s); it is left as it is", clip.Text(path, 200), fi.Mode().Type())
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
			err = fmt.Errorf("%s: %w", path, err)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable, where the system allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// ReadStateFile returns the token saved at path by [WriteStateFile], with
// surrounding white space trimmed. It does not check the token: give it
// to [Waiter.Resume], which does. A missing file gives an error matching
// [io/fs.ErrNotExist] (start a fresh wait then); a file longer than a
// token can be gives an error matching [ErrInvalidInput].
func ReadStateFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("taurusjob: read state file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxStateTokenLen+64))
	if err != nil {
		return "", fmt.Errorf("taurusjob: read state file %s: %w", path, err)
	}
	token := strings.TrimSpace(string(b))
	if len(token) > MaxStateTokenLen {
		return "", invalid("state file", "%s is longer than a state token can be", path)
	}
	return token, nil
}
