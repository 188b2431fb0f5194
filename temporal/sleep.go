package taurustemporal

import (
	"context"
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

// sleep waits d, calling beat every `every` on the way (not at the end,
// where the caller polls and heartbeats anyway). It returns false, at once,
// when ctx ends first.
func sleep(ctx context.Context, d, every time.Duration, beat func()) bool {
	end := time.Now().Add(d)
	t := time.NewTimer(min(d, every))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
		left := time.Until(end)
		if left <= 0 {
			return true
		}
		beat()
		t.Reset(min(left, every))
	}
}
