//go:build !unix

package main

import "os"

// openNoBlock opens name for reading. Outside Unix there are no FIFOs in
// the file system to block on, so a plain open is enough.
func openNoBlock(name string) (*os.File, error) {
	return os.Open(name)
}
