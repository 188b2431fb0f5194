package huaweisdk

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	"github.com/taurusdb-tools/taurusjob"
)

// What the sibling getters share maps every SDK outcome as the TaurusDB
// getter does: an error answer is an *APIError (a 404 stays a 404, which a
// waiter takes as "not visible yet"), a panic in the SDK is an error that
// names the call instead of a crash, and any other SDK error is wrapped
// with the call's name and is neither an API nor a transport error, so a
// waiter does not retry it.
func TestCallSDKMapsEveryOutcome(t *testing.T) {
	ctx := context.Background()
	_, err := callSDK(ctx, testJob, "ListJobInfo", time.Second, &scrubber{}, func() (*int, error) {
		return nil, &sdkerr.ServiceResponseError{StatusCode: 404, ErrorCode: "DBS.200823", ErrorMessage: "not found", RequestId: "r1"}
	})
	var ae *taurusjob.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 404 || ae.Code != "DBS.200823" || ae.RequestID != "r1" {
		t.Errorf("error answer: %v; want a 404 *APIError with its code and request id", err)
	}
	_, err = callSDK(ctx, testJob, "ShowJobDetail", time.Second, &scrubber{}, func() (*int, error) { panic("nil map") })
	if err == nil || !strings.Contains(err.Error(), "ShowJobDetail") || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("panic: %v; want an error naming the call and the panic", err)
	}
	_, err = callSDK(ctx, testJob, "ShowJobDetail", time.Second, &scrubber{}, func() (*int, error) { return nil, errors.New("credentials: no AK") })
	if err == nil || !strings.HasPrefix(err.Error(), "huaweisdk: ShowJobDetail: ") ||
		errors.As(err, new(*taurusjob.APIError)) || errors.As(err, new(*taurusjob.TransportError)) {
		t.Errorf("other SDK error: %v; want it wrapped with the call's name, not retryable", err)
	}
	called := false
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = callSDK(canceled, testJob, "ListJobInfo", time.Second, &scrubber{}, func() (*int, error) { called = true; return nil, nil })
	if !errors.Is(err, context.Canceled) || called {
		t.Errorf("ended ctx: %v, called %v; want context.Canceled and no call", err, called)
	}
}

// An SDK answer is read as the core Client reads a body: no job or an
// empty job is "not visible yet", a job of another id is refused, and an
// answer the SDK passed on without a 2xx status is an *APIError.
func TestSiblingJobMapping(t *testing.T) {
	var none *sdkJob
	if _, err := none.toJob(testJob, 200, &scrubber{}); !errors.Is(err, taurusjob.ErrNoJob) {
		t.Errorf("no job: %v; want an error matching ErrNoJob", err)
	}
	if _, err := (&sdkJob{}).toJob(testJob, 200, &scrubber{}); !errors.Is(err, taurusjob.ErrNoJob) {
		t.Errorf("empty job: %v; want an error matching ErrNoJob", err)
	}
	var ae *taurusjob.APIError
	if _, err := (&sdkJob{id: "other", status: "Running"}).toJob(testJob, 200, &scrubber{}); !errors.As(err, &ae) || !strings.Contains(ae.Message, "other") {
		t.Errorf("another job: %v; want an *APIError naming it", err)
	}
	if _, err := (&sdkJob{id: testJob, status: "Running"}).toJob(testJob, 302, &scrubber{}); !errors.As(err, &ae) || ae.StatusCode != 302 {
		t.Errorf("a 302: %v; want an *APIError with the status", err)
	}
	// A signature the scrubber never saw is found by its shape in the
	// entities too, and they stay JSON: "<" re-encodes as \u003c, whose
	// hex digits do not make a signature of the 61 after them.
	sig := strings.Repeat("0123456789abcdef", 4)
	lt := "<" + sig[:61]
	ent := map[string]any{"public_ip": "Signature=" + sig, "resource_ids": []string{"x" + sig + "y", lt}}
	job, err := (&sdkJob{id: testJob, status: "Running", entities: ent}).toJob(testJob, 200, &scrubber{})
	if err != nil || !json.Valid(job.Entities) || !json.Valid(job.Raw) || strings.Count(string(job.Entities), "[REDACTED]") != 2 ||
		!strings.Contains(string(job.Entities), `"x[REDACTED]y","\u003c`+sig[:61]+`"`) {
		t.Errorf("entities with signatures: %s, %v; want the two scrubbed, the rest kept, valid JSON", job.Entities, err)
	}
	p := "45%"
	job, err = progressJob(testJob, "CreateMongoDB", "Running", "2024-07-09T08:12:40+0800", "", p, "", nil).toJob(testJob, 200, &scrubber{})
	if err != nil || job.Progress != 45 || job.FailReason != "" || !job.Ended.IsZero() || job.Entities != nil ||
		!strings.Contains(string(job.Raw), `"progress":"45%"`) || strings.Contains(string(job.Raw), "process") {
		t.Errorf("progress job: %+v, %v; want 45 %%, no reason, no end, no entities, Raw under \"progress\"", job, err)
	}
}
