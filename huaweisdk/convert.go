package huaweisdk

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3/model"
	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/clip"
	"github.com/taurusdb-tools/taurusjob/internal/jobfield"
	"github.com/taurusdb-tools/taurusjob/internal/nojob"
)

// maxMessageLen bounds the message kept from an error answer; the SDK keeps
// a whole unparseable body (a gateway's HTML page) as the message.
const maxMessageLen = 512

type rawInstance struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// jobFromResponse maps a successful SDK answer to a Job, read the way
// taurusjob.Client reads the API's body. Every text of the answer is
// scrubbed before it is kept: the SDK has decoded JSON escapes already, so
// an escaped credential is in clear here.
func jobFromResponse(jobID string, resp *model.ShowGaussMySqlJobInfoResponse, s *scrubber) (*taurusjob.Job, error) {
	if resp == nil {
		return nil, &nojob.Error{JobID: jobID}
	}
	if c := resp.HttpStatusCode; c != 0 && (c < 200 || c > 299) {
		// The SDK makes errors of 4xx and 5xx only; a 3xx it does not follow lands here.
		return nil, &taurusjob.APIError{StatusCode: c, Message: "the SDK returned this answer without a job or an error"}
	}
	if resp.Job == nil {
		return nil, &nojob.Error{JobID: jobID}
	}
	d := scrubJobDetail(resp.Job, s)
	status := s.text(d.Status.Value())
	if d.Id == "" && d.Name == "" && status == "" {
		return nil, &nojob.Error{JobID: jobID} // "job": {} and its like
	}
	if d.Id != "" && d.Id != jobID {
		return nil, &taurusjob.APIError{StatusCode: resp.HttpStatusCode,
			Message: fmt.Sprintf("answer is for job %q, not the job asked for", clip.Text(d.Id, 128))}
	}
	job := &taurusjob.Job{
		ID:         jobID,
		Name:       d.Name,
		Status:     taurusjob.Status(status),
		Progress:   -1,
		FailReason: deref(d.FailReason),
	}
	job.Created, _ = jobfield.Time(d.Created) // zero when unparseable; the text stays in Raw
	job.Ended, _ = jobfield.Time(deref(d.Ended))
	if d.Process != nil {
		job.Progress = jobfield.Progress(*d.Process)
	}
	raw := rawJob{ID: d.Id, Name: d.Name, Status: status, Created: d.Created,
		Ended: d.Ended, Process: d.Process, FailReason: d.FailReason}
	if d.Instance != nil {
		job.Instance = taurusjob.Instance{ID: d.Instance.Id, Name: d.Instance.Name}
		raw.Instance = &rawInstance{ID: d.Instance.Id, Name: d.Instance.Name}
	}
	b, err := json.Marshal(raw)
	if err != nil { // strings only: cannot happen
		return nil, fmt.Errorf("huaweisdk: re-encoding the job: %w", err)
	}
	job.Raw = b
	return job, nil
}

// scrubJobDetail returns a copy of d with every text scrubbed.
func scrubJobDetail(d *model.GetJobInfoDetail, s *scrubber) *model.GetJobInfoDetail {
	c := *d
	c.Id, c.Name, c.Created = s.text(d.Id), s.text(d.Name), s.text(d.Created)
	for _, p := range []**string{&c.Ended, &c.Process, &c.FailReason} {
		if *p != nil {
			v := s.text(**p)
			*p = &v
		}
	}
	if d.Instance != nil {
		c.Instance = &model.GetJobInstanceInfoDetail{Id: s.text(d.Instance.Id), Name: s.text(d.Instance.Name)}
	}
	return &c
}

// mapError classifies an SDK error the way taurusjob.Client classifies its
// own: an answer becomes an *APIError, no answer a *TransportError, and
// anything else (credentials, request building) stays as it is, wrapped.
// The server's texts are scrubbed before they are clipped.
func mapError(err error, s *scrubber) error {
	var sre *sdkerr.ServiceResponseError
	if errors.As(err, &sre) {
		return apiError(sre, s)
	}
	var srv sdkerr.ServiceResponseError
	if errors.As(err, &srv) {
		return apiError(&srv, s)
	}
	var (
		ue *url.Error
		ne net.Error
		ce *sdkerr.ConnectionError
		te *sdkerr.RequestTimeoutError
	)
	if errors.As(err, &ue) || errors.As(err, &ne) || errors.As(err, &ce) || errors.As(err, &te) {
		return &taurusjob.TransportError{Err: err}
	}
	return fmt.Errorf("huaweisdk: ShowGaussMySqlJobInfo: %w", err)
}

func apiError(e *sdkerr.ServiceResponseError, s *scrubber) error {
	if e.StatusCode == 0 {
		// The SDK could not read the error answer's body: no usable answer.
		return &taurusjob.TransportError{Err: fmt.Errorf("reading the error answer: %s", clip.Text(s.text(e.ErrorMessage), maxMessageLen))}
	}
	return &taurusjob.APIError{
		StatusCode: e.StatusCode,
		Code:       clip.Text(s.text(e.ErrorCode), 64),
		Message:    s.text(message(s.text(e.ErrorMessage))), // again: message decodes a title's entities
		RequestID:  clip.Text(s.text(e.RequestId), 128),
	}
}

var htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// message shortens the SDK's error message: a gateway's HTML page becomes
// its title, entities decoded as the core client decodes them.
func message(m string) string {
	trimmed := strings.TrimSpace(m)
	if strings.HasPrefix(trimmed, "<") {
		if t := htmlTitle.FindStringSubmatch(trimmed); t != nil {
			return clip.Text("gateway page: "+strings.TrimSpace(html.UnescapeString(t[1])), maxMessageLen)
		}
		return "gateway page without a title"
	}
	return clip.Text(trimmed, maxMessageLen)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
