package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

const checksumsFile = "checksums.txt"

// writeChecksums writes DIR/checksums.txt in sha256sum's format ("HASH  NAME",
// sorted by name), for every other regular file in DIR: a user checks a
// download with `sha256sum --ignore-missing -c checksums.txt`.
func writeChecksums(dir string) error {
	names, err := releaseFiles(dir)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, name := range names {
		sum, err := sha256File(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, name)
	}
	return os.WriteFile(filepath.Join(dir, checksumsFile), []byte(b.String()), 0o644)
}

// checkChecksums reads DIR/checksums.txt and fails unless it names every
// other file in DIR exactly once, each with its sha256.
func checkChecksums(dir string) error {
	f, err := os.Open(filepath.Join(dir, checksumsFile))
	if err != nil {
		return err
	}
	defer f.Close()
	listed := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 || name == "" {
			return fmt.Errorf("%s line %d: want \"SHA256  NAME\", got %q", checksumsFile, n, sc.Text())
		}
		if _, dup := listed[name]; dup {
			return fmt.Errorf("%s names %s twice", checksumsFile, name)
		}
		listed[name] = sum
	}
	if err := sc.Err(); err != nil {
		return err
	}
	names, err := releaseFiles(dir)
	if err != nil {
		return err
	}
	for _, name := range names {
		want, ok := listed[name]
		if !ok {
			return fmt.Errorf("%s does not list %s", checksumsFile, name)
		}
		delete(listed, name)
		got, err := sha256File(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("%s: sha256 %s, but %s says %s", name, got, checksumsFile, want)
		}
	}
	for name := range listed {
		return fmt.Errorf("%s lists %s, which is not in %s", checksumsFile, name, dir)
	}
	return nil
}

// releaseFiles lists the regular files of dir but checksums.txt, sorted.
func releaseFiles(dir string) ([]string, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, de := range des {
		if de.Type().IsRegular() && de.Name() != checksumsFile {
			names = append(names, de.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

func sha256File(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}
