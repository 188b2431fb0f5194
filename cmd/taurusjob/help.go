package main

import (
	"flag"
	"fmt"
	"strings"
)

const mainUsage = `taurusjob waits for Huawei Cloud TaurusDB jobs, for automation: progress on
stderr, the result on stdout, and an exit code that says how the job ended.

Usage:
  taurusjob wait JOB_ID [JOB_ID...] [flags]   wait until the jobs end
  taurusjob get JOB_ID [flags]                fetch a job once and print it
  taurusjob demo [flags]                      wait for a job of a fake API on loopback
  taurusjob fake-api --job SPEC... [flags]    serve scripted jobs on loopback, to test scripts
  taurusjob version                           print the version

Run "taurusjob COMMAND -h" for a command's flags, examples and exit codes.
Try it without credentials: taurusjob demo
`

// exitCodesHelp is the exit code table of wait and demo. README.md holds
// the same table; a test keeps them in step.
const exitCodesHelp = `Exit codes:
  0    every job completed (or is Pending, with --return-on-pending)
  1    a job failed or was canceled; its fail reason is on stderr
  2    usage error or invalid input; no request was sent
  3    timeout: a job did not end within --timeout; its last state is printed
  4    an error retrying cannot fix: HTTP 400, 401, 403 and the other 4xx
       but 404, 408 and 429; an unknown host (DNS "no such host"); a TLS
       certificate that is not trusted or not for the host
  5    a job was not visible (HTTP 404) for longer than --visibility-grace
  70   internal error (a bug in taurusjob); no details are printed
  130  interrupted by SIGINT or SIGTERM; each job's last state is printed
With several jobs: 130 if interrupted, else the most severe of 4, 1, 5, 3, 0.
Retried until --timeout (exit 3 if they last): HTTP 5xx, 408 and 429, a
refused or reset connection, a network timeout, a DNS server that does not
answer. A refused connection is often a gateway restarting; an unknown host
is a wrong endpoint, which waiting would not fix.
`

// stateHelp explains --state-file and the history; README.md's
// "Resuming after a restart" says the same at more length.
const stateHelp = `Resuming after a restart (--state-file FILE):
  After each poll, the state of each job's wait (its deadline and visibility
  grace window as clock times, whether the job was seen, its polls) is written
  to FILE: atomically, never a credential. Run again with the same
  FILE and the same ids (after a crash, a deploy, a CI retry), wait goes on
  with the first run's deadline and grace window; --timeout and
  --visibility-grace apply only to jobs FILE has no state for (a --timeout
  ignored is said on stderr, with the saved deadline), and polls and
  elapsed_seconds count from the first run.
  - FILE missing or empty: a fresh wait; FILE is created before the first poll.
  - Every job ends completed, failed, canceled, not_visible, error or pending:
    FILE is removed.
  - A job timed out (exit 3) or the wait was interrupted (130): FILE is kept,
    for the next run. A run resumed past the first run's deadline exits 3 at
    once, without a request: delete FILE to start over with a new deadline.
  - FILE corrupt, edited, not a state file, saved for other ids, not a regular
    file, or in use by another wait (locked): exit 2, nothing sent, FILE left
    as it is.

Duration history (--history-file FILE, --no-history):
  How long completed jobs took, by job name, helps the next wait for a job of
  that name poll near its end. It is read at the start and saved at the end
  when a job completed; by default in taurusjob/history.json in the user's
  cache directory. A missing file is an empty history; an unreadable or
  corrupt one, or one that is not a regular file, is neither used nor
  written, with a warning, never an error.
`

const envHelp = `Environment (a flag beats its variable):
  TAURUSJOB_ENDPOINT    the API's base URL (beats TAURUSJOB_REGION)
  TAURUSJOB_REGION      a region, for its documented endpoint
  TAURUSJOB_SERVICE     the database service: taurusdb (default), rds,
                        opengauss or dds
  TAURUSJOB_PROJECT_ID  the project id
  TAURUSJOB_TOKEN       an IAM token (X-Auth-Token); --token-file beats it
  CLOUD_SDK_AK, CLOUD_SDK_SK, CLOUD_SDK_SECURITY_TOKEN
                        AK/SK request signing instead of a token
  TAURUSJOB_NO_HISTORY  1: no duration history, as --no-history (wait)
No flag takes a secret's value, and no secret is ever printed.
`

const jsonHelp = `With --output json, stdout is one JSON document, {"jobs": [...]}, for any
number of jobs (jq -r '.jobs[0].job.status'; python3 -m json.tool reads it).
With --output jsonl, stdout has the same objects, one per job and line.
Each job's object has:
  outcome          completed, failed, canceled, timeout, not_visible, error,
                   interrupted, or pending (with --return-on-pending)
  job_id           the job id
  job              the job object exactly as the API sent it (entities included);
                   null if the job was never seen
  polls            the requests made for this job
  elapsed_seconds  the time waited
  error            when there is one: message, and when known http_status,
                   code (e.g. DBS.200001) and request_id
`

var commandHelp = map[string]func() string{
	"wait": func() string {
		return `Usage: taurusjob wait JOB_ID [JOB_ID...] [flags]

Waits until each job is Completed, Failed or Canceled, polling
GET /v3/{project_id}/jobs?id=JOB_ID on the library's schedule (sooner when
the job's percent says its end is near, backing off on errors and 404s
while a new job becomes visible). Comma-joined ids (as
read-replica creation returns them) count as several. Flags may come before
or after the ids. Progress goes to stderr: a live line on a terminal, one
line per change elsewhere. The result goes to stdout.

Examples:
  export TAURUSJOB_REGION=cn-north-4 TAURUSJOB_PROJECT_ID=... TAURUSJOB_TOKEN=...
  taurusjob wait "$JOB_ID" --timeout 30m --output json > result.json || exit $?
  taurusjob wait "$ID1,$ID2,$ID3"
  taurusjob wait "$JOB_ID" --return-on-pending
  taurusjob wait --token-file /run/secrets/iam-token --endpoint https://gaussdb.cn-north-4.myhuaweicloud.com "$JOB_ID"
  taurusjob wait "$JOB_ID" --state-file .taurusjob-state.json   # a retried CI step resumes

` + flagSections("wait") + "\n" + stateHelp + "\n" + envHelp + "\n" + jsonHelp + "\n" + exitCodesHelp
	},
	"get": func() string {
		return `Usage: taurusjob get JOB_ID [flags]

Fetches the job once, whatever its status, and prints it: a summary with
its entities, or with --output json one object {"job_id", "job", "error"},
"job" being the job object as the API sent it (null when not found). With
one job, the document and its line are the same: --output jsonl prints it too.

Examples:
  taurusjob get "$JOB_ID"
  taurusjob get "$JOB_ID" --output json | jq -r .job.status

` + flagSections("get") + "\n" + envHelp + `
Exit codes:
  0    the job was fetched (whatever its status)
  2    usage error or invalid input; no request was sent
  4    any other API or network error (the request id is printed)
  5    the job was not found (HTTP 404 or an empty answer)
  70   internal error (a bug in taurusjob)
  130  interrupted by SIGINT or SIGTERM
`
	},
	"demo": func() string {
		return `Usage: taurusjob demo [flags]

Starts a fake TaurusDB job API on a loopback port and waits for one of its
jobs with the code of "taurusjob wait", the real client and the real waiter.
The job is invisible for 3 s (the API answers 404), runs from 0 to 100 % in
20 s, then completes with entities. Needs no credentials and no network
beyond loopback; it takes about 25 s. Its flags are those of wait, without
the connection flags, with --max-interval 3s and --timeout 2m by default.

Examples:
  taurusjob demo
  taurusjob demo --output json
  taurusjob demo --timeout 10s; echo "exit code $?"    # see a timeout

` + flagSections("demo") + "\n" + jsonHelp + "\n" + exitCodesHelp
	},
	"version":  func() string { return "Usage: taurusjob version\n\nPrints taurusjob's version.\n" },
	"fake-api": fakeAPIHelp,
}

// commandGroups are the flag groups of each command, for its help.
var commandGroups = map[string]int{
	"wait": groupConn | groupWait | groupOutput | groupQuiet | groupState,
	"get":  groupConn | groupOutput,
	"demo": groupWait | groupOutput | groupQuiet,
}

// flagSections lists a command's flags by group, from the same flag
// definitions the command parses, so help cannot drift from them.
func flagSections(cmd string) string {
	groups := commandGroups[cmd]
	var b strings.Builder
	for _, sec := range []struct {
		title string
		group int
	}{
		{"Connection flags", groupConn},
		{"Waiting flags", groupWait},
		{"Output flags", groupOutput | groupQuiet},
		{"State flags", groupState},
	} {
		if groups&sec.group == 0 {
			continue
		}
		var o options
		fs := newFlagSet(cmd, groups&sec.group, &o)
		if cmd == "demo" && fs.Lookup("timeout") != nil {
			setDemoDefaults(fs)
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s:\n", sec.title)
		writeFlags(&b, fs)
	}
	b.WriteString("  -h, --help                   show this help\n")
	return b.String()
}

// writeFlags lists fs's flags, one a line, with their defaults.
func writeFlags(b *strings.Builder, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		left := "--" + f.Name
		if name != "" {
			left += " " + name
		}
		def := ""
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0s" {
			def = " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(b, "  %-28s %s%s\n", left, usage, def)
	})
}
