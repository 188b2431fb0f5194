package redisquota

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"golang.org/x/time/rate"

	"github.com/taurusdb-tools/taurusjob"
)

// The multi-process test (multiproc_unix_test.go) runs its workers as
// processes of their own: this test binary, started again with workerEnv
// set to the worker's settings (JSON), runs workerMain instead of the
// tests (see TestMain).
const workerEnv = "TAURUSJOB_REDISQUOTA_TEST_WORKER"

// The Waiter settings of every worker: short, so that 900 waits on a 20
// requests/s quota end within a minute.
const (
	workerMinInterval = 200 * time.Millisecond
	workerMaxInterval = 2 * time.Second
	workerTimeout     = 2 * time.Minute
)

// workerSettings says what one worker process does.
type workerSettings struct {
	URL, ProjectID, Token string   // the fake job API
	Redis, Tenant         string   // the shared quota (Shared)
	Shared                bool     // a redisquota.Limiter; else a rate.Limiter of RPS
	RPS                   float64  // the limiter's rate, burst 1
	JobIDs                []string // the jobs to wait for, all at once
}

// workerResult is one wait's ending, one JSON line on standard output.
type workerResult struct {
	JobID, Status, Err string
}

// TestMain fails the run when a test leaves a goroutine behind. Started as
// a worker by the multi-process test, the binary runs that worker instead.
func TestMain(m *testing.M) {
	if s := os.Getenv(workerEnv); s != "" {
		os.Exit(workerMain(s))
	}
	goleak.VerifyTestMain(m) // a poll's limiter calls end with it; the tests close their clients
}

// workerMain waits for its jobs with one Waiter and prints each ending.
func workerMain(settings string) int {
	var s workerSettings
	if err := json.Unmarshal([]byte(settings), &s); err != nil {
		fmt.Fprintln(os.Stderr, "worker settings:", err)
		return 2
	}
	c, err := taurusjob.NewClient(taurusjob.ClientConfig{Endpoint: s.URL, ProjectID: s.ProjectID, Token: s.Token})
	if err != nil {
		fmt.Fprintln(os.Stderr, "NewClient:", err)
		return 2
	}
	var lim taurusjob.Limiter = rate.NewLimiter(rate.Limit(s.RPS), 1)
	if s.Shared {
		rdb := redis.NewClient(&redis.Options{Addr: s.Redis, ContextTimeoutEnabled: true})
		defer rdb.Close()
		if lim, err = New(rdb, s.Tenant, rate.Limit(s.RPS), 1); err != nil {
			fmt.Fprintln(os.Stderr, "redisquota.New:", err)
			return 2
		}
	}
	var mu sync.Mutex
	out := json.NewEncoder(os.Stdout)
	ended := func(u taurusjob.Update) { // each ending as it comes, so that a worker stopped early has told its own
		if !u.Done {
			return
		}
		res := workerResult{JobID: u.JobID, Status: string(u.Status)}
		if u.Err != nil {
			res.Err = u.Err.Error()
		}
		mu.Lock()
		defer mu.Unlock()
		_ = out.Encode(res)
	}
	w, err := taurusjob.NewWaiter(c, taurusjob.WithLimiter(lim), taurusjob.WithTimeout(workerTimeout),
		taurusjob.WithInterval(workerMinInterval, workerMaxInterval), taurusjob.WithConcurrency(32),
		taurusjob.WithProgress(ended), taurusjob.WithLogger(warnings()))
	if err != nil {
		fmt.Fprintln(os.Stderr, "NewWaiter:", err)
		return 2
	}
	w.WaitAll(context.Background(), s.JobIDs...)
	return 0
}

// warnings logs the Waiter's warnings (a failing shared quota) to
// standard error, which the test shows when it fails.
func warnings() *zap.Logger {
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	return zap.New(zapcore.NewCore(enc, zapcore.Lock(os.Stderr), zap.WarnLevel))
}
