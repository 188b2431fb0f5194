package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// The demo's script: a job that is not visible at first, as a new job is
// for a few seconds, then runs, then completes with entities; then its
// instance, ACTIVE for a moment, backs up, as TaurusDB does after a
// create, and the wait goes on until it has been ACTIVE for the settle time.
const (
	demoInvisible = 3 * time.Second
	demoRunning   = 15 * time.Second
	demoActive    = 2 * time.Second // ACTIVE right after the job, before the backup
	demoBackingUp = 5 * time.Second
	demoSettle    = 5 * time.Second
)

// demoScale shortens the script for the tests; the command always runs at 1.
var demoScale = 1.0

// demoEntities is the entities object of the API documentation's example.
const demoEntities = `{"instance":{"endpoint":"192.168.1.203:3306","type":"Cluster","datastore":{"type":"gaussdb-mysql","version":"8.0"}},"resource_ids":["a48e43ff268f4c0e879652d65e63d0fbin07.vm","a48e43ff268f4c0e879652d65e63d0fbin07.volume"]}`

// cmdDemo is "taurusjob demo": the wait command's code, with the real
// client and waiter, against a fake job API on a loopback port.
func cmdDemo(ctx context.Context, pos []string, o *options, stdout, stderr io.Writer) int {
	err := checkWaitOptions(o)
	if len(pos) > 0 {
		err = usagef("demo takes no arguments, got %q", clip(pos[0], 40))
	}
	if err != nil {
		return usageFail(stderr, "demo", err)
	}

	srv := taurusjobtest.NewServer()
	defer srv.Close()
	srv.AddInstance(taurusjobtest.InstanceScript{ID: "a48e43ff268f4c0e879652d65e63d0fbin07", Name: "demo-orders-db",
		Steps: []taurusjobtest.InstanceStep{{Status: "BUILD"}},
		AfterJob: []taurusjobtest.InstanceStep{{Status: "ACTIVE", For: scaled(demoActive)},
			{Status: "BACKING UP", For: scaled(demoBackingUp)}, {Status: "ACTIVE"}}})
	id := srv.AddJob(taurusjobtest.Job{
		Name:      "CreateGaussDBforMySQLInstance",
		Invisible: scaled(demoInvisible),
		Running:   scaled(demoRunning),
		Outcome:   taurusjobtest.Completed,
		Instance:  taurusjobtest.Instance{ID: "a48e43ff268f4c0e879652d65e63d0fbin07", Name: "demo-orders-db"},
		Entities:  json.RawMessage(demoEntities),
	})
	if !o.quiet {
		fmt.Fprintf(stderr, "taurusjob demo: a fake TaurusDB job API listens on %s (loopback only).\n"+
			"Its job %s is invisible for %s, runs for %s, then completes; its instance is then\n"+
			"ACTIVE for %s and BACKING UP for %s, as after a real create.\n"+
			"Waiting for the job and then its instance exactly as \"taurusjob wait --ready --settle %s\" would:\n\n",
			srv.URL(), id, scaled(demoInvisible), scaled(demoRunning), scaled(demoActive), scaled(demoBackingUp), scaled(demoSettle))
	}
	o.ready, o.settle = true, scaled(demoSettle)
	// The same configuration path as wait, from an environment that holds
	// the fake's endpoint, project and token (and nothing of the user's).
	env := map[string]string{
		envEndpoint:  srv.URL(),
		envProjectID: srv.ProjectID(),
		envToken:     srv.Token(),
	}
	cfg, err := clientConfig(ctx, o, func(k string) string { return env[k] }, nil, stderr)
	if err != nil {
		return usageFail(stderr, "demo", err)
	}
	return waitJobs(ctx, cfg, []string{id}, o, stdout, stderr)
}

func scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) * demoScale).Round(time.Millisecond)
}

// setDemoDefaults sets the defaults that differ from wait's: poll at
// least every 3 s, so that the demo shows the job's progress and ends soon
// after the job (wait's default is 60 s), and give up after 2 minutes.
func setDemoDefaults(fs *pflag.FlagSet) {
	setDefault(fs, "max-interval", "3s")
	setDefault(fs, "timeout", "2m")
}

// setDefault changes a flag's default value, as help shows it.
func setDefault(fs *pflag.FlagSet, name, value string) {
	f := fs.Lookup(name)
	if err := f.Value.Set(value); err != nil {
		panic(err) // a wrong literal above
	}
	f.DefValue = value
}
