package taurusjob

import (
	"context"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/redact"
)

// JobFilter selects the jobs [Client.ListJobs] lists. The zero value
// selects every job the service lists: the task center keeps about a month
// of them (DDS: the last 30 days, the widest range it takes).
//
// Each field is sent as the client's service spells it where its API has
// such a filter, and is also checked on every job the list gives, so that
// a filter the API lacks (the instance, for all but RDS; the job id, for
// openGauss) or ignores still holds.
type JobFilter struct {
	// Status is one job status: Running, Completed or Failed, and for
	// TaurusDB also Pending; any case. "" is every status.
	Status Status
	// Name is a job name as the service spells it, such as
	// "CreateGaussDBforMySQLInstance" or "CreateMongoDB"; "" is every name.
	Name string
	// ID is one job id; "" is every job.
	ID string
	// Instance is an instance id; "" is every instance.
	Instance string
	// Since and Until bound the jobs' creation times; a zero one is
	// open. DDS refuses a range wider than 30 days, an open end counting
	// as now.
	Since, Until time.Time
	// PageSize is the number of jobs asked for per request: 0 is the
	// service's largest (TaurusDB 50, allowed 10, 20 or 50; RDS 50;
	// openGauss and DDS 100).
	PageSize int
}

// listClockSlack is how far past our clock an open range ends.
const listClockSlack = time.Minute

// maxListPages bounds the pages of one listing, so that a server that
// never ends its list cannot make the iterator run forever.
const maxListPages = 1000

// ListJobs lists the jobs f selects, newest first as the service orders
// them, one page per request: only the page at hand is held. f is checked
// first: an error matching [ErrInvalidInput] is the iterator's only value
// and nothing is sent. Each page's request is one call as [Client.GetJob]
// makes it (RequestTimeout, the retry after a 401, the credentials and the
// scrubbing of every secret a server echoes). A job's Raw is its item in
// the page, byte for byte.
//
// The iteration ends after the last page (one shorter than the page size,
// or empty), when the loop breaks, or after one error: a page that failed
// ([*APIError], [*TransportError], ctx's error; the error says which page
// and how many jobs came before it), a page that repeats the previous one,
// or more than 1000 pages (both an [*APIError]). A job the previous page
// gave, as a list that moved between two requests may give it again, is
// skipped.
func (c *Client) ListJobs(ctx context.Context, f JobFilter) iter.Seq2[*Job, error] {
	return func(yield func(*Job, error) bool) {
		// An open range ends a minute from now: the server's clock may be
		// ahead of ours, and the times sent are cut to the second.
		p, err := c.planList(f, time.Now().Add(listClockSlack))
		if err != nil {
			yield(nil, err)
			return
		}
		c.listPages(ctx, p, yield)
	}
}

// listPages requests page after page until the list ends, yield refuses
// more, or a page fails.
func (c *Client) listPages(ctx context.Context, p *listPlan, yield func(*Job, error) bool) {
	offset, listed := 0, 0
	if p.api.pageNumbers {
		offset = 1
	}
	var prev map[string]bool // the previous page's job ids
	for page := 1; ; page++ {
		fail := func(err error) { yield(nil, &listError{page: page, offset: offset, listed: listed, err: err}) }
		if page > maxListPages {
			fail(&APIError{StatusCode: 200, Message: fmt.Sprintf(
				"the list goes on past %d pages; stopped (narrow the filter)", maxListPages)})
			return
		}
		jobs, err := c.listPage(ctx, p, offset)
		if err != nil {
			fail(err)
			return
		}
		if repeats(jobs, prev) {
			fail(&APIError{StatusCode: 200, Message: "the page repeats the previous one: the server ignores the offset"})
			return
		}
		for _, j := range jobs {
			if prev[j.ID] || !p.f.matches(j) {
				continue
			}
			listed++
			if !yield(j, nil) {
				return
			}
		}
		if len(jobs) < p.size {
			return
		}
		prev = idSet(jobs)
		if p.api.pageNumbers {
			offset++
		} else {
			offset += len(jobs)
		}
	}
}

// listPage requests one page at offset and decodes it.
func (c *Client) listPage(ctx context.Context, p *listPlan, offset int) ([]*Job, error) {
	q := p.query
	q.Set("offset", strconv.Itoa(offset))
	q.Set("limit", strconv.Itoa(p.size))
	var jobs []*Job
	err := c.call(ctx, apiCall{path: p.path, query: q.Encode()}, func(r *reply, secrets redact.Sets) (err error) {
		jobs, err = c.pageFrom(r, p.api.itemsKey, secrets)
		return err
	})
	return jobs, err
}

// repeats reports a full page whose every job the previous page gave.
func repeats(jobs []*Job, prev map[string]bool) bool {
	if len(jobs) == 0 || len(prev) == 0 {
		return false
	}
	for _, j := range jobs {
		if !prev[j.ID] {
			return false
		}
	}
	return true
}

func idSet(jobs []*Job) map[string]bool {
	ids := make(map[string]bool, len(jobs))
	for _, j := range jobs {
		ids[j.ID] = true
	}
	return ids
}

// listError is a page's failure, with where the listing was.
type listError struct {
	page, offset, listed int
	err                  error
}

func (e *listError) Error() string {
	return fmt.Sprintf("taurusjob: list jobs: page %d (offset %d, after %d jobs): %s",
		e.page, e.offset, e.listed, unprefixed(e.err))
}

func (e *listError) Unwrap() error { return e.err }

// check refuses a filter no service could take.
func (f JobFilter) check() error {
	if f.ID != "" {
		if err := ValidateJobID(f.ID); err != nil {
			return err
		}
	}
	if err := checkListWord("job name", f.Name); err != nil {
		return err
	}
	if f.Instance != "" {
		if err := validateInstanceID(f.Instance); err != nil { // the one instance id check
			return err
		}
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return invalid("job filter", "Until (%s) is not after Since (%s)",
			f.Until.UTC().Format(time.RFC3339), f.Since.UTC().Format(time.RFC3339))
	}
	if f.PageSize < 0 {
		return invalid("job filter", "page size %d is negative", f.PageSize)
	}
	return nil
}

// checkListWord accepts "" or up to 128 letters, digits, '-', '_' and '.',
// which every documented job name and instance id is made of.
func checkListWord(field, s string) error {
	if len(s) > 128 {
		return invalid(field, "is %d characters long, more than 128", len(s))
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; !isAlnum(b) && b != '-' && b != '_' && b != '.' {
			return invalid(field, "has %q at offset %d; only letters, digits, '-', '_' and '.' are allowed", b, i)
		}
	}
	return nil
}

// matches reports whether j passes f, for the filters a service lacks or
// ignores. A job without a creation time passes the time range: the
// server's own filter decided.
func (f JobFilter) matches(j *Job) bool {
	switch {
	case f.Status != "" && j.Status != f.Status,
		f.Name != "" && j.Name != f.Name,
		f.ID != "" && j.ID != f.ID,
		f.Instance != "" && !strings.EqualFold(j.Instance.ID, f.Instance):
		return false
	case j.Created.IsZero():
		return true
	}
	return (f.Since.IsZero() || !j.Created.Before(f.Since.Truncate(time.Second))) &&
		(f.Until.IsZero() || !j.Created.After(f.Until))
}
