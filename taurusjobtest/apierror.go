package taurusjobtest

import (
	"encoding/json"
	"fmt"
	"net/http"
)

const jsonType = "application/json;charset=UTF-8"

// Error codes the fake answers with. The DBS.200823 "no such job" and the
// APIGW ones are the real API's; the others are plausible stand-ins.
const (
	CodeJobNotFound  = "DBS.200823" // 404: the job is not visible yet, or unknown
	CodeBadRequest   = "DBS.200001" // 400: a bad parameter (project id, job id)
	CodeNoSuchAPI    = "APIGW.0101" // 404: the path is not the jobs API
	CodeBadAuth      = "APIGW.0301" // 401: missing or invalid credentials
	CodeTokenExpired = "APIGW.0307" // 401: the token has expired
	CodeThrottled    = "APIGW.0308" // 429: over the rate limit
)

// Error is an error answer of the API: an HTTP status and the API's JSON
// body {"error_code": Code, "error_msg": Message}. An auth check (see
// [WithAuthCheck]) returns one to choose the answer.
type Error struct {
	Status  int
	Code    string
	Message string
}

// Error returns the status, code and message on one line.
func (e *Error) Error() string {
	return fmt.Sprintf("taurusjobtest: HTTP %d %s: %s", e.Status, e.Code, e.Message)
}

// errorBody renders the API's error body.
func errorBody(code, msg string) []byte {
	b, _ := json.Marshal(struct {
		Code string `json:"error_code"`
		Msg  string `json:"error_msg"`
	}{code, msg})
	return b
}

// Answers that do not change, rendered once.
var (
	ansNotFound = answer{status: http.StatusNotFound, code: CodeJobNotFound,
		body: errorBody(CodeJobNotFound, "The job does not exist, or is not visible yet.")}
	ansNullJob   = answer{status: http.StatusOK, body: []byte(`{"job":null}`)}
	ansEmptyBody = answer{status: http.StatusOK, body: []byte(`{}`)}
	ansNoSuchAPI = answer{status: http.StatusNotFound, code: CodeNoSuchAPI,
		body: errorBody(CodeNoSuchAPI, "The API does not exist or has not been published in the environment.")}
	ansBadMethod = answer{status: http.StatusMethodNotAllowed, code: CodeBadRequest,
		body: errorBody(CodeBadRequest, "Method not allowed: the jobs API answers GET only.")}
	ansBadProject = answer{status: http.StatusBadRequest, code: CodeBadRequest,
		body: errorBody(CodeBadRequest, "Invalid project_id in the request path.")}
	ansNoID = answer{status: http.StatusBadRequest, code: CodeBadRequest,
		body: errorBody(CodeBadRequest, "The id parameter is required.")}
)

// errorAnswer is the answer for an auth check's error.
func errorAnswer(err error) answer {
	e, ok := err.(*Error)
	if !ok {
		e = &Error{Status: http.StatusUnauthorized, Code: CodeBadAuth,
			Message: "Incorrect IAM authentication information: " + err.Error()}
	}
	return answer{status: e.Status, code: e.Code, body: errorBody(e.Code, e.Message)}
}

// hiddenAnswer is the answer for a job that is not visible.
func hiddenAnswer(how NotVisible) answer {
	switch how {
	case NullJob:
		return ansNullJob
	case EmptyBody:
		return ansEmptyBody
	}
	return ansNotFound
}
