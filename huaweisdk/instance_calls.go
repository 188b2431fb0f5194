package huaweisdk

import (
	"context"
	"errors"
	"strconv"

	ddsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/dds/v3/model"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3/model"
	ogmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdbforopengauss/v3/model"
	rdsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/rds/v3/model"
	"github.com/taurusdb-tools/taurusjob"
)

// GetInstance reads one instance with ShowGaussMySqlInstanceInfo (GET
// /v3/{project_id}/instances/{id}). It returns what
// [taurusjob.Client.GetInstance] returns, in the same cases (an error
// matching [taurusjob.ErrInstanceNotFound] for a 404 or an answer without
// the instance), but that Raw is the SDK model's JSON re-encoding: fields
// the model does not know are lost.
func (g *Getter) GetInstance(ctx context.Context, instanceID string) (*taurusjob.InstanceInfo, error) {
	if err := checkInstanceID(instanceID); err != nil {
		return nil, err
	}
	req := &model.ShowGaussMySqlInstanceInfoRequest{InstanceId: instanceID}
	if g.language != "" {
		lang := g.language
		req.XLanguage = &lang
	}
	resp, err := callSDK(ctx, instanceID, "ShowGaussMySqlInstanceInfo", g.timeout, g.scrub, func() (*model.ShowGaussMySqlInstanceInfoResponse, error) {
		return g.client.ShowGaussMySqlInstanceInfo(req)
	})
	if err != nil {
		return nil, instanceCallError(instanceID, err, false)
	}
	if resp == nil {
		return fromDetail(instanceID, nil, 0, g.scrub)
	}
	if resp.Instance == nil {
		return fromDetail(instanceID, nil, resp.HttpStatusCode, g.scrub)
	}
	d := resp.Instance
	inst := &sdkInstance{id: d.Id, name: d.Name, status: deref(d.Status), model: d}
	if d.Nodes != nil {
		for _, n := range *d.Nodes {
			inst.nodes = append(inst.nodes, taurusjob.InstanceNode{ID: n.Id, Name: n.Name, Role: deref(n.Type), Status: deref(n.Status)})
		}
	}
	return fromDetail(instanceID, inst, resp.HttpStatusCode, g.scrub)
}

// GetInstance reads one instance with ListInstances (GET
// /v3/{project_id}/instances?id=…), and, when the list lacks it, once more
// with group_type=flexus, where FlexusRDS instances are listed. It returns
// what [taurusjob.Client.GetInstance] returns, in the same cases, but that
// Raw is the SDK model's JSON re-encoding.
func (g *RDSGetter) GetInstance(ctx context.Context, instanceID string) (*taurusjob.InstanceInfo, error) {
	if err := checkInstanceID(instanceID); err != nil {
		return nil, err
	}
	info, err := g.listInstance(ctx, instanceID, nil)
	if !errors.Is(err, taurusjob.ErrInstanceNotFound) {
		return info, err
	}
	flexus := "flexus"
	info, err = g.listInstance(ctx, instanceID, &flexus)
	if nf, ok := errors.AsType[*instanceNotFoundError](err); ok {
		nf.why = "neither the RDS list nor the FlexusRDS list holds it"
	}
	return info, err
}

func (g *RDSGetter) listInstance(ctx context.Context, instanceID string, groupType *string) (*taurusjob.InstanceInfo, error) {
	req := &rdsmodel.ListInstancesRequest{Id: &instanceID, GroupType: groupType}
	if g.language != "" {
		var lang rdsmodel.ListInstancesRequestXLanguage
		if lang.UnmarshalJSON([]byte(strconv.Quote(g.language))) == nil {
			req.XLanguage = &lang
		}
	}
	resp, err := callSDK(ctx, instanceID, "ListInstances", g.timeout, g.scrub, func() (*rdsmodel.ListInstancesResponse, error) {
		return g.client.ListInstances(req)
	})
	if err != nil {
		return nil, instanceCallError(instanceID, err, false)
	}
	var list []rdsmodel.InstanceResponse
	status := 0
	if resp != nil {
		status = resp.HttpStatusCode
		if resp.Instances != nil {
			list = *resp.Instances
		}
	}
	var found *sdkInstance
	for i := range list {
		if d := &list[i]; d.Id == instanceID {
			found = &sdkInstance{id: d.Id, name: d.Name, status: d.Status, model: d}
			for _, n := range d.Nodes {
				found.nodes = append(found.nodes, taurusjob.InstanceNode{ID: n.Id, Name: n.Name, Role: n.Role, Status: n.Status})
			}
			break
		}
	}
	return fromList(instanceID, len(list), found, status, g.scrub)
}

// GetInstance reads one instance with ListInstances (GET
// /v3/{project_id}/instances?id=…). It returns what
// [taurusjob.Client.GetInstance] returns, in the same cases, but that Raw
// is the SDK model's JSON re-encoding. The v3 model leaves the nodes
// untyped: objects are read for id, name, role and status, anything else
// is skipped.
func (g *OpenGaussGetter) GetInstance(ctx context.Context, instanceID string) (*taurusjob.InstanceInfo, error) {
	if err := checkInstanceID(instanceID); err != nil {
		return nil, err
	}
	resp, err := callSDK(ctx, instanceID, "ListInstances", g.timeout, g.scrub, func() (*ogmodel.ListInstancesResponse, error) {
		return g.client.ListInstances(&ogmodel.ListInstancesRequest{Id: &instanceID})
	})
	if err != nil {
		return nil, instanceCallError(instanceID, err, false)
	}
	var list []ogmodel.ListInstanceResponse
	status := 0
	if resp != nil {
		status = resp.HttpStatusCode
		if resp.Instances != nil {
			list = *resp.Instances
		}
	}
	var found *sdkInstance
	for i := range list {
		if d := &list[i]; d.Id == instanceID {
			found = &sdkInstance{id: d.Id, name: d.Name, status: d.Status, model: d}
			for _, n := range d.Nodes {
				if m, ok := n.(map[string]any); ok {
					found.nodes = append(found.nodes, taurusjob.InstanceNode{ID: scalarText(m["id"]), Name: scalarText(m["name"]),
						Role: scalarText(m["role"]), Status: scalarText(m["status"])})
				}
			}
			break
		}
	}
	return fromList(instanceID, len(list), found, status, g.scrub)
}

// GetInstance reads one instance with ListInstances (GET
// /v3/{project_id}/instances?id=…), its actions and the nodes of all its
// groups. It returns what [taurusjob.Client.GetInstance] returns, in the
// same cases (DDS's 400 DBS.280110 included), but that Raw is the SDK
// model's JSON re-encoding.
func (g *DDSGetter) GetInstance(ctx context.Context, instanceID string) (*taurusjob.InstanceInfo, error) {
	if err := checkInstanceID(instanceID); err != nil {
		return nil, err
	}
	resp, err := callSDK(ctx, instanceID, "ListInstances", g.timeout, g.scrub, func() (*ddsmodel.ListInstancesResponse, error) {
		return g.client.ListInstances(&ddsmodel.ListInstancesRequest{Id: &instanceID})
	})
	if err != nil {
		return nil, instanceCallError(instanceID, err, true)
	}
	var list []ddsmodel.QueryInstanceResponse
	status := 0
	if resp != nil {
		status = resp.HttpStatusCode
		if resp.Instances != nil {
			list = *resp.Instances
		}
	}
	var found *sdkInstance
	for i := range list {
		if d := &list[i]; d.Id == instanceID {
			found = &sdkInstance{id: d.Id, name: d.Name, status: d.Status, actions: d.Actions, model: d}
			for _, grp := range d.Groups {
				for _, n := range grp.Nodes {
					found.nodes = append(found.nodes, taurusjob.InstanceNode{ID: n.Id, Name: n.Name, Role: n.Role, Status: n.Status})
				}
			}
			break
		}
	}
	return fromList(instanceID, len(list), found, status, g.scrub)
}
