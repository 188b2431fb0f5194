package taurusjob

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/defaults"
	"github.com/taurusdb-tools/taurusjob/internal/jobid"
	"github.com/taurusdb-tools/taurusjob/internal/redact"
	"github.com/taurusdb-tools/taurusjob/internal/sign"
	"github.com/taurusdb-tools/taurusjob/internal/version"
)

// JobGetter fetches one job. [*Client] implements it over HTTP; the
// huaweisdk module adapts the official SDK's client; tests can fake it.
//
// GetJob returns the job, or an error that the waiter classifies: a 404
// [*APIError], an error matching [ErrNoJob] (or a nil job with a nil
// error) means "not there": not visible yet before the job was seen, a
// passing fault after. A
// [*TransportError], or a 5xx, 429, 408 or malformed-body [*APIError], is
// retried; anything else ends the wait.
type JobGetter interface {
	GetJob(ctx context.Context, jobID string) (*Job, error)
}

// ClientConfig configures a [Client]. Endpoint, ProjectID and one credential
// (Token, TokenSource, or AccessKey with SecretKey) are required.
type ClientConfig struct {
	// Endpoint is the service's base URL, e.g.
	// "https://gaussdb.cn-north-4.myhuaweicloud.com" (see [Service.Endpoint]).
	// It must be https; plain http is accepted only for loopback hosts.
	Endpoint string
	// ProjectID is the tenant's project in the region: 32 letters and digits.
	ProjectID string

	// Token is a static IAM token, sent as X-Auth-Token.
	Token string
	// TokenSource returns an IAM token. It is called before the first
	// request, and again once when the API answers 401, after which the
	// request is retried once with the new token. One call runs at a time,
	// shared by every GetJob that needs a token meanwhile; each waits for
	// it within its ctx and RequestTimeout. The call's ctx has the first
	// caller's values, and ends when every caller has stopped waiting.
	TokenSource func(ctx context.Context) (string, error)

	// AccessKey and SecretKey sign each request with SDK-HMAC-SHA256, as
	// the official SDKs do. SecurityToken is set for temporary credentials.
	AccessKey, SecretKey, SecurityToken string

	// Language is sent as X-Language ("en-us", "zh-cn"); empty sends none.
	Language string
	// HTTPClient supplies the transport; nil uses a transport tuned for
	// many concurrent waits, whose connections never let net/http log
	// bytes a server sends after its answer (an echoed token, say: see
	// README, "Limits and security", for what your own must do). Its Timeout, Jar and Transport are kept; its
	// CheckRedirect is replaced so that credentials never follow a
	// redirect to another host.
	HTTPClient *http.Client
	// RequestTimeout bounds each GetJob, its retry after a 401 and the
	// token source's answer included; 0 means 30 s.
	RequestTimeout time.Duration
	// MaxBodyBytes bounds each response body read; 0 means 1 MiB.
	MaxBodyBytes int64
	// UserAgent is put before "taurusjob/VERSION" in the User-Agent header.
	UserAgent string
	// Service is the database service whose jobs are asked for; the zero
	// value is [ServiceTaurusDB], which accepts any endpoint. With another
	// service, NewClient refuses a public endpoint of a different service.
	Service Service
}

// Client calls the get-job API. It is safe for concurrent use.
type Client struct {
	base      *url.URL // the endpoint, without a trailing slash
	projectID string
	service   Service // how GetInstance reads an instance, and ListJobs a job list
	language  string
	userAgent string
	http      *http.Client
	timeout   time.Duration
	maxBody   int64

	staticToken string
	tokenSource func(ctx context.Context) (string, error)
	mu          sync.Mutex
	token       string   // the token source's last answer
	refreshing  *refresh // the token source's call in progress, if any
	signer      *sign.Signer

	// Secrets a server may echo, built once: the static token or the
	// access key, secret key and security token, and the token source's
	// current and previous answers. known is replaced whole, never
	// changed, so a request can hold it without the lock.
	staticSecrets, tokenSecrets *redact.Set
	known                       redact.Sets
}

// TransportError is a failure to get an answer: connection refused or
// reset, a request timeout, a body cut short. The waiter retries it.
type TransportError struct {
	Err error
}

func (e *TransportError) Error() string { return "taurusjob: transport: " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *TransportError) Unwrap() error { return e.Err }

// NewClient validates cfg and returns a Client. Every error matches
// [ErrInvalidInput] and names the field at fault.
func NewClient(cfg ClientConfig) (*Client, error) {
	base, err := parseEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	if err := cfg.Service.checkEndpoint(base); err != nil {
		return nil, err
	}
	if err := validateProjectID(cfg.ProjectID); err != nil {
		return nil, err
	}
	c := &Client{
		projectID:   cfg.ProjectID,
		service:     cfg.Service,
		language:    cfg.Language,
		userAgent:   "taurusjob/" + version.Version,
		timeout:     cfg.RequestTimeout,
		maxBody:     cfg.MaxBodyBytes,
		staticToken: cfg.Token,
		tokenSource: cfg.TokenSource,
	}
	base.Path = strings.TrimRight(base.Path, "/") // a call's path follows
	c.base = base
	if c.timeout < 0 || c.maxBody < 0 {
		return nil, invalid("client config", "RequestTimeout and MaxBodyBytes must not be negative")
	}
	if c.timeout == 0 {
		c.timeout = defaults.RequestTimeout
	}
	if c.maxBody == 0 {
		c.maxBody = defaults.MaxBodyBytes
	}
	if cfg.UserAgent != "" {
		if hasControl(cfg.UserAgent) {
			return nil, invalid("user agent", "contains control characters")
		}
		c.userAgent = cfg.UserAgent + " " + c.userAgent
	}
	if hasControl(cfg.Language) || strings.ContainsAny(cfg.Language, " ,;") {
		return nil, invalid("language", "must be a language tag such as en-us")
	}
	if err := c.setCredentials(cfg); err != nil {
		return nil, err
	}
	c.http = noProxyForLoopback(safeHTTPClient(cfg.HTTPClient), c.base)
	c.staticSecrets = redact.New(cfg.Token, cfg.AccessKey, cfg.SecretKey, cfg.SecurityToken)
	c.known = redact.Sets{c.staticSecrets}
	return c, nil
}

// ProjectID returns the project the client queries.
func (c *Client) ProjectID() string { return c.projectID }

// GetJob fetches one job. It validates jobID first (see [ValidateJobID]) and
// sends nothing when it is bad. It returns:
//   - the job, when the API answers 200 with a job of that id;
//   - an error matching [ErrNoJob] when the answer holds no job (a 2xx
//     whose "job" is absent, null or empty), which the waiter reads as a 404;
//   - an [*APIError] for any other answer (non-2xx, a malformed body, a job
//     of another id), with the request id and any Retry-After;
//   - a [*TransportError] when no answer could be had, including the
//     request timeout;
//   - ctx's error, wrapped, when ctx ends first.
//
// RequestTimeout bounds the whole call: the token source's answer, the
// request, and the retry after a 401.
//
// With a TokenSource, a 401 makes GetJob ask for a new token and try once more.
func (c *Client) GetJob(ctx context.Context, jobID string) (*Job, error) {
	if err := ValidateJobID(jobID); err != nil {
		return nil, err
	}
	var job *Job
	err := c.call(ctx, apiCall{path: "/v3/" + c.projectID + "/jobs", query: "id=" + url.QueryEscape(jobID)},
		func(r *reply, secrets redact.Sets) (err error) {
			job, err = c.jobFrom(r, jobID, secrets)
			return err
		})
	return job, err
}

// apiCall is one API request: its path under the endpoint and its raw
// query.
type apiCall struct {
	path, query string
}

// call makes one API request and gives its scrubbed reply to read. One
// deadline (RequestTimeout) covers the token source, the request and, with
// a TokenSource, the one retry that a 401 makes with a new token.
func (c *Client) call(ctx context.Context, x apiCall, read func(*reply, redact.Sets) error) error {
	// One deadline for the call, the refreshed retry included.
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	sent, err := c.callOnce(ctx, rctx, x, "", read)
	var ae *APIError
	if c.tokenSource != nil && errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized {
		first := err
		_, err = c.callOnce(ctx, rctx, x, sent, read)
		if err != nil && !errors.As(err, new(*APIError)) && !errors.As(err, new(*TransportError)) {
			// The refresh itself failed: keep the 401 and its request id too.
			err = &afterError{err: err, first: first}
		}
	}
	return err
}

// afterError is a token refresh's failure after the 401 that asked for it:
// both match errors.Is and errors.As.
type afterError struct{ err, first error }

func (e *afterError) Error() string   { return e.err.Error() + " (after " + unprefixed(e.first) + ")" }
func (e *afterError) Unwrap() []error { return []error{e.err, e.first} }

// callOnce makes one request within rctx, the call's deadline (ctx is the
// caller's). stale is a token the API refused, "" at first; sent is the
// token the request carried. No credential appears in the error: what the
// server sends back is scrubbed in one step, before read sees it, and the
// error is scrubbed again on the way out.
func (c *Client) callOnce(ctx, rctx context.Context, x apiCall, stale string, read func(*reply, redact.Sets) error) (sent string, err error) {
	req, err := c.newRequest(rctx, x)
	if err != nil {
		return "", err
	}
	if err := c.authorize(rctx, req, stale); err != nil {
		if ctx.Err() == nil && rctx.Err() != nil {
			return "", &TransportError{Err: fmt.Errorf("no token from the token source within the %s request timeout", c.timeout)}
		}
		return "", err
	}
	sent = req.Header.Get("X-Auth-Token")
	secrets, done := c.secrets(req)
	defer done() // after the scrub below: deferred calls run last first
	defer func() { err = redactError(err, secrets) }()
	rep, err := c.send(ctx, req)
	if err != nil {
		return sent, err
	}
	rep.scrub(secrets)
	return sent, read(&rep, secrets)
}

// newRequest builds x's GET request, without credentials.
func (c *Client) newRequest(ctx context.Context, x apiCall) (*http.Request, error) {
	u := *c.base
	u.Path += x.path
	u.RawQuery = x.query
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, invalid("request", "%v", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if c.language != "" {
		req.Header.Set("X-Language", c.language)
	}
	return req, nil
}

// authorize sets the request's credential headers.
func (c *Client) authorize(ctx context.Context, req *http.Request, stale string) error {
	if c.signer != nil {
		return signRequest(c.signer, req)
	}
	token, err := c.currentToken(ctx, stale)
	if err != nil {
		return err
	}
	req.Header.Set("X-Auth-Token", token)
	return nil
}

// transportError wraps a failed exchange, or returns ctx's error when the
// caller's ctx ended (as opposed to the request's own timeout).
func (c *Client) transportError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		if cause := context.Cause(ctx); cause != ctxErr {
			return fmt.Errorf("taurusjob: get job: %w: %w", ctxErr, cause)
		}
		return fmt.Errorf("taurusjob: get job: %w", ctxErr)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL holds no secret, but the op and URL add only noise
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("no answer within the %s request timeout", c.timeout)
	}
	if rh, ok := errors.AsType[tls.RecordHeaderError](err); errors.Is(err, http.ErrSchemeMismatch) || ok && string(rh.RecordHeader[:]) == "HTTP/" {
		err = fmt.Errorf("the endpoint is https but the server answered plain HTTP: "+
			"use the server's https port, or (for a loopback server) an http:// endpoint: %w", err)
	}
	return &TransportError{Err: err}
}

// validateProjectID checks a project id: exactly 32 ASCII letters and digits.
func validateProjectID(id string) error {
	if len(id) != 32 {
		return invalid("project id", "must be 32 letters and digits, got %d characters", len(id))
	}
	for i := 0; i < len(id); i++ {
		if !isAlnum(id[i]) {
			return invalid("project id", "must be 32 letters and digits, found %q at offset %d", id[i], i)
		}
	}
	return nil
}

// ValidateJobID checks a job id: 1 to 128 characters from the
// unreserved set (letters, digits, '-', '_', '.', '~'), not "." or "..".
func ValidateJobID(id string) error {
	if id == "" {
		return invalid("job id", "is empty")
	}
	if len(id) > jobid.MaxLen {
		return invalid("job id", "is %d characters long, more than %d", len(id), jobid.MaxLen)
	}
	if id == "." || id == ".." {
		return invalid("job id", "must not be %q", id)
	}
	for i := 0; i < len(id); i++ {
		if b := id[i]; !isAlnum(b) && b != '-' && b != '_' && b != '.' && b != '~' {
			return invalid("job id", "has %q at offset %d; only letters, digits, '-', '_', '.' and '~' are allowed", b, i)
		}
	}
	return nil
}

func isAlnum(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// hasControl reports a character that has no place in a header, a token
// or a log line.
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\u2028' || r == '\u2029' {
			return true // C0, DEL, C1 (U+0085 ends a line in some logs), and the Unicode line separators
		}
	}
	return false
}
