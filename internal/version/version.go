// Package version holds taurusjob's version: the client sends it in its
// User-Agent header and the CLI prints it.
package version

// Version is taurusjob's version.
const Version = "0.2.0"
