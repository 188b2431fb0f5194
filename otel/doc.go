// Package taurusjobotel traces and measures taurusjob's waits with
// OpenTelemetry: each wait is a span, and polls, waits, their duration,
// the lag to notice a job's end and the polls the shared quota held are
// metrics.
//
//	w, err := taurusjob.NewWaiter(client, taurusjobotel.New(
//		taurusjobotel.WithTracerProvider(tp), // default: otel.GetTracerProvider()
//		taurusjobotel.WithMeterProvider(mp),  // default: otel.GetMeterProvider()
//	))
//	job, err := w.Wait(ctx, jobID) // the wait span is a child of ctx's span
//
// It is a module of its own, plugged into the core through
// [taurusjob.WithUpdateHook], so that a program that does not trace never
// downloads OpenTelemetry. With no provider set (the global ones left
// unset, or no-op ones) the hook records nothing, keeps nothing per wait
// and allocates nothing.
//
// # The span
//
// [SpanName] covers one wait in this process, from its start (now −
// [taurusjob.Update.Elapsed] at the first update seen) to its end. Its
// parent is the span in the ctx of the first call that reported an update:
// Wait's, WaitAll's, or the first [taurusjob.Poller.Poll]'s. Its attributes are
// the job's id and name, the service, and at the end the outcome
// ([taurusjob.Outcome]), the polls made, the last status, the fail reason
// and the detection lag; its status is Error for every ending but a
// completed (or pending) job. An event [EventPoll] marks each poll that
// changed something, and [EventThrottled] each 429 answer and each poll
// held by the Waiter's shared quota.
//
// Only the job's id, name, status and fail reason, the outcome and the
// library's own error text (which never holds a credential) go into
// spans, each clipped to one line of a bounded length.
//
// A Poller driven across processes through [taurusjob.Poller.ResumeToken]
// gets one span in each process that polls it: each starts at the wait's
// start, and only the last one has the outcome; they are not linked. A
// wait that goes silent without ending (a Poller dropped, a panicking
// hook) has its span ended as abandoned after [WithIdleLimit], and at
// most [WithMaxWaits] spans are open at once.
package taurusjobotel
