package taurusjob

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/taurusdb-tools/taurusjob/internal/jobfield"
)

// errNoJob reports a well-formed answer that holds no job: the job is not
// visible yet.
var errNoJob = errors.New("the answer holds no job")

// wireJob is the "job" object on the wire. Its strings are flexStrings,
// so that a number where a string was expected does not fail the decode.
type wireJob struct {
	ID         flexString      `json:"id"`
	Name       flexString      `json:"name"`
	Status     flexString      `json:"status"`
	Created    flexString      `json:"created"`
	Ended      flexString      `json:"ended"`
	Process    flexString      `json:"process"`
	Progress   flexString      `json:"progress"`
	Instance   *wireInstance   `json:"instance"`
	Entities   json.RawMessage `json:"entities"`
	FailReason flexString      `json:"fail_reason"`
}

type wireInstance struct {
	ID   flexString `json:"id"`
	Name flexString `json:"name"`
}

// decodeJobBody decodes a 200 body of the get-job call: one pass finds the
// job (the decoder's choice when "job" is given twice) and copies it out of
// the answer's buffer, a second decodes it. It returns errNoJob for a body
// without a job ("job" missing, null or {}), and a descriptive error for a
// body that is not the expected JSON. A value of the wrong type inside the
// job (an instance that is not an object) is dropped, not fatal: the rest
// of the job still counts.
func decodeJobBody(body []byte) (*Job, error) {
	var env struct {
		Job json.RawMessage `json:"job"`
	}
	var typeErr *json.UnmarshalTypeError
	switch err := json.Unmarshal(body, &env); {
	case errors.As(err, &typeErr):
		return nil, errors.New("malformed job body: not a JSON object")
	case err != nil:
		return nil, fmt.Errorf("malformed job body: %w", err)
	}
	raw := env.Job // the decoder's own copy
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, errNoJob
	}
	if raw[0] != '{' {
		return nil, fmt.Errorf("malformed job body: \"job\" is not an object")
	}
	var j wireJob
	_ = json.Unmarshal(raw, &j) // valid JSON: type errors only, as above
	job := &Job{
		ID:         string(j.ID),
		Name:       string(j.Name),
		Status:     canonicalStatus(string(j.Status)),
		Created:    parseTimeOrZero(string(j.Created)),
		Ended:      parseTimeOrZero(string(j.Ended)),
		Progress:   jobfield.Progress(string(j.Process)),
		FailReason: string(j.FailReason),
		Raw:        raw,
	}
	if job.Progress < 0 {
		job.Progress = jobfield.Progress(string(j.Progress))
	}
	if j.Instance != nil {
		job.Instance = Instance{ID: string(j.Instance.ID), Name: string(j.Instance.Name)}
	}
	if e := j.Entities; len(e) > 0 && !bytes.Equal(e, []byte("null")) {
		if i := bytes.Index(raw, e); i >= 0 {
			job.Entities = raw[i : i+len(e) : i+len(e)] // the same bytes, capped so that an append cannot reach Raw
		} else {
			job.Entities = e
		}
	}
	if job.ID == "" && job.Status == "" && job.Name == "" {
		return nil, errNoJob // "job": {} and its like
	}
	return job, nil
}

// flexString is a JSON scalar read as text: a string's contents, a number
// or a bool as written, "" for null, objects and arrays. It never fails.
type flexString string

// UnmarshalJSON takes a plain string as it is (the common case, without a
// second decode) and anything else through jsonString.
func (f *flexString) UnmarshalJSON(b []byte) error {
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' {
		if inner := b[1 : n-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
			*f = flexString(inner)
			return nil
		}
	}
	*f = flexString(jsonString(b))
	return nil
}

// jsonString returns the text of a JSON string, or the literal text of any
// other scalar (a number or a bool), or "" for null, absent, objects and arrays.
func jsonString(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return ""
	case '{', '[', 'n':
		return ""
	}
	return string(raw)
}

// parseTimeOrZero reads a job time; an unreadable one is zero, its text
// stays in Job.Raw.
func parseTimeOrZero(s string) time.Time {
	t, _ := jobfield.Time(s)
	return t
}
