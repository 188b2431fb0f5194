package taurusjob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/taurusdb-tools/taurusjob/internal/clip"
	"github.com/taurusdb-tools/taurusjob/internal/nojob"
	"github.com/taurusdb-tools/taurusjob/internal/redact"
)

// What a get-job call gets back, in the order getOnce handles it: sent and
// read within the limit (send), scrubbed of every secret of the exchange
// (scrub), then read as the job or an error (jobFrom).

// reply is the server's HTTP reply to one get-job request: the response,
// whose body has been read and closed, and the body, cut at the limit when
// tooBig. (A Poller's answer is what a whole poll brought.)
type reply struct {
	resp   *http.Response
	body   []byte
	tooBig bool
}

// ok reports a 2xx status.
func (r *reply) ok() bool { return r.resp.StatusCode >= 200 && r.resp.StatusCode <= 299 }

// send puts req on the wire and reads the reply's body, at most
// c.maxBody bytes of it.
func (c *Client) send(ctx context.Context, req *http.Request) (reply, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return reply{}, c.transportError(ctx, err)
	}
	if resp.StatusCode < 200 {
		return reply{}, informationalAnswer(resp)
	}
	defer closeBody(resp.Body)
	body, tooBig, err := readLimited(resp.Body, c.maxBody)
	if err != nil {
		return reply{}, c.transportError(ctx, fmt.Errorf("reading the answer: %w", err))
	}
	// A value, not a pointer: the reply lives on getOnce's stack, one
	// allocation a poll less.
	return reply{resp: resp, body: body, tooBig: tooBig}, nil
}

// scrub removes from the reply every secret of the exchange that a
// hostile or buggy server may echo, before any of it is cut, parsed or
// quoted, so that no piece of a secret survives: the X-Request-Id header,
// a secret's start where the limit cut the body, and the body itself. An
// error body is scrubbed as text, since its words are quoted. A job body is
// scrubbed string by string as JSON, escaped forms too: the job's fields
// and Raw reach errors, logs, progress updates and the CLI's output. A 2xx
// body over the limit is dropped: only its size is reported.
func (r *reply) scrub(secrets redact.Sets) {
	if id := r.resp.Header.Get("X-Request-Id"); id != "" {
		r.resp.Header.Set("X-Request-Id", secrets.Scrub(id))
	}
	if r.ok() && r.tooBig {
		r.body = nil
		return
	}
	if r.tooBig {
		r.body = cutSecretStart(r.body, secrets.Secrets()) // the limit may have cut a secret in two
	}
	if r.ok() {
		r.body = secrets.ScrubJSON(r.body)
	} else {
		r.body = secrets.ScrubBytes(r.body)
	}
}

// jobFrom reads a scrubbed reply: the job of jobID, or an [*APIError] for
// a non-2xx reply, a body over the limit, a malformed one or a job of
// another id, or a [nojob.Error], which the waiter reads as a 404, for a
// 2xx without a job.
// apiErrorFrom is given the secrets too, to scrub its clipped fields again.
func (c *Client) jobFrom(r *reply, jobID string, secrets redact.Sets) (*Job, error) {
	if !r.ok() {
		return nil, apiErrorFrom(r.resp, r.body, r.tooBig, secrets...)
	}
	if r.tooBig {
		return nil, r.overLimit(c.maxBody)
	}
	job, err := decodeJobBody(r.body)
	if errors.Is(err, errNoJob) {
		return nil, &nojob.Error{JobID: jobID}
	}
	if err != nil {
		return nil, r.unusable("%s", err)
	}
	if job.ID == "" {
		job.ID = jobID
	} else if job.ID != jobID {
		return nil, r.unusable("answer is for job %q, not the job asked for", clip.Text(job.ID, 128))
	}
	return job, nil
}

// unusable is the [*APIError] of a 2xx reply that could not be used: its
// status and request id, and what was wrong with it.
func (r *reply) unusable(format string, args ...any) *APIError {
	return &APIError{StatusCode: r.resp.StatusCode, RequestID: r.requestID(), Message: fmt.Sprintf(format, args...)}
}

// overLimit is unusable for a 2xx body over the client's limit.
func (r *reply) overLimit(limit int64) *APIError {
	return r.unusable("answer body exceeds the %d-byte limit", limit)
}

// requestID is the reply's X-Request-Id, already scrubbed, clipped.
func (r *reply) requestID() string { return clip.Text(r.resp.Header.Get("X-Request-Id"), 128) }

// informationalAnswer closes a 1xx final answer unread and describes it.
// Go's transport reads past 100 Continue and 103 Early Hints itself, so a
// 1xx that gets here is a 101 Switching Protocols (or a custom transport's
// doing): its body is the raw connection, which no request timeout covers,
// so reading it, or draining it for reuse, could block forever.
func informationalAnswer(resp *http.Response) error {
	_ = resp.Body.Close()
	return &APIError{StatusCode: resp.StatusCode, RequestID: clip.Text(resp.Header.Get("X-Request-Id"), 128),
		Message: "a 1xx final answer to a request that asked for no upgrade; not read"}
}

// readLimited reads at most limit bytes; tooBig says there was more.
func readLimited(r io.Reader, limit int64) (body []byte, tooBig bool, err error) {
	body, err = io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(body)) > limit {
		return body[:limit], true, nil
	}
	return body, false, err
}

// closeBody drains a little of what is left, so the connection can be
// reused, and closes the body.
func closeBody(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}
