package taurusjobotel

import (
	"context"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/clip"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Names of the instruments.
const (
	MetricPolls        = "taurusjob.polls"              // counter {poll}: requests sent, by taurusjob.poll.result
	MetricWaits        = "taurusjob.waits"              // counter {wait}: ended waits, by taurusjob.outcome
	MetricWaitDuration = "taurusjob.wait.duration"      // histogram, s: from the start of a wait to its end
	MetricDetectionLag = "taurusjob.wait.detection_lag" // histogram, s: from the job's end (its "ended" time) to the wait's
	MetricQuotaRefused = "taurusjob.quota.refused"      // counter {poll}: due polls the Waiter's shared quota held, by taurusjob.throttle
)

// Bucket bounds in seconds: jobs take minutes to hours, and the lag of a
// good schedule is seconds, of a bad one minutes.
var (
	durationBuckets = []float64{1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 43200, 86400}
	lagBuckets      = []float64{0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600}
)

// metrics holds the instruments of one New, and the attribute sets that
// never change, made once so that recording a poll allocates nothing.
type metrics struct {
	service  attribute.KeyValue
	polls    metric.Int64Counter
	waits    metric.Int64Counter
	duration metric.Float64Histogram
	lag      metric.Float64Histogram
	refused  metric.Int64Counter

	byResult [numResults][]metric.AddOption
	byHold   map[taurusjob.Hold][]metric.AddOption
}

func newMetrics(cfg config) *metrics {
	mp := cfg.meterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	meter := mp.Meter(ScopeName)
	m := &metrics{service: KeyService.String(cfg.service)}
	var err error
	m.polls, err = meter.Int64Counter(MetricPolls, metric.WithUnit("{poll}"),
		metric.WithDescription("Requests sent for jobs' state, by what they answered."))
	handle(err)
	m.waits, err = meter.Int64Counter(MetricWaits, metric.WithUnit("{wait}"),
		metric.WithDescription("Waits that ended, by how."))
	handle(err)
	m.duration, err = meter.Float64Histogram(MetricWaitDuration, metric.WithUnit("s"),
		metric.WithDescription("How long waits lasted, from their start to their end."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	handle(err)
	m.lag, err = meter.Float64Histogram(MetricDetectionLag, metric.WithUnit("s"),
		metric.WithDescription("How long after a job ended its wait noticed it."),
		metric.WithExplicitBucketBoundaries(lagBuckets...))
	handle(err)
	m.refused, err = meter.Int64Counter(MetricQuotaRefused, metric.WithUnit("{poll}"),
		metric.WithDescription("Due polls held by the Waiter's shared 429 cool-down or rate limit."))
	handle(err)

	for r := range numResults {
		m.byResult[r] = []metric.AddOption{metric.WithAttributeSet(
			attribute.NewSet(m.service, KeyPollResult.String(r.String())))}
	}
	m.byHold = map[taurusjob.Hold][]metric.AddOption{}
	for _, h := range []taurusjob.Hold{taurusjob.HoldCooldown, taurusjob.HoldRateLimit} {
		m.byHold[h] = []metric.AddOption{metric.WithAttributeSet(
			attribute.NewSet(m.service, KeyThrottle.String(holdName(h))))}
	}
	return m
}

// handle reports an error of the SDK where the OpenTelemetry API wants
// instrumentation to: the instrument it came with still works.
func handle(err error) {
	if err != nil {
		otel.Handle(err)
	}
}

// record measures one update. Each instrument is asked first whether it
// records anything, so that nothing is classified or built for no one.
func (m *metrics) record(ctx context.Context, u *taurusjob.Update) {
	switch {
	case u.Held != 0:
		if opts, ok := m.byHold[u.Held]; ok && m.refused.Enabled(ctx) {
			m.refused.Add(ctx, 1, opts...)
		}
	case u.Polled:
		if m.polls.Enabled(ctx) {
			m.polls.Add(ctx, 1, m.byResult[pollResult(*u)]...)
		}
	}
	if u.Done {
		m.recordEnd(ctx, u)
	}
}

// recordEnd measures a wait that ended: its outcome, duration and lag.
func (m *metrics) recordEnd(ctx context.Context, u *taurusjob.Update) {
	waits, duration := m.waits.Enabled(ctx), m.duration.Enabled(ctx)
	lag, lagOK := detectionLag(*u, time.Now())
	lagOn := lagOK && m.lag.Enabled(ctx)
	if !waits && !duration && !lagOn {
		return
	}
	attrs := metric.WithAttributeSet(attribute.NewSet(m.service,
		KeyOutcome.String(outcomeOf(*u)), KeyJobName.String(jobName(u.Job))))
	if waits {
		m.waits.Add(ctx, 1, attrs)
	}
	if duration {
		m.duration.Record(ctx, u.Elapsed.Seconds(), attrs)
	}
	if lagOn {
		m.lag.Record(ctx, lag.Seconds(), attrs)
	}
}

// detectionLag is how long after the job ended (its "ended" time, by the
// server's clock) the wait noticed it, at now; ok is false when the job
// has not ended, has no ended time, or the clocks disagree.
func detectionLag(u taurusjob.Update, now time.Time) (lag time.Duration, ok bool) {
	j := u.Job
	if j == nil || j.Ended.IsZero() || !j.Status.Terminal() {
		return 0, false
	}
	lag = now.Sub(j.Ended)
	return lag, lag >= 0
}

// jobName is the job's name, clipped; "" while it was never seen.
func jobName(j *taurusjob.Job) string {
	if j == nil {
		return ""
	}
	return clip.Text(j.Name, maxNameLen)
}
