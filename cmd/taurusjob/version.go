package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/taurusdb-tools/taurusjob/internal/version"
)

// cmdVersion is "taurusjob version": taurusjob's version, the module's
// version and the commit of the build (from the build info: "unknown"
// when the build recorded none, as with -buildvcs=false), and the Go version.
func cmdVersion(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		return usageFail(stderr, "version", usagef("version takes no arguments, got %q", clip(args[0], 40)))
	}
	module, commit := "unknown", "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		module = bi.Main.Version
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" {
			commit = rev
			if settings["vcs.modified"] == "true" {
				commit += "+dirty"
			}
		}
	}
	fmt.Fprintf(stdout, "taurusjob %s (module %s, commit %s, %s %s/%s)\n",
		version.Version, module, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitCompleted
}
