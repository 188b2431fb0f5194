package main

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"sync"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/defaults"
)

// errCommandInterrupted is the token command's run ended by a signal.
var errCommandInterrupted = errors.New("interrupted while running the token command")

// tokenCommandTimeout bounds one run of the token command, as a request
// is bounded: a command that hangs (a prompt nobody answers) is an error.
var tokenCommandTimeout = defaults.RequestTimeout

// tokenCommand is --token-command or TAURUSJOB_TOKEN_COMMAND: a shell
// command whose output is the IAM token. It is the client's TokenSource,
// so it runs again when the API answers 401 (an IAM token lasts 24 hours;
// a wait may last longer). Its output is never printed: its errors say
// how it ended, not what it wrote.
type tokenCommand struct {
	source, line string
	mu           sync.Mutex
	first        string // the token of the run that checked the command
}

// check runs the command once before any request, so that a command that
// fails is a usage error (exit 2), and keeps its token for the first request.
func (t *tokenCommand) check(ctx context.Context) (err error) {
	t.first, err = t.run(ctx)
	return err
}

// token is the TokenSource: the checked token first, then a fresh run.
func (t *tokenCommand) token(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tok := t.first; tok != "" {
		t.first = ""
		return tok, nil
	}
	return t.run(ctx)
}

func (t *tokenCommand) run(parent context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(parent, tokenCommandTimeout)
	defer cancel()
	out := &capped{max: maxTokenFile + 1}
	cmd := shellCommand(ctx, t.line)
	cmd.Stdout = out            // stdin and stderr: the null device
	cmd.WaitDelay = time.Second // a child that keeps stdout open does not hold us
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case parent.Err() != nil:
		return "", errCommandInterrupted
	case ctx.Err() != nil:
		return "", usagef("%s: the command did not end within %s", t.source, tokenCommandTimeout)
	case errors.As(err, &exit):
		return "", usagef("%s: the command failed (%s); its output is not shown, as it may hold a secret", t.source, exit.ProcessState)
	case err != nil:
		return "", usagef("%s: the command could not be run: %s", t.source, errText(err))
	}
	tok, err := tokenFrom(t.source, out.Bytes(), "the command printed no token")
	if err == nil {
		stdLog.hide(tok) // a fresh token is kept out of net/http's log lines too
	}
	return tok, err
}

// capped keeps the first max bytes written and counts the rest, so that
// a command that writes without end costs no more memory than a token.
type capped struct {
	bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.Len(); room > 0 {
		c.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
