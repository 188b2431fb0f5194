//go:build unix

package main

import (
	"os"
	"syscall"
)

// openNoBlock opens name for reading without blocking: a FIFO opened
// without O_NONBLOCK waits for a writer, out of reach of any signal.
func openNoBlock(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
