package taurusjobtest

import (
	"fmt"

	"github.com/taurusdb-tools/taurusjob"
)

// WithService makes the server answer in the shape of svc's job API, so
// that code waiting for RDS, GaussDB (openGauss) or DDS jobs is tested
// against the bodies those services send:
//
//   - [taurusjob.ServiceTaurusDB] (the default): the percent in "process",
//     entities ({} unless [Job].Entities is set), fail_reason "" until a
//     failure;
//   - [taurusjob.ServiceRDS]: the same fields, instance ids ending "in01";
//   - [taurusjob.ServiceOpenGauss]: the percent in "progress", no entities
//     (Job.Entities is ignored), fail_reason null until a failure,
//     instance ids ending "in14";
//   - [taurusjob.ServiceDDS]: the percent in "progress", no entities,
//     fail_reason "" until a failure, instance ids ending "in02".
//
// Job ids are UUIDs and the error bodies are the same for every service.
// The sibling services document only Running, Completed and Failed; a Job
// that scripts Pending, Unauthorized or Canceled gets them anyway, which
// tests a waiter's tolerance. WithService panics on an unknown service:
// that is a mistake in the test.
func WithService(svc taurusjob.Service) Option {
	return func(c *config) {
		if _, ok := shapes[svc]; !ok {
			panic(fmt.Sprintf("taurusjobtest: WithService: unknown service %v", svc))
		}
		c.service = svc
	}
}

// shape is how one service writes a job body.
type shape struct {
	percentKey     string // the name of the percent field
	entities       bool   // the body has "entities"
	nullFailReason bool   // fail_reason is null, not "", while there is none
	jobName        string // the default job name
	instSuffix     string // the end of an instance id
}

var shapes = map[taurusjob.Service]shape{
	taurusjob.ServiceTaurusDB:  {percentKey: "process", entities: true, jobName: defaultJobName, instSuffix: "in07"},
	taurusjob.ServiceRDS:       {percentKey: "process", entities: true, jobName: "CreateMysqlInstance", instSuffix: "in01"},
	taurusjob.ServiceOpenGauss: {percentKey: "progress", nullFailReason: true, jobName: "CreateGaussDBV5Instance", instSuffix: "in14"},
	taurusjob.ServiceDDS:       {percentKey: "progress", jobName: "CreateMongoDB", instSuffix: "in02"},
}
