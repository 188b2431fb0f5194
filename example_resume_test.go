package taurusjob_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/taurusdb-tools/taurusjob"
	"golang.org/x/time/rate"
)

// A process that may be restarted saves the state of its wait after every
// poll, and on start resumes from the saved state when there is one: the
// wait keeps its deadline and grace window, and remembers the job was seen.
// Here the "process" runs twice; the first run is stopped after one poll.
// (Use a secret [WithStateKey] when others can write where the file is.)
func ExampleWaiter_Resume() {
	dir, err := os.MkdirTemp("", "taurusjob-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "wait.state")
	const jobID = "f9959f52-aa4d-43f7-be74-44b6fc20b239"

	ctx, stop := context.WithCancel(context.Background())
	var polls atomic.Int32
	api := getterFunc(func(_ context.Context, id string) (*taurusjob.Job, error) {
		if polls.Add(1) == 1 {
			stop() // the first run is stopped after its first poll
			return &taurusjob.Job{ID: id, Status: taurusjob.StatusRunning, Progress: 40}, nil
		}
		return &taurusjob.Job{ID: id, Status: taurusjob.StatusCompleted, Progress: -1}, nil
	})

	run := func(ctx context.Context) {
		waiter, err := taurusjob.NewWaiter(api, taurusjob.OnState(func(jobID, token string) {
			// A real program writes to a temporary file and renames it, so a
			// crash never leaves half a token.
			if err := os.WriteFile(path, []byte(token), 0o600); err != nil {
				fmt.Println("saving the wait:", err) // the wait goes on
			}
		}))
		if err != nil {
			fmt.Println(err)
			return
		}
		var job *taurusjob.Job
		token, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			fmt.Println("new wait")
			job, err = waiter.Wait(ctx, jobID)
		case err != nil:
			fmt.Println(err)
			return
		default:
			fmt.Println("resumed wait")
			job, err = waiter.Resume(ctx, jobID, string(token))
		}
		if job != nil {
			fmt.Println(taurusjob.Outcome(job, err), job.Status, job.Progress)
		}
	}

	run(ctx)
	run(context.Background())
	// Output:
	// new wait
	// interrupted Running 40
	// resumed wait
	// completed Completed -1
}

// Waiters that spend the same API quota share one limiter, set a little
// below the quota: here 20 requests a second for a tenant allowed about 25.
func ExampleWithLimiter() {
	quota := rate.NewLimiter(20, 5)
	api := getterFunc(func(ctx context.Context, id string) (*taurusjob.Job, error) {
		return &taurusjob.Job{ID: id, Status: taurusjob.StatusCompleted, Progress: -1}, nil
	})
	creates, _ := taurusjob.NewWaiter(api, taurusjob.WithLimiter(quota))
	resizes, _ := taurusjob.NewWaiter(api, taurusjob.WithLimiter(quota))
	_, err1 := creates.Wait(context.Background(), "job-create")
	_, err2 := resizes.Wait(context.Background(), "job-resize")
	fmt.Println(err1, err2)
	// Output:
	// <nil> <nil>
}
