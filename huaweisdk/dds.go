package huaweisdk

import (
	"context"
	"time"

	dds "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dds/v3"
	ddsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dds/v3/model"
	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/nojob"
)

// DDSGetter fetches DDS (document database) jobs through the official
// SDK's DDS v3 client, with ShowJobDetail (GET /v3/{project_id}/jobs?id=…).
// It implements [taurusjob.JobGetter] and is safe for concurrent use as
// far as the SDK's client is.
//
// DDS jobs have no entities and report their percent as "progress".
type DDSGetter struct {
	client  *dds.DdsClient
	timeout time.Duration
	scrub   *scrubber
}

var _ taurusjob.JobGetter = (*DDSGetter)(nil)

// NewDDSGetter adapts client, an SDK client built with
// dds.DdsClientBuilder, to [taurusjob.JobGetter]. It takes
// [WithCallTimeout]; [WithLanguage] is refused, since the SDK's
// ShowJobDetail request has no X-Language. It returns an error matching
// [taurusjob.ErrInvalidInput] when client is nil or has no HcClient, or
// when an option is invalid.
func NewDDSGetter(client *dds.DdsClient, opts ...Option) (*DDSGetter, error) {
	if client == nil || client.HcClient == nil {
		return nil, &taurusjob.InputError{Field: "SDK client", Reason: "is nil; build one with dds.DdsClientBuilder"}
	}
	s, err := callSettings(opts)
	if err != nil {
		return nil, err
	}
	if s.language != "" {
		return nil, &taurusjob.InputError{Field: "language", Reason: "the DDS SDK's ShowJobDetail cannot send X-Language"}
	}
	hc, scrub := recordingClient(client.HcClient) // the caller's client is left as it is
	return &DDSGetter{client: dds.NewDdsClient(hc), timeout: s.timeout, scrub: scrub}, nil
}

// GetJob fetches one job with ShowJobDetail. It returns what
// [Getter.GetJob] returns, in the same cases.
func (g *DDSGetter) GetJob(ctx context.Context, jobID string) (*taurusjob.Job, error) {
	resp, err := callSDK(ctx, jobID, "ShowJobDetail", g.timeout, g.scrub, func() (*ddsmodel.ShowJobDetailResponse, error) {
		return g.client.ShowJobDetail(&ddsmodel.ShowJobDetailRequest{Id: jobID})
	})
	if err != nil {
		return nil, err
	}
	if resp == nil {
		return nil, &nojob.Error{JobID: jobID}
	}
	var j *sdkJob
	if d := resp.Job; d != nil {
		var inst *rawInstance
		if d.Instance != nil {
			inst = &rawInstance{ID: d.Instance.Id, Name: d.Instance.Name}
		}
		j = progressJob(d.Id, d.Name, d.Status, d.Created, d.Ended, d.Progress, d.FailReason, inst)
	}
	return j.toJob(jobID, resp.HttpStatusCode, g.scrub)
}
