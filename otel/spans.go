package taurusjobotel

import (
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/clip"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Names of the span and its events.
const (
	SpanName       = "taurusjob.wait"      // one wait, from its start to its end
	EventPoll      = "taurusjob.poll"      // a poll that changed something: the job appeared, its status or percent moved, an error came
	EventThrottled = "taurusjob.throttled" // a 429 answer, or a due poll held by the Waiter's shared quota
	// OutcomeAbandoned is the outcome of a span ended because its wait
	// went silent ([WithIdleLimit]) or made room ([WithMaxWaits]).
	OutcomeAbandoned = "abandoned"
)

// addUpdate adds what u says to its wait's span: an event when it changed
// something or was throttled, the job's name once known (name), and at
// Done the ending.
func addUpdate(span trace.Span, u taurusjob.Update, now time.Time, name bool) {
	if !span.IsRecording() {
		if u.Done {
			span.End()
		}
		return
	}
	if name {
		span.SetAttributes(KeyJobName.String(clip.Text(u.Job.Name, maxNameLen)))
	}
	switch {
	case u.Held != 0:
		if h := holdName(u.Held); h != "" {
			span.AddEvent(EventThrottled, trace.WithTimestamp(now), trace.WithAttributes(
				KeyThrottle.String(h), KeyPoll.Int(u.Poll), KeyNext.Float64(u.Next.Seconds())))
		}
	case u.Polled && !u.Done && throttled(u.Err):
		span.AddEvent(EventThrottled, trace.WithTimestamp(now), trace.WithAttributes(
			KeyThrottle.String("429"), KeyPoll.Int(u.Poll), KeyNext.Float64(u.Next.Seconds())))
	case u.Polled && u.Changed():
		span.AddEvent(EventPoll, trace.WithTimestamp(now), trace.WithAttributes(pollAttrs(u)...))
	}
	if u.Done {
		endWait(span, u, now)
	}
}

// pollAttrs are the attributes of a poll event.
func pollAttrs(u taurusjob.Update) []attribute.KeyValue {
	attrs := []attribute.KeyValue{
		KeyPoll.Int(u.Poll),
		KeyPollResult.String(pollResult(u).String()),
		KeyJobStatus.String(clip.Text(string(u.Status), maxNameLen)),
		KeyProgress.Int(u.Progress),
	}
	if u.Instance != nil {
		attrs = append(attrs, KeyInstanceStatus.String(clip.Text(u.Instance.Status, maxNameLen)))
	}
	if !u.Done {
		attrs = append(attrs, KeyNext.Float64(u.Next.Seconds()))
		if u.Err != nil {
			attrs = append(attrs, KeyError.String(clip.Text(u.Err.Error(), maxTextLen)))
		}
	}
	return attrs
}

// endWait ends the span of a wait that is over, with its outcome: status
// Error for every ending but a completed (or pending, with
// WithReturnOnPending) job.
func endWait(span trace.Span, u taurusjob.Update, now time.Time) {
	outcome := outcomeOf(u)
	attrs := []attribute.KeyValue{KeyOutcome.String(outcome), KeyPolls.Int(u.Poll)}
	if u.InstanceID != "" {
		attrs = append(attrs, KeyInstanceID.String(clip.Text(u.InstanceID, maxNameLen)))
	}
	if u.Instance != nil {
		attrs = append(attrs, KeyInstanceStatus.String(clip.Text(u.Instance.Status, maxNameLen)))
	}
	if j := u.Job; j != nil {
		attrs = append(attrs, KeyJobStatus.String(clip.Text(string(j.Status), maxNameLen)))
		if j.FailReason != "" {
			attrs = append(attrs, KeyFailReason.String(clip.Text(j.FailReason, maxTextLen)))
		}
	}
	if lag, ok := detectionLag(u, now); ok {
		attrs = append(attrs, KeyDetectionLag.Float64(lag.Seconds()))
	}
	span.SetAttributes(attrs...)
	if outcome != "completed" && outcome != "pending" && outcome != "ready" {
		desc := outcome
		if u.Err != nil {
			desc = clip.Text(u.Err.Error(), maxTextLen)
		}
		span.SetStatus(codes.Error, desc)
	}
	span.End(trace.WithTimestamp(now))
}

// outcomeOf is the wait's outcome: taurusjob.Outcome, and "ready" for a
// wait on an instance alone that ended well.
func outcomeOf(u taurusjob.Update) string {
	if u.JobID == "" && u.Err == nil {
		return "ready"
	}
	return taurusjob.Outcome(u.Job, u.Err)
}

// waitKey tells the waits of one table apart: by job, or by instance for
// a wait on an instance alone.
func waitKey(u taurusjob.Update) string {
	if u.JobID == "" {
		return "instance " + u.InstanceID
	}
	return u.JobID
}

// abandoned is a wait forgotten without its end: what its span still needs.
type abandoned struct {
	span  trace.Span
	polls int
	last  time.Time
}

// abandon copies what the span of a forgotten wait needs. table.mu is held.
func (w *wait) abandon() abandoned { return abandoned{span: w.span, polls: w.polls, last: w.last} }

// end ends the span of a wait that went silent, at its last update.
func (a abandoned) end() {
	a.span.SetAttributes(KeyOutcome.String(OutcomeAbandoned), KeyPolls.Int(a.polls))
	a.span.SetStatus(codes.Error, "taurusjob: no update came for this wait; its span was ended")
	a.span.End(trace.WithTimestamp(a.last))
}
