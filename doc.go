// Package taurusjob waits for Huawei Cloud TaurusDB (GaussDB for MySQL)
// jobs. Create, resize and most other TaurusDB calls answer with a job id and
// do the work in the background; taurusjob polls the task-center API
// (GET /v3/{project_id}/jobs?id=…) until the job is Completed, Failed or
// Canceled, so that provisioning code gets one call and one answer.
//
//	client, err := taurusjob.NewClient(taurusjob.ClientConfig{
//		Endpoint:  "https://gaussdb.cn-north-4.myhuaweicloud.com",
//		ProjectID: projectID,
//		Token:     token,
//	})
//	if err != nil { return err }
//	w, err := taurusjob.NewWaiter(client, taurusjob.WithTimeout(30*time.Minute))
//	if err != nil { return err }
//	job, err := w.Wait(ctx, jobID) // *JobFailedError, *TimeoutError, ... on failure
//
// Every way a wait ends keeps what was known: match the error with
// [ErrJobFailed], [ErrTimeout], [ErrNotVisible] or [ErrInvalidInput] (or
// errors.As an [*APIError]), take the last job seen with [LastJob], and
// name the ending with [Outcome].
//
// A controller or a workflow activity that cannot block drives the same
// wait one step at a time with a [Poller] ([Waiter.NewPoller],
// [Poller.Poll], [Poller.ResumeToken], [Waiter.ResumePoller]); many jobs
// are waited for together with [Waiter.WaitAll], on one scheduler.
//
// Any JobGetter can be waited on: the HTTP [Client], the official SDK's
// client through the huaweisdk module, or a fake from package taurusjobtest.
//
// The waits of one [Waiter] share the API quota: a 429 holds them all
// (5 s, or the answer's Retry-After), and [WithLimiter] caps their
// request rate. A wait can outlive its process: [OnState] and
// [Poller.ResumeToken] hand out its state, [Waiter.Resume] and
// [Waiter.ResumePoller] continue it.
package taurusjob
