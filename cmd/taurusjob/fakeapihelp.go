package main

import "strings"

// fakeAPIHelp is the help of fake-api; README.md's "Testing your scripts"
// says the same with an example.
func fakeAPIHelp() string {
	var b strings.Builder
	b.WriteString(`Usage: taurusjob fake-api --job SPEC [--job SPEC...] [flags]

Serves a fake TaurusDB job API (package taurusjobtest) on a loopback port,
with the jobs given by --job, so that a script or pipeline that calls
taurusjob can be tested for every exit code, in seconds, without a cloud.
Once it listens it prints shell lines to eval on stdout:
  unset TAURUSJOB_REGION CLOUD_SDK_AK CLOUD_SDK_SK CLOUD_SDK_SECURITY_TOKEN
  export TAURUSJOB_ENDPOINT='http://127.0.0.1:PORT' TAURUSJOB_PROJECT_ID='...' TAURUSJOB_TOKEN='...' TAURUSJOB_NO_HISTORY=1
The token is the fake's own, valid for this fake only. The unset line keeps
real credentials and regions from competing with the fake; no history keeps
the fake's jobs out of your real duration history.

In a script, use --detach: the command returns once the fake answers, and
exports TAURUSJOB_FAKE_API_PID too, to stop it. A detached fake stops
after --for (default 10m) if nobody does. Without --detach the fake serves
in the foreground until SIGINT or SIGTERM (or --for) and exits 0.

Examples:
  fake=$(taurusjob fake-api --detach --job id=ok --job id=bad,outcome=failed,reason=quota) || exit
  eval "$fake"
  trap 'kill "$TAURUSJOB_FAKE_API_PID"' EXIT
  taurusjob wait ok        # exit 0
  taurusjob wait bad       # exit 1
  taurusjob fake-api --job id=slow,invisible=5s,running=1m,profile=steps:20   # in a terminal

Flags:
`)
	var o fakeAPIOptions
	writeFlags(&b, newFakeAPIFlags(&o))
	b.WriteString("  -h, --help                   show this help\n\n")
	b.WriteString(jobSpecHelp)
	b.WriteString(`
Produce each exit code of wait with (flags of wait in brackets):
  0  --job id=ok                    1  --job id=bad,outcome=failed
  3  --job id=slow,running=1h       [--timeout 1s]
  4  --job id=denied,outcome=error  (http=403 by default)
  5  --job id=ghost,outcome=never-visible   [--visibility-grace 1s]

Exit codes:
  0    stopped as asked (SIGINT, SIGTERM or --for); with --detach: it is ready
  2    usage error, or the address cannot be listened on
  70   internal error (a bug in taurusjob)
`)
	return b.String()
}
