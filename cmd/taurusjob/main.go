// Command taurusjob waits for Huawei Cloud TaurusDB jobs from the command
// line, for automation: progress on stderr, the result on stdout, and an
// exit code that says how the job ended. Run "taurusjob -h" for the
// commands and "taurusjob demo" to see it work against a fake API.
package main

import (
	"context"
	"log"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	log.SetOutput(stdLog) // net/http's log lines, scrubbed: see output.go
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, a second one ends the process at once.
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
