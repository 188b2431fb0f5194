package taurusjobtest

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// tokenStore holds the valid tokens and when each was issued.
type tokenStore struct {
	mu     sync.RWMutex
	issued map[string]time.Time
	n      int
}

func (t *tokenStore) init(first string) {
	t.issued = map[string]time.Time{first: time.Now()}
}

// IssueToken makes a new valid token, issued now ([time.Now]), and
// returns it. With [WithTokenLifetime] it expires that long after; give a
// client a TokenSource that calls IssueToken to test a token refresh.
func (s *Server) IssueToken() string {
	t := &s.tokens
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n++
	tok := fmt.Sprintf("fake-token-%d-%d", s.serial, t.n)
	t.issued[tok] = time.Now()
	return tok
}

// tokenCheck is the default credential check (see [WithAuthCheck]): the
// X-Auth-Token header must hold a token of this server ([Server.Token] or
// one from [Server.IssueToken]) that has not expired. It returns an
// *apiError: 401 APIGW.0301 for a missing or unknown token, 401 APIGW.0307
// for an expired one. Its messages never contain the token.
func (s *Server) tokenCheck(r *http.Request) error {
	tok := r.Header.Get("X-Auth-Token")
	if tok == "" {
		return &apiError{Status: http.StatusUnauthorized, Code: codeBadAuth,
			Message: "Incorrect IAM authentication information: the X-Auth-Token header is missing."}
	}
	s.tokens.mu.RLock()
	issued, ok := s.tokens.issued[tok]
	s.tokens.mu.RUnlock()
	if !ok {
		return &apiError{Status: http.StatusUnauthorized, Code: codeBadAuth,
			Message: "Incorrect IAM authentication information: the token is invalid."}
	}
	if life := s.cfg.tokenLifetime; life > 0 && time.Since(issued) >= life {
		return &apiError{Status: http.StatusUnauthorized, Code: codeTokenExpired,
			Message: "The token must be updated: it has expired."}
	}
	return nil
}
