package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var commitTime = time.Date(2026, 12, 4, 4, 0, 0, 0, time.UTC)

// files writes a fake binary (executable) and a README into a new directory.
func files(t *testing.T, bin string) []entry {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "bin"), "\x7fELF binary bytes", 0o755)
	write(t, filepath.Join(dir, "README.md"), "# taurusjob\n", 0o600)
	write(t, filepath.Join(dir, "CHANGELOG.md"), "# Changelog\n", 0o644)
	return []entry{{bin, filepath.Join(dir, "bin")}, {"README.md", filepath.Join(dir, "README.md")}, {"CHANGELOG.md", filepath.Join(dir, "CHANGELOG.md")}}
}

func write(t *testing.T, path, data string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // past the umask
		t.Fatal(err)
	}
}

// A maintainer and CI building the same commit publish the same archives:
// nothing of the machine (file times, owner, umask) gets in.
func TestArchivesAreTheSameBytesWhoeverBuildsThem(t *testing.T) {
	for _, name := range []string{"a.tar.gz", "a.zip"} {
		first, second := files(t, "taurusjob"), files(t, "taurusjob")
		for _, e := range second {
			os.Chtimes(e.path, time.Now().Add(-time.Hour), time.Now().Add(-time.Hour))
		}
		os.Chmod(second[1].path, 0o664)
		out1, out2 := filepath.Join(t.TempDir(), name), filepath.Join(t.TempDir(), name)
		if err := writeArchive(out1, first, commitTime); err != nil {
			t.Fatal(err)
		}
		if err := writeArchive(out2, second, commitTime); err != nil {
			t.Fatal(err)
		}
		b1, _ := os.ReadFile(out1)
		b2, _ := os.ReadFile(out2)
		if !bytes.Equal(b1, b2) {
			t.Errorf("%s: two builds of the same files differ", name)
		}
	}
}

// A user who unpacks the archive can run the binary at once, and finds the
// docs beside it, with the commit's time.
func TestArchivesKeepTheBinaryRunnable(t *testing.T) {
	for _, tc := range []struct{ name, bin string }{{"x.tar.gz", "taurusjob"}, {"x.zip", "taurusjob.exe"}} {
		out := filepath.Join(t.TempDir(), tc.name)
		if err := writeArchive(out, files(t, tc.bin), commitTime); err != nil {
			t.Fatal(err)
		}
		got := unpack(t, out)
		want := map[string]os.FileMode{tc.bin: 0o755, "README.md": 0o644, "CHANGELOG.md": 0o644}
		for name, mode := range want {
			f, ok := got[name]
			if !ok {
				t.Errorf("%s: no %s in %v", tc.name, name, got)
				continue
			}
			if f.mode != mode || !f.mtime.Equal(commitTime) {
				t.Errorf("%s: %s has mode %o, time %v; want %o, %v", tc.name, name, f.mode, f.mtime, mode, commitTime)
			}
		}
		if got[tc.bin].data != "\x7fELF binary bytes" {
			t.Errorf("%s: the binary reads %q", tc.name, got[tc.bin].data)
		}
		if b, err := binaryOf(out, tc.bin); err != nil || string(b) != "\x7fELF binary bytes" {
			t.Errorf("binaryOf(%s) = %q, %v", tc.name, b, err)
		}
	}
}

func TestArchiveRefusesWhatItCannotMake(t *testing.T) {
	dir := t.TempDir()
	if err := writeArchive(filepath.Join(dir, "x.rar"), files(t, "taurusjob"), commitTime); err == nil {
		t.Error("an archive named .rar was written")
	}
	if err := writeArchive(filepath.Join(dir, "x.tar.gz"), []entry{{"taurusjob", filepath.Join(dir, "missing")}}, commitTime); err == nil {
		t.Error("an archive of a missing file was written")
	}
	if _, err := os.Stat(filepath.Join(dir, "x.tar.gz")); err == nil {
		t.Error("a failed archive was left behind")
	}
	for _, bad := range []string{"taurusjob", "=path", "../x=path"} {
		if _, err := parseEntries([]string{bad}); err == nil {
			t.Errorf("entry %q was accepted", bad)
		}
	}
}

type file struct {
	data  string
	mode  os.FileMode
	mtime time.Time
}

func unpack(t *testing.T, archive string) map[string]file {
	t.Helper()
	got := map[string]file{}
	if strings.HasSuffix(archive, ".zip") {
		zr, err := zip.OpenReader(archive)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			rc, _ := f.Open()
			data, _ := io.ReadAll(rc)
			rc.Close()
			got[f.Name] = file{string(data), f.Mode().Perm(), f.Modified.UTC()}
		}
		return got
	}
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Uid != 0 || hdr.Gid != 0 || hdr.Uname != "" || hdr.Gname != "" {
			t.Errorf("%s names an owner: %d/%d %q/%q", hdr.Name, hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname)
		}
		data, _ := io.ReadAll(tr)
		got[hdr.Name] = file{string(data), os.FileMode(hdr.Mode).Perm(), hdr.ModTime.UTC()}
	}
}

// A user checks a download against checksums.txt: a file changed, left
// out or listed but absent is caught.
func TestChecksumsCatchEveryDifference(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.tar.gz"), "archive", 0o644)
	write(t, filepath.Join(dir, "a.tar.gz.sbom.json"), "{}", 0o644)
	if err := writeChecksums(dir); err != nil {
		t.Fatal(err)
	}
	sums, _ := os.ReadFile(filepath.Join(dir, checksumsFile))
	// sha256sum's own format, so that `sha256sum -c` reads it.
	sum := sha256.Sum256([]byte("archive"))
	if line := hex.EncodeToString(sum[:]) + "  a.tar.gz\n"; !strings.HasPrefix(string(sums), line) || strings.Count(string(sums), "\n") != 2 {
		t.Fatalf("checksums.txt:\n%s\nwant two lines, the first %q", sums, line)
	}
	if err := checkChecksums(dir); err != nil {
		t.Fatalf("fresh checksums: %v", err)
	}
	write(t, filepath.Join(dir, "a.tar.gz"), "archivE", 0o644)
	if err := checkChecksums(dir); err == nil || !strings.Contains(err.Error(), "a.tar.gz") {
		t.Errorf("a changed archive: %v", err)
	}
	writeChecksums(dir)
	write(t, filepath.Join(dir, "b.zip"), "new", 0o644)
	if err := checkChecksums(dir); err == nil || !strings.Contains(err.Error(), "b.zip") {
		t.Errorf("a file checksums.txt does not list: %v", err)
	}
	os.Remove(filepath.Join(dir, "b.zip"))
	os.Remove(filepath.Join(dir, "a.tar.gz.sbom.json"))
	if err := checkChecksums(dir); err == nil || !strings.Contains(err.Error(), "sbom") {
		t.Errorf("a listed file that is gone: %v", err)
	}
}

// fakeRelease writes what release.sh writes, with fake binaries: enough to
// reach every check before the binaries' build info.
func fakeRelease(t *testing.T, version string) string {
	t.Helper()
	dir := t.TempDir()
	for _, tg := range targets {
		name := tg.archive(version)
		if err := writeArchive(filepath.Join(dir, name), files(t, tg.binary()), commitTime); err != nil {
			t.Fatal(err)
		}
		sbom := `{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"version":"v` + version +
			`","purl":"pkg:golang/github.com/taurusdb-tools/taurusjob@v` + version + `?goarch=` + tg.goarch + `&goos=` + tg.goos + `&type=module"}}}`
		write(t, filepath.Join(dir, name+".sbom.json"), sbom, 0o644)
	}
	if err := writeChecksums(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// CI's snapshot check fails on any release a user could not use whole.
func TestVerifyRefusesAnIncompleteRelease(t *testing.T) {
	const v = "0.2.0-snapshot"
	cases := []struct {
		name string
		edit func(dir string)
		want string
	}{
		{"fake binaries", func(string) {}, "no Go build info"},
		{"an archive missing", func(dir string) {
			os.Remove(filepath.Join(dir, "taurusjob_"+v+"_darwin_arm64.tar.gz"))
			writeChecksums(dir)
		}, "darwin_arm64.tar.gz is missing"},
		{"a stray archive", func(dir string) {
			write(t, filepath.Join(dir, "taurusjob_"+v+"_plan9_386.tar.gz"), "x", 0o644)
			writeChecksums(dir)
		}, "plan9_386.tar.gz: an archive no target makes"},
		{"a checksum wrong", func(dir string) {
			write(t, filepath.Join(dir, "taurusjob_"+v+"_linux_amd64.tar.gz.sbom.json"), "{}", 0o644)
		}, "linux_amd64.tar.gz.sbom.json: sha256"},
		{"an SBOM that is not JSON", func(dir string) {
			write(t, filepath.Join(dir, "taurusjob_"+v+"_linux_amd64.tar.gz.sbom.json"), "<bom/>", 0o644)
			writeChecksums(dir)
		}, "is not JSON"},
		{"an SBOM of another format", func(dir string) {
			write(t, filepath.Join(dir, "taurusjob_"+v+"_linux_amd64.tar.gz.sbom.json"), `{"spdxVersion":"SPDX-2.3"}`, 0o644)
			writeChecksums(dir)
		}, "want a CycloneDX SBOM"},
		{"an SBOM of another platform", func(dir string) {
			sbom, _ := os.ReadFile(filepath.Join(dir, "taurusjob_"+v+"_linux_arm64.tar.gz.sbom.json"))
			write(t, filepath.Join(dir, "taurusjob_"+v+"_linux_amd64.tar.gz.sbom.json"), string(sbom), 0o644)
			writeChecksums(dir)
		}, "not built for linux/amd64"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := fakeRelease(t, v)
			tc.edit(dir)
			err := verify(dir, v, "-")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("verify: %v; want an error saying %q", err, tc.want)
			}
		})
	}
	if err := verify(fakeRelease(t, v), "0.2.0", "-"); err == nil || !strings.Contains(err.Error(), "an archive no target makes") {
		t.Errorf("a release of another version: %v", err)
	}
}
