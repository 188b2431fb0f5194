//go:debug randseednop=0

package taurusjob_test

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
	"golang.org/x/time/rate"
)

// The go:debug line above makes math/rand's global source seedable in
// this test binary, so that two drivers of the same wait draw the same
// jitter and can be compared poll for poll.

// A controller calls Poll from its reconcile loop: Poll must return at
// once (fake time does not move, beyond the request, which takes none on
// the in-memory fake), and the wait's schedule must live in Next, never 0
// while the wait goes on.
func TestPollNeverSleeps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, c := fakeAPI(t)
		id := srv.AddJob(taurusjobtest.Job{Invisible: 8 * time.Second, Running: 10 * time.Minute})
		p := mustPoller(t, mustWaiter(t, c), id)
		for i := 0; !p.Done(); i++ {
			before := time.Now()
			u, err := p.Poll(context.Background())
			if took := time.Since(before); took != 0 {
				t.Fatalf("poll %d took %s of fake time; Poll must never sleep", i, took)
			}
			if !p.Done() && (err != nil || u.Next <= 0 || !u.Polled) {
				t.Fatalf("poll %d: %+v, %v; want a poll, no error and Next > 0 while the job runs", i, u, err)
			}
			time.Sleep(u.Next)
		}
		if job, err := p.Result(); err != nil || job.Status != taurusjob.StatusCompleted {
			t.Errorf("Result = %+v, %v; want Completed", job, err)
		}
	})
}

// A controller reconciles for unrelated reasons too: a Poll before Next
// has passed must not spend the tenant's quota.
func TestPollBeforeDueSendsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, c := fakeAPI(t)
		id := srv.AddJob(taurusjobtest.Job{Running: time.Hour})
		p := mustPoller(t, mustWaiter(t, c), id)
		first, err := p.Poll(context.Background())
		if err != nil || !first.Polled || first.Next <= time.Second {
			t.Fatalf("first Poll = %+v, %v; want a poll and a later Next", first, err)
		}
		time.Sleep(time.Second)
		early, err := p.Poll(context.Background())
		if err != nil || early.Polled || early.Held != taurusjob.HoldNotDue || early.Next != first.Next-time.Second {
			t.Errorf("early Poll = Polled %v, Held %v, Next %s, %v; want nothing sent, not due, Next %s",
				early.Polled, early.Held, early.Next, err, first.Next-time.Second)
		}
		if early.Poll != 1 || early.Job == nil || early.Job.Status != taurusjob.StatusRunning {
			t.Errorf("early Poll reports poll %d, job %+v; want what the wait knows (1 poll, Running)", early.Poll, early.Job)
		}
		if n := srv.RequestCount(id); n != 1 {
			t.Errorf("%d requests; an early Poll sent one", n)
		}
	})
}

// A Poll cut short by ctx leaves the Poller as it was: the same token,
// no poll counted, and the next Poll is the one that was due.
func TestPollCtxCutLeavesStateUnchanged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls int
		g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			calls++
			if calls == 2 {
				<-ctx.Done() // the request hangs until the caller gives up
				return nil, &taurusjob.TransportError{Err: ctx.Err()}
			}
			return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 10 * calls}, nil
		})
		p := mustPoller(t, mustWaiter(t, g), "job-1")
		u, _ := p.Poll(context.Background())
		time.Sleep(u.Next)
		before, _ := p.ResumeToken()

		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		cut, err := p.Poll(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || cut.Polled || cut.Next <= 0 || cut.Done || p.Done() {
			t.Fatalf("cut Poll = %+v, %v; want ctx's error, nothing polled, Next > 0, not done", cut, err)
		}
		if after, _ := p.ResumeToken(); after != before {
			t.Error("a Poll cut short by ctx changed the Poller's state")
		}
		next, err := p.Poll(context.Background())
		if err != nil || !next.Polled || next.Poll != 2 || next.Progress != 30 {
			t.Errorf("Poll after the cut = %+v, %v; want poll 2 sent at once, the job at 30%%", next, err)
		}
	})
}

// ending is one way a wait can end, scripted for a getter.
type ending struct {
	name   string
	opts   []taurusjob.Option
	script func(e time.Duration) (*taurusjob.Job, error)
}

var endings = []ending{
	{"completed", nil, lifecycle(8*time.Second, 3*time.Minute, taurusjob.StatusCompleted)},
	{"failed", nil, lifecycle(0, time.Minute, taurusjob.StatusFailed)},
	{"canceled", nil, lifecycle(0, time.Minute, taurusjob.StatusCanceled)},
	{"pending", []taurusjob.Option{taurusjob.WithReturnOnPending()}, func(time.Duration) (*taurusjob.Job, error) {
		return &taurusjob.Job{Status: taurusjob.StatusPending, Progress: -1}, nil
	}},
	{"not visible", []taurusjob.Option{taurusjob.WithVisibilityGrace(20 * time.Second)}, lifecycle(time.Hour, 2*time.Hour, taurusjob.StatusCompleted)},
	{"permanent", nil, func(e time.Duration) (*taurusjob.Job, error) {
		if e < 30*time.Second {
			return &taurusjob.Job{Status: taurusjob.StatusRunning, Progress: 5}, nil
		}
		return nil, &taurusjob.APIError{StatusCode: http.StatusForbidden, Code: "DBS.280343", Message: "no permission"}
	}},
	{"timeout", []taurusjob.Option{taurusjob.WithTimeout(10 * time.Minute)}, func(time.Duration) (*taurusjob.Job, error) {
		return nil, &taurusjob.APIError{StatusCode: http.StatusBadGateway, Message: "bad gateway"}
	}},
}

// Result, once Done, is exactly what Wait returns, for every ending; before
// Done it is ErrNotDone, never a panic.
func TestPollerResultIsWaits(t *testing.T) {
	for _, tc := range endings {
		t.Run(tc.name, func(t *testing.T) {
			var waitJob, pollJob *taurusjob.Job
			var waitErr, pollErr error
			var waitPolls, pollPolls int
			synctest.Test(t, func(t *testing.T) {
				mrand.Seed(7)
				g := newScript(tc.script)
				waitJob, waitErr = mustWaiter(t, g, tc.opts...).Wait(context.Background(), "job-1")
				waitPolls = len(g.pollTimes())
			})
			synctest.Test(t, func(t *testing.T) {
				mrand.Seed(7)
				g := newScript(tc.script)
				p := mustPoller(t, mustWaiter(t, g, tc.opts...), "job-1")
				if job, err := p.Result(); job != nil || !errors.Is(err, taurusjob.ErrNotDone) {
					t.Errorf("Result before Done = %v, %v; want nil, ErrNotDone", job, err)
				}
				pollJob, pollErr = driveByHand(p)
				pollPolls = len(g.pollTimes())
				if u, err := p.Poll(context.Background()); !u.Done || u.Polled || err != pollErr || len(g.pollTimes()) != pollPolls {
					t.Errorf("Poll after Done = %+v, %v; want the final update and error again, nothing sent", u, err)
				}
			})
			if fmt.Sprint(waitErr) != fmt.Sprint(pollErr) || fmt.Sprintf("%+v", waitJob) != fmt.Sprintf("%+v", pollJob) ||
				taurusjob.Outcome(waitJob, waitErr) != taurusjob.Outcome(pollJob, pollErr) || waitPolls != pollPolls {
				t.Errorf("Wait: %+v, %v after %d polls\nPoll: %+v, %v after %d polls", waitJob, waitErr, waitPolls,
					pollJob, pollErr, pollPolls)
			}
			if (waitErr == nil) != (pollErr == nil) || (waitErr != nil && fmt.Sprintf("%T", waitErr) != fmt.Sprintf("%T", pollErr)) {
				t.Errorf("error types differ: %T and %T", waitErr, pollErr)
			}
		})
	}
}

// A controller that keeps nothing but the token between reconciles spends
// what Wait spends on the same job, and gets the same outcome: the token
// carries everything the schedule uses. The fake API scripts each job, and
// the same seed gives both drivers the same jitter.
func TestPollerRebuiltFromTokenEveryStep(t *testing.T) {
	jobs := []struct {
		name  string
		job   taurusjobtest.Job
		rules func(start time.Time) []taurusjobtest.Rule
	}{
		{"linear 30 min, invisible 8 s", taurusjobtest.Job{Invisible: 8 * time.Second, Running: 30 * time.Minute}, nil},
		{"no percent 10 min", taurusjobtest.Job{Invisible: 8 * time.Second, Running: 10 * time.Minute,
			Profile: taurusjobtest.NoProgress}, nil},
		{"fails at 7 min", taurusjobtest.Job{Running: 7 * time.Minute, Outcome: taurusjobtest.Failed, FailReason: "disk full"}, nil},
		{"never visible", taurusjobtest.Job{Invisible: taurusjobtest.Forever}, nil},
		{"5xx storm", taurusjobtest.Job{Running: 4 * time.Minute}, func(start time.Time) []taurusjobtest.Rule {
			return []taurusjobtest.Rule{{Fault: taurusjobtest.ServerError(503), From: start.Add(30 * time.Second),
				Until: start.Add(2 * time.Minute)}}
		}},
		{"429s", taurusjobtest.Job{Running: 4 * time.Minute}, func(time.Time) []taurusjobtest.Rule {
			return []taurusjobtest.Rule{{Fault: taurusjobtest.Throttle(20 * time.Second), Every: 3}}
		}},
		{"timeout", taurusjobtest.Job{Running: taurusjobtest.Forever}, nil},
	}
	for _, tc := range jobs {
		t.Run(tc.name, func(t *testing.T) {
			run := func(drive func(w *taurusjob.Waiter, id string) (*taurusjob.Job, error)) (string, int) {
				var outcome string
				var calls int
				synctest.Test(t, func(t *testing.T) {
					mrand.Seed(11)
					srv, c := fakeAPI(t)
					if tc.rules != nil {
						for _, r := range tc.rules(time.Now()) {
							srv.AddRule(r)
						}
					}
					id := srv.AddJob(tc.job)
					w := mustWaiter(t, c, taurusjob.WithTimeout(time.Hour))
					job, err := drive(w, id)
					outcome, calls = taurusjob.Outcome(job, err), srv.RequestCount(id)
				})
				return outcome, calls
			}
			waitOutcome, waitCalls := run(func(w *taurusjob.Waiter, id string) (*taurusjob.Job, error) {
				return w.Wait(context.Background(), id)
			})
			tokenOutcome, tokenCalls := run(func(w *taurusjob.Waiter, id string) (*taurusjob.Job, error) {
				return rebuiltEachStep(t, w, id)
			})
			if waitOutcome != tokenOutcome || abs(waitCalls-tokenCalls) > 1 {
				t.Errorf("Wait: %s after %d calls; rebuilt from its token at every step: %s after %d calls",
					waitOutcome, waitCalls, tokenOutcome, tokenCalls)
			}
		})
	}
}

// A Poller rebuilt from its token honours the saved next-due time.
func TestResumePollerHonoursDue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, c := fakeAPI(t)
		id := srv.AddJob(taurusjobtest.Job{Running: time.Hour})
		w := mustWaiter(t, c)
		p := mustPoller(t, w, id)
		u, _ := p.Poll(context.Background())
		token, _ := p.ResumeToken()
		time.Sleep(u.Next / 2)
		again, err := w.ResumePoller(id, token)
		if err != nil {
			t.Fatal(err)
		}
		held, err := again.Poll(context.Background())
		if err != nil || held.Polled || held.Held != taurusjob.HoldNotDue || held.Next != u.Next-u.Next/2 {
			t.Errorf("first Poll of the rebuilt Poller = %+v, %v; want nothing sent until the saved due time", held, err)
		}
		if n := srv.RequestCount(id); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
}

// The Pollers of one Waiter share its quota, whoever drives them: a 429
// met by one holds the others' due polls without a request, and a rate
// limit is kept across Pollers driven by hand.
func TestPollersShareTheQuota(t *testing.T) {
	t.Run("429 cool-down", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			log := newPollLog()
			g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
				log.record(id)
				if id == "throttled" {
					return nil, &taurusjob.APIError{StatusCode: http.StatusTooManyRequests, RetryAfter: 30 * time.Second}
				}
				return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 1}, nil
			})
			w := mustWaiter(t, g)
			a, b := mustPoller(t, w, "throttled"), mustPoller(t, w, "other")
			if u, _ := a.Poll(context.Background()); !u.Polled || u.Err == nil {
				t.Fatalf("first poll = %+v; want the 429", u)
			}
			u, err := b.Poll(context.Background())
			if err != nil || u.Polled || u.Held != taurusjob.HoldCooldown || u.Next < 30*time.Second || u.Next > 36*time.Second {
				t.Errorf("other Poller's Poll = Polled %v, Held %v, Next %s; want held by the 30 s cool-down (and its spread)",
					u.Polled, u.Held, u.Next)
			}
			if got := log.of("other"); len(got) != 0 {
				t.Errorf("the other Poller sent %d requests during the cool-down", len(got))
			}
			time.Sleep(u.Next)
			if u, _ := b.Poll(context.Background()); !u.Polled {
				t.Errorf("after the cool-down: %+v; want the poll sent", u)
			}
		})
	})
	t.Run("rate limit", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			log := newPollLog()
			g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
				log.record(id)
				return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 1}, nil
			})
			w := mustWaiter(t, g, taurusjob.WithLimiter(rate.NewLimiter(1, 1)), taurusjob.WithInterval(100*time.Millisecond, time.Minute))
			var wg sync.WaitGroup
			for _, id := range jobIDs(10) {
				p := mustPoller(t, w, id)
				wg.Go(func() {
					for range 5 {
						u, _ := p.Poll(context.Background())
						time.Sleep(u.Next)
					}
				})
			}
			wg.Wait()
			checkRate(t, log.times(), 1, 1, 0)
		})
	})
}

// A token reserved from a limiter by a Poller whose wait ends is given back.
func TestPollerGivesBackItsToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 1}, nil
		})
		lim := rate.NewLimiter(rate.Every(time.Minute), 1)
		w := mustWaiter(t, g, taurusjob.WithLimiter(lim), taurusjob.WithTimeout(90*time.Second))
		p := mustPoller(t, w, "job-1")
		u, _ := p.Poll(context.Background()) // takes the only token
		time.Sleep(u.Next)
		held, _ := p.Poll(context.Background()) // reserves the next, due in a minute
		if held.Held != taurusjob.HoldRateLimit {
			t.Fatalf("second Poll = %+v; want it held by the rate limit", held)
		}
		time.Sleep(90*time.Second - u.Next) // the deadline, before the token's time
		end, err := p.Poll(context.Background())
		if !end.Done || !errors.Is(err, taurusjob.ErrTimeout) {
			t.Fatalf("Poll at the deadline = %+v, %v; want the timeout", end, err)
		}
		if tokens := lim.Tokens(); tokens < 0.4 {
			t.Errorf("limiter has %.2f tokens; the reserved one was not given back", tokens)
		}
	})
}

// Many goroutines may Poll one Poller: the polls are serialised, and a due
// poll is sent once.
func TestPollerConcurrentPolls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, c := fakeAPI(t)
		id := srv.AddJob(taurusjobtest.Job{Running: time.Hour})
		p := mustPoller(t, mustWaiter(t, c), id)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 5 {
					u, _ := p.Poll(context.Background())
					time.Sleep(u.Next)
				}
			})
		}
		wg.Wait()
		if n := srv.RequestCount(id); n > 5 {
			t.Errorf("8 goroutines polling 5 times each sent %d requests; want one per due poll (at most 5)", n)
		}
	})
}

// Misuse gets an error, never a panic.
func TestPollerMisuse(t *testing.T) {
	var zero taurusjob.Poller
	if _, err := zero.Poll(context.Background()); !errors.Is(err, taurusjob.ErrInvalidInput) {
		t.Errorf("Poll on a zero Poller: %v; want ErrInvalidInput", err)
	}
	if _, err := zero.ResumeToken(); !errors.Is(err, taurusjob.ErrInvalidInput) {
		t.Errorf("ResumeToken on a zero Poller: %v; want ErrInvalidInput", err)
	}
	g := getterFunc(func(context.Context, string) (*taurusjob.Job, error) { panic("no request expected") })
	w := mustWaiter(t, g)
	for _, id := range []string{"", "a/b", string(make([]byte, 200))} {
		if p, err := w.NewPoller(id); p != nil || !errors.Is(err, taurusjob.ErrInvalidInput) {
			t.Errorf("NewPoller(%q) = %v, %v; want ErrInvalidInput", id, p, err)
		}
	}
	for _, token := range []string{"", "tjs1.e30.AAAA", "not a token"} {
		if p, err := w.ResumePoller("job-1", token); p != nil || !errors.Is(err, taurusjob.ErrInvalidInput) {
			t.Errorf("ResumePoller(%q) = %v, %v; want ErrInvalidInput", token, p, err)
		}
	}
	res := w.WaitPollers(context.Background(), nil)
	if len(res) != 1 || !errors.Is(res[0].Err, taurusjob.ErrInvalidInput) {
		t.Errorf("WaitPollers(nil) = %+v; want an ErrInvalidInput in its place", res)
	}
}

// WaitAll waits for every job from the start: 40 jobs with a 2 s timeout
// end at 2 s, each with its own state, whatever WithConcurrency.
func TestWaitAllFortyJobsOneDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log := newPollLog()
		g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			log.record(id)
			time.Sleep(10 * time.Millisecond)
			return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 3}, nil
		})
		w := mustWaiter(t, g, taurusjob.WithTimeout(2*time.Second), taurusjob.WithInterval(100*time.Millisecond, time.Second))
		start := time.Now()
		results := w.WaitAll(context.Background(), jobIDs(40)...)
		if took := time.Since(start); took != 2*time.Second {
			t.Errorf("WaitAll of 40 jobs with WithTimeout(2s) took %s", took)
		}
		for _, r := range results {
			var te *taurusjob.TimeoutError
			if !errors.As(r.Err, &te) || te.Polls < 2 || r.Job == nil || r.Job.Progress != 3 {
				t.Errorf("%s: %v, job %+v; want a timeout after several polls, with the last job", r.JobID, r.Err, r.Job)
			}
		}
	})
}

// A cancel ends every wait of WaitAll at once, each with its state.
func TestWaitAllCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 7}, nil
		})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Minute, cancel)
		start := time.Now()
		results := mustWaiter(t, g).WaitAll(ctx, jobIDs(100)...)
		if took := time.Since(start); took != time.Minute {
			t.Errorf("WaitAll returned %s after the start; want at the cancel", took)
		}
		for _, r := range results {
			if !errors.Is(r.Err, context.Canceled) || r.Job == nil || r.Job.Progress != 7 ||
				taurusjob.Outcome(r.Job, r.Err) != "interrupted" {
				t.Errorf("%s: %v, %+v; want interrupted with the last job", r.JobID, r.Err, r.Job)
			}
		}
	})
}

// A Poller is safe for concurrent use, and its callbacks may read the
// Poller (ResumeToken, Done, Result) while another goroutine's Poll comes:
// neither blocks. Here goroutine A's progress callback reads p.Done() (a
// callback saving p.ResumeToken() is the same) while goroutine B's Poll
// comes past the deadline. Real time: a blocked mutex is not "durably
// blocked" for synctest.
func TestPollerCallbackReadsThePollerWhileAnotherPollComes(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var pp atomic.Pointer[taurusjob.Poller]
	var calls atomic.Int32
	g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
		return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 1}, nil
	})
	w := mustWaiter(t, g, taurusjob.WithTimeout(300*time.Millisecond),
		taurusjob.WithProgress(func(u taurusjob.Update) {
			if calls.Add(1) == 1 {
				close(entered)
				<-release
			}
			_ = pp.Load().Done() // "may read the Poller"
		}))
	p := mustPoller(t, w, "job-1")
	pp.Store(p)

	aDone, bDone := make(chan struct{}), make(chan struct{})
	go func() { defer close(aDone); p.Poll(context.Background()) }()
	<-entered
	time.Sleep(400 * time.Millisecond) // past the Poller's deadline
	go func() { defer close(bDone); p.Poll(context.Background()) }()
	time.Sleep(100 * time.Millisecond) // let B block behind A (if it did not yet, the test proves less, never fails wrongly)
	close(release)
	timeout := time.After(3 * time.Second)
	for _, c := range []chan struct{}{aDone, bDone} {
		select {
		case <-c:
		case <-timeout:
			t.Fatal("deadlock: a callback reading the Poller blocks, and so does the concurrent Poll")
		}
	}
}

// A request still in flight at the deadline counts as a poll whoever
// drives the wait: Wait (whose ctx carries the deadline) and a caller's own
// Poll loop end with the same TimeoutError for the same requests sent.
func TestRequestSpanningTheDeadlineCountsAlikeForWaitAndPoll(t *testing.T) {
	hanging := func() (taurusjob.JobGetter, *atomic.Int32) {
		var calls atomic.Int32
		return getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
			if calls.Add(1) == 1 {
				return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 1}, nil
			}
			<-ctx.Done() // hangs past the deadline
			return nil, &taurusjob.TransportError{Err: ctx.Err()}
		}), &calls
	}
	var waitErr, pollErr error
	var waitCalls, pollCalls int32
	synctest.Test(t, func(t *testing.T) {
		g, calls := hanging()
		_, waitErr = mustWaiter(t, g, taurusjob.WithTimeout(time.Minute)).Wait(context.Background(), "job-1")
		waitCalls = calls.Load()
	})
	synctest.Test(t, func(t *testing.T) {
		g, calls := hanging()
		_, pollErr = driveByHand(mustPoller(t, mustWaiter(t, g, taurusjob.WithTimeout(time.Minute)), "job-1"))
		pollCalls = calls.Load()
	})
	var wt, pt *taurusjob.TimeoutError
	if !errors.As(waitErr, &wt) || !errors.As(pollErr, &pt) {
		t.Fatalf("Wait: %v; Poll: %v; want timeouts", waitErr, pollErr)
	}
	if waitCalls != pollCalls || wt.Polls != pt.Polls {
		t.Errorf("same %d/%d requests sent; Wait's TimeoutError says %d polls, the Poller's %d",
			waitCalls, pollCalls, wt.Polls, pt.Polls)
	}
}

// A controller that keeps only the token (as ExamplePoller does) rebuilds
// its Poller at every reconcile. Under a shared limiter that holds its
// polls, the rebuilt Poller finds the token its previous self reserved,
// rather than queueing a new one behind it: it spends within one call of
// Wait on the same job, with the same outcome.
func TestRebuiltPollerUnderARateLimitSpendsAsWaitDoes(t *testing.T) {
	run := func(drive func(w *taurusjob.Waiter) (*taurusjob.Job, error)) (string, int) {
		var outcome string
		var calls int
		synctest.Test(t, func(t *testing.T) {
			g := newScript(lifecycle(0, 2*time.Minute, taurusjob.StatusCompleted))
			lim := rate.NewLimiter(rate.Every(10*time.Second), 1)
			lim.Allow() // other code on the same quota took the token
			w := mustWaiter(t, g, taurusjob.WithLimiter(lim), taurusjob.WithTimeout(10*time.Minute))
			job, err := drive(w)
			outcome, calls = taurusjob.Outcome(job, err), len(g.pollTimes())
		})
		return outcome, calls
	}
	waitOutcome, waitCalls := run(func(w *taurusjob.Waiter) (*taurusjob.Job, error) {
		return w.Wait(context.Background(), "job-1")
	})
	tokenOutcome, tokenCalls := run(func(w *taurusjob.Waiter) (*taurusjob.Job, error) {
		return rebuiltEachStep(t, w, "job-1")
	})
	if waitOutcome != tokenOutcome || abs(waitCalls-tokenCalls) > 1 {
		t.Errorf("Wait: %s after %d calls; rebuilt from its token at every step: %s after %d calls",
			waitOutcome, waitCalls, tokenOutcome, tokenCalls)
	}
}

// runningGetterFunc answers Running to every poll.
func runningGetterFunc(_ context.Context, id string) (*taurusjob.Job, error) {
	return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: -1}, nil
}

// A limiter shared with other code may be set to 0 after taurusjob.NewWaiter: the
// wait ends at once with a *taurusjob.WaitError matching taurusjob.ErrInvalidInput, as
// taurusjob.WithLimiter says, not held until its deadline.
func TestLimiterSetToZeroLaterEndsTheWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := rate.NewLimiter(10, 1)
		w, err := taurusjob.NewWaiter(getterFunc(runningGetterFunc), taurusjob.WithLimiter(l), taurusjob.WithTimeout(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		l.SetLimit(0)
		_ = l.Allow() // other code spends the burst
		start := time.Now()
		_, err = w.Wait(context.Background(), "job-1")
		var we *taurusjob.WaitError
		if !errors.As(err, &we) || !errors.Is(err, taurusjob.ErrInvalidInput) || time.Since(start) > time.Minute {
			t.Errorf("Wait with a limiter set to 0 = %v (%T) after %s; want a *taurusjob.WaitError matching taurusjob.ErrInvalidInput at once", err, err, time.Since(start))
		}
	})
}

// A hand-written getter that returns a nil *taurusjob.APIError or *taurusjob.TransportError
// in a non-nil error (var e *taurusjob.APIError; return nil, e) ends the wait with an
// error that says so; nothing panics in the caller's goroutine.
func TestTypedNilErrorFromAGetterEndsTheWait(t *testing.T) {
	for name, mk := range map[string]func() error{
		"*taurusjob.APIError":       func() error { var e *taurusjob.APIError; return e },
		"*taurusjob.TransportError": func() error { var e *taurusjob.TransportError; return e },
		"*taurusjob.InputError":     func() error { var e *taurusjob.InputError; return e },
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := getterFunc(func(context.Context, string) (*taurusjob.Job, error) { return nil, mk() })
				w, err := taurusjob.NewWaiter(g, taurusjob.WithTimeout(time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				_, err = w.Wait(context.Background(), "job-1")
				var we *taurusjob.WaitError
				if !errors.As(err, &we) || err.Error() == "" {
					t.Errorf("Wait = %v; want a *taurusjob.WaitError naming the nil error", err)
				}
			})
		})
	}
}

// Done, Result, ResumeToken, Deadline and JobID answer at once while a
// Poll of the same Poller waits for its answer in another goroutine (a
// controller's status endpoint, a heartbeat): no lock is held across the
// request. A second Poll meanwhile sends nothing and returns at once,
// held, rather than waiting for the first. Real time: a goroutine blocked
// on a mutex is not "durably blocked" for synctest, so the bound below is
// only how long a failing run takes to say so.
func TestPollerAnswersAtOnceWhileARequestIsOut(t *testing.T) {
	inGet, release := make(chan struct{}), make(chan struct{})
	var requests atomic.Int32
	g := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
		if requests.Add(1) == 1 {
			close(inGet)
		}
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 5}, nil
	})
	p := mustPoller(t, mustWaiter(t, g), "job-1")
	polled := make(chan struct{})
	go func() { defer close(polled); _, _ = p.Poll(context.Background()) }()
	<-inGet

	type reads struct {
		took   time.Duration
		second taurusjob.Update
		err    error
	}
	got := make(chan reads, 1)
	go func() {
		start := time.Now()
		_, _ = p.Done(), p.Deadline()
		_, _ = p.Result()
		_, _ = p.ResumeToken()
		_ = p.JobID()
		u, err := p.Poll(context.Background())
		got <- reads{time.Since(start), u, err}
	}()
	select {
	case r := <-got:
		t.Logf("five reads and a second Poll took %s with a request out", r.took)
		if r.err != nil || r.second.Polled || r.second.Held == 0 || r.second.Next <= 0 {
			t.Errorf("second Poll = %+v, %v; want it held, nothing sent, a Next to come back after", r.second, r.err)
		}
		if r.second.Held.String() != "a poll in flight" {
			t.Errorf("held by %q; want it to say a poll is in flight", r.second.Held)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("reading the Poller waits for the request in flight")
	}
	close(release)
	<-polled
	if n := requests.Load(); n != 1 {
		t.Errorf("%d requests; want the first Poll's alone", n)
	}
}
