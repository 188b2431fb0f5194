package taurusjobtest

import (
	"encoding/json"
	"fmt"
	"net/http"
)

const jsonType = "application/json;charset=UTF-8"

// The error codes the fake answers with. The DBS.200823 "no such job" and
// the APIGW ones are the real API's; the others are plausible stand-ins.
const (
	codeJobNotFound  = "DBS.200823" // 404: the job is not visible yet, or unknown
	codeBadRequest   = "DBS.200001" // 400: a bad parameter (project id, job id)
	codeNoSuchAPI    = "APIGW.0101" // 404: the path is not the jobs API
	codeBadAuth      = "APIGW.0301" // 401: missing or invalid credentials
	codeTokenExpired = "APIGW.0307" // 401: the token has expired
	codeThrottled    = "APIGW.0308" // 429: over the rate limit
)

// apiError is an error answer of the API: an HTTP status and the API's JSON
// body {"error_code": Code, "error_msg": Message}. The built-in auth checks
// return one to choose the answer.
type apiError struct {
	Status  int
	Code    string
	Message string
}

// Error returns the status, code and message on one line.
func (e *apiError) Error() string {
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

// noSuchAPIBody is the real gateway's answer to a path where no API is
// published: its fields in its order, the request id in the body too.
func noSuchAPIBody(requestID string) []byte {
	b, _ := json.Marshal(struct {
		Msg       string `json:"error_msg"`
		Code      string `json:"error_code"`
		RequestID string `json:"request_id"`
	}{"The API does not exist or has not been published in the environment", codeNoSuchAPI, requestID})
	return b
}

// Answers that do not change, rendered once.
var (
	ansNotFound = answer{status: http.StatusNotFound, code: codeJobNotFound,
		body: errorBody(codeJobNotFound, "The job does not exist, or is not visible yet.")}
	ansNoSuchAPI = answer{status: http.StatusNotFound, code: codeNoSuchAPI} // body: noSuchAPIBody
	ansBadMethod = answer{status: http.StatusMethodNotAllowed, code: codeBadRequest,
		body: errorBody(codeBadRequest, "Method not allowed: the jobs API answers GET only.")}
	ansBadProject = answer{status: http.StatusBadRequest, code: codeBadRequest,
		body: errorBody(codeBadRequest, "Invalid project_id in the request path.")}
	ansNoID = answer{status: http.StatusBadRequest, code: codeBadRequest,
		body: errorBody(codeBadRequest, "The id parameter is required.")}
)

// errorAnswer is the answer for an auth check's error.
func errorAnswer(err error) answer {
	e, ok := err.(*apiError)
	if !ok {
		e = &apiError{Status: http.StatusUnauthorized, Code: codeBadAuth,
			Message: "Incorrect IAM authentication information: " + err.Error()}
	}
	return answer{status: e.Status, code: e.Code, body: errorBody(e.Code, e.Message)}
}
