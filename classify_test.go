package taurusjob

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
)

// Classify decides which errors end a wait: retrying a permanent error
// hides it until the timeout; giving up on a transient one fails a wait
// that would have succeeded.
func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		job  *Job
		err  error
		want Verdict
	}{
		{"a job", &Job{ID: "j", Status: StatusRunning}, nil, VerdictVisible},
		{"nil job, nil error", nil, nil, VerdictNotVisible},
		{"404", nil, &APIError{StatusCode: 404}, VerdictNotVisible},
		{"empty answer", nil, &NotVisibleError{JobID: "j"}, VerdictNotVisible},
		{"429 throttled", nil, &APIError{StatusCode: 429, Code: "APIGW.0308"}, VerdictTransient},
		{"408", nil, &APIError{StatusCode: 408}, VerdictTransient},
		{"500", nil, &APIError{StatusCode: 500}, VerdictTransient},
		{"502 gateway page", nil, &APIError{StatusCode: 502}, VerdictTransient},
		{"refused redirect", nil, &APIError{StatusCode: 302}, VerdictTransient},
		{"malformed 200", nil, &APIError{StatusCode: 200}, VerdictTransient},
		{"400", nil, &APIError{StatusCode: 400, Code: "DBS.200001"}, VerdictPermanent},
		{"401", nil, &APIError{StatusCode: 401}, VerdictPermanent},
		{"403", nil, &APIError{StatusCode: 403}, VerdictPermanent},
		{"wrapped 403", nil, fmt.Errorf("adapter: %w", &APIError{StatusCode: 403}), VerdictPermanent},
		{"invalid input", nil, invalid("job id", "bad"), VerdictPermanent},
		{"connection reset", nil, &TransportError{Err: &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}}, VerdictTransient},
		{"body cut short", nil, &TransportError{Err: io.ErrUnexpectedEOF}, VerdictTransient},
		{"request timeout", nil, &TransportError{Err: context.DeadlineExceeded}, VerdictTransient},
		{"temporary DNS failure", nil, &TransportError{Err: &net.DNSError{Err: "timeout", IsTimeout: true}}, VerdictTransient},
		{"unknown host", nil, &TransportError{Err: &net.DNSError{Err: "no such host", IsNotFound: true}}, VerdictPermanent},
		{"bad certificate", nil, &TransportError{Err: x509.UnknownAuthorityError{}}, VerdictPermanent},
		{"an error of unknown kind", nil, errors.New("boom"), VerdictPermanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.job, tt.err); got != tt.want {
				t.Errorf("Classify = %v, want %v", got, tt.want)
			}
		})
	}
}
