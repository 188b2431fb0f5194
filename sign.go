package taurusjob

import (
	"net/http"
	"time"
)

// signer signs requests with SDK-HMAC-SHA256. (Placeholder: filled by the
// AK/SK work.)
type signer struct{}

func newSigner(ak, sk, securityToken, projectID string) (*signer, error) {
	return nil, invalid("credentials", "AK/SK signing is not supported yet")
}

func (s *signer) sign(req *http.Request, now time.Time) error { return nil }
