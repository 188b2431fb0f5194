package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"
)

// target is one platform a release carries a binary for.
type target struct{ goos, goarch string }

// targets are the platforms of a release, as scripts/release.sh builds them.
var targets = []target{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

const versionPkg = "github.com/taurusdb-tools/taurusjob/internal/version"

func (t target) archive(version string) string {
	ext := ".tar.gz"
	if t.goos == "windows" {
		ext = ".zip"
	}
	return fmt.Sprintf("taurusjob_%s_%s_%s%s", version, t.goos, t.goarch, ext)
}

func (t target) binary() string {
	if t.goos == "windows" {
		return "taurusjob.exe"
	}
	return "taurusjob"
}

// verify checks what a user downloads from a release in dir: one archive
// per target and no other, checksums.txt true to every file, a CycloneDX
// SBOM per archive naming its platform, and in each archive a binary built
// for that platform (no cgo, -trimpath) from commit, stamped with version.
// The binary for this machine, if any, is run: its `version` names version.
// A commit of "-" expects none (Go records none in a git worktree).
func verify(dir, version, commit string) error {
	var want []string
	for _, t := range targets {
		want = append(want, t.archive(version))
	}
	names, err := releaseFiles(dir)
	if err != nil {
		return err
	}
	for _, name := range names {
		if (strings.HasSuffix(name, ".tar.gz") || strings.HasSuffix(name, ".zip")) && !slices.Contains(want, name) {
			return fmt.Errorf("%s: an archive no target makes (want %s)", name, strings.Join(want, ", "))
		}
	}
	for _, name := range want {
		if !slices.Contains(names, name) {
			return fmt.Errorf("%s is missing from %s", name, dir)
		}
	}
	if err := checkChecksums(dir); err != nil {
		return err
	}
	for _, t := range targets {
		archive := filepath.Join(dir, t.archive(version))
		if err := checkSBOM(archive+".sbom.json", t, version); err != nil {
			return err
		}
		bin, err := binaryOf(archive, t.binary())
		if err != nil {
			return err
		}
		if err := checkBuild(bin, t, version, commit); err != nil {
			return fmt.Errorf("%s: %w", archive, err)
		}
		if t.goos == runtime.GOOS && t.goarch == runtime.GOARCH {
			if err := checkVersionOutput(bin, t.binary(), version); err != nil {
				return fmt.Errorf("%s: %w", archive, err)
			}
		}
	}
	return nil
}

// checkSBOM reads an SBOM as CycloneDX JSON: its main component is
// taurusjob at version, built for t.
func checkSBOM(path string, t target, version string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var bom struct {
		BOMFormat   string `json:"bomFormat"`
		SpecVersion string `json:"specVersion"`
		Metadata    struct {
			Component struct {
				Version string `json:"version"`
				PURL    string `json:"purl"`
			} `json:"component"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(data, &bom); err != nil {
		return fmt.Errorf("%s is not JSON: %w", path, err)
	}
	c := bom.Metadata.Component
	switch {
	case bom.BOMFormat != "CycloneDX" || bom.SpecVersion == "":
		return fmt.Errorf("%s: bomFormat %q, specVersion %q; want a CycloneDX SBOM", path, bom.BOMFormat, bom.SpecVersion)
	case c.Version != "v"+version:
		return fmt.Errorf("%s: the component's version is %q, want %q", path, c.Version, "v"+version)
	case !strings.Contains(c.PURL, "goos="+t.goos) || !strings.Contains(c.PURL, "goarch="+t.goarch):
		return fmt.Errorf("%s: the component %q is not built for %s/%s", path, c.PURL, t.goos, t.goarch)
	}
	return nil
}

// binaryOf reads the file called name out of a .tar.gz or .zip archive, and
// checks the archive also carries the README and the CHANGELOG.
func binaryOf(archive, name string) ([]byte, error) {
	files := map[string][]byte{}
	if strings.HasSuffix(archive, ".zip") {
		zr, err := zip.OpenReader(archive)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				return nil, err
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", archive, f.Name, err)
			}
			files[f.Name] = data
		}
	} else {
		f, err := os.Open(archive)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", archive, err)
		}
		tr := tar.NewReader(gz)
		for {
			hdr, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", archive, err)
			}
			if hdr.Name == name && hdr.Mode&0o111 == 0 {
				return nil, fmt.Errorf("%s: %s is not executable (mode %o)", archive, name, hdr.Mode)
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", archive, hdr.Name, err)
			}
			files[hdr.Name] = data
		}
	}
	for _, doc := range []string{"README.md", "CHANGELOG.md"} {
		if _, ok := files[doc]; !ok {
			return nil, fmt.Errorf("%s has no %s", archive, doc)
		}
	}
	bin, ok := files[name]
	if !ok {
		return nil, fmt.Errorf("%s has no %s", archive, name)
	}
	return bin, nil
}

// checkBuild reads a binary's build info: built for t from commit, without
// cgo, with -trimpath, and stamped with version.
func checkBuild(bin []byte, t target, version, commit string) error {
	info, err := buildinfo.Read(bytes.NewReader(bin))
	if err != nil {
		return fmt.Errorf("no Go build info: %w", err)
	}
	got := map[string]string{}
	for _, s := range info.Settings {
		got[s.Key] = s.Value
	}
	for key, want := range map[string]string{"GOOS": t.goos, "GOARCH": t.goarch, "CGO_ENABLED": "0", "-trimpath": "true"} {
		if got[key] != want {
			return fmt.Errorf("built with %s=%q, want %q", key, got[key], want)
		}
	}
	if commit != "-" && got["vcs.revision"] != commit {
		return fmt.Errorf("built from commit %q, want %s (-buildvcs=true)", got["vcs.revision"], commit)
	}
	// -trimpath keeps -ldflags out of the build info: look for the stamped
	// string itself.
	if !bytes.Contains(bin, []byte(version)) {
		return fmt.Errorf("not stamped with version %s", version)
	}
	return nil
}

// checkVersionOutput runs the binary's `version` command.
func checkVersionOutput(bin []byte, name, version string) error {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("releasetool-%d-%s", os.Getpid(), name))
	if err := os.WriteFile(path, bin, 0o755); err != nil {
		return err
	}
	defer os.Remove(path)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "version").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s version: %w\n%s", name, err, out)
	}
	// The version as a word of its own: 0.2.0 is not named by 0.2.0-snapshot.
	word := regexp.MustCompile(`(^|[^0-9A-Za-z.+-])v?` + regexp.QuoteMeta(version) + `($|[^0-9A-Za-z.+-])`)
	if !word.Match(out) {
		return fmt.Errorf("%s version printed %q, want it to name version %s", name, out, version)
	}
	return nil
}
