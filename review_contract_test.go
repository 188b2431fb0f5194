package taurusjob

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"
)

// A caller of GetJob (a CLI's get, a controller's own loop) tells an
// answer without a job from any other failure with the exported ErrNoJob;
// it is not ErrNotVisible, which only the end of a wait matches.
func TestEmptyAnswerMatchesErrNoJob(t *testing.T) {
	for _, body := range []string{`{"job":null}`, `{}`, `{"job":{}}`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body))
		}))
		c := newTestClient(t, srv.URL, nil)
		job, err := c.GetJob(context.Background(), testJobID)
		srv.Close()
		if job != nil || !errors.Is(err, ErrNoJob) || errors.Is(err, ErrNotVisible) {
			t.Errorf("%s: GetJob = %v, %v; want an error matching ErrNoJob and not ErrNotVisible", body, job, err)
		}
	}
}

// runningGetterFunc answers Running to every poll.
func runningGetterFunc(_ context.Context, id string) (*Job, error) {
	return &Job{ID: id, Status: StatusRunning, Progress: -1}, nil
}

// A limiter shared with other code may be set to 0 after NewWaiter: the
// wait ends at once with a *WaitError matching ErrInvalidInput, as
// WithLimiter says, not held until its deadline.
func TestLimiterSetToZeroLaterEndsTheWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := rate.NewLimiter(10, 1)
		w, err := NewWaiter(getterFunc(runningGetterFunc), WithLimiter(l), WithTimeout(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		l.SetLimit(0)
		_ = l.Allow() // other code spends the burst
		start := time.Now()
		_, err = w.Wait(context.Background(), testJobID)
		var we *WaitError
		if !errors.As(err, &we) || !errors.Is(err, ErrInvalidInput) || time.Since(start) > time.Minute {
			t.Errorf("Wait with a limiter set to 0 = %v (%T) after %s; want a *WaitError matching ErrInvalidInput at once", err, err, time.Since(start))
		}
	})
}

// A hand-written getter that returns a nil *APIError or *TransportError
// in a non-nil error (var e *APIError; return nil, e) ends the wait with an
// error that says so; nothing panics in the caller's goroutine.
func TestTypedNilErrorFromAGetterEndsTheWait(t *testing.T) {
	for name, mk := range map[string]func() error{
		"*APIError":       func() error { var e *APIError; return e },
		"*TransportError": func() error { var e *TransportError; return e },
		"*InputError":     func() error { var e *InputError; return e },
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				g := getterFunc(func(context.Context, string) (*Job, error) { return nil, mk() })
				w, err := NewWaiter(g, WithTimeout(time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				_, err = w.Wait(context.Background(), testJobID)
				var we *WaitError
				if !errors.As(err, &we) || err.Error() == "" {
					t.Errorf("Wait = %v; want a *WaitError naming the nil error", err)
				}
			})
		})
	}
}
