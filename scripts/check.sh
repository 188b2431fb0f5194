#!/usr/bin/env bash
# The project's whole check, as README states and CI runs it:
# gofmt, go vet (for linux, darwin and windows), go mod verify, a tidy go.mod and
# go test -race in every module of the repo (without -race, said loudly, where
# cgo is unavailable); then a snapshot of the release, checked as a user gets it.
# Extra arguments go to every `go test` (e.g. -run TestWait -count=1).
set -euo pipefail
cd "$(dirname "$0")/.."

fail=0

# -race needs cgo, hence a C compiler; a machine with Go alone still runs every test.
race=-race
cc=$(go env CC)
cc=${cc%% *}
if [ "$(go env CGO_ENABLED)" != 1 ]; then
  race= why="go env CGO_ENABLED is 0"
elif ! command -v "${cc:-gcc}" >/dev/null 2>&1; then
  race= why="no C compiler (${cc:-gcc}) on PATH"
fi
if [ -z "$race" ]; then
  echo "check: NOTE: $why: the tests run WITHOUT -race (the race detector needs cgo). Install gcc or clang for it." >&2
fi

modules=$(find . -name go.mod -not -path './.git/*' -exec dirname {} \; | sort)

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go') 2>&1 || true)
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; fail=1
fi

for m in $modules; do
  echo "== module $m"
  (cd "$m" && go mod verify) || fail=1
  (cd "$m" && go mod tidy -diff) || { echo "go.mod/go.sum of $m are not tidy: run go mod tidy there"; fail=1; }
  (cd "$m" && go vet ./...) || fail=1
  # The tests must build on every platform users run them on.
  for goos in darwin windows; do
    (cd "$m" && GOOS=$goos go vet ./...) || { echo "go vet fails for GOOS=$goos in $m"; fail=1; }
  done
  (cd "$m" && go test $race -count=1 "$@" ./...) || fail=1
done

# The release as a user downloads it: 6 archives, checksums.txt, CycloneDX
# SBOMs, binaries built for their platform; this machine's one says its version.
echo "== release snapshot (scripts/release.sh --snapshot)"
start=$SECONDS
snapshot=$(mktemp -d)
version=$(sed -n 's/^var Version = "\(.*\)"$/\1/p' internal/version/version.go)
DIST=$snapshot/dist bash scripts/release.sh "v$version" --snapshot || { echo "the release snapshot failed"; fail=1; }
rm -rf "$snapshot"
echo "release snapshot: $((SECONDS - start))s"

if [ "$fail" -ne 0 ]; then
  echo "check: FAILED"
  exit 1
fi
if [ -n "$race" ]; then
  echo "check: all modules passed, with -race; the release snapshot checks out"
else
  echo "check: all modules passed, WITHOUT -race ($why); the release snapshot checks out"
fi
