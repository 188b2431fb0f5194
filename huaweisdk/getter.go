package huaweisdk

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	gaussdb "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3/model"
	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/clip"
	"github.com/taurusdb-tools/taurusjob/internal/defaults"
)

// DefaultCallTimeout bounds each [Getter.GetJob] when no [WithCallTimeout]
// is given. It matches the core's 30 s.
const DefaultCallTimeout = defaults.RequestTimeout

// Getter fetches jobs through the official SDK's GaussDB v3 client. It
// implements [taurusjob.JobGetter]. It is safe for concurrent use as far as
// the SDK's client is (the SDK's client with static AK/SK is used from many
// goroutines in practice); it holds no state of its own beyond its options.
type Getter struct {
	client   *gaussdb.GaussDBClient
	timeout  time.Duration
	language string
	scrub    *scrubber
}

var _ taurusjob.JobGetter = (*Getter)(nil)

// Option configures a [Getter].
type Option interface {
	apply(*Getter) error
}

type optionFunc func(*Getter) error

func (f optionFunc) apply(g *Getter) error { return f(g) }

// WithCallTimeout bounds each GetJob call: when d passes without an answer,
// GetJob returns a [*taurusjob.TransportError] (which a waiter retries) and
// abandons the SDK call (see the package documentation for how long it may
// run on). d must be positive; the default is [DefaultCallTimeout].
func WithCallTimeout(d time.Duration) Option {
	return optionFunc(func(g *Getter) error {
		if d <= 0 {
			return &taurusjob.InputError{Field: "call timeout", Reason: fmt.Sprintf("must be positive, got %s", d)}
		}
		g.timeout = d
		return nil
	})
}

// WithLanguage sends X-Language with each call ("en-us", "zh-cn"), which
// sets the language of the API's messages. By default none is sent and the
// API answers in English.
func WithLanguage(lang string) Option {
	return optionFunc(func(g *Getter) error {
		if lang == "" || strings.ContainsAny(lang, " ,;") || strings.ContainsFunc(lang, isControl) {
			return &taurusjob.InputError{Field: "language", Reason: "must be a language tag such as en-us"}
		}
		g.language = lang
		return nil
	})
}

// isControl reports C0 and C1 controls and the Unicode line separators:
// nothing a server sends may move a terminal's cursor or split a log line.
func isControl(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }

// NewGetter adapts client, an SDK client built with
// gaussdb.GaussDBClientBuilder, to [taurusjob.JobGetter]. It returns an error
// matching [taurusjob.ErrInvalidInput] when client is nil or has no
// HcClient, or when an option is invalid.
func NewGetter(client *gaussdb.GaussDBClient, opts ...Option) (*Getter, error) {
	if client == nil || client.HcClient == nil {
		return nil, &taurusjob.InputError{Field: "SDK client", Reason: "is nil; build one with gaussdb.GaussDBClientBuilder"}
	}
	g, err := callSettings(opts)
	if err != nil {
		return nil, err
	}
	// A copy of the caller's client whose credential records each request's
	// signature, for the scrub; the caller's client is left as it is.
	hc, scrub := recordingClient(client.HcClient)
	g.client, g.scrub = gaussdb.NewGaussDBClient(hc), scrub
	return g, nil
}

// outcome is what one SDK call gave.
type outcome struct {
	resp *model.ShowGaussMySqlJobInfoResponse
	err  error
}

// GetJob fetches one job with ShowGaussMySqlJobInfo. It validates jobID
// first ([taurusjob.ValidateJobID]) and calls nothing when it is bad, nor
// when ctx has already ended. It returns:
//   - the job, when the API answers with a job of that id (see the package
//     documentation for what the SDK loses: Entities is always nil and Raw
//     is a re-encoding);
//   - an error matching [taurusjob.ErrNoJob] when the answer holds no job;
//   - a [*taurusjob.APIError] for an error answer (404 included, which a
//     waiter takes as "not visible yet"), with the status, error code,
//     message and request id as the SDK reports them; also for a 2xx answer
//     the SDK could not decode or that is for another job;
//   - a [*taurusjob.TransportError] when no answer came: a network error,
//     the SDK's HTTP timeout, or the call timeout;
//   - ctx's error, wrapped, as soon as ctx ends, while the SDK call runs on
//     in the background until the SDK's own timeout;
//   - any other SDK error (credentials, request building, the SDK's own
//     failover message), wrapped: a waiter does not retry those.
func (g *Getter) GetJob(ctx context.Context, jobID string) (*taurusjob.Job, error) {
	if err := taurusjob.ValidateJobID(jobID); err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ctxError(ctx, jobID)
	}
	req := &model.ShowGaussMySqlJobInfoRequest{Id: jobID}
	if g.language != "" {
		lang := g.language
		req.XLanguage = &lang
	}
	done := make(chan outcome, 1) // buffered: the call never waits for a reader that has gone
	go g.call(req, done)
	timer := time.NewTimer(g.timeout)
	defer timer.Stop()
	select {
	case o := <-done:
		if o.err != nil {
			return nil, g.scrub.error(mapError(o.err, g.scrub))
		}
		job, err := jobFromResponse(jobID, o.resp, g.scrub)
		return job, g.scrub.error(err)
	case <-ctx.Done():
		return nil, ctxError(ctx, jobID)
	case <-timer.C:
		return nil, &taurusjob.TransportError{Err: fmt.Errorf(
			"no answer from the SDK within the %s call timeout (the call goes on in the background until the SDK's HTTP timeout)", g.timeout)}
	}
}

// call runs one SDK call and always sends exactly one outcome. A panic in
// the SDK becomes an error: in this goroutine it would otherwise end the
// whole program, out of the caller's reach.
func (g *Getter) call(req *model.ShowGaussMySqlJobInfoRequest, done chan<- outcome) {
	var o outcome
	defer func() {
		if p := recover(); p != nil {
			o = outcome{err: fmt.Errorf("huaweisdk: the SDK panicked in ShowGaussMySqlJobInfo: %s", clip.Text(fmt.Sprint(p), 256))}
		}
		done <- o
	}()
	o.resp, o.err = g.client.ShowGaussMySqlJobInfo(req)
}

// ctxError wraps ctx's error so that it matches context.Canceled or
// context.DeadlineExceeded, and ctx's cause when there is another.
func ctxError(ctx context.Context, jobID string) error {
	err, cause := ctx.Err(), context.Cause(ctx)
	if cause != nil && cause != err {
		return fmt.Errorf("huaweisdk: get job %s: %w (%w)", jobID, err, cause)
	}
	return fmt.Errorf("huaweisdk: get job %s: %w", jobID, err)
}
