package taurusjobtest

import (
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// statuses asks for job id n times and returns the statuses.
func statuses(t *testing.T, srv *Server, id string, n int) []int {
	t.Helper()
	out := make([]int, n)
	for i := range out {
		out[i] = get(t, srv, jobURL(srv, id)).status
	}
	return out
}

func TestRuleEveryLimitJobID(t *testing.T) {
	srv := NewInMemory()
	defer srv.Close()
	a, b := srv.AddJob(Job{ID: "a"}), srv.AddJob(Job{ID: "b"})
	srv.AddRule(Rule{Fault: ServerError(503), JobID: a, Every: 3, Limit: 2})
	got := statuses(t, srv, a, 9)
	if want := []int{200, 200, 503, 200, 200, 503, 200, 200, 200}; !slices.Equal(got, want) {
		t.Errorf("job a: %v, want %v", got, want)
	}
	if got := statuses(t, srv, b, 3); !slices.Equal(got, []int{200, 200, 200}) {
		t.Errorf("job b: %v", got)
	}

	srv = NewInMemory()
	defer srv.Close()
	a = srv.AddJob(Job{ID: "a"})
	srv.AddRule(Rule{}) // the zero fault does nothing
	srv.AddRule(Rule{Fault: ServerError(503)})
	srv.AddRule(Rule{Fault: ServerError(500)}) // never reached: the first answer wins
	if got := statuses(t, srv, a, 2); !slices.Equal(got, []int{503, 503}) {
		t.Errorf("first rule: %v", got)
	}
}

func TestRuleProbability(t *testing.T) {
	run := func(seed uint64) []int {
		srv := withRules(NewInMemory(), Rule{Fault: ServerError(500), Probability: 0.3, Seed: seed})
		defer srv.Close()
		return statuses(t, srv, srv.AddJob(Job{}), 1000)
	}
	first, again, other := run(7), run(7), run(8)
	if !slices.Equal(first, again) {
		t.Error("the same seed gave another sequence")
	}
	if slices.Equal(first, other) {
		t.Error("another seed gave the same sequence")
	}
	failed := 0
	for _, s := range first {
		if s == 500 {
			failed++
		}
	}
	if failed < 250 || failed > 350 { // deterministic for seed 7
		t.Errorf("%d of 1000 failed, want about 300", failed)
	}
}

func TestRuleWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		srv := withRules(NewInMemory(), Rule{Fault: ServerError(503), From: t0.Add(10 * time.Second), Until: t0.Add(20 * time.Second)})
		defer srv.Close()
		id := srv.AddJob(Job{})
		for _, tc := range []struct {
			at   time.Duration
			want int
		}{{0, 200}, {10*time.Second - 1, 200}, {10 * time.Second, 503}, {20*time.Second - 1, 503}, {20 * time.Second, 200}} {
			time.Sleep(time.Until(t0.Add(tc.at)))
			if got := get(t, srv, jobURL(srv, id)).status; got != tc.want {
				t.Errorf("at %s: HTTP %d, want %d", tc.at, got, tc.want)
			}
		}
	})
}

func TestRuleCombined(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := withRules(NewInMemory(),
			Rule{Fault: Latency(time.Second)},
			Rule{Fault: Truncated(), Every: 2},
			Rule{Fault: ServerError(503), Every: 3},
		)
		defer srv.Close()
		id := srv.AddJob(Job{})
		start := time.Now()
		for range 6 {
			get(t, srv, jobURL(srv, id))
		}
		if time.Since(start) != 6*time.Second {
			t.Errorf("6 requests took %s, want 6s of latency", time.Since(start))
		}
		var got []string
		for _, r := range srv.Requests() {
			got = append(got, r.Fault)
		}
		want := []string{"latency", "latency,truncated", "latency,server-error-503",
			"latency,truncated", "latency", "latency,truncated,server-error-503"}
		if !slices.Equal(got, want) {
			t.Errorf("faults %q, want %q", got, want)
		}
	})
}
