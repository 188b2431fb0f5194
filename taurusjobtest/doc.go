// Package taurusjobtest is a fake TaurusDB job API for tests, benchmarks
// and demos, shaped like net/http/httptest. It answers
// GET /v3/{project_id}/jobs?id=… as the real API does, from jobs whose
// life is scripted by time, with faults injected by rule, and it records
// every request with credentials redacted. It answers in TaurusDB's
// shape, or in RDS's, GaussDB (openGauss)'s or DDS's with [WithService].
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
// Time is [time.Now] and timers only, so inside a testing/synctest bubble
// the fake clock drives every script, latency, token lifetime and rate
// limit: make the server with [NewInMemory] inside the bubble and reach it
// through [Server.Client] or [NewTransport]. A loopback server's
// goroutines would keep a bubble from settling.
package taurusjobtest
