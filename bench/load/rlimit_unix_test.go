//go:build unix

package load

import (
	"fmt"
	"syscall"
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
