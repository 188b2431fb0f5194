package main

import (
	"context"
	"os/exec"
	"syscall"
)

// shellCommand runs line by cmd.exe, as the user would type it. The
// command line is given as it is: Go's quoting of arguments is not
// cmd.exe's (/S: cmd drops the outer quotes and keeps the rest).
func shellCommand(ctx context.Context, line string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "cmd.exe")
	cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: `cmd.exe /S /C "` + line + `"`}
	return cmd
}
