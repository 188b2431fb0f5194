package taurustemporal

import (
	"context"
	"errors"
	"time"
)

// DefaultHeartbeatEvery is how often a sleeping activity heartbeats when its
// HeartbeatTimeout is not set. Temporal delivers a cancel to an activity only
// in a heartbeat's answer, so this bounds how late a cancel is seen; the SDK
// throttles the requests themselves (to one per 30 s by default).
const DefaultHeartbeatEvery = 10 * time.Second

// heartbeatEvery is the longest an activity sleeps without a heartbeat:
// half its heartbeat timeout, so that one late heartbeat is not fatal.
func heartbeatEvery(timeout time.Duration) time.Duration {
	if timeout <= 0 {
		return DefaultHeartbeatEvery
	}
	return max(timeout/2, time.Millisecond)
}

// errWorkerStopping is sleep's answer when the worker begins to stop.
var errWorkerStopping = errors.New("the worker is stopping")

// sleep waits d, calling beat every `every` on the way (not at the end,
// where the caller polls and heartbeats anyway). It returns nil when d has
// passed, and at once ctx's error when ctx ends first or errWorkerStopping
// when stop (the worker's stop channel) closes first: a stopping worker
// waits for its activities (up to its WorkerStopTimeout) before it cancels
// them, and a wait that sleeps on would only lose that time.
func sleep(ctx context.Context, stop <-chan struct{}, d, every time.Duration, beat func()) error {
	end := time.Now().Add(d)
	t := time.NewTimer(min(d, every))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-stop:
			return errWorkerStopping
		case <-t.C:
		}
		left := time.Until(end)
		if left <= 0 {
			return nil
		}
		beat()
		t.Reset(min(left, every))
	}
}
