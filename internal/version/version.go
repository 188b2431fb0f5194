// Package version holds taurusjob's version: the client sends it in its
// User-Agent header and the CLI prints it.
package version

// Version is taurusjob's version. It is a variable, not a constant, so that
// scripts/release.sh can stamp a release binary with
// -ldflags "-X github.com/taurusdb-tools/taurusjob/internal/version.Version=…";
// every other build carries the value here, which a release keeps equal to
// its tag.
var Version = "0.2.0"

// Commit is the commit a release binary was built from, stamped the same
// way; empty in other builds (where the build info's vcs.revision, if any,
// names it).
var Commit = ""
