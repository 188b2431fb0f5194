package taurusjob

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// listAPI is how one service lists its jobs (docs/provisioning-api.md,
// sections 1.C to 4.C): the path, the paging, the filters it knows and how
// it spells them. Each service's differences live here, and only here.
type listAPI struct {
	path     string // after the endpoint, with %s for the project id
	itemsKey string // the array of jobs in a page: "jobs" or "tasks"
	// pageNumbers: offset is a page number from 1, not an item index from 0.
	pageNumbers bool
	sizes       []int // the page sizes allowed, when only some are
	maxSize     int   // the largest page size, and the default one
	statuses    []Status
	idKey       string // the job id filter's name; "" when the API has none
	nameKey     string
	serverInst  bool // the API filters by instance_id itself
	// times writes the time range; nil when the API has none. DDS needs
	// one always (see needsRange).
	times      func(q url.Values, since, until time.Time)
	needsRange bool
}

// maxDDSRange is the widest time range DDS accepts.
const maxDDSRange = 30 * 24 * time.Hour

// isoTime is the "yyyy-mm-ddThh:mm:ssZ" form of TaurusDB and DDS, Z an
// offset such as +0000: UTC is written so.
const isoTime = "2006-01-02T15:04:05-0700"

var threeStatuses = []Status{StatusRunning, StatusCompleted, StatusFailed}

var listAPIs = [...]listAPI{
	// offset: a page number from 1 as TF pages it; the doc's "index
	// offset, default 1" is ambiguous (UNCONFIRMED, provisioning-api.md §7.1).
	ServiceTaurusDB: {path: "/v3/%s/immediate-jobs", itemsKey: "jobs", pageNumbers: true,
		sizes: []int{10, 20, 50}, maxSize: 50,
		statuses: []Status{StatusPending, StatusRunning, StatusCompleted, StatusFailed},
		idKey:    "job_id", nameKey: "job_name", times: isoTimes},
	// start_time needs end_time. The time is a "UTC timestamp": the OTC
	// doc says UNIX milliseconds, which we send (UNCONFIRMED); the range is
	// also checked on each job here, so a server reading the value another
	// way cannot make the list include a job outside it.
	ServiceRDS: {path: "/v3/%s/tasklist", itemsKey: "tasks", maxSize: 50, statuses: threeStatuses,
		idKey: "id", nameKey: "name", serverInst: true, times: millisTimes},
	// offset: an item index from 0, as the SDK and the doc say; TF uses a
	// page number (UNCONFIRMED, §7.2). Paging stops on a short page, skips
	// a job the previous page gave, and fails on a page that repeats it.
	ServiceOpenGauss: {path: "/v3/%s/tasks", itemsKey: "tasks", maxSize: 100, statuses: threeStatuses,
		nameKey: "name", times: millisTimes},
	// start_time and end_time are required, at most 30 days apart;
	// total_count is not trusted (TF: it is not returned, §7.3).
	ServiceDDS: {path: "/v3.1/%s/jobs", itemsKey: "jobs", maxSize: 100, statuses: threeStatuses,
		idKey: "id", nameKey: "name", times: isoTimes, needsRange: true},
}

// isoTimes writes the range in the "yyyy-mm-ddThh:mm:ss+0000" form.
func isoTimes(q url.Values, since, until time.Time) {
	q.Set("start_time", since.UTC().Format(isoTime))
	q.Set("end_time", until.UTC().Format(isoTime))
}

// millisTimes writes the range as UNIX milliseconds.
func millisTimes(q url.Values, since, until time.Time) {
	q.Set("start_time", strconv.FormatInt(since.UnixMilli(), 10))
	q.Set("end_time", strconv.FormatInt(until.UnixMilli(), 10))
}

// listPlan is a checked filter turned into what each page request sends.
type listPlan struct {
	api   listAPI
	path  string
	query url.Values // the filters, without offset and limit
	size  int
	f     JobFilter // with the status canonical and the range as sent
}

// planList checks f for the client's service and builds the requests'
// common part. now ends an open range. Every error matches
// [ErrInvalidInput].
func (c *Client) planList(f JobFilter, now time.Time) (*listPlan, error) {
	if c.service < 0 || int(c.service) >= len(listAPIs) {
		return nil, invalid("service", "%d is not a known service", int(c.service))
	}
	api := listAPIs[c.service]
	if err := f.check(); err != nil {
		return nil, err
	}
	p := &listPlan{api: api, path: fmt.Sprintf(api.path, c.projectID), query: url.Values{}, size: f.PageSize, f: f}
	if err := p.setStatus(); err != nil {
		return nil, err
	}
	if err := p.setSize(); err != nil {
		return nil, err
	}
	if err := p.setRange(now); err != nil {
		return nil, err
	}
	if f.ID != "" && api.idKey != "" {
		p.query.Set(api.idKey, f.ID)
	}
	if f.Name != "" {
		p.query.Set(api.nameKey, f.Name)
	}
	if f.Instance != "" && api.serverInst {
		p.query.Set("instance_id", f.Instance)
	}
	return p, nil
}

// setStatus spells a status as documented, whatever its case, and
// refuses one the service does not list.
func (p *listPlan) setStatus() error {
	if p.f.Status == "" {
		return nil
	}
	s := canonicalStatus(string(p.f.Status))
	if !slices.Contains(p.api.statuses, s) {
		return invalid("job filter", "status %q is not one the service lists (%v)", p.f.Status, p.api.statuses)
	}
	p.f.Status = s
	p.query.Set("status", string(s))
	return nil
}

func (p *listPlan) setSize() error {
	switch {
	case p.size == 0:
		p.size = p.api.maxSize
	case p.api.sizes != nil && !slices.Contains(p.api.sizes, p.size):
		return invalid("job filter", "page size %d: the service allows %v", p.size, p.api.sizes)
	case p.size < 1 || p.size > p.api.maxSize:
		return invalid("job filter", "page size %d: the service allows 1 to %d", p.size, p.api.maxSize)
	}
	return nil
}

// setRange sends the time range as the service wants it. A range open at
// its end ends now; DDS, which needs a range, gets the last 30 days, or
// the 30 days before Until, and refuses a wider one.
func (p *listPlan) setRange(now time.Time) error {
	since, until := p.f.Since, p.f.Until
	if p.api.needsRange {
		switch {
		case since.IsZero() && until.IsZero():
			until, since = now, now.Add(-maxDDSRange)
		case since.IsZero():
			since = until.Add(-maxDDSRange)
		case until.IsZero():
			until = now
		}
		if until.Sub(since) > maxDDSRange {
			return invalid("job filter", "DDS lists at most 30 days at once; %s to %s is wider",
				since.UTC().Format(time.RFC3339), until.UTC().Format(time.RFC3339))
		}
	}
	if since.IsZero() || p.api.times == nil {
		return nil // an end alone is checked on each job: a start may need an end, not the reverse
	}
	if until.IsZero() {
		until = now
	}
	if !until.After(since) {
		return invalid("job filter", "the range starts at %s, not before its end", since.UTC().Format(time.RFC3339))
	}
	p.api.times(p.query, since, until)
	return nil
}
