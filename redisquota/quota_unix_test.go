//go:build unix

package redisquota

import (
	"context"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// Reservations queue as a token bucket's do, across every Limiter of one
// tenant: the burst goes at once, each later one a token's time after the
// one before, and none is granted past within. Another tenant's quota is
// untouched. Users rely on this for "one rate in all processes".
func TestReserveWithinQueues(t *testing.T) {
	rdb := client(t, startRedis(t))
	ctx := context.Background()
	a, _ := New(rdb, "tenant-a", 10, 2) // a token every 100 ms, bursts of 2
	b, _ := New(rdb, "tenant-a", 10, 2) // another process's view of the same quota
	var waits []time.Duration
	for i := range 5 {
		l := a
		if i%2 == 1 {
			l = b
		}
		wait, ok, err := l.ReserveWithin(ctx, time.Minute)
		if err != nil || !ok {
			t.Fatalf("reservation %d: ok %v, err %v", i, ok, err)
		}
		waits = append(waits, wait)
	}
	want := []time.Duration{0, 0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}
	for i, w := range waits {
		if w < want[i]-20*time.Millisecond || w > want[i]+5*time.Millisecond { // the calls take a few ms
			t.Errorf("reservation %d waits %s; want about %s (all: %v)", i, w, want[i], waits)
		}
	}
	if _, ok, err := a.ReserveWithin(ctx, 150*time.Millisecond); ok || err != nil {
		t.Errorf("a reservation within 150ms behind 300ms of queue: ok %v, err %v; want refused", ok, err)
	}
	other, _ := New(rdb, "tenant-b", 10, 2)
	if wait, ok, err := other.ReserveWithin(ctx, time.Second); wait != 0 || !ok || err != nil {
		t.Errorf("another tenant's first reservation: %s, %v, %v; want at once", wait, ok, err)
	}
}

// A 429 seen by one process holds all: HoldAll sets a key that every
// Limiter of the tenant reads, a shorter hold does not cut a longer one,
// and the key expires with the hold, leaving nothing behind.
func TestCooldownKey(t *testing.T) {
	rdb := client(t, startRedis(t))
	ctx := context.Background()
	a, _ := New(rdb, "tenant-a", 10, 1)
	b, _ := New(rdb, "tenant-a", 10, 1, WithPrefix("taurusjob:quota:"))
	if until, err := b.HeldUntil(ctx); err != nil || !until.IsZero() {
		t.Fatalf("HeldUntil before any 429 = %v, %v; want zero", until, err)
	}
	if err := a.HoldAll(ctx, time.Now().Add(400*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if err := b.HoldAll(ctx, time.Now().Add(100*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	until, err := b.HeldUntil(ctx)
	if left := time.Until(until); err != nil || left < 300*time.Millisecond || left > 400*time.Millisecond {
		t.Errorf("HeldUntil = %v (%s left), %v; want the longer hold, about 400ms", until, left, err)
	}
	time.Sleep(time.Until(until) + 20*time.Millisecond)
	if n, err := rdb.Exists(ctx, a.coolKey).Result(); err != nil || n != 0 {
		t.Errorf("the cool-down key outlived its hold: exists %d, %v", n, err)
	}
	other, _ := New(rdb, "tenant-a", 10, 1, WithPrefix("elsewhere:"))
	_ = a.HoldAll(ctx, time.Now().Add(time.Second))
	if until, _ := other.HeldUntil(ctx); !until.IsZero() {
		t.Errorf("a Limiter with another prefix is held until %v; want not held", until)
	}
}

// A Redis that is down is an error of the call, bounded by ctx, never a
// hang: taurusjob then fails open (see its WithLimiter).
func TestRedisDown(t *testing.T) {
	rdb := client(t, "127.0.0.1:"+freePort(t)) // nothing listens there
	l, _ := New(rdb, "tenant-a", 10, 1)
	calls := map[string]func(context.Context) error{
		"ReserveWithin": func(ctx context.Context) error { _, _, err := l.ReserveWithin(ctx, time.Minute); return err },
		"HeldUntil":     func(ctx context.Context) error { _, err := l.HeldUntil(ctx); return err },
		"HoldAll":       func(ctx context.Context) error { return l.HoldAll(ctx, time.Now().Add(time.Second)) },
	}
	for name, call := range calls {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		start := time.Now()
		err := call(ctx)
		cancel()
		if took := time.Since(start); err == nil || took > time.Second {
			t.Errorf("%s on a Redis that is down: err %v after %s; want an error within ctx's 300ms", name, err, took)
		}
	}
	ctx := context.Background()
	inf, _ := New(rdb, "tenant-a", rate.Inf, 0)
	if wait, ok, err := inf.ReserveWithin(ctx, time.Minute); wait != 0 || !ok || err != nil {
		t.Errorf("rate.Inf: %s, %v, %v; want a token at once, no call", wait, ok, err)
	}
}
