// Package taurusjobtest is a fake TaurusDB job API for tests, benchmarks
// and demos, shaped like net/http/httptest. It answers
// GET /v3/{project_id}/jobs?id=… as the real API does, from jobs whose
// life is scripted by time, with faults injected by rule, and it records
// every request with credentials redacted.
//
// The everyday path: make a server, script a job, point a Client at the
// server's URL, project id and token, through its HTTP client.
//
//	srv := taurusjobtest.NewInMemory() // or NewServer() for a loopback port
//	defer srv.Close()
//	id := srv.AddJob(taurusjobtest.Job{
//		Invisible:  5 * time.Second,  // 404 DBS.200823 at first
//		Pending:    10 * time.Second, // then Pending
//		Running:    30 * time.Minute, // then Running, "process" climbing
//		Profile:    taurusjobtest.Steps(20),
//		Outcome:    taurusjobtest.Failed,
//		FailReason: "insufficient quota",
//	})
//	srv.AddRule(taurusjobtest.Rule{Fault: taurusjobtest.ServerError(503), Every: 3})
//	client, _ := taurusjob.NewClient(taurusjob.ClientConfig{
//		Endpoint: srv.URL(), ProjectID: srv.ProjectID(), Token: srv.Token(),
//		HTTPClient: srv.Client(),
//	})
//	// ... wait for id, then check srv.RequestCount(id), srv.Requests()
//
// A [Job] scripts one life: invisible, then Pending, Unauthorized and
// Running (its percent from a [Profile] such as [Linear] or [StallThenJump]),
// or any [Phase] list, then its [Outcome]; [Forever] makes a phase endless.
// A [Rule] injects a [Fault] into the requests it matches: [ServerError],
// [GatewayPage], [Throttle], [ThrottleDate], [Redirect], [Latency],
// [ResetMidBody], [Truncated], [WrongJobID], and [Answer] for any other
// answer. [Server.Requests], [Server.RequestCount], [Server.TotalRequests]
// and [Server.JobEnd] are what a test checks afterwards.
//
// It also serves instances, in the shape of its service: TaurusDB's
// GET /v3/{project_id}/instances/{id}, and the list
// GET /v3/{project_id}/instances?id=… of RDS (FlexusRDS with
// group_type=flexus), openGauss and DDS. An [InstanceScript] added with
// [Server.AddInstance] scripts an instance's statuses by time
// ([InstanceStep]s such as BUILD, ACTIVE, BACKING UP; DDS's "normal" with
// actions; FAILED, createfail, FROZEN), and a completed [Job] whose
// Instance.ID names it sets off its post-job life. [Rule].InstanceID
// aims a fault at one instance's reads; [Request].InstanceID records them.
//
// The server also lists its jobs as the service's job list does, built
// from the same lives at the request's time: TaurusDB
// GET /v3/{project_id}/immediate-jobs, RDS /v3/{project_id}/tasklist,
// openGauss /v3/{project_id}/tasks and DDS /v3.1/{project_id}/jobs, each
// with its own paging, filters and 400 for a bad parameter.
//
// Options set what the server expects and how it answers: [WithProjectID],
// [WithToken], [WithTokenLifetime] (with [Server.IssueToken] to test a
// token refresh), [WithAKSK] for signed requests, [WithAuthCheck] to see or
// check credentials, [WithRateLimit] for the gateway's quota, [WithService]
// for the bodies of RDS, GaussDB (openGauss) or DDS, and [WithMaxRecords].
//
// Time is [time.Now] and timers only, so inside a testing/synctest bubble
// the fake clock drives every script, latency, token lifetime and rate
// limit: make the server with [NewInMemory] inside the bubble and reach it
// through [Server.Client] (or [NewTransport], for several servers or a
// transport to wrap). A loopback server's goroutines would keep a bubble
// from settling. A server is also an [http.Handler], to serve on a
// listener of one's own.
package taurusjobtest
