//go:build !unix

package load

import "time"

// fileLimit describes the open-file limit; this platform has no RLIMIT_NOFILE.
func fileLimit() string { return "open-file limit: not reported on this platform" }

// cpuTime is not measured on this platform: the CPU metrics read 0.
func cpuTime() time.Duration { return 0 }
