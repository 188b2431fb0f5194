package taurusjobotel

import (
	"context"
	"sync"
	"time"

	"github.com/taurusdb-tools/taurusjob"
	"github.com/taurusdb-tools/taurusjob/internal/clip"
	"github.com/taurusdb-tools/taurusjob/internal/jobid"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// The hook is handed updates, not Pollers: it has to tell which wait an
// update belongs to from the update itself. Its job id and the time its
// wait started (now − Elapsed) say it, but that start is seen a little late
// (the hook runs after the Poller took the time: the state callback and
// earlier hooks run first), and past the deadline Elapsed stops growing.
// So a wait is found among the open ones of its job id by a start within
// startTolerance, and, for the final update only, by the latest start
// before its own.
const (
	startTolerance = time.Second
	sweepEvery     = time.Minute // how often silent waits are looked for
)

// table is the waits with an open span, by job id (one, nearly always).
type table struct {
	tracer    trace.Tracer
	service   string
	idleLimit time.Duration
	maxWaits  int

	mu        sync.Mutex
	open      map[string][]*wait
	n         int
	nextSweep time.Time
}

// wait is one wait's span and what is needed to find it again. Its fields
// are guarded by table.mu; its span is safe for concurrent use.
type wait struct {
	span  trace.Span
	start time.Time     // now − Elapsed at its first update
	polls int           // Update.Poll of its last update
	last  time.Time     // when its last update came
	next  time.Duration // Update.Next of its last update
	named bool          // the job's name is on the span
}

func newTable(tracer trace.Tracer, cfg config) *table {
	return &table{tracer: tracer, service: cfg.service, idleLimit: cfg.idleLimit,
		maxWaits: cfg.maxWaits, open: map[string][]*wait{}}
}

// update finds u's wait (or starts its span) and adds u to its span; the
// spans of silent waits and, at Done, u's own span are ended.
func (t *table) update(ctx context.Context, u taurusjob.Update, now time.Time) {
	t.mu.Lock()
	gone := t.sweep(now)
	w := t.find(u, now)
	if w == nil {
		if t.n >= t.maxWaits {
			gone = append(gone, t.evict())
		}
		w = t.add(ctx, u, now)
	}
	w.polls, w.last, w.next = u.Poll, now, u.Next
	name := !w.named && u.Job != nil && u.Job.Name != ""
	w.named = w.named || name
	if u.Done {
		t.remove(waitKey(u), w)
	}
	t.mu.Unlock()

	for _, a := range gone {
		a.end()
	}
	addUpdate(w.span, u, now, name)
}

// find returns u's open wait, or nil. t.mu is held.
func (t *table) find(u taurusjob.Update, now time.Time) *wait {
	start := now.Add(-u.Elapsed)
	var best, latest *wait
	for _, w := range t.open[waitKey(u)] {
		if u.Poll < w.polls {
			continue // a wait's polls never go back: another wait
		}
		if d := absDur(start.Sub(w.start)); d <= startTolerance && (best == nil || d < absDur(start.Sub(best.start))) {
			best = w
		}
		if !w.start.After(start.Add(startTolerance)) && (latest == nil || w.start.After(latest.start)) {
			latest = w
		}
	}
	if best == nil && u.Done {
		return latest // a wait ended past its deadline: its Elapsed stopped at the deadline
	}
	return best
}

// add starts the span of a wait first seen with u. t.mu is held.
//
// A wait resumed from a token (in this process or another) carries the
// trace context its first span recorded: the new span links to that span
// and, when ctx has no span of its own, continues its trace as its child.
// A wait that carries none records this span's, for the token.
func (t *table) add(ctx context.Context, u taurusjob.Update, now time.Time) *wait {
	w := &wait{start: now.Add(-u.Elapsed)}
	opts := []trace.SpanStartOption{trace.WithTimestamp(w.start), trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(subjectAttr(u), KeyService.String(t.service))}
	first := carried(u)
	if first.IsValid() {
		opts = append(opts, trace.WithLinks(trace.Link{SpanContext: first}))
		if !trace.SpanContextFromContext(ctx).IsValid() {
			ctx = trace.ContextWithRemoteSpanContext(ctx, first)
		}
	}
	_, w.span = t.tracer.Start(ctx, SpanName, opts...)
	if !first.IsValid() {
		u.SetTrace(traceparent(w.span.SpanContext()))
	}
	t.open[waitKey(u)] = append(t.open[waitKey(u)], w)
	t.n++
	return w
}

// subjectAttr names what the wait waits for: its job, or its instance.
func subjectAttr(u taurusjob.Update) attribute.KeyValue {
	if u.JobID == "" {
		return KeyInstanceID.String(clip.Text(u.InstanceID, maxNameLen))
	}
	return KeyJobID.String(clip.Text(u.JobID, jobid.MaxLen))
}

// remove forgets w. t.mu is held.
func (t *table) remove(jobID string, w *wait) {
	ws := t.open[jobID]
	for i, x := range ws {
		if x == w {
			ws = append(ws[:i], ws[i+1:]...)
			t.n--
			break
		}
	}
	if len(ws) == 0 {
		delete(t.open, jobID)
	} else {
		t.open[jobID] = ws
	}
}

// sweep forgets the waits silent for idleLimit past their next poll, at
// most once every sweepEvery, and returns them. t.mu is held.
func (t *table) sweep(now time.Time) []abandoned {
	if now.Before(t.nextSweep) {
		return nil
	}
	t.nextSweep = now.Add(sweepEvery)
	var silent []*wait
	var ids []string
	for id, ws := range t.open {
		for _, w := range ws {
			if now.Sub(w.last) > w.next+t.idleLimit {
				silent, ids = append(silent, w), append(ids, id)
			}
		}
	}
	gone := make([]abandoned, len(silent))
	for i, w := range silent {
		t.remove(ids[i], w)
		gone[i] = w.abandon()
	}
	return gone
}

// evict forgets the wait silent longest past its next poll, to make room,
// and returns it. t.mu is held; the table is not empty.
func (t *table) evict() abandoned {
	var oldest *wait
	var oldestID string
	for id, ws := range t.open {
		for _, w := range ws {
			if oldest == nil || w.last.Add(w.next).Before(oldest.last.Add(oldest.next)) {
				oldest, oldestID = w, id
			}
		}
	}
	t.remove(oldestID, oldest)
	return oldest.abandon()
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// carried is the span context a wait's token carries, if any.
func carried(u taurusjob.Update) trace.SpanContext {
	tp := u.Trace()
	if tp == "" {
		return trace.SpanContext{}
	}
	ctx := propagation.TraceContext{}.Extract(context.Background(), propagation.MapCarrier{"traceparent": tp})
	return trace.SpanContextFromContext(ctx)
}

// traceparent is sc in the W3C form a token carries; "" for an invalid one.
func traceparent(sc trace.SpanContext) string {
	if !sc.IsValid() {
		return ""
	}
	carrier := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(trace.ContextWithSpanContext(context.Background(), sc), carrier)
	return carrier["traceparent"]
}
