//go:build unix

package load

import (
	"fmt"
	"syscall"
	"time"
)

// fileLimit describes the open-file limit, which bounds how many loopback
// connections a load run can open.
func fileLimit() string {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return "RLIMIT_NOFILE unknown"
	}
	return fmt.Sprintf("RLIMIT_NOFILE: soft %d, hard %d (both ends of a loopback connection use one each)", lim.Cur, lim.Max)
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
