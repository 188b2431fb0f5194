package taurusjobtest

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// serve answers one request, for both the loopback server and the
// in-memory transport. It fails only when the request's context ends or
// the server closes during an injected latency.
func (s *Server) serve(r *http.Request) (*answer, error) {
	now := time.Now()
	q := whatIsAsked(r)
	var jb *job
	if q.instance {
		s.total.Add(1)
	} else {
		jb = s.count(q.jobID)
	}
	a, err := s.answer(r, now, q, jb)
	if err != nil {
		s.rec.add(r, now, q, nil)
		return nil, err
	}
	a.requestID = s.newRequestID()
	if a.code == codeNoSuchAPI && a.body == nil {
		a.body = noSuchAPIBody(a.requestID)
	}
	s.rec.add(r, now, q, &a)
	return &a, nil
}

// answer decides the answer: rate limit, fault rules, then the API, and
// last the body faults of the rules that fired.
func (s *Server) answer(r *http.Request, now time.Time, q asked, jb *job) (answer, error) {
	if s.limiter != nil {
		if ok, wait := s.limiter.take(now); !ok {
			a := throttled(wait, s.cfg.rate)
			a.faults = "rate-limit"
			return a, nil
		}
	}
	var names []string
	var mods []Fault
	var a answer
	answered, visible := false, false
	for _, rl := range *s.rules.Load() {
		if answered {
			break
		}
		if !rl.match(now, q) {
			continue
		}
		f := rl.Fault
		names = append(names, f.name)
		switch f.kind {
		case kindLatency:
			if err := s.sleep(r.Context(), f.d); err != nil {
				return answer{}, err
			}
			now = time.Now()
		case kindAnswer, kindThrottle, kindRedirect:
			a, answered = faultAnswer(f, r, now), true
		default:
			mods = append(mods, f)
		}
	}
	if !answered {
		a, visible = s.routeAnswer(r, now, q, jb)
	}
	for _, f := range mods {
		switch f.kind {
		case kindReset:
			a.reset = true
		case kindTruncate:
			a.cut = true
		case kindWrongID:
			if visible {
				id := f.s
				if id == "" {
					id = q.jobID + "-other"
				}
				a.body = jb.bodyAs(now, id)
			}
		}
	}
	a.faults = strings.Join(names, ",")
	return a, nil
}

// apiAnswer answers as the API does: checks, then the job's state.
// visible reports a job body.
func (s *Server) apiAnswer(r *http.Request, now time.Time, jobID string, jb *job) (a answer, visible bool) {
	if a, ok := s.listAnswer(r, now); ok { // the job list: joblist.go
		return a, false
	}
	project, ok := strings.CutPrefix(r.URL.Path, "/v3/")
	if ok {
		project, ok = strings.CutSuffix(project, "/jobs")
	}
	if !ok || project == "" || strings.Contains(project, "/") {
		return ansNoSuchAPI, false
	}
	if r.Method != http.MethodGet {
		return ansBadMethod, false
	}
	if err := s.cfg.authCheck(r); err != nil {
		return errorAnswer(err), false
	}
	switch {
	case project != s.cfg.projectID:
		return ansBadProject, false
	case jobID == "":
		return ansNoID, false
	case jb == nil:
		return ansNotFound, false
	}
	body, visible := jb.body(now)
	if !visible {
		return ansNotFound, false
	}
	return answer{status: http.StatusOK, body: body}, true
}

// faultAnswer is the answer of a fault that answers in the API's place.
func faultAnswer(f Fault, r *http.Request, now time.Time) answer {
	switch f.kind {
	case kindThrottle:
		a := throttled(0, 0)
		if f.d > 0 {
			if f.n == 1 { // an HTTP date, rounded up to the second
				t := now.Add(f.d).UTC()
				if t.Nanosecond() > 0 {
					t = t.Truncate(time.Second).Add(time.Second)
				}
				a.retryAfter = t.Format(http.TimeFormat)
			} else {
				a.retryAfter = retrySeconds(f.d)
			}
		}
		return a
	case kindRedirect:
		loc := f.s
		if u, err := url.Parse(loc); err == nil && (u.Path == "" || u.Path == "/") {
			loc = strings.TrimSuffix(loc, "/") + r.URL.RequestURI()
		}
		return answer{status: f.status, location: loc, body: []byte(`{}`)}
	}
	return answer{status: f.status, ctype: f.ctype, body: []byte(f.s), code: f.code}
}

// sleep waits d, or until ctx ends or the server closes.
func (s *Server) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.done:
		return errClosed
	}
}

// count counts a request for jobID and returns the job, nil if unknown.
func (s *Server) count(jobID string) *job {
	s.total.Add(1)
	jb := s.lookup(jobID)
	if jb != nil {
		jb.count.Add(1)
	} else {
		s.rec.countUnknown(jobID)
	}
	return jb
}

// newRequestID makes a 32-hex-digit request id: the server's serial and a
// sequence number, so ids are unique and sort by arrival.
func (s *Server) newRequestID() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], s.serial)
	binary.BigEndian.PutUint64(b[8:], s.reqSeq.Add(1))
	return hex.EncodeToString(b[:])
}

// queryID returns the first id parameter of a raw query, "" if none.
func queryID(raw string) string {
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(kv, "=")
		if k == "id" {
			id, err := url.QueryUnescape(v)
			if err != nil {
				return v
			}
			return id
		}
	}
	return ""
}
