package taurusjobtest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// The job lists, one per service (docs/provisioning-api.md 1.C to 4.C),
// built from the server's jobs as they stand at the request's time: newest
// first, an invisible job not at all. Each list pages and filters as its
// service documents it; a parameter it does not document is ignored, as a
// real one does, so that a client must filter on its side what the API
// cannot.

// listSpec is one service's job list.
type listSpec struct {
	version, suffix string // the path: /{version}/{project}/{suffix}
	pageNumbers     bool   // offset is a page number from 1
	sizes           []int  // the allowed limits, when only some are
	maxLimit        int
	defLimit        int
	statuses        []string
	idKey, nameKey  string
	instanceFilter  bool   // filters by instance_id (and order_id)
	millis          bool   // times are UNIX milliseconds, not yyyy-mm-ddThh:mm:ssZ
	needsEnd        bool   // start_time needs end_time
	needsRange      bool   // start_time and end_time are required, at most 30 days apart
	totalCount      bool   // the page says total_count
	itemsKey        string // "jobs" or "tasks"
}

var three = []string{"Running", "Completed", "Failed"}

var listSpecs = map[taurusjob.Service]listSpec{
	// TaurusDB: offset a page number from 1, as TF pages it (UNCONFIRMED).
	taurusjob.ServiceTaurusDB: {version: "v3", suffix: "immediate-jobs", pageNumbers: true, sizes: []int{10, 20, 50},
		maxLimit: 50, defLimit: 10, statuses: []string{"Pending", "Running", "Completed", "Failed"},
		idKey: "job_id", nameKey: "job_name", totalCount: true, itemsKey: "jobs"},
	taurusjob.ServiceRDS: {version: "v3", suffix: "tasklist", maxLimit: 50, defLimit: 10, statuses: three,
		idKey: "id", nameKey: "name", instanceFilter: true, millis: true, needsEnd: true, totalCount: true, itemsKey: "tasks"},
	// openGauss: offset an item index, as the SDK and the doc say; TF reads
	// it as a page number (UNCONFIRMED which the live API does).
	taurusjob.ServiceOpenGauss: {version: "v3", suffix: "tasks", maxLimit: 100, defLimit: 100, statuses: three,
		nameKey: "name", millis: true, totalCount: true, itemsKey: "tasks"},
	taurusjob.ServiceDDS: {version: "v3.1", suffix: "jobs", maxLimit: 100, defLimit: 100, statuses: three,
		idKey: "id", nameKey: "name", needsRange: true, itemsKey: "jobs"},
}

// listAnswer answers a request for the service's job list; ok is false for
// any other path.
func (s *Server) listAnswer(r *http.Request, now time.Time) (a answer, ok bool) {
	spec := listSpecs[s.cfg.service]
	rest, found := strings.CutPrefix(r.URL.Path, "/"+spec.version+"/")
	if !found {
		return answer{}, false
	}
	project, found := strings.CutSuffix(rest, "/"+spec.suffix)
	if !found || project == "" || strings.Contains(project, "/") {
		return answer{}, false
	}
	if r.Method != http.MethodGet {
		return ansBadMethod, true
	}
	if err := s.cfg.authCheck(r); err != nil {
		return errorAnswer(err), true
	}
	if project != s.cfg.projectID {
		return ansBadProject, true
	}
	q, msg := spec.parse(r.URL.Query())
	if msg != "" {
		return answer{status: http.StatusBadRequest, code: codeBadRequest, body: errorBody(codeBadRequest, msg)}, true
	}
	return answer{status: http.StatusOK, body: s.listPage(spec, q, now)}, true
}

// listQuery is a parsed list request.
type listQuery struct {
	offset, limit                     int
	status, id, name, instID, orderID string
	since, until                      time.Time // zero: open
}

// parse reads the list's parameters as the service spells them; msg says
// what is wrong with a bad one.
func (sp listSpec) parse(v url.Values) (q listQuery, msg string) {
	q.limit = sp.defLimit
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > sp.maxLimit || sp.sizes != nil && !slices.Contains(sp.sizes, n) {
			return q, "Invalid limit: " + s
		}
		q.limit = n
	}
	if sp.pageNumbers {
		q.offset = 1
	}
	if s := v.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || sp.pageNumbers && n < 1 {
			return q, "Invalid offset: " + s
		}
		q.offset = n
	}
	q.status = v.Get("status")
	if q.status != "" && !slices.Contains(sp.statuses, q.status) {
		return q, "Invalid status: " + q.status
	}
	if sp.idKey != "" {
		q.id = v.Get(sp.idKey)
	}
	q.name = v.Get(sp.nameKey)
	if sp.instanceFilter {
		q.instID, q.orderID = v.Get("instance_id"), v.Get("order_id")
	}
	return q, sp.parseTimes(v, &q)
}

// parseTimes reads start_time and end_time.
func (sp listSpec) parseTimes(v url.Values, q *listQuery) string {
	start, end := v.Get("start_time"), v.Get("end_time")
	switch {
	case sp.needsRange && (start == "" || end == ""):
		return "start_time and end_time are required"
	case sp.needsEnd && start != "" && end == "":
		return "end_time is required with start_time"
	}
	var ok bool
	if q.since, ok = sp.readTime(start); !ok {
		return "Invalid start_time: " + start
	}
	if q.until, ok = sp.readTime(end); !ok {
		return "Invalid end_time: " + end
	}
	if !q.since.IsZero() && !q.until.IsZero() && !q.until.After(q.since) {
		return "end_time must be after start_time"
	}
	if sp.needsRange && q.until.Sub(q.since) > 30*24*time.Hour {
		return "The time range cannot exceed 30 days"
	}
	return ""
}

// readTime reads one time parameter; "" is zero and fine.
func (sp listSpec) readTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	if sp.millis {
		n, err := strconv.ParseInt(s, 10, 64)
		return time.UnixMilli(n), err == nil
	}
	t, err := time.Parse("2006-01-02T15:04:05-0700", s)
	return t, err == nil
}

// matches reports whether a job as it stands passes the query's filters.
func (q *listQuery) matches(it listItem) bool {
	switch {
	case q.status != "" && it.status != q.status,
		q.id != "" && it.v.id != q.id,
		q.name != "" && it.v.name != q.name,
		q.instID != "" && it.v.instID != q.instID,
		q.orderID != "" && it.v.orderID != q.orderID,
		!q.since.IsZero() && it.created.Before(q.since),
		!q.until.IsZero() && it.created.After(q.until):
		return false
	}
	return true
}

// listPage renders the page the query asks for.
func (s *Server) listPage(spec listSpec, q listQuery, now time.Time) []byte {
	var items []listItem
	for _, jb := range s.snapshot() {
		if it, visible := jb.item(now); visible && q.matches(it) {
			items = append(items, it)
		}
	}
	slices.SortFunc(items, func(a, b listItem) int {
		if c := b.created.Compare(a.created); c != 0 {
			return c
		}
		return strings.Compare(a.v.id, b.v.id)
	})
	from := min(q.offset, len(items))
	if spec.pageNumbers {
		from = min(q.offset-1, len(items)/q.limit+1) * q.limit // no overflow for a huge page number
		from = min(from, len(items))
	}
	page := items[from : from+min(q.limit, len(items)-from)]
	return renderPage(s.cfg.service, spec, page, len(items))
}

// snapshot returns the server's jobs.
func (s *Server) snapshot() []*job {
	s.jobsMu.RLock()
	defer s.jobsMu.RUnlock()
	jobs := make([]*job, 0, len(s.jobs))
	for _, jb := range s.jobs {
		jobs = append(jobs, jb)
	}
	return jobs
}
