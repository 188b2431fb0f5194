package huaweisdk

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/clip"
	"github.com/taurusdb-tools/taurusjob/internal/jobid"
)

// This file holds what the four getters' GetInstance share: the id check,
// the mapping of an SDK model's instance to a taurusjob.InstanceInfo, and
// "not found". They follow taurusjob.Client.GetInstance rule for rule;
// the per-service calls are in instance_calls.go.

var (
	_ taurusjob.InstanceGetter = (*Getter)(nil)
	_ taurusjob.InstanceGetter = (*RDSGetter)(nil)
	_ taurusjob.InstanceGetter = (*OpenGaussGetter)(nil)
	_ taurusjob.InstanceGetter = (*DDSGetter)(nil)
)

// Bounds of what an InstanceInfo keeps, the core client's.
const (
	maxInstanceItems = 256
	maxNameLen       = 256
	maxStatusLen     = 64
	maxNodeIDLen     = 128
)

// ddsNoInstanceCode is DDS's error_code, with HTTP 400, for an instance
// it does not have; Terraform's provider reads it as a 404.
const ddsNoInstanceCode = "DBS.280110"

// checkInstanceID refuses what the core client refuses, before any call.
func checkInstanceID(id string) error {
	if reason := jobid.CheckInstanceID(id); reason != "" {
		return &taurusjob.InputError{Field: "instance id", Reason: reason}
	}
	return nil
}

// sdkInstance is one instance as a service's SDK model holds it.
type sdkInstance struct {
	id, name, status string
	actions          []string // DDS
	nodes            []taurusjob.InstanceNode
	model            any // the SDK's model of the instance, for Raw
}

// info maps a scrubbed copy of d to an InstanceInfo; Raw is the model's
// JSON re-encoding, scrubbed.
func (d *sdkInstance) info(instanceID string, s *scrubber) (*taurusjob.InstanceInfo, error) {
	b, err := json.Marshal(d.model)
	if err != nil { // the SDK's own model: cannot happen
		return nil, fmt.Errorf("huaweisdk: re-encoding the instance: %w", err)
	}
	info := &taurusjob.InstanceInfo{ID: instanceID, Name: clip.Text(s.text(d.name), maxNameLen),
		Status: clip.Text(s.text(d.status), maxStatusLen), Raw: s.json(b)}
	for _, a := range d.actions {
		if a != "" && len(info.Actions) < maxInstanceItems {
			info.Actions = append(info.Actions, clip.Text(s.text(a), maxStatusLen))
		}
	}
	for _, n := range d.nodes {
		if len(info.Nodes) == maxInstanceItems {
			break
		}
		if n == (taurusjob.InstanceNode{}) {
			continue
		}
		info.Nodes = append(info.Nodes, taurusjob.InstanceNode{ID: clip.Text(s.text(n.ID), maxNodeIDLen),
			Name: clip.Text(s.text(n.Name), maxNameLen), Role: clip.Text(s.text(n.Role), maxStatusLen),
			Status: clip.Text(s.text(n.Status), maxStatusLen)})
	}
	return info, nil
}

// fromDetail reads TaurusDB's detail answer: no instance, or an empty
// one, is not found; one of another id is an error.
func fromDetail(instanceID string, d *sdkInstance, httpStatus int, s *scrubber) (*taurusjob.InstanceInfo, error) {
	if err := answerStatus(httpStatus); err != nil {
		return nil, err
	}
	switch {
	case d == nil || d.id == "" && d.name == "" && d.status == "":
		return nil, &instanceNotFoundError{instanceID: instanceID, why: fmt.Sprintf("HTTP %d without it", httpStatus)}
	case d.id != "" && d.id != instanceID:
		return nil, s.error(&taurusjob.APIError{StatusCode: httpStatus,
			Message: fmt.Sprintf("answer is for instance %q, not the instance asked for", clip.Text(d.id, maxNodeIDLen))})
	}
	return d.info(instanceID, s)
}

// fromList reads a list answer of n instances: the one of instanceID
// (found, nil when absent), not found when the list is empty, and an error
// when it lists other instances only, as the core client reads it.
func fromList(instanceID string, n int, found *sdkInstance, httpStatus int, s *scrubber) (*taurusjob.InstanceInfo, error) {
	if err := answerStatus(httpStatus); err != nil {
		return nil, err
	}
	switch {
	case found != nil:
		return found.info(instanceID, s)
	case n == 0:
		return nil, &instanceNotFoundError{instanceID: instanceID, why: fmt.Sprintf("HTTP %d without it", httpStatus)}
	}
	return nil, &taurusjob.APIError{StatusCode: httpStatus,
		Message: fmt.Sprintf("the answer lists %d instances, none of them the instance asked for", n)}
}

// answerStatus refuses an answer the SDK returned without an error though
// it is not a 2xx: a 3xx it does not follow.
func answerStatus(httpStatus int) error {
	if httpStatus != 0 && (httpStatus < 200 || httpStatus > 299) {
		return &taurusjob.APIError{StatusCode: httpStatus, Message: "the SDK returned this answer without an instance or an error"}
	}
	return nil
}

// instanceCallError reads a failed call's error (already mapped and
// scrubbed by callSDK): a 404, but the gateway's "no such API", and DDS's
// 400 DBS.280110 say the instance is not there.
func instanceCallError(instanceID string, err error, dds bool) error {
	ae, ok := errors.AsType[*taurusjob.APIError](err)
	if !ok {
		return err
	}
	switch {
	case ae.StatusCode == http.StatusNotFound && !slices.Contains([]string{"APIGW.0101", "APIG.0101"}, ae.Code),
		dds && ae.StatusCode == http.StatusBadRequest && ae.Code == ddsNoInstanceCode:
		return &instanceNotFoundError{instanceID: instanceID, api: ae}
	}
	return err
}

// instanceNotFoundError says the service has no such instance. It
// matches [taurusjob.ErrInstanceNotFound] and, when the service answered
// with an error, holds that *APIError.
type instanceNotFoundError struct {
	instanceID string
	api        *taurusjob.APIError
	why        string
}

func (e *instanceNotFoundError) Error() string {
	msg := "huaweisdk: instance " + e.instanceID + " not found"
	if e.why != "" {
		msg += ": " + e.why
	}
	if e.api != nil {
		msg += " (" + e.api.Error() + ")"
	}
	return msg
}

// Unwrap returns [taurusjob.ErrInstanceNotFound] and the service's error, if any.
func (e *instanceNotFoundError) Unwrap() []error {
	if e.api == nil {
		return []error{taurusjob.ErrInstanceNotFound}
	}
	return []error{taurusjob.ErrInstanceNotFound, e.api}
}

// scalarText is a value of an untyped model (openGauss's nodes) as text:
// a string as it is, a number or a bool as written, "" for anything else.
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}
