package taurusjob

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/taurusdb-tools/taurusjob/internal/nojob"
)

// classify decides which errors end a wait: retrying a permanent error
// hides it until the timeout; giving up on a transient one fails a wait
// that would have succeeded.
func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		job  *Job
		err  error
		want verdict
	}{
		{"a job", &Job{ID: "j", Status: StatusRunning}, nil, visible},
		{"nil job, nil error", nil, nil, notVisibleYet},
		{"404", nil, &APIError{StatusCode: 404}, notVisibleYet},
		{"404 of the job API", nil, &APIError{StatusCode: 404, Code: "DBS.200823"}, notVisibleYet},
		{"404 APIGW.0101: the API itself does not exist (a wrong endpoint)", nil, &APIError{StatusCode: 404, Code: "APIGW.0101"}, permanent},
		{"404 APIG.0101, the dedicated gateway's spelling", nil, &APIError{StatusCode: 404, Code: "APIG.0101"}, permanent},
		{"wrapped 404 APIGW.0101", nil, fmt.Errorf("adapter: %w", &APIError{StatusCode: 404, Code: "APIGW.0101"}), permanent},
		{"https endpoint, plain http server", nil, &TransportError{Err: http.ErrSchemeMismatch}, permanent},
		{"empty answer", nil, &nojob.Error{JobID: "j"}, notVisibleYet},
		{"a *NotVisibleError from a getter of v0.1", nil, &NotVisibleError{JobID: "j"}, notVisibleYet},
		{"429 throttled", nil, &APIError{StatusCode: 429, Code: "APIGW.0308"}, transient},
		{"408", nil, &APIError{StatusCode: 408}, transient},
		{"500", nil, &APIError{StatusCode: 500}, transient},
		{"502 gateway page", nil, &APIError{StatusCode: 502}, transient},
		{"refused redirect", nil, &APIError{StatusCode: 302}, transient},
		{"malformed 200", nil, &APIError{StatusCode: 200}, transient},
		{"400", nil, &APIError{StatusCode: 400, Code: "DBS.200001"}, permanent},
		{"401", nil, &APIError{StatusCode: 401}, permanent},
		{"403", nil, &APIError{StatusCode: 403}, permanent},
		{"wrapped 403", nil, fmt.Errorf("adapter: %w", &APIError{StatusCode: 403}), permanent},
		{"invalid input", nil, invalid("job id", "bad"), permanent},
		{"connection reset", nil, &TransportError{Err: &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}}, transient},
		{"body cut short", nil, &TransportError{Err: io.ErrUnexpectedEOF}, transient},
		{"request timeout", nil, &TransportError{Err: context.DeadlineExceeded}, transient},
		{"temporary DNS failure", nil, &TransportError{Err: &net.DNSError{Err: "timeout", IsTimeout: true}}, transient},
		{"unknown host", nil, &TransportError{Err: &net.DNSError{Err: "no such host", IsNotFound: true}}, permanent},
		{"bad certificate", nil, &TransportError{Err: x509.UnknownAuthorityError{}}, permanent},
		{"an error of unknown kind", nil, errors.New("boom"), permanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.job, tt.err, false); got != tt.want {
				t.Errorf("classify = %v, want %v", got, tt.want)
			}
			// Once the job was seen, "not there" is a passing fault.
			want := tt.want
			if want == notVisibleYet {
				want = transient
			}
			if got := classify(tt.job, tt.err, true); got != want {
				t.Errorf("classify after the job was seen = %v, want %v", got, want)
			}
		})
	}
}
