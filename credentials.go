package taurusjob

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/taurusdb-tools/taurusjob/internal/redact"
	"github.com/taurusdb-tools/taurusjob/internal/sign"
)

// The credentials of ClientConfig, checked here in the package's own
// words: internal/sign signs and verifies, but its errors cannot be the
// InputErrors that NewClient and GetJob promise, so the checks of what the
// caller gave stay on this side.

// Bounds of a credential, checked before anything is built from it: the
// redaction tables cost about 270 bytes a secret byte (288 MiB for a 1 MiB
// token). An IAM token is a few KiB (a PKI token up to about 10 KiB), as is
// a security token; 64 KiB is also the CLI's bound of a token file. An
// access key is 20 characters and a secret key 40.
const (
	maxTokenLen = 64 << 10
	maxKeyLen   = 256
)

// checkLen refuses a credential longer than limit, without quoting it.
func checkLen(field, value string, limit int) error {
	if len(value) > limit {
		return invalid(field, "is %d bytes long, more than %d; is it a %s?", len(value), limit, field)
	}
	return nil
}

// setCredentials checks that cfg holds exactly one kind of credential, and
// builds the signer for AK/SK.
func (c *Client) setCredentials(cfg ClientConfig) error {
	kinds := 0
	if cfg.Token != "" {
		kinds++
		if err := checkLen("token", cfg.Token, maxTokenLen); err != nil {
			return err
		}
		if hasControl(cfg.Token) {
			return invalid("token", "contains control characters")
		}
	}
	if cfg.TokenSource != nil {
		kinds++
	}
	if cfg.AccessKey != "" || cfg.SecretKey != "" {
		kinds++
		if err := checkAKSK(cfg.AccessKey, cfg.SecretKey, cfg.SecurityToken, cfg.ProjectID); err != nil {
			return err
		}
		c.signer = sign.New(sign.AKSK{AccessKey: cfg.AccessKey, SecretKey: cfg.SecretKey,
			SecurityToken: cfg.SecurityToken, ProjectID: cfg.ProjectID})
	} else if cfg.SecurityToken != "" {
		return invalid("security token", "is set without an access key and secret key")
	}
	switch kinds {
	case 0:
		return invalid("credentials", "none given: set Token, TokenSource, or AccessKey and SecretKey")
	case 1:
		return nil
	}
	return invalid("credentials", "more than one given: set only one of Token, TokenSource, or AccessKey and SecretKey")
}

// checkAKSK refuses AK/SK credentials that cannot sign or that would break
// a header: the access key goes into Authorization, where ' ', ',', ';' and
// '=' are separators. Its errors name the field at fault and never hold a
// credential's value.
func checkAKSK(ak, sk, securityToken, projectID string) error {
	for _, e := range []error{checkLen("access key", ak, maxKeyLen), checkLen("secret key", sk, maxKeyLen),
		checkLen("security token", securityToken, maxTokenLen)} {
		if e != nil {
			return e
		}
	}
	switch {
	case ak == "":
		return invalid("access key", "is empty; AK/SK signing needs both keys")
	case sk == "":
		return invalid("secret key", "is empty; AK/SK signing needs both keys")
	case hasControl(ak) || strings.ContainsAny(ak, " ,;="):
		return invalid("access key", "contains control characters, spaces, ',', ';' or '='")
	case hasControl(sk):
		return invalid("secret key", "contains control characters")
	case hasControl(securityToken):
		return invalid("security token", "contains control characters")
	case hasControl(projectID):
		return invalid("project id", "contains control characters")
	}
	return nil
}

// signRequest signs req as of now. A request the signer cannot sign (one
// with a body, or a query that does not parse) is the caller's input at
// fault, so its error is an InputError about the request, as GetJob's
// other refusals are.
func signRequest(s *sign.Signer, req *http.Request) error {
	err := s.Sign(req, time.Now())
	if re, ok := errors.AsType[*sign.RequestError](err); ok {
		return invalid("request", "%s", re.Reason)
	}
	return err
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

// secrets returns what must never reach a caller from req's exchange: the
// client's credentials (built once), and the signature req carries. A
// secret counts as shown when any 12-byte piece of it shows, raw or
// escaped or base64-encoded (see internal/redact). Call done once the
// exchange is over and nothing holds the Sets any more.
func (c *Client) secrets(req *http.Request) (sets redact.Sets, done func()) {
	c.mu.Lock()
	sets = c.known
	c.mu.Unlock()
	if auth := req.Header.Get("Authorization"); auth != "" {
		if _, sig, ok := strings.Cut(auth, "Signature="); ok {
			// A signature is fresh for each request: its Set is built for
			// this one and its memory reused by the next.
			own := redact.New(sig)
			return append(sets[:len(sets):len(sets)], own), own.Release
		}
	}
	return sets, func() {}
}

// cutSecretStart drops the end of a body cut by the size limit when that
// end is the start of a secret: the rest of the secret was cut off, so
// scrub cannot recognise what is left. Only the very end can hold a cut
// secret, so one pass is enough, and its cost does not grow with the body.
func cutSecretStart(body []byte, secrets []string) []byte {
	for _, s := range secrets {
		for n := min(len(s)-1, len(body)); n > 0; n-- {
			if string(body[len(body)-n:]) == s[:n] {
				body = body[:len(body)-n]
				break
			}
		}
	}
	return body
}

// redactError removes secrets from an error's text, in case a hostile or
// buggy server echoes one: in a body, a header, or a malformed answer that
// the transport quotes. Each field is scrubbed whole, so a secret split
// across two fields loses every 12-byte piece in each.
func redactError(err error, secrets redact.Sets) error {
	switch e := err.(type) {
	case *APIError:
		e.Code = secrets.Scrub(e.Code)
		e.Message = secrets.Scrub(e.Message)
		e.RequestID = secrets.Scrub(e.RequestID)
	case *TransportError:
		if text := e.Err.Error(); secrets.Contains(text) {
			// The cause's own text holds the secret: keep only a scrubbed copy.
			e.Err = errors.New(secrets.Scrub(text))
		}
	}
	return err
}
