package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// fake-api --detach works as ssh-agent does, so that a script needs no
// loop to know the fake is ready:
//
//	fake=$(taurusjob fake-api --detach --job id=ok) || exit
//	eval "$fake"
//
// (not eval "$(...)" || exit: eval of nothing succeeds, hiding a failure.)
// The command starts itself again in the background, with envReadyFD
// naming a pipe; the background process listens, then writes "ready" and
// the export lines (or "error" and why) to the pipe and closes it. The
// command prints what it got, with the background process's pid, and
// exits: once it returned, the fake answers.
const envReadyFD = "TAURUSJOB_FAKE_API_READY_FD"

// pidVariable is the variable the detached fake's pid is exported in, for
// the script's "kill" when it is done.
const pidVariable = "TAURUSJOB_FAKE_API_PID"

// readyTimeout bounds the wait for the background process: it listens on
// loopback, which takes milliseconds.
const readyTimeout = 30 * time.Second

func detachFakeAPI(ctx context.Context, args []string, o *fakeAPIOptions, stdout, stderr io.Writer) int {
	if runtime.GOOS == "windows" {
		return usageFail(stderr, "fake-api", usagef("--detach is not supported on Windows: run fake-api in its own window"))
	}
	exe, err := os.Executable()
	if err != nil {
		return usageFail(stderr, "fake-api", usagef("--detach: cannot find this program to start it again: %s", errText(err)))
	}
	childArgs := append([]string{"fake-api"}, withoutDetach(args)...)
	if !o.set["for"] {
		childArgs = append(childArgs, "--for", defaultDetachedLifetime.String())
	}
	r, w, err := os.Pipe()
	if err != nil {
		return usageFail(stderr, "fake-api", usagef("--detach: %s", errText(err)))
	}
	defer r.Close()
	child := exec.Command(exe, childArgs...)
	// Only the pipe's number: nothing of this environment (credentials
	// included) reaches the fake. Its stdin, stdout and stderr are the null
	// device, so that $(...) ends when this process does.
	child.Env = []string{envReadyFD + "=3"}
	child.ExtraFiles = []*os.File{w}
	err = child.Start()
	w.Close()
	if err != nil {
		return usageFail(stderr, "fake-api", usagef("--detach: starting the background process: %s", errText(err)))
	}
	msg, err := readReady(ctx, r)
	status, rest, _ := strings.Cut(msg, "\n")
	if err != nil || status != "ready" {
		child.Process.Kill()
		child.Wait()
		if err == nil && status == "error" {
			fmt.Fprint(stderr, rest)
			return exitUsage
		}
		fmt.Fprintf(stderr, "taurusjob fake-api: the background process did not get ready: %s\n", errText(orEOF(err)))
		return exitInternal
	}
	fmt.Fprintf(stdout, "%sexport %s=%d\n", rest, pidVariable, child.Process.Pid)
	child.Process.Release()
	return exitCompleted
}

// withoutDetach drops --detach from args; it is a bool flag, so it never
// takes the next argument.
func withoutDetach(args []string) []string {
	var out []string
	for _, a := range args {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && name == "detach" {
			continue
		}
		out = append(out, a)
	}
	return out
}

// readReady reads what the background process announces, until it
// closes the pipe, ctx ends or readyTimeout passes.
func readReady(ctx context.Context, r *os.File) (string, error) {
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(r, 64<<10))
		got <- b
	}()
	t := time.NewTimer(readyTimeout)
	defer t.Stop()
	select {
	case b := <-got:
		return string(b), nil
	case <-ctx.Done():
		return "", ctx.Err()
	case <-t.C:
		return "", fmt.Errorf("no answer in %s", readyTimeout)
	}
}

func orEOF(err error) error {
	if err == nil {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readyPipe is the background process's side of the pipe, by number.
type readyPipe string

func (p readyPipe) announce(status, text string) {
	fd, err := strconv.Atoi(string(p))
	if err != nil || fd < 3 {
		return
	}
	f := os.NewFile(uintptr(fd), "ready")
	defer f.Close()
	io.WriteString(f, status+"\n"+text)
}

func (p readyPipe) ready(exports string) { p.announce("ready", exports) }

func (p readyPipe) failed(err error) {
	var b strings.Builder
	usageFail(&b, "fake-api", err)
	p.announce("error", b.String())
}
