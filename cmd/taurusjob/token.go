package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
)

// The token given with --token-file. Besides a regular file it may be
// stdin ("-"), a pipe given by process substitution (--token-file
// <(pass show iam)), or a named pipe another process writes into: all of
// them are how secrets are handed over without a file on disk, so they are
// kept working. Opening a named pipe waits for its writer and reading a
// pipe waits for its data; both block in a system call that no signal
// interrupts, so the reading runs in its own goroutine and a SIGINT or
// SIGTERM (the end of ctx) ends the command at once.

// maxTokenFile bounds a token file: IAM tokens are a few KiB (PKI tokens
// can reach about 10 KiB).
const maxTokenFile = 64 << 10

// errInterrupted is the reading of --token-file ended by a signal.
var errInterrupted = errors.New("interrupted while reading --token-file")

// utf8BOM is what Notepad and some editors put at the start of a UTF-8
// file; it is not part of the token.
const utf8BOM = "\uFEFF"

// readTokenFile reads the token of --token-file name (stdin for "-"):
// without a leading BOM, spaces and newlines around it dropped. An empty
// file, one of more than one line, or a token with a character no token
// holds is refused, without quoting it. A regular file that its group or
// others can read gets a warning on warn, as ssh and the cloud CLIs give.
func readTokenFile(ctx context.Context, name string, stdin io.Reader, warn io.Writer) (string, error) {
	var open func() (io.ReadCloser, error)
	switch name {
	case "":
		return "", usagef("--token-file: no file name given")
	case "-":
		open = func() (io.ReadCloser, error) { return io.NopCloser(stdin), nil }
		name = "(stdin)"
	default:
		// Stat does not open the file, so it cannot block on a FIFO.
		st, err := os.Stat(name)
		if err != nil {
			return "", tokenFileError(name, err)
		}
		if st.IsDir() {
			return "", usagef("--token-file %s: is a directory", clip(name, 200))
		}
		if st.Mode().IsRegular() {
			warnReadable(warn, "--token-file", name, st.Mode())
		}
		open = func() (io.ReadCloser, error) { return os.Open(name) }
	}
	data, err := readInterruptibly(ctx, open, maxTokenFile+1)
	if err != nil {
		return "", tokenFileError(name, err)
	}
	return tokenFrom("--token-file "+clip(name, 200), data, "the file is empty")
}

// tokenFrom is the token in data, the whole of a token file or of a token
// command's output, checked; empty says what an empty one is.
func tokenFrom(source string, data []byte, empty string) (string, error) {
	if len(data) > maxTokenFile {
		return "", usagef("%s: larger than %d bytes; is it a token?", source, maxTokenFile)
	}
	token := strings.TrimSpace(string(bytes.TrimPrefix(data, []byte(utf8BOM))))
	if token == "" {
		return "", usagef("%s: %s", source, empty)
	}
	return token, checkToken(source, token)
}

// warnReadable warns when a file of secrets can be read by its group or
// others, as ssh and the cloud CLIs do; it is not refused. Windows has no
// such mode bits.
func warnReadable(warn io.Writer, what, name string, mode fs.FileMode) {
	if mode.Perm()&0o044 != 0 && runtime.GOOS != "windows" {
		fmt.Fprintf(warn, "taurusjob: warning: %s %s can be read by other users (mode %04o); make it private: chmod 600 %s\n",
			what, clip(name, 200), mode.Perm(), clip(name, 200))
	}
}

// checkToken checks that a token is one: one line of printable ASCII
// without spaces, as IAM tokens are (base64 text). A control character
// (C0, DEL, or C1 such as U+0085, which the library's check lets through),
// a space inside or any other non-ASCII character is a paste or encoding
// accident; it is refused with its byte offset, never the token's text.
// source names where the token came from.
func checkToken(source, token string) error {
	if strings.ContainsAny(token, "\r\n") {
		return usagef("%s: holds more than one line; it must hold the token only", source)
	}
	for i := 0; i < len(token); i++ {
		if c := token[i]; c <= ' ' || c >= 0x7f {
			return usagef("%s: holds a character no token holds (a space, a control or a non-ASCII character) "+
				"at byte %d of the token; it must hold the token only", source, i)
		}
	}
	return nil
}

// readInterruptibly opens and reads at most limit bytes in a goroutine,
// and returns errInterrupted as soon as ctx ends. The goroutine then stays
// blocked until the writer comes or the process exits, which follows.
func readInterruptibly(ctx context.Context, open func() (io.ReadCloser, error), limit int64) ([]byte, error) {
	type answer struct {
		data []byte
		err  error
	}
	done := make(chan answer, 1) // never blocks the goroutine
	go func() {
		r, err := open()
		if err != nil {
			done <- answer{nil, err}
			return
		}
		defer r.Close()
		data, err := io.ReadAll(io.LimitReader(r, limit))
		done <- answer{data, err}
	}()
	select {
	case a := <-done:
		return a.data, a.err
	case <-ctx.Done():
		return nil, errInterrupted
	}
}

// tokenFileError is a usage error naming the file once (an *fs.PathError
// would name it again), or errInterrupted as it is.
func tokenFileError(name string, err error) error {
	if errors.Is(err, errInterrupted) {
		return err
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return usagef("--token-file %s: %v", clip(name, 200), err)
}
