package taurusjobtest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Fault is one kind of misbehaviour, made by the functions below and put
// to work by a [Rule]. The zero Fault does nothing.
type Fault struct {
	kind   faultKind
	name   string
	status int
	d      time.Duration
	n      int
	s      string // redirect target, wrong id, custom body
	ctype  string
	code   string // the error_code in the body s
}

type faultKind int

const (
	kindNone     faultKind = iota
	kindAnswer             // answer status/body instead of the API
	kindThrottle           // 429 with Retry-After
	kindRedirect           // 302 to s
	kindLatency            // wait d, then go on
	kindReset              // connection reset mid-body
	kindTruncate           // body cut in half, clean end
	kindWrongID            // 200 body with another job id
)

// Name returns the fault's name as [Request].Fault shows it, such as
// "server-error-503" or "latency".
func (f Fault) Name() string { return f.name }

// ServerError answers code (500, 502, 503, 504, ...) with an API JSON error
// body, as the API and its gateway do.
func ServerError(code int) Fault {
	ec, msg := serverErrorCode(code)
	return Fault{kind: kindAnswer, name: "server-error-" + strconv.Itoa(code), status: code,
		ctype: jsonType, s: string(errorBody(ec, msg)), code: ec}
}

// GatewayPage answers code with an HTML page, as a load balancer in front
// of the API does.
func GatewayPage(code int) Fault {
	text := strconv.Itoa(code) + " " + http.StatusText(code)
	page := "<html>\r\n<head><title>" + text + "</title></head>\r\n<body>\r\n<center><h1>" + text +
		"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
	return Fault{kind: kindAnswer, name: "gateway-page-" + strconv.Itoa(code), status: code,
		ctype: "text/html", s: page}
}

// Answer answers status with the given content type ("" is JSON) and
// body, for anything the other faults do not cover (a 403, a body of
// another shape). The record's Code is the body's error_code, if any.
func Answer(status int, contentType, body string) Fault {
	var e struct {
		Code string `json:"error_code"`
	}
	_ = json.Unmarshal([]byte(body), &e) // a body of another shape has no code
	return Fault{kind: kindAnswer, name: "answer-" + strconv.Itoa(status), status: status,
		ctype: contentType, s: body, code: e.Code}
}

// Throttle answers 429 APIGW.0308 with "Retry-After: N", N being
// retryAfter in whole seconds, rounded up; retryAfter <= 0 sends no
// Retry-After.
func Throttle(retryAfter time.Duration) Fault {
	return Fault{kind: kindThrottle, name: "throttle", status: http.StatusTooManyRequests, d: retryAfter}
}

// ThrottleDate answers 429 APIGW.0308 with a Retry-After HTTP date
// retryAfter from now (rounded up to the second, so never earlier).
func ThrottleDate(retryAfter time.Duration) Fault {
	return Fault{kind: kindThrottle, name: "throttle-date", status: http.StatusTooManyRequests, d: retryAfter, n: 1}
}

// Redirect answers 302 with Location target. When target has no path,
// the request's path and query are appended, so a client that follows it
// asks another host the same question.
func Redirect(target string) Fault {
	return Fault{kind: kindRedirect, name: "redirect", status: http.StatusFound, s: target}
}

// Latency delays the answer by d, then lets the request go on to the next
// rules and the API. The wait ends early when the request's context ends
// or the server closes. It uses timers, so fake time drives it in memory.
func Latency(d time.Duration) Fault {
	return Fault{kind: kindLatency, name: "latency", d: d}
}

// ResetMidBody sends the headers and half the body, then breaks the
// connection: a loopback server aborts it; the in-memory transport's body
// Read returns an error wrapping syscall.ECONNRESET.
func ResetMidBody() Fault { return Fault{kind: kindReset, name: "reset"} }

// Truncated sends only the first half of the body, with a Content-Length
// that matches: the body reads cleanly but is not valid JSON.
func Truncated() Fault { return Fault{kind: kindTruncate, name: "truncated"} }

// WrongJobID answers a visible job with a body naming another job id:
// id, or the requested id with "-other" appended when id is "".
func WrongJobID(id string) Fault { return Fault{kind: kindWrongID, name: "wrong-id", s: id} }

// Rule injects its Fault into the requests it matches. Every condition set
// must hold: a zero field is no condition. Rules are tried in the order
// they were added. Latency rules and body faults (reset, truncated, wrong
// id) let the next rules run too; the first rule that answers (server
// error, gateway page, throttle, redirect, answer) ends the search, and
// the request never reaches the API's own checks. Body faults that fired
// apply to whatever is answered, so Truncated before GatewayPage cuts an
// HTML page.
type Rule struct {
	Fault Fault
	// JobID limits the rule to requests for this job id.
	JobID string
	// InstanceID limits the rule to requests for this instance (see
	// [Server.AddInstance]).
	InstanceID string
	// From and Until limit the rule to requests at From or later and
	// before Until ([time.Now]).
	From, Until time.Time
	// Every fires the rule on every Nth request that met the conditions
	// above (the Nth, the 2Nth, ...); 0 or 1 is every request.
	Every int
	// Probability fires the rule on that fraction of requests, drawn from
	// a PCG seeded with Seed, so a run can be replayed. A value outside
	// (0, 1) is no condition.
	Probability float64
	Seed        uint64
	// Limit stops the rule after it fired that many times; 0 is no limit.
	Limit int
}

type rule struct {
	Rule
	mu    sync.Mutex
	seen  int
	fired int
	rng   *rand.Rand
}

func newRule(r Rule) *rule {
	return &rule{Rule: r, rng: rand.New(rand.NewPCG(r.Seed, r.Seed^0x5851f42d4c957f2d))}
}

// match reports whether the rule fires on request q at now.
func (r *rule) match(now time.Time, q asked) bool {
	if r.Fault.kind == kindNone ||
		r.JobID != "" && r.JobID != q.jobID ||
		r.InstanceID != "" && r.InstanceID != q.instanceID ||
		!r.From.IsZero() && now.Before(r.From) ||
		!r.Until.IsZero() && !now.Before(r.Until) {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Limit > 0 && r.fired >= r.Limit {
		return false
	}
	r.seen++
	if r.Every > 1 && r.seen%r.Every != 0 {
		return false
	}
	if r.Probability > 0 && r.Probability < 1 && r.rng.Float64() >= r.Probability {
		return false
	}
	r.fired++
	return true
}

// AddRule adds a fault rule after the existing ones. It takes effect for
// the requests that arrive after it returns.
func (s *Server) AddRule(r Rule) {
	s.rulesMu.Lock()
	defer s.rulesMu.Unlock()
	old := *s.rules.Load()
	rules := make([]*rule, len(old), len(old)+1)
	copy(rules, old)
	rules = append(rules, newRule(r))
	s.rules.Store(&rules)
}

func serverErrorCode(code int) (string, string) {
	switch code {
	case http.StatusInternalServerError:
		return "DBS.200500", "Internal server error. Try again later."
	case http.StatusBadGateway:
		return "APIGW.0202", "Bad gateway."
	case http.StatusServiceUnavailable:
		return "APIGW.0203", "Backend unavailable."
	case http.StatusGatewayTimeout:
		return "APIGW.0204", "Backend timeout."
	}
	return fmt.Sprintf("DBS.%06d", code), http.StatusText(code)
}
