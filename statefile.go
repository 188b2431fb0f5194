package taurusjob

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// WriteStateFile replaces the file at path with token, atomically: it
// writes a temporary file in the same directory, syncs it to disk, and
// renames it over path, so that a crash leaves either the old token or the
// new one, never a mix. The file is readable by its owner only (0600). An
// empty token, or one longer than [MaxStateTokenLen] or holding a control
// character, is refused with an error matching [ErrInvalidInput] and
// nothing is written. A failure leaves no temporary file behind.
func WriteStateFile(path, token string) (err error) {
	if token == "" || len(token) > MaxStateTokenLen || hasControl(token) {
		return invalid("state token", "is empty, too long, or holds control characters")
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if base == "" {
		return invalid("state file", "path %q names a directory", path)
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("taurusjob: write state file: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
			err = fmt.Errorf("taurusjob: write state file %s: %w", path, err)
		}
	}()
	if _, err = io.WriteString(f, token+"\n"); err != nil {
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
