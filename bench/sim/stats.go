package main

import (
	"math"
	"slices"
	"time"
)

// Row summarises one Sample: the columns of the table.
type Row struct {
	D, V    time.Duration
	Who     string
	Profile string
	N       int // trials, both outcomes

	// Over the completed-job trials (calls over all of them, lags over
	// those answered correctly); ok is false when there were none.
	CallsP50, CallsP95 int
	LagP50, LagP95     time.Duration
	HasCompleted       bool
	HasLag             bool // some completed job was answered correctly

	// Over the failed-job trials answered correctly.
	FailLagP95 time.Duration
	HasFailed  bool
	// Percent of those noticed within the failure bound (FailBound).
	FailInBound float64

	Correct float64 // percent of all trials whose result matched the truth
}

// Summarise computes a Sample's row.
func Summarise(s *Sample) Row {
	r := Row{D: s.D, V: s.V, Who: s.Who, Profile: s.Profile, N: len(s.Completed) + len(s.Failed)}
	correct := 0
	var calls []int
	var lags, failLags []time.Duration
	inBound := 0
	for _, o := range s.Completed {
		calls = append(calls, o.Result.Calls)
		if o.Result.Correct(o.Trial) {
			correct++
			lags = append(lags, o.Result.Lag(o.Trial))
		}
	}
	for _, o := range s.Failed {
		if o.Result.Correct(o.Trial) {
			correct++
			lag := o.Result.Lag(o.Trial)
			failLags = append(failLags, lag)
			if lag <= FailBound(o.Trial.End) {
				inBound++
			}
		}
	}
	if len(calls) > 0 {
		r.HasCompleted = true
		r.CallsP50, r.CallsP95 = Percentile(calls, 50), Percentile(calls, 95)
	}
	if len(lags) > 0 {
		r.HasLag = true
		r.LagP50, r.LagP95 = Percentile(lags, 50), Percentile(lags, 95)
	}
	if len(failLags) > 0 {
		r.HasFailed = true
		r.FailLagP95 = Percentile(failLags, 95)
		r.FailInBound = 100 * float64(inBound) / float64(len(failLags))
	}
	if r.N > 0 {
		r.Correct = 100 * float64(correct) / float64(r.N)
	}
	return r
}

// FailBound is the target for noticing a job that failed at age
// a: max(5 s, min(5 min, a/2)) + 1 s.
func FailBound(a time.Duration) time.Duration {
	return max(5*time.Second, min(5*time.Minute, a/2)) + time.Second
}

// Percentile returns the p-th percentile of xs by the nearest-rank method:
// always one of the values, so the tables need no interpolation.
func Percentile[T int | time.Duration](xs []T, p float64) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	k := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(k, 0), len(s)-1)]
}

// Cost is calls × median lag in call·seconds, the figure of merit:
// a waiter may buy a shorter lag with more calls, or the reverse.
func (r Row) Cost() float64 { return float64(r.CallsP50) * r.LagP50.Seconds() }
