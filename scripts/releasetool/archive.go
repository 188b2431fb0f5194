package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// entry is one file of an archive: its name inside, the file it is read from.
type entry struct{ name, path string }

func parseEntries(args []string) ([]entry, error) {
	var entries []entry
	for _, a := range args {
		name, path, ok := strings.Cut(a, "=")
		if !ok || name == "" || path == "" || strings.Contains(name, "..") {
			return nil, fmt.Errorf("entry %q: want NAME=PATH", a)
		}
		entries = append(entries, entry{name, path})
	}
	return entries, nil
}

// writeArchive writes the entries, in the order given, to out: a zip if out
// ends in .zip (what Windows opens), else a gzipped tar. Every entry has the
// same time and no owner, so that one commit gives one archive, byte for
// byte, whoever builds it; an executable keeps its x bit.
func writeArchive(out string, entries []entry, mtime time.Time) (err error) {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(out)
		}
	}()
	if strings.HasSuffix(out, ".zip") {
		return writeZip(f, entries, mtime)
	}
	if !strings.HasSuffix(out, ".tar.gz") {
		return fmt.Errorf("%s: want a name ending in .tar.gz or .zip", out)
	}
	return writeTarGz(f, entries, mtime)
}

func writeTarGz(w io.Writer, entries []entry, mtime time.Time) error {
	gz := gzip.NewWriter(w) // no name, zero time: nothing of this machine
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		data, mode, err := readEntry(e)
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: e.name, Mode: int64(mode), Size: int64(len(data)), ModTime: mtime, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, entries []entry, mtime time.Time) error {
	zw := zip.NewWriter(w)
	for _, e := range entries {
		data, mode, err := readEntry(e)
		if err != nil {
			return err
		}
		hdr := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: mtime}
		hdr.SetMode(mode)
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := fw.Write(data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// readEntry reads a file and picks its mode in the archive: 0755 if it is
// executable here, else 0644 (never this machine's umask or owner).
func readEntry(e entry) ([]byte, os.FileMode, error) {
	info, err := os.Stat(e.path)
	if err != nil {
		return nil, 0, err
	}
	if !info.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("%s is not a regular file", e.path)
	}
	data, err := os.ReadFile(e.path)
	if err != nil {
		return nil, 0, err
	}
	if info.Mode().Perm()&0o111 != 0 {
		return data, 0o755, nil
	}
	return data, 0o644, nil
}
