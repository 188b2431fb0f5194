package taurusjob

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
)

// Verdict is what one poll's answer means for a wait.
type Verdict int

// The verdicts, decided in one place by [Classify].
const (
	// VerdictVisible: the job was returned.
	VerdictVisible Verdict = iota
	// VerdictNotVisible: 404 or an answer without a job. Inside the
	// visibility grace window, and before the job was ever seen, this means
	// "not visible yet"; once the job was seen it is treated as transient.
	VerdictNotVisible
	// VerdictTransient: worth retrying: 5xx, 429, 408, a redirect that was
	// not followed, a malformed 2xx body, a network error or request timeout.
	VerdictTransient
	// VerdictPermanent: retrying cannot fix it: 400, 401 (after the token
	// source was asked once more), 403 and other 4xx, invalid input, a
	// certificate error, an unknown host, or any error of unknown kind.
	VerdictPermanent
)

func (v Verdict) String() string {
	switch v {
	case VerdictVisible:
		return "visible"
	case VerdictNotVisible:
		return "not visible"
	case VerdictTransient:
		return "transient"
	case VerdictPermanent:
		return "permanent"
	}
	return "unknown verdict"
}

// Classify tells what a GetJob result means for a wait. A [JobGetter]
// written by hand can check with it how its errors will be treated: return
// [*APIError], [*NotVisibleError] or [*TransportError] to choose.
func Classify(job *Job, err error) Verdict {
	if err == nil {
		if job == nil {
			return VerdictNotVisible
		}
		return VerdictVisible
	}
	var (
		ae *APIError
		nv *NotVisibleError
		te *TransportError
	)
	switch {
	case errors.Is(err, ErrInvalidInput):
		return VerdictPermanent
	case errors.As(err, &nv):
		return VerdictNotVisible
	case errors.As(err, &ae):
		return classifyStatus(ae.StatusCode)
	case errors.As(err, &te):
		if configError(te.Err) {
			return VerdictPermanent
		}
		return VerdictTransient
	}
	return VerdictPermanent
}

func classifyStatus(code int) Verdict {
	switch {
	case code == http.StatusNotFound:
		return VerdictNotVisible
	case code == http.StatusTooManyRequests || code == http.StatusRequestTimeout:
		return VerdictTransient
	case code >= 500, code < 400:
		return VerdictTransient // 5xx, a refused redirect, a malformed 2xx
	}
	return VerdictPermanent
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
	return errors.As(err, &unknownCA) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &record)
}
