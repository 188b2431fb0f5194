package taurusjob

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/taurusdb-tools/taurusjob/internal/clip"
	"github.com/taurusdb-tools/taurusjob/internal/jobid"
)

// InstanceInfo is one database instance as its service reports it: what
// an instance wait reads to tell whether the instance is ready for the
// next change.
type InstanceInfo struct {
	ID      string
	Name    string
	Status  string   // as the service spells it: "ACTIVE", "BACKING UP", "normal", ...
	Actions []string // DDS: the actions under way ("normal" with actions is not ready); nil elsewhere
	Nodes   []InstanceNode
	Raw     json.RawMessage // the instance object as received, byte for byte
}

// InstanceNode is one node of an instance (a DDS group's nodes included),
// as far as the service reports it. Node statuses are not documented by
// any of the services: they are kept, not judged.
type InstanceNode struct {
	ID     string
	Name   string
	Role   string // "master", "slave", "Primary", ... as the service spells it
	Status string
}

// InstanceGetter reads one instance. [Client] is one; the huaweisdk module
// has one per official service client. A getter returns an error matching
// [ErrInstanceNotFound] when the service has no such instance (a 404, or a
// list answer without it), and otherwise errors as a [JobGetter] does.
type InstanceGetter interface {
	GetInstance(ctx context.Context, instanceID string) (*InstanceInfo, error)
}

// ErrInstanceNotFound matches the error of a GetInstance whose answer held
// no such instance, and the *InstanceError of a wait that ended because
// the instance was not there.
var ErrInstanceNotFound = errors.New("taurusjob: instance not found")

// ErrInstanceFailed matches the *InstanceError of a wait that ended on a
// status the instance does not leave by itself.
var ErrInstanceFailed = errors.New("taurusjob: instance failed")

// InstanceError ends an instance wait that the instance cannot finish: a
// failure status (FAILED, createfail, abnormal, ...), a status that a
// person must act on (FROZEN, STORAGE FULL, data_disk_full), or an
// instance that is not there.
type InstanceError struct {
	InstanceID string
	Instance   *InstanceInfo // the instance as last seen; nil when it was never found
	// Status is the status that ended the wait; "" when the instance was
	// not found.
	Status string
	// NeedsAction is true when the status ends only when a person acts:
	// pays a frozen bill, or frees or adds storage.
	NeedsAction bool
	NotFound    bool
	Polls       int
}

func (e *InstanceError) Error() string {
	var b strings.Builder
	b.WriteString("taurusjob: instance ")
	b.WriteString(e.InstanceID)
	switch {
	case e.NotFound && e.Instance != nil:
		b.WriteString(" is gone: the service no longer lists it")
	case e.NotFound:
		b.WriteString(" not found: check the instance id, the service and the region")
	case e.NeedsAction:
		b.WriteString(" is " + quoteStatus(e.Status) + ": it stays so until someone acts")
		b.WriteString(needsActionHint(e.Status))
	default:
		b.WriteString(" is " + quoteStatus(e.Status) + ": it will not become ready")
	}
	return b.String()
}

// Is matches [ErrInstanceNotFound] or [ErrInstanceFailed].
func (e *InstanceError) Is(target error) bool {
	if e.NotFound {
		return target == ErrInstanceNotFound
	}
	return target == ErrInstanceFailed
}

// readiness is what one reading of an instance says for a wait.
type readiness int

const (
	instBusy        readiness = iota // a change is under way: wait on
	instReady                        // ready, if it holds for the settle time
	instFailed                       // it will not become ready by itself
	instNeedsAction                  // a person must act (billing, storage)
	instUnknown                      // a status no source lists: wait on, warn once
)

// The statuses of the four services' instance APIs, folded to lower case
// (DDS and TaurusDB's v3.1 API spell them in lower case, the others in
// upper case), from the services' SDK models; a status none lists is
// instUnknown.
var instanceStatuses = map[string]readiness{
	"active": instReady, "normal": instReady,

	"build": instBusy, "creating": instBusy, "modifying": instBusy, "rebooting": instBusy,
	"restoring": instBusy, "switchover": instBusy, "migrating": instBusy, "backing up": instBusy,
	"modifying database port": instBusy, "modifying instance type": instBusy, "expanding": instBusy,
	"upgrading": instBusy, "reducing replication": instBusy, "repairing": instBusy,

	"failed": instFailed, "abnormal": instFailed, "createfail": instFailed, "create fail": instFailed,
	"enlargefail": instFailed,

	"frozen": instNeedsAction, "storage full": instNeedsAction, "data_disk_full": instNeedsAction,
}

// judge tells what an instance's reading means. "normal" with actions
// under way (DDS) is busy. With forConnections, an instance that is backing
// up counts as ready: it serves connections meanwhile, though it refuses
// most changes.
func judge(inst *InstanceInfo, forConnections bool) readiness {
	s := strings.ToLower(strings.TrimSpace(inst.Status))
	r, ok := instanceStatuses[s]
	switch {
	case !ok:
		return instUnknown
	case r == instReady && len(inst.Actions) > 0:
		return instBusy
	case s == "backing up" && forConnections:
		return instReady
	}
	return r
}

func quoteStatus(s string) string { return `"` + clip.Text(s, maxSavedStatus) + `"` }

// needsActionHint says what a person must do about a status that waits
// for one.
func needsActionHint(status string) string {
	switch strings.ToLower(status) {
	case "frozen":
		return " (the account is frozen: settle its bill)"
	case "storage full", "data_disk_full":
		return " (its storage is full: free space or add storage)"
	}
	return ""
}

// validateInstanceID checks an instance id before anything is sent (see
// jobid.CheckInstanceID): 1 to 64 letters, digits, '-' and '_', so no
// fuzzy '*' pattern and nothing that would change the request.
func validateInstanceID(id string) error {
	if reason := jobid.CheckInstanceID(id); reason != "" {
		return invalid("instance id", "%s", reason)
	}
	return nil
}
