//go:build !(darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd || windows)

package main

// lockFile does not lock on the remaining systems (AIX, Solaris, Plan 9,
// WebAssembly), which have no flock(2) in package syscall: there, as the
// README says, two commands must not share one --state-file.
func lockFile(string) (unlock func(), err error) {
	return func() {}, nil
}
