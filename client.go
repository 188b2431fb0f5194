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
	base      *url.URL // endpoint with the project's jobs path
	projectID string
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
		language:    cfg.Language,
		userAgent:   "taurusjob/" + version.Version,
		timeout:     cfg.RequestTimeout,
		maxBody:     cfg.MaxBodyBytes,
		staticToken: cfg.Token,
		tokenSource: cfg.TokenSource,
	}
	base.Path = strings.TrimRight(base.Path, "/") + "/v3/" + cfg.ProjectID + "/jobs"
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
	// One deadline for the call, the refreshed retry included.
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	job, sent, err := c.getOnce(ctx, rctx, jobID, "")
	var ae *APIError
	if c.tokenSource != nil && errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized {
		first := err
		job, _, err = c.getOnce(ctx, rctx, jobID, sent)
		if err != nil && !errors.As(err, new(*APIError)) && !errors.As(err, new(*TransportError)) {
			// The refresh itself failed: keep the 401 and its request id too.
			err = &afterError{err: err, first: first}
		}
	}
	return job, err
}

// afterError is a token refresh's failure after the 401 that asked for it:
// both match errors.Is and errors.As.
type afterError struct{ err, first error }

func (e *afterError) Error() string   { return e.err.Error() + " (after " + unprefixed(e.first) + ")" }
func (e *afterError) Unwrap() []error { return []error{e.err, e.first} }

// getOnce makes one request within rctx, the call's deadline (ctx is the
// caller's). stale is a token the API refused, "" at first;
// sent is the token the request carried. No credential appears in the
// error: what the server sends back is scrubbed in one step, before it is
// read as a job or an error, and the error is scrubbed again on the way out.
func (c *Client) getOnce(ctx, rctx context.Context, jobID, stale string) (job *Job, sent string, err error) {
	req, err := c.newRequest(rctx, jobID)
	if err != nil {
		return nil, "", err
	}
	if err := c.authorize(rctx, req, stale); err != nil {
		if ctx.Err() == nil && rctx.Err() != nil {
			return nil, "", &TransportError{Err: fmt.Errorf("no token from the token source within the %s request timeout", c.timeout)}
		}
		return nil, "", err
	}
	sent = req.Header.Get("X-Auth-Token")
	secrets, done := c.secrets(req)
	defer done() // after the scrub below: deferred calls run last first
	defer func() { err = redactError(err, secrets) }()
	rep, err := c.send(ctx, req)
	if err != nil {
		return nil, sent, err
	}
	rep.scrub(secrets)
	job, err = c.jobFrom(&rep, jobID, secrets)
	return job, sent, err
}

// newRequest builds the get-job request for jobID, without credentials.
func (c *Client) newRequest(ctx context.Context, jobID string) (*http.Request, error) {
	u := *c.base
	u.RawQuery = "id=" + url.QueryEscape(jobID)
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

// currentToken returns the token to send: the static one, or the token
// source's cached answer. A token source is asked when nothing is cached or
// when the cached token is stale (refused with a 401); when another request
// already replaced the stale token, its replacement is used. A refresh in
// progress is shared by every caller who needs one, so that many
// concurrent 401s make one refresh; each waits for it only as long as its
// own ctx allows, and no lock is held while the source runs.
func (c *Client) currentToken(ctx context.Context, stale string) (string, error) {
	if c.tokenSource == nil {
		return c.staticToken, nil
	}
	c.mu.Lock()
	if c.token != "" && c.token != stale {
		defer c.mu.Unlock()
		return c.token, nil
	}
	r := c.refreshing
	if r == nil {
		r = c.startRefresh(ctx)
	}
	r.waiters++
	c.mu.Unlock()
	select {
	case <-r.done:
		return r.token, r.err
	case <-ctx.Done():
		c.mu.Lock()
		if r.waiters--; r.waiters == 0 && c.refreshing == r {
			// Nobody waits for it any more: a source that honours its
			// ctx ends, and the next caller asks again.
			c.refreshing = nil
			r.cancel()
		}
		c.mu.Unlock()
		if cause := context.Cause(ctx); cause != ctx.Err() {
			return "", fmt.Errorf("taurusjob: waiting for the token source: %w: %w", ctx.Err(), cause)
		}
		return "", fmt.Errorf("taurusjob: waiting for the token source: %w", ctx.Err())
	}
}

// refresh is one call of the token source, shared by the callers waiting
// for it (c.mu guards waiters).
type refresh struct {
	done    chan struct{} // closed when token and err are set
	token   string
	err     error
	waiters int
	cancel  context.CancelFunc
}

// startRefresh calls the token source in a goroutine of its own, with
// ctx's values but not its end: the source's ctx ends when every caller
// has given up on it. Its caller holds c.mu.
func (c *Client) startRefresh(ctx context.Context) *refresh {
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r := &refresh{done: make(chan struct{}), cancel: cancel}
	c.refreshing = r
	go func() {
		defer cancel()
		token, err := c.askTokenSource(sctx)
		c.mu.Lock()
		if err == nil {
			c.token = token
			// The stale token's set stays: the answer to the retry may echo it.
			fresh := redact.New(token)
			c.known, c.tokenSecrets = redact.Sets{c.staticSecrets, fresh, c.tokenSecrets}, fresh
		}
		if c.refreshing == r {
			c.refreshing = nil
		}
		r.token, r.err = token, err
		c.mu.Unlock()
		close(r.done)
	}()
	return r
}

// askTokenSource calls the token source and checks its answer. A panic of
// the source is its error: it runs in a goroutine of its own, where a
// panic would end the process.
func (c *Client) askTokenSource(ctx context.Context) (token string, err error) {
	defer func() {
		if p := recover(); p != nil {
			token, err = "", errors.New("taurusjob: the token source panicked")
		}
	}()
	token, err = c.tokenSource(ctx)
	if err != nil {
		return "", fmt.Errorf("taurusjob: token source: %w", err)
	}
	if len(token) > maxTokenLen {
		return "", invalid("token", "the token source returned %d bytes, more than %d", len(token), maxTokenLen)
	}
	if token == "" || hasControl(token) {
		return "", invalid("token", "the token source returned an empty token or one with control characters")
	}
	return token, nil
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

// safeHTTPClient copies hc (or makes a client) with a redirect policy that
// never carries credentials to another host: a redirect to another scheme
// or host is not followed, and its 3xx answer becomes an [*APIError].
func safeHTTPClient(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	} else {
		c.Transport = sharedTransport
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		first := via[0].URL
		if req.URL.Scheme != first.Scheme || !strings.EqualFold(req.URL.Host, first.Host) {
			return http.ErrUseLastResponse
		}
		if len(via) >= 5 {
			return errors.New("stopped after 5 redirects")
		}
		return nil
	}
	return &c
}

// maxResponseHeaderBytes bounds the headers of an answer read by the
// default transport: the API's are well under 4 KiB.
const maxResponseHeaderBytes = 64 << 10

// sharedTransport serves every Client made without an HTTPClient, so that
// many clients share one pool of connections instead of each leaving its
// own idle connections behind.
var sharedTransport = &routedTransport{direct: defaultTransport(), proxied: proxiedTransport()}

// routedTransport sends a request through a proxy, when the environment
// names one for its URL, without keeping the connection: a proxied
// connection's TLS is the transport's own, below which no answerConn can
// frame the answers (see answerconn.go), so no proxied connection is left
// idle for net/http to log what comes on it. Every other request goes
// direct, over answerConns that are kept.
type routedTransport struct{ direct, proxied *http.Transport }

func (t *routedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if p, err := http.ProxyFromEnvironment(req); p != nil || err != nil {
		return t.proxied.RoundTrip(req)
	}
	return t.direct.RoundTrip(req)
}

// CloseIdleConnections closes both transports' idle connections.
func (t *routedTransport) CloseIdleConnections() {
	t.direct.CloseIdleConnections()
	t.proxied.CloseIdleConnections()
}

// defaultTransport is the transport of direct requests: connections are
// answerConns (see answerconn.go), HTTP/1.1, tuned for many concurrent
// waits.
func defaultTransport() *http.Transport {
	t := tunedTransport()
	t.Proxy = nil // routedTransport sends proxied requests elsewhere
	t.ForceAttemptHTTP2 = false
	t.DialContext, t.DialTLSContext = dialAnswers(func() (*tls.Config, time.Duration) {
		return t.TLSClientConfig, t.TLSHandshakeTimeout
	})
	return t
}

// proxiedTransport is the transport of requests through a proxy: one
// connection a request, closed after its answer.
func proxiedTransport() *http.Transport {
	t := tunedTransport()
	t.DisableKeepAlives = true
	return t
}

func tunedTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	// Many concurrent waits talk to one host. With too few idle
	// connections kept, a burst of polls opens and drops connections by the
	// thousand (and runs out of file descriptors); with no cap, the first
	// burst of 10,000 waits opens 10,000. 256 open and kept idle serve a
	// burst in turn and reuse them: a poll pays no handshake.
	t.MaxIdleConnsPerHost = maxConnsPerHost
	t.MaxConnsPerHost = maxConnsPerHost
	// http.DefaultTransport keeps 100 idle connections in all, which would
	// undo the line above: every burst would dial 156 of the 256 again.
	// Idle connections are bounded per host, and close after IdleConnTimeout.
	t.MaxIdleConns = 0
	// A hostile endpoint streaming headers would otherwise be read up
	// to Go's default of 10 MiB per connection.
	t.MaxResponseHeaderBytes = maxResponseHeaderBytes
	// No ResponseHeaderTimeout: each request's context carries the
	// configured RequestTimeout, which may be longer than any default here.
	return t
}

// maxConnsPerHost bounds the default transport's connections to one host.
const maxConnsPerHost = 256

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
