package huaweisdk_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
)

// The examples' credentials and project, as the fake API checks them.
const (
	exampleAK      = "EXAMPLEAK0000000000A"
	exampleSK      = "example-secret-key-0123456789abcdef"
	exampleProject = "0123456789abcdef0123456789abcdef"
)

// provisioningAPI is a loopback fake of the calls the examples make: the
// create-instance, resize-flavor and read-replica calls answer as the
// services do, with a job id (several, comma-joined, for a batch of read
// replicas), and each job is scripted on a taurusjobtest server in the
// service's shape, which answers the get-job calls with AK/SK checked.
type provisioningAPI struct {
	*httptest.Server
	jobs *taurusjobtest.Server
	seq  int
}

// startProvisioningAPI starts the fake for svc. Its jobs are visible at
// once and end after 300 ms of Running, so the examples run quickly.
func startProvisioningAPI(svc taurusjob.Service) *provisioningAPI {
	api := &provisioningAPI{jobs: taurusjobtest.NewInMemory(taurusjobtest.WithService(svc),
		taurusjobtest.WithProjectID(exampleProject), taurusjobtest.WithAKSK(exampleAK, exampleSK))}
	mux := http.NewServeMux()
	base := "/v3/" + exampleProject + "/instances"
	mux.Handle("GET /v3/"+exampleProject+"/jobs", api.jobs)
	mux.HandleFunc("POST "+base, api.create)
	mux.HandleFunc("POST "+base+"/{instance}/action", api.resize)
	api.Server = httptest.NewServer(mux)
	return api
}

// Close stops the server and the job API behind it.
func (api *provisioningAPI) Close() {
	api.Server.Close()
	api.jobs.Close()
}

func (api *provisioningAPI) addJob(name, instanceID, instanceName string) string {
	return api.jobs.AddJob(taurusjobtest.Job{Name: name, Running: 300 * time.Millisecond,
		Instance: taurusjobtest.Instance{ID: instanceID, Name: instanceName}})
}

// create answers a create-instance call: TaurusDB's and RDS's bodies both
// carry "name", RDS's "replica_of_id" and "count" for read replicas.
func (api *provisioningAPI) create(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name      string `json:"name"`
		ReplicaOf string `json:"replica_of_id"`
		Count     int    `json:"count"`
		Datastore struct {
			Type string `json:"type"`
		} `json:"datastore"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Name == "" {
		http.Error(w, `{"error_code":"DBS.200001","error_msg":"Invalid parameter."}`, http.StatusBadRequest)
		return
	}
	api.seq++
	suffix := "in01"
	name := "CreateMysqlInstance"
	if req.Datastore.Type == "gaussdb-mysql" {
		suffix, name = "in07", "CreateGaussDBforMySQLInstance"
	}
	if req.ReplicaOf != "" {
		name = "CreateMysqlReadReplica"
	}
	var ids []string
	var instanceID string
	for i := range max(req.Count, 1) {
		instanceID = fmt.Sprintf("%030x%02d%s", api.seq, i, suffix)
		ids = append(ids, api.addJob(name, instanceID, req.Name))
	}
	writeJSON(w, map[string]any{"job_id": strings.Join(ids, ","),
		"instance": map[string]any{"id": instanceID, "name": req.Name, "status": "BUILD"}})
}

// resize answers a resize-flavor call with one job.
func (api *provisioningAPI) resize(w http.ResponseWriter, r *http.Request) {
	name := "ResizeFlavor"
	if strings.HasSuffix(r.PathValue("instance"), "in07") {
		name = "ResizeGaussDBforMySQLFlavor"
	}
	writeJSON(w, map[string]any{"job_id": api.addJob(name, r.PathValue("instance"), "")})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "5d1c9e0a7b3f4e2d")
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(v)
}

// exampleAuth and exampleHTTP are what the examples would read from the
// environment and their config.
func exampleAuth() *basic.Credentials {
	return basic.NewCredentialsBuilder().WithAk(exampleAK).WithSk(exampleSK).WithProjectId(exampleProject).Build()
}

func exampleHTTP(api *provisioningAPI) *config.HttpConfig {
	return config.DefaultHttpConfig().WithTimeout(10 * time.Second).
		WithHttpTransport(api.Client().Transport.(*http.Transport))
}
