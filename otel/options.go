package taurusjobotel

import (
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Defaults of [New].
const (
	// DefaultService is the value of the taurusjob.service attribute: the
	// cloud service whose jobs are waited for.
	DefaultService = "taurusdb"
	// DefaultIdleLimit is how long past its announced next poll
	// ([taurusjob.Update.Next]) a wait may stay silent before its span is
	// ended as abandoned: a Poller dropped without reaching Done, or a
	// wait whose hook was muted by a panic, must not hold its span forever.
	// A wait driven by [taurusjob.Waiter.Wait] is never silent that long.
	DefaultIdleLimit = time.Hour
	// DefaultMaxWaits bounds the waits whose spans are open at once. Past
	// it, the wait that has been silent longest is ended as abandoned to
	// make room. 100,000 is ten times the largest load measured (10,000
	// concurrent waits).
	DefaultMaxWaits = 100_000
)

// Option configures [New].
type Option func(*config)

type config struct {
	tracerProvider trace.TracerProvider // nil: the global one
	meterProvider  metric.MeterProvider // nil: the global one
	service        string
	idleLimit      time.Duration
	maxWaits       int
}

func defaultConfig() config {
	return config{service: DefaultService, idleLimit: DefaultIdleLimit, maxWaits: DefaultMaxWaits}
}

// WithTracerProvider makes the spans with tp. Default: the global
// provider (otel.GetTracerProvider), which makes no spans and costs
// nothing until the program sets one with otel.SetTracerProvider. A nil
// tp keeps the default.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tracerProvider = tp }
}

// WithMeterProvider makes the instruments with mp. Default: the global
// provider (otel.GetMeterProvider), which records nothing until the
// program sets one with otel.SetMeterProvider. A nil mp keeps the default.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.meterProvider = mp }
}

// WithService sets the taurusjob.service attribute of every span and
// measurement (default [DefaultService]), for a program that waits for
// jobs of several services through one provider. An empty name keeps the
// default.
func WithService(name string) Option {
	return func(c *config) {
		if name != "" {
			c.service = name
		}
	}
}

// WithIdleLimit sets how long past its announced next poll a silent wait
// keeps its span open (default [DefaultIdleLimit]). A controller that
// requeues a [taurusjob.Poller] much later than [taurusjob.Update.Next]
// should raise it. d <= 0 keeps the default.
func WithIdleLimit(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.idleLimit = d
		}
	}
}

// WithMaxWaits bounds the waits with an open span (default
// [DefaultMaxWaits]). n <= 0 keeps the default.
func WithMaxWaits(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxWaits = n
		}
	}
}
