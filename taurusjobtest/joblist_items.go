package taurusjobtest

import (
	"encoding/json"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// listItem is one job as a list shows it at one time.
type listItem struct {
	v          jobView
	status     string
	process    string // "60%"; "" when not reported
	created    time.Time
	ended      string // "" until the job ended
	failReason string
}

// item is the job as it stands at now; visible is false before it shows.
func (jb *job) item(now time.Time) (it listItem, visible bool) {
	ph, process, visible := jb.at(now)
	if !visible {
		return listItem{}, false
	}
	it = listItem{v: jb.view, process: process, created: jb.created}
	if ph != nil {
		it.status = ph.status
		return it, true
	}
	it.status, it.ended, it.failReason = jb.outcome.String(), jb.view.ended, jb.view.failReason
	return it, true
}

// instanceStatus is a plausible status of the job's instance.
func (it listItem) instanceStatus(done, failed, busy string) string {
	switch it.status {
	case "Completed":
		return done
	case "Failed":
		return failed
	}
	return busy
}

// The items as each service writes them, their fields in its order.
type (
	taurusItem struct {
		InstanceID     string `json:"instance_id"`
		InstanceName   string `json:"instance_name"`
		InstanceStatus string `json:"instance_status"`
		JobID          string `json:"job_id"`
		OrderID        string `json:"order_id"`
		JobName        string `json:"job_name"`
		Status         string `json:"status"`
		Process        string `json:"process"`
		CreatedTime    string `json:"created_time"`
		EndedTime      string `json:"ended_time"`
		FailReason     string `json:"fail_reason"`
		ShowDetail     bool   `json:"show_detail"`
	}
	rdsItem struct {
		ID             string `json:"id"`
		Name           string `json:"name"`
		InstanceID     string `json:"instance_id"`
		InstanceName   string `json:"instance_name"`
		InstanceStatus string `json:"instance_status"`
		OrderID        string `json:"order_id"`
		Process        string `json:"process"`
		FailReason     string `json:"fail_reason"`
		CreateTime     string `json:"create_time"`
		EndTime        string `json:"end_time"`
		Status         string `json:"status"`
	}
	openGaussItem struct {
		InstanceInfo struct {
			ID     string `json:"instance_id"`
			Name   string `json:"instance_name"`
			Status string `json:"instance_status"`
		} `json:"instance_info"`
		JobID      string  `json:"job_id"`
		Name       string  `json:"name"`
		Status     string  `json:"status"`
		Process    string  `json:"process"`
		CreatedAt  string  `json:"created_at"`
		EndedAt    string  `json:"ended_at"`
		FailReason *string `json:"fail_reason"` // null until a failure, as the job body has it
	}
	ddsItem struct {
		ID           string `json:"id"`
		Name         string `json:"name"`
		InstanceID   string `json:"instance_id"`
		InstanceName string `json:"instance_name"`
		Status       string `json:"status"`
		Progress     string `json:"progress"`
		FailReason   string `json:"fail_reason"`
		CreatedAt    string `json:"created_at"`
		EndedAt      string `json:"ended_at"`
	}
)

// render writes the item in svc's shape.
func (it listItem) render(svc taurusjob.Service) any {
	v := it.v
	switch svc {
	case taurusjob.ServiceRDS:
		return rdsItem{ID: v.id, Name: v.name, InstanceID: v.instID, InstanceName: v.instName,
			InstanceStatus: it.instanceStatus("ACTIVE", "FAILED", "BUILD"), OrderID: v.orderID, Process: it.process,
			FailReason: it.failReason, CreateTime: v.created, EndTime: it.ended, Status: it.status}
	case taurusjob.ServiceOpenGauss:
		o := openGaussItem{JobID: v.id, Name: v.name, Status: it.status, Process: it.process,
			CreatedAt: v.created, EndedAt: it.ended}
		o.InstanceInfo.ID, o.InstanceInfo.Name = v.instID, v.instName
		o.InstanceInfo.Status = it.instanceStatus("ACTIVE", "FAILED", "BUILD")
		if it.failReason != "" {
			o.FailReason = &it.failReason
		}
		return o
	case taurusjob.ServiceDDS:
		return ddsItem{ID: v.id, Name: v.name, InstanceID: v.instID, InstanceName: v.instName, Status: it.status,
			Progress: it.process, FailReason: it.failReason, CreatedAt: v.created, EndedAt: it.ended}
	}
	return taurusItem{InstanceID: v.instID, InstanceName: v.instName,
		InstanceStatus: it.instanceStatus("normal", "abnormal", "creating"), JobID: v.id, OrderID: v.orderID,
		JobName: v.name, Status: it.status, Process: it.process, CreatedTime: v.created, EndedTime: it.ended,
		FailReason: it.failReason, ShowDetail: true}
}

// renderPage writes a page: the items, and total_count (every matching
// job) where the service sends it. TaurusDB and RDS also list the job
// names one can filter by.
func renderPage(svc taurusjob.Service, spec listSpec, page []listItem, total int) []byte {
	items := make([]any, len(page))
	for i, it := range page {
		items[i] = it.render(svc)
	}
	body := map[string]any{spec.itemsKey: items}
	if spec.totalCount {
		body["total_count"] = total
	}
	switch svc {
	case taurusjob.ServiceTaurusDB:
		body["action_names"] = []string{defaultJobName, "RebootGaussDBforMySQLInstance"}
	case taurusjob.ServiceRDS:
		body["actions"] = []string{"CreateMysqlInstance", "RestartInstance"}
	}
	b, _ := json.Marshal(body) // plain strings and numbers always marshal
	return b
}
