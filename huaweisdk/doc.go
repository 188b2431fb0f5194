// Package huaweisdk lets taurusjob wait on jobs through the official Huawei
// Cloud Go SDK: it adapts the SDK's GaussDB (TaurusDB) v3 client,
// github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3, to
// [taurusjob.JobGetter] by calling its ShowGaussMySqlJobInfo ([NewGetter]),
// and the sibling services' clients by calling the same API through them:
// RDS's ListJobInfo ([NewRDSGetter]), GaussDB (openGauss)'s ShowJobDetail
// ([NewOpenGaussGetter]) and DDS's ShowJobDetail ([NewDDSGetter]).
//
// It is a module of its own so that programs that do not use the SDK
// (about 250 MB of source) never download it.
//
//	auth, err := basic.NewCredentialsBuilder().
//		WithAk(os.Getenv("CLOUD_SDK_AK")).
//		WithSk(os.Getenv("CLOUD_SDK_SK")).
//		WithProjectId(projectID).
//		SafeBuild()
//	if err != nil { return err }
//	hc, err := gaussdb.GaussDBClientBuilder().
//		WithEndpoints([]string{"https://gaussdb.cn-north-4.myhuaweicloud.com"}).
//		WithCredential(auth).
//		WithHttpConfig(config.DefaultHttpConfig().WithTimeout(30 * time.Second)).
//		SafeBuild()
//	if err != nil { return err }
//	getter, err := huaweisdk.NewGetter(gaussdb.NewGaussDBClient(hc))
//	if err != nil { return err }
//	w, err := taurusjob.NewWaiter(getter, taurusjob.WithTimeout(30*time.Minute))
//	if err != nil { return err }
//	job, err := w.Wait(ctx, jobID)
//
// # What the SDK loses
//
// The SDK's TaurusDB model has no room for a job's entities (its
// GetJobEntitiesInfoDetail is an empty struct), so [taurusjob.Job.Entities]
// is always nil from [Getter]. RDS's model keeps them, so [RDSGetter]
// returns them, re-encoded; openGauss and DDS jobs have none.
// [taurusjob.Job.Raw] is a JSON re-encoding of the fields the SDK decoded,
// not the bytes the API sent. The SDK does not expose an error answer's
// Retry-After header either. Code that needs entities or the exact body
// should use [taurusjob.Client], which speaks the same API with the same
// AK/SK signing.
//
// # Context and abandoned calls
//
// The SDK's calls take no context. [Getter.GetJob] therefore runs each call
// in a goroutine and returns as soon as ctx ends or the call timeout
// ([WithCallTimeout], default [DefaultCallTimeout]) passes, while the
// abandoned SDK call runs on until the SDK itself gives up. How long that is
// depends on the SDK client's configuration, which the Getter cannot see:
//
//   - The SDK's HTTP client has the timeout of its HttpConfig
//     (config.DefaultHttpConfig sets config.DefaultTimeout, 120 s). It bounds
//     one HTTP exchange, reading the answer's body included.
//   - A call makes one exchange with static AK/SK and a project id. The SDK
//     tries the next endpoint after a DNS or certificate error, one exchange
//     per endpoint; credentials that refresh through STS (IdP, metadata) may
//     add one exchange to IAM.
//   - With HttpConfig's timeout set to 0 the SDK's HTTP client has no
//     timeout, and an abandoned call lasts as long as the server keeps the
//     connection open. Always set one.
//
// So with one endpoint, static credentials and the default HttpConfig, an
// abandoned call lingers at most about 120 s. A waiter polling a stalled API
// every few seconds can leave several such calls running at once; setting
// the SDK's timeout near the call timeout keeps that number small. Each
// goroutine ends when its SDK call returns: its result goes into a buffered
// channel, so it never blocks on a GetJob that has gone.
package huaweisdk
