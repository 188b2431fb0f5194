package secretcheck

import (
	"fmt"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// Logs holds every entry logged through the logger [Logger] returned, at
// every level from debug up.
type Logs struct {
	*observer.ObservedLogs
}

// Logger returns a zap logger that keeps every entry, debug level
// included, and the entries it keeps. It is safe for concurrent use.
func Logger() (*zap.Logger, *Logs) {
	core, logs := observer.New(zapcore.DebugLevel)
	return zap.New(core), &Logs{logs}
}

// Text renders every entry as a log file would show it and as code
// reading the fields would see them: the JSON and the console encodings
// of the entry (message, level, context and fields), and each field's
// value printed with %+v. One entry a block, blocks separated by blank
// lines.
func (l *Logs) Text() string {
	var b strings.Builder
	for _, e := range l.AllUntimed() {
		b.WriteString(EntryText(e))
		b.WriteString("\n\n")
	}
	return b.String()
}

// Levels counts the entries at each level, e.g. {"debug": 40, "info": 1}.
func (l *Logs) Levels() map[string]int {
	out := map[string]int{}
	for _, e := range l.AllUntimed() {
		out[e.Level.String()]++
	}
	return out
}

var (
	jsonEncoder    = zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	consoleEncoder = zapcore.NewConsoleEncoder(zap.NewDevelopmentEncoderConfig())
)

// EntryText renders one observed entry: its JSON and console encodings,
// and the %+v of each field's value.
func EntryText(e observer.LoggedEntry) string {
	fields := e.Context
	var b strings.Builder
	for _, enc := range []zapcore.Encoder{jsonEncoder, consoleEncoder} {
		buf, err := enc.EncodeEntry(e.Entry, fields)
		if err != nil {
			fmt.Fprintf(&b, "(encoding failed: %v)\n", err)
			continue
		}
		b.Write(buf.Bytes())
		buf.Free()
	}
	for _, f := range fields {
		fmt.Fprintf(&b, "%s=%s", f.Key, f.String)
		if f.Interface != nil {
			fmt.Fprintf(&b, " %+v", f.Interface)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
