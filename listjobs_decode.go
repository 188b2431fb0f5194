package taurusjob

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/clip"
	"github.com/taurusdb-tools/taurusjob/internal/jobfield"
	"github.com/taurusdb-tools/taurusjob/internal/redact"
)

// wireListItem is one job of a list page, in any service's spelling
// (docs/provisioning-api.md 1.C to 4.C): the first field of each group
// that is set wins, so one decoder reads every service, and a number where
// a string was expected does not fail it.
type wireListItem struct {
	JobID        flexString `json:"job_id"` // TaurusDB, openGauss
	ID           flexString `json:"id"`     // RDS, DDS
	JobName      flexString `json:"job_name"`
	Name         flexString `json:"name"`
	Status       flexString `json:"status"`
	Process      flexString `json:"process"`  // TaurusDB, RDS
	Progress     flexString `json:"progress"` // DDS
	InstanceID   flexString `json:"instance_id"`
	InstanceName flexString `json:"instance_name"`
	InstanceInfo *struct {  // openGauss
		ID   flexString `json:"instance_id"`
		Name flexString `json:"instance_name"`
	} `json:"instance_info"`
	CreatedTime flexString `json:"created_time"` // TaurusDB
	CreateTime  flexString `json:"create_time"`  // RDS
	CreatedAt   flexString `json:"created_at"`   // openGauss, DDS
	EndedTime   flexString `json:"ended_time"`
	EndTime     flexString `json:"end_time"`
	EndedAt     flexString `json:"ended_at"`
	FailReason  flexString `json:"fail_reason"`
	OrderID     flexString `json:"order_id"`
}

// pageFrom reads a scrubbed page reply: its jobs, or an [*APIError] for a
// non-2xx reply, a body over the limit or one that is not a page.
func (c *Client) pageFrom(r *reply, itemsKey string, secrets redact.Sets) ([]*Job, error) {
	if !r.ok() {
		return nil, apiErrorFrom(r.resp, r.body, r.tooBig, secrets...)
	}
	bad := r.unusable
	if r.tooBig {
		return nil, r.overLimit(c.maxBody)
	}
	var page map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &page); err != nil {
		return nil, bad("malformed job list: %s", clip.Text(err.Error(), 128))
	}
	items, ok := page[itemsKey]
	if !ok {
		return nil, bad("malformed job list: no %q array", itemsKey)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(items, &raws); err != nil {
		return nil, bad("malformed job list: %q is not an array", itemsKey)
	}
	jobs := make([]*Job, 0, len(raws))
	for i, raw := range raws {
		if len(raw) == 0 || raw[0] != '{' {
			return nil, bad("malformed job list: item %d is not an object", i)
		}
		jobs = append(jobs, listItemJob(raw))
	}
	return jobs, nil
}

// listItemJob decodes one item, valid JSON that is an object. raw becomes
// the job's Raw: its own bytes, copied out of the page by the decoder.
func listItemJob(raw json.RawMessage) *Job {
	var w wireListItem
	_ = json.Unmarshal(raw, &w) // valid JSON: type errors only, which leave a field empty
	job := &Job{
		ID:         first(w.JobID, w.ID),
		Name:       first(w.JobName, w.Name),
		Status:     canonicalStatus(string(w.Status)),
		Created:    listTime(first(w.CreatedTime, w.CreateTime, w.CreatedAt)),
		Ended:      listTime(first(w.EndedTime, w.EndTime, w.EndedAt)),
		Progress:   jobfield.Progress(first(w.Process, w.Progress)),
		Instance:   Instance{ID: string(w.InstanceID), Name: string(w.InstanceName)},
		FailReason: string(w.FailReason),
		OrderID:    string(w.OrderID),
		Raw:        raw,
	}
	if in := w.InstanceInfo; in != nil {
		job.Instance = Instance{ID: first(w.InstanceID, in.ID), Name: first(w.InstanceName, in.Name)}
	}
	return job
}

// first returns the first non-empty value.
func first(vs ...flexString) string {
	for _, v := range vs {
		if v != "" {
			return string(v)
		}
	}
	return ""
}

// listTime reads a list's time: a UNIX time in milliseconds (openGauss,
// and RDS by the OTC doc) or seconds (a number under 10^11, which as
// milliseconds would fall in 1973), or any text form a job time takes.
// An unreadable one is zero; its text stays in Raw.
func listTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		switch {
		case n <= 0:
			return time.Time{}
		case n < 1e11:
			return time.Unix(n, 0)
		case n < 1e14:
			return time.UnixMilli(n)
		}
		return time.Time{}
	}
	return parseTimeOrZero(s)
}
