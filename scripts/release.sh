#!/usr/bin/env bash
# Builds a release of the taurusjob command line into dist/ (or $DIST):
# a binary for linux, darwin and windows on amd64 and arm64 (no cgo,
# -trimpath, stamped with the version; the commit in the build info), each in an archive
# (.tar.gz; .zip for windows) with the CLI's README and the CHANGELOG, a
# CycloneDX SBOM per archive, and checksums.txt (sha256) of them all; then
# checks the result as a user would see it (scripts/releasetool verify).
#
#   scripts/release.sh v0.2.0              the release of tag v0.2.0: a clean tree at that tag
#   scripts/release.sh v0.2.0 --snapshot   any tree, stamped 0.2.0-snapshot (what CI builds)
#
# Either way VERSION must be the one in internal/version and the one the
# nested modules require the core at, so a release never names two versions.
# Go is the only tool needed; the SBOM tool comes from the module proxy, pinned.
set -euo pipefail
cd "$(dirname "$0")/.."

cyclonedx=github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@v1.10.0
versionpkg=github.com/taurusdb-tools/taurusjob/internal/version

die() { echo "release: $*" >&2; exit 1; }
usage() { echo "usage: scripts/release.sh VERSION [--snapshot]   (VERSION like v0.2.0)" >&2; exit 2; }

[ $# -ge 1 ] && [ $# -le 2 ] || usage
tag=$1 snapshot=false
if [ $# -eq 2 ]; then
  [ "$2" = --snapshot ] || usage
  snapshot=true
fi
[[ $tag =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || die "VERSION $tag is not a tag like v0.2.0"
version=${tag#v}

src=$(sed -n 's/^var Version = "\(.*\)"$/\1/p' internal/version/version.go)
[ "$src" = "$version" ] || die "internal/version says ${src:-nothing}, not $version: bump it (and CHANGELOG.md) first"
for m in huaweisdk otel temporal redisquota; do
  req=$(go mod edit -json "$m/go.mod" | grep -A1 '"Path": "github.com/taurusdb-tools/taurusjob"' |
    sed -n 's/.*"Version": "\(.*\)".*/\1/p' || true)
  [ "$req" = "$tag" ] || die "$m/go.mod requires the core at ${req:-nothing}, not $tag: go mod edit -require=github.com/taurusdb-tools/taurusjob@$tag there"
done

commit=$(git rev-parse HEAD) || die "not a git checkout: the release names its commit"
if $snapshot; then
  version=$version-snapshot
else
  [ -z "$(git status --porcelain)" ] || die "the tree has changes: a release is built from its tag alone (or use --snapshot)"
  git tag --points-at HEAD | grep -qx "$tag" || die "HEAD is not tagged $tag: tag it first (see README, Releasing)"
  [ -d .git ] || die "build a release from a clone: in a git worktree (.git is a file) Go records no commit in the binaries"
fi
if [ ! -d .git ]; then
  echo "release: NOTE: a git worktree: Go records no commit in the build info here; a clone's snapshot has it" >&2
  commit=-
fi
mtime=$(git log -1 --format=%ct) # every archive entry gets the commit's time: the same bytes on every machine

dist=${DIST:-dist}
if [ -z "${DIST:-}" ]; then
  rm -rf dist # ours (.gitignore); a $DIST of yours is never emptied
elif [ -n "$(ls -A "$dist" 2>/dev/null)" ]; then
  die "DIST=$dist is not empty"
fi
mkdir -p "$dist"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/releasetool" ./scripts/releasetool
GOBIN=$tmp go install "$cyclonedx"

# -buildvcs=true (whatever GOFLAGS says): the build info names the commit
# (vcs.revision, vcs.modified), which `taurusjob version` prints.
ldflags="-s -w -X $versionpkg.Version=$version"
for target in linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64; do
  goos=${target%/*} goarch=${target#*/}
  bin=taurusjob ext=tar.gz
  if [ "$goos" = windows ]; then bin=taurusjob.exe ext=zip; fi
  out=$tmp/$goos-$goarch/$bin
  archive=taurusjob_${version}_${goos}_${goarch}.$ext
  CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -buildvcs=true -ldflags "$ldflags" -o "$out" ./cmd/taurusjob
  "$tmp/releasetool" archive -mtime "$mtime" "$dist/$archive" \
    "$bin=$out" README.md=cmd/taurusjob/README.md CHANGELOG.md=CHANGELOG.md
  # GOOS/GOARCH tell the SBOM tool the binary's platform (it names it in every purl).
  GOOS=$goos GOARCH=$goarch "$tmp/cyclonedx-gomod" bin -json -version "v$version" \
    -output "$dist/$archive.sbom.json" "$out" 2>"$tmp/sbom.log" || { cat "$tmp/sbom.log" >&2; die "SBOM of $archive failed"; }
done
"$tmp/releasetool" checksums "$dist"
"$tmp/releasetool" verify "$dist" "$version" "$commit"
