package taurusjob

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
)

// verdict is what one poll's answer means for a wait.
type verdict int

const (
	// visible: the job was returned.
	visible verdict = iota
	// notVisibleYet: 404 or an answer without a job, before the job was
	// ever seen. The grace window decides whether the wait goes on.
	notVisibleYet
	// transient: worth retrying: 5xx, 429, 408, a redirect that was not
	// followed, a malformed 2xx body, a network error or request timeout,
	// and a 404 or empty answer for a job that was seen before.
	transient
	// permanent: retrying cannot fix it: 400, 401 (after the token source
	// was asked once more), 403 and other 4xx, a 404 whose code says the
	// API itself does not exist (a wrong endpoint), invalid input, a
	// certificate error, an https endpoint on a plain http server, an
	// unknown host, or any error of unknown kind.
	permanent
)

func (v verdict) String() string {
	switch v {
	case visible:
		return "visible"
	case notVisibleYet:
		return "not visible yet"
	case transient:
		return "transient"
	case permanent:
		return "permanent"
	}
	return "unknown verdict"
}

// classify tells what a GetJob result means for a wait that has (seen) or
// has not yet seen the job. It is the one place of the rule "a 404 or an
// answer without a job means not visible yet": the API shows a new job only
// after a few seconds. Once the job was seen, the same answer is a passing
// fault, retried like a 5xx.
func classify(job *Job, err error, seen bool) verdict {
	switch {
	case err == nil && job != nil:
		return visible
	case err != nil && errors.Is(err, ErrInvalidInput):
		return permanent
	case noSuchAPI(err):
		return permanent // a 404 of the gateway, not of the job: the endpoint is wrong
	case err == nil || missing(err):
		if seen {
			return transient
		}
		return notVisibleYet
	}
	var (
		ae *APIError
		te *TransportError
	)
	switch {
	case errors.As(err, &ae) && ae != nil:
		return classifyStatus(ae.StatusCode)
	case errors.As(err, &te) && te != nil:
		if configError(te.Err) {
			return permanent
		}
		return transient
	}
	return permanent
}

// missing reports whether err says the job is not there: a 404, an answer
// that held no job ([ErrNoJob]), or (from a getter written before the empty
// answer had its own error) a *NotVisibleError.
func missing(err error) bool {
	var ae *APIError
	return errors.Is(err, ErrNoJob) || errors.Is(err, ErrNotVisible) ||
		(errors.As(err, &ae) && ae != nil && ae.StatusCode == http.StatusNotFound)
}

func classifyStatus(code int) verdict {
	switch {
	case code == http.StatusTooManyRequests || code == http.StatusRequestTimeout:
		return transient
	case code >= 500, code < 400:
		return transient // 5xx, a refused redirect, a malformed 2xx
	}
	return permanent
}

// configError reports transport failures that come from a wrong endpoint
// rather than a passing fault: retrying them would only hide the mistake
// until the timeout.
func configError(err error) bool {
	var (
		dns       *net.DNSError
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		record    tls.RecordHeaderError
	)
	if errors.As(err, &dns) {
		return dns.IsNotFound
	}
	return errors.Is(err, http.ErrSchemeMismatch) || errors.As(err, &unknownCA) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &record)
}
