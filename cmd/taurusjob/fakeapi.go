package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// fakeAPIOptions are the flags of "taurusjob fake-api".
type fakeAPIOptions struct {
	listen   string
	specs    specList
	lifetime time.Duration // --for; 0: until a signal
	detach   bool
	jobs     []fakeJob // parsed from specs
	set      map[string]bool
}

// specList collects the repeated --job flags.
type specList []string

func (l *specList) String() string     { return strings.Join(*l, " ") }
func (l *specList) Set(s string) error { *l = append(*l, s); return nil }
func (l *specList) Type() string       { return "SPEC" }

// defaultDetachedLifetime ends a detached fake its script forgot to kill.
const defaultDetachedLifetime = 10 * time.Minute

func newFakeAPIFlags(o *fakeAPIOptions) *pflag.FlagSet {
	fs := pflag.NewFlagSet("Flags", pflag.ContinueOnError)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "listen on `ADDRESS`, a loopback host and a port (0: any free port)")
	fs.Var(&o.specs, "job", "a scripted job, `SPEC` as below; repeat it for more jobs")
	fs.DurationVar(&o.lifetime, "for", 0, "stop after this `duration` (default: at SIGINT or SIGTERM; 10m with --detach)")
	fs.BoolVar(&o.detach, "detach", false, "serve from a background process, and return once it answers: for scripts (see below)")
	return fs
}

// cmdFakeAPI is "taurusjob fake-api": the fake job API of taurusjobtest on
// a loopback port, serving jobs scripted by flags, so that a script that
// calls taurusjob can be tested for every exit code without a cloud. args
// is its command line, which --detach gives to the background process.
func cmdFakeAPI(ctx context.Context, args, pos []string, o *fakeAPIOptions, env func(string) string, stdout, stderr io.Writer) int {
	var err error
	if len(pos) > 0 {
		err = usagef("fake-api takes no arguments, got %q; a job is --job id=%s", clip(pos[0], 40), clip(pos[0], 40))
	}
	if err == nil {
		err = checkFakeAPIOptions(o)
	}
	if err != nil {
		return usageFail(stderr, "fake-api", err)
	}
	if o.detach {
		return detachFakeAPI(ctx, args, o, stdout, stderr)
	}
	if fd := env(envReadyFD); fd != "" {
		return serveFakeAPI(ctx, o, readyPipe(fd), io.Discard)
	}
	return serveFakeAPI(ctx, o, foreground{stdout, stderr}, stderr)
}

// checkFakeAPIOptions checks the flags and parses the job specs, so that
// every mistake is reported before anything listens.
func checkFakeAPIOptions(o *fakeAPIOptions) error {
	if err := checkLoopback(o.listen); err != nil {
		return err
	}
	if o.lifetime < 0 {
		return usagef("--for must not be negative, got %s", o.lifetime)
	}
	if len(o.specs) == 0 {
		return usagef("no job: give at least one --job, e.g. --job id=ok or --job id=bad,outcome=failed")
	}
	ids := map[string]bool{}
	for i, spec := range o.specs {
		fj, err := parseJobSpec(i+1, spec)
		if err != nil {
			return err
		}
		if ids[fj.job.ID] {
			return usagef("--job %q: the id %s is given twice", clip(spec, 80), fj.job.ID)
		}
		ids[fj.job.ID] = true
		o.jobs = append(o.jobs, fj)
	}
	return nil
}

// checkLoopback refuses a --listen address that is not on loopback: the
// fake answers anyone with its token, which it prints.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("--listen %q is not HOST:PORT: %s", clip(addr, 80), errText(err))
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return usagef("--listen %s: fake-api listens on loopback only (127.0.0.1, ::1 or localhost)", clip(addr, 80))
	}
	return nil
}

// announcer tells whoever started fake-api that it is ready, and how to
// reach it; or that it failed.
type announcer interface {
	ready(exports string)
	failed(err error)
}

// serveFakeAPI listens, adds the jobs (their clocks start now), announces
// the exports and serves until ctx ends or --for passes. It exits 0 when
// it stopped as asked.
func serveFakeAPI(ctx context.Context, o *fakeAPIOptions, ann announcer, log io.Writer) int {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", o.listen)
	if err != nil {
		ann.failed(usagef("--listen %s: %s", clip(o.listen, 80), errText(err)))
		return exitUsage
	}
	srv := taurusjobtest.NewInMemory() // answered by its handler on ln
	defer srv.Close()
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	now := time.Now()
	for i := range o.jobs {
		o.jobs[i].add(srv, now)
	}
	endpoint := "http://" + ln.Addr().String()
	fmt.Fprintf(log, "taurusjob fake-api: a fake TaurusDB job API on %s (loopback only), %s:\n", endpoint, plural(len(o.jobs), "job"))
	for _, fj := range o.jobs {
		fmt.Fprintf(log, "  %s\n", clean(fj.describe()))
	}
	stop := "until SIGINT or SIGTERM"
	if o.lifetime > 0 {
		stop = "for " + o.lifetime.String() + " at most"
	}
	fmt.Fprintf(log, "It serves %s. Point taurusjob at it with the lines on stdout: eval them.\n", stop)
	ann.ready(exportLines(endpoint, srv.ProjectID(), srv.Token()))

	var expired <-chan time.Time
	if o.lifetime > 0 {
		t := time.NewTimer(o.lifetime)
		defer t.Stop()
		expired = t.C
	}
	select {
	case <-ctx.Done():
	case <-expired:
	case err := <-served:
		fmt.Fprintf(log, "taurusjob fake-api: serving failed: %s\n", errText(err))
		return exitInternal
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(log, "taurusjob fake-api: stopping: %s\n", errText(err))
	}
	return exitCompleted
}

// exportLines are the shell lines that point taurusjob at the fake. They
// unset the variables that would otherwise compete with the token (AK/SK
// with a token is a usage error) or with the endpoint, so that a test
// never reaches a real cloud with real credentials, and turn the duration
// history off (envNoHistory), so that the fake's jobs stay out of it.
func exportLines(endpoint, projectID, token string) string {
	unset := []string{envRegion, envTokenCommand}
	for _, v := range akskVariables {
		unset = append(unset, v[:]...)
	}
	return fmt.Sprintf("unset %s\nexport %s=%s %s=%s %s=%s %s=1\n", strings.Join(unset, " "),
		envEndpoint, shellQuote(endpoint), envProjectID, shellQuote(projectID), envToken, shellQuote(token), envNoHistory)
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// foreground announces on the terminal: the exports on stdout, errors on
// stderr.
type foreground struct{ stdout, stderr io.Writer }

func (f foreground) ready(exports string) { io.WriteString(f.stdout, exports) }

func (f foreground) failed(err error) { usageFail(f.stderr, "fake-api", err) }
