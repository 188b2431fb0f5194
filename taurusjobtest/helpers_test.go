package taurusjobtest

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// modes are the two ways to reach a server; time-independent tests run
// over both.
var modes = []struct {
	name string
	new  func(opts ...Option) *Server
}{
	{"loopback", NewServer},
	{"inmemory", NewInMemory},
}

// forModes runs f once per mode, with a server closed at the end.
func forModes(t *testing.T, f func(t *testing.T, srv *Server), opts ...Option) {
	t.Helper()
	forModesRules(t, nil, f, opts...)
}

// forModesRules is forModes with rules added to each server before f.
func forModesRules(t *testing.T, rules []Rule, f func(t *testing.T, srv *Server), opts ...Option) {
	t.Helper()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := withRules(m.new(opts...), rules...)
			defer srv.Close()
			f(t, srv)
		})
	}
}

// withRules adds rules to a new server and returns it.
func withRules(srv *Server, rules ...Rule) *Server {
	for _, r := range rules {
		srv.AddRule(r)
	}
	return srv
}

// reply is one answer, read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
	err    error // from the body read
}

// wireJob is the job object of a 200 body.
type wireJob struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Status     string `json:"status"`
	Created    string `json:"created"`
	Ended      string `json:"ended"`
	Process    string `json:"process"`
	Instance   struct{ ID, Name string }
	Entities   json.RawMessage `json:"entities"`
	FailReason string          `json:"fail_reason"`
}

type errBody struct {
	Code string `json:"error_code"`
	Msg  string `json:"error_msg"`
}

// jobURL is the URL of the get-job call for id on srv.
func jobURL(srv *Server, id string) string {
	return srv.URL() + "/v3/" + srv.ProjectID() + "/jobs?id=" + id
}

// do sends req with srv's client and reads the answer.
func do(t *testing.T, srv *Server, req *http.Request) reply {
	t.Helper()
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: body, err: err}
}

// get asks for url with the server's token.
func get(t *testing.T, srv *Server, url string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Auth-Token", srv.Token())
	return do(t, srv, req)
}

// getJob asks for job id and decodes a 200 body.
func getJob(t *testing.T, srv *Server, id string) wireJob {
	t.Helper()
	r := get(t, srv, jobURL(srv, id))
	if r.status != http.StatusOK || r.err != nil {
		t.Fatalf("job %s: HTTP %d, read error %v, body %s", id, r.status, r.err, r.body)
	}
	var env struct{ Job *wireJob }
	if err := json.Unmarshal(r.body, &env); err != nil || env.Job == nil {
		t.Fatalf("job %s: body %s: %v", id, r.body, err)
	}
	return *env.Job
}

// wantError checks an error answer's status and error_code.
func wantError(t *testing.T, r reply, status int, code string) {
	t.Helper()
	var e errBody
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	if r.status != status || e.Code != code || e.Msg == "" {
		t.Fatalf("got HTTP %d %q %q, want HTTP %d %q with a message", r.status, e.Code, e.Msg, status, code)
	}
	if r.header.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id")
	}
}
