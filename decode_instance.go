package taurusjob

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/taurusdb-tools/taurusjob/internal/clip"
)

// How a 2xx answer of GetInstance reads: find the instance object (the
// TaurusDB detail's "instance", or the list entry of the exact id), then
// take what a wait needs from it, leniently and bounded.

// errNoInstance reports a well-formed answer that holds no instance.
var errNoInstance = errors.New("the answer holds no such instance")

// Bounds of what an InstanceInfo keeps of an answer: the counts of nodes
// and actions, and the length of a node id (names and statuses are
// clipped as a wait's state clips them).
const (
	maxInstanceItems = 256
	maxNodeIDLen     = 128
)

// findDetail finds the instance of a TaurusDB detail answer,
// {"instance": {...}}. A body without one ("instance" absent, null or
// {}) holds no instance; one of another id is an error, not a match.
func findDetail(body []byte, instanceID string) (json.RawMessage, error) {
	var env struct {
		Instance json.RawMessage `json:"instance"`
	}
	if err := decodeEnvelope(body, &env); err != nil {
		return nil, err
	}
	raw := env.Instance // the decoder's own copy
	switch {
	case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
		return nil, errNoInstance
	case raw[0] != '{':
		return nil, errors.New(`malformed instance body: "instance" is not an object`)
	}
	var w wireInstanceInfo
	_ = json.Unmarshal(raw, &w) // valid JSON whose fields never fail
	switch id := string(w.ID); {
	case id == "" && w.Name == "" && w.Status == "":
		return nil, errNoInstance // "instance": {} and its like
	case id != "" && id != instanceID:
		return nil, fmt.Errorf("answer is for instance %q, not the instance asked for", clip.Text(id, maxNodeIDLen))
	}
	return raw, nil
}

// findListed finds the entry of the exact id in a list answer,
// {"instances": [...], "total_count": n}: RDS, openGauss and DDS. An empty
// list holds no instance; a list of others only is an error, since the
// service filters by the id asked for: an answer that did not filter (or
// matched loosely) says nothing of the instance.
func findListed(body []byte, instanceID string) (json.RawMessage, error) {
	var env struct {
		Instances json.RawMessage `json:"instances"`
	}
	if err := decodeEnvelope(body, &env); err != nil {
		return nil, err
	}
	raw := env.Instances
	switch {
	case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
		return nil, errNoInstance
	case raw[0] != '[':
		return nil, errors.New(`malformed instance list: "instances" is not a list`)
	}
	var items []json.RawMessage
	_ = json.Unmarshal(raw, &items) // valid JSON: an array of anything
	for _, it := range items {
		if len(it) == 0 || it[0] != '{' {
			continue
		}
		var w struct {
			ID flexString `json:"id"`
		}
		if json.Unmarshal(it, &w) == nil && string(w.ID) == instanceID {
			return it, nil // the decoder's own copy of the entry, byte for byte
		}
	}
	if len(items) == 0 {
		return nil, errNoInstance
	}
	return nil, fmt.Errorf("the answer lists %d instances, none of them the instance asked for", len(items))
}

// decodeEnvelope decodes a 2xx body into env, which must be a JSON object.
func decodeEnvelope(body []byte, env any) error {
	var typeErr *json.UnmarshalTypeError
	switch err := json.Unmarshal(body, env); {
	case errors.As(err, &typeErr):
		return errors.New("malformed instance body: not a JSON object")
	case err != nil:
		return fmt.Errorf("malformed instance body: %w", err)
	}
	return nil
}

// wireInstanceInfo is what GetInstance reads of an instance object. Its
// strings are flexStrings and its lists raw, so that no value of an
// unexpected type fails the decode: it is dropped, the rest still counts.
type wireInstanceInfo struct {
	ID      flexString      `json:"id"`
	Name    flexString      `json:"name"`
	Status  flexString      `json:"status"`
	Actions json.RawMessage `json:"actions"` // DDS
	Nodes   json.RawMessage `json:"nodes"`   // TaurusDB, RDS, openGauss
	Groups  json.RawMessage `json:"groups"`  // DDS: each with its nodes
}

type wireNode struct {
	ID     flexString `json:"id"`
	Name   flexString `json:"name"`
	Role   flexString `json:"role"`
	Type   flexString `json:"type"` // TaurusDB's name for the role: "master", "slave"
	Status flexString `json:"status"`
}

// instanceInfo reads the instance object raw, found for instanceID, as
// svc spells it.
func instanceInfo(raw json.RawMessage, instanceID string, svc Service) *InstanceInfo {
	var w wireInstanceInfo
	_ = json.Unmarshal(raw, &w) // raw is an object: its fields never fail
	info := &InstanceInfo{
		ID:     instanceID, // the finder checked that the answer's is the same or absent
		Name:   clip.Text(string(w.Name), maxSavedName),
		Status: clip.Text(string(w.Status), maxSavedStatus),
		Raw:    raw,
	}
	switch svc {
	case ServiceDDS:
		info.Actions = instanceActions(w.Actions)
		eachListed(w.Groups, func(g json.RawMessage) bool {
			var group struct {
				Nodes json.RawMessage `json:"nodes"`
			}
			if len(g) > 0 && g[0] == '{' && json.Unmarshal(g, &group) == nil {
				info.Nodes = appendNodes(info.Nodes, group.Nodes, svc)
			}
			return len(info.Nodes) < maxInstanceItems
		})
	default:
		info.Nodes = appendNodes(nil, w.Nodes, svc)
	}
	return info
}

// appendNodes appends the nodes of a raw list, up to maxInstanceItems in
// all. Entries that are not objects, or hold none of id, name, role and
// status, are skipped: openGauss's v3 list leaves their shape open.
func appendNodes(nodes []InstanceNode, raw json.RawMessage, svc Service) []InstanceNode {
	eachListed(raw, func(it json.RawMessage) bool {
		var w wireNode
		if len(nodes) >= maxInstanceItems || len(it) == 0 || it[0] != '{' || json.Unmarshal(it, &w) != nil {
			return len(nodes) < maxInstanceItems
		}
		role := w.Role
		if svc == ServiceTaurusDB && w.Type != "" {
			role = w.Type
		}
		if w.ID != "" || w.Name != "" || role != "" || w.Status != "" {
			nodes = append(nodes, InstanceNode{
				ID:     clip.Text(string(w.ID), maxNodeIDLen),
				Name:   clip.Text(string(w.Name), maxSavedName),
				Role:   clip.Text(string(role), maxSavedStatus),
				Status: clip.Text(string(w.Status), maxSavedStatus),
			})
		}
		return len(nodes) < maxInstanceItems
	})
	return nodes
}

// instanceActions reads DDS's "actions", up to maxInstanceItems of them;
// empty entries (and non-scalar ones, which read as "") are dropped.
func instanceActions(raw json.RawMessage) []string {
	var out []string
	eachListed(raw, func(it json.RawMessage) bool {
		if a := jsonString(it); a != "" {
			out = append(out, clip.Text(a, maxSavedStatus))
		}
		return len(out) < maxInstanceItems
	})
	return out
}

// eachListed calls f with each entry of a JSON array, in order, until f
// reports false; anything but an array has no entries. The entries are
// read one at a time, so that a list far longer than what is kept of it
// costs no copy of the rest.
func eachListed(raw json.RawMessage, f func(json.RawMessage) bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // the '['
		return
	}
	for dec.More() {
		var it json.RawMessage
		if dec.Decode(&it) != nil || !f(it) {
			return
		}
	}
}
