package main

import (
	"math"
	"math/rand/v2"
	"time"
)

// Baseline is a waiter people use today, modelled from its documented
// algorithm (docs/anchors.md) as a loop over virtual time: no HTTP, no
// clock, deterministic for a given trial.
type Baseline struct {
	Name string
	run  func(c *vclock, r *rand.Rand) Result
}

// Run waits for the trial's job; r supplies the baseline's jitter.
func (b Baseline) Run(t Trial, r *rand.Rand) Result { return b.run(&vclock{t: t}, r) }

// Baselines lists the baselines in table order.
var Baselines = []Baseline{
	{"terraform-taurusdb", terraformTaurusDB},
	{"statechangeconf", stateChangeConf},
	{"aws-sdk-v2", awsWaiter},
	{"k8s-backoff", k8sBackoff},
	{"cenkalti-v4", cenkaltiDefaults},
	{"shell-5s", shellLoop},
}

// horizon ends a baseline that would poll forever (none does on the grid).
const horizon = 48 * time.Hour

// answer is what one poll shows.
type answer int

const (
	ansNotFound answer = iota // 404: not visible yet
	ansRunning
	ansCompleted
	ansFailed
)

// answerAt is what the API shows at a time since the job's creation.
func (t Trial) answerAt(at time.Duration) answer {
	switch {
	case at < t.V:
		return ansNotFound
	case at < t.End:
		return ansRunning
	case t.Outcome == Failed:
		return ansFailed
	}
	return ansCompleted
}

// vclock is a baseline's virtual time and call count.
type vclock struct {
	t     Trial
	now   time.Duration
	calls int

	// For tests: record each poll's time, and stop after limit polls.
	trace []time.Duration
	limit int
}

func (c *vclock) poll() answer {
	c.calls++
	if c.limit > 0 {
		c.trace = append(c.trace, c.now)
	}
	return c.t.answerAt(c.now)
}

// more reports whether the baseline may poll again.
func (c *vclock) more() bool {
	return c.now < horizon && (c.limit == 0 || c.calls < c.limit)
}

func (c *vclock) sleep(d time.Duration) { c.now += max(d, 0) }

func (c *vclock) end(g Got) Result { return Result{Calls: c.calls, Returned: c.now, Got: g} }

// terminal maps a terminal answer to its result; ok is false otherwise.
func (c *vclock) terminal(a answer) (Result, bool) {
	switch a {
	case ansCompleted:
		return c.end(GotCompleted), true
	case ansFailed:
		return c.end(GotFailed), true
	}
	return Result{}, false
}

// terraformTaurusDB is Huawei's Terraform provider waiting for a TaurusDB
// job (checkGaussDBMySQLJobFinish): StateChangeConf with Delay 10 s and
// PollInterval 10 s, so polls at 10 s, 20 s, … without jitter. Any HTTP
// error, 404 included, aborts the wait; Failed is an "unexpected state"
// error (a failure, without fail_reason).
func terraformTaurusDB(c *vclock, _ *rand.Rand) Result {
	c.sleep(10 * time.Second)
	for c.more() {
		a := c.poll()
		if a == ansNotFound {
			return c.end(GotError)
		}
		if r, ok := c.terminal(a); ok {
			return r
		}
		c.sleep(10 * time.Second)
	}
	return c.end(GotGaveUp)
}

// stateChangeConf is terraform-plugin-sdk v2 helper/retry.StateChangeConf
// with its defaults: first poll at once, then the wait starts at 100 ms and
// doubles before each sleep (200 ms, 400 ms, …), capped at 10 s. A nil
// result (not found) is allowed NotFoundChecks = 20 times in a row; the
// 21st is an error. A state in neither Pending nor Target is an error.
func stateChangeConf(c *vclock, _ *rand.Rand) Result {
	wait := 100 * time.Millisecond
	notFound := 0
	for c.more() {
		a := c.poll()
		if a == ansNotFound {
			notFound++
			if notFound > 20 {
				return c.end(GotError)
			}
		} else {
			notFound = 0
			if r, ok := c.terminal(a); ok {
				return r
			}
		}
		wait = min(2*wait, 10*time.Second)
		c.sleep(wait)
	}
	return c.end(GotGaveUp)
}

// AWS SDK for Go v2 waiter settings, as RDS DBInstanceAvailable is
// configured in the issue: MinDelay 30 s, MaxDelay 1800 s, and a MaxWait
// long enough never to interfere.
const (
	awsMinDelay = 30 * time.Second
	awsMaxDelay = 1800 * time.Second
	awsMaxWait  = horizon
)

// awsWaiter is a generated aws-sdk-go-v2 waiter: first attempt at once,
// then smithy-go/waiter.ComputeDelay before each next attempt; not-found
// is retried (as configured for the issue), "failed" is a failure acceptor.
func awsWaiter(c *vclock, r *rand.Rand) Result {
	for attempt := int64(1); c.more(); attempt++ {
		if res, ok := c.terminal(c.poll()); ok {
			return res
		}
		remaining := awsMaxWait - c.now
		if remaining < awsMinDelay || remaining <= 0 {
			return c.end(GotGaveUp)
		}
		c.sleep(smithyComputeDelay(attempt, awsMinDelay, awsMaxDelay, remaining, r))
	}
	return c.end(GotGaveUp)
}

// smithyComputeDelay is smithy-go/waiter.ComputeDelay: the delay before
// attempt+1 is uniform in [minDelay, min(minDelay·2^(attempt−1), maxDelay)),
// exactly minDelay when that range is empty, and the last attempt is
// clamped to land minDelay before the deadline.
func smithyComputeDelay(attempt int64, minDelay, maxDelay, remaining time.Duration, r *rand.Rand) time.Duration {
	if remaining <= 0 {
		return 0
	}
	ceiling := math.Log(float64(maxDelay/minDelay))/math.Log(2) + 1
	var delay time.Duration
	if attempt > int64(ceiling) {
		delay = maxDelay
	} else {
		delay = minDelay * time.Duration(int64(1)<<uint64(attempt-1))
	}
	if delay != minDelay {
		delay = minDelay + time.Duration(r.Int64N(int64(delay-minDelay)))
	}
	if remaining-delay <= minDelay {
		delay = remaining - minDelay
	}
	return delay
}

// k8sBackoff is k8s.io/apimachinery wait.Backoff{Duration: 1s, Factor: 2,
// Jitter: 0.1, Cap: 30s, Steps: large} driven by DelayFunc().Until with
// immediate = true: polls at once, then sleeps 1, 2, 4, 8, 16 s, then 30 s
// for ever, each plus up to 10 %. The condition takes a 404 as "not done"
// and a Failed job as its error.
func k8sBackoff(c *vclock, r *rand.Rand) Result {
	steps, duration := math.MaxInt32, time.Second
	const factor, jitter, limit = 2.0, 0.1, 30 * time.Second
	for c.more() {
		if res, ok := c.terminal(c.poll()); ok {
			return res
		}
		// wait.delay: the current step, jittered; then the next one.
		d := duration
		if steps >= 1 {
			steps--
			next := time.Duration(float64(duration) * factor)
			if next > limit {
				next, steps = limit, 0
			}
			duration = next
		}
		c.sleep(d + time.Duration(r.Float64()*jitter*float64(d)))
	}
	return c.end(GotGaveUp)
}

// cenkaltiDefaults is backoff.Retry with github.com/cenkalti/backoff/v4's
// NewExponentialBackOff(): first attempt at once, then the delays of
// cenkaltiBackOff until it says stop, when Retry returns the last "not
// done yet" error. A Failed job is a backoff.Permanent error.
func cenkaltiDefaults(c *vclock, r *rand.Rand) Result {
	b := newCenkaltiBackOff()
	for c.more() {
		if res, ok := c.terminal(c.poll()); ok {
			return res
		}
		next, ok := b.next(c.now, r.Float64())
		if !ok {
			return c.end(GotGaveUp)
		}
		c.sleep(next)
	}
	return c.end(GotGaveUp)
}

// backoff v4's defaults.
const (
	cenkaltiInitial    = 500 * time.Millisecond
	cenkaltiFactor     = 0.5
	cenkaltiMultiplier = 1.5
	cenkaltiMax        = 60 * time.Second
	cenkaltiMaxElapsed = 15 * time.Minute
)

// cenkaltiBackOff is backoff v4's ExponentialBackOff with its defaults:
// 500 ms growing ×1.5 up to 60 s, each delay randomised ±50 %, and a stop
// once the elapsed time plus the next delay passes MaxElapsedTime (15 min).
type cenkaltiBackOff struct{ interval time.Duration }

func newCenkaltiBackOff() *cenkaltiBackOff { return &cenkaltiBackOff{interval: cenkaltiInitial} }

// next is NextBackOff, given the time elapsed since Reset and the random
// draw in [0, 1); ok is false for backoff.Stop.
func (b *cenkaltiBackOff) next(elapsed time.Duration, random float64) (d time.Duration, ok bool) {
	d = cenkaltiRandomized(cenkaltiFactor, random, b.interval)
	if float64(b.interval) >= float64(cenkaltiMax)/cenkaltiMultiplier {
		b.interval = cenkaltiMax
	} else {
		b.interval = time.Duration(float64(b.interval) * cenkaltiMultiplier)
	}
	return d, elapsed+d <= cenkaltiMaxElapsed
}

// cenkaltiRandomized is backoff v4's getRandomValueFromInterval.
func cenkaltiRandomized(factor, random float64, interval time.Duration) time.Duration {
	if factor == 0 {
		return interval
	}
	delta := factor * float64(interval)
	lo, hi := float64(interval)-delta, float64(interval)+delta
	return time.Duration(lo + random*(hi-lo+1))
}

// shellLoop is `until done; do sleep 5; done`: poll at once, then every
// 5 s; a 404 is "not done".
func shellLoop(c *vclock, _ *rand.Rand) Result {
	for c.more() {
		if res, ok := c.terminal(c.poll()); ok {
			return res
		}
		c.sleep(5 * time.Second)
	}
	return c.end(GotGaveUp)
}
