package huaweisdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	httpclient "github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/clip"
	"github.com/taurusdb-tools/taurusjob/internal/jobfield"
	"github.com/taurusdb-tools/taurusjob/internal/nojob"
)

// This file holds what the getters of the sibling services (RDS,
// openGauss, DDS) share: their options, one SDK call bounded by ctx and
// the call timeout, and the mapping of an SDK job to a taurusjob.Job.
// They follow [Getter.GetJob] rule for rule.

// callSettings resolves opts exactly as [NewGetter] does, so that every
// getter takes the same options with the same checks and defaults.
func callSettings(opts []Option) (*Getter, error) {
	g := &Getter{timeout: DefaultCallTimeout}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.apply(g); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// recordingClient returns a copy of hc whose credential records each
// request's signature, and the scrubber of hc's credentials and of those
// signatures: every getter calls the SDK through such a copy (see
// [NewGetter]), and hc, the caller's, is left as it is.
func recordingClient(hc *httpclient.HcHttpClient) (*httpclient.HcHttpClient, *scrubber) {
	c := *hc
	cred := c.GetCredential()
	rec := &signatureRecorder{ICredential: cred}
	return c.WithCredential(rec), &scrubber{cred: cred, signatures: rec}
}

// callSDK validates jobID, runs call in a goroutine and returns its answer,
// or ctx's error as soon as ctx ends, or a *TransportError once timeout
// passes; the SDK takes no context, so an abandoned call runs on until the
// SDK's own HTTP timeout. A panic in the SDK becomes an error. op names the
// SDK operation in errors; every error from the SDK is scrubbed with s.
func callSDK[R any](ctx context.Context, jobID, op string, timeout time.Duration, s *scrubber, call func() (R, error)) (R, error) {
	var zero R
	if err := taurusjob.ValidateJobID(jobID); err != nil {
		return zero, err
	}
	if ctx.Err() != nil {
		return zero, ctxError(ctx, jobID)
	}
	type result struct {
		resp R
		err  error
	}
	done := make(chan result, 1) // buffered: the call never waits for a reader that has gone
	go func() {
		var res result
		defer func() {
			if p := recover(); p != nil {
				res = result{err: fmt.Errorf("the SDK panicked: %s", clip.Text(fmt.Sprint(p), 256))}
			}
			done <- res
		}()
		res.resp, res.err = call()
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case res := <-done:
		if res.err != nil {
			return zero, mapSDKError(op, res.err, s)
		}
		return res.resp, nil
	case <-ctx.Done():
		return zero, ctxError(ctx, jobID)
	case <-timer.C:
		return zero, &taurusjob.TransportError{Err: fmt.Errorf(
			"no answer from the SDK within the %s call timeout (the call goes on in the background until the SDK's HTTP timeout)", timeout)}
	}
}

// mapSDKError maps and scrubs an SDK error as the TaurusDB getter does
// (mapError, then s.error), naming op instead of ShowGaussMySqlJobInfo in
// what stays an SDK error.
func mapSDKError(op string, err error, s *scrubber) error {
	mapped := mapError(err, s)
	if !errors.As(mapped, new(*taurusjob.APIError)) && !errors.As(mapped, new(*taurusjob.TransportError)) {
		mapped = fmt.Errorf("huaweisdk: %s: %w", op, err)
	}
	return s.error(mapped)
}

// sdkJob is a job as a sibling service's SDK model holds it.
type sdkJob struct {
	id, name, status, created string
	ended, failReason         *string
	percent                   *string // "process" (RDS) or "progress" (openGauss, DDS)
	percentKey                string
	instance                  *rawInstance
	entities                  any // RDS's model of entities; nil for none
}

// rawJob is the JSON re-encoding of what an SDK decoded, under the API's
// field names: Job.Raw of every getter. TaurusDB's has no entities (its
// SDK drops them) and no "progress"; absent fields are left out.
type rawJob struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Status     string          `json:"status"`
	Created    string          `json:"created"`
	Ended      *string         `json:"ended,omitempty"`
	Process    *string         `json:"process,omitempty"`
	Progress   *string         `json:"progress,omitempty"`
	Instance   *rawInstance    `json:"instance,omitempty"`
	Entities   json.RawMessage `json:"entities,omitempty"`
	FailReason *string         `json:"fail_reason,omitempty"`
}

// toJob maps an SDK answer's job to a Job, read the way taurusjob.Client
// reads the API's body: nil or empty is "not visible yet", another job's
// id is an error. httpStatus is the SDK response's HttpStatusCode. Every
// text of the job, and of the error, is scrubbed with s first: the SDK has
// decoded JSON escapes already, so an escaped credential is in clear here.
func (d *sdkJob) toJob(jobID string, httpStatus int, s *scrubber) (*taurusjob.Job, error) {
	job, err := d.scrubbed(s).job(jobID, httpStatus, s)
	return job, s.error(err)
}

// scrubbed returns a copy of d with every text scrubbed but the entities,
// which job scrubs once they are JSON.
func (d *sdkJob) scrubbed(s *scrubber) *sdkJob {
	if d == nil {
		return nil
	}
	c := *d
	c.id, c.name, c.status, c.created = s.text(d.id), s.text(d.name), s.text(d.status), s.text(d.created)
	for _, p := range []**string{&c.ended, &c.failReason, &c.percent} {
		if *p != nil {
			v := s.text(**p)
			*p = &v
		}
	}
	if d.instance != nil {
		c.instance = &rawInstance{ID: s.text(d.instance.ID), Name: s.text(d.instance.Name)}
	}
	return &c
}

// job is toJob's mapping of a scrubbed d; s scrubs the entities' JSON.
func (d *sdkJob) job(jobID string, httpStatus int, s *scrubber) (*taurusjob.Job, error) {
	if httpStatus != 0 && (httpStatus < 200 || httpStatus > 299) {
		// The SDK makes errors of 4xx and 5xx only; a 3xx it does not follow lands here.
		return nil, &taurusjob.APIError{StatusCode: httpStatus, Message: "the SDK returned this answer without a job or an error"}
	}
	if d == nil || d.id == "" && d.name == "" && d.status == "" {
		return nil, &nojob.Error{JobID: jobID}
	}
	if d.id != "" && d.id != jobID {
		return nil, &taurusjob.APIError{StatusCode: httpStatus,
			Message: fmt.Sprintf("answer is for job %q, not the job asked for", clip.Text(d.id, 128))}
	}
	job := &taurusjob.Job{ID: jobID, Name: d.name, Status: taurusjob.Status(d.status), Progress: -1, FailReason: deref(d.failReason)}
	job.Created, _ = jobfield.Time(d.created) // zero when unparseable; the text stays in Raw
	job.Ended, _ = jobfield.Time(deref(d.ended))
	if d.percent != nil {
		job.Progress = jobfield.Progress(*d.percent)
	}
	raw := rawJob{ID: d.id, Name: d.name, Status: d.status, Created: d.created, Ended: d.ended,
		Instance: d.instance, FailReason: d.failReason}
	if d.percentKey == "progress" {
		raw.Progress = d.percent
	} else {
		raw.Process = d.percent
	}
	if d.instance != nil {
		job.Instance = taurusjob.Instance{ID: d.instance.ID, Name: d.instance.Name}
	}
	if d.entities != nil {
		e, err := json.Marshal(d.entities)
		if err != nil { // the SDK's own model: cannot happen
			return nil, fmt.Errorf("huaweisdk: re-encoding the entities: %w", err)
		}
		e = s.json(e)
		job.Entities, raw.Entities = e, e
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("huaweisdk: re-encoding the job: %w", err)
	}
	job.Raw = b
	return job, nil
}

// progressJob is a job of the openGauss and DDS models, which hold every
// field as a plain string: "" stands for a field missing or null.
func progressJob(id, name, status, created, ended, progress, failReason string, inst *rawInstance) *sdkJob {
	return &sdkJob{id: id, name: name, status: status, created: created, ended: stringOrNil(ended),
		failReason: stringOrNil(failReason), percent: stringOrNil(progress), percentKey: "progress", instance: inst}
}

// stringOrNil is s, or nil for "".
func stringOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
