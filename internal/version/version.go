// Package version holds taurusjob's version: the client sends it in its
// User-Agent header and the CLI prints it.
package version

// Version is taurusjob's version. It is a variable, not a constant, so that
// scripts/release.sh can stamp a release binary with
// -ldflags "-X github.com/taurusdb-tools/taurusjob/internal/version.Version=…"
// (a snapshot says 0.2.0-snapshot); every other build carries the value here,
// which a release keeps equal to its tag. The commit is in the build info.
var Version = "0.2.0"
