package main

import (
	"fmt"
	"io"
	"runtime"

	"github.com/taurusdb-tools/taurusjob/internal/version"
)

// cmdVersion is "taurusjob version": it takes -h like every command, and
// nothing else.
func cmdVersion(args []string, stdout, stderr io.Writer) int {
	var o options
	fs := newFlagSet("version", 0, &o)
	pos, err := parseArgs(fs, &o, args)
	if code, done := handleParse(err, "version", stdout, stderr); done {
		return code
	}
	if len(pos) > 0 {
		return usageFail(stderr, "version", usagef("version takes no arguments, got %q", clip(pos[0], 40)))
	}
	fmt.Fprintf(stdout, "taurusjob %s (%s %s/%s)\n", version.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitCompleted
}
