package taurusjobtest

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Forever is a duration that never ends: Invisible: Forever is a job that
// never appears, Running: Forever one that never finishes.
const Forever = time.Duration(math.MaxInt64)

// Outcome is how a job ends.
type Outcome int

// The outcomes of a job. The zero value is Completed.
const (
	Completed Outcome = iota // status "Completed"
	Failed                   // status "Failed", with the job's FailReason
	Canceled                 // status "Canceled"
)

// String returns the status the outcome shows: "Completed", "Failed" or "Canceled".
func (o Outcome) String() string {
	switch o {
	case Failed:
		return "Failed"
	case Canceled:
		return "Canceled"
	}
	return "Completed"
}

// Instance is the instance a job works on.
type Instance struct {
	ID   string // 36 characters ending in "in07" in the real API
	Name string
}

// Phase is one stretch of a job's scripted life.
type Phase struct {
	// Status is what the job reports: "Pending", "Running",
	// "Unauthorized", or any other string (an unknown status).
	Status string
	// For is how long the phase lasts; 0 or less skips it.
	For time.Duration
	// Profile is the progress reported while Status is "Running"; nil is
	// [Linear]. Other statuses report no progress.
	Profile Profile
}

// Job scripts one job's life, counted from Created. The job is first
// invisible for Invisible, then goes through its phases — Pending for
// Pending, Unauthorized for Unauthorized, Running for Running, or the
// Phases given instead — and then ends with Outcome and stays there.
// A job with no phase ends as soon as it is visible.
//
// Negative durations count as 0; [Forever] never ends.
type Job struct {
	// ID is the job id; "" makes [Server.AddJob] choose a UUID-like one.
	ID string
	// Name is the job's name; "" is "CreateGaussDBforMySQLInstance".
	Name string
	// Created is when the job was created; zero is the time of AddJob.
	Created time.Time

	// Invisible is how long after Created the job is not visible yet:
	// answered 404 DBS.200823, as an unknown job is. (For another answer,
	// such as 200 {"job":null}, add a [Rule] with JobID, Until and
	// [Answer].)
	Invisible time.Duration

	// Pending, Unauthorized and Running are the durations of those
	// statuses, in that order. They are ignored when Phases is set.
	Pending, Unauthorized, Running time.Duration
	// Profile is the progress reported while Running; nil is [Linear].
	Profile Profile
	// Phases, when not empty, replaces Pending, Unauthorized, Running and
	// Profile: the job goes through these phases in order.
	Phases []Phase

	// Outcome is how the job ends.
	Outcome Outcome
	// FailReason is reported once the job ended Failed or Canceled; ""
	// for Failed reports a made-up reason.
	FailReason string

	// Instance is reported in every visible answer; zero is an instance
	// with an id made from the job id.
	Instance Instance
	// Entities is reported as is; nil reports {}. It must be valid JSON.
	Entities json.RawMessage
	// OrderID is the prepaid order that started the job, shown as
	// "order_id" where a service's job list has it (TaurusDB, RDS).
	OrderID string
}

// AddJob adds (or replaces) a job and returns its id. It panics if
// j.Entities is not valid JSON: that is a mistake in the test.
func (s *Server) AddJob(j Job) string {
	if j.ID == "" {
		j.ID = s.newJobID()
	}
	if j.Created.IsZero() {
		j.Created = time.Now()
	}
	jb := compile(j, apiZone, shapes[s.cfg.service])
	s.jobsMu.Lock()
	s.jobs[j.ID] = jb
	s.jobsMu.Unlock()
	s.inst.link(jb.view.instID, j.ID)
	return j.ID
}

// JobEnd returns when a job reaches its terminal status and which one, so
// that a simulation can measure how late a waiter noticed. ok is false for
// an unknown job and for one that never ends (a [Forever] duration).
func (s *Server) JobEnd(id string) (end time.Time, outcome Outcome, ok bool) {
	jb := s.lookup(id)
	if jb == nil || jb.end == Forever {
		return time.Time{}, Completed, false
	}
	return jb.created.Add(jb.end), jb.outcome, true
}

func (s *Server) lookup(id string) *job {
	s.jobsMu.RLock()
	jb := s.jobs[id]
	s.jobsMu.RUnlock()
	return jb
}

// newJobID makes a UUID-shaped id, unique within the server.
func (s *Server) newJobID() string {
	n := s.jobSeq.Add(1)
	a, b := mix(s.serial<<32^n), mix(n^s.serial<<40)
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x",
		uint32(a>>32), uint16(a>>16), a&0xfff, b>>52, b&0xffffffffffff)
}

// mix is a 64-bit finalizer (splitmix64): cheap, well spread.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// addSat adds two non-negative durations, saturating at Forever.
func addSat(a, b time.Duration) time.Duration {
	if b >= Forever-a {
		return Forever
	}
	return a + b
}
