package taurusjobotel_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"
	"unicode"

	"github.com/taurusdb-tools/taurusjob/internal/secretcheck"
	taurusjobotel "github.com/taurusdb-tools/taurusjob/otel"
	"github.com/taurusdb-tools/taurusjob/taurusjobtest"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// texts returns every text a span carries: attributes, events and status.
func texts(s sdktrace.ReadOnlySpan) []string {
	out := []string{s.Name(), s.Status().Description}
	add := func(kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			out = append(out, kv.Value.Emit())
		}
	}
	add(s.Attributes())
	for _, e := range s.Events() {
		out = append(out, e.Name)
		add(e.Attributes)
	}
	return out
}

// What a server sends goes into a span only as one clipped line: a huge
// fail reason full of control characters cannot flood a trace backend or
// forge lines in it, and a server that echoes the caller's token in its
// errors does not get it into a span.
func TestServerTextClippedAndNoSecrets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t)
		reason := strings.Repeat("quota\x1b[31m exceeded\r\nFAKE LOG LINE ", 1000)
		id := r.srv.AddJob(taurusjobtest.Job{Running: 5 * time.Minute,
			Outcome: taurusjobtest.Failed, FailReason: reason})
		r.srv.AddRule(taurusjobtest.Rule{Every: 3, Fault: taurusjobtest.Answer(500, "",
			`{"error_code":"DBS.000001","error_msg":"bad token `+r.srv.Token()+`"}`)})
		w := r.waiter(t, nil)
		w.Wait(context.Background(), id)
		if faulted(r.srv, "answer") == 0 {
			t.Fatal("the fake echoed no token: the test proves nothing")
		}
		s := r.oneSpan(t)
		v, _ := attr(s, taurusjobotel.KeyFailReason)
		if got := v.AsString(); len(got) > 512+32 || !strings.HasPrefix(got, "quota") { // 512 and the cut note
			t.Errorf("fail reason of %d bytes in the span (%.40q…); want it clipped to about 512", len(got), got)
		}
		for _, text := range texts(s) {
			secretcheck.Assert(t, "span text", text, r.srv.Token())
			if strings.IndexFunc(text, unicode.IsControl) >= 0 {
				t.Errorf("control characters in the span: %.80q", text)
			}
		}
	})
}
