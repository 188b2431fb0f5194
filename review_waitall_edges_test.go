package taurusjob_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
)

// An id given twice is "waited for once", and "a malformed id gets its
// error in its place": a malformed id given twice must get its own error
// in both places, not "poller is nil" in the second.
func TestReviewWaitAllMalformedIDTwiceGetsItsErrorTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := mustWaiter(t, getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			return &taurusjob.Job{ID: id, Status: taurusjob.StatusCompleted}, nil
		}))
		res := w.WaitAll(context.Background(), "a/b", "a/b")
		if len(res) != 2 {
			t.Fatalf("%d results", len(res))
		}
		if res[0].Err == nil || res[1].Err == nil || res[0].Err.Error() != res[1].Err.Error() {
			t.Errorf("results: %v | %v; want the same id error in both places", res[0].Err, res[1].Err)
		}
		if res[1].Err != nil && strings.Contains(res[1].Err.Error(), "poller") {
			t.Errorf("second place says %q: about a Poller the caller never made", res[1].Err)
		}
	})
}

// Exploratory (passes today): done, duplicate, nil, foreign and canceled.
func TestReviewWaitPollersEdges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			if id == "done" {
				return &taurusjob.Job{ID: id, Status: taurusjob.StatusCompleted}, nil
			}
			return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 2}, nil
		})
		w := mustWaiter(t, g, taurusjob.WithTimeout(time.Minute))
		other := mustWaiter(t, g, taurusjob.WithTimeout(30*time.Second))
		done := mustPoller(t, w, "done")
		done.Poll(context.Background())
		a := mustPoller(t, w, "a")
		f := mustPoller(t, other, "f")
		start := time.Now()
		res := w.WaitPollers(context.Background(), done, a, nil, a, f, &taurusjob.Poller{})
		if time.Since(start) != time.Minute {
			t.Errorf("took %s", time.Since(start))
		}
		if res[0].Err != nil || !errors.Is(res[1].Err, taurusjob.ErrTimeout) || res[1].Err != res[3].Err ||
			!errors.Is(res[2].Err, taurusjob.ErrInvalidInput) || !errors.Is(res[4].Err, taurusjob.ErrTimeout) ||
			!errors.Is(res[5].Err, taurusjob.ErrInvalidInput) {
			t.Errorf("%+v", res)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		b := mustPoller(t, w, "b")
		res = w.WaitPollers(ctx, b)
		if !errors.Is(res[0].Err, context.Canceled) || time.Since(start) != time.Minute {
			t.Errorf("canceled: %+v", res)
		}
		if r := w.WaitAll(context.Background()); len(r) != 0 {
			t.Errorf("0 jobs: %+v", r)
		}
		ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel2()
		c := mustPoller(t, w, "c")
		s2 := time.Now()
		res = w.WaitPollers(ctx2, c)
		if !errors.Is(res[0].Err, context.DeadlineExceeded) || time.Since(s2) != 5*time.Second {
			t.Errorf("earlier ctx deadline: %+v after %s", res, time.Since(s2))
		}
	})
}
