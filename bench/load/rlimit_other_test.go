//go:build !unix

package load

// fileLimit describes the open-file limit; this platform has no RLIMIT_NOFILE.
func fileLimit() string { return "open-file limit: not reported on this platform" }
