// Package atomicfile replaces a file whole: the CLI keeps its state file
// and its duration history with it, so that a crash or a full disk never
// leaves half a file for the next run to read.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/taurusdb-tools/taurusjob/internal/clip"
)

// ErrNotRegular matches the error of a Write refused because path is, or
// names, something other than a regular file.
var ErrNotRegular = errors.New("not a regular file")

// Write replaces the file at path with data: it writes a temporary file in
// the same directory, syncs it to disk, and renames it over path, so that a
// crash leaves either the old content or the new one, never a mix, and a
// failure leaves no temporary file behind. A new file is readable by its
// owner only (0600); a file replaced keeps its permission bits, which its
// owner chose (0640 for a CI's group, say). An existing path that is not a regular file (a
// device, a pipe, a directory; a symbolic link is replaced, not followed)
// is refused with an error matching [ErrNotRegular]: run as root, a rename
// over /dev/zero would replace the device.
func Write(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if base == "" {
		return fmt.Errorf("%w: path %q names a directory", ErrNotRegular, clip.Text(path, 200))
	}
	perm := fs.FileMode(0o600)
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() && fi.Mode()&fs.ModeSymlink == 0 {
		return fmt.Errorf("%w: %s is %s; it is left as it is", ErrNotRegular, clip.Text(path, 200), fi.Mode().Type())
	} else if err == nil && fi.Mode().IsRegular() {
		perm = fi.Mode().Perm()
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
	if err = f.Chmod(perm); err != nil {
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
