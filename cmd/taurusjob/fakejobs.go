package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/jobid"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// fakeJob is one --job of fake-api: a scripted job, and the HTTP error
// its requests get once its phases are over (outcome=error).
type fakeJob struct {
	spec      string // as given, for messages
	job       taurusjobtest.Job
	outcome   string
	httpError int // outcome=error: the status answered
	reason    string
	instance  string // instance=: the instance the job works on, served too
}

// jobSpecKeys are the keys of a --job spec, in the order help lists them.
var jobSpecKeys = []string{"id", "outcome", "reason", "http", "invisible", "pending", "running", "profile", "name", "instance"}

// jobSpecHelp documents the --job spec; help and README say the same.
const jobSpecHelp = `A job is --job KEY=VALUE,KEY=VALUE,... (quote a value holding a comma as in
CSV: --job 'id=b,outcome=failed,"reason=no quota, retry"'):
  id=ID         the job id (default job-N for the Nth --job)
  outcome=O     how it ends: completed (default), failed, canceled,
                never-visible (404 for ever), or error (HTTP errors)
  reason=TEXT   the fail_reason of failed or canceled; the error_msg of error
  http=STATUS   the status of outcome=error, 400 to 599 (default 403): a
                4xx ends a wait at once (exit 4), but 404 is "not visible"
                (exit 5), and 408, 429 and 5xx are retried (exit 3)
  invisible=D   404 for D first, as a new job is (default 0)
  pending=D     then Pending for D (default 0)
  running=D     then Running for D, its percent climbing (default 0)
  profile=P     the percent while Running: linear (default), front-loaded,
                stall-then-jump, none, steps:N, stuck:N
  name=NAME     the job name (default CreateGaussDBforMySQLInstance)
  instance=ID   the instance the job works on, served at
                GET /v3/{project_id}/instances/ID: BUILD while the job runs;
                once it completes ACTIVE 10s, BACKING UP 2m, then ACTIVE;
                FAILED once it fails or is canceled
D is a duration (500ms, 20s, 5m) or forever. Every job's clock starts when
fake-api is ready; outcome=error starts when the phases end (at once by
default), and answers every request for the job from then on.
`

// parseJobSpec parses the nth (from 1) --job spec.
func parseJobSpec(n int, spec string) (fakeJob, error) {
	fj := fakeJob{spec: spec, outcome: "completed", httpError: http.StatusForbidden}
	fj.job.ID = fmt.Sprintf("job-%d", n)
	var fields []string
	if strings.TrimSpace(spec) != "" { // "": a job of every default
		var err error
		fields, err = csv.NewReader(strings.NewReader(spec)).Read()
		if err != nil {
			return fj, jobSpecError(spec, "not a list of KEY=VALUE separated by commas: "+err.Error())
		}
	}
	seen := map[string]bool{}
	for _, f := range fields {
		if strings.TrimSpace(f) == "" {
			continue // a trailing comma
		}
		key, value, ok := strings.Cut(f, "=")
		key = strings.TrimSpace(key)
		switch {
		case !ok:
			return fj, jobSpecError(spec, fmt.Sprintf("%q is not KEY=VALUE", clip(f, 40)))
		case !slices.Contains(jobSpecKeys, key):
			return fj, jobSpecError(spec, fmt.Sprintf("unknown key %q; the keys are %s", clip(key, 40), strings.Join(jobSpecKeys, ", ")))
		case seen[key]:
			return fj, jobSpecError(spec, fmt.Sprintf("%s is given twice", key))
		}
		seen[key] = true
		if err := fj.set(key, value); err != nil {
			return fj, jobSpecError(spec, err.Error())
		}
	}
	if err := taurusjob.ValidateJobID(fj.job.ID); err != nil {
		return fj, jobSpecError(spec, "the id "+reason(err))
	}
	switch {
	case seen["reason"] && fj.outcome == "completed", seen["reason"] && fj.outcome == "never-visible":
		return fj, jobSpecError(spec, "reason= goes with outcome=failed, canceled or error")
	case seen["http"] && fj.outcome != "error":
		return fj, jobSpecError(spec, "http= goes with outcome=error")
	case fj.outcome == "never-visible" && (seen["invisible"] || seen["pending"] || seen["running"]):
		return fj, jobSpecError(spec, "a never-visible job has no phases: drop invisible=, pending= and running=")
	case seen["instance"]:
		if err := fj.checkInstance(); err != nil {
			return fj, jobSpecError(spec, err.Error())
		}
	}
	if fj.outcome == "never-visible" {
		fj.job.Invisible = taurusjobtest.Forever
	}
	return fj, nil
}

func jobSpecError(spec, msg string) error {
	return usagef("--job %q: %s", clip(spec, 80), msg)
}

// set applies one KEY=VALUE of a spec.
func (fj *fakeJob) set(key, value string) error {
	var err error
	switch key {
	case "id":
		fj.job.ID = value
	case "name":
		fj.job.Name = value
	case "instance":
		fj.instance = value
		fj.job.Instance = taurusjobtest.Instance{ID: value, Name: "fake-" + value}
	case "reason":
		fj.reason = value
	case "outcome":
		fj.outcome = value
		switch value {
		case "completed":
		case "failed":
			fj.job.Outcome = taurusjobtest.Failed
		case "canceled":
			fj.job.Outcome = taurusjobtest.Canceled
		case "never-visible", "error":
		default:
			return fmt.Errorf("outcome %q: give completed, failed, canceled, never-visible or error", clip(value, 40))
		}
	case "http":
		fj.httpError, err = strconv.Atoi(value)
		if err != nil || fj.httpError < 400 || fj.httpError > 599 {
			return fmt.Errorf("http=%s: give an HTTP error status, 400 to 599", clip(value, 40))
		}
	case "invisible":
		fj.job.Invisible, err = specDuration(key, value)
	case "pending":
		fj.job.Pending, err = specDuration(key, value)
	case "running":
		fj.job.Running, err = specDuration(key, value)
	case "profile":
		fj.job.Profile, err = specProfile(value)
	}
	return err
}

// specDuration parses a duration of a spec: a Go duration or "forever".
func specDuration(key, value string) (time.Duration, error) {
	if value == "forever" {
		return taurusjobtest.Forever, nil
	}
	d, err := time.ParseDuration(value)
	switch {
	case err != nil && isDigits(value):
		return 0, fmt.Errorf("%s=%s: add a unit: %ss, %sm", key, value, value, value)
	case err != nil:
		return 0, fmt.Errorf("%s=%q is not a duration: write 500ms, 20s, 5m or forever", key, clip(value, 40))
	case d < 0:
		return 0, fmt.Errorf("%s=%s must not be negative", key, value)
	}
	return d, nil
}

// specProfile parses profile=P.
func specProfile(value string) (taurusjobtest.Profile, error) {
	switch value {
	case "linear":
		return taurusjobtest.Linear, nil
	case "front-loaded":
		return taurusjobtest.FrontLoaded, nil
	case "stall-then-jump":
		return taurusjobtest.StallThenJump, nil
	case "none":
		return taurusjobtest.NoProgress, nil
	}
	kind, arg, _ := strings.Cut(value, ":")
	pct, err := strconv.Atoi(arg)
	if err == nil && pct >= 1 && pct <= 100 {
		switch kind {
		case "steps":
			return taurusjobtest.Steps(pct), nil
		case "stuck":
			return taurusjobtest.StuckAt(pct), nil
		}
	}
	return nil, fmt.Errorf("profile %q: give linear, front-loaded, stall-then-jump, none, steps:N or stuck:N (N from 1 to 100)", clip(value, 40))
}

// add puts the job on srv, its clock starting now, with the rule of
// outcome=error.
func (fj *fakeJob) add(srv *taurusjobtest.Server, now time.Time) {
	j := fj.job
	j.Created = now
	if fj.outcome == "failed" || fj.outcome == "canceled" {
		j.FailReason = fj.reason
	}
	srv.AddJob(j)
	phases := []time.Duration{j.Invisible, j.Pending, j.Running}
	if fj.instance != "" {
		srv.AddInstance(fj.instanceScript(now, phases))
	}
	if fj.outcome != "error" {
		return
	}
	if slices.Contains(phases, taurusjobtest.Forever) {
		return // its phases never end, so neither does the job
	}
	srv.AddRule(taurusjobtest.Rule{JobID: j.ID, From: now.Add(j.Invisible + j.Pending + j.Running), Fault: fj.errorFault()})
}

// checkInstance checks instance=: an id GetInstance accepts, on a job
// that ends.
func (fj *fakeJob) checkInstance() error {
	if fj.outcome == "never-visible" || fj.outcome == "error" {
		return errors.New("instance= goes with outcome=completed, failed or canceled")
	}
	if reason := jobid.CheckInstanceID(fj.instance); reason != "" {
		return fmt.Errorf("instance=%q %s", clip(fj.instance, 40), reason)
	}
	return nil
}

// instanceScript is the life of the job's instance: BUILD while the job
// runs, then, for a job that completes, the fake's post-job life, set off
// by the job itself; FAILED after one that fails or is canceled.
func (fj *fakeJob) instanceScript(now time.Time, phases []time.Duration) taurusjobtest.InstanceScript {
	script := taurusjobtest.InstanceScript{ID: fj.instance, Name: fj.job.Instance.Name, Created: now,
		Steps: []taurusjobtest.InstanceStep{{Status: "BUILD"}}}
	if fj.outcome == "completed" || slices.Contains(phases, taurusjobtest.Forever) {
		return script
	}
	var end time.Duration // the phases' sum, capped below Forever so that BUILD still ends
	for _, d := range phases {
		end += min(d, taurusjobtest.Forever-1-end)
	}
	script.Steps = []taurusjobtest.InstanceStep{{Status: "BUILD", For: end}, {Status: "FAILED"}}
	return script
}

// errorFault is the answer of outcome=error: the API's error body, with
// a code that says it was scripted.
func (fj *fakeJob) errorFault() taurusjobtest.Fault {
	msg := fj.reason
	if msg == "" {
		msg = http.StatusText(fj.httpError) + " (scripted by taurusjob fake-api)"
	}
	body, _ := json.Marshal(struct {
		Code string `json:"error_code"`
		Msg  string `json:"error_msg"`
	}{fmt.Sprintf("FAKE.%d", fj.httpError), msg}) // strings always marshal
	return taurusjobtest.Answer(fj.httpError, "", string(body))
}

// describe is the job's script in a few words, for fake-api's stderr.
func (fj *fakeJob) describe() string {
	var parts []string
	for _, p := range []struct {
		what string
		d    time.Duration
	}{{"invisible", fj.job.Invisible}, {"Pending", fj.job.Pending}, {"Running", fj.job.Running}} {
		switch {
		case fj.outcome == "never-visible":
		case p.d == taurusjobtest.Forever:
			parts = append(parts, p.what+" for ever")
		case p.d > 0:
			parts = append(parts, p.what+" "+p.d.String())
		}
	}
	end := fj.outcome
	if fj.outcome == "error" {
		end = fmt.Sprintf("then HTTP %d", fj.httpError)
	}
	switch {
	case fj.outcome == "never-visible":
		parts = append(parts, "never visible (404)")
	case !slices.Contains([]time.Duration{fj.job.Invisible, fj.job.Pending, fj.job.Running}, taurusjobtest.Forever):
		parts = append(parts, end)
	}
	if fj.instance != "" {
		parts = append(parts, "on instance "+fj.instance)
	}
	return fmt.Sprintf("job %s: %s", fj.job.ID, strings.Join(parts, ", "))
}
