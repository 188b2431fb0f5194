package quota_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
	"golang.org/x/time/rate"
)

var full = flag.Bool("quota.full", false, "run the full benchmark: 1,000 waits against 20 requests/s")

// scenario is one run: waits started together for jobs of minJob to
// maxJob, against an API that allows quota requests a second (burst
// quotaBurst); with limit > 0 the Waiter shares a rate limit of limit
// requests a second (burst limitBurst).
type scenario struct {
	waits          int
	quota          float64
	quotaBurst     int
	limit          float64
	limitBurst     int
	minJob, maxJob time.Duration
	invisible      time.Duration
	failEvery      int // every failEvery-th job fails
	profile        taurusjobtest.Profile
	separate       bool // one Waiter per wait: nothing shared, as before the shared quota
	seed           uint64
}

// measured is what a run gives.
type measured struct {
	requests, throttled int
	lags                []time.Duration // sorted
	wrong               []string        // waits that ended otherwise than their job
	virtual             time.Duration   // virtual time until the last wait returned
	real                time.Duration
}

func (m measured) throttledShare() float64 { return float64(m.throttled) / float64(max(m.requests, 1)) }

func (m measured) lag(q float64) time.Duration {
	if len(m.lags) == 0 {
		return 0
	}
	return m.lags[min(int(q*float64(len(m.lags))), len(m.lags)-1)]
}

// counting counts the answers of a transport by status.
type counting struct {
	rt                  http.RoundTripper
	requests, throttled atomic.Int64
}

func (c *counting) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(req)
	c.requests.Add(1)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		c.throttled.Add(1)
	}
	return resp, err
}

func run(t *testing.T, sc scenario) measured {
	var m measured
	began := time.Now()
	synctest.Test(t, func(t *testing.T) {
		srv := taurusjobtest.NewInMemory(taurusjobtest.WithRateLimit(sc.quota, sc.quotaBurst), taurusjobtest.WithMaxRecords(0))
		defer srv.Close()
		r := rand.New(rand.NewPCG(sc.seed, 1))
		ids := make([]string, sc.waits)
		for i := range ids {
			j := taurusjobtest.Job{
				Invisible: sc.invisible,
				Running:   sc.minJob + time.Duration(r.Int64N(int64(sc.maxJob-sc.minJob))),
				Profile:   sc.profile,
			}
			if sc.failEvery > 0 && i%sc.failEvery == 0 {
				j.Outcome = taurusjobtest.Failed
			}
			ids[i] = srv.AddJob(j)
		}
		ct := &counting{rt: taurusjobtest.NewTransport(srv)}
		client, err := taurusjob.NewClient(taurusjob.ClientConfig{
			Endpoint: srv.URL(), ProjectID: srv.ProjectID(), Token: srv.Token(),
			HTTPClient: &http.Client{Transport: ct},
		})
		if err != nil {
			t.Fatal(err)
		}
		var opts []taurusjob.Option
		if sc.limit > 0 {
			opts = append(opts, taurusjob.WithLimiter(rate.NewLimiter(rate.Limit(sc.limit), sc.limitBurst)))
		}
		shared, err := taurusjob.NewWaiter(client, opts...)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, id := range ids {
			w := shared
			if sc.separate {
				w, _ = taurusjob.NewWaiter(client, opts...)
			}
			wg.Go(func() {
				job, err := w.Wait(context.Background(), id)
				done := time.Now()
				end, outcome, _ := srv.JobEnd(id)
				right := false
				switch outcome {
				case taurusjobtest.Completed:
					right = err == nil && job.Status == taurusjob.StatusCompleted
				case taurusjobtest.Failed:
					right = errors.Is(err, taurusjob.ErrJobFailed) && job.Status == taurusjob.StatusFailed
				}
				mu.Lock()
				defer mu.Unlock()
				m.lags = append(m.lags, done.Sub(end))
				if !right {
					m.wrong = append(m.wrong, fmt.Sprintf("%s (%s): %v", id, outcome, err))
				}
			})
		}
		wg.Wait()
		m.virtual = time.Since(start)
		m.requests, m.throttled = int(ct.requests.Load()), int(ct.throttled.Load())
	})
	slices.Sort(m.lags)
	m.real = time.Since(began)
	return m
}

// A thousand waits started together share one quota: with the Waiter's
// rate limit at the API's, few requests are throttled (at most 5 %), and
// jobs are not noticed later than without it (within 10 % or 1 s). Every
// wait ends with its job's outcome in every configuration. Jobs report a
// linear percent (the schedule predicts their end) or none (it polls
// blind); a third configuration, one Waiter per wait, shows what sharing
// nothing (no common cool-down) costs.
func TestThousandWaitsOneQuota(t *testing.T) {
	base := scenario{
		waits: 100, quota: 2, quotaBurst: 2, limit: 2, limitBurst: 1,
		minJob: time.Minute, maxJob: 10 * time.Minute, invisible: 3 * time.Second,
		failEvery: 10, seed: 1,
	}
	if *full {
		base.waits, base.quota, base.quotaBurst, base.limit = 1000, 20, 20, 20
	}
	t.Logf("%d waits started together; API quota %v req/s (burst %d), 429 with Retry-After above; jobs of %s to %s, visible after %s",
		base.waits, base.quota, base.quotaBurst, base.minJob, base.maxJob, base.invisible)
	for _, p := range []struct {
		name    string
		profile taurusjobtest.Profile
	}{{"linear percent", taurusjobtest.Linear}, {"no percent", taurusjobtest.NoProgress}} {
		t.Run(p.name, func(t *testing.T) {
			sc := base
			sc.profile = p.profile
			without, separate := sc, sc
			without.limit = 0
			separate.limit, separate.separate = 0, true
			type config struct {
				name string
				sc   scenario
			}
			configs := []config{
				{"shared, no limiter", without},
				{fmt.Sprintf("shared, limiter %v/s", sc.limit), sc},
			}
			if *full {
				configs = append([]config{{"one Waiter per wait", separate}}, configs...)
			}
			var results []measured
			for _, c := range configs {
				m := run(t, c.sc)
				results = append(results, m)
				t.Logf("%-14s %-20s requests %6d  throttled %5.1f %%  lag median %6s  p95 %6s  max %6s  last done at %s (real %s)",
					p.name, c.name, m.requests, 100*m.throttledShare(), m.lag(0.5).Round(100*time.Millisecond),
					m.lag(0.95).Round(100*time.Millisecond), m.lag(1).Round(100*time.Millisecond),
					m.virtual.Round(time.Second), m.real.Round(10*time.Millisecond))
				if len(m.wrong) > 0 {
					t.Errorf("%s: %d waits ended otherwise than their job, e.g. %s", c.name, len(m.wrong), m.wrong[0])
				}
				if len(m.lags) != sc.waits {
					t.Errorf("%s: %d waits returned, want %d", c.name, len(m.lags), sc.waits)
				}
			}
			without0, with := results[len(results)-2], results[len(results)-1]
			if share := with.throttledShare(); share > 0.05 {
				t.Errorf("with the limiter %.1f %% of requests were throttled; want at most 5 %%", 100*share)
			}
			// "No worse" within the noise of the jitter: 10 % or 1 s for a
			// thousand waits; a quarter or 3 s for the small version, whose
			// median rests on a hundred.
			tolerance := func(b time.Duration) time.Duration { return max(b/10, time.Second) }
			if !*full {
				tolerance = func(b time.Duration) time.Duration { return max(b/4, 3*time.Second) }
			}
			for _, q := range []float64{0.5, 0.95} {
				if w, b := with.lag(q), without0.lag(q); w > b+tolerance(b) {
					t.Errorf("with the limiter the p%.0f lag is %s; without, %s: want no worse (within %s)", 100*q, w, b, tolerance(b))
				}
			}
		})
	}
}
