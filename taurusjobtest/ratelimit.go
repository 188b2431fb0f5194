package taurusjobtest

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// bucket is a token bucket on time.Now: rate tokens a second, at most burst.
type bucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate float64, burst int) *bucket {
	return &bucket{rate: rate, burst: float64(burst), tokens: float64(burst)}
}

// take spends one token at now; when there is none it says how long until
// there is.
func (b *bucket) take(now time.Time) (ok bool, wait time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	if now.After(b.last) {
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// throttled is the gateway's 429 answer; wait > 0 adds a Retry-After.
func throttled(wait time.Duration, rate float64) answer {
	msg := "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second"
	if rate > 0 {
		msg = fmt.Sprintf("The throttling threshold has been reached: policy user over ratelimit,limit:%s,time:1 second",
			strconv.FormatFloat(rate, 'f', -1, 64))
	}
	a := answer{status: http.StatusTooManyRequests, code: codeThrottled, body: errorBody(codeThrottled, msg)}
	if wait > 0 {
		a.retryAfter = retrySeconds(wait)
	}
	return a
}

// retrySeconds is d in whole seconds, rounded up, at least 1.
func retrySeconds(d time.Duration) string {
	return strconv.FormatInt(max(int64((d+time.Second-1)/time.Second), 1), 10)
}
