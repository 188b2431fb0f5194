package taurusjobotel

import (
	"go.opentelemetry.io/otel/attribute"
)

// The attribute keys of the spans, events and measurements.
const (
	KeyService      = attribute.Key("taurusjob.service")       // WithService; every span and measurement
	KeyJobID        = attribute.Key("taurusjob.job.id")        // span
	KeyJobName      = attribute.Key("taurusjob.job.name")      // span; waits, duration and lag
	KeyJobStatus    = attribute.Key("taurusjob.job.status")    // span (last status seen), poll events
	KeyOutcome      = attribute.Key("taurusjob.outcome")       // span; waits, duration and lag
	KeyPolls        = attribute.Key("taurusjob.polls")         // span: requests sent
	KeyDetectionLag = attribute.Key("taurusjob.detection_lag") // span: seconds from the job's end to its notice
	KeyFailReason   = attribute.Key("taurusjob.fail_reason")   // span of a failed or canceled job
	KeyPoll         = attribute.Key("taurusjob.poll")          // events: the poll's number
	KeyPollResult   = attribute.Key("taurusjob.poll.result")   // polls counter, poll events
	KeyProgress     = attribute.Key("taurusjob.progress")      // poll events: 0..100, -1 when not reported
	KeyNext         = attribute.Key("taurusjob.next")          // poll and throttle events: seconds to the next poll
	KeyError        = attribute.Key("taurusjob.error")         // poll events: the retried error's text
	KeyThrottle     = attribute.Key("taurusjob.throttle")      // throttle events, refused counter: 429, cooldown, rate_limit

	// A wait that reads an instance (taurusjob.WithReady, Waiter.WaitReady).
	KeyInstanceID     = attribute.Key("taurusjob.instance.id")     // span, once the wait reads the instance
	KeyInstanceStatus = attribute.Key("taurusjob.instance.status") // span (last status read), poll events
)

// Bounds of the text taken from a job or an error: a hostile or broken
// server cannot flood a trace backend through them.
const (
	maxNameLen = 128 // a job's name or status
	maxTextLen = 512 // a fail reason or an error's text
)
