package taurusjob

import (
	"errors"
	"net/http"
	"strings"
	"time"

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
