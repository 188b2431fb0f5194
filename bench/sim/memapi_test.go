package main

// A small in-memory job API, standing in for taurusjobtest until that
// package is merged: it answers GET /v3/{project}/jobs?id=… from scripted
// jobs, in the caller's goroutine, on the bubble's fake clock.

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"
)

const (
	memEndpoint = "https://sim.taurusjob.invalid"
	memProject  = "0123456789abcdef0123456789abcdef"
	memToken    = "sim-token"
	jobName     = "CreateGaussDBforMySQLInstance"
)

// jobSpec is one scripted job, timed from Created.
type jobSpec struct {
	ID      string
	Created time.Time
	V       time.Duration // invisible (404) for this long
	Planned time.Duration // the total progress is reported against
	End     time.Duration // terminal status from here on
	Outcome Outcome
	Profile Profile
}

type memAPI struct {
	mu    sync.Mutex
	jobs  map[string]*jobSpec
	calls map[string]int
}

func newMemAPI() *memAPI {
	return &memAPI{jobs: map[string]*jobSpec{}, calls: map[string]int{}}
}

func (a *memAPI) add(j jobSpec) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.jobs[j.ID] = &j
}

func (a *memAPI) callsFor(id string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls[id]
}

func (a *memAPI) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body.Close()
	}
	id := r.URL.Query().Get("id")
	a.mu.Lock()
	a.calls[id]++
	j := a.jobs[id]
	a.mu.Unlock()
	if r.URL.Path != "/v3/"+memProject+"/jobs" || r.Header.Get("X-Auth-Token") != memToken {
		return memAnswer(r, 400, `{"error_code":"DBS.200001","error_msg":"bad request"}`), nil
	}
	if j == nil || time.Since(j.Created) < j.V {
		return memAnswer(r, 404, `{"error_code":"DBS.200823","error_msg":"The job does not exist."}`), nil
	}
	now := time.Since(j.Created)
	status, ended, process := "Running", "", ""
	switch {
	case now >= j.End && j.Outcome == Failed:
		status, ended = "Failed", j.Created.Add(max(j.End, j.V)).Format(timeLayout)
	case now >= j.End:
		status, ended = "Completed", j.Created.Add(max(j.End, j.V)).Format(timeLayout)
	default:
		if p := percent(j.Profile, now-j.V, j.Planned-j.V); p >= 0 {
			process = fmt.Sprintf("%d%%", p)
		}
	}
	return memAnswer(r, 200, fmt.Sprintf(
		`{"job":{"id":%q,"name":%q,"status":%q,"created":%q,"ended":%q,"process":%q,`+
			`"instance":{"id":"0123456789abcdef0123456789abcdefin07","name":"sim"},"entities":{},"fail_reason":%q}}`,
		id, jobName, status, j.Created.Format(timeLayout), ended, process, failReason(status))), nil
}

const timeLayout = "2006-01-02T15:04:05-0700"

func failReason(status string) string {
	if status == "Failed" {
		return "scripted failure"
	}
	return ""
}

func memAnswer(r *http.Request, code int, body string) *http.Response {
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", code, http.StatusText(code)),
		StatusCode:    code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"sim"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}
}

// percent is the progress shown elapsed into a running phase planned to
// last total, or -1 for none.
func percent(p Profile, elapsed, total time.Duration) int {
	f := 1.0
	if total > 0 && elapsed < total {
		f = max(float64(elapsed)/float64(total), 0)
	}
	switch p {
	case ProfileLinear:
		return int(100 * f)
	case ProfileSteps:
		return int(100*f) / 20 * 20
	case ProfileStall:
		if f < 0.9 {
			return 10
		}
		return 95
	case ProfileFront:
		return int(100 * math.Sqrt(f))
	}
	return -1
}
