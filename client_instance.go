package taurusjob

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/taurusdb-tools/taurusjob/internal/redact"
)

// ddsNoInstanceCode is DDS's error_code, sent with HTTP 400, for an
// instance it does not have; Terraform's provider reads it as a 404.
const ddsNoInstanceCode = "DBS.280110"

// GetInstance reads one instance of the client's [ClientConfig].Service,
// as that service's API shows it:
//
//	TaurusDB   GET /v3/{project_id}/instances/{id}   "instance", its nodes' "type" as Role
//	RDS        GET /v3/{project_id}/instances?id=…   the list entry; then, when the list lacks
//	           it, once more with &group_type=flexus (FlexusRDS instances are listed only so)
//	openGauss  GET /v3/{project_id}/instances?id=…   the list entry; nodes as far as they are objects
//	DDS        GET /v3/{project_id}/instances?id=…   the list entry, its "actions", and the nodes
//	           of all its groups
//
// It validates instanceID first (1 to 64 letters, digits, '-' and '_'; no
// leading '*', which the lists read as a fuzzy match) and sends nothing
// when it is bad. Only the list entry of exactly that id counts. It returns:
//   - the instance, its Raw being the instance object as received, byte
//     for byte; names and statuses are clipped, nodes and actions capped
//     at 256;
//   - an error matching [ErrInstanceNotFound] when the service has no such
//     instance: a 404 (except the gateway's "no such API", which means a
//     wrong endpoint), a list without it, a TaurusDB answer without
//     "instance", or DDS's 400 DBS.280110. When the service answered with
//     an error, errors.As finds its [*APIError] too;
//   - an [*APIError] for any other answer: other non-2xx, a body over the
//     limit or malformed, an instance of another id, a list of other
//     instances only;
//   - a [*TransportError], or ctx's error, as [Client.GetJob] does.
//
// Each request has GetJob's deadline, credentials (a 401 refreshes a
// TokenSource's token once) and scrubbing: no credential a server echoes
// reaches the InstanceInfo, its Raw or an error. It is safe for
// concurrent use.
func (c *Client) GetInstance(ctx context.Context, instanceID string) (*InstanceInfo, error) {
	if err := validateInstanceID(instanceID); err != nil {
		return nil, err
	}
	path := "/v3/" + c.projectID + "/instances"
	if c.service == ServiceTaurusDB {
		return c.readInstance(ctx, apiCall{path: path + "/" + instanceID}, instanceID, findDetail)
	}
	query := "id=" + url.QueryEscape(instanceID)
	info, err := c.readInstance(ctx, apiCall{path: path, query: query}, instanceID, findListed)
	if c.service != ServiceRDS || !errors.Is(err, ErrInstanceNotFound) {
		return info, err
	}
	// FlexusRDS instances are listed only when asked for by group type.
	info, err = c.readInstance(ctx, apiCall{path: path, query: query + "&group_type=flexus"}, instanceID, findListed)
	if nf, ok := errors.AsType[*instanceNotFoundError](err); ok {
		nf.where = "neither the RDS list nor the FlexusRDS list holds it"
	}
	return info, err
}

// readInstance makes one instance request and reads its answer; find
// takes the instance object out of a 2xx body.
func (c *Client) readInstance(ctx context.Context, x apiCall, instanceID string,
	find func(body []byte, instanceID string) (json.RawMessage, error)) (*InstanceInfo, error) {
	var info *InstanceInfo
	err := c.call(ctx, x, func(r *reply, secrets redact.Sets) error {
		raw, err := c.instanceFrom(r, instanceID, secrets, find)
		if err == nil {
			info = instanceInfo(raw, instanceID, c.service)
		}
		return err
	})
	return info, err
}

// instanceFrom reads a scrubbed reply, as jobFrom does for a job: the
// instance object, or the error GetInstance documents.
func (c *Client) instanceFrom(r *reply, instanceID string, secrets redact.Sets,
	find func(body []byte, instanceID string) (json.RawMessage, error)) (json.RawMessage, error) {
	if !r.ok() {
		ae := apiErrorFrom(r.resp, r.body, r.tooBig, secrets...)
		if c.instanceAbsent(ae) {
			return nil, &instanceNotFoundError{instanceID: instanceID, api: ae}
		}
		return nil, ae
	}
	if r.tooBig {
		return nil, r.overLimit(c.maxBody)
	}
	raw, err := find(r.body, instanceID)
	switch {
	case errors.Is(err, errNoInstance):
		return nil, &instanceNotFoundError{instanceID: instanceID, status: r.resp.StatusCode, requestID: r.requestID()}
	case err != nil:
		return nil, r.unusable("%s", err)
	}
	return raw, nil
}

// instanceAbsent reports an error answer that says the service has no
// such instance. The gateway's 404 for a path it does not serve says the
// endpoint is wrong instead: it stays an error of its own.
func (c *Client) instanceAbsent(ae *APIError) bool {
	switch {
	case ae.StatusCode == http.StatusNotFound:
		return !slices.Contains(noSuchAPICodes, ae.Code)
	case ae.StatusCode == http.StatusBadRequest:
		return c.service == ServiceDDS && ae.Code == ddsNoInstanceCode
	}
	return false
}

// instanceNotFoundError is a GetInstance answer that the service has no
// such instance. It matches [ErrInstanceNotFound] and, when the service
// answered with an error (a 404, DDS's 400), holds that [*APIError].
type instanceNotFoundError struct {
	instanceID string
	api        *APIError // nil for a 2xx answer without the instance
	status     int       // of the 2xx answer
	requestID  string    // of the 2xx answer
	where      string    // what was looked through, when more than one list
}

func (e *instanceNotFoundError) Error() string {
	msg := "taurusjob: instance " + e.instanceID + " not found"
	if e.where != "" {
		msg += ": " + e.where
	}
	if e.api != nil {
		return msg + " (" + unprefixed(e.api) + ")"
	}
	msg += fmt.Sprintf(" (HTTP %d without it", e.status)
	if e.requestID != "" {
		msg += ", request id " + e.requestID
	}
	return msg + ")"
}

// Unwrap returns [ErrInstanceNotFound] and the service's error, if any.
func (e *instanceNotFoundError) Unwrap() []error {
	if e.api == nil {
		return []error{ErrInstanceNotFound}
	}
	return []error{ErrInstanceNotFound, e.api}
}
