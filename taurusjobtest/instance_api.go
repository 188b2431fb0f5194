package taurusjobtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// codeInstanceNotFound is the error_code of the fake TaurusDB's 404 for
// an unknown instance: a plausible stand-in (no source gives the real
// one).
const codeInstanceNotFound = "DBS.200823"

// asked is what a request asks for: a job (the id parameter of the jobs
// call) or an instance (the TaurusDB detail's path id, or the id
// parameter of the instance list).
type asked struct {
	jobID      string
	instanceID string
	instance   bool // a request of the instance API
	detail     bool // its detail form, /instances/{id}
}

// whatIsAsked reads a request's path and query.
func whatIsAsked(r *http.Request) asked {
	rest, ok := strings.CutPrefix(r.URL.Path, "/v3/")
	if ok {
		_, rest, ok = strings.Cut(rest, "/")
	}
	switch {
	case ok && rest == "instances":
		return asked{instance: true, instanceID: queryID(r.URL.RawQuery)}
	case ok && strings.HasPrefix(rest, "instances/"):
		return asked{instance: true, detail: true, instanceID: strings.TrimPrefix(rest, "instances/")}
	}
	return asked{jobID: queryID(r.URL.RawQuery)}
}

// routeAnswer answers as the API does, a job or an instance request.
// visible reports a job body.
func (s *Server) routeAnswer(r *http.Request, now time.Time, q asked, jb *job) (a answer, visible bool) {
	if q.instance {
		return s.instanceAnswer(r, now, q), false
	}
	return s.apiAnswer(r, now, q.jobID, jb)
}

// instanceAnswer answers a request of the instance API as the service
// does: checks, then the instance's state at now.
func (s *Server) instanceAnswer(r *http.Request, now time.Time, q asked) answer {
	svc := s.cfg.service
	project, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/v3/"), "/")
	// TaurusDB reads one instance by its path, the others by the list.
	if project == "" || q.detail != (svc == taurusjob.ServiceTaurusDB) || q.detail && strings.Contains(q.instanceID, "/") {
		return ansNoSuchAPI
	}
	if r.Method != http.MethodGet {
		return ansBadMethod
	}
	if err := s.cfg.authCheck(r); err != nil {
		return errorAnswer(err)
	}
	switch {
	case project != s.cfg.projectID:
		return ansBadProject
	case q.instanceID == "":
		return ansNoID
	}
	inst, step := s.instanceAt(q.instanceID, now)
	flexus := svc == taurusjob.ServiceRDS && queryValue(r.URL.RawQuery, "group_type") == "flexus"
	if inst != nil && svc == taurusjob.ServiceRDS && inst.flexus != flexus {
		inst = nil // listed only by its own group type
	}
	switch {
	case inst == nil && q.detail:
		return ansInstanceNotFound
	case inst == nil:
		return answer{status: http.StatusOK, body: []byte(`{"instances":[],"total_count":0}`)}
	}
	return answer{status: http.StatusOK, body: renderInstance(svc, inst, step, s.cfg.projectID)}
}

var ansInstanceNotFound = answer{status: http.StatusNotFound, code: codeInstanceNotFound,
	body: errorBody(codeInstanceNotFound, "The instance does not exist.")}

// queryValue returns the first value of key in a raw query, "" if none.
func queryValue(raw, key string) string {
	v, _ := url.ParseQuery(raw)
	return v.Get(key)
}

// The instance object on the wire: the fields each service's SDK model
// names, as many as a reader of Raw may look for; omitempty leaves out
// those another service does not have.
type wireInstance struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	ProjectID string         `json:"project_id,omitempty"`
	Status    string         `json:"status"`
	Port      any            `json:"port"` // TaurusDB and DDS: a string; RDS and openGauss: a number
	Type      string         `json:"type,omitempty"`
	Mode      string         `json:"mode,omitempty"`
	NodeCount int            `json:"node_count,omitempty"`
	Datastore wireDatastore  `json:"datastore"`
	Created   string         `json:"created"`
	Updated   string         `json:"updated"`
	PayMode   string         `json:"pay_mode,omitempty"`
	Actions   *[]string      `json:"actions,omitempty"`
	Nodes     []wireNode     `json:"nodes,omitempty"`
	Groups    []wireDDSGroup `json:"groups,omitempty"`
}

type wireDatastore struct {
	Type    string `json:"type"`
	Version string `json:"version"`
}

type wireNode struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Type   string `json:"type,omitempty"` // TaurusDB's role
	Role   string `json:"role,omitempty"`
	Status string `json:"status"`
	Port   int    `json:"port,omitempty"`
	AZ     string `json:"availability_zone,omitempty"`
	AZCode string `json:"az_code,omitempty"`
}

type wireDDSGroup struct {
	Type   string     `json:"type"`
	ID     string     `json:"id"`
	Name   string     `json:"name"`
	Status string     `json:"status"`
	Nodes  []wireNode `json:"nodes"`
}

// renderInstance writes the answer for inst in step, in svc's shape.
func renderInstance(svc taurusjob.Service, inst *instance, step InstanceStep, project string) []byte {
	suffix := shapes[svc].instSuffix
	node := func(i int, role string) wireNode {
		return wireNode{ID: instanceID(inst.id+"/node/"+string(rune('0'+i)), "no"+suffix[2:]),
			Name: inst.name + "_node" + string(rune('0'+i)), Role: role, Status: step.Status, AZ: "cn-north-4a"}
	}
	created := inst.created.In(apiZone).Format(timeLayout)
	w := wireInstance{ID: inst.id, Name: inst.name, Status: step.Status, Created: created, Updated: created}
	switch svc {
	case taurusjob.ServiceTaurusDB:
		w.ProjectID, w.Port, w.Type, w.NodeCount = project, "3306", "Cluster", 2
		w.Datastore = wireDatastore{"gaussdb-mysql", "8.0"}
		w.Nodes = []wireNode{node(1, ""), node(2, "")}
		w.Nodes[0].Type, w.Nodes[1].Type = "master", "slave"
		for i := range w.Nodes {
			w.Nodes[i].Port, w.Nodes[i].AZ, w.Nodes[i].AZCode = 3306, "", "cn-north-4a" // TaurusDB's name for the zone
		}
	case taurusjob.ServiceRDS:
		w.Port, w.Type, w.Datastore = 3306, "Ha", wireDatastore{"MySQL", "8.0"}
		w.Nodes = []wireNode{node(1, "master"), node(2, "slave")}
	case taurusjob.ServiceOpenGauss:
		w.Port, w.Type, w.Datastore = 8000, "Ha", wireDatastore{"GaussDB", "8.201"}
		w.Nodes = []wireNode{node(1, "master"), node(2, "slave"), node(3, "slave")}
	case taurusjob.ServiceDDS:
		w.Created = inst.created.UTC().Format("2006-01-02T15:04:05")
		w.Updated, w.Port, w.Mode, w.PayMode = w.Created, "8635", "ReplicaSet", "0"
		w.Datastore = wireDatastore{"DDS-Community", "4.4"}
		actions := append([]string{}, step.Actions...)
		w.Actions = &actions
		w.Groups = []wireDDSGroup{{Type: "replica", ID: instanceID(inst.id+"/group", "gr"+suffix[2:]), Name: "replica",
			Status: step.Status, Nodes: []wireNode{node(1, "Primary"), node(2, "Secondary"), node(3, "Hidden")}}}
	}
	var b []byte
	if svc == taurusjob.ServiceTaurusDB {
		b, _ = json.Marshal(struct {
			Instance wireInstance `json:"instance"`
		}{w})
	} else {
		b, _ = json.Marshal(struct {
			Instances  []wireInstance `json:"instances"`
			TotalCount int            `json:"total_count"`
		}{[]wireInstance{w}, 1})
	}
	return b
}
