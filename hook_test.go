package taurusjob_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

type ctxKey struct{}

// Instrumentation sees every update the progress callback sees, with the
// ctx of the caller (where its trace span lives), hooks in order; a hook
// that panics is muted for the wait, which goes on.
func TestUpdateHooks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var progress, first, second []taurusjob.Update
		var ctxSeen []any
		g := newScript(lifecycle(3*time.Second, time.Minute, taurusjob.StatusCompleted))
		w := mustWaiter(t, g,
			taurusjob.WithProgress(func(u taurusjob.Update) { progress = append(progress, u) }),
			taurusjob.WithUpdateHook(func(ctx context.Context, u taurusjob.Update) {
				first = append(first, u)
				ctxSeen = append(ctxSeen, ctx.Value(ctxKey{}))
			}),
			taurusjob.WithUpdateHook(func(ctx context.Context, u taurusjob.Update) {
				second = append(second, u)
				if len(second) == 2 {
					panic("instrumentation bug")
				}
			}),
		)
		ctx := context.WithValue(context.Background(), ctxKey{}, "the caller's span")
		if _, err := w.Wait(ctx, "job-1"); err != nil {
			t.Fatalf("Wait: %v; a panicking hook must not end the wait", err)
		}
		if len(first) != len(progress) || len(progress) != len(g.pollTimes()) || !first[len(first)-1].Done {
			t.Errorf("hook saw %d updates, progress %d, for %d polls; want one each per poll, the last Done",
				len(first), len(progress), len(g.pollTimes()))
		}
		for i, v := range ctxSeen {
			if v != "the caller's span" {
				t.Errorf("update %d: hook's ctx holds %v; want the caller's ctx", i, v)
			}
		}
		if len(second) != 2 {
			t.Errorf("the panicking hook was called %d times; want 2 (muted after its panic)", len(second))
		}
	})
	if _, err := taurusjob.NewWaiter(newScript(nil), taurusjob.WithUpdateHook(nil)); err == nil {
		t.Error("WithUpdateHook(nil) accepted")
	}
}
