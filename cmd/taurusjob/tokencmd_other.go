//go:build !windows

package main

import (
	"context"
	"os/exec"
)

// shellCommand runs line by the shell, as the user would type it.
func shellCommand(ctx context.Context, line string) *exec.Cmd {
	return exec.CommandContext(ctx, "/bin/sh", "-c", line)
}
