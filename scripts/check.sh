#!/usr/bin/env bash
# The project's whole check, as README states and CI runs it:
# gofmt, go vet (for linux, darwin and windows), go mod verify, a tidy go.mod and
# go test -race in every module of the repo.
# Extra arguments go to every `go test` (e.g. -run TestWait -count=1).
set -euo pipefail
cd "$(dirname "$0")/.."

fail=0
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
  (cd "$m" && go test -race -count=1 "$@" ./...) || fail=1
done

if [ "$fail" -ne 0 ]; then
  echo "check: FAILED"
  exit 1
fi
echo "check: all modules passed"
