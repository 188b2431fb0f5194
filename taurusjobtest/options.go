package taurusjobtest

import (
	"net/http"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/sign"
)

// Defaults of a [Server].
const (
	// defaultProjectID is the project id a server answers for unless
	// WithProjectID says otherwise: 32 letters and digits, like a real one.
	defaultProjectID = "taurusjobtestproject000000000000"
	// defaultMaxRecords is how many requests a server records unless
	// WithMaxRecords says otherwise. Past it, the oldest are dropped.
	defaultMaxRecords = 100_000
)

// An Option configures a [Server] at construction.
type Option func(*config)

type config struct {
	projectID     string
	token         string
	tokenLifetime time.Duration
	authCheck     func(*http.Request) error
	rate          float64
	burst         int
	maxRecords    int
	service       taurusjob.Service // the shape of the bodies; see WithService
}

func defaultConfig() config {
	return config{
		projectID:  defaultProjectID,
		maxRecords: defaultMaxRecords,
	}
}

// WithProjectID sets the project id the server answers for; a request for
// another project gets 400 with an error body. Default: 32 letters and
// digits, like a real one; [Server.ProjectID] returns it.
func WithProjectID(id string) Option {
	return func(c *config) { c.projectID = id }
}

// WithToken sets the first valid token, the one [Server.Token] returns.
// Default: a token made up by the server.
func WithToken(token string) Option {
	return func(c *config) { c.token = token }
}

// WithTokenLifetime makes a token invalid once it is older than d, counted
// from [Server.IssueToken] (or from the server's creation for the first
// token): requests carrying it get 401 APIGW.0307, as an expired IAM token
// does. A TokenSource that calls IssueToken gets a fresh, valid one.
// Default 0: tokens never expire.
func WithTokenLifetime(d time.Duration) Option {
	return func(c *config) { c.tokenLifetime = d }
}

// WithAuthCheck replaces the credential check. check is called for each
// request that passed the path and method checks; a nil error lets it
// through; an error becomes 401 APIGW.0301 with the error's text as
// message (so it must not hold secrets). It is how a test sees the
// credentials its code sends, or plugs in a verifier of its own. A nil
// check lets every request through. check must be safe for concurrent use.
func WithAuthCheck(check func(r *http.Request) error) Option {
	return func(c *config) {
		if check == nil {
			check = func(*http.Request) error { return nil }
		}
		c.authCheck = check
	}
}

// WithRateLimit throttles the server as the API gateway does: a token
// bucket refilled at rps requests per second holding at most burst (at
// least 1). A request over the limit gets 429 APIGW.0308 with a Retry-After
// in whole seconds. The bucket runs on [time.Now], so fake time drives it.
// rps <= 0 turns the limit off (the default).
func WithRateLimit(rps float64, burst int) Option {
	return func(c *config) { c.rate, c.burst = rps, max(burst, 1) }
}

// WithMaxRecords bounds the recorded requests to the n most recent. n == 0
// turns recording off (counts are still kept); n < 0 keeps every request.
// Default 100,000. Simulations with many jobs should lower it.
func WithMaxRecords(n int) Option {
	return func(c *config) { c.maxRecords = n }
}

// WithAKSK makes the server check requests as the real gateway checks AK/SK
// callers: each must carry a valid SDK-HMAC-SHA256 signature by this key
// pair (as the official SDKs and taurusjob's AK/SK client sign) with an
// X-Sdk-Date within 15 minutes (internal/sign's DefaultMaxSkew) of the server's
// clock. Anything else gets 401 APIGW.0301. It replaces the token check.
func WithAKSK(accessKey, secretKey string) Option {
	return WithAuthCheck(func(r *http.Request) error {
		err := sign.Verify(r, accessKey, secretKey, time.Now(), sign.DefaultMaxSkew)
		if err != nil {
			return &apiError{Status: http.StatusUnauthorized, Code: codeBadAuth,
				Message: "Incorrect IAM authentication information: " + err.Error()}
		}
		return nil
	})
}
