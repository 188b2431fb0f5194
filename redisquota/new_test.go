package redisquota

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/taurusdb-tools/taurusjob"
)

// Bad arguments are refused with ErrInvalidInput, before any request
// (a nil *redis.Client too, which would panic at the first poll);
// rate.Inf (share only the cool-down) is accepted.
func TestNewValidates(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	bad := map[string]func() (*Limiter, error){
		"nil client":   func() (*Limiter, error) { return New(nil, "t", 1, 1) },
		"nil *Client":  func() (*Limiter, error) { var c *redis.Client; return New(c, "t", 1, 1) },
		"empty tenant": func() (*Limiter, error) { return New(rdb, "", 1, 1) },
		"long tenant":  func() (*Limiter, error) { return New(rdb, strings.Repeat("t", 201), 1, 1) },
		"tenant space": func() (*Limiter, error) { return New(rdb, "a b", 1, 1) },
		"zero rps":     func() (*Limiter, error) { return New(rdb, "t", 0, 1) },
		"NaN rps":      func() (*Limiter, error) { return New(rdb, "t", rate.Limit(math.NaN()), 1) },
		"zero burst":   func() (*Limiter, error) { return New(rdb, "t", 1, 0) },
		"empty prefix": func() (*Limiter, error) { return New(rdb, "t", 1, 1, WithPrefix("")) },
	}
	for name, f := range bad {
		if _, err := f(); !errors.Is(err, taurusjob.ErrInvalidInput) {
			t.Errorf("%s: err = %v; want ErrInvalidInput", name, err)
		}
	}
	l, err := New(rdb, "t", rate.Inf, 0)
	if err != nil || l.Limit() != rate.Inf {
		t.Errorf("rate.Inf: %v, %v; want a cool-down-only Limiter", l, err)
	}
	// taurusjob accepts it as a shared limiter.
	if _, err := taurusjob.NewWaiter(taurusjobGetter{}, taurusjob.WithLimiter(l)); err != nil {
		t.Errorf("NewWaiter(WithLimiter(redisquota.Limiter)): %v", err)
	}
}

// taurusjobGetter is a JobGetter that is never called.
type taurusjobGetter struct{}

func (taurusjobGetter) GetJob(context.Context, string) (*taurusjob.Job, error) {
	return nil, errors.New("not called")
}
