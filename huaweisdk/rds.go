package huaweisdk

import (
	"context"
	"time"

	rds "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/rds/v3"
	rdsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/rds/v3/model"
	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/nojob"
)

// RDSGetter fetches RDS (MySQL, PostgreSQL, SQL Server) jobs through the
// official SDK's RDS v3 client, with ListJobInfo (GET
// /v3/{project_id}/jobs?id=…). It implements [taurusjob.JobGetter] and is
// safe for concurrent use as far as the SDK's client is.
//
// Unlike the TaurusDB model, the SDK's RDS model keeps a job's entities
// (instance, resource_ids, volume, public_ip, switch_strategy):
// [taurusjob.Job.Entities] holds their JSON re-encoding, without any field
// the model does not know.
type RDSGetter struct {
	client   *rds.RdsClient
	timeout  time.Duration
	language string
	scrub    *scrubber
}

var _ taurusjob.JobGetter = (*RDSGetter)(nil)

// NewRDSGetter adapts client, an SDK client built with
// rds.RdsClientBuilder, to [taurusjob.JobGetter]. It takes the options of
// [NewGetter] ([WithCallTimeout], [WithLanguage]) and returns an error
// matching [taurusjob.ErrInvalidInput] when client is nil or has no
// HcClient, or when an option is invalid.
func NewRDSGetter(client *rds.RdsClient, opts ...Option) (*RDSGetter, error) {
	if client == nil || client.HcClient == nil {
		return nil, &taurusjob.InputError{Field: "SDK client", Reason: "is nil; build one with rds.RdsClientBuilder"}
	}
	s, err := callSettings(opts)
	if err != nil {
		return nil, err
	}
	hc, scrub := recordingClient(client.HcClient) // the caller's client is left as it is
	return &RDSGetter{client: rds.NewRdsClient(hc), timeout: s.timeout, language: s.language, scrub: scrub}, nil
}

// GetJob fetches one job with ListJobInfo. It returns what [Getter.GetJob]
// returns, in the same cases, but that Entities is kept.
func (g *RDSGetter) GetJob(ctx context.Context, jobID string) (*taurusjob.Job, error) {
	req := &rdsmodel.ListJobInfoRequest{Id: jobID}
	if g.language != "" {
		lang := g.language
		req.XLanguage = &lang
	}
	resp, err := callSDK(ctx, jobID, "ListJobInfo", g.timeout, g.scrub, func() (*rdsmodel.ListJobInfoResponse, error) {
		return g.client.ListJobInfo(req)
	})
	if err != nil {
		return nil, err
	}
	if resp == nil {
		return nil, &nojob.Error{JobID: jobID}
	}
	return rdsJob(resp.Job).toJob(jobID, resp.HttpStatusCode, g.scrub)
}

// rdsJob reads the SDK's RDS model; nil for no job.
func rdsJob(d *rdsmodel.GetJobInfoResponseBodyJob) *sdkJob {
	if d == nil {
		return nil
	}
	j := &sdkJob{id: d.Id, name: d.Name, status: d.Status.Value(), created: d.Created, ended: d.Ended,
		failReason: d.FailReason, percent: d.Process, percentKey: "process"}
	if d.Instance != nil {
		j.instance = &rawInstance{ID: d.Instance.Id, Name: d.Instance.Name}
	}
	if d.Entities != nil {
		j.entities = d.Entities
	}
	return j
}
