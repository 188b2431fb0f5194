package taurusjob

import (
	"context"
	"errors"
	"testing"
	"time"
)

const (
	firstTrace  = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	secondTrace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
)

// A hook records the wait's trace context once; the token carries it, so
// that a wait resumed in another process reports the first one.
func TestTraceTravelsInTheToken(t *testing.T) {
	var hooked []Update
	g := getterFunc(func(ctx context.Context, id string) (*Job, error) {
		return &Job{ID: id, Status: StatusRunning, Progress: -1}, nil
	})
	w, _ := NewWaiter(g, WithUpdateHook(func(ctx context.Context, u Update) {
		hooked = append(hooked, u)
		if u.Trace() != "" {
			t.Errorf("a new wait reports trace %q before any was set", u.Trace())
		}
		u.SetTrace("00-not-a-traceparent")
		u.SetTrace(firstTrace)
		u.SetTrace(secondTrace) // the first one stays
	}))
	p, _ := w.NewPoller("job1")
	if _, err := p.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	token, _ := p.ResumeToken()

	other, _ := NewWaiter(g) // another process
	q, err := other.ResumePoller("job1", token)
	if err != nil {
		t.Fatal(err)
	}
	q.st.Due = time.Now()
	u, _ := q.Poll(context.Background())
	if u.Trace() != firstTrace {
		t.Errorf("resumed wait's trace %q; want the first one recorded, %q", u.Trace(), firstTrace)
	}
	if (Update{}).Trace() != "" {
		t.Error("a zero Update has a trace")
	}
	(Update{}).SetTrace(firstTrace) // must not panic
}

// A token whose trace context is not a traceparent is refused: it was
// not written by this library.
func TestTokenWithAMalformedTraceIsRefused(t *testing.T) {
	st := *sampleState()
	tp0 := firstTrace
	st.Trace = &tp0
	w0, _ := NewWaiter(getterFunc(func(ctx context.Context, id string) (*Job, error) { return nil, nil }))
	if _, err := w0.ResumePoller("job-1", forged(st)); err != nil {
		t.Fatalf("a token with a traceparent: %v", err)
	}
	for _, tp := range []string{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01"} {
		st.Trace = &tp
		w, _ := NewWaiter(getterFunc(func(ctx context.Context, id string) (*Job, error) { return nil, nil }))
		if _, err := w.ResumePoller("job-1", forged(st)); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("trace %q: ResumePoller = %v; want ErrInvalidInput", tp, err)
		}
	}
}
